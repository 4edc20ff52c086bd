"""The persistent index cache: members and analyser results of an archive, in msgpack.

Layout: ``<cache dir>/index/<key>.msgpack`` where the key hashes the archive's realpath, size,
mtime, and what ``touch`` cannot restore: inode, device and ctime (a lookup needs one ``stat``).
An entry is a 16-byte magic, a CRC-32 of everything after it, the 8-byte length of a msgpack
*header* (everything but the bulk), then *sections*: the big byte payloads of the member columns
(:class:`~distscope.tui.archive.columns.Packed`), which the header references as msgpack ext values
(offset, length). Loading decodes them straight from the read buffer, without the copy msgpack
makes of a bin value (~9 MB for 60,000 members). A hit is trusted only when every check passes:

* the entry's CRC-32 matches (a flipped bit or a truncated entry is a miss, never data);
* the format version, realpath, size, mtime, ctime (ns), inode and device stored inside match;
* a *fingerprint* matches: SHA-256 of the size plus the first and last MiB and 16 evenly spread
  64 KiB samples of the compressed file (about 3 MiB read, ~3 ms, on a thread of its own while
  the entry is read and decoded). It catches a file rewritten with the same size and a restored
  mtime, which size+mtime alone cannot;
* the registered analysers (name and version) equal the cached ones; the caller passes their
  versions (:data:`distscope.tui.session.ANALYSER_VERSIONS` on a lookup), not the analysers.

The cache never follows a symlink it did not expect: its ``index/`` folder must be a real folder
(else the cache is unused), entries are written to a temporary file made with ``O_EXCL`` in that
folder and renamed into place, and pruning deletes only entries found in it.

The report says when the SHA-256 comes from an entry (the whole file was not read this time);
``--verify`` hashes the file again and drops an entry that disagrees.

Anything else (a changed file, a truncated or garbled cache file, an older format) is a miss:
the archive is rescanned and the entry rewritten. The full SHA-256 of the compressed bytes,
computed during the pass, is stored (``index.sha256``) and names the seekable copies.

Cancelled passes are never cached. Damaged archives (truncated, corrupt) are cached with
``complete`` False and their ``error``: a rescan would find the same damage.
"""

from __future__ import annotations

import hashlib
import os
import stat
import struct
import threading
import time
import zlib
from pathlib import Path
from typing import Any, Iterable, Mapping


from distscope.tui.archive.plugin import Analyser
from distscope.tui.archive.index import ArchiveIndex
from distscope.tui.archive.columns import ColumnBuilder, Packed, decode_members, encode_members
from distscope.tui.gcpause import pause as pause_gc, resume as resume_gc

#: Bump when the layout of a cache entry changes.
FORMAT_VERSION = 5
_MAGIC = "distscope-index"
_HEAD = b"distscope-index\n"
_CRC = struct.Struct("<I")
_LENGTH = struct.Struct("<Q")
#: msgpack ext type of a section reference: little-endian u64 offset and length.
_SECTION = 1
_SECTION_REF = struct.Struct("<QQ")
#: Smaller payloads stay inline.
_SECTION_MIN = 512
#: Index entries kept (least recently used dropped first); archives come and go.
MAX_ENTRIES = 200
_SAMPLES = 16
_SAMPLE_SIZE = 64 << 10
_EDGE = 1 << 20
#: Member names that are not UTF-8 survive as surrogate escapes.
_ERRORS = "surrogateescape"


def cache_dir() -> Path:
    """The cache folder: ``$DISTSCOPE_CACHE_DIR`` or the platform's user cache folder."""
    override = os.environ.get("DISTSCOPE_CACHE_DIR")
    if override:
        return Path(override)
    import platformdirs

    return Path(platformdirs.user_cache_dir("distscope"))


def _stat_key(realpath: str, st: os.stat_result) -> str:
    raw = f"{realpath}\0{_identity(st)}".encode("utf-8", "surrogateescape")
    return hashlib.sha256(raw).hexdigest()[:32]


def _identity(st: os.stat_result) -> list[int]:
    """What identifies one version of a file: size, mtime, and what touch cannot set back."""
    return [st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino, st.st_dev]


def _real_dir(path: Path) -> bool:
    """``path`` is a folder, not a symlink to one (the cache never writes or deletes through one)."""
    try:
        return stat.S_ISDIR(os.lstat(path).st_mode)
    except OSError:
        return False


def ensure_dir(path: Path) -> None:
    """Create ``path`` (and its parents) if needed; OSError unless it is then a real folder."""
    path.mkdir(parents=True, exist_ok=True)
    if not _real_dir(path):
        raise OSError(f"{path}: not a folder (a symlink?): the cache does not use it")


def fingerprint(path: str, size: int | None = None) -> str:
    """A cheap content check: SHA-256 over size, first/last MiB and spread samples."""
    sha = hashlib.sha256()
    with open(path, "rb") as f:
        if size is None:
            size = os.fstat(f.fileno()).st_size
        sha.update(size.to_bytes(8, "little"))
        if size <= 2 * _EDGE + _SAMPLES * _SAMPLE_SIZE:
            while chunk := f.read(1 << 20):
                sha.update(chunk)
            return sha.hexdigest()
        sha.update(f.read(_EDGE))
        step = (size - 2 * _EDGE) // (_SAMPLES + 1)
        for i in range(1, _SAMPLES + 1):
            f.seek(_EDGE + i * step)
            sha.update(f.read(_SAMPLE_SIZE))
        f.seek(size - _EDGE)
        sha.update(f.read(_EDGE))
    return sha.hexdigest()


class _Fingerprint(threading.Thread):
    """:func:`fingerprint` computed on a thread of its own while the cache entry is decoded, and
    the entry's own checksum (:func:`entry_intact`): their reads, hashing and CRC release the GIL
    (the CRC of a 12 MB entry costs ~8 ms; here it overlaps the decoding)."""

    def __init__(self, path: str, size: int, raw: bytes) -> None:
        super().__init__(name="distscope-fingerprint", daemon=True)
        self._args = (path, size)
        self._raw = raw
        self._value: str | None = None
        self.intact = False
        self.start()

    def run(self) -> None:
        try:
            self.intact = entry_intact(self._raw)
            self._value = fingerprint(*self._args)
        except OSError:
            pass  # None matches no entry
        finally:
            self._raw = b""

    def result(self) -> str | None:
        """The fingerprint, or None when it failed or the entry's checksum does not match."""
        self.join()
        return self._value if self.intact else None


def file_sha256(path: str | os.PathLike[str]) -> str:
    """The SHA-256 of a whole file (``--verify``)."""
    sha = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(8 << 20):
            sha.update(chunk)
    return sha.hexdigest()


def analyser_versions(analysers: Iterable[Analyser]) -> dict[str, int]:
    """``name: version`` of ``analysers``, as :meth:`IndexCache.load` and ``store`` take them."""
    return {a.name: int(a.version) for a in analysers}


def _signature(versions: Mapping[str, int]) -> list[list[str | int]]:
    """The ``[name, version]`` pairs stored in an entry, sorted."""
    return sorted([name, int(version)] for name, version in dict(versions).items())


class IndexCache:
    """Load and store analysed indexes. Every failure is a miss, never an error."""

    def __init__(self, root: Path | None = None) -> None:
        self.root = (root or cache_dir()) / "index"

    def entry_path(self, archive: str | os.PathLike[str]) -> Path | None:
        try:
            realpath = os.path.realpath(archive)
            st = os.stat(realpath)
        except OSError:
            return None
        return self.root / f"{_stat_key(realpath, st)}.msgpack"

    def load(self, archive: str | os.PathLike[str], versions: Mapping[str, int]) -> ArchiveIndex | None:
        """The cached index of ``archive`` for analysers of ``versions`` (name: version), or None
        when absent, stale or unreadable."""
        try:
            realpath = os.path.realpath(archive)
            st = os.stat(realpath)
            entry = self.root / f"{_stat_key(realpath, st)}.msgpack"
            if not _real_dir(self.root):
                return None
            fd = os.open(entry, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0))
            with open(fd, "rb") as f:
                raw = f.read()
            content = _Fingerprint(realpath, st.st_size, raw)  # meanwhile, on another thread
        except OSError:
            return None
        pause_gc()  # tens of thousands of new objects: collections would only slow this down
        loaded = False
        try:
            data = _unpack(raw)
            if not isinstance(data, dict) or data.get("magic") != _MAGIC or data.get("format") != FORMAT_VERSION:
                raise ValueError("not a current cache entry")
            if data["realpath"] != realpath or data["identity"] != _identity(st):
                raise ValueError("archive changed")
            if data["analysers"] != _signature(versions):
                return None  # valid, but for other analysers: rescan and overwrite
            index = self._index(archive, st, data)
            if data["fingerprint"] != content.result():
                raise ValueError("archive content changed, or the entry is damaged")
            loaded = True
            try:
                os.utime(entry)  # recently used entries are kept longest
            except OSError:
                pass
            return index
        except Exception:  # corrupt, truncated or stale: drop it, the caller rescans
            try:
                entry.unlink()
            except OSError:
                pass
            return None
        finally:
            resume_gc(tenure=loaded)

    @staticmethod
    def _index(archive: str | os.PathLike[str], st: os.stat_result, data: dict[str, Any]) -> ArchiveIndex:
        members = decode_members(data["members"])
        index = ArchiveIndex(path=os.fspath(archive), compression=data["compression"],
                             compressed_size=st.st_size, mtime=st.st_mtime, members=members,
                             complete=data["complete"], error=data["error"], sha256=data["sha256"],
                             uncompressed_bytes=data["uncompressed_bytes"],
                             results=data["results"], analysis_errors=data["analysis_errors"],
                             trailing=data.get("trailing"))
        index.sha256_source = "cache"
        return index

    def store(self, index: ArchiveIndex, versions: Mapping[str, int], columns: ColumnBuilder | None = None) -> bool:
        """Write ``index``, made by analysers of ``versions`` (see :func:`analyser_versions`),
        atomically; False when it is not cacheable or the write failed. ``columns``: the
        members' columns gathered during the pass (used when it holds them all)."""
        if index.error == "cancelled":
            return False
        try:
            realpath = os.path.realpath(index.path)
            st = os.stat(realpath)
            if st.st_size != index.compressed_size or (index.mtime and st.st_mtime != index.mtime):
                return False  # changed while we read it
            data = {
                "magic": _MAGIC, "format": FORMAT_VERSION, "written": time.time(),
                "realpath": realpath, "size": st.st_size, "identity": _identity(st),
                "fingerprint": fingerprint(realpath, st.st_size), "sha256": index.sha256,
                "compression": index.compression, "complete": index.complete, "error": index.error,
                "uncompressed_bytes": index.uncompressed_bytes, "trailing": index.trailing,
                "analysers": _signature(versions),
                "members": (columns.encode() if columns is not None and columns.count == len(index.members)
                            else encode_members(index.members)),
                "results": _results(index.results), "analysis_errors": index.analysis_errors,
            }
            payload = _pack(data)
            ensure_dir(self.root)
            target = self.root / f"{_stat_key(realpath, st)}.msgpack"
            atomic_write(target, payload)
            self.prune(keep=target)
            return True
        except (OSError, TypeError, ValueError, OverflowError):
            return False

    def discard(self, archive: str | os.PathLike[str]) -> None:
        """Drop the entry of ``archive`` (found stale by a caller)."""
        entry = self.entry_path(archive)
        if entry is not None and _real_dir(self.root):
            try:
                entry.unlink()
            except OSError:
                pass

    def prune(self, max_entries: int = MAX_ENTRIES, keep: Path | None = None) -> None:
        """Delete the least recently used entries beyond ``max_entries``."""
        if not _real_dir(self.root):
            return
        try:
            entries = [(e.stat(follow_symlinks=False).st_mtime, e.path) for e in os.scandir(self.root)
                       if e.name.endswith(".msgpack")]
        except OSError:
            return
        for _, path in sorted(entries, reverse=True)[max_entries:]:
            if keep is None or path != str(keep):
                try:
                    os.unlink(path)
                except OSError:
                    pass


def _results(results: dict[str, Any]) -> dict[str, Any]:
    """The analysers' results (model objects) as plain data, through the model's codec
    (imported here: dataclasses is not needed before a pass starts)."""
    from distscope.tui.model.codec import to_plain

    plain: dict[str, Any] = to_plain(results)  # (to_plain is typed Any -> Any: a dict gives a dict)
    return plain


def _pack(data: dict[str, Any]) -> bytes:
    """An entry: magic, header length, msgpack header, sections (see the module docstring)."""
    import msgpack  # (here and in _unpack: an open without a cache entry never needs it)
    sections: list[bytes] = []
    offset = 0

    def hoist(value: Any) -> Any:
        nonlocal offset
        if type(value) is Packed and len(value) >= _SECTION_MIN:
            sections.append(value)
            offset += len(value)
            return msgpack.ExtType(_SECTION, _SECTION_REF.pack(offset - len(value), len(value)))
        if type(value) is list:
            return [hoist(v) for v in value]
        if type(value) is dict:
            return {k: hoist(v) for k, v in value.items()}
        return value

    data = {**data, "members": hoist(data["members"])}
    header = msgpack.packb(data, use_bin_type=True, unicode_errors=_ERRORS, default=_plain)
    crc = 0
    for part in (_LENGTH.pack(len(header)), header, *sections):
        crc = zlib.crc32(part, crc)
    return b"".join([_HEAD, _CRC.pack(crc), _LENGTH.pack(len(header)), header, *sections])


def _unpack(raw: bytes) -> dict[str, Any]:
    """The header of an entry, its section references replaced by memoryviews of ``raw``."""
    if raw[:len(_HEAD)] != _HEAD:
        raise ValueError("not a cache entry")
    view = memoryview(raw)
    start = len(_HEAD) + _CRC.size + _LENGTH.size
    (length,) = _LENGTH.unpack_from(raw, len(_HEAD) + _CRC.size)
    body = view[start + length:]

    def section(code: int, ref: bytes) -> memoryview:
        offset, size = _SECTION_REF.unpack(ref)
        if code != _SECTION or offset + size > len(body):
            raise ValueError("bad section reference")
        return body[offset:offset + size]

    import msgpack

    # an incomplete header (a truncated entry) or trailing bytes in it raise
    header: dict[str, Any] = msgpack.unpackb(view[start:start + length], raw=False, strict_map_key=False,
                                             unicode_errors=_ERRORS, ext_hook=section)
    return header


def entry_intact(raw: bytes) -> bool:
    """Whether an entry's CRC-32 matches its content (checked on every load, see
    :class:`_Fingerprint`)."""
    if len(raw) < len(_HEAD) + _CRC.size or raw[:len(_HEAD)] != _HEAD:
        return False
    crc: int
    (crc,) = _CRC.unpack_from(raw, len(_HEAD))
    return zlib.crc32(memoryview(raw)[len(_HEAD) + _CRC.size:]) == crc


def _plain(value: object) -> list[Any]:
    """Sets in analyser results are stored as sorted lists; anything else unknown is an error."""
    if isinstance(value, (set, frozenset)):
        return sorted(value, key=repr)
    raise TypeError(f"cannot cache a {type(value).__name__}")


def atomic_write(target: Path, payload: bytes) -> None:
    """Write ``payload`` to a temp file next to ``target`` (``O_EXCL``: never through a planted
    link), then rename it into place (a link at ``target`` is replaced, not followed). The
    folder must be a real one."""
    import tempfile  # (only when writing: 3 ms of imports a cache hit does not need)

    if not _real_dir(target.parent):
        raise OSError(f"{target.parent}: not a folder (a symlink?)")
    fd, tmp = tempfile.mkstemp(prefix=target.name + ".", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(payload)
        os.replace(tmp, target)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise

