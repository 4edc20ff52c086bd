"""A compact, fast-loading columnar encoding of the member list, for the index cache.

Loading 60,000 members must take a few tens of milliseconds, so instead of one msgpack list per
member each :class:`Member` field becomes one column with the cheapest codec that fits:

* ``i64``: integers packed in an ``array('q')`` (one C-level copy to decode);
* ``enum``: few distinct strings (type, owner, kind): the values plus ``array('H')`` indices;
* ``blob``: strings joined by NUL into one UTF-8 (surrogateescape) byte string, split on load;
* ``same``: equal to another column except at a few indices (``path`` is mostly ``name``);
* ``bigint``: integers beyond 64 bits (hostile headers), as decimal strings;
* ``list``: anything else, as a plain msgpack list.

Any mismatch with the current ``Member`` fields raises on decode, so the cache entry is rebuilt.
"""

from __future__ import annotations

import sys
from array import array
from tui.archive.members import Member

_ENC = "utf-8"
_ERRORS = "surrogateescape"
_I64 = (-(1 << 63), (1 << 63) - 1)


def _field_names() -> list[str]:
    return list(Member._fields)


def _ints(values: list) -> bytes:
    packed = array("q", values)
    if sys.byteorder != "little":
        packed.byteswap()
    return packed.tobytes()


def _unints(raw: bytes) -> list[int]:
    packed = array("q")
    packed.frombytes(raw)
    if sys.byteorder != "little":
        packed.byteswap()
    return packed.tolist()


def _encode_column(field: str, values: list, columns: dict[str, list]) -> list:
    ints = all(type(v) is int for v in values)
    strs = not ints and all(type(v) is str for v in values)
    if strs and field == "path" and "name" in columns:
        base = columns["name"]
        diff = {i: v for i, (v, b) in enumerate(zip(values, base)) if v != b}
        if len(diff) * 4 < len(values):
            return ["same", "name", list(diff.items())]
    if ints or strs:  # few distinct values (mode, owner, type, kind): shared objects, 2 bytes each
        distinct = list(dict.fromkeys(values))
        if len(distinct) <= 0xFFFF and len(distinct) * 8 < len(values) and (
                strs or all(_I64[0] <= v <= _I64[1] for v in distinct)):
            lookup = {v: i for i, v in enumerate(distinct)}
            indices = array("H", [lookup[v] for v in values])
            if sys.byteorder != "little":
                indices.byteswap()
            return ["enum", distinct, indices.tobytes()]
    if ints:
        if all(_I64[0] <= v <= _I64[1] for v in values):
            return ["i64", _ints(values)]
        return ["bigint", [str(v) for v in values]]  # hostile base-256 fields: beyond msgpack
    if strs:
        if not any("\0" in v for v in values):
            return ["blob", "\0".join(values).encode(_ENC, _ERRORS)]
    return ["list", values]


def encode_members(members: list[Member]) -> dict:
    """The member list as ``{"count": n, "columns": {field: [codec, ...]}}``."""
    names = _field_names()
    raw = {name: [getattr(m, name) for m in members] for name in names}
    columns = {}
    for name in names:
        columns[name] = _encode_column(name, raw[name], raw)
    return {"count": len(members), "columns": columns}


def _decode_column(spec, count: int, decoded: dict[str, list]) -> list:
    codec = spec[0]
    if codec == "i64":
        values = _unints(spec[1])
    elif codec == "enum":
        indices = array("H")
        indices.frombytes(spec[2])
        if sys.byteorder != "little":
            indices.byteswap()
        values = list(map(list(spec[1]).__getitem__, indices))
    elif codec == "blob":
        values = spec[1].decode(_ENC, _ERRORS).split("\0") if count else []
    elif codec == "same":
        values = list(decoded[spec[1]])
        for i, v in spec[2]:
            values[i] = v
    elif codec == "bigint":
        values = [int(v) for v in spec[1]]
    elif codec == "list":
        values = list(spec[1])
    else:
        raise ValueError(f"unknown column codec {codec!r}")
    if len(values) != count:
        raise ValueError("column length mismatch")
    return values


def decode_members(data: dict) -> list[Member]:
    """The members encoded by :func:`encode_members`; raises ValueError/KeyError if unusable."""
    names = _field_names()
    columns = data["columns"]
    if set(columns) != set(names):
        raise ValueError("member fields changed")
    count = data["count"]
    decoded: dict[str, list] = {}
    pending = list(names)
    while pending:  # "same" columns after the column they refer to
        progress = False
        for name in list(pending):
            spec = columns[name]
            if spec[0] == "same" and spec[1] not in decoded:
                continue
            decoded[name] = _decode_column(spec, count, decoded)
            pending.remove(name)
            progress = True
        if not progress:
            raise ValueError("circular column references")
    return list(map(Member, *(decoded[name] for name in names)))
