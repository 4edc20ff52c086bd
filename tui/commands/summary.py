"""``distscope ARCHIVE`` before the app exists: print the index summary."""

from __future__ import annotations

import argparse
import sys

from distscope.tui.safetext import visible
from distscope.tui.errors import EXIT_BAD_INPUT, EXIT_OK, complain
from distscope.tui.session import open_index


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("summary", help="print a one-screen summary of the archive index")
    p.add_argument("archive")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    index = open_index(args.archive, verify=args.verify, use_cache=not args.no_cache, keep_small=False)
    counts = index.counts()
    print(f"{visible(index.path)}: {index.compression}, {counts['members']:,} members "
          f"({counts['files']:,} files, {counts['directories']:,} directories, "
          f"{counts['symlinks']:,} symlinks, {counts['hardlinks']:,} hardlinks), "
          f"{index.uncompressed_bytes:,} bytes uncompressed")
    if index.trailing:
        complain(f"note: {index.trailing}")
    if index.error:
        complain(index.error)
        return EXIT_BAD_INPUT
    return EXIT_OK
