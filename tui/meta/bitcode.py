"""LLVM bitcode producer: the IDENTIFICATION_BLOCK at the start of a bitcode file.

The block (id 13) holds a STRING record (code 1, ``"LLVM" + version``, usually char6-packed, so a
byte search does not find it) and an EPOCH record (code 2). Reads only the first kilobytes.
"""

from __future__ import annotations

import re
import struct
from typing import Any

MAGIC = b"BC\xc0\xde"
WRAPPER_MAGIC = b"\xde\xc0\x17\x0b"
IDENTIFICATION_BLOCK = 13
_CHAR6 = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._"
_MAX_BYTES = 64 << 10


class _Bits:
    def __init__(self, data: bytes) -> None:
        self.value = int.from_bytes(data, "little")
        self.size = len(data) * 8
        self.pos = 0

    def fixed(self, width: int) -> int:
        if width == 0:
            return 0
        if self.pos + width > self.size:
            raise EOFError
        out = (self.value >> self.pos) & ((1 << width) - 1)
        self.pos += width
        return out

    def vbr(self, width: int) -> int:
        if width < 2:
            raise ValueError("bad vbr width")
        out, shift, high = 0, 0, 1 << (width - 1)
        while True:
            piece = self.fixed(width)
            out |= (piece & (high - 1)) << shift
            if not piece & high:
                return out
            shift += width - 1
            if shift > 64:
                raise ValueError("vbr too long")

    def align32(self) -> None:
        self.pos = (self.pos + 31) & ~31


def _read_operand(bits: _Bits, op: tuple[Any, ...]) -> int | str:
    kind = op[0]
    if kind == "literal":
        return int(op[1])
    if kind == "fixed":
        return bits.fixed(op[1])
    if kind == "vbr":
        return bits.vbr(op[1])
    if kind == "char6":
        return _CHAR6[bits.fixed(6)]
    raise ValueError(f"unexpected operand {kind}")


def _abbreviated(bits: _Bits, abbrev: list[tuple[Any, ...]]) -> list[Any]:
    values: list[Any] = []
    i = 0
    while i < len(abbrev):
        op = abbrev[i]
        if op[0] == "array":
            count = bits.vbr(6)
            element = abbrev[i + 1]
            values.extend(_read_operand(bits, element) for _ in range(min(count, 4096)))
            i += 2
            continue
        if op[0] == "blob":
            length = bits.vbr(6)
            bits.align32()
            values.extend(bits.fixed(8) for _ in range(min(length, 4096)))
            bits.align32()
        else:
            values.append(_read_operand(bits, op))
        i += 1
    return values


def _define_abbrev(bits: _Bits) -> list[tuple[Any, ...]]:
    ops: list[tuple[Any, ...]] = []
    for _ in range(bits.vbr(5)):
        if bits.fixed(1):
            ops.append(("literal", bits.vbr(8)))
            continue
        encoding = bits.fixed(3)
        if encoding == 1:
            ops.append(("fixed", bits.vbr(5)))
        elif encoding == 2:
            ops.append(("vbr", bits.vbr(5)))
        elif encoding == 3:
            ops.append(("array",))
        elif encoding == 4:
            ops.append(("char6",))
        elif encoding == 5:
            ops.append(("blob",))
        else:
            raise ValueError("bad abbreviation encoding")
    return ops


def _identification(bits: _Bits, width: int) -> dict[str, Any]:
    abbrevs: list[list[tuple[Any, ...]]] = []
    out: dict[str, Any] = {"producer": None, "epoch": None}
    for _ in range(1000):
        abbrev_id = bits.fixed(width)
        if abbrev_id == 0:  # END_BLOCK
            break
        if abbrev_id == 1:  # nested block: skip it
            bits.vbr(8), bits.vbr(4)
            bits.align32()
            bits.pos += 32 * bits.fixed(32)
            continue
        if abbrev_id == 2:
            abbrevs.append(_define_abbrev(bits))
            continue
        if abbrev_id == 3:
            code, count = bits.vbr(6), bits.vbr(6)
            values: list[Any] = [bits.vbr(6) for _ in range(min(count, 4096))]
        else:
            if abbrev_id - 4 >= len(abbrevs):
                raise ValueError("undefined abbreviation")
            record = _abbreviated(bits, abbrevs[abbrev_id - 4])
            code, values = record[0], record[1:]
        if code == 1:
            out["producer"] = "".join(v if isinstance(v, str) else chr(v & 0xFF) for v in values)
        elif code == 2 and values:
            out["epoch"] = values[0]
    return out


def producer(data: bytes) -> dict[str, Any] | None:
    """{"producer": "LLVM22.1.3", "epoch": 0, "llvm_version": "22.1.3"} of a bitcode file, a dict
    with producer None when it has no identification block, or None when not bitcode."""
    if data.startswith(WRAPPER_MAGIC) and len(data) >= 20:
        _, _, offset, size, _ = struct.unpack_from("<5I", data)
        data = data[offset:offset + size] if size else data[offset:]
    if not data.startswith(MAGIC):
        return None
    bits = _Bits(data[4:_MAX_BYTES])
    out: dict[str, Any] = {"producer": None, "epoch": None}
    try:
        if bits.fixed(2) == 1:  # ENTER_SUBBLOCK at top level
            block, width = bits.vbr(8), bits.vbr(4)
            bits.align32()
            bits.fixed(32)
            if block == IDENTIFICATION_BLOCK and width > 0:
                out = _identification(bits, width)
    except (EOFError, ValueError, IndexError):
        pass
    match = re.match(r"([A-Za-z]+)\s*(\d+(?:\.\d+)*)", out["producer"] or "")
    out["llvm_version"] = match.group(2) if match else None
    return out
