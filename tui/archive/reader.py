"""Read members' bytes on demand, by path, without extracting the archive.

Where the bytes come from, fastest first:

1. small members (up to 4 KiB: what the pass's look at each member's head already holds, so
   keeping them is free) seen during the indexing pass of this process, in a bounded LRU
   (:class:`SmallMembers`, attached to the index by :func:`distscope.tui.session.open_index`);
2. direct seeks: plain tars (``pread``), multi-frame zstd archives (their own frame table);
3. the seekable copy in the cache folder (:mod:`distscope.tui.archive.copies`), from this run or earlier;
4. otherwise the copy is built by one background pass, and reads are served as soon as that
   pass has gone past their bytes. Without a cache (``use_cache=False``) or for a damaged
   archive, one streaming pass per call, batched by :meth:`MemberReader.read_many`.

A source that turns out to lie (a bad frame table, a damaged copy) is dropped and the read
falls back to the next one; hostile data ends in a one-line DistscopeError, never a traceback.

gzip, xz, bzip2 and single-frame zstd check their checksum only at the end of the stream, so
bytes taken from a pass that has not reached that end are not verified yet. A reader made with
``verify=True`` (``distscope cat``) lets its stream passes run to the end of the compressed
stream, and :meth:`MemberReader.verify` then says whether everything it served was verified
(None) or names the damage. Frames of multi-frame archives and of the seekable copies carry
their own checksums, checked at each read; plain tars have none to check.

:class:`MemberReader` is thread-safe: the app calls it from worker threads.
"""

from __future__ import annotations

import difflib
import posixpath
import threading
from collections import Counter, OrderedDict
from typing import Any, Iterable, Iterator

import zstandard

from distscope.tui.archive.plugin import HEAD_SIZE
from distscope.tui.archive.compression import OpenedArchive, read_exact
from distscope.tui.archive.index import ArchiveIndex, wait_at
from distscope.tui.archive.members import DIRECTORY, FILE, HARDLINK, SYMLINK, Member, normalize
from distscope.tui.archive.seekable import FramedSource, PlainSource, zstd_frame_table
from distscope.tui.archive.tarscan import TRAILER_LIMIT
from distscope.tui.errors import DistscopeError, MemberNotFound

SMALL_MEMBER = HEAD_SIZE  # members the head already holds: free to keep (larger ones cost ~15% of a pass)
SMALL_BUDGET = 32 << 20
_SKIP_CHUNK = 1 << 20
#: Frames of a multi-frame input bigger than this are not used for seeking (a read would
#: decompress a whole frame); such archives get a seekable copy like single-frame ones.
MAX_DIRECT_FRAME = 64 << 20
#: Piece size of :meth:`MemberReader.iter_chunks`.
CHUNK = 4 << 20
_READ_ERRORS = (ValueError, EOFError, OSError, zstandard.ZstdError)


class MemberNotReadable(DistscopeError):
    """The path exists but has no bytes to read (a directory, a device, a dangling link)."""


def copies() -> Any:
    """:mod:`distscope.tui.archive.copies`, imported when a reader first needs it (its thread pool and
    logging imports are not for the commands that only open an index)."""
    from distscope.tui.archive import copies as module

    return module


class SmallMembers:
    """Keeps the content of small file members seen during the pass (``Scan(keep_small=...)``:
    members no larger than the head the pass reads anyway), least recently used dropped first.
    Not a cached result: it lives as long as the index of this process."""

    def __init__(self, member_limit: int = SMALL_MEMBER, budget: int = SMALL_BUDGET) -> None:
        self.member_limit = member_limit
        self.budget = budget
        self.total = 0
        self._data: OrderedDict[int, bytes] = OrderedDict()
        self._lock = threading.Lock()

    def put(self, key: int, data: bytes) -> None:
        self.put_many([(key, data)])

    def put_many(self, pairs: list[tuple[int, bytes]]) -> None:
        """Keep ``(data offset, content)`` pairs, in order (the last is the most recent)."""
        with self._lock:
            data = self._data
            for key, value in pairs:
                old = data.pop(key, None)
                if old is not None:
                    self.total -= len(old)
                data[key] = value
                self.total += len(value)
            while self.total > self.budget and data:
                _, dropped = data.popitem(last=False)
                self.total -= len(dropped)

    def get(self, key: int) -> bytes | None:
        with self._lock:
            data = self._data.get(key)
            if data is not None:
                self._data.move_to_end(key)
            return data

    def __len__(self) -> int:
        return len(self._data)


def attach_small_members(index: ArchiveIndex, store: SmallMembers) -> None:
    """Keep ``store`` for readers of ``index`` (it lives as long as the index)."""
    index.small_members = store


def small_members(index: ArchiveIndex) -> SmallMembers | None:
    store = index.small_members
    return store if isinstance(store, SmallMembers) else None


def similar_names(index: ArchiveIndex, path: str, n: int = 3) -> list[str]:
    """Member paths that look like ``path`` (same base name first, then close spellings)."""
    wanted = normalize(path)
    base = posixpath.basename(wanted)
    same_base = [m.path for m in index.members if m.path.rsplit("/", 1)[-1] == base and m.path != wanted]
    if same_base:
        return same_base[:n]
    return difflib.get_close_matches(wanted, [m.path for m in index.members], n=n, cutoff=0.6)


class MemberReader:
    """Reads members of an indexed archive. ``stats`` counts reads by source: small, plain,
    frames, copy, building (from the copy being written), stream."""

    def __init__(self, index: ArchiveIndex, *, use_cache: bool = True, verify: bool = False,
                 gate: threading.Event | None = None) -> None:
        self.index = index
        self.use_cache = use_cache
        #: While clear, a pass over the stream waits between its 1 MiB reads (at most GATE_WAIT
        #: each time): an app clears it while it answers a key (see :class:`~distscope.tui.archive.index.Scan`).
        self.gate = gate
        self.verify_streams = verify
        #: Damage found by a stream pass after it had served its bytes (see :meth:`verify`).
        self.damage: str | None = None
        self._stream_verified = False  # a pass of this reader read the whole stream, checksums passed
        self.stats: Counter[str] = Counter()
        self._lock = threading.Lock()
        self._direct: PlainSource | FramedSource | None = None
        self._direct_checked = False
        self._broken = False
        self._builder = None

    # -- lookups --------------------------------------------------------------------------
    def member(self, path: str) -> Member:
        """The file member ``path`` leads to; raises a clear error otherwise. A member stored
        under exactly that path is read as it is (reading is not writing, like ``tar -xO``);
        links, in the path or at its end, are followed only when it is not a member itself."""
        index = self.index
        exact = index.get(path)
        if exact is not None and exact.type not in (SYMLINK, HARDLINK):
            return self._readable(path, exact)
        final = index.resolve_path(path)
        if final is None:
            raise MemberNotReadable(f"{path}: a link on the way is absolute, loops or leaves the archive")
        member = index.by_path.get(final)
        if member is None:
            if index.get(path) is not None:
                raise MemberNotReadable(f"{path}: dangling link (to {final}, not in the archive)")
            hint = similar_names(index, path)
            more = f" (did you mean: {', '.join(hint)}?)" if hint else ""
            raise MemberNotFound(f"{path}: not in the archive{more}")
        return self._readable(path, member)

    def _readable(self, path: str, member: Member) -> Member:
        index = self.index
        if member.type == DIRECTORY:
            raise MemberNotReadable(f"{path}: is a directory")
        if member.type != FILE:
            raise MemberNotReadable(f"{path}: is not a regular file (tar type {member.typeflag!r})")
        if member.data_offset + member.size > index.uncompressed_bytes:
            raise MemberNotReadable(f"{path}: its data runs past the end of the archive (truncated?)")
        return member

    # -- reads ----------------------------------------------------------------------------
    def read(self, path: str, limit: int | None = None) -> bytes:
        """The bytes of member ``path`` (at most ``limit``)."""
        member = self.member(path)
        return self._read_members([(member, _size(member, limit))])[member.data_offset]

    def read_many(self, paths: Iterable[str], limit: int | None = None) -> dict[str, bytes]:
        """Several members at once (one pass at most); raises like :meth:`read` for a bad path."""
        members = {path: self.member(path) for path in paths}
        got = self._read_members([(m, _size(m, limit)) for m in members.values()])
        return {path: got[m.data_offset][:_size(m, limit)] for path, m in members.items()}

    def _read_members(self, wanted: list[tuple[Member, int]]) -> dict[int, bytes]:
        out: dict[int, bytes] = {}
        todo: dict[int, int] = {}
        store = small_members(self.index)
        for member, size in wanted:
            if size == 0:
                out[member.data_offset] = b""
                continue
            data = store.get(member.data_offset) if store is not None else None
            if data is not None and len(data) >= size:
                out[member.data_offset] = data[:size]
                self.stats["small"] += 1
                continue
            todo[member.data_offset] = max(size, todo.get(member.data_offset, 0))
        if todo:
            out.update(self._read_ranges(todo))
        return out

    def _read_ranges(self, todo: dict[int, int]) -> dict[int, bytes]:
        """Ranges of the tar stream (offset -> size), from the fastest source that works."""
        out: dict[int, bytes] = {}
        source = self._direct_source()
        if source is not None:
            try:
                for offset, size in todo.items():
                    out[offset] = source.read_range(offset, size)
                    self.stats[source.kind] += 1
                return out
            except _READ_ERRORS:  # a lying frame table, a damaged copy: never trust it again
                self._drop_direct(source)
                todo = {o: s for o, s in todo.items() if o not in out}
        builder = self._copy_builder()
        if builder is not None:
            for offset, size in sorted(todo.items()):
                try:
                    data = builder.read_range(offset, size)
                except _READ_ERRORS:
                    data = None
                if data is None:
                    break  # the copy failed: stream the rest
                out[offset] = data
                self.stats["building"] += 1
            todo = {o: s for o, s in todo.items() if o not in out}
        if todo:
            out.update(self._stream(todo))
        return out

    def _drop_direct(self, source: Any) -> None:
        with self._lock:
            self._direct_checked = True
            self._broken = True
            if self._direct is source:
                self._direct = None
        if source.kind == "copy":
            copies().discard_copy(self.index)

    def _direct_source(self) -> PlainSource | FramedSource | None:
        with self._lock:
            if self._direct is None and not self._direct_checked:
                self._direct_checked = True
                index = self.index
                try:
                    if index.compression == "none":
                        self._direct = PlainSource(index.path)
                    elif index.compression == "zstd":
                        frames = zstd_frame_table(index.path, index.uncompressed_bytes)
                        if (frames is not None and frames[-1][0] + frames[-1][3] >= index.uncompressed_bytes
                                and max(f[3] for f in frames) <= MAX_DIRECT_FRAME):
                            self._direct = FramedSource(index.path, frames)
                except OSError:
                    self._direct = None
            if self._direct is None and self.use_cache and not self._broken:
                self._direct = copies().open_copy(self.index)
            return self._direct

    def _copy_builder(self) -> Any:
        if not self.use_cache:
            return None
        with self._lock:
            if self._builder is None:
                self._builder = copies().builder_for(self.index)
            return self._builder

    def _stream(self, todo: dict[int, int]) -> dict[int, bytes]:
        """One pass over the decompressed stream, picking up the ranges in ``todo``."""
        try:
            return self._stream_pass(todo)
        except DistscopeError:
            raise
        except Exception as exc:  # damaged data: one line, never a traceback
            raise DistscopeError(f"{self.index.path}: cannot read the member: {type(exc).__name__}: {exc}") from None

    def _stream_pass(self, todo: dict[int, int]) -> dict[int, bytes]:
        out: dict[int, bytes] = {}
        with OpenedArchive(self.index.path, hash_bytes=False) as archive:
            stream, pos = archive.stream, 0
            for offset, size in sorted(todo.items()):
                while pos < offset:
                    wait_at(self.gate)
                    skipped = stream.read(min(_SKIP_CHUNK, offset - pos))
                    if not skipped:
                        raise DistscopeError(f"{self.index.path}: archive ends before byte {offset:,}")
                    pos += len(skipped)
                try:
                    out[offset] = read_exact(stream, size)
                except EOFError:
                    raise DistscopeError(f"{self.index.path}: archive ends inside a member") from None
                pos += size
                self.stats["stream"] += 1
            self._drain(archive, pos)
        return out

    def _should_drain(self) -> bool:
        return (self.verify_streams and self.index.complete and self.damage is None
                and self.index.compression != "none")

    def _drain(self, archive: OpenedArchive, pos: int) -> bool:
        """With ``verify``, read the rest of the stream (from tar offset ``pos``: the tar data and
        its padding, never trailing data) so that its end checksum is checked, and check the
        container to its end; damage found is kept in :attr:`damage` (the bytes were already
        served)."""
        if not self._should_drain():
            return False
        try:
            damage = archive.finish(max(0, self.index.uncompressed_bytes - pos) + TRAILER_LIMIT)
        except Exception as exc:
            self.damage = f"decompression failed ({type(exc).__name__}: {exc})"
        else:
            self.damage = damage
            self._stream_verified = damage is None
        return True

    def iter_chunks(self, path: str, chunk_size: int = CHUNK) -> Iterator[bytes]:
        """The bytes of member ``path`` in pieces of at most ``chunk_size``: for big members,
        without holding them whole in memory."""
        member = self.member(path)
        offset, size = member.data_offset, member.size
        if size <= chunk_size:
            if size:
                yield self._read_members([(member, size)])[offset]
            return
        if self._direct_source() is None and self._copy_builder() is None:
            try:
                yield from self._stream_chunks(offset, size, chunk_size)
            except DistscopeError:
                raise
            except Exception as exc:
                raise DistscopeError(f"{self.index.path}: cannot read the member: {type(exc).__name__}: {exc}") from None
            return
        for start in range(offset, offset + size, chunk_size):
            n = min(chunk_size, offset + size - start)
            yield self._read_ranges({start: n})[start]

    def _stream_chunks(self, offset: int, size: int, chunk_size: int) -> Iterator[bytes]:
        with OpenedArchive(self.index.path, hash_bytes=False) as archive:
            stream, pos = archive.stream, 0
            while pos < offset:
                wait_at(self.gate)
                skipped = stream.read(min(_SKIP_CHUNK, offset - pos))
                if not skipped:
                    raise DistscopeError(f"{self.index.path}: archive ends before byte {offset:,}")
                pos += len(skipped)
            self.stats["stream"] += 1
            left = size
            while left:
                chunk = stream.read(min(chunk_size, left))
                if not chunk:
                    raise DistscopeError(f"{self.index.path}: archive ends inside a member")
                left -= len(chunk)
                yield chunk
            self._drain(archive, offset + size)

    # -- verification ---------------------------------------------------------------------
    def verify(self) -> str | None:
        """None when every byte served so far passed the archive's checksums (or the archive has
        none), else what is wrong: the damage of an incomplete index, damage a pass found after
        serving its bytes, or a copy pass that failed on the archive's data. May wait for the
        copy being built, or read the archive once more when nothing else verified the bytes."""
        index = self.index
        if not index.complete and index.error and index.error != "cancelled":
            return index.error
        if self.damage:
            return self.damage
        builder = self._builder
        if builder is not None:
            builder.wait()
            if builder.damage:
                return builder.damage
        # Bytes kept from the indexing pass need no second look: that pass read to the end of
        # the compressed stream before it marked the index complete.
        unverified = self.stats["building"] and not self._stream_verified
        if unverified and (builder is None or builder.error) and self.verify_streams \
                and index.compression != "none":
            try:
                with OpenedArchive(index.path, hash_bytes=False) as archive:
                    self._drain(archive, 0)
            except DistscopeError as exc:
                self.damage = exc.message
        return self.damage

    # -- the seekable copy ----------------------------------------------------------------
    def prepare(self) -> None:
        """Start building the seekable copy in the background if reads will need one."""
        if self._direct_source() is None:
            self._copy_builder()

    @property
    def copy_builder(self) -> Any:
        """The :class:`~distscope.tui.archive.copies.CopyBuilder` this reader started or joined, if any."""
        return self._builder

    def wait_copy(self, timeout: float | None = None) -> bool:
        """Wait for a copy being built by this reader; True when one is (now) on disk."""
        builder = self._builder
        return builder.wait(timeout) if builder is not None else False

    def close(self) -> None:
        with self._lock:
            if self._direct is not None:
                self._direct.close()
                self._direct = None
            self._direct_checked = False


def _size(member: Member, limit: int | None) -> int:
    return member.size if limit is None else max(0, min(limit, member.size))
