"""`distscope extract`: faithful extraction, selections, and the safety corpus."""

from __future__ import annotations

import io
import os
import stat
import tarfile

import pytest

from tests.archives import MTIME, entry, random_bytes, small_distribution, tar_bytes, write_archive
from tests.conftest import real_archive
from distscope.tui import cli
from distscope.tui.archive.extract import extract


def _info(name, type, **attrs):
    info = tarfile.TarInfo(name)
    info.type = type
    info.mtime = MTIME
    for key, value in attrs.items():
        setattr(info, key, value)
    return info, b""


def _tree(root):
    """Every path under root: file bytes, link targets or 'dir'."""
    out = {}
    for folder, dirs, files in os.walk(root):
        for name in dirs + files:
            full = os.path.join(folder, name)
            rel = os.path.relpath(full, root)
            if os.path.islink(full):
                out[rel] = ("link", os.readlink(full))
            elif os.path.isdir(full):
                out[rel] = "dir"
            else:
                with open(full, "rb") as f:
                    out[rel] = f.read()
    return out


@pytest.mark.parametrize("compression", ["zstd", "gzip", "xz", "bzip2", "none"])
def test_extract_matches_tarfile(tmp_path, compression):
    entries = [*small_distribution(), entry("python/share/hard", type="hardlink", link="python/share/empty")]
    path = write_archive(tmp_path / "a.tar", entries, compression)
    report = extract(path, tmp_path / "ours")
    assert report.ok and report.extracted == len(entries)
    with tarfile.open(fileobj=io.BytesIO(tar_bytes(entries))) as tar:
        tar.extractall(tmp_path / "theirs", filter="data")
    assert _tree(tmp_path / "ours") == _tree(tmp_path / "theirs")
    exe = tmp_path / "ours/python/bin/python3.12"
    assert stat.S_IMODE(exe.stat().st_mode) == 0o755 and exe.stat().st_mtime == MTIME
    assert os.path.samefile(tmp_path / "ours/python/share/hard", tmp_path / "ours/python/share/empty")


def test_members_and_subtrees(tmp_path):
    path = write_archive(tmp_path / "a.tar.zst", small_distribution())
    report = extract(path, tmp_path / "out", ["python/lib", "./python/bin/python3"])
    assert report.ok
    assert sorted(_tree(tmp_path / "out")) == [
        "python", "python/bin", "python/bin/python3", "python/lib", "python/lib/python3.12",
        "python/lib/python3.12/LICENSE.txt", "python/lib/python3.12/json",
        "python/lib/python3.12/json/__init__.py", "python/lib/python3.12/os.py"]
    report = extract(path, tmp_path / "out2", ["python/nothing", "python/share"])
    assert report.not_found == ["python/nothing"] and report.extracted == 1


def test_mode_is_sanitised(tmp_path):
    path = write_archive(tmp_path / "a.tar", [entry("suid", b"x", mode=0o6777), entry("ro", b"y", mode=0o444)],
                         "none")
    extract(path, tmp_path / "out")
    assert stat.S_IMODE((tmp_path / "out/suid").stat().st_mode) == 0o755
    assert stat.S_IMODE((tmp_path / "out/ro").stat().st_mode) == 0o644


HOSTILE = [
    ("absolute", [entry("/tmp/distscope-abs", b"x")], "absolute path"),
    ("dotdot", [entry("../evil", b"x")], "'..'"),
    ("inner-dotdot", [entry("a/../../evil", b"x")], "'..'"),
    ("symlink-absolute", [entry("l", type="symlink", link="/etc")], "absolute"),
    ("symlink-escape", [entry("d/l", type="symlink", link="../../etc")], "outside"),
    ("write-through-link", [entry("l", type="symlink", link="sub"), entry("sub", type="dir"),
                            entry("l/file", b"x")], "through the symlink l"),
    ("hardlink-outside", [entry("h", type="hardlink", link="../outside")], "outside the archive"),
    ("hardlink-absolute", [entry("h", type="hardlink", link="/etc/passwd")], "outside the archive"),
    ("hardlink-missing", [entry("h", type="hardlink", link="never/seen")], "not extracted"),
    ("fifo", [entry("f", type="fifo")], "fifo"),
    ("char-device", [_info("dev", tarfile.CHRTYPE, devmajor=1, devminor=3)], "character device"),
    ("block-device", [_info("blk", tarfile.BLKTYPE, devmajor=8, devminor=0)], "block device"),
    ("file-under-file", [entry("f", b"x"), entry("f/g", b"y")], "not a directory"),
]


@pytest.mark.parametrize("name, entries, reason", HOSTILE, ids=[h[0] for h in HOSTILE])
def test_hostile_members_are_refused_and_the_rest_extracted(tmp_path, name, entries, reason):
    path = write_archive(tmp_path / "a.tar", [*entries, entry("good.txt", b"fine")], "none",
                         format=tarfile.GNU_FORMAT)
    dest = tmp_path / "jail" / "out"
    report = extract(path, dest)
    assert len(report.refused) == 1, report.refused
    assert reason in report.refused[0][1]
    assert (dest / "good.txt").read_bytes() == b"fine"
    assert sorted(os.listdir(tmp_path / "jail")) == ["out"]  # nothing landed outside
    assert not os.path.exists("/tmp/distscope-abs")


def test_symlink_chain_that_escapes_later_is_removed(tmp_path):
    # "y" looks inside when written; once "x" -> "." exists, "y" -> "x/.." leads out.
    path = write_archive(tmp_path / "a.tar", [entry("y", type="symlink", link="x/.."),
                                              entry("x", type="symlink", link=".")], "none")
    report = extract(path, tmp_path / "out")
    assert [r[0] for r in report.refused] == ["y"]
    assert not os.path.lexists(tmp_path / "out/y") and os.path.islink(tmp_path / "out/x")


def test_existing_files_need_force(tmp_path):
    path = write_archive(tmp_path / "a.tar", [entry("a.txt", b"new"), entry("dir", type="dir")], "none")
    out = tmp_path / "out"
    out.mkdir()
    (out / "a.txt").write_bytes(b"old")
    report = extract(path, out)
    assert report.refused == [("a.txt", "already exists (use --force to overwrite)")]
    assert (out / "a.txt").read_bytes() == b"old"
    assert extract(path, out, force=True).ok
    assert (out / "a.txt").read_bytes() == b"new"


def test_force_replaces_a_link_instead_of_writing_through_it(tmp_path):
    victim = tmp_path / "victim.txt"
    victim.write_bytes(b"precious")
    out = tmp_path / "out"
    out.mkdir()
    (out / "a.txt").symlink_to(victim)
    path = write_archive(tmp_path / "a.tar", [entry("a.txt", b"new")], "none")
    assert extract(path, out).refused
    assert extract(path, out, force=True).ok
    assert victim.read_bytes() == b"precious" and not (out / "a.txt").is_symlink()
    assert (out / "a.txt").read_bytes() == b"new"


def test_preexisting_symlinked_folder_is_not_written_through(tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    out = tmp_path / "out"
    out.mkdir()
    (out / "python").symlink_to(outside)
    path = write_archive(tmp_path / "a.tar.zst", small_distribution())
    report = extract(path, out, force=True)
    assert report.extracted == 0 and len(report.refused) == len(small_distribution())
    assert all("through the symlink python" in r or "outside" in r for _, r in report.refused)
    assert not os.listdir(outside)


def test_truncated_archive_keeps_what_was_extracted(tmp_path):
    data = tar_bytes([entry("one.txt", b"1" * 2000), entry("two.txt", b"2" * 50_000)])
    path = tmp_path / "cut.tar"
    path.write_bytes(data[:20_000])
    report = extract(path, tmp_path / "out")
    assert report.error and "one.txt" in report.error
    assert (tmp_path / "out/one.txt").read_bytes() == b"1" * 2000
    assert not (tmp_path / "out/two.txt").exists()  # partial files are removed


def test_exit_codes_and_messages(tmp_path, capsys):
    good = write_archive(tmp_path / "good.tar.gz", small_distribution(), "gzip")
    bad = write_archive(tmp_path / "bad.tar", [entry("../evil", b"x"), entry("ok", b"y")], "none")
    assert cli.main(["extract", str(good), "-C", str(tmp_path / "a")]) == 0
    assert "extracted 8 members" in capsys.readouterr().err
    assert cli.main(["extract", str(bad), "-C", str(tmp_path / "b")]) == 1
    err = capsys.readouterr().err
    assert "distscope: refused ../evil: '..' in the path" in err and (tmp_path / "b/ok").exists()
    assert cli.main(["extract", str(good), "python/nope", "-C", str(tmp_path / "c")]) == 2
    assert "python/nope: not in the archive" in capsys.readouterr().err
    assert cli.main(["extract", str(tmp_path / "missing.tar"), "-C", str(tmp_path / "d")]) == 2
    assert capsys.readouterr().err.count("\n") == 1 and not (tmp_path / "d").exists()
    (tmp_path / "file").write_text("x")
    assert cli.main(["extract", str(good), "-C", str(tmp_path / "file")]) == 2
    assert "not a directory" in capsys.readouterr().err
    cut = tmp_path / "cut.tar.gz"
    cut.write_bytes(good.read_bytes()[:300])
    assert cli.main(["extract", str(cut), "-C", str(tmp_path / "e")]) == 2


def test_real_archive_extracts_like_tarfile(tmp_path):
    path = real_archive("linux")
    report = extract(path, tmp_path / "ours", ["python/share"])
    assert report.ok and report.extracted > 1000
    import zstandard

    with open(path, "rb") as f:
        data = zstandard.ZstdDecompressor(max_window_size=2**31).stream_reader(f).read()
    with tarfile.open(fileobj=io.BytesIO(data)) as tar:
        chosen = [m for m in tar.getmembers() if m.name.startswith("python/share")]
        tar.extractall(tmp_path / "theirs", members=chosen, filter="data")
    assert _tree(tmp_path / "ours") == _tree(tmp_path / "theirs")


def test_progress_bar_only_on_a_terminal(tmp_path, capsys, monkeypatch):
    import sys

    from distscope.tui.commands import extract as command

    entries = [entry(f"many/f{i}", b"x") for i in range(600)]
    path = write_archive(tmp_path / "a.tar.zst", entries)
    assert cli.main(["extract", str(path), "-C", str(tmp_path / "quiet")]) == 0
    assert "[" not in capsys.readouterr().err
    monkeypatch.setattr(command, "_DELAY", 0)
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    assert cli.main(["extract", str(path), "-C", str(tmp_path / "loud")]) == 0
    err = capsys.readouterr().err
    assert "\rextracting [" in err and "100%" in err and err.rstrip().endswith("into " + str(tmp_path / "loud"))


def _hostile_cases():
    from tests.corpus import CASES

    return CASES


@pytest.mark.parametrize("name", sorted(_hostile_cases()))
def test_hostile_corpus_never_escapes_as_a_traceback(tmp_path, name):
    from distscope.tui.archive.reader import MemberReader
    from distscope.tui.errors import DistscopeError
    from distscope.tui.session import open_index

    case = _hostile_cases()[name]
    path = tmp_path / "hostile.bin"
    path.write_bytes(case[0]() if isinstance(case, tuple) else case())
    try:
        report = extract(path, tmp_path / "out")
    except DistscopeError:
        return  # not an archive at all: a one-line message
    assert all(os.path.realpath(p).startswith(str(tmp_path / "out")) for p in _walk(tmp_path / "out"))
    index = open_index(path)
    readable = []
    for member in index.members:
        if len(member.path) > 4096:
            continue  # resolving a 32,768-deep path is slow (quadratic in the index): not this test's subject
        try:
            readable.append(MemberReader(index).member(member.path).path)
        except DistscopeError:
            pass
    for use_cache in (True, False):
        reader = MemberReader(index, use_cache=use_cache)
        try:
            got = reader.read_many(readable)
            assert all(len(got[p]) == index.get(p).size for p in readable)
        except DistscopeError:
            pass
        reader.wait_copy()
    assert report.ok or report.refused or report.error or report.not_found


def _walk(root):
    for folder, dirs, files in os.walk(root):
        for name in dirs + files:
            yield os.path.join(folder, name)


@pytest.mark.parametrize("compression", ["gzip", "zstd"])
def test_a_bad_end_checksum_is_damage(tmp_path, capsys, compression):
    """gzip and single-frame zstd check their checksum after the tar's end marker: extraction
    reads up to there, keeps what it wrote, and reports the damage (exit 2)."""
    import gzip

    import zstandard

    tail = random_bytes(1 << 16, 1) * 160  # ~10 MiB, so that the members stream out before the end
    data = tar_bytes([entry("one.txt", b"1" * 2000), entry("tail.bin", tail)])
    if compression == "gzip":
        raw = bytearray(gzip.compress(data, compresslevel=1, mtime=0))
        raw[-8] ^= 0xFF  # the CRC-32 in the trailer
    else:
        raw = bytearray(zstandard.ZstdCompressor(level=1, write_checksum=True).compress(data))
        raw[-1] ^= 0xFF  # the frame's content checksum
    path = tmp_path / f"crc.tar.{'gz' if compression == 'gzip' else 'zst'}"
    path.write_bytes(bytes(raw))
    report = extract(path, tmp_path / "out")
    assert report.error and "decompression failed" in report.error
    assert (tmp_path / "out/one.txt").read_bytes() == b"1" * 2000
    assert cli.main(["extract", str(path), "-C", str(tmp_path / "cli")]) == 2
    assert "decompression failed" in capsys.readouterr().err
    good = tmp_path / "good.tar.gz"
    good.write_bytes(gzip.compress(data, compresslevel=1, mtime=0))
    assert extract(good, tmp_path / "good").ok
