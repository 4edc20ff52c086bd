"""Random access into decompressed tar streams: plain files, multi-frame zstd (frame table from
a zstd seek table or by walking frame headers), and the seekable copies distscope writes.

A seekable copy is the archive's tar stream recompressed in ~4 MiB zstd frames at a fast level,
followed by a seek table in the zstd "seekable format" (a skippable frame whose footer ends with
the magic 0x8F92EAB1). It is an ordinary ``.tar.zst``: ``zstd -d`` reads it.
"""

from __future__ import annotations

import bisect
import os
import struct
import threading
from collections import OrderedDict
from typing import BinaryIO

import zstandard

from distscope.tui.archive.compression import MAX_WINDOW

FRAME_SIZE = 4 << 20
SEEK_TABLE_MAGIC = 0x184D2A5E
SEEKABLE_MAGIC = 0x8F92EAB1
ZSTD_MAGIC = 0xFD2FB528
#: Decompressed frames kept per source, so neighbouring reads cost nothing.
FRAME_CACHE = 4

#: A frame: (decompressed start, compressed start, compressed size, decompressed size).
Frame = tuple[int, int, int, int]


class PlainSource:
    """An uncompressed tar: read any range with ``pread``."""

    kind = "plain"

    def __init__(self, path: str) -> None:
        self._fd = os.open(path, os.O_RDONLY)

    def read_range(self, offset: int, size: int) -> bytes:
        parts, done = [], 0
        while done < size:
            chunk = os.pread(self._fd, size - done, offset + done)
            if not chunk:
                raise EOFError(f"archive ends before byte {offset + size:,}")
            parts.append(chunk)
            done += len(chunk)
        return b"".join(parts)

    def close(self) -> None:
        os.close(self._fd)


class FramedSource:
    """A zstd file of independent frames with a known frame table."""

    kind = "frames"

    def __init__(self, path: str, frames: list[Frame], kind: str = "frames") -> None:
        self.kind = kind
        self._fd = os.open(path, os.O_RDONLY)
        self.frames = frames
        self._starts = [f[0] for f in frames]
        self._cache: OrderedDict[int, bytes] = OrderedDict()
        self._lock = threading.Lock()

    @property
    def size(self) -> int:
        return self.frames[-1][0] + self.frames[-1][3] if self.frames else 0

    def add_frame(self, frame: Frame) -> None:
        """Append a frame written after this source was opened (a copy being built)."""
        with self._lock:
            self._starts.append(frame[0])
            self.frames.append(frame)

    def _frame(self, i: int) -> bytes:
        with self._lock:
            data = self._cache.get(i)
            if data is not None:
                self._cache.move_to_end(i)
                return data
        ustart, cstart, csize, usize = self.frames[i]
        raw = os.pread(self._fd, csize, cstart)
        data = zstandard.ZstdDecompressor(max_window_size=MAX_WINDOW).decompress(raw, max_output_size=usize)
        if len(data) != usize:
            raise ValueError(f"frame {i} decompressed to {len(data):,} bytes, expected {usize:,}")
        with self._lock:
            self._cache[i] = data
            while len(self._cache) > FRAME_CACHE:
                self._cache.popitem(last=False)
        return data

    def read_range(self, offset: int, size: int) -> bytes:
        if offset + size > self.size:
            raise EOFError(f"stream ends before byte {offset + size:,}")
        parts = []
        i = max(bisect.bisect_right(self._starts, offset) - 1, 0)
        end = offset + size
        while offset < end:
            ustart, _, _, usize = self.frames[i]
            data = self._frame(i)
            lo = offset - ustart
            hi = min(end - ustart, usize)
            parts.append(data[lo:hi])
            offset = ustart + hi
            i += 1
        return b"".join(parts)

    def close(self) -> None:
        os.close(self._fd)


def read_seek_table(f: BinaryIO, file_size: int) -> list[Frame] | None:
    """The frame table from a zstd seek table at the end of ``f``, or None."""
    if file_size < 17:
        return None
    f.seek(file_size - 9)
    count, descriptor, magic = struct.unpack("<IBI", f.read(9))
    if magic != SEEKABLE_MAGIC or descriptor & 0x7C:
        return None
    entry = 12 if descriptor & 0x80 else 8
    table_size = count * entry + 9
    start = file_size - table_size - 8
    if start < 0:
        return None
    f.seek(start)
    header = f.read(8)
    skip_magic, frame_size = struct.unpack("<II", header)
    if skip_magic != SEEK_TABLE_MAGIC or frame_size != table_size:
        return None
    table = f.read(count * entry)
    frames: list[Frame] = []
    ustart = cstart = 0
    for i in range(count):
        csize, usize = struct.unpack_from("<II", table, i * entry)
        frames.append((ustart, cstart, csize, usize))
        ustart += usize
        cstart += csize
    if cstart != start:
        return None
    return frames


def seek_table_bytes(frames: list[Frame]) -> bytes:
    """A zstd seek table (skippable frame) describing ``frames``."""
    body = b"".join(struct.pack("<II", csize, usize) for _, _, csize, usize in frames)
    body += struct.pack("<IBI", len(frames), 0, SEEKABLE_MAGIC)
    return struct.pack("<II", SEEK_TABLE_MAGIC, len(body)) + body


def walk_zstd_frames(f: BinaryIO, file_size: int, stream_size: int | None = None,
                     max_frames: int = 1 << 20) -> list[Frame] | None:
    """The frame table of a zstd file by walking frame and block headers, or None when a frame
    does not record its decompressed size (or the file is not well-formed zstd). With
    ``stream_size``, stop early (None) when the first frame alone holds that many bytes."""
    frames: list[Frame] = []
    pos = ustart = 0
    f.seek(0)
    while pos < file_size:
        f.seek(pos)
        head = f.read(18)
        if len(head) < 8:
            return None
        magic = int.from_bytes(head[:4], "little")
        if magic & 0xFFFFFFF0 == 0x184D2A50:  # skippable frame
            pos += 8 + int.from_bytes(head[4:8], "little")
            continue
        if magic != ZSTD_MAGIC:
            return None
        fhd = head[4]
        single = bool(fhd & 0x20)
        checksum = bool(fhd & 0x04)
        did_size = (0, 1, 2, 4)[fhd & 3]
        fcs_flag = fhd >> 6
        fcs_size = (1 if single else 0, 2, 4, 8)[fcs_flag]
        if fcs_size == 0:
            return None  # decompressed size unknown
        at = 5 + (0 if single else 1) + did_size
        fcs = int.from_bytes(head[at:at + fcs_size], "little") + (256 if fcs_size == 2 else 0)
        if not frames and stream_size is not None and fcs >= stream_size:
            return None  # one frame covers the tar stream: nothing to seek by
        bpos = pos + at + fcs_size
        while True:
            f.seek(bpos)
            bh = f.read(3)
            if len(bh) < 3:
                return None
            value = int.from_bytes(bh, "little")
            last, btype, bsize = value & 1, (value >> 1) & 3, value >> 3
            if btype == 3:
                return None
            bpos += 3 + (1 if btype == 1 else bsize)
            if last:
                break
        end = bpos + (4 if checksum else 0)
        if end > file_size:
            return None
        frames.append((ustart, pos, end - pos, fcs))
        ustart += fcs
        pos = end
        if len(frames) > max_frames:
            return None
    return frames


def zstd_frame_table(path: str, stream_size: int | None = None) -> list[Frame] | None:
    """A usable frame table for a zstd file with several frames, else None."""
    with open(path, "rb") as f:
        size = os.fstat(f.fileno()).st_size
        frames = read_seek_table(f, size)
        if frames is None:
            frames = walk_zstd_frames(f, size, stream_size)
    if not frames or len(frames) < 2:
        return None
    return frames
