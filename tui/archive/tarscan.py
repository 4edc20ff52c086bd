"""A hand-written, streaming tar header parser (ustar, GNU L/K, pax x/g, base-256)."""

from __future__ import annotations

from typing import BinaryIO, Iterator

from tui.archive.compression import checksum_ok
from tui.archive.members import DIRECTORY, FILE, HARDLINK, OTHER, SYMLINK, Member, normalize

BLOCK = 512
CHUNK = 1 << 20
#: Largest GNU long name / pax header accepted; anything bigger is treated as corrupt.
MAX_EXTENDED = 8 << 20

_TYPES = {"0": FILE, "\x00": FILE, "7": FILE, "5": DIRECTORY, "2": SYMLINK, "1": HARDLINK}


class TarFormatError(Exception):
    """The tar stream is malformed at ``offset``."""

    def __init__(self, message: str, offset: int) -> None:
        super().__init__(message)
        self.offset = offset


class TruncatedError(TarFormatError):
    """The tar stream ended early."""


class StreamBuffer:
    """Sequential reads over a decompressed stream, tracking the stream offset."""

    def __init__(self, stream: BinaryIO) -> None:
        self.stream = stream
        self.buf = b""
        self.pos = 0
        self.base = 0  # stream offset of buf[0]

    @property
    def offset(self) -> int:
        return self.base + self.pos

    def _read(self, size: int) -> bytes:
        return self.stream.read(size)

    def fill(self, n: int) -> bool:
        """Make ``n`` bytes available at the current position; False at end of stream."""
        avail = len(self.buf) - self.pos
        if avail >= n:
            return True
        parts = [self.buf[self.pos:]]
        self.base += self.pos
        self.pos = 0
        while avail < n:
            chunk = self._read(max(CHUNK, n - avail))
            if not chunk:
                self.buf = b"".join(parts)
                return False
            parts.append(chunk)
            avail += len(chunk)
        self.buf = b"".join(parts)
        return True

    def peek(self, n: int) -> bytes:
        self.fill(n)
        return self.buf[self.pos:self.pos + n]

    def take(self, n: int) -> bytes:
        if not self.fill(n):
            raise TruncatedError(f"stream ended {n - (len(self.buf) - self.pos):,} bytes early", self.offset)
        data = self.buf[self.pos:self.pos + n]
        self.pos += n
        return data

    def chunks(self, n: int) -> Iterator[bytes]:
        """Yield the next ``n`` bytes in pieces (without joining them)."""
        while n > 0:
            if self.pos >= len(self.buf):
                self.base += len(self.buf)
                self.buf, self.pos = self._read(CHUNK), 0
                if not self.buf:
                    raise TruncatedError(f"stream ended {n:,} bytes early", self.offset)
            piece = self.buf[self.pos:self.pos + n]
            self.pos += len(piece)
            n -= len(piece)
            yield piece

    def skip(self, n: int) -> None:
        avail = len(self.buf) - self.pos
        if n <= avail:
            self.pos += n
            return
        n -= avail
        self.base += len(self.buf)
        self.buf, self.pos = b"", 0
        while n > 0:
            chunk = self._read(min(n, 4 * CHUNK))
            if not chunk:
                raise TruncatedError(f"stream ended {n:,} bytes early", self.base)
            self.base += len(chunk)
            n -= len(chunk)


def parse_number(field: bytes) -> int:
    """A tar numeric field: octal (NUL/space padded) or GNU base-256."""
    if field and field[0] & 0x80:
        value = int.from_bytes(field[1:], "big")
        if field[0] == 0xFF:  # negative base-256
            value -= 1 << (8 * (len(field) - 1))
        else:
            value += (field[0] & 0x3F) << (8 * (len(field) - 1))
        return value
    text = field.split(b"\x00", 1)[0].strip()
    return int(text, 8) if text else 0


def _text(field: bytes) -> str:
    return field.split(b"\x00", 1)[0].decode("utf-8", "surrogateescape")


def parse_pax(data: bytes, offset: int) -> dict[str, str]:
    """Parse pax ``"%d %s=%s\\n"`` records."""
    records: dict[str, str] = {}
    pos = 0
    while pos < len(data):
        if data[pos] == 0:  # trailing padding
            break
        space = data.find(b" ", pos)
        if space < 0:
            raise TarFormatError("malformed pax record", offset)
        try:
            length = int(data[pos:space])
        except ValueError:
            raise TarFormatError("malformed pax record length", offset) from None
        if length <= space - pos or pos + length > len(data):
            raise TarFormatError("pax record length out of range", offset)
        record = data[space + 1:pos + length - 1]
        key, sep, value = record.partition(b"=")
        if not sep:
            raise TarFormatError("pax record without '='", offset)
        records[key.decode("utf-8", "surrogateescape")] = value.decode("utf-8", "surrogateescape")
        pos += length
    return records


def _pax_int(value: str, offset: int) -> int:
    try:
        return int(float(value))
    except ValueError:
        raise TarFormatError(f"bad pax number {value[:40]!r}", offset) from None


class TarReader:
    """Iterate members of a tar stream. After each member, the caller must consume its data
    with :meth:`read_data`, :meth:`data_chunks` or :meth:`skip_data` (or just call next)."""

    def __init__(self, stream: BinaryIO) -> None:
        self.buf = StreamBuffer(stream)
        self.global_pax: dict[str, str] = {}
        self.ended = False  # saw the end-of-archive marker
        self._pending = 0  # data + padding of the current member not yet consumed
        self._data_left = 0  # data of the current member not yet consumed

    def _padded(self, size: int) -> int:
        return (size + BLOCK - 1) // BLOCK * BLOCK

    def _extended(self, size: int, offset: int) -> bytes:
        if size > MAX_EXTENDED:
            raise TarFormatError(f"extended header of {size:,} bytes is too large", offset)
        data = self.buf.take(size)
        self.buf.skip(self._padded(size) - size)
        return data

    def finish_member(self) -> None:
        """Skip what remains of the current member's data and padding."""
        if self._pending:
            pending, self._pending = self._pending, 0
            self.buf.skip(pending)

    def __iter__(self) -> Iterator[Member]:
        return self

    def __next__(self) -> Member:
        self.finish_member()
        if self.ended:
            raise StopIteration
        pax: dict[str, str] = {}
        long_name = long_link = None
        first_header = self.buf.offset
        while True:
            offset = self.buf.offset
            if not self.buf.fill(BLOCK):
                if offset == first_header and not self.buf.peek(1):
                    raise TruncatedError("archive ends without an end-of-archive marker (truncated?)", offset)
                raise TruncatedError("archive is truncated inside a tar header", offset)
            block = self.buf.take(BLOCK)
            if block.count(0) == BLOCK:
                # End-of-archive marker (one or two zero blocks).
                if offset != first_header:
                    raise TarFormatError("end-of-archive marker after an extended header", offset)
                self.ended = True
                raise StopIteration
            if not checksum_ok(block):
                raise TarFormatError("bad tar header checksum", offset)
            typeflag = chr(block[156])
            try:
                size = parse_number(block[124:136])
            except ValueError:
                raise TarFormatError("bad size field in tar header", offset) from None
            if size < 0:
                raise TarFormatError("negative member size", offset)
            if typeflag == "L":
                long_name = _text(self._extended(size, offset))
                continue
            if typeflag == "K":
                long_link = _text(self._extended(size, offset))
                continue
            if typeflag == "x":
                pax.update(parse_pax(self._extended(size, offset), offset))
                continue
            if typeflag == "g":
                self.global_pax.update(parse_pax(self._extended(size, offset), offset))
                continue
            return self._member(block, typeflag, size, pax, long_name, long_link, first_header)

    def _member(self, block: bytes, typeflag: str, size: int, pax: dict[str, str],
                long_name: str | None, long_link: str | None, header_offset: int) -> Member:
        offset = self.buf.offset - BLOCK
        fields = {**self.global_pax, **pax}
        name = _text(block[0:100])
        if block[257:263] == b"ustar\x00":  # POSIX ustar: GNU headers use this area for times
            prefix = _text(block[345:500])
            if prefix:
                name = f"{prefix}/{name}"
        name = fields.get("path", long_name if long_name is not None else name)
        linkname = fields.get("linkpath", long_link if long_link is not None else _text(block[157:257]))
        if "size" in fields:
            size = _pax_int(fields["size"], offset)
        try:
            mode = parse_number(block[100:108])
            uid = _pax_int(fields["uid"], offset) if "uid" in fields else parse_number(block[108:116])
            gid = _pax_int(fields["gid"], offset) if "gid" in fields else parse_number(block[116:124])
            mtime = _pax_int(fields["mtime"], offset) if "mtime" in fields else parse_number(block[136:148])
        except ValueError:
            raise TarFormatError("bad numeric field in tar header", offset) from None
        kind = _TYPES.get(typeflag, OTHER)
        if kind == FILE and typeflag != "7" and name.endswith("/"):
            kind = DIRECTORY  # old V7 archives mark directories only by the slash
        # As tarfile does: regular files and unknown types carry data; links, dirs, devices don't.
        data_size = size if kind == FILE or typeflag not in "123456" else 0
        member = Member(
            name=name, path=normalize(name), type=kind, size=size,
            mode=mode & 0o7777, mtime=mtime, uid=uid, gid=gid,
            uname=fields.get("uname", _text(block[265:297])), gname=fields.get("gname", _text(block[297:329])),
            linkname=linkname if kind in (SYMLINK, HARDLINK) else "",
            header_offset=header_offset, data_offset=self.buf.offset, typeflag=typeflag,
        )
        self._pending = self._padded(data_size)
        self._data_left = data_size
        return member

    # -- data of the current member ------------------------------------------------------
    def data_chunks(self, limit: int | None = None) -> Iterator[bytes]:
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

    @property
    def offset(self) -> int:
        return self.buf.offset
