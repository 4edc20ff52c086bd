#!/usr/bin/env python3
"""Benchmark the app: time from launch to the first paint and the first tree rows (goal < 0.5 s),
and key response while a large archive is still being indexed. Run by hand, never from the tests::

    python benchmarks/bench_app.py                  # the large archive of bench_index.py (built once)
    python benchmarks/bench_app.py --archive FILE   # any archive

Each measurement runs in a fresh process (headless Textual driver, cold: no cache), so "launch"
includes the interpreter start and every import.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent

CHILD = r"""
import asyncio, json, os, sys, time
sys.path.insert(0, {root!r})
T0 = float(os.environ["BENCH_T0"])
from distscope.tui import gcpause
from distscope.tui.app import DistscopeApp
gcpause.enable()  # (process tuning, as the distscope command switches it on for the app)
marks = {{"import": time.time() - T0}}

class App(DistscopeApp):
    def on_mount(self):
        # (Textual calls DistscopeApp.on_mount after this one by itself: calling it here too
        # would mount everything twice)
        self.call_after_refresh(lambda: marks.setdefault("first_paint", time.time() - T0))
    def on_index_progress(self, message):
        super().on_index_progress(message)
        self._rows()
    def on_index_done(self, message):
        super().on_index_done(message)
        self._rows()
    def _rows(self):
        if len(self.tree_model) and "first_rows" not in marks:
            self.call_after_refresh(lambda: marks.setdefault("first_rows", time.time() - T0))

async def main():
    app = App({archive!r}, use_cache=False)
    async with app.run_test(size=(100, 30)) as pilot:
        while "first_rows" not in marks:
            await pilot.pause(0.005)
        await pilot.press("2")
        await pilot.pause(0.05)
        def busy():  # the report not yet there, or background work (workers, the seekable copy) running
            return (app.report is None or any(w.is_running for w in app.workers)
                    or app.source.copy_progress() is not None)
        while {start!r} == "after" and app.report is None:
            await asyncio.sleep(0.05)
        if {start!r} == "rest":  # (every pane visited once, and its background work done: at rest)
            for key in "5123461":
                app.simulate_key(key)
                await asyncio.sleep(0.2)
                while busy():
                    await asyncio.sleep(0.05)
            await asyncio.sleep(1)
        panes = app.query_one("#panes")
        lat = []
        for i in range({keys}):
            # time from a key (switch pane) arriving to its effect on screen, without the pilot's idle waits
            want = ("summary", "files", "licences", "files")[i % 4]
            refreshed = asyncio.Event()
            start = time.perf_counter()
            app.simulate_key({{"summary": "1", "files": "2", "licences": "5"}}[want])
            while panes.active != want and time.perf_counter() - start < 5:
                await asyncio.sleep(0.0005)
            app.call_after_refresh(refreshed.set)
            await refreshed.wait()
            phase = "indexing" if app.index is None else "after" if busy() else "rest"
            lat.append([time.perf_counter() - start, phase])
            await asyncio.sleep(0.02)
        marks["keys"] = lat
        app.exit()
    print(json.dumps(marks))

asyncio.run(main())
"""


#: The floor: a bare Textual app with the same shell (a line, six tabs) and nothing else.
BARE = r"""
import asyncio, json, os, time
T0 = float(os.environ["BENCH_T0"])
from textual.app import App
from textual.widgets import Static, TabbedContent, TabPane
imported = time.time() - T0

class Bare(App):
    def compose(self):
        yield Static("status")
        with TabbedContent():
            for i in range(6):
                with TabPane(f"{i + 1} pane"):
                    yield Static("")
    def on_mount(self):
        self.call_after_refresh(self.painted)
    def painted(self):
        print(json.dumps({"import": imported, "first_paint": time.time() - T0}))
        self.exit()

async def main():
    async with Bare().run_test(size=(100, 30)) as pilot:
        await pilot.pause(1)

asyncio.run(main())
"""


def run_bare() -> dict:
    env = dict(os.environ, BENCH_T0=repr(time.time()))
    out = subprocess.run([sys.executable, "-c", BARE], env=env, capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def run_child(archive: Path, keys: int, start: str = "indexing") -> dict:
    """Launch marks and key latencies; keys start at once ("indexing"), when the report has
    arrived ("after") or once no background work runs ("rest")."""
    env = dict(os.environ, BENCH_T0=repr(time.time()),
               DISTSCOPE_CACHE_DIR=tempfile.mkdtemp(prefix="distscope-bench-"))
    code = CHILD.format(root=str(ROOT), archive=str(archive), keys=keys, start=start)
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--archive", type=Path, help="archive to open (default: the bench_index.py archive)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--keys", type=int, default=40, help="key presses measured while indexing")
    args = parser.parse_args()
    sys.path.insert(0, str(HERE))
    from bench_index import build_archive, compile_project

    compile_project()
    archive = args.archive
    if archive is None:
        archive = build_archive("interp.tar.zst", ["-3"])
    size = archive.stat().st_size
    print(f"archive: {archive.name}, {size / 1e6:.0f} MB compressed")
    runs = [run_child(archive, args.keys) for _ in range(args.repeat)]
    runs_after = [run_child(archive, args.keys, start) for start in ("after", "rest")]
    best = lambda key: min(r[key] for r in runs)  # noqa: E731
    phases: dict[str, list[float]] = {"indexing": [], "after": [], "rest": []}
    for r in runs + runs_after:
        for k, phase in r["keys"]:
            phases[phase].append(k)
    print("| measurement | result | goal |")
    print("|---|---|---|")
    print(f"| launch to imports done | {best('import'):.2f} s | |")
    print(f"| launch to first paint | {best('first_paint'):.2f} s | < 0.3 s |")
    bare = [run_bare() for _ in range(args.repeat)]
    print(f"| the floor: a bare Textual app with the same shell, launch to imports / first paint | "
          f"{min(b['import'] for b in bare):.2f} / {min(b['first_paint'] for b in bare):.2f} s | |")
    print(f"| launch to first tree rows | {best('first_rows'):.2f} s | < 0.5 s |")
    names = {"indexing": "while indexing",
             "after": "just after indexing (report reaching the panes, licence texts, background work)",
             "rest": "at rest (no background work)"}
    for phase, lat in phases.items():
        if lat:
            p99 = sorted(lat)[min(len(lat) - 1, int(len(lat) * 0.99))]
            print(f"| key to screen (pane switch) {names[phase]}: median / p99 / max of {len(lat)} | "
                  f"{statistics.median(lat) * 1000:.0f} / {p99 * 1000:.0f} / {max(lat) * 1000:.0f} ms "
                  f"| 50 / 100 ms |")

if __name__ == "__main__":
    main()
