"""Text snapshots of the main panes on the (deterministic) demo distribution at 100x30.

The screens are compared as plain text, so colours and themes do not matter. After an intended
change, regenerate with ``DISTSCOPE_UPDATE_SNAPSHOTS=1 python -m pytest tests/test_app_snapshots.py``
and review the diff of ``tests/snapshots/``.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.apptools import screen_text, settle, text_of
from distscope.tui.app import DistscopeApp
from distscope.tui.demo import build_demo
from distscope.widgets.files import FilesPane

SNAPSHOTS = Path(__file__).resolve().parent / "snapshots"

#: (name, key, member to select in Files). Requirements is left out: it says whether the
#: distribution runs on the machine running the tests.
SHOTS = [
    ("summary", "1", None),
    ("files", "2", "python/install/lib/python3.12/os.py"),
    ("files-binary", "2", "python/install/bin/python3.12"),
    ("dependencies", "3", None),
    ("licences", "5", None),
    ("help", "f1", None),
]


@pytest.mark.parametrize("name,key,member", SHOTS, ids=[s[0] for s in SHOTS])
async def test_pane_snapshot(tmp_path, name, key, member):
    demo = build_demo(tmp_path / "demo.tar.zst")
    app = DistscopeApp(demo, title="demo")
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot, app, lambda: app.report is not None)
        await pilot.press(key)
        await pilot.pause()
        if member:
            app.query_one(FilesPane).select_path(member)
            await settle(pilot, app, lambda: app.query_one("#viewer").border_title not in ("folder", "viewer"))
        await settle(pilot, app, lambda: not any(w.is_running for w in app.workers if w.group != "index"))
        await settle(pilot, app, lambda: not text_of(app.query_one("#status-work")))  # (polled twice a second)
        text = "\n".join(line.rstrip() for line in screen_text(app).splitlines()) + "\n"
    path = SNAPSHOTS / f"{name}.txt"
    if os.environ.get("DISTSCOPE_UPDATE_SNAPSHOTS"):
        path.parent.mkdir(exist_ok=True)
        path.write_text(text)
    assert path.exists(), f"{path} is missing; make it with DISTSCOPE_UPDATE_SNAPSHOTS=1 and review it"
    assert text == path.read_text(), (
        f"{name} pane differs from {path}; if intended, rerun with DISTSCOPE_UPDATE_SNAPSHOTS=1")
