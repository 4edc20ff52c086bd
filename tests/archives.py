"""Build small tar archives for tests, in every compression distscope reads."""

from __future__ import annotations

import bz2
import gzip
import io
import lzma
import tarfile
import time
from pathlib import Path

import zstandard

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
