"""``distscope extract ARCHIVE [MEMBER...] -C DIR [--force]``: safe extraction in one pass."""

from __future__ import annotations

import argparse
import sys
import time

from distscope.tui.archive.extract import extract
from distscope.tui.errors import EXIT_BAD_INPUT, EXIT_FINDINGS, EXIT_OK, complain
from distscope.tui.safetext import visible

_BAR = 30
_DELAY = 0.5  # seconds before a progress bar appears


class _ProgressBar:
    """A one-line progress bar on stderr, only on a terminal and only for long runs."""

    def __init__(self) -> None:
        self.enabled = sys.stderr.isatty()
        self.start = time.monotonic()
        self.shown = False

    def __call__(self, done: int, total: int, members: int) -> None:
        if not self.enabled or time.monotonic() - self.start < _DELAY:
            return
        fraction = min(done / total, 1.0) if total else 1.0
        filled = int(fraction * _BAR)
        sys.stderr.write(f"\rextracting [{'#' * filled}{' ' * (_BAR - filled)}] {fraction:4.0%}  {members:,} members")
        sys.stderr.flush()
        self.shown = True

    def clear(self) -> None:
        if self.shown:
            sys.stderr.write("\r\x1b[K")
            sys.stderr.flush()


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "extract", help="extract the archive, or some members or folders, safely",
        description="Extract in one streaming pass. Unsafe members (absolute names, '..', links leading "
                    "outside DIR, writes through links, devices) and existing files (without --force) are "
                    "refused, one line each on stderr; the rest is extracted. Exit 0: all extracted; "
                    "1: some refused; 2: bad input, a member not in the archive, or a damaged archive.")
    p.add_argument("archive")
    p.add_argument("members", nargs="*", metavar="MEMBER", help="member paths or folders (default: all)")
    p.add_argument("-C", "--directory", required=True, metavar="DIR", help="destination folder (created if needed)")
    p.add_argument("--force", action="store_true", help="replace existing files and links (never through them)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    bar = _ProgressBar()
    try:
        report = extract(args.archive, args.directory, args.members, force=args.force, on_progress=bar)
    finally:
        bar.clear()
    for name, reason in report.refused:
        complain(f"refused {name}: {reason}")
    for path in report.not_found:
        complain(f"{path}: not in the archive")
    print(f"extracted {report.extracted:,} members ({report.bytes:,} bytes) into {visible(args.directory)}"
          + (f", refused {len(report.refused):,}" if report.refused else ""), file=sys.stderr)
    if report.trailing:
        complain(f"note: {report.trailing}")
    if report.error:
        complain(report.error)
        return EXIT_BAD_INPUT
    if report.not_found:
        return EXIT_BAD_INPUT
    return EXIT_FINDINGS if report.refused else EXIT_OK
