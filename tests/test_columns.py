"""The columnar member encoding of the index cache: codec choice, round trips, damage."""

from __future__ import annotations

import msgpack
import pytest

from distscope.tui.archive.columns import ColumnBuilder, decode_members, encode_members
from distscope.tui.archive.members import Member


def _member(i, **over) -> Member:
    values = dict(name=f"d/f{i}", path=f"d/f{i}", type="file", size=i * 1000, mode=0o644, mtime=1704067200,
                  uid=0, gid=0, uname="root", gname="root", linkname="", header_offset=i * 1024,
                  data_offset=i * 1024 + 512, kind="text", typeflag="0")
    values.update(over)
    return Member(**values)


def _round_trip(members: list[Member]) -> list[Member]:
    packed = msgpack.packb(encode_members(members), use_bin_type=True, unicode_errors="surrogateescape")
    data = msgpack.unpackb(packed, raw=False, strict_map_key=False, unicode_errors="surrogateescape")
    decoded = decode_members(data)
    assert all(type(m) is Member for m in decoded)
    return decoded


def _same(a: list[Member], b: list[Member]) -> bool:
    """Equal, with equal value types (True must not come back as 1)."""
    return a == b and all(type(x) is type(y) for m, n in zip(a, b) for x, y in zip(m, n))


def _archive(n: int = 200) -> list[Member]:
    """Like a real archive: a few directories, symlinks and modes among many files."""
    out = []
    for i in range(n):
        if i % 7 == 0:
            out.append(_member(i, name=f"d{i}/", path=f"d{i}", type="directory", size=0, mode=0o755,
                               kind="", typeflag="5"))
        elif i % 50 == 1:
            out.append(_member(i, type="symlink", size=0, linkname=f"f{i - 1}", kind="", typeflag="2"))
        else:
            out.append(_member(i, kind=("elf", "text", "other")[i % 3]))
    return out


def test_codecs_chosen_for_a_typical_archive():
    columns = encode_members(_archive())["columns"]
    codecs = {name: spec[0] for name, spec in columns.items()}
    assert codecs == {"name": "blob", "path": "same", "type": "fill", "size": "i64", "mode": "fill",
                      "mtime": "const", "uid": "const", "gid": "const", "uname": "const", "gname": "const",
                      "linkname": "fill", "header_offset": "i64", "data_offset": "i64", "kind": "enum",
                      "typeflag": "fill"}
    assert _same(_round_trip(_archive()), _archive())


@pytest.mark.parametrize("odd", [
    {}, {"size": 1 << 70}, {"size": -(1 << 70)}, {"mtime": -(1 << 40)}, {"mtime": (1 << 64) + 5},
    {"name": "nul\0name"}, {"linkname": "a\0b"}, {"path": "p\0"}, {"name": "bad-\udcff-utf8", "path": "elsewhere"},
    {"uname": "\u00e9"}, {"name": "", "path": ""}, {"name": "\udc80\udcff/\U0001f600"}, {"uid": True},
    {"gid": None}, {"mode": 1.5}, {"kind": 7}, {"typeflag": "\0"}, {"linkname": b"bytes"},
])
@pytest.mark.parametrize("shape", ["archive", "all-odd"])
def test_hostile_values_round_trip(odd, shape):
    members = _archive() + [_member(999, **odd)] if shape == "archive" else [_member(i, **odd) for i in range(40)]
    for subset in (members, members[-1:], members[-2:], []):
        assert _same(_round_trip(subset), subset)


@pytest.mark.parametrize("odd", [{}, {"uid": True}, {"size": 1 << 70}, {"name": "nul\0name"}, {"gid": None},
                                 {"linkname": b"bytes"}, {"mode": 1.5}])
def test_columns_gathered_in_slices_encode_the_same(odd):
    """ColumnBuilder (fed slices during a pass) gives exactly what encode_members gives."""
    import random

    rng = random.Random(7)
    members = _archive(300)
    members[rng.randrange(300)] = _member(5000, **odd)
    builder, start = ColumnBuilder(), 0
    while start < len(members):
        step = rng.randint(1, 40)
        builder.add(members[start:start + step])
        start += step
    builder.add([])
    pack = lambda data: msgpack.packb(data, use_bin_type=True, unicode_errors="surrogateescape")  # noqa: E731
    assert builder.count == len(members) and pack(builder.encode()) == pack(encode_members(members))
    assert pack(ColumnBuilder().encode()) == pack(encode_members([]))


def test_huge_ints_in_every_integer_column():
    big = [_member(i, size=(1 << 65) + i, mode=1 << 80, mtime=-(1 << 70), uid=(1 << 63), gid=-(1 << 63) - 1,
                   header_offset=1 << 100, data_offset=(1 << 100) + i % 2) for i in range(30)]
    assert _same(_round_trip(big), big)


def test_many_distinct_values_use_wide_enum_indices():
    members = [_member(i, mtime=1_000_000 + i % 300) for i in range(5000)]
    columns = encode_members(members)["columns"]
    assert columns["mtime"][0] == "enum" and len(columns["mtime"][2]) == 2 * 5000
    assert _same(_round_trip(members), members)


def test_long_names_span_several_blob_chunks():
    members = [_member(i, name=f"\u00e9t\u00e9/{i:06}/" + "x" * (i % 300) + "\udcff", path=f"p{i}")
               for i in range(2000)]
    members[700] = _member(700, name="", path="")
    chunks = encode_members(members)["columns"]["name"][1]
    assert len(chunks) > 3
    assert _same(_round_trip(members), members)


def test_empty_and_single_member():
    assert _round_trip([]) == []
    one = [_member(1)]
    assert {spec[0] for spec in encode_members(one)["columns"].values()} <= {"const", "same"}
    assert _same(_round_trip(one), one)


def _damaged(change) -> dict:
    data = encode_members(_archive())
    change(data["columns"])
    return msgpack.unpackb(msgpack.packb(data, use_bin_type=True), raw=False, strict_map_key=False)


@pytest.mark.parametrize("change", [
    lambda c: c.pop("kind"),
    lambda c: c.update(extra=["const", 1]),
    lambda c: c.update(uid=["nonsense", 1]),
    lambda c: c.update(uid=["const"]),
    lambda c: c.update(size=["i64", c["size"][1][:-8]]),
    lambda c: c.update(name=["blob", [*c["name"][1][:-1], c["name"][1][-1] + b"\0x"]]),
    lambda c: c.update(name=["blob", [*c["name"][1], b""]]),
    lambda c: c.update(name=["blob", c["name"][1][1:]]),
    lambda c: c.update(name=["blob", b"a\0b"]),
    lambda c: c.update(kind=["enum", c["kind"][1], c["kind"][2][:-1]]),
    lambda c: c.update(kind=["enum", c["kind"][1][:1], c["kind"][2]]),
    lambda c: c.update(kind=["enum", [], b""]),
    lambda c: c.update(type=["fill", "file", c["type"][2] + (10**6).to_bytes(8, "little"), c["type"][3]]),
    lambda c: c.update(type=["fill", "file", (-1).to_bytes(8, "little", signed=True), ["const", "x"]]),
    lambda c: c.update(type=["fill", "file", (200).to_bytes(8, "little"), ["const", "x"]]),
    lambda c: c.update(type=["fill", "file", b"\0" * 7, ["const", "x"]]),
    lambda c: c.update(type=["fill", "file", c["type"][2][:-8], c["type"][3]]),
    lambda c: c.update(path=["same", "missing", *c["path"][2:]]),
    lambda c: c.update(path=["same", "path", *c["path"][2:]]),
    lambda c: c.update(name=["same", "path", *c["path"][2:]]),
    lambda c: c.update(path=["same", "name"]),
])
def test_damaged_columns_raise(change):
    with pytest.raises((ValueError, KeyError, IndexError, TypeError)):
        decode_members(_damaged(change))


def test_wrong_count_raises():
    data = encode_members(_archive())
    for count in (199, 201, -1, "200", None):
        with pytest.raises((ValueError, KeyError, IndexError, TypeError)):
            decode_members({**data, "count": count})
