#!/usr/bin/env python3
"""Does the cost stay linear in the members? Time per member at x1, x2, x4, x8.

Builds small generated archives (``benchmarks/work/scaling/``, a few MB) in three shapes and
times ``ls``, ``report --format json`` and ``extract`` on each (fresh process, ``--no-cache``),
then prints microseconds per member. Linear code keeps a row flat; a quadratic walk doubles
its figure with each doubling of the members. Run by hand, never from the tests::

    python benchmarks/bench_scaling.py                  # 10,000 .. 80,000 members
    python benchmarks/bench_scaling.py --base 5000 --commands ls report

Shapes:

* ``flat``: every member directly under ``python/`` (what made ``report`` quadratic once);
* ``deep``: members spread over folders 32 levels deep;
* ``linked``: a third files, a third symlinks and a third hard links to them, plus link chains
  (each link to the one before, up to 900 long) and many links to one chain's head.
"""

from __future__ import annotations

import argparse
import io
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

import zstandard

HERE = Path(__file__).resolve().parent
WORK = HERE / "work" / "scaling"
FACTORS = (1, 2, 4, 8)
SHAPES = ("flat", "deep", "linked")
COMMANDS = ("ls", "report", "extract")


def _members(shape: str, n: int):
    """(name, type, linkname) for ``n`` members of ``shape``."""
    if shape == "flat":
        for i in range(n):
            yield f"python/f{i:07}.py", tarfile.REGTYPE, ""
    elif shape == "deep":
        chain = "/".join(f"d{j}" for j in range(32))
        for i in range(n):
            yield f"python/{chain}/s{i % 97}/f{i:07}.py", tarfile.REGTYPE, ""
    else:
        third = n // 3
        for i in range(third):
            yield f"python/lib/f{i:07}.py", tarfile.REGTYPE, ""
        for i in range(third):  # symlinks: chains of up to 900, each link to the one before
            target = f"l{i - 1:07}.py" if i % 900 else f"../lib/f{i:07}.py"
            yield f"python/sym/l{i:07}.py", tarfile.SYMTYPE, target
        for i in range(n - 2 * third):  # hard links: most to the first chain's head
            target = f"python/lib/f{i:07}.py" if i % 2 else "python/lib/f0000000.py"
            yield f"python/hard/h{i:07}.py", tarfile.LNKTYPE, target


def build(shape: str, n: int) -> Path:
    path = WORK / f"{shape}-{n}.tar.zst"
    if path.exists():
        return path
    WORK.mkdir(parents=True, exist_ok=True)
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.GNU_FORMAT) as tar:
        for name, kind, link in _members(shape, n):
            info = tarfile.TarInfo(name)
            info.type, info.linkname, info.mtime, info.mode = kind, link, 1_700_000_000, 0o644
            data = b"x = 1\n" if kind == tarfile.REGTYPE else b""
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data) if data else None)
    tmp = path.with_suffix(".tmp")
    tmp.write_bytes(zstandard.ZstdCompressor(level=3).compress(raw.getvalue()))
    tmp.replace(path)
    return path


def timed(command: str, archive: Path) -> float:
    exe = [sys.executable, "-m", "distscope.tui", "--no-cache"]
    argv = {"ls": ["ls", str(archive)], "report": ["report", "--format", "json", str(archive)]}.get(command)
    with tempfile.TemporaryDirectory(prefix="distscope-scaling-") as tmp:
        if argv is None:
            argv = ["extract", str(archive), "-C", tmp]
        start = time.perf_counter()
        done = subprocess.run(exe + argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        seconds = time.perf_counter() - start
    if done.returncode not in (0, 1):
        raise SystemExit(f"{command} {archive.name}: exit {done.returncode}: {done.stderr.strip()[:200]}")
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base", type=int, default=10_000, help="members at x1 (default 10,000)")
    parser.add_argument("--shapes", nargs="+", default=list(SHAPES), choices=SHAPES)
    parser.add_argument("--commands", nargs="+", default=list(COMMANDS), choices=COMMANDS)
    parser.add_argument("--clean", action="store_true", help="rebuild the archives")
    args = parser.parse_args()
    if args.clean:
        shutil.rmtree(WORK, ignore_errors=True)
    sizes = [args.base * f for f in FACTORS]
    print(f"microseconds per member (total seconds), {os.cpu_count()} CPUs, Python {sys.version.split()[0]}")
    print(f"{'shape':8} {'command':8} " + " ".join(f"{n:>16,}" for n in sizes) + "   x8/x1")
    for shape in args.shapes:
        archives = [build(shape, n) for n in sizes]
        for command in args.commands:
            cells, per = [], []
            for n, archive in zip(sizes, archives):
                seconds = timed(command, archive)
                per.append(seconds / n * 1e6)
                cells.append(f"{per[-1]:7.1f} ({seconds:5.2f})")
            print(f"{shape:8} {command:8} " + " ".join(f"{c:>16}" for c in cells) + f"   {per[-1] / per[0]:5.2f}",
                  flush=True)


if __name__ == "__main__":
    main()
