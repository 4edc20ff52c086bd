"""The command line's own behaviour: default command, unknown commands, broken pipes."""

import subprocess
import sys

from tests.archives import small_distribution, write_archive
from tui.cli import main


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
