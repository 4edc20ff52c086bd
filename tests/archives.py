"""The tests' shared helpers: small tar archives in every compression distscope reads, and the
files that go in them (PYTHON.json documents, bitcode, COFF, ar, Rich headers, a gcc object)."""

from __future__ import annotations

import bz2
import functools
import gzip
import io
import lzma
import os
import shutil
import struct
import subprocess
import tarfile
import time
from pathlib import Path

import zstandard

from distscope.tui.meta import ar, coff

MTIME = 1704067200  # 2024-01-01, as python-build-standalone sets it


def entry(name: str, data: bytes | str = b"", *, type: str = "file", link: str = "",
          mode: int | None = None) -> tarfile.TarInfo | tuple[tarfile.TarInfo, bytes]:
    """A (TarInfo, data) pair: type is file, dir, symlink, hardlink or fifo."""
    info = tarfile.TarInfo(name)
    info.mtime = MTIME
    if isinstance(data, str):
        data = data.encode()
    if type == "file":
        info.size = len(data)
        info.mode = 0o644 if mode is None else mode
    elif type == "dir":
        info.type, info.mode = tarfile.DIRTYPE, 0o755 if mode is None else mode
    elif type == "symlink":
        info.type, info.linkname, info.mode = tarfile.SYMTYPE, link, 0o777
    elif type == "hardlink":
        info.type, info.linkname = tarfile.LNKTYPE, link
    elif type == "fifo":
        info.type = tarfile.FIFOTYPE
    return info, data


def tar_bytes(entries, format: int = tarfile.PAX_FORMAT) -> bytes:
    """An uncompressed tar stream of ``entries`` (pairs from :func:`entry`)."""
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w", format=format) as tar:
        for info, data in entries:
            tar.addfile(info, io.BytesIO(data) if info.isreg() else None)
    return out.getvalue()


def compress(data: bytes, compression: str = "zstd", frame_size: int | None = None) -> bytes:
    """Compress a tar stream; ``frame_size`` makes multi-frame zstd."""
    if compression == "zstd":
        cctx = zstandard.ZstdCompressor(level=3)
        if frame_size:
            return b"".join(cctx.compress(data[i:i + frame_size]) for i in range(0, len(data), frame_size))
        return cctx.compress(data)
    if compression == "gzip":
        return gzip.compress(data, mtime=0)
    if compression == "xz":
        return lzma.compress(data)
    if compression == "bzip2":
        return bz2.compress(data)
    assert compression == "none"
    return data


def write_archive(path: Path, entries, compression: str = "zstd", **kwargs) -> Path:
    path.write_bytes(compress(tar_bytes(entries, kwargs.pop("format", tarfile.PAX_FORMAT)), compression, **kwargs))
    return path


def small_distribution() -> list:
    """A tiny install_only-like tree (text only): enough for tree and command tests."""
    return [
        entry("python/bin/python3.12", b"#!ELF-placeholder\n", mode=0o755),
        entry("python/bin/python3", type="symlink", link="python3.12"),
        entry("python/bin/python", type="symlink", link="python3"),
        entry("python/lib/python3.12/os.py", "import abc\n" * 50),
        entry("python/lib/python3.12/json/__init__.py", '"""json"""\n'),
        entry("python/lib/python3.12/LICENSE.txt", "A. HISTORY OF THE SOFTWARE\nPython license text\n"),
        entry("python/include/python3.12/patchlevel.h", '#define PY_VERSION "3.12.7"\n'),
        entry("python/share/empty", b""),
    ]


CHAR6 = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._"


class BitWriter:
    def __init__(self):
        self.value, self.pos = 0, 0

    def fixed(self, value, width):
        self.value |= value << self.pos
        self.pos += width

    def vbr(self, value, width):
        high = 1 << (width - 1)
        while value >= high:
            self.fixed((value & (high - 1)) | high, width)
            value >>= width - 1
        self.fixed(value, width)

    def align32(self):
        self.pos = (self.pos + 31) & ~31

    def bytes(self):
        return self.value.to_bytes((self.pos + 7) // 8, "little")


def make_bitcode(producer="LLVM22.1.3", abbreviated=True) -> bytes:
    """Bitcode magic + an IDENTIFICATION_BLOCK as LLVM writes it (char6 string, epoch)."""
    w = BitWriter()
    w.fixed(1, 2)      # ENTER_SUBBLOCK
    w.vbr(13, 8)       # IDENTIFICATION_BLOCK_ID
    w.vbr(5, 4)        # abbreviation width inside
    w.align32()
    w.fixed(0, 32)     # block length in words (not needed by the reader)
    if abbreviated:
        w.fixed(2, 5)  # DEFINE_ABBREV: [literal 1, array, char6]
        w.vbr(3, 5)
        w.fixed(1, 1), w.vbr(1, 8)
        w.fixed(0, 1), w.fixed(3, 3)
        w.fixed(0, 1), w.fixed(4, 3)
        w.fixed(4, 5)  # record with abbreviation 4
        w.vbr(len(producer), 6)
        for ch in producer:
            w.fixed(CHAR6.index(ch), 6)
    else:
        w.fixed(3, 5)  # UNABBREV_RECORD code 1
        w.vbr(1, 6), w.vbr(len(producer), 6)
        for ch in producer:
            w.vbr(ord(ch), 6)
    w.fixed(3, 5)      # UNABBREV_RECORD EPOCH 0
    w.vbr(2, 6), w.vbr(1, 6), w.vbr(0, 6)
    w.fixed(0, 5)      # END_BLOCK
    w.align32()
    return b"BC\xc0\xde" + w.bytes() + b"\x00" * 64


def make_coff(comp_id: int) -> bytes:
    """A COFF object with no sections and one @comp.id symbol."""
    header = struct.pack("<HHIIIHH", 0x8664, 0, 0, 20, 1, 0, 0)
    symbol = b"@comp.id" + struct.pack("<IhHBB", comp_id, -1, 0, 3, 0)
    return header + symbol + struct.pack("<I", 4)


def make_ltcg(comp_id: int, toolset="14.29.30133") -> bytes:
    """A /GL anonymous object: anon header with the LTCG class id, a compiler path and @comp.id."""
    payload = (b'-compiler:"C:\\VS\\VC\\Tools\\MSVC\\' + toolset.encode() + b'\\bin\\HostX86\\x64\\c2.dll"\x00'
               + b"@comp.id" + struct.pack("<IhHBB", comp_id, -1, 0, 3, 0))
    return struct.pack("<HHHHI", 0, 0xFFFF, 1, 0x8664, 0) + coff.LTCG_CLSID + struct.pack("<I", len(payload)) + payload


def make_pe_with_rich(entries, key=0x1234ABCD) -> bytes:
    """MZ header, a Rich header of (prodid, build, count) entries, then a bare PE signature."""
    rich = [0x536E6144 ^ key, key, key, key]
    for prodid, build, count in entries:
        rich += [(prodid << 16 | build) ^ key, count ^ key]
    body = struct.pack(f"<{len(rich)}I", *rich) + b"Rich" + struct.pack("<I", key)
    pe_offset = 0x80 + len(body) + 8
    dos = bytearray(b"MZ" + b"\x00" * 0x7E)
    struct.pack_into("<I", dos, 0x3C, pe_offset)
    return bytes(dos) + body + b"\x00" * 8 + b"PE\x00\x00" + b"\x00" * 64


def make_macho_with_tools(tools) -> bytes:
    cmd = struct.pack("<IIIIII", 0x32, 24 + 8 * len(tools), 1, 0x0A0F00, 0x0E0000, len(tools))
    cmd += b"".join(struct.pack("<II", tool, version) for tool, version in tools)
    header = struct.pack("<IiiIIIII", 0xFEEDFACF, 0x01000007, 3, 2, 1, len(cmd), 0, 0)
    return header + cmd


def make_ar(members) -> bytes:
    """A GNU ar archive with a long-name table."""
    longnames = b"".join(name.encode() + b"/\n" for name, _ in members)
    out = [ar.MAGIC, b"/".ljust(16) + b"0".ljust(12) + b"0".ljust(6) + b"0".ljust(6) + b"0".ljust(8)
           + b"4".ljust(10) + b"`\n" + b"\x00\x00\x00\x00"]
    out.append(b"//".ljust(48) + str(len(longnames)).encode().ljust(10) + b"`\n" + longnames
               + (b"\n" if len(longnames) % 2 else b""))
    offset = 0
    for name, data in members:
        out.append(f"/{offset}".encode().ljust(16) + b"0".ljust(12) + b"0".ljust(6) + b"0".ljust(6)
                   + b"644".ljust(8) + str(len(data)).encode().ljust(10) + b"`\n" + data
                   + (b"\n" if len(data) % 2 else b""))
        offset += len(name) + 2
    return b"".join(out)


@functools.lru_cache(maxsize=None)
def gcc_object() -> bytes | None:
    """An ELF object compiled by the host gcc (None when there is no gcc)."""
    gcc = shutil.which("gcc")
    if not gcc:
        return None
    import tempfile
    with tempfile.TemporaryDirectory() as tmp:
        src = os.path.join(tmp, "a.c")
        with open(src, "w") as fh:
            fh.write("int f(void) { return 1; }\n")
        out = os.path.join(tmp, "a.o")
        if subprocess.run([gcc, "-c", src, "-o", out], capture_output=True).returncode:
            return None
        with open(out, "rb") as fh:
            return fh.read()


def python_json(version: int = 8, **extra) -> dict:
    """A PYTHON.json of format ``version`` (5..8 use target_triple; older ones os/arch)."""
    doc: dict = {"version": str(version), "python_version": "3.12.7", "python_exe": "install/bin/python3",
                 "python_paths": {"stdlib": "install/lib/python3.12", "include": "install/include/python3.12"}}
    if version >= 5:
        doc.update(target_triple="x86_64-unknown-linux-gnu", python_tag="cp312", python_abi_tag="cp312",
                   python_platform_tag="linux-x86_64", libpython_link_mode="shared",
                   crt_features=["glibc-dynamic", "glibc-max-symbol-version:2.17"],
                   python_extension_module_loading=["builtin", "shared-library"])
    else:
        doc.update(os="linux", arch="x86_64", link_mode="static")
    if version >= 8:
        doc["build_options"] = "pgo+lto"
    doc["optimizations"] = "pgo+lto" if version >= 8 else "pgo"
    if version >= 7:
        doc.update(apple_sdk_canonical_name=None)
    doc["licenses"] = ["Python-2.0", "CNRI-Python"]
    doc["license_path"] = "licenses/LICENSE.cpython.txt"
    doc["build_info"] = {
        "core": {"objs": ["build/Objects/abstract.o"], "links": [{"name": "m", "system": True}],
                 "shared_lib": "install/lib/libpython3.12.so.1.0"},
        "object_file_format": "llvm-bitcode:%22.1.3",
        "extensions": {
            "_abc": [{"in_core": True, "init_fn": "PyInit__abc", "links": [], "objs": [], "required": True,
                      "variant": "default"}],
            "_ssl": [{"in_core": False, "init_fn": "PyInit__ssl", "licenses": ["Apache-2.0"],
                      "license_paths": ["licenses/LICENSE.openssl-3.txt"], "license_public_domain": None,
                      "links": [{"name": "ssl", "path_static": "build/lib/libssl.a"}],
                      "objs": ["build/Modules/_ssl.o"], "required": False, "shared_lib": None,
                      "static_lib": "build/lib/_ssl.a", "variant": "default"}],
            "_crypt": [{"in_core": False, "links": [{"name": "crypt", "system": True}], "objs": [],
                        "required": False, "shared_lib": "install/lib/python3.12/lib-dynload/_crypt.so",
                        "variant": "default"}],
        },
    }
    doc.update(extra)
    return doc
