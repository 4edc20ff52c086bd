"""The analyser interface: how analysis rides the single streaming pass.

For every file member the scanner calls :meth:`Analyser.want` with the member and the first
:data:`HEAD_SIZE` bytes of its content. An analyser that needs more returns how many bytes it wants
(``ALL`` for the whole member); the scanner buffers that much (capped by ``MAX_MEMBER_BUFFER``) and
later calls :meth:`Analyser.feed` with it, on one background thread, in archive order, so feeds
overlap decompression. An analyser that needs only the head does its work in ``want`` and returns 0.
After the pass, :meth:`finish` gets the complete index, and :meth:`result` returns plain data
(dicts, lists, str, int, float, bool, None) that the cache stores and the report and app read.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tui.archive.index import ArchiveIndex
    from tui.archive.members import Member

HEAD_SIZE = 4096
ALL = 1 << 62
#: No single member is buffered beyond this (libpython is 25-40 MB; the biggest PE/ELF well below).
MAX_MEMBER_BUFFER = 256 << 20


class Analyser:
    """Base class: subclasses set ``name`` and ``version`` and override what they need."""

    name = "analyser"
    #: Bump when the result format changes; cached results of another version are recomputed.
    version = 1

    def want(self, member: "Member", head: bytes) -> int:
        """Bytes of ``member`` wanted for :meth:`feed` (0: none, ALL: the whole member)."""
        return 0

    def feed(self, member: "Member", data: bytes, complete: bool) -> None:
        """Content of a wanted member; ``complete`` is False when it was cut by the cap
        or the archive ended early."""

    def finish(self, index: "ArchiveIndex") -> None:
        """Called once after the pass, with the whole index."""

    def result(self) -> Any:
        """Plain, serialisable data for the cache and the report."""
        return None
