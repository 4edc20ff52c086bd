"""The app's member source: one read path for members, the reader's, before and after the index
is complete (no Textual here; the panes see it through :class:`distscope.widgets.common.MemberSource`).

While the pass runs, reads go through a :class:`MemberReader` over the members seen so far
(streaming, no cache); once the index is complete, through the index's own reader (small members,
direct seeks, the seekable copy). Links are resolved by ``ArchiveIndex.resolve_path`` in both
cases, so a link that climbs out of the archive is refused the same way everywhere.
"""

from __future__ import annotations

import os
import threading
from typing import Callable, Iterator

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # (the reader imports the analysis plug-in socket: loaded with the first batch)
    from distscope.tui.archive.index import ArchiveIndex
    from distscope.tui.archive.members import Member
    from distscope.tui.archive.reader import MemberReader

#: ``_readable`` compares a member's end with the bytes the pass read; while it runs that is not
#: known yet, and a stream read past the end says so itself.
_UNKNOWN_END = 1 << 62


class ArchiveSource:
    """Reads members of one archive for the panes; thread-safe (workers call it)."""

    def __init__(self, archive: str | os.PathLike, *, use_cache: bool = True,
                 gate: threading.Event | None = None) -> None:
        self.archive = os.fspath(archive)
        self.use_cache = use_cache
        self.gate = gate  #: passed to the readers: their passes wait while it is clear (a key being answered)
        self._pending: list[Member] = []
        self._partial: ArchiveIndex | None = None
        self._partial_reader: MemberReader | None = None
        self._index: ArchiveIndex | None = None
        self._reader: MemberReader | None = None
        self._lock = threading.Lock()

    # -- feeding --------------------------------------------------------------------------
    def add(self, members: list[Member]) -> None:
        """Members seen by the pass so far (in archive order)."""
        if self._partial is None:
            self._pending.extend(members)
        else:
            self._partial.members.extend(members)

    def _partial_index(self) -> tuple[ArchiveIndex, MemberReader]:
        with self._lock:
            if self._partial is None or self._partial_reader is None:
                from distscope.tui.archive.index import ArchiveIndex
                from distscope.tui.archive.reader import MemberReader

                self._partial = ArchiveIndex(self.archive, compression="unknown", compressed_size=0,
                                             members=self._pending, uncompressed_bytes=_UNKNOWN_END)
                self._partial_reader = MemberReader(self._partial, use_cache=False, gate=self.gate)
            return self._partial, self._partial_reader

    def complete(self, index: ArchiveIndex) -> None:
        """The pass is over: read through the index from now on."""
        from distscope.tui.archive.reader import MemberReader

        with self._lock:
            self._index = index
            self._reader = MemberReader(index, use_cache=self.use_cache, gate=self.gate)

    @property
    def index(self) -> ArchiveIndex:
        """The index reads go through now (the partial one while the pass runs)."""
        return self._index if self._index is not None else self._partial_index()[0]

    @property
    def reader(self) -> MemberReader:
        with self._lock:
            if self._reader is not None:
                return self._reader
        return self._partial_index()[1]

    def copy_progress(self) -> tuple[int, int] | None:
        """``(bytes written, bytes in all)`` of the seekable copy this source is writing into the
        cache (reads of a compressed archive without frames to seek by need one), or None when
        none is being written."""
        with self._lock:
            reader = self._reader
        builder = reader.copy_builder if reader is not None else None
        if builder is None or builder.finished:
            return None
        return builder.available, max(builder.index.uncompressed_bytes, 1)

    # -- the MemberSource protocol -----------------------------------------------------------
    def read(self, path: str, limit: int | None = None) -> bytes:
        """The bytes of member ``path`` (links followed), at most ``limit``."""
        return self.reader.read(path, limit=limit)

    def chunks(self, path: str) -> Iterator[bytes]:
        """The bytes of member ``path`` in pieces, never all in memory."""
        return self.reader.iter_chunks(path)

    def size(self, path: str) -> int:
        """The size of the file ``path`` leads to (links followed)."""
        return self.reader.member(path).size

    def resolve(self, path: str) -> str | None:
        """Where ``path`` ends after following links, or None (a loop, or out of the archive)."""
        return self.index.resolve_path(path)

    def find(self, path: str) -> str | None:
        """Like :meth:`resolve`, but None unless a member is there."""
        final = self.resolve(path)
        return final if final is not None and self.index.get(final) is not None else None

    def extract(self, paths: list[str], dest: str, on_progress: Callable[[int, int, int], None],
                cancel: threading.Event):
        from distscope.tui.archive.extract import extract

        return extract(self.archive, dest, paths, on_progress=on_progress, cancel=cancel)
