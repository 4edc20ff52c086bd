"""Seekable local copies of single-frame archives, in the cache folder.

``<cache>/seekable/<sha256 of the archive>.tar.zst``: the archive's tar stream recompressed in
~4 MiB zstd frames (level 1, each with its content checksum, checked on every read: a damaged
copy is an error, never data) plus a zstd seek table (see :mod:`distscope.tui.archive.seekable`). A
:class:`CopyBuilder` writes one in a background thread during a single pass; reads wait only
until the pass has gone past their bytes, then read from the frames already written. The copies
together stay under a byte budget (``DISTSCOPE_COPY_BUDGET``, in bytes, default 4 GiB): the
least recently used are deleted first, and no copy is made of an archive whose copy alone would
exceed the budget (``DISTSCOPE_COPY_BUDGET=0`` turns copies off; ``--no-cache`` too).
"""

from __future__ import annotations

import os
import threading
import time
from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any, Callable, TypeVar

import zstandard

from distscope.tui.archive.cache import _real_dir, cache_dir, ensure_dir
from distscope.tui.archive.compression import OpenedArchive, _lower_priority, read_exact
from distscope.tui.archive.index import ArchiveIndex
from distscope.tui.archive.tarscan import TRAILER_LIMIT
from distscope.tui.archive.seekable import FRAME_SIZE, FramedSource, read_seek_table, seek_table_bytes

_T = TypeVar("_T")

DEFAULT_BUDGET = 4 << 30
COPY_LEVEL = 1
COMPRESS_THREADS = 2
_STALE_TMP_SECONDS = 3600
_SUFFIX = ".tar.zst"


def copies_dir() -> Path:
    return cache_dir() / "seekable"


def copy_budget() -> int:
    try:
        return int(os.environ.get("DISTSCOPE_COPY_BUDGET", DEFAULT_BUDGET))
    except ValueError:
        return DEFAULT_BUDGET


def estimated_size(index: ArchiveIndex) -> int:
    """About how big the copy of ``index``'s archive will be (level 1 zstd: roughly a third
    of the tar stream, and never smaller than the archive itself)."""
    return max(index.compressed_size, index.uncompressed_bytes // 3)


def copy_path(index: ArchiveIndex) -> Path | None:
    """Where the copy of ``index``'s archive lives; None when it cannot have one (incomplete)."""
    if not index.complete or not index.sha256 or index.compression == "none":
        return None
    return copies_dir() / f"{index.sha256}{_SUFFIX}"


def open_copy(index: ArchiveIndex) -> FramedSource | None:
    """The finished copy of ``index``'s archive, or None (absent, broken, other length)."""
    path = copy_path(index)
    if path is None or not _real_dir(path.parent):
        return None
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0))
        with open(fd, "rb") as f:
            frames = read_seek_table(f, os.fstat(f.fileno()).st_size)
        if frames is None or sum(fr[3] for fr in frames) != index.uncompressed_bytes:
            path.unlink()
            return None
        os.utime(path)  # least recently used goes first
        return FramedSource(str(path), frames, kind="copy")
    except OSError:
        return None


def discard_copy(index: ArchiveIndex) -> None:
    """Delete the copy of ``index``'s archive (found damaged)."""
    path = copy_path(index)
    if path is not None:
        _unlink(path)


def evict(budget: int | None = None, keep: Path | None = None) -> None:
    """Delete least recently used copies until they fit ``budget``; drop stale temp files."""
    budget = copy_budget() if budget is None else budget
    if not _real_dir(copies_dir()):  # never delete through a symlinked folder
        return
    try:
        entries = list(os.scandir(copies_dir()))
    except OSError:
        return
    now = time.time()
    copies = []
    for entry in entries:
        try:
            st = entry.stat(follow_symlinks=False)
        except OSError:
            continue
        if ".tmp" in entry.name:
            if now - st.st_mtime > _STALE_TMP_SECONDS:
                _unlink(entry.path)
        elif entry.name.endswith(_SUFFIX):
            copies.append((st.st_mtime, st.st_size, entry.path))
    total = sum(size for _, size, _ in copies)
    for _, size, path in sorted(copies):
        if total <= budget:
            break
        if keep is not None and Path(path) == keep:
            continue
        _unlink(path)
        total -= size


def _unlink(path: str | os.PathLike[str]) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass


class CopyBuilder:
    """Writes the seekable copy of an archive in a background thread; reads can be served from
    it as soon as the pass has written their bytes (:meth:`read_range` waits until then)."""

    def __init__(self, index: ArchiveIndex, target: Path) -> None:
        self.index = index
        self.target = target
        self.available = 0  #: decompressed bytes already readable from written frames
        self.finished = False
        self.error: str | None = None
        #: The archive's data failed (a decompression error or a bad end checksum): bytes
        #: served from this pass were not verified. Also sets :attr:`error`.
        self.damage: str | None = None
        self._cond = threading.Condition()
        self._stop = threading.Event()
        self._local = threading.local()
        ensure_dir(target.parent)
        self._tmp = target.with_name(f"{target.name}.tmp-{os.getpid()}-{id(self):x}")
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
        self._out = open(os.open(self._tmp, flags, 0o600), "wb")
        self._source = FramedSource(str(self._tmp), [], kind="building")
        self._thread = threading.Thread(target=self._run, name="distscope-copy", daemon=True)
        self._thread.start()

    # -- the pass -------------------------------------------------------------------------
    def _compress(self, chunk: bytes) -> bytes:
        cctx = getattr(self._local, "cctx", None)
        if cctx is None:
            cctx = self._local.cctx = zstandard.ZstdCompressor(level=COPY_LEVEL, write_checksum=True)
        return cctx.compress(chunk)

    def _run(self) -> None:
        # Background work: what is on screen comes first (the app's keys measured 99 ms median
        # while a copy was written at full priority). Threads started here inherit the priority.
        _lower_priority()
        # Compression (the slow half) runs on its own threads, overlapping decompression.
        pool = ThreadPoolExecutor(COMPRESS_THREADS, thread_name_prefix="distscope-compress")
        pending: deque[tuple[Future[bytes], int]] = deque()
        position = [0, 0]  # decompressed, compressed

        def write_oldest() -> None:
            future, usize = pending.popleft()
            data = future.result()
            self._out.write(data)
            self._out.flush()
            frame = (position[0], position[1], len(data), usize)
            position[0] += usize
            position[1] += len(data)
            self._source.add_frame(frame)
            with self._cond:
                self.available = position[0]
                self._cond.notify_all()

        try:
            with OpenedArchive(self.index.path, hash_bytes=False) as archive:
                stream = archive.stream
                remaining = self.index.uncompressed_bytes
                while remaining > 0:
                    if self._stop.is_set():
                        raise InterruptedError("stopped")
                    chunk = self._read_archive(read_exact, stream, min(FRAME_SIZE, remaining))
                    remaining -= len(chunk)
                    pending.append((pool.submit(self._compress, chunk), len(chunk)))
                    while len(pending) > 2 * COMPRESS_THREADS or (pending and pending[0][0].done()):
                        write_oldest()
                while pending:
                    write_oldest()
                # Read to the end of the compressed stream: its checksum is checked only there
                # (gzip, xz, bzip2, single-frame zstd), and walk the container to its end. A
                # copy failing either is never installed.
                damage = self._read_archive(archive.finish, TRAILER_LIMIT)
                if damage:
                    self.damage = self.error = damage
                    raise ValueError(damage)
            self._out.write(seek_table_bytes(self._source.frames))
            self._out.close()
            os.replace(self._tmp, self.target)
            evict(keep=self.target)
        except Exception as exc:  # a failed copy only costs speed: reads fall back to streaming
            self.error = f"{type(exc).__name__}: {exc}"
            self._out.close()
            _unlink(self._tmp)
        finally:
            pool.shutdown(wait=False, cancel_futures=True)
            with self._cond:
                self.finished = True
                self._cond.notify_all()

    def _read_archive(self, read: Callable[..., _T], *args: Any) -> _T:
        try:
            return read(*args)
        except Exception as exc:
            self.damage = f"decompression failed ({type(exc).__name__}: {exc})"
            raise

    # -- reads ----------------------------------------------------------------------------
    def wait_for(self, end: int, timeout: float | None = None) -> bool:
        """Wait until bytes up to ``end`` are readable; False if the pass failed first."""
        with self._cond:
            self._cond.wait_for(lambda: self.available >= end or self.finished, timeout)
            return self.available >= end

    def read_range(self, offset: int, size: int) -> bytes | None:
        """The bytes, once written; None if the pass failed before reaching them."""
        if not self.wait_for(offset + size):
            return None
        return self._source.read_range(offset, size)

    def wait(self, timeout: float | None = None) -> bool:
        """Wait for the whole copy; True when it was written."""
        self._thread.join(timeout)
        return self.finished and self.error is None

    def stop(self) -> None:
        self._stop.set()




_builders: dict[Path, CopyBuilder] = {}
_builders_lock = threading.Lock()


def builder_for(index: ArchiveIndex, start: bool = True) -> CopyBuilder | None:
    """The running (or finished) builder of ``index``'s copy in this process, started when
    asked and when the copy is worth it (complete archive, estimated size within budget)."""
    target = copy_path(index)
    if target is None:
        return None
    with _builders_lock:
        builder = _builders.get(target)
        if builder is not None:  # running, done, or failed (not retried in this process)
            return None if builder.finished and builder.error else builder
        if not start or estimated_size(index) > copy_budget():  # it alone would not fit
            return None
        try:
            builder = CopyBuilder(index, target)
        except OSError:
            return None
        _builders[target] = builder
        return builder
