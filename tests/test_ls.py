"""``distscope ls``: the names ``tar -t`` prints, ``--long`` like ``tar -tv``, globs, streaming."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tarfile

import pytest

from tests.archives import entry, small_distribution, tar_bytes, write_archive
from tests.conftest import real_archive
from distscope.tui.cli import main
from distscope.tui.commands import ls as ls_command

TAR = shutil.which("tar")
needs_tar = pytest.mark.skipif(TAR is None, reason="no tar on PATH")


def distscope(*args: str, env=None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "tui", *args], capture_output=True, text=True,
                          env={**os.environ, **(env or {})})


def tar_list(path, *flags: str) -> list[str]:
    """``tar -t`` (plain tar only, so no decompressor is needed on PATH)."""
    out = subprocess.run([TAR, *flags, "-tf", str(path)], capture_output=True, check=True,
                         env={**os.environ, "TZ": "UTC", "LC_ALL": "C.UTF-8"})
    return out.stdout.decode("utf-8", "surrogateescape").splitlines()


def odd_entries():
    e = [entry("python/", type="dir"), *small_distribution(),
         entry("python/" + "long/" * 30 + "name.py", "x"),
         entry("python/hard", type="hardlink", link="python/lib/python3.12/os.py"),
         entry("python/new\nline", "x"), entry("python/back\\slash", "x"), entry("python/tab\there", "x"),
         entry("python/uni-é.txt", "x"), entry("python/fifo", type="fifo"),
         entry("python/setuid", "x", mode=0o4755), entry("python/sticky/", type="dir", mode=0o1777)]
    return e


@needs_tar
@pytest.mark.parametrize("fmt", [tarfile.GNU_FORMAT, tarfile.PAX_FORMAT])
def test_names_and_long_equal_tar(tmp_path, capsys, monkeypatch, fmt):
    monkeypatch.setenv("TZ", "UTC")
    path = tmp_path / "odd.tar"
    path.write_bytes(tar_bytes(odd_entries(), fmt))
    assert main(["ls", str(path)]) == 0
    assert capsys.readouterr().out.splitlines() == tar_list(path)
    assert main(["ls", "--long", str(path)]) == 0
    assert capsys.readouterr().out.splitlines() == tar_list(path, "-v")


@needs_tar
@pytest.mark.parametrize("fmt", ["gnu", "posix"])
def test_sparse_members_equal_tar(tmp_path, capsys, monkeypatch, fmt):
    monkeypatch.setenv("TZ", "UTC")
    tree = tmp_path / "sp"
    tree.mkdir()
    with open(tree / "holes", "wb") as fh:
        fh.truncate(3 << 20)
        fh.seek(0, 2)
        fh.write(b"data")
    (tree / "after").write_text("x")
    path = tmp_path / "sparse.tar"
    subprocess.run([TAR, f"--format={fmt}", "-S", "-cf", str(path), "-C", str(tmp_path), "sp"], check=True)
    assert main(["ls", "-l", str(path)]) == 0
    assert capsys.readouterr().out.splitlines() == tar_list(path, "-v")


@needs_tar
@pytest.mark.parametrize("which", ["linux", "macos", "windows"])
def test_real_archives_equal_tar(tmp_path, capsys, monkeypatch, which):
    monkeypatch.setenv("TZ", "UTC")
    path = real_archive(which)
    plain = tmp_path / "plain.tar"
    import zstandard
    with open(path, "rb") as src, open(plain, "wb") as dst:
        zstandard.ZstdDecompressor(max_window_size=2**31).copy_stream(src, dst)
    assert main(["ls", str(path)]) == 0
    names = capsys.readouterr().out.splitlines()
    assert names == tar_list(plain)
    assert main(["ls", "-l", str(path)]) == 0
    assert capsys.readouterr().out.splitlines() == tar_list(plain, "-v")


def test_escaping():
    assert ls_command.tar_quote("a\nb\\c\td") == "a\\nb\\\\c\\td"
    assert ls_command.tar_quote("caf\udce9") == "caf\\351"
    assert ls_command.tar_quote("naïve ok") == "naïve ok"
    assert ls_command.tar_quote("\x7f") == "\\177"


@pytest.fixture
def dist(tmp_path):
    return write_archive(tmp_path / "d.tar.zst", small_distribution())


def test_patterns_match_names_and_parents(dist, capsys):
    assert main(["ls", str(dist), "python/bin"]) == 0
    assert capsys.readouterr().out.split() == ["python/bin/python3.12", "python/bin/python3", "python/bin/python"]
    assert main(["ls", str(dist), "*.py", "./python/include/"]) == 0
    assert capsys.readouterr().out.split() == [
        "python/lib/python3.12/os.py", "python/lib/python3.12/json/__init__.py",
        "python/include/python3.12/patchlevel.h"]
    assert main(["ls", str(dist), "python/lib/*/json"]) == 0  # a glob naming a folder lists its subtree
    assert capsys.readouterr().out.split() == ["python/lib/python3.12/json/__init__.py"]


def test_unmatched_pattern_is_reported(dist, capsys):
    assert main(["ls", str(dist), "python/bin/python", "nothing*"]) == 2
    captured = capsys.readouterr()
    assert captured.out.split() == ["python/bin/python"]
    assert captured.err == "distscope: nothing*: not found in archive\n"


def test_truncated_prints_what_was_read_then_fails(tmp_path):
    data = tar_bytes([entry(f"python/f{i}", "x" * 3000) for i in range(10)])
    path = tmp_path / "cut.tar"
    path.write_bytes(data[:5 * 3584 + 512 + 100])  # inside the data of f5
    result = distscope("ls", str(path))
    assert result.returncode == 2
    assert result.stdout.split() == [f"python/f{i}" for i in range(6)]
    assert result.stderr.startswith("distscope: archive is truncated")
    assert "'python/f5'" in result.stderr and result.stderr.count("\n") == 1


def test_bad_input_exits_2_without_traceback(tmp_path):
    path = tmp_path / "x.tar.zst"
    path.write_bytes(b"PK\x03\x04" + bytes(100))
    result = distscope("ls", str(path))
    assert result.returncode == 2 and "zip archive" in result.stderr and "Traceback" not in result.stderr


def test_cache_reuse_gives_the_same_listing(dist, capsys):
    assert main(["ls", "-l", str(dist)]) == 0
    first = capsys.readouterr().out
    assert main(["ls", "-l", str(dist)]) == 0  # second run: from the cache when it is fresh
    assert capsys.readouterr().out == first
    assert main(["ls", "--no-cache", "-l", str(dist)]) == 0
    assert capsys.readouterr().out == first


def test_ls_streams_before_the_pass_ends(tmp_path, monkeypatch, capsys):
    """Lines are written per progress batch, not at the end."""
    path = write_archive(tmp_path / "many.tar.zst", [entry(f"f{i:04}", "x") for i in range(1500)])
    writes = []
    real_write = sys.stdout.write

    def spy(text):
        writes.append(text.count("\n"))
        return real_write(text)

    monkeypatch.setattr(sys.stdout, "write", spy)
    assert main(["ls", "--no-cache", str(path)]) == 0
    assert sum(writes) == 1500 and len(writes) >= 3


def test_broken_pipe_is_quiet(tmp_path):
    path = write_archive(tmp_path / "many.tar.zst", [entry(f"f{i:05}", "x") for i in range(20000)])
    proc = subprocess.Popen([sys.executable, "-m", "tui", "ls", str(path)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    assert proc.stdout.readline() == b"f00000\n"
    proc.stdout.close()
    err = proc.stderr.read()
    proc.wait()
    assert b"Traceback" not in err
