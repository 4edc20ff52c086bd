"""Detect an archive's compression by content and open it as a decompressed stream."""

from __future__ import annotations

import bz2
import gzip
import hashlib
import io
import lzma
import os
import queue
import stat
import sys
import threading
from typing import BinaryIO, Callable, Protocol, cast

import zstandard

from distscope.tui.archive.limits import LIMITS, window_message
from distscope.tui.archive.tarscan import ZERO_BLOCK, Readable, checksum_ok
from distscope.tui.errors import NotAnArchive

__all__ = ["MAX_WINDOW", "CountingReader", "FileHasher", "OpenedArchive", "ThreadedReader", "checksum_ok",
           "decompressed", "detect", "open_file"]

#: The most any decompressor here may be asked for (the usual limit is LIMITS.max_window).
MAX_WINDOW = 2**31
READ_SIZE = 8 << 20
#: Decompressed bytes per hand-over from the decompression thread, and chunks queued ahead.
THREAD_CHUNK = 8 << 20
THREAD_DEPTH = 8  # (64 MiB: lets decompression run ahead through stretches of many small members)
#: Above this zstd window, use 1 MiB reads and chunks: the window already costs its size in
#: memory (128 MiB for python-build-standalone), so keep the pass's own buffers small.
LARGE_WINDOW = 32 << 20
SMALL_SIZE = 1 << 20
SMALL_CHUNK = 1 << 20
SMALL_DEPTH = 4
#: ... unless analysers ride the pass: the parsing thread then runs Python for longer, and each
#: hand-over (a compressed read, a decompressed chunk) waits for the GIL; 8 MiB reads and 4 MiB
#: chunks make a tenth as many (measured: 1.45 s -> 1.2 s on a 1 GB archive, 15 MB more memory).
ANALYSED_SIZE, ANALYSED_CHUNK, ANALYSED_DEPTH = 8 << 20, 4 << 20, 2
HASH_CHUNK = 8 << 20  # (few, long GIL-free updates: each hand-back of the GIL costs the parser a switch)

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


def detect(head: bytes) -> str:
    """Name the compression of a stream from its first bytes, or raise NotAnArchive."""
    if not head:
        raise NotAnArchive("empty file: not an archive")
    if _is_zstd_frame(head):
        return "zstd"
    for magic, name in _SIGNATURES:
        if head.startswith(magic):
            return name
    if len(head) >= 512 and (checksum_ok(head[:512]) or head[:512] == ZERO_BLOCK):
        return "none"  # (an all-zero first block is an empty tar: just the end marker)
    for magic, what in _FOREIGN:
        if head.startswith(magic):
            raise NotAnArchive(f"{what}, not a tar archive (distscope reads .tar, .tar.zst, .tar.gz, .tar.xz, .tar.bz2)")
    raise NotAnArchive("not a tar archive: unknown format (distscope reads .tar, .tar.zst, .tar.gz, .tar.xz, .tar.bz2)")


class RawReadable(Readable, Protocol):
    """The compressed file under a decompressor: read, readinto (counted) and close."""

    def readinto(self, buffer: bytearray | memoryview, /) -> int | None: ...

    def close(self) -> None: ...


class CountingReader:
    """A raw file wrapper that counts the compressed bytes read (for progress)."""

    def __init__(self, raw: RawReadable) -> None:
        self.raw = raw
        self.bytes_read = 0

    def read(self, size: int = -1) -> bytes:
        data = self.raw.read(size)
        self.bytes_read += len(data)
        return data

    def readinto(self, buffer: bytearray | memoryview) -> int | None:
        n = self.raw.readinto(buffer)
        self.bytes_read += n or 0
        return n

    def readable(self) -> bool:
        return True

    def close(self) -> None:
        self.raw.close()


def open_file(path: str | os.PathLike[str]) -> io.BufferedReader:
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
    if not stat.S_ISREG(st.st_mode):  # a FIFO would block in open, a device never end
        raise NotAnArchive(f"{path}: is {_file_kind(st.st_mode)}, not an archive (only regular files are read)")
    try:
        # O_NONBLOCK: a file swapped for a FIFO since the stat must not block the open.
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        raise NotAnArchive(f"{path}: cannot read: {exc.strerror}") from None
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise NotAnArchive(f"{path}: is not a regular file, not an archive")
    if hasattr(os, "set_blocking"):
        os.set_blocking(fd, True)
    return open(fd, "rb")


def _file_kind(mode: int) -> str:
    for test, name in ((stat.S_ISFIFO, "a FIFO"), (stat.S_ISCHR, "a character device"),
                       (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket")):
        if test(mode):
            return name
    return "not a regular file"


def limit_message(exc: BaseException) -> str | None:
    """The one-line refusal for a decompression error that is the window or dictionary limit
    (a frame after the first, or an xz block), else None."""
    text = str(exc)
    if isinstance(exc, zstandard.ZstdError) and "too much memory" in text:
        return f"a zstd frame needs a window above the {LIMITS.max_window >> 20} MiB limit (raise it with --max-window)"
    if isinstance(exc, lzma.LZMAError) and "Memory usage limit" in text:
        return (f"an xz block needs a dictionary above the {LIMITS.max_window >> 20} MiB limit "
                f"(raise it with --max-window)")
    return None


#: Decoder memory an xz stream may take beyond its dictionary.
_XZ_OVERHEAD = 4 << 20


def zstd_window(head: bytes) -> int:
    """The window size the first zstd frame declares (0 when unknown)."""
    try:
        return zstandard.get_frame_parameters(head).window_size
    except zstandard.ZstdError:
        return 0


def decompressed(raw: Readable, compression: str, read_size: int = READ_SIZE, path: str | None = None) -> Readable:
    """Wrap a raw (compressed) reader in the decompressor for ``compression``. With ``path``
    (the file ``raw`` reads from, from its start), a zstd error keeps the data before it
    (see :class:`SalvagingZstdReader`).

    The decompressors' stubs ask for a seekable file object; on this one forward pass they only
    call ``raw.read``, hence the casts (once per archive, none in the read loops)."""
    if compression == "zstd":
        reader = _zstd_reader(raw, read_size)
        return SalvagingZstdReader(reader, path) if path is not None else reader
    if compression == "gzip":
        return gzip.GzipFile(fileobj=cast(BinaryIO, raw), mode="rb")
    if compression == "xz":
        return _xz_reader(raw)
    if compression == "bzip2":
        return bz2.BZ2File(cast(BinaryIO, raw))
    return raw


def _zstd_reader(raw: Readable, read_size: int) -> zstandard.ZstdDecompressionReader:
    dctx = zstandard.ZstdDecompressor(max_window_size=min(LIMITS.max_window, MAX_WINDOW))
    return dctx.stream_reader(cast(BinaryIO, raw), read_size=read_size, read_across_frames=True, closefd=False)


class SalvagingZstdReader:
    """A zstd stream reader that keeps the good data before a decompression error.

    A read that meets damage raises and drops what it had decoded (up to the whole read: 8 MiB
    in a pass). On the first error this decodes the file again from its start, skips what was
    already delivered, and goes on in small steps (:data:`SALVAGE_STEP`) up to the damage, so
    every byte before it is delivered before the error is raised. Costs nothing without damage."""

    SALVAGE_STEP = 16 << 10

    def __init__(self, reader: zstandard.ZstdDecompressionReader, path: str) -> None:
        self._reader = reader
        self._path = path
        self._delivered = 0
        self._salvage: zstandard.ZstdDecompressionReader | None = None
        self._file: BinaryIO | None = None
        self._error: BaseException | None = None

    def read(self, size: int = -1) -> bytes:
        if self._salvage is None:
            try:
                data = self._reader.read(size)
            except zstandard.ZstdError as exc:
                if not self._start_salvage(exc):
                    raise
            else:
                self._delivered += len(data)
                return data
        salvage = self._salvage
        assert salvage is not None
        try:
            data = salvage.read(min(size, self.SALVAGE_STEP) if size and size > 0 else self.SALVAGE_STEP)
        except zstandard.ZstdError:
            data = b""
        if not data:
            raise self._error  # type: ignore[misc]
        self._delivered += len(data)
        return data

    def _start_salvage(self, exc: BaseException) -> bool:
        self._error = exc
        try:
            self._file = open(self._path, "rb")
            self._salvage = _zstd_reader(self._file, self.SALVAGE_STEP)
            left = self._delivered
            while left:
                data = self._salvage.read(min(left, 8 << 20))
                if not data:
                    return False
                left -= len(data)
        except (OSError, zstandard.ZstdError):
            return False
        return True

    def readable(self) -> bool:
        return True

    def close(self) -> None:
        if self._file is not None:
            self._file.close()


def _xz_reader(raw: Readable) -> Readable:
    """lzma.LZMAFile, but with a memory limit (LZMAFile takes none: a block declaring a 1.5 GiB
    dictionary would get it)."""
    try:
        from _compression import DecompressReader  # what LZMAFile itself reads through
    except ImportError:  # (a Python without it: no limit, as before)
        return lzma.LZMAFile(cast(BinaryIO, raw))
    memlimit = LIMITS.max_window + _XZ_OVERHEAD
    reader = DecompressReader(cast(BinaryIO, raw), lzma.LZMADecompressor, trailing_error=lzma.LZMAError,
                              memlimit=memlimit)
    return io.BufferedReader(reader)


def _may_join(thread: threading.Thread) -> bool:
    """Whether waiting for ``thread`` is safe: not from the thread itself (the garbage collector
    may finish an abandoned pass on any thread) and not at interpreter exit (daemon threads
    may never run again)."""
    return thread is not threading.current_thread() and not sys.is_finalizing()


class ThreadedReader:
    """Runs a (decompressing) stream on a background thread, a few chunks ahead of the reader.

    zstandard, zlib, lzma and bz2 release the GIL while they decompress, so parsing the tar
    headers overlaps decompression. Errors raised by the stream are re-raised, in order, by
    :meth:`next_chunk` / :meth:`read`, after the data that preceded them.
    """

    def __init__(self, stream: Readable, chunk_size: int = THREAD_CHUNK, depth: int = THREAD_DEPTH) -> None:
        self._stream = stream
        self._chunk_size = chunk_size
        # C-level queues (no Python code runs to hand a chunk over, so the decompressing thread
        # needs the GIL as briefly as possible): decompressed chunks, and free slots, which
        # bound the chunks waiting to ``depth``.
        self._queue: queue.SimpleQueue[bytes | BaseException] = queue.SimpleQueue()
        self._slots: queue.SimpleQueue[None] = queue.SimpleQueue()
        for _ in range(depth):
            self._slots.put(None)
        self._stop = threading.Event()
        self._done = False
        self._rest = b""
        #: Work for the reading thread while no chunk is ready (:meth:`add_idle`).
        self._idle: list[Callable[[], bool]] = []
        # Started by the first read, so an archive opened but never read holds no thread.
        self._thread = threading.Thread(target=self._run, name="distscope-decompress", daemon=True)
        self._started = False

    def _put(self, item: bytes | BaseException) -> bool:
        while not self._stop.is_set():
            try:
                self._slots.get(timeout=0.1)
            except queue.Empty:
                continue
            self._queue.put(item)
            return True
        return False

    def _run(self) -> None:
        # read1 where the stream has it (gzip, xz, bzip2): a read() that fails on a truncated
        # stream would drop the data it had already decompressed. zstd's read() keeps it.
        stream, size = self._stream, self._chunk_size
        read = stream.read if isinstance(stream, (zstandard.ZstdDecompressionReader, SalvagingZstdReader)) else \
            getattr(stream, "read1", stream.read)
        parts: list[bytes] = []
        have = 0
        try:
            while not self._stop.is_set():
                data = read(size - have)
                if data:
                    parts.append(data)
                    have += len(data)
                    if have < size:
                        continue
                if parts and not self._put(parts[0] if len(parts) == 1 else b"".join(parts)):
                    return
                parts, have = [], 0
                if not data:
                    self._put(b"")
                    return
        except BaseException as exc:  # handed to the reading thread, after the data before it
            if parts:
                self._put(b"".join(parts))
            self._put(exc)

    def add_idle(self, step: Callable[[], bool]) -> None:
        """Have the reading thread call ``step`` while it waits for a chunk: it does a short
        piece of some work and returns whether there was any (False: nothing to do now).
        Steps added first go first."""
        self._idle.append(step)

    def start(self) -> None:
        """Start decompressing now (the first read does it otherwise)."""
        if not self._started:
            self._started = True
            self._thread.start()

    def next_chunk(self) -> bytes:
        """The next piece of the stream (any size); b"" at the end."""
        if self._rest:
            data, self._rest = self._rest, b""
            return data
        if self._done:
            return b""
        if not self._started:
            self.start()
        item = None
        if self._idle:
            try:
                item = self._queue.get_nowait()
            except queue.Empty:
                while self._queue.empty() and any(step() for step in self._idle):
                    pass
        if item is None:
            item = self._queue.get()
        self._slots.put(None)
        if isinstance(item, BaseException):
            self._done = True
            raise item
        if not item:
            self._done = True
        return item

    def read(self, size: int = -1) -> bytes:
        if size is None or size < 0:
            return b"".join(iter(self.next_chunk, b""))
        parts, have = [], 0
        while have < size:
            data = self.next_chunk()
            if not data:
                break
            parts.append(data)
            have += len(data)
        data = b"".join(parts)
        if len(data) > size:
            data, self._rest = data[:size], data[size:]
        return data

    def readable(self) -> bool:
        return True

    def close(self) -> None:
        """Stop the thread (it may be blocked on a full queue) and wait for it."""
        self._stop.set()
        while self._started and self._thread.is_alive() and _may_join(self._thread):
            try:
                while True:
                    self._queue.get_nowait()
                    self._slots.put(None)
            except queue.Empty:
                pass
            self._thread.join(0.05)
        self._done = True


#: Niceness added to the hashing thread: it needs a sixth of the CPU the pass uses and has slack, so
#: it takes what the decompressing and parsing threads leave (measured: 3% off an analysed pass
#: on two CPUs, where four threads share them).
HASH_NICENESS = 10
#: Bytes hashed per step when the reading thread hashes while it waits (:meth:`FileHasher.step`):
#: under a millisecond of work, so a chunk that arrives meanwhile is taken up at once.
HASH_STEP = 1 << 20


def _lower_priority() -> None:
    """Lower this thread's scheduling priority on Linux (where a thread id names one thread)."""
    if not sys.platform.startswith("linux"):
        return
    try:
        tid = threading.get_native_id()
        os.setpriority(os.PRIO_PROCESS, tid, min(19, os.getpriority(os.PRIO_PROCESS, tid) + HASH_NICENESS))
    except (AttributeError, OSError):
        pass


class FileHasher:
    """SHA-256 of a file, read with its own handle, in one of two ways:

    - ``threaded``: on its own thread at a lower priority (hashlib releases the GIL);
    - in steps (:meth:`step`) taken by the thread reading the archive whenever it would
      otherwise wait for decompressed data (:meth:`ThreadedReader.add_idle`): then hashing costs
      the pass nothing, where a fourth thread would take CPU time from decompression;
      :meth:`hexdigest` hashes what is left.
    """

    def __init__(self, path: str, threaded: bool = True) -> None:
        self.path = path
        self._stop = threading.Event()
        self._digest: str | None = None
        self._sha = hashlib.sha256()
        self._file: io.FileIO | None = None
        self._buf = memoryview(bytearray(HASH_CHUNK if threaded else HASH_STEP))
        self._failed = False
        self._thread: threading.Thread | None = None
        if threaded:
            self._thread = threading.Thread(target=self._run, name="distscope-sha256", daemon=True)
            self._thread.start()

    def step(self) -> bool:
        """Hash the next block; False once the digest is known (or the file cannot be read)."""
        if self._digest is not None or self._failed or self._stop.is_set():
            return False
        try:
            if self._file is None:
                self._file = open(self.path, "rb", buffering=0)
            n = self._file.readinto(self._buf)
        except OSError:
            self._failed = True
            self._close_file()
            return False
        if not n:
            self._digest = self._sha.hexdigest()
            self._close_file()
            return False
        self._sha.update(self._buf[:n])
        return True

    def _close_file(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None

    def _run(self) -> None:
        _lower_priority()
        try:
            while self.step():
                pass
        finally:
            self._close_file()

    def hexdigest(self) -> str | None:
        """The hash (finishing it first); None when it was stopped or the file could not be read."""
        if self._thread is not None:
            self._thread.join()
        else:
            while self.step():
                pass
        return self._digest

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            if _may_join(self._thread):
                self._thread.join()
        else:
            self._close_file()


class OpenedArchive:
    """A compressed archive opened for one sequential pass over its tar stream.

    ``stream`` is the decompressed tar stream (decompressed on a background thread unless
    ``threaded`` is False); ``raw.bytes_read`` counts compressed bytes consumed; with
    ``hash_bytes`` a :class:`FileHasher` computes the SHA-256 of the file meanwhile
    (:meth:`sha256`); ``analysed`` says analysers ride the pass (see :data:`ANALYSED_SIZE`).
    """

    def __init__(self, path: str | os.PathLike[str], hash_bytes: bool = True, threaded: bool = True,
                 analysed: bool = False) -> None:
        self.path = os.fspath(path)
        self._file = open_file(self.path)
        try:
            self.size = os.fstat(self._file.fileno()).st_size
            head = self._file.read(1024)
            self._file.seek(0)
            self.compression = detect(head)
            if self.compression == "zstd" and zstd_window(head) > LIMITS.max_window:
                raise NotAnArchive(window_message(zstd_window(head)))
        except NotAnArchive as exc:
            self._file.close()
            raise NotAnArchive(f"{self.path}: {exc.message}") from None
        except OSError as exc:
            self._file.close()
            raise NotAnArchive(f"{self.path}: cannot read: {exc.strerror or exc}") from None
        self.raw = CountingReader(self._file)
        self._threaded: ThreadedReader | None = None
        size, chunk, depth = READ_SIZE, THREAD_CHUNK, THREAD_DEPTH
        if self.compression == "zstd" and zstd_window(head) > LARGE_WINDOW:
            size, chunk, depth = ((ANALYSED_SIZE, ANALYSED_CHUNK, ANALYSED_DEPTH) if analysed
                                  else (SMALL_SIZE, SMALL_CHUNK, SMALL_DEPTH))
        if self.compression == "none":
            # Plain tar: the counting reader is the stream itself.
            self.stream: Readable = self.raw
        else:
            self.stream = decompressed(self.raw, self.compression, read_size=size, path=self.path)
            self._salvaging = self.stream if isinstance(self.stream, SalvagingZstdReader) else None
            if threaded:
                self._threaded = ThreadedReader(self.stream, chunk_size=chunk, depth=depth)
                self.stream = self._threaded
        # With a decompressing thread, the reading thread hashes while it waits for it.
        self.hasher = FileHasher(self.path, threaded=self._threaded is None) if hash_bytes else None
        if self.hasher is not None and self._threaded is not None:
            self._threaded.add_idle(self.hasher.step)
        #: The zstd container walked to its end meanwhile (see :func:`zstd_container_damage`).
        self._check = ContainerCheck(self.path) if self.compression == "zstd" else None

    def finish(self, limit: int) -> str | None:
        """After the tar data: read at most ``limit`` more bytes of the stream (so that the
        decompressor checks the end checksums; data beyond is left unread), then the damage
        of the container (zstd: :func:`zstd_container_damage`), or None. Decompression errors
        raise."""
        left = limit
        while left > 0:
            data = self.stream.read(min(left, 1 << 20))
            if not data:
                break
            left -= len(data)
        return self.container_damage()

    def container_damage(self) -> str | None:
        """What is wrong with the zstd container (None: whole, or not zstd)."""
        return self._check.result() if self._check is not None else None

    def start(self) -> None:
        """Start decompressing ahead of the first read (when it runs on a thread)."""
        if self._threaded is not None:
            self._threaded.start()

    def sha256(self) -> str | None:
        """The SHA-256 of the whole file (waits for the hashing thread)."""
        return self.hasher.hexdigest() if self.hasher is not None else None

    def close(self) -> None:
        if self._threaded is not None:
            self._threaded.close()
        if self.hasher is not None:
            self.hasher.stop()
        if self._check is not None:
            self._check.stop()
        salvaging = getattr(self, "_salvaging", None)
        if salvaging is not None:
            salvaging.close()
        self._file.close()

    def abandon(self) -> None:
        """Tell the helper threads to stop, without waiting or closing the file (safe from any
        thread, e.g. a garbage-collector finalizer; the file closes with its last reference)."""
        if self._threaded is not None:
            self._threaded._stop.set()
        if self.hasher is not None:
            self.hasher._stop.set()
        if self._check is not None:
            self._check.stop()

    def __enter__(self) -> "OpenedArchive":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def zstd_container_damage(path: str, stop: threading.Event | None = None) -> str | None:
    """Walk the frame and block headers of a zstd file to its end: None when every frame (and
    skippable frame, such as a seek table) is whole and the last ends at the end of the file,
    else what is wrong, as ``zstd -t`` would say. The decompressor cannot tell: a stream cut
    inside a frame (its content checksum, a block) just ends early. One 3-byte read per block
    (~8,600 for 1 GB of tar: about 80 ms, on a thread of its own, see :class:`ContainerCheck`)."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_CLOEXEC", 0))
    try:
        size = os.fstat(fd).st_size
        pread = os.pread
        pos = 0
        while pos < size:
            head = pread(fd, 18, pos)
            if len(head) < 8:
                return f"premature end: a partial zstd frame at byte {pos:,}"
            magic = int.from_bytes(head[:4], "little")
            if magic & 0xFFFFFFF0 == 0x184D2A50:  # skippable frame (a seek table, say)
                end = pos + 8 + int.from_bytes(head[4:8], "little")
                if end > size:
                    return f"premature end: a skippable frame (seek table?) at byte {pos:,} is cut short"
                pos = end
                continue
            if head[:4] != ZSTD_MAGIC:
                return f"not zstd data at byte {pos:,} (trailing garbage)"
            fhd = head[4]
            single, checksum = bool(fhd & 0x20), bool(fhd & 0x04)
            block = pos + 5 + (0 if single else 1) + (0, 1, 2, 4)[fhd & 3] + ((1 if single else 0), 2, 4, 8)[fhd >> 6]
            while True:
                raw = pread(fd, 3, block)
                if len(raw) < 3:
                    return f"premature end: the zstd frame at byte {pos:,} is cut short"
                value = int.from_bytes(raw, "little")
                kind = (value >> 1) & 3
                if kind == 3:
                    return f"corrupt zstd block at byte {block:,}"
                block += 3 + (1 if kind == 1 else value >> 3)
                if block > size:
                    return f"premature end: the zstd frame at byte {pos:,} is cut short"
                if value & 1:
                    break
                if stop is not None and stop.is_set():
                    return None
            end = block + (4 if checksum else 0)
            if end > size:
                return f"premature end: the content checksum of the zstd frame at byte {pos:,} is cut off"
            pos = end
        return None
    finally:
        os.close(fd)


class ContainerCheck(threading.Thread):
    """:func:`zstd_container_damage` on a thread of its own, from the start of a pass."""

    def __init__(self, path: str) -> None:
        super().__init__(name="distscope-zstd-check", daemon=True)
        self._path = path
        self._stop_event = threading.Event()
        self._result: str | None = None
        self.start()

    def run(self) -> None:
        try:
            self._result = zstd_container_damage(self._path, self._stop_event)
        except OSError as exc:
            self._result = f"cannot read: {exc.strerror or exc}"

    def result(self) -> str | None:
        self.join()
        return self._result

    def stop(self) -> None:
        self._stop_event.set()


def read_exact(stream: Readable, size: int) -> bytes:
    """Exactly ``size`` bytes from a stream that may return less per read; EOFError if it ends."""
    parts, got = [], 0
    while got < size:
        chunk = stream.read(size - got)
        if not chunk:
            raise EOFError(f"archive stream ended {size - got:,} bytes early")
        parts.append(chunk)
        got += len(chunk)
    return parts[0] if len(parts) == 1 else b"".join(parts)
