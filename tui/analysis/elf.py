"""ELF analysis with pyelftools: identity, interpreter, dynamic section, version needs, hardening.

Only what dependency analysis needs is read (program headers, PT_DYNAMIC, ``.gnu.version_r``,
notes, ``.comment``); undefined ``.dynsym`` symbols are mapped to their versions with a raw
``struct`` pass (pyelftools' per-symbol objects are too slow for libpython).
"""

from __future__ import annotations

import io
import re
import struct
from array import array

from elftools.common.exceptions import ELFError
from elftools.elf.elffile import ELFFile

#: Undefined symbols the PBS validator bans.
BANNED_SYMBOLS = frozenset({"pthread_yield"})
_BANNED_BYTES = tuple(name.encode() + b"\0" for name in BANNED_SYMBOLS)
_MAX_SYMBOLS_LISTED = 40
_MAX_VERNEED = 512
_MAX_DYNAMIC_TAGS = 4096
_TYPES = {"ET_REL": "rel", "ET_EXEC": "exec", "ET_DYN": "dyn", "ET_CORE": "core"}
_VERSION = re.compile(r"^([A-Za-z]+)_(\d+(?:\.\d+)*)$")


class ElfReadError(ValueError):
    """The data is not a readable ELF file."""


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


def parse_elf(data: bytes) -> dict:
    """Everything distscope needs from one ELF file. Raises :class:`ElfReadError`."""
    try:
        return _parse(data)
    except ElfReadError:
        raise
    except (ELFError, struct.error, ValueError, KeyError, IndexError, TypeError, AttributeError,
            AssertionError, OverflowError, UnicodeDecodeError, RecursionError, EOFError) as exc:
        raise ElfReadError(f"unreadable ELF ({type(exc).__name__}: {exc})") from None
    except Exception as exc:  # pyelftools/construct raise many kinds on hostile input
        raise ElfReadError(f"unreadable ELF ({type(exc).__name__}: {exc})") from None


def _parse(data: bytes) -> dict:
    if len(data) < 52 or not data.startswith(b"\x7fELF"):
        raise ElfReadError("truncated ELF header")
    elf = ELFFile(io.BytesIO(data))
    bits, little = elf.elfclass, elf.little_endian
    out: dict = {
        "format": "elf", "bits": bits, "endian": "little" if little else "big",
        "machine": machine_name(elf["e_machine"], bits, little),
        "type": _TYPES.get(elf["e_type"], str(elf["e_type"])),
        "interpreter": None, "soname": None, "needed": [], "rpath": [], "runpath": [],
        "version_needs": {}, "glibc_max": None, "glibc_symbols": [], "banned_symbols": [],
        "isa_level": None, "comment": [], "static": True, "libc": None,
        "hardening": {"gnu_stack": False, "exec_stack": False, "relro": False, "bind_now": False,
                      "textrel": False, "wx_load": False},
    }
    hard = out["hardening"]
    has_dynamic = False
    for seg in elf.iter_segments():
        ptype = seg["p_type"]
        if ptype == "PT_INTERP":
            out["interpreter"] = seg.get_interp_name()
        elif ptype == "PT_DYNAMIC":
            has_dynamic = True
            _read_dynamic(seg, out)
        elif ptype == "PT_GNU_STACK":
            hard["gnu_stack"] = True
            hard["exec_stack"] = bool(seg["p_flags"] & 1)
        elif ptype == "PT_GNU_RELRO":
            hard["relro"] = True
        elif ptype == "PT_LOAD" and seg["p_flags"] & 3 == 3:
            hard["wx_load"] = True
    out["static"] = not has_dynamic or (not out["interpreter"] and not out["needed"])
    if elf.num_sections():
        _read_sections(elf, data, out)
    interp = out["interpreter"] or ""
    if "ld-musl" in interp or "libc.so" in out["needed"]:
        out["libc"] = "musl"
    elif interp or "libc.so.6" in out["needed"] or any(
            v.startswith("GLIBC_") for vs in out["version_needs"].values() for v in vs):
        out["libc"] = "glibc"
    out["needs"] = list(out["needed"])
    return out


def _read_dynamic(seg, out: dict) -> None:
    hard = out["hardening"]
    for n, tag in enumerate(seg.iter_tags()):
        if n >= _MAX_DYNAMIC_TAGS:
            break
        kind = tag.entry.d_tag
        if kind == "DT_NEEDED":
            out["needed"].append(tag.needed)
        elif kind == "DT_SONAME":
            out["soname"] = tag.soname
        elif kind == "DT_RPATH":
            out["rpath"].extend(p for p in tag.rpath.split(":") if p)
        elif kind == "DT_RUNPATH":
            out["runpath"].extend(p for p in tag.runpath.split(":") if p)
        elif kind == "DT_BIND_NOW":
            hard["bind_now"] = True
        elif kind == "DT_FLAGS":
            hard["bind_now"] |= bool(tag.entry.d_val & 0x8)
            hard["textrel"] |= bool(tag.entry.d_val & 0x4)
        elif kind == "DT_FLAGS_1":
            hard["bind_now"] |= bool(tag.entry.d_val & 0x1)
        elif kind == "DT_TEXTREL":
            hard["textrel"] = True


def _read_sections(elf: ELFFile, data: bytes, out: dict) -> None:
    index_names: dict[int, str] = {}
    dynsym = versym = dynstr = None
    for sec in elf.iter_sections():
        stype = sec["sh_type"]
        if stype == "SHT_GNU_verneed":
            strtab = elf.get_section(sec["sh_link"]) if 0 < sec["sh_link"] < elf.num_sections() else None
            if strtab is not None:
                _read_verneed(data, "<" if elf.little_endian else ">", sec["sh_offset"], sec["sh_size"],
                              sec["sh_info"], strtab["sh_offset"], strtab["sh_size"], out, index_names)
        elif stype == "SHT_DYNSYM":
            dynsym = sec
        elif stype == "SHT_GNU_versym":
            versym = sec
        elif stype == "SHT_NOTE" and sec.name == ".note.gnu.property":
            out["isa_level"] = _isa_level(sec)
        elif sec.name == ".comment" and stype == "SHT_PROGBITS":
            raw = data[sec["sh_offset"]:sec["sh_offset"] + min(sec["sh_size"], 1 << 16)]
            out["comment"] = sorted({s.decode("utf-8", "replace") for s in raw.split(b"\0") if s.strip()})
    glibc = [split_version(v) for vs in out["version_needs"].values() for v in vs]
    glibc = [v for prefix, v in filter(None, glibc) if prefix == "GLIBC"]
    if glibc:
        out["glibc_max"] = ".".join(map(str, max(glibc)))
    if dynsym is not None:
        dynstr = elf.get_section(dynsym["sh_link"]) if dynsym["sh_link"] < elf.num_sections() else None
    if dynsym is not None and dynstr is not None:
        _read_symbols(elf, data, dynsym, versym, dynstr, index_names, out)


def _read_verneed(data: bytes, end: str, start: int, size: int, count: int, str_off: int, str_size: int,
                  out: dict, index_names: dict[int, str]) -> None:
    """Raw, bounded ``.gnu.version_r`` walk (pyelftools trusts counts and loops on hostile input)."""
    limit = min(len(data), start + size)
    str_end = min(len(data), str_off + str_size)

    def string(off: int) -> str:
        pos = str_off + off
        if not str_off <= pos < str_end:
            return f"?{off}"
        nul = data.find(b"\0", pos, str_end)
        return data[pos:nul if nul >= 0 else str_end].decode("utf-8", "replace")

    pos, seen = start, set()
    for _ in range(min(count or _MAX_VERNEED, _MAX_VERNEED)):
        if pos + 16 > limit or pos in seen:
            break
        seen.add(pos)
        _ver, cnt, file_off, aux, nxt = struct.unpack_from(end + "HHIII", data, pos)
        names = out["version_needs"].setdefault(string(file_off), [])
        apos = pos + aux
        for _ in range(min(cnt, _MAX_VERNEED)):
            if apos + 16 > limit or apos in seen:
                break
            seen.add(apos)
            _hash, _flags, other, name_off, anext = struct.unpack_from(end + "IHHII", data, apos)
            name = string(name_off)
            names.append(name)
            index_names[other & 0x7FFF] = name
            if not anext:
                break
            apos += anext
        if not nxt:
            break
        pos += nxt


def _isa_level(sec) -> int | None:
    try:
        for note in sec.iter_notes():
            if note["n_type"] != "NT_GNU_PROPERTY_TYPE_0":
                continue
            for prop in note["n_desc"]:
                if prop.pr_type == "GNU_PROPERTY_X86_ISA_1_NEEDED" and isinstance(prop.pr_data, int):
                    mask = prop.pr_data
                    return max((lvl for bit, lvl in ((1, 1), (2, 2), (4, 3), (8, 4)) if mask & bit), default=None)
    except Exception:  # a malformed note only loses the ISA level
        return None
    return None


def _read_symbols(elf, data, dynsym, versym, dynstr, index_names, out) -> None:
    """Undefined dynamic symbols: which need the binary's maximum GLIBC version, which are banned."""
    end = "<" if elf.little_endian else ">"
    fmt = end + ("IxxH16x" if elf.elfclass == 64 else "I8xxxH")
    size = struct.calcsize(fmt)
    start, length = dynsym["sh_offset"], dynsym["sh_size"]
    raw = data[start:start + length - length % size]
    str_off, str_end = dynstr["sh_offset"], dynstr["sh_offset"] + dynstr["sh_size"]
    versions = None
    if versym is not None:
        vraw = data[versym["sh_offset"]:versym["sh_offset"] + versym["sh_size"]]
        versions = array("H", vraw[:len(vraw) - len(vraw) % 2])
        if (end == "<") != (array("H", b"\x01\x00")[0] == 1):
            versions.byteswap()
    target = f"GLIBC_{out['glibc_max']}" if out["glibc_max"] else None
    wanted = {i for i, n in index_names.items() if n == target}
    listed, banned = [], set()
    for i, (name_off, shndx) in enumerate(struct.iter_unpack(fmt, raw)):
        if shndx != 0 or not name_off:
            continue
        idx = (versions[i] & 0x7FFF) if versions is not None and i < len(versions) else 1
        in_target = idx in wanted
        pos = str_off + name_off
        if pos >= str_end:
            continue
        for banned_name in _BANNED_BYTES:
            if data.startswith(banned_name, pos):
                banned.add(banned_name[:-1].decode())
        if in_target and len(listed) < _MAX_SYMBOLS_LISTED:
            nul = data.find(b"\0", pos, str_end)
            listed.append(data[pos:nul if nul >= 0 else str_end].decode("utf-8", "replace"))
    out["glibc_symbols"] = sorted(listed)
    out["banned_symbols"] = sorted(banned)
