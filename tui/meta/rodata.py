"""Where a binary keeps its read-only data (string literals): ELF ``.rodata*``, PE ``.rdata``,
Mach-O ``__TEXT,__cstring`` and ``__TEXT,__const``.

The component inventory searches only these ranges: they hold every version string it looks
for and are a small part of a binary (0.6 MB of a 23 MB libpython), so the search stays cheap.
Reads only the headers, through :class:`~distscope.tui.archive.segments.Segments`.
"""

from __future__ import annotations

import struct

from distscope.tui.archive.segments import Segments

Range = tuple[int, int]  #: (offset, size) in the file
#: Headers are read only this far; a table beyond it means "search the whole file".
_MAX_TABLE = 1 << 20
_MACHO_SECTIONS = {(b"__TEXT", b"__cstring"), (b"__TEXT", b"__const")}


def readonly_ranges(data: Segments) -> list[Range] | None:
    """The read-only data ranges of the ELF, PE or Mach-O image in ``data`` (None: unknown
    format or unreadable headers; the caller then searches everything)."""
    magic = data.read(0, 4)
    try:
        if magic == b"\x7fELF":
            return _elf(data)
        if magic[:2] == b"MZ":
            return _pe(data)
        if magic in (b"\xcf\xfa\xed\xfe", b"\xce\xfa\xed\xfe", b"\xfe\xed\xfa\xcf", b"\xfe\xed\xfa\xce"):
            return _macho(data, 0)
        if magic in (b"\xca\xfe\xba\xbe",):
            return _fat(data)
    except (struct.error, ValueError, IndexError):
        return None
    return None


def _clip(ranges: list[Range], size: int) -> list[Range] | None:
    out = [(o, min(n, size - o)) for o, n in ranges if 0 <= o < size and n > 0]
    return out or None


def _elf(data: Segments) -> list[Range] | None:
    head = data.read(0, 64)
    bits, endian = head[4], "<" if head[5] == 1 else ">"
    if bits == 2:
        shoff, = struct.unpack_from(endian + "Q", head, 0x28)
        shentsize, shnum, shstrndx = struct.unpack_from(endian + "HHH", head, 0x3A)
        entry = endian + "IIQQQQ"
    else:
        shoff, = struct.unpack_from(endian + "I", head, 0x20)
        shentsize, shnum, shstrndx = struct.unpack_from(endian + "HHH", head, 0x2E)
        entry = endian + "IIIIII"
    if not shoff or not shnum or shstrndx >= shnum or shentsize * shnum > _MAX_TABLE:
        return None
    table = data.read(shoff, shentsize * shnum)
    sections = [struct.unpack_from(entry, table, i * shentsize) for i in range(shnum)]
    names_offset, names_size = sections[shstrndx][4], sections[shstrndx][5]
    names = data.read(names_offset, min(names_size, _MAX_TABLE))
    ranges = []
    for name_at, kind, _flags, _addr, offset, size in sections:
        name = names[name_at:names.find(b"\0", name_at)]
        if kind != 8 and name.startswith(b".rodata"):  # (8: SHT_NOBITS)
            ranges.append((offset, size))
    return _clip(ranges, len(data))


def _pe(data: Segments) -> list[Range] | None:
    pe, = struct.unpack_from("<I", data.read(0x3C, 4))
    header = data.read(pe, 24)
    if header[:4] != b"PE\0\0":
        return None
    count, = struct.unpack_from("<H", header, 6)
    optional, = struct.unpack_from("<H", header, 20)
    table = data.read(pe + 24 + optional, 40 * count)
    ranges = []
    for i in range(count):
        name, _vsize, _vaddr, raw_size, raw_offset = struct.unpack_from("<8sIIII", table, 40 * i)
        if name.rstrip(b"\0") == b".rdata":
            ranges.append((raw_offset, raw_size))
    return _clip(ranges, len(data))


def _macho(data: Segments, base: int) -> list[Range] | None:
    magic = data.read(base, 4)
    endian = "<" if magic in (b"\xcf\xfa\xed\xfe", b"\xce\xfa\xed\xfe") else ">"
    wide = magic in (b"\xcf\xfa\xed\xfe", b"\xfe\xed\xfa\xcf")
    ncmds, sizeofcmds = struct.unpack_from(endian + "II", data.read(base + 16, 8))
    at = base + (32 if wide else 28)
    commands = data.read(at, min(sizeofcmds, _MAX_TABLE))
    ranges = []
    pos = 0
    for _ in range(ncmds):
        cmd, size = struct.unpack_from(endian + "II", commands, pos)
        if cmd in (0x19, 0x1):  # LC_SEGMENT_64, LC_SEGMENT
            if wide:
                nsects, = struct.unpack_from(endian + "I", commands, pos + 64)
                first, width = pos + 72, 80
            else:
                nsects, = struct.unpack_from(endian + "I", commands, pos + 48)
                first, width = pos + 56, 68
            for i in range(nsects):
                s = first + i * width
                sect, seg = commands[s:s + 16].rstrip(b"\0"), commands[s + 16:s + 32].rstrip(b"\0")
                if wide:
                    size_, offset = struct.unpack_from(endian + "QI", commands, s + 40)
                else:
                    size_, offset = struct.unpack_from(endian + "II", commands, s + 36)
                if (seg, sect) in _MACHO_SECTIONS:
                    ranges.append((base + offset, size_))
        if size <= 0:
            break
        pos += size
    return _clip(ranges, len(data))


def _fat(data: Segments) -> list[Range] | None:
    count, = struct.unpack_from(">I", data.read(4, 4))
    ranges: list[Range] = []
    for i in range(min(count, 32)):
        _cpu, _sub, offset, _size, _align = struct.unpack_from(">IIIII", data.read(8 + 20 * i, 20))
        ranges += _macho(data, offset) or []
    return ranges or None
