"""The command line's own behaviour: default command, unknown commands, broken pipes."""

import subprocess
import sys
import threading

import pytest

from tests.archives import small_distribution, write_archive
from distscope.tui.cli import main


def test_unknown_command_is_one_line_with_a_hint(capsys):
    assert main(["lss", "x.tar"]) == 2
    err = capsys.readouterr().err
    assert err.strip() == "distscope: unknown command 'lss' (did you mean 'ls'?); see 'distscope --help'"


def test_archive_without_a_terminal_prints_the_report(tmp_path):
    archive = write_archive(tmp_path / "d.tar.zst", small_distribution())
    out = subprocess.run([sys.executable, "-m", "tui", str(archive)], stdin=subprocess.DEVNULL,
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert "Archive" in out.stdout and "8 members" in out.stdout
    assert "\x1b[" not in out.stdout  # not the full-screen app


def test_closed_pipe_is_not_success(tmp_path):
    entries = [e for i in range(3000) for e in [small_distribution()[3]]]
    entries = [(type(e[0])(f"python/f{i:05}.py"), e[1]) for i, e in enumerate(entries)]
    for info, data in entries:
        info.size = len(data)
    archive = write_archive(tmp_path / "big.tar.zst", entries)
    proc = subprocess.run(f"{sys.executable} -m tui ls {archive} | head -1; exit ${{PIPESTATUS[0]}}",
                          shell=True, executable="/bin/bash", capture_output=True, text=True, timeout=120)
    assert proc.stdout == "python/f00000.py\n"
    assert proc.returncode == 141
    assert "Traceback" not in proc.stderr


def test_entry_point_exits_quickly_only_when_nothing_is_left(monkeypatch, capsys):
    """run() flushes and leaves through os._exit (no freeing of every object) with the code of
    main(); with another non-daemon thread still running, it takes the normal exit."""
    from distscope.tui import cli

    exits = []
    monkeypatch.setattr(cli, "main", lambda: 3)
    monkeypatch.setattr(cli.os, "_exit", lambda code: exits.append(("quick", code)) or _stop())
    monkeypatch.setattr(cli.sys, "exit", lambda code: exits.append(("normal", code)) or _stop())
    with pytest.raises(_Stopped):
        cli.run()
    assert exits == [("quick", 3)]
    release = threading.Event()
    worker = threading.Thread(target=release.wait)
    worker.start()
    try:
        with pytest.raises(_Stopped):
            cli.run()
    finally:
        release.set()
        worker.join()
    assert exits[-1] == ("normal", 3)


class _Stopped(Exception):
    pass


def _stop():
    raise _Stopped


def test_quick_exit_keeps_all_the_output(tmp_path):
    archive = write_archive(tmp_path / "d.tar.zst", small_distribution())
    report = subprocess.run([sys.executable, "-m", "tui", "report", "--format", "json", str(archive)],
                            capture_output=True, text=True, timeout=120)
    assert report.returncode == 0 and report.stdout.rstrip().endswith("}")
    check = subprocess.run([sys.executable, "-m", "distscope.tui.cli", "check", str(archive)],
                           capture_output=True, text=True, timeout=120)
    assert check.returncode == main(["check", str(archive)])
