"""Member content held as the pieces it arrived in, read by range without joining them all.

Wanted content of a large member travels from the pass to the analysers as views of the
stream's decompressed chunks. Joining those views into one ``bytes`` copies every byte (35 MB
of libpython, 200+ MB in a large archive) while holding the interpreter lock, yet a binary
parser reads only its headers and tables: a few kilobytes to a few megabytes. :class:`Segments`
lets it read just those ranges.
"""

from __future__ import annotations

from bisect import bisect_right
from typing import Any, Iterable, Union


class Segments:
    """Consecutive byte pieces (``bytes`` or memoryviews) seen as one read-only sequence."""

    __slots__ = ("_pieces", "_starts", "_size")

    def __init__(self, pieces: Iterable[Any] = ()) -> None:
        self._pieces = [p if type(p) is bytes or type(p) is memoryview else memoryview(p) for p in pieces if len(p)]
        self._starts = []
        size = 0
        for piece in self._pieces:
            self._starts.append(size)
            size += len(piece)
        self._size = size

    def __len__(self) -> int:
        return self._size

    def __repr__(self) -> str:
        return f"<Segments {self._size:,} bytes in {len(self._pieces)} pieces>"

    def read(self, start: int, size: int) -> bytes:
        """The ``size`` bytes from ``start`` (a negative start counts as 0), cut at the end;
        ``b""`` past it."""
        start = max(0, start)
        stop = min(self._size, start + max(0, size))
        if start >= stop:
            return b""
        i = bisect_right(self._starts, start) - 1
        piece, offset = self._pieces[i], start - self._starts[i]
        if stop - self._starts[i] <= len(piece):  # the usual case: inside one piece
            if offset == 0 and stop - start == len(piece) and type(piece) is bytes:
                return piece
            return bytes(piece[offset:offset + stop - start])
        parts = []
        while start < stop:
            piece, offset = self._pieces[i], start - self._starts[i]
            part = piece[offset:offset + stop - start]
            parts.append(part)
            start += len(part)
            i += 1
        return b"".join(parts)

    def sub(self, start: int, size: int) -> "Segments":
        """The range ``[start, start + size)`` (cut at the end) as Segments, without copying."""
        start = max(0, start)
        stop = min(self._size, start + max(0, size))
        out = []
        if start < stop:
            i = bisect_right(self._starts, start) - 1
            while start < stop:
                piece, offset = self._pieces[i], start - self._starts[i]
                part = memoryview(piece)[offset:offset + stop - start]
                out.append(piece if len(part) == len(piece) else part)
                start += len(part)
                i += 1
        return Segments(out)

    def startswith(self, prefix: bytes | tuple[bytes, ...]) -> bool:
        prefixes = prefix if isinstance(prefix, tuple) else (prefix,)
        return self.read(0, max(map(len, prefixes), default=0)).startswith(prefixes)

    def tobytes(self) -> bytes:
        """Everything, joined (one copy; none when it is a single ``bytes`` piece)."""
        return self.read(0, self._size)


ByteSource = Union[bytes, Segments]


def as_segments(data: ByteSource) -> Segments:
    """``data`` as Segments (a ``bytes`` becomes one piece, not copied)."""
    return data if isinstance(data, Segments) else Segments([data])


def as_bytes(data: ByteSource) -> bytes:
    """``data`` as one ``bytes`` (Segments are joined)."""
    return data.tobytes() if isinstance(data, Segments) else data
