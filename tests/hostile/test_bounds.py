"""Issue 13.2 and 13.6: a few hundred bytes must not take gigabytes or minutes; bad input is
one line and exit 2; global flags go anywhere. Each run is a child process with a capped
address space and a timeout (generous bounds: they catch gigabytes and minutes, not noise)."""

from __future__ import annotations

import json
import os
import threading
import time

import pytest

from distscope.tui.cli import main
from tests.archives import compress, entry, tar_bytes
from tests.hostile.helpers import (archive_with, bzip2_trailing_bomb, elf_needed_bomb, elf_symbol_bomb,
                                   elf_versions_bomb, one_line, run_bounded, xz_with_dictionary,
                                   zstd_with_window)

MEMORY = 1 << 30  # per child, beyond the interpreter's own mappings
TIMEOUT = 30


@pytest.mark.parametrize("bomb", ["needed", "symbols", "versions"])
@pytest.mark.parametrize("command", ["ls", "report"])
def test_elf_string_bombs_are_bounded(tmp_path, bomb, command):
    blob = {"needed": elf_needed_bomb, "symbols": elf_symbol_bomb, "versions": elf_versions_bomb}[bomb]()
    path = archive_with(tmp_path / "bomb.tar.zst", [entry("python/lib/libbomb.so", blob, mode=0o755)])
    assert path.stat().st_size < 200_000
    args = ["--no-cache", command, str(path)] + (["--format", "json"] if command == "report" else [])
    start = time.monotonic()
    done = run_bounded(*args, memory=MEMORY, timeout=TIMEOUT)
    assert done.returncode == 0, done.stderr
    assert time.monotonic() - start < TIMEOUT
    assert len(done.stdout) < 8 << 20  # (was 570 MB for report --format json)
    if command == "report":
        report = json.loads(done.stdout)
        if bomb in ("needed", "versions"):
            over = [f for f in report["findings"] if f["code"] == "binary-over-budget"]
            assert over and "not fully analysed" in over[0]["message"], report["findings"]


def test_elf_bomb_cache_entry_is_small(tmp_path):
    path = archive_with(tmp_path / "bomb.tar.zst", [entry("python/lib/libbomb.so", elf_needed_bomb(), mode=0o755)])
    cache = tmp_path / "cache"
    done = run_bounded("ls", str(path), memory=MEMORY, timeout=TIMEOUT, env={"DISTSCOPE_CACHE_DIR": str(cache)})
    assert done.returncode == 0
    entries = list((cache / "index").glob("*.msgpack"))
    assert entries and all(e.stat().st_size < 8 << 20 for e in entries)  # (was 562 MB)


def test_zstd_window_above_the_limit_is_refused(tmp_path, capsys):
    data = tar_bytes([entry("python/a.py", "a = 1\n")])
    path = tmp_path / "window.tar.zst"
    path.write_bytes(zstd_with_window(data, 31))  # 2 GiB declared, 82 KB archives did this
    for argv in (["ls", str(path)], ["cat", str(path), "python/a.py"], ["report", str(path)],
                 ["extract", str(path), "-C", str(tmp_path / "out")]):
        assert main(["--no-cache", *argv]) == 2, argv
        line = one_line(capsys.readouterr().err)
        assert "2,048 MiB zstd window" in line and "--max-window" in line, line


def test_max_window_raises_the_limit(tmp_path, capsys):
    data = tar_bytes([entry("python/a.py", "a = 1\n")])
    path = tmp_path / "window.tar.zst"
    path.write_bytes(zstd_with_window(data, 28))  # 256 MiB
    assert main(["--no-cache", "ls", str(path)]) == 2
    assert "--max-window" in capsys.readouterr().err
    assert main(["ls", "--no-cache", "--max-window", "256M", str(path)]) == 0
    assert capsys.readouterr().out == "python/a.py\n"


def test_bounded_window_in_a_child(tmp_path):
    path = tmp_path / "window.tar.zst"
    path.write_bytes(zstd_with_window(tar_bytes([entry("python/a.py", "a")]), 31))
    done = run_bounded("--no-cache", "ls", str(path), memory=256 << 20, timeout=TIMEOUT)
    assert done.returncode == 2 and "--max-window" in one_line(done.stderr)


def test_xz_dictionary_above_the_limit_is_refused(tmp_path):
    path = tmp_path / "dict.tar.xz"
    path.write_bytes(xz_with_dictionary(tar_bytes([entry("python/a.py", "a = 1\n")])))
    done = run_bounded("--no-cache", "ls", str(path), memory=512 << 20, timeout=TIMEOUT)
    assert done.returncode == 2
    line = one_line(done.stderr)
    assert "dictionary" in line and "--max-window" in line, line


def test_trailing_streams_are_not_drained(tmp_path):
    path = bzip2_trailing_bomb(tmp_path / "trailing.tar.bz2")
    assert path.stat().st_size < 200_000
    start = time.monotonic()
    done = run_bounded("--no-cache", "ls", str(path), memory=MEMORY, timeout=TIMEOUT)
    assert time.monotonic() - start < 20  # (was 191 s)
    assert done.returncode == 0 and done.stdout == b"python/a.py\npython/b.py\n"
    assert "after the end-of-archive marker was not read" in one_line(done.stderr)


def test_trailing_zstd_frames_are_not_drained(tmp_path, capsys):
    data = tar_bytes([entry("python/a.py", "a = 1\n")])
    import zstandard
    bomb = zstandard.ZstdCompressor(level=19).compress(bytes(64 << 20))
    path = tmp_path / "trailing.tar.zst"
    path.write_bytes(compress(data) + bomb * 64)  # 4 GiB of zeros after the archive
    assert main(["--no-cache", "ls", str(path)]) == 0
    out, err = capsys.readouterr()
    assert out == "python/a.py\n" and "not read" in one_line(err)


@pytest.mark.parametrize("kind", ["fifo", "dev-zero"])
def test_non_regular_inputs_are_refused_up_front(tmp_path, kind):
    if kind == "fifo":
        path = tmp_path / "pipe"
        os.mkfifo(path)
        what = "a FIFO"
    else:
        path, what = "/dev/zero", "a character device"
        if not os.path.exists(path):
            pytest.skip("no /dev/zero")
    for argv in (["ls", str(path)], ["cat", str(path), "x"], ["report", str(path)], ["summary", str(path)]):
        done = run_bounded("--no-cache", *argv, memory=MEMORY, timeout=10)
        assert done.returncode == 2, (argv, done.stderr)
        assert what in one_line(done.stderr)


def test_sparse_huge_file_ends_at_the_first_end_marker(tmp_path):
    path = tmp_path / "huge.tar"
    with open(path, "wb") as f:
        f.truncate(64 << 30)  # 64 GiB of zeros, sparse
    done = run_bounded("--no-cache", "ls", str(path), memory=MEMORY, timeout=TIMEOUT)
    assert done.returncode == 0 and done.stdout == b""
    assert "not read" in one_line(done.stderr)


def test_member_cap_is_one_policy(tmp_path, capsys):
    path = archive_with(tmp_path / "many.tar.zst", [entry(f"python/f{i}", "x") for i in range(30)])
    assert main(["--no-cache", "--max-members", "20", "ls", str(path)]) == 2
    out, err = capsys.readouterr()
    assert len(out.splitlines()) == 20 and "more than 20 members" in one_line(err) and "--max-members" in err
    assert main(["extract", "--max-members", "20", str(path), "-C", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert "more than 20 members" in err and len(os.listdir(tmp_path / "out" / "python")) == 20
    assert main(["--no-cache", "ls", str(path)]) == 0 and len(capsys.readouterr().out.splitlines()) == 30


def test_a_dead_worker_fails_only_its_archive(tmp_path, monkeypatch, capsys):
    from distscope.tui.commands import report as report_cmd

    good = archive_with(tmp_path / "good.tar.zst", [entry("python/a.py", "a")])
    doomed = archive_with(tmp_path / "doomed.tar.zst", [entry("python/b.py", "b")])
    real = report_cmd.analyse

    def analyse(path, use_cache=True, verify=False):
        if "doomed" in path:
            os._exit(9)  # as the kernel's OOM killer would end it
        return real(path, use_cache, verify)

    monkeypatch.setattr(report_cmd, "analyse", analyse)
    for command in ("report", "check"):
        code = main([command, "--no-cache", "-j", "2", str(good), str(doomed)])
        out, err = capsys.readouterr()
        assert code == 2, err
        assert "Traceback" not in err and "BrokenProcessPool" not in err
        assert err.strip().splitlines() == [f"distscope: {doomed}: analysis failed: its process died (out of memory?)"]
        assert str(good) in out


@pytest.mark.parametrize("argv", [
    ["report", "--no-cache", "ARCHIVE"], ["--no-cache", "report", "ARCHIVE"], ["report", "ARCHIVE", "--no-cache"],
    ["check", "ARCHIVE", "--no-cache", "--max-window", "64M"], ["licenses", "--verify", "ARCHIVE"],
    ["summary", "ARCHIVE", "--max-members", "1000"], ["--max-window", "256M", "ARCHIVE"],
])
def test_global_flags_anywhere(tmp_path, argv, capsys):
    path = archive_with(tmp_path / "a.tar.zst", [entry("python/a.py", "a")])
    code = main([str(path) if a == "ARCHIVE" else a for a in argv])
    out, err = capsys.readouterr()
    assert code in (0, 1), err
    assert "unrecognized" not in err


def test_trailing_data_is_noted_by_every_command(tmp_path, capsys):
    path = bzip2_trailing_bomb(tmp_path / "trailing.tar.bz2", streams=50)
    for argv, code in ((["report"], 0), (["check"], 0), (["summary"], 0), (["licenses"], 0),
                       (["extract", "-C", str(tmp_path / "out")], 0)):
        args = [argv[0], "--no-cache", str(path), *argv[1:]]
        assert main(args) == code, argv
        err = capsys.readouterr().err
        assert "after the end-of-archive marker was not read" in err, (argv, err)
        assert "Traceback" not in err


def test_sizes_parse():
    from distscope.tui.archive.limits import parse_size

    assert parse_size("128M") == 128 << 20 and parse_size("2G") == 2 << 30 and parse_size("4096") == 4096
    assert parse_size("512MiB") == 512 << 20
    for bad in ("", "x", "-1M", "0"):
        with pytest.raises(ValueError):
            parse_size(bad)
