"""``distscope cat ARCHIVE MEMBER``: a member's bytes to standard output."""

from __future__ import annotations

import argparse
import sys

from distscope.tui.archive.copies import copies_dir, estimated_size
from distscope.tui.archive.reader import MemberReader
from distscope.tui.errors import EXIT_BAD_INPUT, EXIT_OK, DistscopeError, MemberNotFound
from distscope.tui.session import open_index

_EPILOG = """\
A member stored under exactly MEMBER is printed as it is; otherwise links on the way are followed
inside the archive (links leading out of it are refused).

gzip, xz, bzip2 and single-frame zstd archives are checked against their checksums, which sit at
the end: for a damaged archive the bytes are still written, then a warning says they could not be
verified and the exit status is 2.

The first read of a single-frame archive also writes a seekable copy of it (zstd frames, roughly a
third of the tar's size) in the cache folder, so that later reads are instant; on a terminal one
line on stderr says so. DISTSCOPE_COPY_BUDGET (bytes, default 4 GiB) caps the copies together: the
least recently used are deleted, and no copy is made when it alone would not fit (0: never).
--no-cache skips the copy. DISTSCOPE_CACHE_DIR moves the cache folder."""


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("cat", help="write a member's bytes to standard output (follows links)",
                       epilog=_EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("archive")
    p.add_argument("member", help="member path, e.g. python/PYTHON.json")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    use_cache = not args.no_cache
    index = open_index(args.archive, verify=args.verify, use_cache=use_cache)
    reader = MemberReader(index, use_cache=use_cache, verify=True)
    try:
        reader.member(args.member)
    except MemberNotFound as exc:
        if index.error:
            raise DistscopeError(f"{exc.message}; the archive is damaged, only members before the damage "
                                 f"are known ({index.error})") from None
        raise
    out = sys.stdout.buffer
    try:
        for chunk in reader.iter_chunks(args.member):  # big members never sit whole in memory
            out.write(chunk)
        out.flush()
        if use_cache:
            # Finish (or make) the seekable copy, so that the next read of this archive is instant.
            reader.prepare()
            builder = reader.copy_builder
            if builder is not None and not builder.error and sys.stderr.isatty():
                print(f"distscope: building a seekable copy for fast reads "
                      f"({estimated_size(index) / 1e6:,.0f} MB in {copies_dir()}; --no-cache skips)",
                      file=sys.stderr, flush=True)
            reader.wait_copy()
        damage = reader.verify()
    finally:
        reader.close()
    if damage:
        print(f"distscope: warning: the archive is damaged ({damage}); these bytes could not be verified",
              file=sys.stderr)
        return EXIT_BAD_INPUT
    return EXIT_OK
