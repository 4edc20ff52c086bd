"""A compact, fast-loading columnar encoding of the member list, for the index cache.

Loading 65,000 members must take a few tens of milliseconds, so instead of one msgpack list per
member each :class:`Member` field becomes one column with the cheapest codec that fits. A column
is a msgpack list ``[codec, ...]``; integer arrays are little-endian ``int64`` bytes. Such byte
payloads are :class:`Packed` (a ``bytes`` subclass that msgpack packs as bin) so the cache can
store the big ones outside msgpack; decoding takes any bytes-like payload (bytes, memoryview).

Value codecs:

* ``const``: every value is the same (uid, gid, owner names, often mtime): ``[value]``, decoded
  as ``repeat(value, n)``;
* ``enum``: few distinct values (mode, mtime, kind): the distinct values plus one index per
  member, one byte each for up to 256 values, else two (``uint16``);
* ``i64``: integers packed in an ``int64`` array (one C-level copy to decode);
* ``bigint``: integers beyond 64 bits (hostile base-256 headers), as decimal strings;
* ``blob``: strings without NUL, joined by NUL and encoded as UTF-8 (surrogateescape) in chunks
  of about 64 K characters (each holds whole strings), split on load;
* ``list``: anything else, as a plain msgpack list.

Patch codecs, for columns that are mostly predictable; the exceptions are a ``uint64`` array
of member indices and a nested value-codec column of their values:

* ``fill``: mostly one value (type, typeflag, linkname): ``[value, indices, values]``;
* ``same``: equal to an earlier column except at a few indices (``path`` is mostly ``name``):
  ``[field, indices, values]``.

Decoding checks every length and index, so a damaged column raises (ValueError, KeyError,
IndexError, TypeError) and the cache entry is rebuilt; so does any mismatch with the current
``Member`` fields. The members are built by ``tuple.__new__`` over the zipped columns (the named
tuple's own ``__new__`` is a Python function and would double the cost); ``const``, ``enum`` and
``i64`` columns reach zip as iterators, without a list per column.
"""

from __future__ import annotations

import sys
from array import array
from collections import Counter
from itertools import compress, count, repeat
from operator import ne
from typing import Any, Iterable

from distscope.tui.archive.members import Member

_ENC = "utf-8"
_ERRORS = "surrogateescape"
_I64 = (-(1 << 63), (1 << 63) - 1)
#: Characters per ``blob`` chunk: decoding one at a time reuses the same scratch memory
#: instead of first-touching a temporary string as large as all the names (~2 ms per 7 MB).
_CHUNK = 64 << 10
#: A column is patched (``fill``/``same``) when at most this share of its values are exceptions:
#: a patch costs a Python-level store, an ``enum`` value a C-level lookup (about 3x cheaper).
_PATCH_SHARE = 0.25


class Packed(bytes):
    """A codec's byte payload (packed integers or indices, joined names), as opposed to a member
    value: the cache stores the big ones after the msgpack header (see distscope.tui.archive.cache)."""

    __slots__ = ()


def _ints(values: Iterable[int], typecode: str = "q") -> Packed:
    """Little-endian ``int64`` (``uint64`` for typecode "Q")."""
    packed = array(typecode, values)
    if sys.byteorder != "little":
        packed.byteswap()
    return Packed(packed.tobytes())


def _unints(raw: bytes, typecode: str = "q") -> array[int]:
    packed = array(typecode)
    packed.frombytes(raw)
    if sys.byteorder != "little":
        packed.byteswap()
    return packed


def _fits_i64(values: list[Any]) -> bool:
    """Every value (ints) fits an ``int64``."""
    return not values or (min(values) >= _I64[0] and max(values) <= _I64[1])


# -- encoding ----------------------------------------------------------------------------------
def _encode_values(values: list[Any], types: set[type] | None = None,
                   distinct: dict[Any, None] | None = None) -> list[Any]:
    """The cheapest value codec for ``values``; ``types`` (of the values) and ``distinct``
    (``dict.fromkeys(values)``) when already known."""
    if types is None:
        types = set(map(type, values))  # (C-level walks: this runs over every member, per column)
    ints = types == {int} or not values
    strs = types == {str}
    if values and (ints or strs):  # exact types only: True == 1 would merge in a lookup table
        ordered = list(dict.fromkeys(values) if distinct is None else distinct)
        if strs or _fits_i64(ordered):
            if len(ordered) == 1:
                return ["const", ordered[0]]
            if len(ordered) <= 0xFFFF and len(ordered) * 8 < len(values):
                lookup = {v: i for i, v in enumerate(ordered)}
                indices = array("B" if len(ordered) <= 256 else "H", map(lookup.__getitem__, values))
                if sys.byteorder != "little":
                    indices.byteswap()
                return ["enum", ordered, Packed(indices.tobytes())]
    if ints:
        if _fits_i64(values):
            return ["i64", _ints(values)]
        return ["bigint", [str(v) for v in values]]  # beyond msgpack's integers
    if strs and not any("\0" in v for v in values):
        return ["blob", _chunks(values)]
    return ["list", values]


def _chunks(values: list[str]) -> list[Packed]:
    """``values`` (at least one) joined by NUL, in pieces of about :data:`_CHUNK` characters."""
    out, start, size = [], 0, 0
    for i, v in enumerate(values, 1):
        size += len(v) + 1
        if size >= _CHUNK or i == len(values):
            out.append(Packed("\0".join(values[start:i]).encode(_ENC, _ERRORS)))
            start, size = i, 0
    return out


def _exceptions(values: list[Any], base: Any, types: set[type]) -> tuple[list[int], list[Any]] | None:
    """Indices and values where ``values`` (of ``types``) differs from ``base`` (a value or a
    list of the same length), or None when they are too many for a patch codec to pay off."""
    differs: Iterable[Any]
    if isinstance(base, list):
        differs = map(ne, values, base)
        if types != set(map(type, base)) or len(types) > 1:
            differs = (v != b or type(v) is not type(b) for v, b in zip(values, base))
    else:
        differs = map(base.__ne__, values)
        if types != {type(base)}:  # (True == 1: equal values of other types differ)
            differs = (v != base or type(v) is not type(base) for v in values)
    at = list(compress(count(), differs))
    if len(at) > len(values) * _PATCH_SHARE:
        return None
    return at, [values[i] for i in at]


def _most_common(values: list[Any], plain: list[Any]) -> Any:
    """The most common of ``values`` (the first seen among equals), counted from an ``enum``
    column's one-byte indices when it has them (a C-level count, no dict of the values)."""
    if plain[0] == "enum" and len(plain[1]) <= 256:
        tally = Counter(plain[2])  # (bytes: counted as small ints)
        return plain[1][max(range(len(plain[1])), key=lambda i: (tally[i], -i))]
    return Counter(values).most_common(1)[0][0]


def _encode_column(field: str, values: list[Any], columns: dict[str, list[Any]], types: set[type],
                   distinct: dict[Any, None] | None) -> list[Any]:
    """The codec of one column: ``types`` of its values, ``distinct`` the ``dict.fromkeys`` of
    them (None when unhashable), both as :class:`ColumnBuilder` gathered them."""
    if field == "path" and "name" in columns:
        patch = _exceptions(values, columns["name"], types)
        if patch is not None:
            return ["same", "name", _ints(patch[0], "Q"), _encode_values(patch[1])]
    plain = _encode_values(values, types, distinct)
    if plain[0] in ("enum", "list"):  # mostly one value? (a list may hold one common value too)
        try:
            common = _most_common(values, plain)
        except TypeError:  # unhashable values
            return plain
        if type(common) in (int, str) and (type(common) is str or _fits_i64([common])):
            patch = _exceptions(values, common, types)
            if patch is not None:
                return ["fill", common, _ints(patch[0], "Q"), _encode_values(patch[1])]
    return plain


def encode_members(members: list[Member]) -> dict[str, Any]:
    """The member list as ``{"count": n, "columns": {field: [codec, ...]}}``."""
    builder = ColumnBuilder()
    builder.add(members)
    return builder.encode()


class ColumnBuilder:
    """The columns of a member list, possibly still growing: :meth:`add` takes the members in
    order, in slices (a pass calls it while it waits for data), doing the walks over every
    value (transposing, value types, distinct values) as they come; :meth:`encode` then
    encodes them (:func:`encode_members` is one ``add`` of them all)."""

    def __init__(self) -> None:
        self.count = 0
        self._values: dict[str, list[Any]] = {name: [] for name in Member._fields}
        self._types: dict[str, set[type]] = {name: set() for name in Member._fields}
        self._distinct: dict[str, dict[Any, None] | None] = {name: {} for name in Member._fields}

    def add(self, members: list[Member]) -> None:
        if not members:
            return
        for name, column in zip(Member._fields, zip(*members)):
            self._values[name] += column
            self._types[name].update(map(type, column))
            distinct = self._distinct[name]
            if distinct is not None:
                try:
                    distinct.update(dict.fromkeys(column))
                except TypeError:  # unhashable values: left to the codecs
                    self._distinct[name] = None
        self.count += len(members)

    def encode(self) -> dict[str, Any]:
        raw = self._values
        return {"count": self.count,
                "columns": {name: _encode_column(name, raw[name], raw, self._types[name], self._distinct[name])
                            for name in Member._fields}}


# -- decoding ----------------------------------------------------------------------------------
def _decode_values(spec: list[Any], count: int) -> Any:
    """The ``count`` values of a value-codec column, as a list or a one-pass iterable of exactly
    that length (a lookup per value, ``repeat``): no list is built that zip would only walk."""
    codec = spec[0]
    if codec == "const":
        (value,) = spec[1:]
        return repeat(value, count)
    if codec == "enum":
        distinct, raw = spec[1:]
        if not isinstance(distinct, list) or not distinct:
            raise ValueError("bad enum values")
        if len(distinct) <= 256:
            indices = raw
        else:
            indices = array("H")
            indices.frombytes(raw)
            if sys.byteorder != "little":
                indices.byteswap()
        if len(indices) != count:
            raise ValueError("column length mismatch")
        return map(distinct.__getitem__, indices)  # an index out of range raises IndexError
    values: Any
    if codec == "i64":
        values = _unints(spec[1])
    elif codec == "blob":
        values = []
        for chunk in spec[1]:  # each holds at least one name ("" splits into [""])
            values += str(chunk, _ENC, _ERRORS).split("\0")
    elif codec == "bigint":
        values = [int(v) for v in spec[1]]
    elif codec == "list":
        values = list(spec[1])
    else:
        raise ValueError(f"unknown column codec {codec!r}")
    if len(values) != count:
        raise ValueError("column length mismatch")
    return values


def _patch(values: list[Any], spec: list[Any]) -> list[Any]:
    """Apply the exceptions ``[indices, values spec]`` of a patch codec to ``values``, in place."""
    at = _unints(spec[0], "Q")  # unsigned: an index past the end raises IndexError, none wraps
    for i, value in zip(at, _decode_values(spec[1], len(at))):
        values[i] = value
    return values


def decode_members(data: dict[str, Any]) -> list[Member]:
    """The members encoded by :func:`encode_members`; raises (ValueError, KeyError, ...) if unusable."""
    names = Member._fields
    columns = data["columns"]
    count = data["count"]
    if set(columns) != set(names) or type(count) is not int or count < 0:
        raise ValueError("member fields changed")
    decoded: dict[str, Any] = {}
    for name in sorted(names, key=lambda n: columns[n][0] == "same"):  # "same" columns last
        spec = columns[name]
        if spec[0] == "fill":
            if len(spec) != 4:
                raise ValueError("bad fill column")
            decoded[name] = _patch([spec[1]] * count, spec[2:])
        elif spec[0] == "same":
            base = decoded.get(spec[1]) if len(spec) == 4 else None
            if base is None:
                raise ValueError("bad same column")
            if not isinstance(base, list):  # a one-pass iterable: zip must still get every value
                base = decoded[spec[1]] = list(base)
            decoded[name] = _patch(list(base), spec[2:])
        else:
            decoded[name] = _decode_values(spec, count)
    members = list(map(tuple.__new__, repeat(Member), zip(*(decoded[name] for name in names))))
    if len(members) != count:
        raise ValueError("column length mismatch")
    return members
