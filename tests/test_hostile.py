"""A corpus of hostile and broken archives: each must end cleanly (never a traceback).

Three outcomes: ``bad`` inputs are refused when opening (one-line message, exit 2); ``damaged``
ones keep every member read before the damage, are marked incomplete, and name the offset and
the last good member (exit 2 from ``ls``, after printing what was read); ``ok`` ones are odd but
valid tar and are indexed as-is (unsafe names are extract's problem).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from tests.archives import compress, entry, tar_bytes
from tests.corpus import BIG_NAMES, CASES, GOOD_NAMES, big_tar, good_tar
from distscope.tui.archive.index import scan
from distscope.tui.cli import main
from distscope.tui.errors import NotAnArchive



def _write(tmp_path: Path, name: str) -> Path:
    build = CASES[name][0]
    path = tmp_path / f"{name}.tar"
    path.write_bytes(build())
    return path


@pytest.mark.parametrize("name", sorted(CASES))
def test_scan_outcome(tmp_path, name):
    _, outcome, expected = CASES[name]
    path = _write(tmp_path, name)
    if outcome == "bad":
        with pytest.raises(NotAnArchive, match=expected):
            scan(path)
        return
    try:
        index = scan(path)
    except NotAnArchive:
        assert outcome == "damaged-or-bad"
        return
    names = [m.name for m in index.members]
    if outcome == "ok":
        assert index.complete and index.error is None, index.error
        assert names == expected
        return
    assert not index.complete and index.error
    assert re.search(r"at byte [\d,]+ of the tar stream", index.error), index.error
    if names:
        assert repr(names[-1]) in index.error
    else:
        assert "before the first member" in index.error
    if expected is not None:
        assert names == expected
    if name.startswith("plain-"):
        assert names == GOOD_NAMES[:len(names)]  # whatever was kept is the true prefix
    if "-truncated-at-" in name and not name.startswith("plain-"):
        assert names == BIG_NAMES[:len(names)]
        frac = float(name.rsplit("-", 1)[1])
        if frac >= 0.5 and not name.startswith("bzip2"):  # bzip2 works in 900 kB blocks
            assert len(names) >= int(60 * frac) - 8
        offset = int(re.search(r"at byte ([\d,]+)", index.error).group(1).replace(",", ""))
        assert (index.members[-1].data_offset if names else 0) <= offset <= len(big_tar())


@pytest.mark.parametrize("name", sorted(CASES))
def test_cli_ls_outcome(tmp_path, name, capsys):
    _, outcome, expected = CASES[name]
    path = _write(tmp_path, name)
    code = main(["ls", str(path)])
    out, err = capsys.readouterr()
    if outcome == "ok":
        if name == "garbage-after-the-end":  # noted, not read
            assert err.startswith("distscope: note: data after the end-of-archive marker") and err.count("\n") == 1
            err = ""
        assert code == 0 and err == ""
        assert len(out.splitlines()) == len(expected)
        return
    assert code == 2
    assert err.startswith("distscope: ") and err.count("\n") == 1, err
    assert "Traceback" not in err
    if outcome == "damaged" and expected is not None:
        assert len(out.splitlines()) == len(expected)


@pytest.mark.parametrize("name", sorted(n for n in CASES if CASES[n][1] != "bad"))
def test_cli_ls_long_never_crashes(tmp_path, name, capsys):
    code = main(["ls", "--long", "--no-cache", str(_write(tmp_path, name))])
    assert code in (0, 2)
    assert "Traceback" not in capsys.readouterr().err


def test_symlink_escapes_do_not_resolve(tmp_path):
    index = scan(_write(tmp_path, "symlink-escapes"))
    assert index.resolve("python/lib/passwd") is None
    assert index.resolve("python/abs") is None
    assert index.resolve("python/loop") is None


def test_directory_and_missing_paths(tmp_path, capsys):
    assert main(["ls", str(tmp_path)]) == 2
    assert "is a directory" in capsys.readouterr().err
    assert main(["ls", str(tmp_path / "nope.tar.zst")]) == 2
    assert "no such file" in capsys.readouterr().err


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads everything")
def test_unreadable_path(tmp_path, capsys):
    path = tmp_path / "secret.tar"
    path.write_bytes(good_tar())
    path.chmod(0)
    assert main(["ls", str(path)]) == 2
    assert "cannot read" in capsys.readouterr().err


def test_member_count_is_bounded(tmp_path):
    from distscope.tui.archive.limits import configured
    path = tmp_path / "many.tar"
    path.write_bytes(tar_bytes([entry(f"f{i}", "x") for i in range(8)]))
    with configured(max_members=5):
        index = scan(path)
    assert not index.complete and len(index.members) == 5
    assert "more than 5 members" in index.error and "'f4'" in index.error and "--max-members" in index.error


def test_corpus_is_big_enough():
    assert len(CASES) >= 20


def test_bad_end_checksum_marks_the_index_incomplete(tmp_path):
    """gzip verifies its CRC only at the very end: the pass must read that far."""
    from tests.archives import small_distribution

    data = bytearray(compress(tar_bytes(small_distribution()), "gzip"))
    data[-8] ^= 0xFF  # the CRC-32 in the gzip trailer
    path = tmp_path / "crc.tar.gz"
    path.write_bytes(bytes(data))
    index = scan(path)
    assert not index.complete
    assert "decompression failed" in index.error
    assert len(index.members) == len(small_distribution())  # nothing read is lost
