"""``distscope OLD NEW`` in a real terminal (tmux), when tmux is there."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SOCKET = f"distscope-diff-test-{os.getpid()}"


def tmux(*args: str) -> str:
    return subprocess.run(["tmux", "-L", SOCKET, *args], capture_output=True, text=True, check=False).stdout


def wait_for(session: str, *needles: str, timeout: float = 60.0) -> str:
    """Capture the pane until one of ``needles`` shows."""
    deadline = time.monotonic() + timeout
    screen = ""
    while time.monotonic() < deadline:
        screen = tmux("capture-pane", "-p", "-t", session)
        if any(n in screen for n in needles):
            return screen
        time.sleep(0.1)
    raise AssertionError(f"none of {needles!r} appeared; screen was:\n{screen}")


@pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux not installed")
def test_diff_in_tmux_keys_in_one_burst(tmp_path):
    """``distscope OLD NEW`` in a real terminal: the Diff screen, then Members, a row down and
    ``g`` typed in one burst land in the Files pane on the member."""
    from tests.archives import write_archive
    from tests.diff_fixtures import new_entries, old_entries

    old = write_archive(tmp_path / "old.tar.zst", old_entries())
    new = write_archive(tmp_path / "new.tar.zst", new_entries())
    session = "diff"
    env = f"DISTSCOPE_CACHE_DIR={shlex.quote(os.environ['DISTSCOPE_CACHE_DIR'])} TERM=xterm-256color"
    command = (f"cd {shlex.quote(str(ROOT))} && env {env} {shlex.quote(sys.executable)} -m distscope.tui "
               f"{shlex.quote(str(old))} {shlex.quote(str(new))}; echo EXITED $?; sleep 30")
    tmux("new-session", "-d", "-s", session, "-x", "100", "-y", "30", command)
    try:
        screen = wait_for(session, "Findings 7")
        assert "Summary" in screen and "Requirements 5" in screen
        tmux("send-keys", "-t", session, "7", "Down", "g")  # a folder row: nothing to go to
        wait_for(session, "This row names no member", timeout=20)
        tmux("send-keys", "-t", session, "NPage", "g")  # the last row: tool.py, to Files
        screen = wait_for(session, "Extract", timeout=20)  # (the Files footer; the tab bar says "2 Files" at once)
        assert "tool.py" in screen and "Go to member" not in screen
        tmux("send-keys", "-t", session, "q")
        wait_for(session, "EXITED 0")
    finally:
        tmux("kill-server")
