"""Smoke test: the real `distscope` command in a real terminal (tmux), when tmux is there."""

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
SOCKET = f"distscope-test-{os.getpid()}"


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
@pytest.mark.parametrize("size", [(100, 30), (80, 24)])
def test_demo_in_tmux(size):
    session = "smoke"
    env = f"DISTSCOPE_CACHE_DIR={shlex.quote(os.environ['DISTSCOPE_CACHE_DIR'])} TERM=xterm-256color"
    command = f"cd {shlex.quote(str(ROOT))} && env {env} {shlex.quote(sys.executable)} -m tui; echo EXITED $?; sleep 30"
    tmux("new-session", "-d", "-s", session, "-x", str(size[0]), "-y", str(size[1]), command)
    try:
        screen = wait_for(session, "3.12.7")
        assert "1 Summary" in screen and "Quit" in screen
        tmux("send-keys", "-t", session, "2")
        screen = wait_for(session, "python/")
        tmux("send-keys", "-t", session, "3")
        wait_for(session, "binaries", "dependency graph")
        tmux("send-keys", "-t", session, "q")
        wait_for(session, "EXITED 0")
    finally:
        tmux("kill-server")
