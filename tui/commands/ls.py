"""``distscope ls ARCHIVE [--long] [PATTERN...]``: list members as ``tar -t`` / ``tar -tv`` do.

Names are printed exactly as stored, quoted like GNU tar's default (``escape``) style so that
every member is one line. Lines are printed while the archive streams by (or at once from a
fresh cache). PATTERNs are shell globs (``fnmatch``, ``*`` also matches ``/``) tested against
the member's path and each of its parent folders, so ``python/lib`` lists that subtree.
"""

from __future__ import annotations

import argparse
import stat
import sys
import time
from fnmatch import fnmatchcase
from typing import Iterable

from distscope.tui.archive.index import Progress
from distscope.tui.archive.members import HARDLINK, SYMLINK, Member, normalize
from distscope.tui.errors import EXIT_BAD_INPUT, EXIT_OK, complain
from distscope.tui.session import open_index

_ESCAPES = {"\a": "\\a", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t", "\v": "\\v",
            "\\": "\\\\"}
_TYPE_CHARS = {"1": "h", "2": "l", "3": "c", "4": "b", "5": "d", "6": "p", "7": "C", "D": "d",
               "0": "-", "\x00": "-", "S": "-"}
_GLOB_CHARS = frozenset("*?[")


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("ls", help="list the members of an archive, like tar -t",
                       description="List members, one per line, exactly as tar -t names them "
                                   "(--long: like tar -tv). PATTERNs are shell globs matched "
                                   "against each member's path and its parent folders.")
    p.add_argument("archive")
    p.add_argument("patterns", nargs="*", metavar="PATTERN", help="only members matching a glob, or under one")
    p.add_argument("-l", "--long", action="store_true", help="mode, owner/group, size, date, name, link target")
    p.set_defaults(func=run)


# -- formatting ---------------------------------------------------------------------------
def tar_quote(name: str) -> str:
    """Quote a name as GNU tar's default ``escape`` style does (control characters, backslash
    and undecodable bytes become C escapes)."""
    if name.isprintable() and "\\" not in name:
        return name
    out = []
    for ch in name:
        if ch in _ESCAPES:
            out.append(_ESCAPES[ch])
        elif ch.isprintable():
            out.append(ch)
        else:
            out.extend(f"\\{b:03o}" for b in ch.encode("utf-8", "surrogateescape"))
    return "".join(out)


def mode_string(member: Member) -> str:
    """``-rwxr-xr-x`` as ``tar -tv`` prints it (including GNU tar's ``h`` for hard links)."""
    kind = _TYPE_CHARS.get(member.typeflag, "?")
    if kind == "-" and member.name.endswith("/"):
        kind = "d"
    return kind + stat.filemode(member.mode & 0o7777)[1:]


def _date(mtime: int) -> str:
    try:
        return time.strftime("%Y-%m-%d %H:%M", time.localtime(mtime))
    except (OverflowError, OSError, ValueError):
        return str(mtime)


class LongFormatter:
    """``tar -tv`` lines; like GNU tar, the owner/size column widens as wider values appear."""

    def __init__(self) -> None:
        self.width = 19

    def __call__(self, m: Member) -> str:
        user = tar_quote(m.uname) if m.uname else str(m.uid)
        group = tar_quote(m.gname) if m.gname else str(m.gid)
        size = str(m.size)
        pad = len(user) + 1 + len(group) + 1 + len(size)
        self.width = max(self.width, pad)
        line = f"{mode_string(m)} {user}/{group} {size:>{self.width - pad + len(size)}} {_date(m.mtime)} {tar_quote(m.name)}"
        if m.type == SYMLINK:
            line += f" -> {tar_quote(m.linkname)}"
        elif m.type == HARDLINK:
            line += f" link to {tar_quote(m.linkname)}"
        return line


# -- selection ----------------------------------------------------------------------------
class Selector:
    """Which members PATTERNs select; remembers the patterns that matched nothing."""

    def __init__(self, patterns: Iterable[str]) -> None:
        self.patterns = [p for p in patterns]
        self._norm = [normalize(p) or p for p in self.patterns]
        self.unmatched = set(range(len(self.patterns)))

    def __call__(self, member: Member) -> bool:
        if not self.patterns:
            return True
        hit = False
        for i, pattern in enumerate(self._norm):
            if self._matches(member.path, pattern):
                self.unmatched.discard(i)
                hit = True
        return hit

    @staticmethod
    def _matches(path: str, pattern: str) -> bool:
        if _GLOB_CHARS.isdisjoint(pattern):
            return path == pattern or path.startswith(pattern + "/")
        if fnmatchcase(path, pattern):
            return True
        while "/" in path:
            path = path.rsplit("/", 1)[0]
            if fnmatchcase(path, pattern):
                return True
        return False


# -- the command --------------------------------------------------------------------------
def run(args: argparse.Namespace) -> int:
    fmt = LongFormatter() if args.long else (lambda m: tar_quote(m.name))
    select = Selector(args.patterns)
    printed = 0
    out = sys.stdout

    def emit(members: list[Member]) -> None:
        lines = [fmt(m) for m in members if select(m)]
        if lines:
            out.write("\n".join(lines) + "\n")
            out.flush()

    def on_progress(progress: Progress) -> None:
        nonlocal printed
        emit(progress.members)
        printed += len(progress.members)

    index = open_index(args.archive, verify=args.verify, use_cache=not args.no_cache, on_progress=on_progress,
                       keep_small=False)
    if printed < len(index.members):  # members that arrived without a progress batch
        emit(index.members[printed:])
    status = EXIT_OK
    for i in sorted(select.unmatched):
        complain(f"{select.patterns[i]}: not found in archive")
        status = EXIT_BAD_INPUT
    if index.trailing:
        complain(f"note: {index.trailing}")
    if index.error:
        complain(index.error)
        status = EXIT_BAD_INPUT
    return status

