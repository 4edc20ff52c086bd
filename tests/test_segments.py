"""Segments: content read by range out of the pieces it arrived in, and the readers that use it
(ELF, ELF sections, ar) giving exactly what they give for the joined bytes."""

from __future__ import annotations

import random

import pytest

from tests.mutations import mutations
from tests.archives import gcc_object, make_ar, make_bitcode, make_coff
from distscope.tui.analysis.elf import ElfReadError
from distscope.tui.analysis.elf import parse_elf as _parse_elf
from tests.conftest import plain
from distscope.tui.archive.segments import Segments, as_bytes, as_segments
from distscope.tui.meta import ar
from distscope.tui.analysis.elf import comment_strings, needed_libraries
from distscope.tui.meta.toolchain import elf_comment
from distscope.tui.synth import make_elf


def parse_elf(*args):
    """The model's record as plain data (the JSON contract's keys)."""
    return plain(_parse_elf(*args))


def split(data: bytes, rng: random.Random, cuts: int = 4) -> Segments:
    """``data`` as views of ``cuts`` + 1 pieces cut at random places (some empty)."""
    points = sorted(rng.randrange(len(data) + 1) for _ in range(cuts))
    bounds = [0, *points, len(data)]
    view = memoryview(data)
    return Segments([view[a:b] for a, b in zip(bounds, bounds[1:])])


def test_read_matches_slicing():
    rng = random.Random(3)
    data = bytes(rng.randrange(256) for _ in range(5000))
    for _ in range(20):
        seg = split(data, rng)
        assert len(seg) == len(data) and seg.tobytes() == data
        for _ in range(200):
            start, size = rng.randrange(-10, 5100), rng.randrange(-5, 3000)
            assert seg.read(start, size) == data[max(0, start):max(0, start) + max(0, size)]
            sub = seg.sub(start, size)
            assert sub.tobytes() == seg.read(start, size) and len(sub) == len(sub.tobytes())
            assert sub.read(7, 20) == seg.read(start, size)[7:27]
        assert seg.startswith(data[:3]) and seg.startswith((b"nope", data[:10]))
        assert not seg.startswith(bytes([data[0] ^ 1]))


def test_whole_bytes_piece_is_not_copied():
    data = b"x" * 100
    seg = as_segments(data)
    assert seg.read(0, 100) is data and as_bytes(seg) is data and as_bytes(data) is data
    assert as_segments(seg) is seg
    assert Segments([]).read(0, 10) == b"" and len(Segments([b"", b""])) == 0


def _same(fn, data: bytes, rng: random.Random):
    """``fn`` gives the same on the bytes as on Segments of them (result or exception)."""
    def outcome(arg):
        try:
            return fn(arg)
        except ElfReadError as exc:
            return ("error", str(exc))
    expected = outcome(data)
    assert outcome(split(data, rng)) == expected
    return expected


def _elves() -> list[bytes]:
    out = [make_elf(needed=["libc.so.6", "libm.so.6"], soname="libx.so.1", rpath="$ORIGIN/../lib",
                    runpath="/opt/x", versions={"libc.so.6": ["GLIBC_2.2.5", "GLIBC_2.17"]},
                    undefined_symbols={"memcpy": "GLIBC_2.14", "clock_gettime": "GLIBC_2.17", "pthread_yield": None},
                    comment="GCC: (GNU) 12.2.0", isa_level=3),
           make_elf(machine="s390x", needed=["libc.so.6"], versions={"libc.so.6": ["GLIBC_2.17"]}),
           make_elf(machine="i686", needed=["libc.so.6"], versions={"libc.so.6": ["GLIBC_2.0"]}),
           make_elf(dynamic=False, machine="aarch64", etype="exec")]
    obj = gcc_object()
    return out + ([obj] if obj else [])


def test_elf_readers_over_segments():
    rng = random.Random(5)
    for data in _elves():
        info = _same(parse_elf, data, rng)
        assert isinstance(info, dict) and info["format"] == "elf"
        for cut in (10, 60, len(data) // 2, len(data) - 1):
            _same(parse_elf, data[:cut], rng)
        assert _same(comment_strings, data, rng) == comment_strings(data)
        assert _same(elf_comment, data, rng) == elf_comment(data)
        assert _same(needed_libraries, data, rng) == needed_libraries(data)


def test_elf_hostile_input_over_segments():
    rng = random.Random(9)
    data = _elves()[0]
    for mutated in mutations(data, seed=11, count=150, flips=6):
        _same(parse_elf, mutated, rng)
        _same(elf_comment, mutated, rng)


@pytest.mark.parametrize("cut", [None, 20, 200])
def test_ar_members_over_segments(cut):
    data = make_ar([("a_rather_long_object_name.o", make_bitcode()), ("b.obj", make_coff(0x0105 << 16 | 30133)),
                    ("c.o", _elves()[0])])
    if cut:
        data = data[:len(data) - cut]
    flat = list(ar.members(data))
    seg = list(ar.members(split(data, random.Random(cut or 1))))
    assert all(isinstance(body, bytes) for _, body, _ in flat)
    assert all(isinstance(body, Segments) for _, body, _ in seg)
    assert [(n, b, c) for n, b, c in flat] == [(n, b.tobytes(), c) for n, b, c in seg]
