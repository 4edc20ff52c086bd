"""The plug-in protocol: how an analyser rides the single streaming pass (the archive layer owns
it; the analysers, above, implement it).

For every file member the scanner calls :meth:`Analyser.want` with the member and the first
:data:`HEAD_SIZE` bytes of its content. An analyser that needs more returns how many bytes it wants
(``ALL`` for the whole member); the scanner buffers that much (capped by ``MAX_MEMBER_BUFFER``) and
later calls :meth:`Analyser.feed` with it, on one background thread, in archive order, so feeds
overlap decompression. An analyser that needs only the head does its work in ``want`` and returns 0.
An analyser interested in only some members may say so up front (:class:`Interest`); the scanner
then calls its ``want`` only for members that match, saving a Python call per member. The scanner
classifies every file member (``member.kind``, see :mod:`distscope.tui.archive.classify`) before ``want``.
An analyser with ``segments = True`` gets large content as :class:`~distscope.tui.archive.segments.Segments`
(read by range, never joined whole). An analyser that needs to look at every member (counts,
name checks) does it in :meth:`observe`, which the pass calls with slices of the members while
it waits for data. After the pass, :meth:`finish` gets the complete index, and :meth:`result`
returns its finding as a model object (:mod:`distscope.tui.model`), which the cache stores as
plain data through the model's codec.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, NamedTuple

if TYPE_CHECKING:
    from distscope.tui.archive.index import ArchiveIndex
    from distscope.tui.archive.members import Member

HEAD_SIZE = 4096
ALL = 1 << 62
#: No single member is buffered beyond this (libpython is 25-40 MB; the biggest PE/ELF well below).
MAX_MEMBER_BUFFER = 256 << 20


class Interest(NamedTuple):
    """Which file members an analyser's ``want`` must see: those whose content kind (as
    :func:`distscope.tui.archive.classify.classify` gives it) is in ``kinds``, whose head starts with one
    of ``heads``, whose normalized path ends with one of ``suffixes`` or holds one of
    ``contains`` (case-sensitive), or whose lower-cased path holds one of ``contains_folded``.
    It is a pre-filter: it may let through more than ``want`` takes, never less. (Only
    C-level tests: a regular expression per member costs more than the ``want`` call it saves.)
    ``Interest()`` matches nothing: an analyser that works from the finished index alone."""

    kinds: frozenset[str] = frozenset()
    heads: tuple[bytes, ...] = ()
    suffixes: tuple[str, ...] = ()
    contains: tuple[str, ...] = ()
    contains_folded: tuple[str, ...] = ()


class Analyser:
    """Base class: subclasses set ``name`` and ``version`` and override what they need."""

    name = "analyser"
    #: Bump when the result format changes; cached results of another version are recomputed.
    version = 1
    #: None: ``want`` sees every file member. An :class:`Interest`: only the members it matches.
    interest: Interest | None = None
    #: True: ``feed`` gets :class:`~distscope.tui.archive.segments.Segments` (the content as it arrived,
    #: read by range) instead of one ``bytes``, so that a large member is never joined for it.
    segments = False

    def want(self, member: "Member", head: bytes) -> int:
        """Bytes of ``member`` wanted for :meth:`feed` (0: none, ALL: the whole member)."""
        return 0

    def feed(self, member: "Member", data: bytes, complete: bool) -> None:
        """Content of a wanted member (Segments when :attr:`segments` is set); ``complete`` is
        False when it was cut by the cap or the archive ended early."""

    def observe(self, members: list["Member"]) -> None:
        """Members of the archive, every one once, in order, in slices (on the pass's thread,
        while it waits for data, and the rest before :meth:`finish`): for work over all the
        members that would otherwise be done after the pass. Optional."""

    def finish(self, index: "ArchiveIndex") -> None:
        """Called once after the pass, with the whole index."""

    def result(self) -> Any:
        """The analyser's result: a model object (a dataclass of :mod:`distscope.tui.model`)."""
        return None
