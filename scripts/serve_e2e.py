"""End-to-end check of `distscope serve` in a real browser: start serve on 127.0.0.1, open the
page in headless Chromium (Debian's chromium, driven by Playwright over CDP), press keys, take a
screenshot, kill the browser abruptly, and check that the session's app process is gone within a
few seconds; then SIGTERM serve and check that it and its children are gone.

    python scripts/serve_e2e.py [--chromium /usr/bin/chromium] [--screenshot out.png]

Exit 0 when every check passes; prints one line per step. Needs the serve extra and playwright
(`pip install playwright`; no browser download: it drives the system chromium).
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port: int, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise SystemExit(f"FAIL: nothing listens on port {port} after {timeout:.0f} s")


def descendants(pid: int) -> set[int]:
    """Process ids below ``pid`` (Linux /proc)."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            ppid = int(stat.rpartition(")")[2].split()[1])
            children.setdefault(ppid, []).append(int(entry))
    out, todo = set(), [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            out.add(child)
            todo.append(child)
    return out


def app_processes(serve_pid: int) -> set[int]:
    """The session apps: descendants of serve running ``distscope.tui open``."""
    found = set()
    for pid in descendants(serve_pid):
        try:
            cmd = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ")
        except OSError:
            continue
        if b"distscope.tui" in cmd and b" open " in cmd and b"/bin/sh" not in cmd:
            found.add(pid)
    return found


def alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rpartition(")")[2].split()[0] != "Z"


def wait_gone(pids: set[int], timeout: float) -> set[int]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and any(alive(p) for p in pids):
        time.sleep(0.2)
    return {p for p in pids if alive(p)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    parser.add_argument("--screenshot", default=None, help="where to save the page screenshot (PNG)")
    parser.add_argument("--archive", default=None, help="archive to serve (default: the demo)")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    port, cdp = free_port(), free_port()
    work = Path(tempfile.mkdtemp(prefix="distscope-e2e-"))
    env = {**os.environ, "DISTSCOPE_CACHE_DIR": str(work / "cache")}
    serve_cmd = [sys.executable, "-m", "distscope.tui", "serve", "--host", "127.0.0.1", "--port", str(port)]
    if args.archive:
        serve_cmd.append(args.archive)
    serve = subprocess.Popen(serve_cmd, env=env, stderr=subprocess.DEVNULL)
    browser_proc = None
    try:
        wait_port(port, 30)
        print(f"ok: serve listens on 127.0.0.1:{port} (pid {serve.pid})")
        browser_proc = subprocess.Popen([args.chromium, *FLAGS, f"--remote-debugging-port={cdp}",
                                         f"--user-data-dir={work / 'profile'}", "about:blank"],
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_port(cdp, 30)
        with sync_playwright() as pw:
            browser = pw.chromium.connect_over_cdp(f"http://127.0.0.1:{cdp}")
            page = browser.contexts[0].new_page()
            page.set_viewport_size({"width": 1200, "height": 800})
            page.goto(f"http://127.0.0.1:{port}/", wait_until="domcontentloaded")
            deadline = time.monotonic() + 60
            while not app_processes(serve.pid) and time.monotonic() < deadline:
                time.sleep(0.2)
            apps = app_processes(serve.pid)
            if not apps:
                raise SystemExit("FAIL: no app process started for the page")
            print(f"ok: the page started its app process {sorted(apps)}")
            time.sleep(4)  # the index and the first paint
            page.mouse.click(600, 400)
            for key in ("2", "ArrowDown", "3", "F1"):
                page.keyboard.press(key)
                time.sleep(0.5)
            page.keyboard.press("Escape")
            time.sleep(1)
            shot = args.screenshot or str(work / "serve.png")
            page.screenshot(path=shot)
            print(f"ok: keys pressed, screenshot {shot}")
            browser_proc.send_signal(signal.SIGKILL)  # the browser goes away without closing the page
            browser_proc.wait(10)
            print("ok: browser killed")
        left = wait_gone(apps, 20)
        if left:
            raise SystemExit(f"FAIL: app process {sorted(left)} still running 20 s after the browser died")
        print("ok: the session's app process is gone")
        serve.send_signal(signal.SIGTERM)
        serve.wait(15)
        print(f"ok: serve stopped on SIGTERM (exit {serve.returncode})")
        return 0
    finally:
        if browser_proc is not None and browser_proc.poll() is None:
            browser_proc.kill()
        if serve.poll() is None:
            serve.kill()


if __name__ == "__main__":
    sys.exit(main())
