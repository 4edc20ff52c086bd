"""ELF analysis: identity, interpreter, dynamic section, version needs, hardening.

A bounds-checked ``struct`` reader of just what dependency analysis needs (program headers,
PT_DYNAMIC, ``.gnu.version_r`` or DT_VERNEED, GNU property notes, ``.comment``, undefined
``.dynsym`` symbols with their versions). pyelftools reads the same fields but costs ~10 ms per
file (it rebuilds section objects on every lookup), which broke the single-pass speed budget; the
tests check this reader against pyelftools field by field.
"""

from __future__ import annotations

import re
import struct
import sys
from array import array
from itertools import compress
from functools import lru_cache
from typing import Any, Callable, Iterator, NamedTuple

from distscope.tui.analysis.rules import BANNED_SYMBOLS, DEPENDENCY_SYMBOLS, PYTHON_API_SYMBOLS
from distscope.tui.archive.segments import ByteSource, Segments, as_segments
from distscope.tui.model.binaries import Binary, ElfDetails, Hardening

_BANNED_BYTES = tuple(name.encode() + b"\0" for name in BANNED_SYMBOLS)
_WATCHED = frozenset(n.encode() for n in DEPENDENCY_SYMBOLS | PYTHON_API_SYMBOLS)
_MAX_SYMBOLS_LISTED = 40
_MAX_VERNEED = 512
_MAX_DYNAMIC_TAGS = 4096
# The per-binary budget: a hostile binary costs at most these, and says so ("not fully analysed").
#: Longest string taken from a string table (one without a NUL ends here, not at the table's end).
MAX_STRING = 4096
#: Bytes of strings taken from one binary's tables in all (a few KiB in real binaries).
MAX_STRING_BYTES = 256 << 10
#: DT_NEEDED entries, version names (all files together) and dynamic symbols read per binary.
MAX_NEEDED = 1024
MAX_VERSION_NAMES = 4096
MAX_SYMBOLS = 1 << 20
#: Bytes searched for a symbol name's NUL: the names compared are short, the ones listed rarely long.
_WATCHED_LEN = max(map(len, DEPENDENCY_SYMBOLS | PYTHON_API_SYMBOLS)) + 1
_VERSION = re.compile(r"^([A-Za-z]+)_(\d+(?:\.\d+)*)$")


class ElfReadError(ValueError):
    """The data is not a readable ELF file."""


@lru_cache(maxsize=4096)  # (a few dozen names recur across every binary of an archive)
def split_version(name: str) -> tuple[str, tuple[int, ...]] | None:
    """``GLIBC_2.17`` -> ("GLIBC", (2, 17)); None for non-numeric names like GLIBC_PRIVATE."""
    match = _VERSION.match(name)
    if not match:
        return None
    return match.group(1), tuple(int(p) for p in match.group(2).split("."))


def version_key(text: str) -> tuple[int, ...]:
    """``"2.17"`` -> (2, 17), for comparing dotted versions; garbage sorts lowest."""
    try:
        return tuple(int(p) for p in str(text).split("."))
    except ValueError:
        return ()


def machine_name(e_machine: str, bits: int, little: bool) -> str:
    """A triple-style architecture name for an ELF e_machine."""
    if e_machine == "EM_X86_64":
        return "x86_64"
    if e_machine == "EM_386":
        return "i686"
    if e_machine == "EM_AARCH64":
        return "aarch64"
    if e_machine == "EM_ARM":
        return "armv7"
    if e_machine == "EM_RISCV":
        return "riscv64" if bits == 64 else "riscv32"
    if e_machine == "EM_PPC64":
        return "ppc64le" if little else "ppc64"
    if e_machine == "EM_S390":
        return "s390x" if bits == 64 else "s390"
    if e_machine == "EM_MIPS":
        return ("mips64el" if little else "mips64") if bits == 64 else ("mipsel" if little else "mips")
    return str(e_machine).removeprefix("EM_").lower()


def parse_elf(data: ByteSource) -> Binary:
    """Everything distscope needs from one ELF file (``bytes``, or :class:`Segments`: only the
    headers and tables are read out of it), as a :class:`Binary` without path and size.
    Raises :class:`ElfReadError`."""
    try:
        return _record(_parse(as_segments(data)))
    except ElfReadError:
        raise
    except (struct.error, ValueError, KeyError, IndexError, TypeError, OverflowError, UnicodeDecodeError,
            MemoryError) as exc:
        raise ElfReadError(f"unreadable ELF ({type(exc).__name__}: {exc})") from None


_E_MACHINES = {62: "EM_X86_64", 3: "EM_386", 183: "EM_AARCH64", 40: "EM_ARM", 243: "EM_RISCV", 21: "EM_PPC64",
               22: "EM_S390", 8: "EM_MIPS", 20: "EM_PPC", 2: "EM_SPARC", 43: "EM_SPARCV9", 258: "EM_LOONGARCH"}
_E_TYPES = {1: "rel", 2: "exec", 3: "dyn", 4: "core"}
PT_LOAD, PT_DYNAMIC, PT_INTERP, PT_NOTE = 1, 2, 3, 4
PT_GNU_STACK, PT_GNU_RELRO = 0x6474E551, 0x6474E552
SHT_NOTE, SHT_DYNSYM, SHT_VERNEED, SHT_VERSYM = 7, 11, 0x6FFFFFFE, 0x6FFFFFFF
DT_NEEDED, DT_STRTAB, DT_STRSZ, DT_SONAME, DT_RPATH, DT_TEXTREL, DT_BIND_NOW, DT_RUNPATH, DT_FLAGS = (
    1, 5, 10, 14, 15, 22, 24, 29, 30)
DT_FLAGS_1, DT_VERNEED, DT_VERNEEDNUM = 0x6FFFFFFB, 0x6FFFFFFE, 0x6FFFFFFF
_MAX_HEADERS = 65535


class _Image:
    """Bounds-checked access to the ELF file: ranges, string tables, virtual address -> file offset."""

    def __init__(self, src: Segments, end: str, loads: list[tuple[int, int, int]]) -> None:
        self.src, self.size, self.end, self.loads = src, len(src), end, loads
        self._tables: dict[tuple[int, int], _Strings] = {}
        self.budget = [MAX_STRING_BYTES]  #: string bytes left to take (shared by the tables)

    def read(self, start: int, size: int) -> bytes:
        return self.src.read(start, size)

    def offset(self, vaddr: int) -> int | None:
        for p_vaddr, p_offset, p_filesz in self.loads:
            if p_vaddr <= vaddr < p_vaddr + p_filesz:
                return vaddr - p_vaddr + p_offset
        return None

    def strings(self, start: int, limit: int) -> "_Strings":
        """The string table at ``[start, limit)`` (cut at the end of the file), read once."""
        limit = min(limit, self.size)
        table = self._tables.get((start, limit))
        if table is None:
            table = self._tables[(start, limit)] = _Strings(self.src, start, limit, self.budget)
        return table

    def cstring(self, start: int, limit: int) -> str:
        """The NUL-terminated string at ``start`` in a table ending at ``limit``."""
        return self.strings(start, limit).at(start)


class _Strings:
    """A string table read out of the file once: NUL-terminated strings by file offset."""

    def __init__(self, src: Segments, start: int, limit: int, budget: list[int] | None = None) -> None:
        self.start, self.limit = start, limit
        self.budget = [MAX_STRING_BYTES] if budget is None else budget
        self.data = src.read(start, limit - start) if 0 <= start < limit else b""

    def at(self, pos: int, longest: int = MAX_STRING) -> str:
        """The string at ``pos``, up to its NUL, the end of the table or ``longest`` bytes."""
        if not (0 <= pos < self.limit and pos >= self.start):
            raise ElfReadError(f"string offset {pos} outside its table")
        rel = pos - self.start
        end = min(len(self.data), rel + longest, rel + self.budget[0])
        nul = self.data.find(b"\0", rel, end)
        raw = self.data[rel:nul if nul >= 0 else end]
        self.budget[0] -= len(raw)
        return raw.decode("utf-8", "replace")


class _Header(NamedTuple):
    bits: int
    little: bool
    end: str  #: struct byte order
    e_type: int
    e_machine: int
    phoff: int
    shoff: int
    phentsize: int
    phnum: int
    shentsize: int
    shnum: int
    shstrndx: int


def _header(data: bytes) -> _Header:
    """The ELF file header (the first 52 or 64 bytes)."""
    if len(data) < 52 or not data.startswith(b"\x7fELF") or data[4] not in (1, 2) or data[5] not in (1, 2):
        raise ElfReadError("truncated or invalid ELF header")
    bits, little = (64 if data[4] == 2 else 32), data[5] == 1
    end = "<" if little else ">"
    (e_type, e_machine, _v, _entry, phoff, shoff, _flags, _eh, phentsize, phnum, shentsize, shnum,
     shstrndx) = struct.unpack_from(end + ("HHIQQQIHHHHHH" if bits == 64 else "HHIIIIIHHHHHH"), data, 16)
    return _Header(bits, little, end, e_type, e_machine, phoff, shoff, phentsize, phnum, shentsize, shnum, shstrndx)


def section_table_end(head: bytes) -> int:
    """Bytes of an ELF file needed to reach the end of its section header table (0: unknown)."""
    try:
        h = _header(head)
    except (ElfReadError, struct.error):
        return 0
    return h.shoff + h.shentsize * h.shnum if h.shoff and h.shnum else 0


def comment_strings(data: ByteSource) -> list[str]:
    """The NUL-separated strings of the ``.comment`` section, in order, as written ([] when it is
    absent or the file is unreadable): the toolchain counts them."""
    src = as_segments(data)
    try:
        h = _header(src.read(0, 64))
        image = _Image(src, h.end, [])
        sections = _section_headers(image, h.bits, h.shoff, h.shnum, h.shentsize)
        names = _named(image, sections, h.shstrndx, b".comment")
    except (ElfReadError, struct.error, ValueError):
        return []
    for i in names:  # (the first .comment section)
        body = src.read(sections[i].offset, min(sections[i].size, 1 << 16))
        return [c.decode("utf-8", "replace") for c in body.split(b"\0") if c.strip()]
    return []


def needed_libraries(data: ByteSource) -> list[str]:
    """DT_NEEDED names of an ELF file ([] when unreadable)."""
    try:
        return parse_elf(data).needs
    except ElfReadError:
        return []


def _parse(src: Segments) -> dict[str, Any]:
    h = _header(src.read(0, 64))
    size = len(src)
    bits, little, end = h.bits, h.little, h.end
    e_type, e_machine, phoff, shoff, phentsize, phnum = h.e_type, h.e_machine, h.phoff, h.shoff, h.phentsize, h.phnum
    shentsize, shnum, shstrndx = h.shentsize, h.shnum, h.shstrndx
    out: dict[str, Any] = {
        "format": "elf", "bits": bits, "endian": "little" if little else "big",
        "machine": machine_name(_E_MACHINES.get(e_machine, f"EM_{e_machine}"), bits, little),
        "type": _E_TYPES.get(e_type, f"type-{e_type}"),
        "interpreter": None, "soname": None, "needed": [], "rpath": [], "runpath": [],
        "version_needs": {}, "glibc_max": None, "glibc_symbols": [], "banned_symbols": [],
        "isa_level": None, "comment": [], "static": True, "libc": None,
        "exported_dependency_symbols": [], "exports_python_api": [],
        "hardening": {"gnu_stack": False, "exec_stack": False, "relro": False, "bind_now": False,
                      "textrel": False, "wx_load": False},
    }
    hard = out["hardening"]
    phdrs = []
    if phoff and phnum:
        if phentsize < (56 if bits == 64 else 32) or phoff + phnum * phentsize > size:
            raise ElfReadError("program headers run past the end of the file")
        fmt = end + ("IIQQQQQQ" if bits == 64 else "IIIIIIII")
        table = src.read(phoff, min(phnum, _MAX_HEADERS) * phentsize)
        for i in range(min(phnum, _MAX_HEADERS)):
            f = struct.unpack_from(fmt, table, i * phentsize)
            if bits == 64:
                p_type, p_flags, p_offset, p_vaddr, _pa, p_filesz, _mem, _al = f
            else:
                p_type, p_offset, p_vaddr, _pa, p_filesz, _mem, p_flags, _al = f
            phdrs.append((p_type, p_flags, p_offset, p_vaddr, p_filesz))
    image = _Image(src, end, [(v, o, n) for t, _f, o, v, n in phdrs if t == PT_LOAD])
    dynamic = None
    for p_type, p_flags, p_offset, p_vaddr, p_filesz in phdrs:
        if p_type == PT_INTERP:
            out["interpreter"] = image.cstring(p_offset, p_offset + p_filesz)
        elif p_type == PT_DYNAMIC:
            dynamic = (p_offset, p_filesz)
        elif p_type == PT_GNU_STACK:
            hard["gnu_stack"], hard["exec_stack"] = True, bool(p_flags & 1)
        elif p_type == PT_GNU_RELRO:
            hard["relro"] = True
        elif p_type == PT_LOAD and p_flags & 3 == 3:
            hard["wx_load"] = True
    tags: dict[int, list[int]] = {}
    if dynamic is not None:
        _read_dynamic(image, bits, *dynamic, tags, out)
    sections = _section_headers(image, bits, shoff, shnum, shentsize)
    names = _named(image, sections, shstrndx, b".note.gnu.property", b".comment")
    index_names: dict[int, str] = {}
    verneed = next((s for s in sections if s.type == SHT_VERNEED), None)
    if verneed is not None and 0 < verneed.link < len(sections):
        strtab = sections[verneed.link]
        _read_verneed(image, verneed.offset, verneed.size, verneed.info, strtab.offset, strtab.size, out, index_names)
    elif DT_VERNEED in tags and DT_STRTAB in tags:
        vn, st = image.offset(tags[DT_VERNEED][0]), image.offset(tags[DT_STRTAB][0])
        if vn is not None and st is not None:
            _read_verneed(image, vn, size - vn, tags.get(DT_VERNEEDNUM, [0])[0], st,
                          tags.get(DT_STRSZ, [size - st])[0], out, index_names)
    for i, name in names.items():
        sec = sections[i]
        if sec.type == SHT_NOTE and name == b".note.gnu.property":
            out["isa_level"] = _isa_level(image, bits, sec.offset, sec.size)
        elif name == b".comment" and sec.type == 1:
            raw = src.read(sec.offset, min(sec.size, 1 << 16))
            out["comment"] = sorted({c.decode("utf-8", "replace") for c in raw.split(b"\0") if c.strip()})
    if not sections:
        for p_type, _f, p_offset, _v, p_filesz in phdrs:
            if p_type == PT_NOTE and out["isa_level"] is None:
                out["isa_level"] = _isa_level(image, bits, p_offset, p_filesz)
    if image.budget[0] <= 0:
        out.setdefault("not_analysed", []).append(
            f"its strings exceed {MAX_STRING_BYTES >> 10:,} KiB (string tables without terminators?), the rest cut")
    parsed = [split_version(v) for vs in out["version_needs"].values() for v in vs]
    glibc = [v for prefix, v in filter(None, parsed) if prefix == "GLIBC"]
    if glibc:
        out["glibc_max"] = ".".join(map(str, max(glibc)))
    dynsym = next((s for s in sections if s.type == SHT_DYNSYM), None)
    if dynsym is not None and 0 < dynsym.link < len(sections):
        versym = next((s for s in sections if s.type == SHT_VERSYM), None)
        _read_symbols(image, bits, dynsym, versym, sections[dynsym.link], index_names, out)
    # Static: nothing for a dynamic loader to do. A shared object with PT_DYNAMIC and undefined
    # symbols but no DT_NEEDED (an extension module binding Py* from the interpreter) is not;
    # a static-pie (PT_DYNAMIC for its own relocations only) is.
    out["static"] = dynamic is None or (not out["interpreter"] and not out["needed"]
                                        and not out.get("undefined_count"))
    interp = out["interpreter"] or ""
    if "ld-musl" in interp or "libc.so" in out["needed"]:
        out["libc"] = "musl"
    elif interp or "libc.so.6" in out["needed"] or any(
            v.startswith("GLIBC_") for vs in out["version_needs"].values() for v in vs):
        out["libc"] = "glibc"
    return out


def _record(out: dict[str, Any]) -> Binary:
    """The parser's fields as the model's :class:`Binary`."""
    details = ElfDetails(
        out["bits"], out["endian"], out["type"], out["interpreter"], out["soname"], out["needed"], out["rpath"],
        out["runpath"], out["version_needs"], out["glibc_max"], out["glibc_symbols"], out["banned_symbols"],
        out["isa_level"], out["comment"], out["static"], out["libc"], out["exported_dependency_symbols"],
        out["exports_python_api"], Hardening(**out["hardening"]), out.get("exported_count"),
        out.get("undefined_count"))
    return Binary("", "elf", needs=list(out["needed"]), machine=out["machine"], details=details,
                  not_analysed=out.get("not_analysed", []))


def _read_dynamic(image: _Image, bits: int, offset: int, size: int, tags: dict[int, list[int]],
                  out: dict[str, Any]) -> None:
    fmt = image.end + ("qQ" if bits == 64 else "iI")
    step = struct.calcsize(fmt)
    if offset + size > image.size:
        raise ElfReadError("dynamic segment runs past the end of the file (truncated?)")
    size = min(size, _MAX_DYNAMIC_TAGS * step)
    for tag, value in struct.iter_unpack(fmt, image.read(offset, size - size % step)):
        if tag == 0:
            break
        tags.setdefault(tag, []).append(value)
    hard = out["hardening"]
    flags = sum(tags.get(DT_FLAGS, []))
    hard["bind_now"] = DT_BIND_NOW in tags or bool(flags & 0x8) or any(v & 1 for v in tags.get(DT_FLAGS_1, []))
    hard["textrel"] = DT_TEXTREL in tags or bool(flags & 0x4)
    if not (tags.keys() & {DT_NEEDED, DT_SONAME, DT_RPATH, DT_RUNPATH}):
        return
    strtab = image.offset(tags[DT_STRTAB][0]) if DT_STRTAB in tags else None
    if strtab is None:
        raise ElfReadError("dynamic string table not found")
    strings = image.strings(strtab, strtab + tags.get(DT_STRSZ, [image.size])[0])
    needed = tags.get(DT_NEEDED, [])
    if len(needed) > MAX_NEEDED:
        out.setdefault("not_analysed", []).append(f"{len(needed):,} DT_NEEDED entries, only the first {MAX_NEEDED:,} read")
    out["needed"] = [strings.at(strtab + v) for v in needed[:MAX_NEEDED]]
    if DT_SONAME in tags:
        out["soname"] = strings.at(strtab + tags[DT_SONAME][0])
    for tag, key in ((DT_RPATH, "rpath"), (DT_RUNPATH, "runpath")):
        for v in tags.get(tag, []):
            out[key].extend(p for p in strings.at(strtab + v).split(":") if p)


class _Section(NamedTuple):
    """A section header (``name`` is the offset of its name in the section-name table)."""

    name: int
    type: int
    flags: int
    addr: int
    offset: int
    size: int
    link: int
    info: int


def _section_headers(image: _Image, bits: int, shoff: int, shnum: int, shentsize: int) -> list[_Section]:
    """The section headers; [] when absent or broken."""
    if not shoff or not shnum or shentsize < (64 if bits == 64 else 40):
        return []
    if shoff + shnum * shentsize > image.size:
        raise ElfReadError("section headers run past the end of the file (truncated?)")
    fmt = image.end + ("IIQQQQII" if bits == 64 else "IIIIIIII")
    count = min(shnum, _MAX_HEADERS)
    table = image.read(shoff, count * shentsize)
    if shentsize == struct.calcsize(fmt):  # (the usual size: unpacked in one call)
        return list(map(_Section._make, struct.iter_unpack(fmt, table)))
    return [_Section._make(struct.unpack_from(fmt, table, i * shentsize)) for i in range(count)]


def _named(image: _Image, sections: list[_Section], shstrndx: int, *wanted: bytes) -> dict[int, bytes]:
    """The sections called one of ``wanted`` (index -> name): only those names are compared,
    at the offsets where they occur in the section-name table (none is decoded)."""
    if not 0 < shstrndx < len(sections):
        return {}
    table = sections[shstrndx]
    data = image.strings(table.offset, table.offset + table.size).data
    at: dict[int, bytes] = {}
    for name in wanted:
        pos = data.find(name + b"\0")
        while pos >= 0:
            at[pos] = name
            pos = data.find(name + b"\0", pos + 1)
    return {i: at[sec.name] for i, sec in enumerate(sections) if sec.name in at} if at else {}


def _read_verneed(image: _Image, start: int, size: int, count: int, str_off: int, str_size: int,
                  out: dict[str, Any], index_names: dict[int, str]) -> None:
    """Raw, bounded ``.gnu.version_r`` walk (pyelftools trusts counts and loops on hostile input)."""
    limit = min(image.size, start + size)
    table = image.strings(str_off, str_off + str_size)
    read, end = image.read, image.end

    def string(off: int) -> str:
        pos = str_off + off
        if not str_off <= pos < table.limit:
            return f"?{off}"
        return table.at(pos)

    pos, seen = start, set()
    left = MAX_VERSION_NAMES
    for _ in range(min(count or _MAX_VERNEED, _MAX_VERNEED)):
        if pos + 16 > limit or pos in seen:
            break
        seen.add(pos)
        _ver, cnt, file_off, aux, nxt = struct.unpack(end + "HHIII", read(pos, 16))
        names = out["version_needs"].setdefault(string(file_off), [])
        apos = pos + aux
        for _ in range(min(cnt, _MAX_VERNEED)):
            if apos + 16 > limit or apos in seen:
                break
            if not left:
                out.setdefault("not_analysed", []).append(f"more than {MAX_VERSION_NAMES:,} version names, the rest not read")
                return
            left -= 1
            seen.add(apos)
            _hash, _flags, other, name_off, anext = struct.unpack(end + "IHHII", read(apos, 16))
            name = string(name_off)
            names.append(name)
            index_names[other & 0x7FFF] = name
            if not anext:
                break
            apos += anext
        if not nxt:
            break
        pos += nxt


def _isa_level(image: _Image, bits: int, offset: int, size: int) -> int | None:
    """The x86-64 ISA level from a GNU property note (GNU_PROPERTY_X86_ISA_1_NEEDED)."""
    align = 8 if bits == 64 else 4
    end = image.end
    data = image.read(offset, size) if offset >= 0 else b""
    pos, limit = 0, len(data)
    while pos + 12 <= limit:
        namesz, descsz, ntype = struct.unpack_from(end + "III", data, pos)
        name_end = pos + 12 + namesz
        desc = name_end + (-namesz % 4 if bits == 32 else (-(12 + namesz)) % align)
        if desc + descsz > limit:
            return None
        if ntype == 5 and data[pos + 12:name_end].rstrip(b"\0") == b"GNU":
            p = desc
            while p + 8 <= desc + descsz:
                pr_type, pr_size = struct.unpack_from(end + "II", data, p)
                if pr_type == 0xC0008002 and pr_size >= 4:
                    mask = struct.unpack_from(end + "I", data, p + 8)[0]
                    return max((lvl for bit, lvl in ((1, 1), (2, 2), (4, 3), (8, 4)) if mask & bit), default=None)
                p += 8 + pr_size + (-pr_size % align)
        pos = desc + descsz + (-descsz % align)
    return None


def _flags(test: Callable[[int], bool]) -> bytes:
    """A ``bytes.translate`` table mapping each byte value to 1 where ``test`` holds, else 0."""
    return bytes(1 if test(b) else 0 for b in range(256))


_NONZERO = _flags(lambda b: b != 0)
_BIND_EXPORTED = _flags(lambda b: b >> 4 in (1, 2))  # STB_GLOBAL or STB_WEAK
_BIND_GLOBAL = _flags(lambda b: b >> 4 == 1)
_VISIBLE = _flags(lambda b: b & 3 == 0)  # STV_DEFAULT
#: Bytes of a name compared before the whole: every watched name is at least this long.
_PREFIX = min(map(len, _WATCHED))
_WATCHED_PREFIXES = frozenset(name[:_PREFIX] for name in _WATCHED)
#: An array type of 4-byte items (the symbols' st_name column).
_U32 = "I" if array("I").itemsize == 4 else "L"


def _table_array(typecode: str, raw: bytes, end: str) -> array[int]:
    """``raw`` as an array of ``typecode`` items in the file's byte order (``end``: "<" or ">")."""
    out = array(typecode)
    out.frombytes(raw[:len(raw) - len(raw) % out.itemsize])
    if (end == "<") != (sys.byteorder == "little"):
        out.byteswap()
    return out


def _mask(column: bytes, table: bytes) -> int:
    """A byte column as a bit mask (bit i: ``table`` maps byte i to 1), for whole-column logic."""
    return int.from_bytes(column.translate(table), "little")


def _read_symbols(image: _Image, bits: int, dynsym: _Section, versym: _Section | None,
                  dynstr: _Section, index_names: dict[int, str], out: dict[str, Any]) -> None:
    """Counts of the exported and undefined dynamic symbols; which undefined ones need the
    binary's maximum GLIBC version, which are banned, which watched names are exported.

    The table is read by columns (st_name, st_info, st_other, st_shndx) and filtered with C-level
    operations (byte translations, bit masks, ``itertools.compress``), not symbol by symbol: a
    few binaries hold tens of thousands of symbols, and this reader runs on every binary of the
    pass (``benchmarks/bench_elf.py`` measures it against the per-symbol loop)."""
    size = 24 if bits == 64 else 16
    start, length = dynsym.offset, min(dynsym.size, max(0, image.size - dynsym.offset))
    if length // size > MAX_SYMBOLS:
        out.setdefault("not_analysed", []).append(f"{length // size:,} dynamic symbols, only the first {MAX_SYMBOLS:,} read")
        length = MAX_SYMBOLS * size
    raw = image.read(start, length - length % size)
    count = len(raw) // size
    strings = image.strings(dynstr.offset, dynstr.offset + dynstr.size)
    data, str_end = strings.data, len(strings.data)  # (offsets below are relative to the table)
    names = _table_array(_U32, raw, image.end)[::size // 4]
    at = 4 if bits == 64 else 12  # st_info, then st_other and the two bytes of st_shndx
    named = 0
    for i in range(4):
        named |= _mask(raw[i::size], _NONZERO)
    defined = _mask(raw[at + 2::size], _NONZERO) | _mask(raw[at + 3::size], _NONZERO)
    info = raw[at::size]
    exported = named & defined & _mask(info, _BIND_EXPORTED) & _mask(raw[at + 1::size], _VISIBLE)
    undefined = named & ~defined
    out["exported_count"] = exported.bit_count()
    out["undefined_count"] = (undefined & _mask(info, _BIND_GLOBAL)).bit_count()

    # Watched names among the exported: offsets whose first bytes start a watched name (in C:
    # slices, a set test, compress), then those few compared whole.
    offsets = list(compress(names, exported.to_bytes(count, "little")))
    firsts = map(data.__getitem__, map(slice, offsets, map(_PREFIX.__add__, offsets)))
    watched: set[str] = set()
    for off in compress(offsets, map(_WATCHED_PREFIXES.__contains__, firsts)):
        nul = data.find(b"\0", off, min(str_end, off + _WATCHED_LEN))
        if nul >= 0 and data[off:nul] in _WATCHED:
            watched.add(data[off:nul].decode())
    out["exported_dependency_symbols"] = sorted(watched & DEPENDENCY_SYMBOLS)
    out["exports_python_api"] = sorted(watched & PYTHON_API_SYMBOLS)
    banned = [b for b in _BANNED_BYTES if b in data]  # (usually none: then no set of offsets is made)
    if banned:
        undefined_at = set(compress(names, undefined.to_bytes(count, "little")))
        banned = [b for b in banned if _occurs_at(data, b, undefined_at)]
    out["banned_symbols"] = sorted(b[:-1].decode() for b in banned)

    listed: list[str] = []
    target = f"GLIBC_{out['glibc_max']}" if out["glibc_max"] else None
    wanted = {i for i, n in index_names.items() if n == target}
    if wanted:
        versions = _table_array("H", image.read(versym.offset, versym.size), image.end) if versym is not None \
            else array("H")
        undefined_bytes = undefined.to_bytes(count, "little")
        for i in _versioned(versions, wanted, count):
            if undefined_bytes[i] and names[i] < str_end:
                off = names[i]
                stop = min(str_end, off + MAX_STRING)
                nul = data.find(b"\0", off, stop)
                listed.append(data[off:nul if nul >= 0 else stop].decode("utf-8", "replace"))
                if len(listed) == _MAX_SYMBOLS_LISTED:
                    break
    out["glibc_symbols"] = sorted(listed)


def _versioned(versions: array[int], wanted: set[int], count: int) -> Iterator[int]:
    """Indices (below ``count``) of the symbols whose version index (``.gnu.version``, hidden bit
    cleared; 1 past its end) is in ``wanted``, in order."""
    if len(wanted) == 1 and 1 not in wanted and (not versions or max(versions) < 0x8000):
        (version,) = wanted  # the usual case: one index, searched for in C
        i = -1
        while True:
            try:
                i = versions.index(version, i + 1, count)
            except ValueError:
                return
            yield i
    marks = bytes(map(wanted.__contains__, map((0x7FFF).__and__, versions)))[:count]
    marks += (b"\1" if 1 in wanted else b"\0") * (count - len(marks))
    yield from compress(range(count), marks)


def _occurs_at(data: bytes, needle: bytes, offsets: set[int]) -> bool:
    """Whether ``needle`` occurs in ``data`` at one of ``offsets``."""
    pos = data.find(needle)
    while pos >= 0:
        if pos in offsets:
            return True
        pos = data.find(needle, pos + 1)
    return False
