"""A hand-written, streaming tar header parser (ustar, GNU L/K/S, pax x/g, base-256, V7).

Names come out exactly as stored (what ``tar -t`` prints); the parser never trusts a size or
length field further than the stream backs it, and reports damage as :class:`TarFormatError`
(or :class:`TruncatedError`) carrying the offset in the decompressed stream.
"""

from __future__ import annotations

import struct
from typing import Callable, Iterator, Protocol
from zlib import adler32

from distscope.tui.archive.members import DIRECTORY, FILE, HARDLINK, OTHER, SYMLINK, Member, normalize

BLOCK = 512
CHUNK = 1 << 20
#: Bytes joined beyond what a read straddling two chunks needs (see :class:`StreamBuffer`).
_BRIDGE = 64 << 10
#: Largest GNU long name / pax header accepted; anything bigger is treated as corrupt.
MAX_EXTENDED = 8 << 20
#: Decompressed bytes read after the end-of-archive marker: tar's record padding (GNU tar: up
#: to 10 KiB; big blocking factors: up to 1 MiB). More is trailing data, noted and not read.
TRAILER_LIMIT = 1 << 20
#: GNU sparse extension blocks accepted after one header (each maps 21 regions).
MAX_SPARSE_BLOCKS = 4096

ZERO_BLOCK = bytes(BLOCK)
_HEADER = struct.Struct("100s8s8s8s12s12s8sc100s6s2s32s32s8s8s155s12x")
_TYPES = {"0": FILE, "\x00": FILE, "7": FILE, "5": DIRECTORY, "D": DIRECTORY, "2": SYMLINK, "1": HARDLINK}
#: Types whose header carries no data (tarfile's SUPPORTED_TYPES minus the data-bearing ones).
_NO_DATA = frozenset("123456")
_PAX_HEADERS = frozenset("xX")
_new_member = tuple.__new__  # Member(...) without the Python-level __new__: the hot path


class TarFormatError(Exception):
    """The tar stream is malformed at ``offset``."""

    def __init__(self, message: str, offset: int) -> None:
        super().__init__(message)
        self.offset = offset


class TruncatedError(TarFormatError):
    """The tar stream ended early."""


class Readable(Protocol):
    """A binary stream read front to back: a file, or a gzip/bz2/lzma/zstd reader over one."""

    def read(self, size: int = -1, /) -> bytes: ...


#: A piece of a member's data: the stream's buffer itself, or a view of it (never a copy).
Piece = bytes | memoryview


class StreamBuffer:
    """Sequential reads over a decompressed stream, tracking the stream offset.

    ``stream`` is a binary file-like object; if it has ``next_chunk()`` (see
    :class:`~distscope.tui.archive.compression.ThreadedReader`) whole chunks are taken from it without
    copying. A read that straddles two chunks joins only the bytes it needs: the rest of the
    new chunk is kept aside (``_carry``) and served, uncopied, once the joined bytes are used up.
    """

    def __init__(self, stream: Readable) -> None:
        self.stream = stream
        self._next: Callable[[], bytes] = getattr(stream, "next_chunk", None) or (lambda: stream.read(CHUNK))
        self.buf = b""
        self.pos = 0
        self.base = 0  # stream offset of buf[0]
        self.eof = False
        self._carry: tuple[bytes, int] | None = None  # (chunk, start): stream data after ``buf``

    @property
    def offset(self) -> int:
        return self.base + self.pos

    def _chunk(self) -> bytes:
        if self.eof:
            return b""
        chunk = self._next()
        if not chunk:
            self.eof = True
        return chunk

    def _following(self) -> tuple[bytes, int]:
        """The stream data after ``buf``, as (chunk, start); may raise (state unchanged)."""
        if self._carry is not None:
            carry, self._carry = self._carry, None
            return carry
        return self._chunk(), 0

    def _advance(self) -> int:
        """Replace the (used up) buffer by the data that follows it; its length, 0 at the end."""
        chunk, start = self._following()
        self.base += len(self.buf) - start
        self.buf, self.pos = chunk, start
        return len(chunk) - start

    def fill(self, n: int) -> bool:
        """Make ``n`` bytes available at the current position; False at end of stream."""
        avail = len(self.buf) - self.pos
        if avail >= n:
            return True
        parts = [memoryview(self.buf)[self.pos:]] if avail else []
        self.base += self.pos
        self.pos = 0
        while avail < n:
            try:
                chunk, start = self._following()
            except BaseException:
                self.buf = b"".join(parts)
                raise
            piece = memoryview(chunk)[start:]
            if not piece:
                self.buf = b"".join(parts)
                return False
            take = n - avail + _BRIDGE
            if len(piece) > take + _BRIDGE:  # join a little, keep the rest of a big chunk as it is
                self._carry = (chunk, start + take)
                piece = piece[:take]
            parts.append(piece)
            avail += len(piece)
        self.buf = b"".join(parts)
        return True

    def peek(self, n: int) -> bytes:
        self.fill(n)
        return self.buf[self.pos:self.pos + n]

    def take(self, n: int) -> bytes:
        if not self.fill(n):
            missing = n - (len(self.buf) - self.pos)
            raise TruncatedError(f"archive is truncated ({missing:,} more bytes expected)", self.offset)
        data = self.buf[self.pos:self.pos + n]
        self.pos += n
        return data

    def chunks(self, n: int) -> Iterator[Piece]:
        """Yield the next ``n`` bytes in pieces (without joining them): the buffer itself or
        memoryviews of it, never copies."""
        while n > 0:
            if self.pos >= len(self.buf) and not self._advance():
                raise TruncatedError(f"archive is truncated ({n:,} more bytes expected)", self.offset)
            # A view, not a copy: the caller joins the pieces (one copy instead of two).
            piece = memoryview(self.buf)[self.pos:self.pos + n] if self.pos or n < len(self.buf) else self.buf
            self.pos += len(piece)
            n -= len(piece)
            yield piece

    def drain(self, limit: int) -> tuple[int, bool, bool]:
        """Consume up to ``limit`` bytes: (bytes consumed, all of them zero, end of stream reached)."""
        seen, zero = 0, True
        while True:
            if self.pos >= len(self.buf) and not self._advance():
                return seen, zero, True
            if seen >= limit:
                return seen, zero, False
            piece = bytes(memoryview(self.buf)[self.pos:self.pos + limit - seen])
            if zero and piece.count(0) != len(piece):
                zero = False
            self.pos += len(piece)
            seen += len(piece)

    def skip(self, n: int) -> None:
        avail = len(self.buf) - self.pos
        while n > avail:
            n -= avail
            avail = self._advance()  # (may raise: leave the offset where the good data ends)
            if not avail:
                raise TruncatedError(f"archive is truncated ({n:,} more bytes expected)", self.base + self.pos)
        self.pos += n


# -- fields ------------------------------------------------------------------------------------
def parse_number(field: bytes) -> int:
    """A tar numeric field: octal (NUL/space padded) or GNU base-256. Raises ValueError."""
    if field and field[0] & 0x80:
        value = int.from_bytes(field[1:], "big")
        if field[0] == 0xFF:  # negative base-256
            value -= 1 << (8 * (len(field) - 1))
        else:
            value += (field[0] & 0x3F) << (8 * (len(field) - 1))
        return value
    text = field.split(b"\x00", 1)[0].strip()
    if text and not text.isdigit():
        raise ValueError(f"not an octal number: {text[:20]!r}")
    return int(text, 8) if text else 0


def _number(field: bytes) -> int:
    """Fast path of :func:`parse_number` for the usual zero-padded octal."""
    text = field.rstrip(b"\x00 ")
    if text.isdigit():
        return int(text, 8)
    return parse_number(field)


#: Parsed mode/uid/gid/mtime fields: archives repeat a handful of values.
_NUMBERS: dict[bytes, int] = {}


def _cached_number(field: bytes) -> int:
    value = _number(field)
    if len(_NUMBERS) < 8192:
        _NUMBERS[field] = value
    return value


#: Parsed checksum fields of good headers (the fast path in :meth:`TarReader.__next__`).
_CHECKSUMS: dict[bytes, int] = {}


def checksum_ok(block: bytes) -> bool:
    """The header checksum matches (unsigned, or signed as some old tars computed it)."""
    try:
        stored = _number(block[148:156])
    except ValueError:
        return False
    # adler32's low half is 1 + the byte sum, exact for 256 bytes (<= 65280 < 65521).
    total = (adler32(block[:256]) & 0xFFFF) + (adler32(block[256:]) & 0xFFFF) - 2
    unsigned = total - sum(block[148:156]) + 256
    if stored == unsigned:
        return True
    if block[148:156].strip(b"\x00 ") == b"":
        return False
    high = sum(1 for b in block[:148] if b & 0x80) + sum(1 for b in block[156:] if b & 0x80)
    return bool(high) and stored == unsigned - 256 * high


_NAMES: dict[bytes, str] = {}


def _text(field: bytes) -> str:
    return field.split(b"\x00", 1)[0].decode("utf-8", "surrogateescape")


def _owner(field: bytes) -> str:
    """uname/gname, interned: archives repeat a handful of them."""
    name = _NAMES.get(field)
    if name is None:
        name = _text(field)
        if len(_NAMES) < 1024:
            _NAMES[field] = name
    return name


def parse_pax(data: bytes, offset: int) -> dict[str, str]:
    """Parse pax ``"%d %s=%s\\n"`` records."""
    records: dict[str, str] = {}
    pos = 0
    while pos < len(data):
        if data[pos] == 0:  # trailing padding
            break
        space = data.find(b" ", pos, pos + 24)
        if space < 0:
            raise TarFormatError("malformed pax record", offset)
        digits = data[pos:space]
        if not digits.isdigit():
            raise TarFormatError("malformed pax record length", offset)
        length = int(digits)
        if length <= space - pos or pos + length > len(data) or data[pos + length - 1] != 0x0A:
            raise TarFormatError("pax record length out of range", offset)
        record = data[space + 1:pos + length - 1]
        key, sep, value = record.partition(b"=")
        if not sep:
            raise TarFormatError("pax record without '='", offset)
        records[key.decode("utf-8", "surrogateescape")] = value.decode("utf-8", "surrogateescape")
        pos += length
    return records


def _pax_int(value: str, offset: int, what: str) -> int:
    try:
        return int(value) if value.isdigit() else int(float(value))
    except (ValueError, OverflowError):
        raise TarFormatError(f"bad pax {what} {value[:40]!r}", offset) from None


# -- the reader --------------------------------------------------------------------------------
class TarReader:
    """Iterate members of a tar stream. After each member, the caller may consume its data
    with :meth:`read_data`, :meth:`data_chunks` or :meth:`peek_data`; the rest is skipped on
    the next iteration.

    With ``heads``, :attr:`head` holds each file member's first ``head_size`` bytes as it is
    read; with ``classify`` as well (a function of those bytes and the path), the member gets its
    content class in ``kind``."""

    def __init__(self, stream: Readable, classify: Callable[[bytes, str], str] | None = None,
                 head_size: int = 4096, heads: bool | None = None) -> None:
        self.buf = StreamBuffer(stream)
        self.classify = classify
        self.heads = classify is not None if heads is None else heads
        self.head_size = head_size
        self.head = b""
        self.global_pax: dict[str, str] = {}
        self.ended = False  # saw the end-of-archive marker
        self._pending = 0  # data + padding of the current member not yet consumed
        self._data_left = 0  # data of the current member not yet consumed

    @staticmethod
    def _padded(size: int) -> int:
        return (size + BLOCK - 1) // BLOCK * BLOCK

    def _extended(self, size: int, offset: int, what: str) -> bytes:
        if size > MAX_EXTENDED:
            raise TarFormatError(f"{what} of {size:,} bytes is too large", offset)
        data = self.buf.take(size)
        self.buf.skip(self._padded(size) - size)
        return data

    def __iter__(self) -> Iterator[Member]:
        return self

    def _block(self, first_header: int) -> bytes:
        buf = self.buf
        pos = buf.pos
        if pos + BLOCK <= len(buf.buf):
            buf.pos = pos + BLOCK
            return buf.buf[pos:pos + BLOCK]
        offset = buf.offset
        if not buf.fill(BLOCK):
            if offset == first_header and buf.pos >= len(buf.buf):
                raise TruncatedError("archive ends without an end-of-archive marker (truncated?)", offset)
            raise TruncatedError("archive is truncated inside a tar header", offset)
        return buf.take(BLOCK)

    def __next__(self) -> Member:
        buf = self.buf
        pending = self._pending
        if pending:  # skip the rest of the last member (what remains of its data and padding)
            self._pending = self._data_left = 0
            if buf.pos + pending <= len(buf.buf):
                buf.pos += pending
            else:
                buf.skip(pending)
        if self.ended:
            raise StopIteration
        pax: dict[str, str] | None = None
        long_name = long_link = None
        first_header = buf.base + buf.pos
        while True:
            pos = buf.pos
            if pos + BLOCK <= len(buf.buf):  # the usual case: the header is in the buffer
                block = buf.buf[pos:pos + BLOCK]
                buf.pos = pos + BLOCK
            else:
                block = self._block(first_header)
            offset = buf.base + buf.pos - BLOCK
            if block == ZERO_BLOCK:
                if offset != first_header:
                    raise TarFormatError("end-of-archive marker after an extended header", offset)
                self.ended = True
                raise StopIteration
            # The checksum, in short for an ASCII header whose stored value was seen before (the
            # usual case): its byte sum is exact from adler32 (see checksum_ok).
            field = block[148:156]
            stored = _CHECKSUMS.get(field)
            if stored is None or stored != (adler32(block) & 0xFFFF) - (adler32(field) & 0xFFFF) + 256 \
                    or not block.isascii():
                if not checksum_ok(block):
                    raise TarFormatError("bad tar header checksum", offset)
                if len(_CHECKSUMS) < 16384:
                    _CHECKSUMS[field] = _number(field)
            typeflag = chr(block[156])
            digits = block[124:135]
            if block[135] == 0 and digits.isdigit():  # the usual "%011o\0" (_number, inlined)
                size = int(digits, 8)
            else:
                try:
                    size = _number(block[124:136])
                except ValueError:
                    raise TarFormatError("bad size field in tar header", offset) from None
            if size < 0:
                raise TarFormatError("negative member size", offset)
            if typeflag in _TYPES or typeflag in _NO_DATA:
                return self._member(block, typeflag, size, pax, long_name, long_link, first_header, offset)
            if offset - first_header > MAX_EXTENDED:
                raise TarFormatError("extended headers of one member add up to too much", offset)
            if typeflag == "L":
                pos = buf.pos
                padded = (size + BLOCK - 1) // BLOCK * BLOCK
                if size <= MAX_EXTENDED and pos + padded <= len(buf.buf):  # in the buffer: no calls
                    buf.pos = pos + padded
                    long_name = buf.buf[pos:pos + size].split(b"\x00", 1)[0].decode("utf-8", "surrogateescape")
                else:
                    long_name = _text(self._extended(size, offset, "GNU long name"))
            elif typeflag == "K":
                long_link = _text(self._extended(size, offset, "GNU long link"))
            elif typeflag in _PAX_HEADERS:
                records = parse_pax(self._extended(size, offset, "pax header"), offset)
                pax = records if pax is None else {**pax, **records}
            elif typeflag == "g":
                self.global_pax.update(parse_pax(self._extended(size, offset, "pax global header"), offset))
                if sum(len(k) + len(v) for k, v in self.global_pax.items()) > MAX_EXTENDED:
                    raise TarFormatError("pax global headers add up to too much", offset)
            else:
                return self._member(block, typeflag, size, pax, long_name, long_link, first_header, offset)

    def _member(self, block: bytes, typeflag: str, size: int, pax: dict[str, str] | None,
                long_name: str | None, long_link: str | None, header_offset: int, offset: int) -> Member:
        (name_f, mode_f, uid_f, gid_f, _size, mtime_f, _chk, _type, link_f, magic, _version,
         uname_f, gname_f, _major, _minor, prefix_f) = _HEADER.unpack(block)
        cache = _NUMBERS
        try:
            mode = cache.get(mode_f)
            if mode is None:
                mode = _cached_number(mode_f)
            uid = cache.get(uid_f)
            if uid is None:
                uid = _cached_number(uid_f)
            gid = cache.get(gid_f)
            if gid is None:
                gid = _cached_number(gid_f)
            mtime = cache.get(mtime_f)
            if mtime is None:
                mtime = _cached_number(mtime_f)
        except ValueError:
            raise TarFormatError("bad numeric field in tar header", offset) from None
        if long_name is not None:
            name = long_name
        else:
            name = name_f.split(b"\x00", 1)[0].decode("utf-8", "surrogateescape")
            if magic == b"ustar\x00" and prefix_f[0]:  # POSIX ustar (GNU keeps times in that area)
                name = f"{_text(prefix_f)}/{name}"
        linkname = long_link if long_link is not None else (_text(link_f) if link_f[0] else "")
        owners = _NAMES
        uname = owners.get(uname_f)
        if uname is None:
            uname = _owner(uname_f)
        gname = owners.get(gname_f)
        if gname is None:
            gname = _owner(gname_f)
        data_size = size
        kind = _TYPES.get(typeflag, OTHER)
        if typeflag == "\x00" and name.endswith("/"):
            kind = DIRECTORY  # old V7 archives mark directories only by the slash
        fields = {**self.global_pax, **pax} if pax is not None else self.global_pax
        if fields:
            name, linkname, size, data_size, kind, uname, gname, uid, gid, mtime = self._apply_pax(
                fields, offset, name, linkname, size, kind, uname, gname, uid, gid, mtime)
        if typeflag == "S":  # old GNU sparse: the header's size is what is stored
            try:
                size = max(size, _number(block[483:495]))  # the file's real size
            except ValueError:
                raise TarFormatError("bad GNU sparse real size", offset) from None
            self._skip_sparse_extensions(block, offset)
        if typeflag in _NO_DATA or kind == DIRECTORY and typeflag != "D":
            data_size = 0
        if kind not in (SYMLINK, HARDLINK):
            linkname = ""
        path = normalize(name)
        content = ""
        buf = self.buf
        data_offset = buf.base + buf.pos
        if data_size:
            self._data_left = data_size
            self._pending = (data_size + BLOCK - 1) // BLOCK * BLOCK
        if kind == FILE and self.heads:
            head = self.head = buf.peek(min(self.head_size, data_size)) if data_size else b""
            if self.classify is not None:
                try:
                    content = self.classify(head, path)
                except Exception:
                    content = ""
        return _new_member(Member, (name, path, kind, size, mode & 0o7777, mtime, uid, gid, uname, gname,
                                    linkname, header_offset, data_offset, content, typeflag))

    def _apply_pax(self, fields: dict[str, str], offset: int, name: str, linkname: str, size: int, kind: str,
                   uname: str, gname: str, uid: int, gid: int, mtime: int
                   ) -> tuple[str, str, int, int, str, str, str, int, int, int]:
        """Override header fields from pax records (an empty value restores the header's)."""
        get = fields.get
        name = get("path") or name
        linkname = get("linkpath") or linkname
        if get("size"):
            size = _pax_int(fields["size"], offset, "size")
        data_size = size
        if get("uid"):
            uid = _pax_int(fields["uid"], offset, "uid")
        if get("gid"):
            gid = _pax_int(fields["gid"], offset, "gid")
        if get("mtime"):
            mtime = _pax_int(fields["mtime"], offset, "mtime")
        uname = get("uname") or uname
        gname = get("gname") or gname
        if "GNU.sparse.major" in fields or "GNU.sparse.map" in fields or "GNU.sparse.offset" in fields:
            kind = OTHER  # pax sparse: the data is a sparse map + pieces, not the file
            name = get("GNU.sparse.name") or name
            real = get("GNU.sparse.realsize") or get("GNU.sparse.size")
            if real:
                size = _pax_int(real, offset, "sparse size")
        if size < 0 or data_size < 0:
            raise TarFormatError("negative member size in pax header", offset)
        return name, linkname, size, data_size, kind, uname, gname, uid, gid, mtime

    def _skip_sparse_extensions(self, block: bytes, offset: int) -> None:
        """Old GNU sparse members may be followed by extension headers (flag at 482 / 504)."""
        extended = block[482]
        count = 0
        while extended:
            count += 1
            if count > MAX_SPARSE_BLOCKS:
                raise TarFormatError("too many GNU sparse extension headers", offset)
            extended = self.buf.take(BLOCK)[504]

    # -- data of the current member ------------------------------------------------------
    def data_chunks(self, limit: int | None = None) -> Iterator[Piece]:
        """Yield up to ``limit`` bytes of the current member's data."""
        want = self._data_left if limit is None else min(limit, self._data_left)
        for piece in self.buf.chunks(want):
            self._data_left -= len(piece)
            self._pending -= len(piece)
            yield piece

    def read_data(self, limit: int | None = None) -> bytes:
        want = self._data_left if limit is None else min(limit, self._data_left)
        data = self.buf.take(want)
        self._data_left -= want
        self._pending -= want
        return data

    def peek_data(self, n: int) -> bytes:
        """The first bytes of the current member's data, without consuming them."""
        return self.buf.peek(min(n, self._data_left))

    def trailer(self, limit: int) -> str | None:
        """After the end marker: read the padding, at most ``limit`` bytes. None when only zeros
        followed to the end of the stream; else a note on what was left unread."""
        seen, zero, at_end = self.buf.drain(limit)
        if at_end and zero:
            return None
        what = "data" if not zero else "more than " + f"{limit:,} bytes of padding"
        return f"{what} after the end-of-archive marker was not read (as tar -t, it is ignored)"

    @property
    def offset(self) -> int:
        return self.buf.offset
