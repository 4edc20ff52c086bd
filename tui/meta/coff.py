"""MSVC provenance: PE Rich headers, COFF ``@comp.id`` symbols and /GL (LTCG) anonymous objects.

A comp.id is ``prodid << 16 | build``; since Visual Studio 2015 the product ids are fixed
(0x0102 linker, 0x0104 C, 0x0105 C++, ...) and the build number tells the toolset.
"""

from __future__ import annotations

import re
import struct
from bisect import bisect_right
from typing import Any

#: IMAGE_FILE_MACHINE_* of COFF objects.
MACHINES = {0x14C: "i386", 0x8664: "x86_64", 0xAA64: "arm64", 0x1C4: "armnt", 0xC13: "msil"}

#: Anonymous object class ids (the GUID bytes as stored).
LTCG_CLSID = bytes.fromhex("38feb30ca5d9ab4dac9bd6b6222653c2")  # {0CB3FE38-D9A5-4DAB-AC9B-D6B6222653C2}
BIGOBJ_CLSID = bytes.fromhex("c7a1bad1eebaa94baf20faf66aa4dcb8")  # {D1BAA1C7-BAEE-4BA9-AF20-FAF66AA4DCB8}

#: First build number of each MSVC toolset (lower bounds; VS 2015 and later).
_BUILDS = [
    (23026, "14.0", "VS2015"), (25017, "14.10", "VS2017 15.0"), (25506, "14.11", "VS2017 15.3"),
    (25830, "14.12", "VS2017 15.5"), (26128, "14.13", "VS2017 15.6"), (26428, "14.14", "VS2017 15.7"),
    (26726, "14.15", "VS2017 15.8"), (27023, "14.16", "VS2017 15.9"), (27508, "14.20", "VS2019 16.0"),
    (27702, "14.21", "VS2019 16.1"), (27905, "14.22", "VS2019 16.2"), (28105, "14.23", "VS2019 16.3"),
    (28314, "14.24", "VS2019 16.4"), (28610, "14.25", "VS2019 16.5"), (28805, "14.26", "VS2019 16.6"),
    (29110, "14.27", "VS2019 16.7"), (29333, "14.28", "VS2019 16.8"), (30037, "14.29", "VS2019 16.10"),
    (30133, "14.29", "VS2019 16.11"), (30705, "14.30", "VS2022 17.0"), (31114, "14.31", "VS2022 17.1"),
    (31328, "14.32", "VS2022 17.2"), (31629, "14.33", "VS2022 17.3"), (31933, "14.34", "VS2022 17.4"),
    (32215, "14.35", "VS2022 17.5"), (32532, "14.36", "VS2022 17.6"), (32822, "14.37", "VS2022 17.7"),
    (33130, "14.38", "VS2022 17.8"), (33519, "14.39", "VS2022 17.9"), (33808, "14.40", "VS2022 17.10"),
    (34120, "14.41", "VS2022 17.11"), (34433, "14.42", "VS2022 17.12"), (34808, "14.43", "VS2022 17.13"),
    (35207, "14.44", "VS2022 17.14"), (35717, "14.50", "VS2026 18.0"),
]
_BUILD_KEYS = [b for b, _, _ in _BUILDS]
#: Product ids from VS 2015 on.
PRODUCTS = {
    0x00FD: "aliasobj", 0x00FE: "cvtpgd", 0x00FF: "cvtres", 0x0100: "export", 0x0101: "implib",
    0x0102: "linker", 0x0103: "masm", 0x0104: "c", 0x0105: "c++", 0x0106: "c-std", 0x0107: "c++-std",
    0x0108: "ltcg-c", 0x0109: "ltcg-c++", 0x010A: "ltcg-msil", 0x010B: "pogo-i-c", 0x010C: "pogo-i-c++",
    0x010D: "pogo-o-c", 0x010E: "pogo-o-c++",
}
_OLDER = [(0x0083, "9.0", "VS2008"), (0x0098, "10.0", "VS2010"), (0x00AA, "11.0", "VS2012"),
          (0x00C7, "12.0", "VS2013"), (0x00FD, None, None)]


def toolset(prodid: int, build: int) -> tuple[str, str | None] | None:
    """(MSVC version, Visual Studio release) of a comp.id, or None when unknown."""
    if prodid >= 0x00FD and prodid <= 0x010E:
        i = bisect_right(_BUILD_KEYS, build) - 1
        if i < 0:
            return None
        return _BUILDS[i][1], _BUILDS[i][2]
    for (start, version, vs), (end, _, _) in zip(_OLDER, _OLDER[1:]):
        if start <= prodid < end and version:
            return version, vs
    return None


def product(prodid: int) -> str:
    if prodid == 1:
        return "import"
    return PRODUCTS.get(prodid, f"prodid-{prodid:#06x}")


def rich_header(data: bytes) -> list[tuple[int, int, int]] | None:
    """[(prodid, build, count)] of a PE file's Rich header (it sits in the first kilobytes)."""
    end = data.find(b"Rich", 0x40, 0x1000)
    if end < 0 or end + 8 > len(data):
        return None
    key = struct.unpack_from("<I", data, end + 4)[0]
    start = end - 4
    while start >= 0x40:
        if struct.unpack_from("<I", data, start)[0] ^ key == 0x536E6144:  # "DanS"
            break
        start -= 4
    else:
        return None
    out = []
    for pos in range(start + 16, end - 7, 8):
        comp, count = struct.unpack_from("<II", data, pos)
        comp ^= key
        out.append((comp >> 16, comp & 0xFFFF, count ^ key))
    return out


def object_kind(data: bytes) -> str | None:
    """ltcg (/GL), bigobj, import (short import object), anon, coff, or None for non-COFF."""
    if len(data) < 20:
        return None
    sig1, sig2, version = struct.unpack_from("<HHH", data)
    if sig1 == 0 and sig2 == 0xFFFF:
        if version == 0:
            return "import"
        clsid = data[12:28]
        if clsid == LTCG_CLSID:
            return "ltcg"
        if clsid == BIGOBJ_CLSID:
            return "bigobj"
        return "anon"
    if sig1 in MACHINES or sig1 == 0:
        return "coff"
    return None


def machine(data: bytes) -> str | None:
    if len(data) < 8:
        return None
    sig1, sig2 = struct.unpack_from("<HH", data)
    value = struct.unpack_from("<H", data, 6)[0] if (sig1, sig2) == (0, 0xFFFF) else sig1
    return MACHINES.get(value)


def comp_ids(data: bytes, limit: int = 4) -> list[int]:
    """Values of ``@comp.id`` symbols (symbol name 8 bytes, then the 4-byte value)."""
    out: list[int] = []
    pos = data.find(b"@comp.id")
    while pos >= 0 and pos + 12 <= len(data) and len(out) < limit:
        out.append(struct.unpack_from("<I", data, pos + 8)[0])
        pos = data.find(b"@comp.id", pos + 12)
    return out


_COMPILER_PATH = re.compile(rb"MSVC[\\/](\d+\.\d+\.\d+)[\\/]bin")


def compiler_path_version(data: bytes) -> str | None:
    """The exact toolset of a /GL object, from the ``-compiler:`` path it records (14.29.30133)."""
    match = _COMPILER_PATH.search(data[:1 << 20])
    return match.group(1).decode() if match else None


def describe_object(data: bytes) -> dict[str, Any] | None:
    """What a COFF object (.obj or a .lib member) says about its compiler."""
    kind = object_kind(data)
    if kind is None:
        return None
    out: dict[str, Any] = {"kind": kind, "machine": machine(data), "compilers": []}
    if kind == "import":
        return out
    for value in comp_ids(data):
        prodid, build = value >> 16, value & 0xFFFF
        known = toolset(prodid, build)
        out["compilers"].append({"product": product(prodid), "build": build,
                                 "msvc": known[0] if known else None, "vs": known[1] if known else None})
    if kind == "ltcg":
        out["toolset"] = compiler_path_version(data)
    return out
