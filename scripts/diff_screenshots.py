"""Write SVG screenshots of the app's Diff screen into screenshots/: the macOS 3.12 archive
against the Linux 3.13 one from ../shared/distributions (skipped when they are absent).

    python scripts/diff_screenshots.py [--size 100x30] [--out screenshots]
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DISTRIBUTIONS = ROOT.parent / "shared" / "distributions"
OLD = DISTRIBUTIONS / "pbs-macos-x86_64-cp312-install_only.tar.zst"
NEW = DISTRIBUTIONS / "pbs-linux-x86_64-gnu-cp313-install_only.tar.zst"
#: (file stem, tab key)
SHOTS = [("summary", "1"), ("components", "3"), ("requirements", "4"), ("members", "7")]


async def shoot(out: Path, size: tuple[int, int]) -> None:
    from distscope.tui.app import DistscopeApp
    from distscope.widgets.diff import DiffScreen

    for stem, key in SHOTS:
        app = DistscopeApp(str(NEW), compare_with=str(OLD))
        async with app.run_test(size=size) as pilot:
            for _ in range(1500):
                await pilot.pause(0.02)
                if isinstance(app.screen, DiffScreen) and app.screen.diff is not None:
                    break
            await pilot.press(key)
            await pilot.pause(0.2)
            path = app.save_screenshot(filename=f"diff-{stem}.svg", path=str(out))
            print(path)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="100x30")
    parser.add_argument("--out", default=str(ROOT / "screenshots"))
    args = parser.parse_args()
    if not (OLD.is_file() and NEW.is_file()):
        print("the real archives are not in ../shared/distributions: nothing to do", file=sys.stderr)
        return 0
    width, height = (int(n) for n in args.size.split("x"))
    import os

    os.environ.setdefault("DISTSCOPE_CACHE_DIR", tempfile.mkdtemp(prefix="distscope-shots-"))
    asyncio.run(shoot(Path(args.out), (width, height)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
