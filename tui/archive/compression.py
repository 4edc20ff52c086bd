"""Detect an archive's compression by content and open it as a decompressed stream."""

from __future__ import annotations

import bz2
import gzip
import hashlib
import lzma
import os
import stat
from typing import BinaryIO

import zstandard

from tui.errors import NotAnArchive

#: python-build-standalone compresses at level 22 with a 128 MiB window; allow up to 2 GiB.
MAX_WINDOW = 2**31
READ_SIZE = 1 << 20

ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"
_SIGNATURES = [
    (b"\x1f\x8b", "gzip"),
    (b"\xfd7zXZ\x00", "xz"),
    (b"BZh", "bzip2"),
]
_FOREIGN = [
    (b"PK\x03\x04", "a zip archive"),
    (b"PK\x05\x06", "an empty zip archive"),
    (b"7z\xbc\xaf\x27\x1c", "a 7z archive"),
    (b"Rar!", "a RAR archive"),
    (b"\x7fELF", "an ELF binary"),
    (b"MZ", "a Windows executable"),
]


def _is_zstd_frame(head: bytes) -> bool:
    if head.startswith(ZSTD_MAGIC):
        return True
    # Skippable frames (0x184D2A50..5F) may lead a multi-frame (seekable) stream.
    return len(head) >= 4 and head[0] & 0xF0 == 0x50 and head[1:4] == b"\x2a\x4d\x18"


def checksum_ok(block: bytes) -> bool:
    raw = block[148:156].split(b"\x00", 1)[0].strip()
    if not raw:
        return False
    try:
        stored = int(raw, 8)
    except ValueError:
        return False
    unsigned = sum(block[:148]) + 256 + sum(block[156:512])
    return stored == unsigned


def detect(head: bytes) -> str:
    """Name the compression of a stream from its first bytes, or raise NotAnArchive."""
    if not head:
        raise NotAnArchive("empty file: not an archive")
    if _is_zstd_frame(head):
        return "zstd"
    for magic, name in _SIGNATURES:
        if head.startswith(magic):
            return name
    if len(head) >= 512 and checksum_ok(head[:512]):
        return "none"
    for magic, what in _FOREIGN:
        if head.startswith(magic):
            raise NotAnArchive(f"{what}, not a tar archive (distscope reads .tar, .tar.zst, .tar.gz, .tar.xz, .tar.bz2)")
    raise NotAnArchive("not a tar archive: unknown format (distscope reads .tar, .tar.zst, .tar.gz, .tar.xz, .tar.bz2)")


class CountingReader:
    """A raw file wrapper that counts and hashes the compressed bytes as they are read."""

    def __init__(self, raw: BinaryIO, hash_bytes: bool = True) -> None:
        self.raw = raw
        self.bytes_read = 0
        self._sha = hashlib.sha256() if hash_bytes else None

    def read(self, size: int = -1) -> bytes:
        data = self.raw.read(size)
        self.bytes_read += len(data)
        if self._sha is not None:
            self._sha.update(data)
        return data

    def readinto(self, buffer) -> int:  # used by some decompressors
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)

    def readable(self) -> bool:
        return True

    def drain(self) -> None:
        """Read (and hash) whatever the decompressor left unread, so the digest covers the file."""
        while self.read(READ_SIZE):
            pass

    def hexdigest(self) -> str | None:
        return self._sha.hexdigest() if self._sha is not None else None

    def close(self) -> None:
        self.raw.close()


def open_file(path: str | os.PathLike) -> BinaryIO:
    """Open a path for reading, turning OS errors into one-line messages."""
    path = os.fspath(path)
    try:
        st = os.stat(path)
    except FileNotFoundError:
        raise NotAnArchive(f"{path}: no such file") from None
    except OSError as exc:
        raise NotAnArchive(f"{path}: cannot read: {exc.strerror}") from None
    if stat.S_ISDIR(st.st_mode):
        raise NotAnArchive(f"{path}: is a directory, not an archive")
    try:
        return open(path, "rb")
    except OSError as exc:
        raise NotAnArchive(f"{path}: cannot read: {exc.strerror}") from None


def decompressed(raw: BinaryIO, compression: str) -> BinaryIO:
    """Wrap a raw (compressed) reader in the decompressor for ``compression``."""
    if compression == "zstd":
        dctx = zstandard.ZstdDecompressor(max_window_size=MAX_WINDOW)
        return dctx.stream_reader(raw, read_size=READ_SIZE, read_across_frames=True, closefd=False)
    if compression == "gzip":
        return gzip.GzipFile(fileobj=raw, mode="rb")
    if compression == "xz":
        return lzma.LZMAFile(raw)
    if compression == "bzip2":
        return bz2.BZ2File(raw)
    return raw


class OpenedArchive:
    """A compressed archive opened for one sequential pass over its tar stream."""

    def __init__(self, path: str | os.PathLike, hash_bytes: bool = True) -> None:
        self.path = os.fspath(path)
        self._file = open_file(self.path)
        self.size = os.fstat(self._file.fileno()).st_size
        head = self._file.read(1024)
        self._file.seek(0)
        try:
            self.compression = detect(head)
        except NotAnArchive as exc:
            self._file.close()
            raise NotAnArchive(f"{self.path}: {exc.message}") from None
        self.raw = CountingReader(self._file, hash_bytes)
        if self.compression == "none":
            # Plain tar: the counting reader is the stream itself.
            self.stream: BinaryIO = self.raw
        else:
            self.stream = decompressed(self.raw, self.compression)

    def close(self) -> None:
        self._file.close()

    def __enter__(self) -> "OpenedArchive":
        return self

    def __exit__(self, *exc) -> None:
        self.close()
