"""``distscope cat ARCHIVE MEMBER``: a member's bytes to standard output."""

from __future__ import annotations

import argparse
import sys

from tui.archive.reader import MemberReader
from tui.errors import EXIT_OK, DistscopeError, MemberNotFound
from tui.session import open_index


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("cat", help="write a member's bytes to standard output (follows links)")
    p.add_argument("archive")
    p.add_argument("member", help="member path, e.g. python/PYTHON.json")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    use_cache = not args.no_cache
    index = open_index(args.archive, use_cache=use_cache)
    reader = MemberReader(index, use_cache=use_cache)
    try:
        reader.member(args.member)
    except MemberNotFound as exc:
        if index.error:
            raise DistscopeError(f"{exc.message}; the archive is damaged, only members before the damage "
                                 f"are known ({index.error})") from None
        raise
    out = sys.stdout.buffer
    for chunk in reader.iter_chunks(args.member):  # big members never sit whole in memory
        out.write(chunk)
    out.flush()
    if use_cache:
        # Finish (or make) the seekable copy, so that the next read of this archive is instant.
        reader.prepare()
        reader.wait_copy()
    reader.close()
    return EXIT_OK
