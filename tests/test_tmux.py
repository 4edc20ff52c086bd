"""The real `distscope` command in a real terminal (tmux), when tmux is there: keys sent in one
burst (`tmux send-keys "/ssl"` delivers them in one write, as a paste or SSH does), SIGTERM
restoring the terminal, the demo and the real archives."""

from __future__ import annotations

import os
import shlex
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import DISTRIBUTIONS

ROOT = Path(__file__).resolve().parent.parent
SOCKET = f"distscope-test-{os.getpid()}"
pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux not installed")


@pytest.fixture(autouse=True)
def _own_tmux_server(request):
    """Each test its own tmux server (a server being killed cannot take the next session)."""
    global SOCKET
    SOCKET = f"distscope-test-{os.getpid()}-{request.node.name}".replace("/", "_").replace("[", "-").replace("]", "")


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


def start(session: str, size: tuple[int, int], archive: str | None = None) -> None:
    env = f"DISTSCOPE_CACHE_DIR={shlex.quote(os.environ['DISTSCOPE_CACHE_DIR'])} TERM=xterm-256color"
    target = shlex.quote(archive) if archive else ""
    command = (f"cd {shlex.quote(str(ROOT))} && env {env} {shlex.quote(sys.executable)} -m distscope.tui open "
               f"{target}; echo EXITED $?; sleep 30")
    tmux("new-session", "-d", "-s", session, "-x", str(size[0]), "-y", str(size[1]), command)


def pane_flag(session: str, flag: str) -> str:
    return tmux("display-message", "-p", "-t", session, f"#{{{flag}}}").strip()


@pytest.mark.parametrize("size", [(100, 30), (80, 24)])
def test_demo_in_tmux(size):
    session = "smoke"
    start(session, size)
    try:
        wait_for(session, "3.12.7")
        screen = wait_for(session, "Quit")
        assert "1 Summary" in screen
        tmux("send-keys", "-t", session, "2")
        wait_for(session, "python/")
        tmux("send-keys", "-t", session, "3")
        wait_for(session, "binaries", "dependency graph")
        tmux("send-keys", "-t", session, "q")
        wait_for(session, "EXITED 0")
    finally:
        tmux("kill-server")


@pytest.mark.parametrize("keys", ["/sql", "/ssl", "fssl", "/qqq"])
def test_keys_in_one_burst_go_to_the_input(keys):
    session = "burst"
    start(session, (100, 30))
    try:
        wait_for(session, "3.12.7")
        tmux("send-keys", "-t", session, "2")
        wait_for(session, "python/")
        time.sleep(0.5)
        tmux("send-keys", "-t", session, keys)  # one write: the keys arrive together
        time.sleep(1.5)
        screen = tmux("capture-pane", "-p", "-t", session)
        assert "EXITED" not in screen and "Save " not in screen, screen
        assert keys[1:] in screen  # typed into the box
        tmux("send-keys", "-t", session, "Escape")
        time.sleep(0.3)
        tmux("send-keys", "-t", session, "q")
        wait_for(session, "EXITED 0")
    finally:
        tmux("kill-server")


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGHUP])
def test_signal_restores_the_terminal(sig):
    session = "signal"
    start(session, (100, 30))
    try:
        wait_for(session, "3.12.7")
        assert pane_flag(session, "alternate_on") == "1"
        shell = tmux("display-message", "-p", "-t", session, "#{pane_pid}").strip()
        children = subprocess.run(["pgrep", "-P", shell], capture_output=True, text=True).stdout.split()
        os.kill(int(children[0]), sig)  # the app: the shell's one child while it runs
        wait_for(session, f"EXITED {128 + sig}", timeout=15)
        assert pane_flag(session, "alternate_on") == "0"
        assert pane_flag(session, "mouse_any_flag") == "0"
        assert pane_flag(session, "cursor_flag") == "1"
    finally:
        tmux("kill-server")


@pytest.mark.skipif(not DISTRIBUTIONS.is_dir(), reason="no real archives in ../shared/distributions")
def test_real_archive_search_burst_and_quit():
    archive = sorted(DISTRIBUTIONS.glob("*linux*.tar.zst"))[0]
    session = "real"
    start(session, (80, 24), str(archive))
    try:
        wait_for(session, "Python", timeout=120)
        tmux("send-keys", "-t", session, "2/ssl.py", "Enter")  # the pane switch and the search in one burst
        screen = wait_for(session, "ssl.py  ")
        assert "EXITED" not in screen
        tmux("send-keys", "-t", session, "q")
        wait_for(session, "EXITED 0")
    finally:
        tmux("kill-server")


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
