"""The streaming index: one sequential pass that records every member and feeds the analysers."""

from __future__ import annotations

import lzma
import os
import sys
import threading
import time
import zlib
from collections import Counter
from operator import attrgetter
from typing import Any, Callable, Iterable, Iterator, NamedTuple

import zstandard

from distscope.tui import gcpause
from distscope.tui.archive.plugin import HEAD_SIZE, MAX_MEMBER_BUFFER, Analyser
from distscope.tui.archive.classify import classify
from distscope.tui.archive.compression import OpenedArchive, _may_join, limit_message
from distscope.tui.archive.limits import LIMITS, members_message
from distscope.tui.archive.members import DIRECTORY, FILE, HARDLINK, SYMLINK, Member, normalize
from distscope.tui.archive.segments import Segments
from distscope.tui.archive.tarscan import TRAILER_LIMIT, TarFormatError, TarReader, TruncatedError
from distscope.tui.errors import CorruptArchive

BATCH_MEMBERS = 500
#: The default member cap (see :data:`distscope.tui.archive.limits.LIMITS`, ``--max-members``).
MAX_MEMBERS = 500_000
BATCH_SECONDS = 0.05
#: Bytes queued for the analysis thread at most: wanted member content, counted by the buffers
#: it holds (a view keeps its whole decompressed chunk alive).
MAX_IN_FLIGHT = 32 << 20
#: Wanted content below this is copied out of the stream's buffers at once; above, it travels as
#: views of them (no copy on the parsing thread; the analysis thread hands them on as Segments,
#: or joins them for analysers that want one bytes).
VIEW_MIN = 1 << 20
_MAX_LINK_HOPS = 40
#: Members observed per step while the pass waits for data (see :meth:`Scan._observe`).
OBSERVE_STEP = 512
#: GIL switch interval while a pass runs (see :func:`_pass_mode`).
SWITCH_INTERVAL = 0.0002
#: Seconds a pass's thread waits at most, each time, while its ``gate`` is clear (see :class:`Scan`).
GATE_WAIT = 0.25


def wait_at(gate: threading.Event | None) -> None:
    """Wait while ``gate`` is clear, at most :data:`GATE_WAIT` (a pass's thread between steps:
    an app clears it while it answers a key)."""
    if gate is not None and not gate.is_set():
        gate.wait(GATE_WAIT)


class ArchiveIndex:
    """Every member of an archive, plus what the analysers found. (A plain class, not a
    dataclass: ``dataclasses`` costs 8 ms of imports before a pass can start.)"""

    def __init__(self, path: str, compression: str, compressed_size: int, mtime: float = 0.0,
                 members: list[Member] | None = None, complete: bool = False, error: str | None = None,
                 sha256: str | None = None, uncompressed_bytes: int = 0, results: dict[str, Any] | None = None,
                 analysis_errors: list[dict[str, Any]] | None = None, trailing: str | None = None) -> None:
        self.path = path
        self.compression = compression
        self.compressed_size = compressed_size
        self.mtime = mtime
        self.members: list[Member] = [] if members is None else members
        self.complete = complete
        self.error = error
        self.sha256 = sha256
        self.uncompressed_bytes = uncompressed_bytes  #: length of the tar stream read
        self.results: dict[str, Any] = {} if results is None else results
        self.analysis_errors: list[dict[str, Any]] = [] if analysis_errors is None else analysis_errors
        #: What follows the end-of-archive marker: None (padding only, to the end of the stream)
        #: or a note saying that more data was left unread.
        self.trailing: str | None = trailing
        #: Where :attr:`sha256` comes from: "read" (this pass hashed the file), "cache" (an
        #: earlier pass did; the entry was checked, not the whole file) or "verified" (re-hashed).
        self.sha256_source = "read"
        #: small members' content kept during the pass (a reader's SmallMembers), or None
        self.small_members: Any = None
        # The path lookup and the type tallies, kept up with ``members`` as it grows (catch_up).
        self._by_path: dict[str, Member] = {}
        self._types: Counter[str] = Counter()
        self._file_bytes = 0
        self._seen = 0  #: members the lookup and tallies include
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return (f"ArchiveIndex(path={self.path!r}, compression={self.compression!r}, "
                f"members={len(self.members)}, complete={self.complete}, error={self.error!r})")

    # -- lookups --------------------------------------------------------------------------
    def catch_up(self, upto: int | None = None) -> int:
        """Bring the path lookup and the tallies up to the first ``upto`` members (all by
        default); returns how many were added. Cheap when nothing is new: a pass calls it in
        slices while it waits for data, so that little is left to do after it. Thread-safe."""
        members = self.members
        if upto is None and self._seen == len(members):  # the usual case: nothing new
            return 0
        with self._lock:
            return self._catch_up(members, upto)

    def _catch_up(self, members: list[Member], upto: int | None) -> int:
        stop = len(members) if upto is None else min(upto, len(members))
        if self._seen > stop and upto is None:  # (the list was replaced by a shorter one)
            self._by_path, self._types, self._file_bytes, self._seen = {}, Counter(), 0, 0
        start = self._seen
        if stop <= start:
            return 0
        new = members[start:stop]  # (a copy: the list may grow meanwhile, on another thread)
        self._by_path.update(zip(map(attrgetter("path"), new), new))  # (the last of a path wins)
        types = list(map(attrgetter("type"), new))
        self._types.update(types)
        self._file_bytes += sum([m.size for m, t in zip(new, types) if t == FILE])
        self._seen = stop
        return stop - start

    @property
    def by_path(self) -> dict[str, Member]:
        self.catch_up()
        return self._by_path

    def get(self, path: str) -> Member | None:
        return self.by_path.get(normalize(path))

    def resolve_path(self, path: str) -> str | None:
        """Follow symlinks (in any component) and hardlinks inside the archive, as a loader
        would. Returns the final normalized path, or None when a link loops, is absolute
        or climbs out of the archive. The path itself need not exist."""
        parts = [p for p in normalize(path).split("/") if p]
        resolved: list[str] = []
        hops = 0
        by_path = self.by_path
        while parts:
            part = parts.pop(0)
            if part == ".":
                continue
            if part == "..":
                if not resolved:
                    return None
                resolved.pop()
                continue
            member = by_path.get("/".join([*resolved, part]))
            if member is not None and member.type in (SYMLINK, HARDLINK):
                hops += 1
                if hops > _MAX_LINK_HOPS or member.linkname.startswith("/"):
                    return None
                if member.type == SYMLINK:
                    parts = [p for p in member.linkname.split("/") if p] + parts
                else:  # hardlink targets are archive paths
                    resolved = []
                    parts = [p for p in normalize(member.linkname).split("/") if p] + parts
                continue
            resolved.append(part)
        return "/".join(resolved)

    def resolve(self, path: str) -> Member | None:
        """The member ``path`` ends at after following links, or None."""
        final = self.resolve_path(path)
        return None if final is None else self.by_path.get(final)

    # -- counts ---------------------------------------------------------------------------
    def counts(self) -> dict[str, int]:
        self.catch_up()
        by_type, total = self._types, self._seen
        known = by_type[FILE] + by_type[DIRECTORY] + by_type[SYMLINK] + by_type[HARDLINK]
        return {"members": total, "files": by_type[FILE], "directories": by_type[DIRECTORY],
                "symlinks": by_type[SYMLINK], "hardlinks": by_type[HARDLINK], "other": total - known,
                "file_bytes": self._file_bytes}


# Re-entrant: the garbage collector may finish an abandoned pass (running its ``finally``)
# while this thread is inside the lock.
_switching_lock = threading.RLock()
_switching_users = 0
_saved_interval = 0.005


def _pass_mode(on: bool) -> bool:
    """While a pass runs, hand the GIL over more often: the decompression thread then waits
    less for the parsing thread (measured: about 5% faster on a 1 GB archive). And pause the
    cyclic garbage collector (:mod:`distscope.tui.gcpause`; measured: 4-7% of the parsing thread); the
    members made are then moved to the oldest generation, unscanned. Only when the entry point
    enabled process tuning (:func:`distscope.tui.gcpause.enable`); returns whether it did."""
    global _switching_users, _saved_interval
    if on and not gcpause.enabled():
        return False
    with _switching_lock:
        if on:
            if _switching_users == 0:
                _saved_interval = sys.getswitchinterval()
                sys.setswitchinterval(min(_saved_interval, SWITCH_INTERVAL))
            _switching_users += 1
            gcpause.pause()
        else:
            _switching_users -= 1
            if _switching_users == 0:
                sys.setswitchinterval(_saved_interval)
            gcpause.resume(tenure=True)
    return True


def _analysis_error(analyser: str, path: str | None, exc: Exception) -> dict[str, Any]:
    """An ``index.analysis_errors`` entry: an analyser's bug, caught so the pass goes on."""
    return {"analyser": analyser, "path": path, "error": f"{type(exc).__name__}: {exc}"}


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split())[:200] or type(exc).__name__


class Progress(NamedTuple):
    """One batch of newly indexed members and where the pass stands."""

    members: list[Member]
    total_members: int
    compressed_read: int
    compressed_total: int
    uncompressed_read: int
    done: bool = False


class _AnalysisThread:
    """Feeds wanted member content to analysers on one background thread, in archive order,
    with a bound on the bytes queued."""

    def __init__(self, errors: list[dict[str, Any]], gate: threading.Event | None = None) -> None:
        self._queue: list[tuple[Any, ...]] = []
        self._gate = gate
        self._cond = threading.Condition()
        self._in_flight = 0
        self._closed = False
        self._errors = errors
        self._thread = threading.Thread(target=self._run, name="distscope-analysis", daemon=True)
        self._thread.start()

    def submit(self, analysers: list[Analyser], member: Member, pieces: list[Any], complete: bool) -> None:
        """Queue ``pieces`` (bytes or views of the stream's buffers, read or joined on this thread)."""
        size = sum(len(p.obj) if type(p) is memoryview else len(p) for p in pieces)  # type: ignore[misc,arg-type]
        with self._cond:
            while self._in_flight and self._in_flight + size > MAX_IN_FLIGHT:
                self._cond.wait()
            self._in_flight += size
            self._queue.append((analysers, member, pieces, complete, size))
            self._cond.notify_all()

    def _run(self) -> None:
        while True:
            with self._cond:
                while not self._queue and not self._closed:
                    self._cond.wait()
                if not self._queue:
                    return
                analysers, member, pieces, complete, size = self._queue.pop(0)
            wait_at(self._gate)
            joined: Any = None
            segments: Any = None
            data: Any = None
            for analyser in analysers:
                try:
                    if analyser.segments:
                        if segments is None:
                            segments = Segments(pieces)
                        data = segments
                    else:  # joined once, for the analysers that want one bytes
                        if joined is None:
                            joined = pieces[0] if len(pieces) == 1 and type(pieces[0]) is bytes else b"".join(pieces)
                        data = joined
                    analyser.feed(member, data, complete)
                except Exception as exc:  # an analyser bug must not stop the pass
                    self._errors.append(_analysis_error(analyser.name, member.path, exc))
            pieces = joined = segments = data = None  # (release the chunks before counting them out)
            with self._cond:
                self._in_flight -= size
                self._cond.notify_all()

    def close(self) -> None:
        with self._cond:
            self._closed = True
            self._cond.notify_all()
        if _may_join(self._thread):
            self._thread.join()


def _plan(analyser: Analyser) -> tuple[Any, ...] | None:
    """``(analyser, kinds, heads, suffixes, contains, folded)``, or None: no declared interest."""
    interest = getattr(analyser, "interest", None)
    if interest is None:
        return None
    return (analyser, frozenset(interest.kinds), tuple(interest.heads), tuple(interest.suffixes),
            tuple(interest.contains), tuple(w.lower() for w in interest.contains_folded))


class Scan:
    """One streaming pass over an archive. Iterate it for :class:`Progress` batches; afterwards
    :attr:`index` holds the result. Set ``cancel`` (a threading.Event) to stop early.

    Bad input raises :class:`~distscope.tui.errors.NotAnArchive` when opening. Damage found mid-stream
    does not raise during iteration: the index is marked incomplete and ``index.error`` says
    where; :meth:`run` raises :class:`~distscope.tui.errors.CorruptArchive` after the pass if asked to.
    """

    def __init__(self, path: str | os.PathLike[str],
                 analysers: Iterable[Analyser] | Callable[[], Iterable[Analyser]] = (),
                 cancel: threading.Event | None = None, hash_bytes: bool = True,
                 batch_members: int = BATCH_MEMBERS, batch_seconds: float = BATCH_SECONDS,
                 keep_small: Any = None, observers: Iterable[Callable[[list[Member]], None]] = (),
                 gate: threading.Event | None = None) -> None:
        self.archive = OpenedArchive(path, hash_bytes=hash_bytes, analysed=bool(analysers))
        #: A function making the analysers is called when the pass starts, after decompression
        #: has: importing them then overlaps it.
        self._make_analysers = analysers if callable(analysers) else None
        self.analysers: list[Analyser] = [] if callable(analysers) else list(analysers)
        #: Where the content of small file members goes (``member_limit`` and ``put_many(pairs)``,
        #: see :class:`distscope.tui.archive.reader.SmallMembers`); at most the head is kept, so it is free.
        self.keep_small = keep_small
        self.cancel = cancel or threading.Event()
        #: While clear, the pass's threads wait (at most GATE_WAIT each time): the parsing thread
        #: between batches, the analysis thread between members. An app clears it while it
        #: answers a key, since the pass shares the interpreter lock with its UI.
        self.gate = gate
        self.batch_members = batch_members
        self.batch_seconds = batch_seconds
        self.max_members = LIMITS.max_members
        st = os.stat(self.archive.path)
        self.index = ArchiveIndex(path=self.archive.path, compression=self.archive.compression,
                                  compressed_size=self.archive.size, mtime=st.st_mtime)
        self._observed = 0  # members observed so far (see _observe)
        #: (name, function) given every member once, in order, in slices: ``observers`` and the
        #: analysers' ``observe`` (added when the pass starts).
        self._observers: list[tuple[str, Callable[[list[Member]], None]]] = [
            (getattr(f, "__qualname__", "observer"), f) for f in observers]
        self.failure: CorruptArchive | None = None

    def __iter__(self) -> Iterator[Progress]:
        index = self.index
        if self._make_analysers is not None:
            self.archive.start()
            try:
                self.analysers = list(self._make_analysers())
            except BaseException:
                self.archive.close()
                raise
            self._make_analysers = None
        analysers = self.analysers
        # File members are classified (their ``kind``) whenever analysers ride the pass; their
        # heads are read for the analysers and for keeping small members.
        reader = TarReader(self.archive.stream, classify if analysers else None, HEAD_SIZE,
                           heads=bool(analysers) or self.keep_small is not None)
        feeder = _AnalysisThread(index.analysis_errors, self.gate) if analysers else None
        batch: list[Member] = []
        last_flush = time.monotonic()
        members, cancelled = index.members, self.cancel.is_set
        add_member, add_to_batch, now = members.append, batch.append, time.monotonic
        max_members, batch_members, batch_seconds = self.max_members, self.batch_members, self.batch_seconds
        owner = threading.get_ident()
        offer = self._offerer(reader, feeder)
        self._observers += [(a.name, a.observe) for a in analysers if type(a).observe is not Analyser.observe]
        add_idle = getattr(self.archive.stream, "add_idle", None)
        if add_idle is not None:  # catch up with the members read while waiting for data
            add_idle(self._observe_step)
        tuned = _pass_mode(True)
        end_offset: int | None = None  # (where the end marker ends, once read)
        try:
            try:
                for member in reader:  # (locals only in this loop: it runs once per member)
                    if len(members) >= max_members:
                        raise TarFormatError(members_message(), member.header_offset)
                    add_member(member)
                    add_to_batch(member)
                    if offer is not None and member.type == FILE:
                        offer(member)
                    if len(batch) >= batch_members or now() - last_flush >= batch_seconds:
                        self._flush_small()
                        yield self._progress(batch, reader)
                        wait_at(self.gate)
                        batch, last_flush = [], now()
                        add_to_batch = batch.append
                    if cancelled():
                        index.error = "cancelled"
                        break
                else:
                    # Read the padding after the end marker (to the end of the compressed stream,
                    # so that gzip/xz/bzip2/zstd check their end checksums), but never more
                    # than a bound: data beyond it is noted, not drained (a trailing bomb).
                    end_offset = reader.offset
                    index.trailing = reader.trailer(TRAILER_LIMIT)
                    damage = self.archive.container_damage()
                    if damage:
                        raise TarFormatError(damage, end_offset)
                    index.complete = True
            except TarFormatError as exc:
                self._fail(str(exc), exc.offset)
            except (zstandard.ZstdError, OSError, EOFError, lzma.LZMAError, zlib.error) as exc:
                self._fail(limit_message(exc) or f"decompression failed ({_one_line(exc)})", reader.offset)
            except Exception as exc:  # hostile input must never escape as a traceback
                self._fail(f"unreadable archive ({type(exc).__name__}: {_one_line(exc)})", reader.offset)
            finally:
                self._flush_small()
                if feeder is not None:
                    feeder.close()
            index.uncompressed_bytes = reader.offset if end_offset is None else end_offset
            if index.complete and not index.trailing:  # (else the hash would read what the pass left)
                index.sha256 = self.archive.sha256()
        finally:
            if tuned:
                _pass_mode(False)
            if threading.get_ident() == owner:
                self.archive.close()
            else:  # the garbage collector finishing an abandoned pass on some other thread
                self.archive.abandon()
        self._observe()
        for analyser in self.analysers:
            try:
                analyser.finish(index)
                index.results[analyser.name] = analyser.result()
            except Exception as exc:
                index.analysis_errors.append(_analysis_error(analyser.name, None, exc))
        read = self.archive.size if index.complete else min(self.archive.raw.bytes_read, self.archive.size)
        yield Progress(batch, len(index.members), read, self.archive.size, reader.offset, done=True)

    def _offerer(self, reader: TarReader, feeder: _AnalysisThread | None) -> Callable[[Member], None] | None:
        """The function the pass calls for each file member (None: nothing to offer): keeps
        small members' heads, asks the analysers that may want the member (those without a
        declared interest, and those whose :class:`~distscope.tui.archive.plugin.Interest` it matches) and
        hands what they want to ``feeder``. A closure over locals: it runs ~50,000 times a pass."""
        planned = [_plan(a) for a in self.analysers]
        always = [a for a, plan in zip(self.analysers, planned) if plan is None]
        plans = [plan for plan in planned if plan is not None]
        any_kinds = frozenset().union(*(p[1] for p in plans))
        any_heads = tuple(h for p in plans for h in p[2])
        any_suffixes = tuple(x for p in plans for x in p[3])
        any_contains = tuple(w for p in plans for w in p[4])
        any_folded = tuple(w for p in plans for w in p[5])
        keep = self.keep_small
        keep_limit = 0 if keep is None else min(keep.member_limit, reader.head_size)
        kept: list[tuple[int, bytes]] = []
        self._kept = kept
        keep_head = kept.append
        ask = self._want
        if not self.analysers and not keep_limit:
            return None

        def offer(member: Member) -> None:
            head = reader.head
            size = member.size
            if 0 < size <= keep_limit:
                keep_head((member.data_offset, head))
            wanted = []
            limit = 0
            for analyser in always:
                n = ask(analyser, member, head)
                if n > 0:
                    wanted.append(analyser)
                    limit = max(limit, n)
            if plans:
                # The common case first: the member matches no declared interest (C-level tests).
                path, kind = member.path, member.kind
                hit = kind in any_kinds or head.startswith(any_heads) or path.endswith(any_suffixes)
                if not hit:
                    for word in any_contains:
                        if word in path:
                            hit = True
                            break
                    else:
                        if any_folded:
                            lower = path.lower()
                            for word in any_folded:
                                if word in lower:
                                    hit = True
                                    break
                if hit:
                    lower = path.lower()
                    for analyser, kinds, heads, suffixes, contains, folded in plans:
                        if (kind in kinds or head.startswith(heads) or path.endswith(suffixes)
                                or any(w in path for w in contains) or any(w in lower for w in folded)):
                            n = ask(analyser, member, head)
                            if n > 0:
                                wanted.append(analyser)
                                limit = max(limit, n)
            if wanted and feeder is not None:
                self._hand_over(reader, member, head, wanted, limit, feeder)

        return offer

    def _observe(self, limit: int | None = None) -> int:
        """Catch up with up to ``limit`` (default: all) members read but not yet observed: the
        index's lookup and tallies (:meth:`ArchiveIndex.catch_up`) and the observers. Returns
        how many members it took."""
        index = self.index
        start = self._observed
        stop = len(index.members) if limit is None else min(len(index.members), start + limit)
        if stop <= start:
            return 0
        index.catch_up(stop)
        if self._observers:
            members = index.members[start:stop]
            for name, observe in self._observers:
                try:
                    observe(members)
                except Exception as exc:  # a bug must not stop the pass
                    index.analysis_errors.append(_analysis_error(name, None, exc))
        self._observed = stop
        return stop - start

    def _observe_step(self) -> bool:
        return self._observe(OBSERVE_STEP) > 0

    def _flush_small(self) -> None:
        if self._kept:
            self.keep_small.put_many(self._kept)
            self._kept.clear()

    @staticmethod
    def _hand_over(reader: TarReader, member: Member, head: bytes, wanted: list[Analyser], limit: int,
                   feeder: _AnalysisThread) -> None:
        """Buffer ``limit`` bytes of ``member`` (capped) and queue them for ``wanted``."""
        limit = min(limit, MAX_MEMBER_BUFFER, member.size)
        if limit <= len(head):
            feeder.submit(wanted, member, [head[:limit]], limit == member.size)
            return
        pieces: list[Any] = []
        try:
            pieces.extend(reader.data_chunks(limit))  # views of the stream's buffers: no copy here
        except TruncatedError:
            feeder.submit(wanted, member, [b"".join(pieces)], False)
            raise
        got = sum(map(len, pieces))
        if got < VIEW_MIN:  # small: copy it, so that it keeps no whole chunk alive in the queue
            pieces = [b"".join(pieces)]
        feeder.submit(wanted, member, pieces, got == member.size)

    def _want(self, analyser: Analyser, member: Member, head: bytes) -> int:
        try:
            return analyser.want(member, head)
        except Exception as exc:  # an analyser bug must not stop the pass
            self.index.analysis_errors.append(_analysis_error(analyser.name, member.path, exc))
            return 0

    def _progress(self, batch: list[Member], reader: TarReader) -> Progress:
        return Progress(batch, len(self.index.members), self.archive.raw.bytes_read,
                        self.archive.size, reader.offset)

    def _fail(self, message: str, offset: int) -> None:
        last = self.index.members[-1].name if self.index.members else None
        self.failure = CorruptArchive(message, offset, last)
        self.index.error = self.failure.message

    def run(self, raise_on_damage: bool = False) -> ArchiveIndex:
        """Run the pass to the end and return the index."""
        for _ in self:
            pass
        if raise_on_damage and self.failure is not None:
            raise self.failure
        return self.index


def scan(path: str | os.PathLike[str], analysers: Iterable[Analyser] = (), **kwargs: Any) -> ArchiveIndex:
    """Index an archive in one pass (see :class:`Scan`)."""
    return Scan(path, analysers, **kwargs).run()
