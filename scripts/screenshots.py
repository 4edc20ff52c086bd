"""Write SVG screenshots of every pane into screenshots/: from the demo distribution, and from
the real archives in ../shared/distributions when they are present.

    python scripts/screenshots.py [--size 100x30] [--out screenshots]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DISTRIBUTIONS = ROOT.parent / "shared" / "distributions"
REAL = {
    "windows": "pbs-windows-x86_64-cp311-full.tar.zst",
    "linux": "pbs-linux-x86_64-gnu-cp313-install_only.tar.zst",
    "macos": "pbs-macos-x86_64-cp312-install_only.tar.zst",
}

#: (file stem, keys to press, member to select in Files or None)
DEMO_SHOTS = [
    ("summary", "1", None),
    ("files", "2", "python/install/lib/python3.12/os.py"),
    ("files-binary", "2", "python/install/bin/python3.12"),
    ("dependencies", "3", None),
    ("requirements", "4", None),
    ("licences", "5", None),
    ("help", "f1", None),
    ("binary", "2", "python/install/bin/python3.12", ("b", "right_square_bracket")),
    ("files-filter", "2", None, ("f", "s", "s", "l")),
]
REAL_SHOTS = {
    "windows": [("summary", "1", None), ("files", "2", "python/install/python.exe"), ("dependencies", "3", None),
                ("requirements", "4", None), ("licences", "5", None),
                ("binary", "2", "python/install/python.exe", ("b", "right_square_bracket"))],
    "linux": [("summary", "1", None), ("files", "2", "python/lib/libpython3.so"), ("dependencies", "3", None),
              ("requirements", "4", None), ("licences", "5", None)],
    "macos": [("summary", "1", None), ("requirements", "4", None)],
}


async def shoot(archive: Path, title: str, shots, out: Path, prefix: str, size: tuple[int, int]) -> list[Path]:
    from distscope.tui.app import DistscopeApp
    from distscope.widgets.files import FilesPane

    app = DistscopeApp(archive, title=title)
    written = []
    async with app.run_test(size=size) as pilot:
        for _ in range(3000):
            await pilot.pause(0.02)
            if app.report is not None or app.error is not None:
                break
        await pilot.pause(0.3)
        for stem, key, member, *more in shots:
            while app.screen is not app.screen_stack[0]:
                app.pop_screen()
            await pilot.press(key)
            await pilot.pause(0.2)
            if member:
                app.query_one(FilesPane).select_path(member)
                for _ in range(100):
                    await pilot.pause(0.05)
                    if app.query_one("#viewer").border_title not in ("folder", "viewer"):
                        break
                await pilot.pause(0.2)
            for extra in (more[0] if more else ()):
                await pilot.press(extra)
                for _ in range(100):  # (the binary view opens when its worker has parsed the file)
                    await pilot.pause(0.05)
                    if not any(w.is_running for w in app.workers if w.group != "index"):
                        break
            await pilot.pause(0.7)
            path = out / f"{prefix}-{stem}.svg"
            app.save_screenshot(filename=path.name, path=str(out))
            written.append(path)
            for _ in range(3):  # close filters and views for the next shot
                await pilot.press("escape")
    return written


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", default="100x30", help="terminal size, COLSxROWS (default 100x30)")
    parser.add_argument("--out", default=str(ROOT / "screenshots"))
    args = parser.parse_args()
    cols, rows = (int(x) for x in args.size.split("x"))
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("DISTSCOPE_CACHE_DIR", tempfile.mkdtemp(prefix="distscope-shots-"))
    from distscope.tui.demo import DEMO_NAME, build_demo

    with tempfile.TemporaryDirectory() as tmp:
        demo = build_demo(Path(tmp) / DEMO_NAME)
        written = asyncio.run(shoot(demo, "demo distribution", DEMO_SHOTS, out, "demo", (cols, rows)))
    for which, name in REAL.items():
        path = DISTRIBUTIONS / name
        if path.is_file():
            written += asyncio.run(shoot(path, name, REAL_SHOTS[which], out, which, (cols, rows)))
    for path in written:
        print(path.relative_to(ROOT) if path.is_relative_to(ROOT) else path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
