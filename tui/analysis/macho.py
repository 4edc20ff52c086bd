"""A small Mach-O reader: the load commands dependency analysis needs, thin or fat.

Own reader rather than macholib: we need about ten load commands, read from bytes already in
memory (macholib wants a file and parses everything), and a malformed header must give an error
record, not an exception deep inside a general-purpose library. Pure ``struct``, bounds-checked.
"""

from __future__ import annotations

import struct

from distscope.tui.model.binaries import Binary, BuildTool, Dylib, MachODetails, MachOSlice

CPU_TYPES = {7: "i386", 0x01000007: "x86_64", 12: "arm", 0x0100000C: "arm64", 0x0200000C: "arm64_32",
             18: "ppc", 0x01000012: "ppc64"}
FILE_TYPES = {1: "object", 2: "execute", 3: "fvmlib", 4: "core", 5: "preload", 6: "dylib", 7: "dylinker",
              8: "bundle", 9: "dylib_stub", 10: "dsym", 11: "kext_bundle", 12: "fileset"}
DYLIB_COMMANDS = {0xC: "load", 0x80000018: "weak", 0x8000001F: "reexport", 0x20: "lazy", 0x80000023: "upward"}
LC_ID_DYLIB, LC_RPATH, LC_BUILD_VERSION, LC_VERSION_MIN_MACOSX, LC_CODE_SIGNATURE = (
    0xD, 0x8000001C, 0x32, 0x24, 0x1D)
PLATFORMS = {1: "macos", 2: "ios", 3: "tvos", 4: "watchos", 5: "bridgeos", 6: "maccatalyst",
             7: "ios-simulator", 8: "tvos-simulator", 9: "watchos-simulator", 10: "driverkit",
             11: "visionos", 12: "visionos-simulator"}
TOOLS = {1: "clang", 2: "swift", 3: "ld", 4: "lld"}
MH_TWOLEVEL = 0x80
_THIN = {b"\xfe\xed\xfa\xce": (">", 32), b"\xce\xfa\xed\xfe": ("<", 32),
         b"\xfe\xed\xfa\xcf": (">", 64), b"\xcf\xfa\xed\xfe": ("<", 64)}
_MAX_SLICES = 32
_MAX_COMMANDS = 10_000


class MachOError(ValueError):
    """The data is not a readable Mach-O file."""


def unpack_version(value: int) -> str:
    """``major<<16 | minor<<8 | patch`` as ``"major.minor.patch"`` (a zero patch dropped for
    minimum OS and SDK versions, like ``10.9``, by :func:`os_version`)."""
    return f"{value >> 16}.{(value >> 8) & 0xFF}.{value & 0xFF}"


def os_version(value: int) -> str:
    major, minor, patch = value >> 16, (value >> 8) & 0xFF, value & 0xFF
    return f"{major}.{minor}.{patch}" if patch else f"{major}.{minor}"


def _cstring(data: bytes, start: int, end: int) -> str:
    raw = data[start:end]
    nul = raw.find(b"\0")
    return (raw if nul < 0 else raw[:nul]).decode("utf-8", "replace")


def parse_thin(data: bytes, base: int = 0) -> dict:
    """One Mach-O image starting at ``base`` of ``data``."""
    magic = data[base:base + 4]
    if magic not in _THIN:
        raise MachOError("not a Mach-O image")
    end, bits = _THIN[magic]
    header_size = 28 if bits == 32 else 32
    if len(data) < base + header_size:
        raise MachOError("truncated Mach-O header")
    cputype, _sub, filetype, ncmds, sizeofcmds, flags = struct.unpack_from(end + "iiIIII", data, base + 4)
    if ncmds > _MAX_COMMANDS:
        raise MachOError(f"implausible load command count {ncmds}")
    out: dict = {
        "cpu": CPU_TYPES.get(cputype & 0xFFFFFFFF, f"cpu-{cputype & 0xFFFFFFFF:#x}"),
        "bits": bits, "filetype": FILE_TYPES.get(filetype, f"type-{filetype}"),
        "twolevel": bool(flags & MH_TWOLEVEL), "install_name": None, "dylibs": [], "rpaths": [],
        "minos": None, "sdk": None, "platform": None, "tools": [], "signed": False,
    }
    pos = base + header_size
    limit = min(len(data), pos + sizeofcmds)
    for _ in range(ncmds):
        if pos + 8 > limit:
            raise MachOError("load commands run past the end of the file")
        cmd, cmdsize = struct.unpack_from(end + "II", data, pos)
        if cmdsize < 8 or pos + cmdsize > limit:
            raise MachOError(f"bad load command size {cmdsize} at offset {pos - base}")
        if cmd in DYLIB_COMMANDS or cmd == LC_ID_DYLIB:
            name_off, _ts, current, compat = struct.unpack_from(end + "IIII", data, pos + 8)
            name = _cstring(data, pos + name_off, pos + cmdsize)
            if cmd == LC_ID_DYLIB:
                out["install_name"] = name
            else:
                out["dylibs"].append({"name": name, "kind": DYLIB_COMMANDS[cmd],
                                      "compat": unpack_version(compat), "current": unpack_version(current)})
        elif cmd == LC_RPATH:
            (path_off,) = struct.unpack_from(end + "I", data, pos + 8)
            out["rpaths"].append(_cstring(data, pos + path_off, pos + cmdsize))
        elif cmd == LC_BUILD_VERSION and cmdsize >= 24:
            platform, minos, sdk, ntools = struct.unpack_from(end + "IIII", data, pos + 8)
            out["platform"] = PLATFORMS.get(platform, str(platform))
            out["minos"], out["sdk"] = os_version(minos), (os_version(sdk) if sdk else None)
            for i in range(min(ntools, (cmdsize - 24) // 8)):
                tool, version = struct.unpack_from(end + "II", data, pos + 24 + 8 * i)
                out["tools"].append({"tool": TOOLS.get(tool, str(tool)), "version": unpack_version(version)})
        elif cmd == LC_VERSION_MIN_MACOSX and cmdsize >= 16:
            minos, sdk = struct.unpack_from(end + "II", data, pos + 8)
            out["platform"] = "macos"
            out["minos"], out["sdk"] = os_version(minos), (os_version(sdk) if sdk else None)
        elif cmd == LC_CODE_SIGNATURE:
            out["signed"] = True
        pos += cmdsize
    return out


def parse_macho(data: bytes) -> dict:
    """Parse a thin or fat Mach-O: ``{"fat": bool, "slices": [per-image dicts]}``.
    Raises :class:`MachOError` for anything unreadable."""
    try:
        magic = data[:4]
        if magic in (b"\xca\xfe\xba\xbe", b"\xca\xfe\xba\xbf"):
            wide = magic == b"\xca\xfe\xba\xbf"
            (count,) = struct.unpack_from(">I", data, 4)
            if not 0 < count <= _MAX_SLICES:
                raise MachOError(f"implausible fat architecture count {count}")
            slices = []
            for i in range(count):
                if wide:
                    _cpu, _sub, offset, size, _align, _res = struct.unpack_from(">iiQQII", data, 8 + 32 * i)
                else:
                    _cpu, _sub, offset, size, _align = struct.unpack_from(">iiIII", data, 8 + 20 * i)
                if offset + size > len(data) or offset < 8:
                    raise MachOError(f"fat slice {i} lies outside the file")
                slices.append(parse_thin(data, offset))
            return {"fat": True, "slices": slices}
        return {"fat": False, "slices": [parse_thin(data)]}
    except struct.error as exc:
        raise MachOError(f"truncated Mach-O ({exc})") from None


_ARCH = {"arm64": "aarch64", "i386": "i686"}


def _slice(s: dict) -> MachOSlice:
    return MachOSlice(s["cpu"], s["bits"], s["filetype"], s["twolevel"], s["install_name"],
                      [Dylib(**d) for d in s["dylibs"]], s["rpaths"], s["minos"], s["sdk"], s["platform"],
                      [BuildTool(**t) for t in s["tools"]], s["signed"])


def _vkey(text: str) -> tuple[int, ...]:
    return tuple(int(p) for p in text.split(".") if p.isdigit())


def macho_binary(data: bytes) -> Binary:
    """A Mach-O file (thin or fat) as a :class:`Binary` without path and size: the first slice's
    fields, the highest minimum macOS of all slices, every slice's needs once. Raises
    :class:`MachOError`."""
    parsed = parse_macho(data)
    slices = [_slice(s) for s in parsed["slices"]]
    first = slices[0]
    needs: list[str] = []
    for s in slices:
        for d in s.dylibs:
            if d.name not in needs:
                needs.append(d.name)
    minos = [s.minos for s in slices if s.minos]
    details = MachODetails(
        fat=parsed["fat"], arches=[_ARCH.get(s.cpu, s.cpu) for s in slices], type=first.filetype,
        install_name=first.install_name, dylibs=first.dylibs, rpaths=first.rpaths,
        minos=first.minos if not minos else max(minos, key=_vkey), sdk=first.sdk, platform=first.platform,
        tools=first.tools, twolevel=first.twolevel, signed=first.signed, slices=slices if parsed["fat"] else None)
    return Binary("", "macho", needs=needs, machine=_ARCH.get(first.cpu, first.cpu), details=details)
