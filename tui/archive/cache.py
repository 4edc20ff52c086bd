"""The persistent index cache: members and analyser results of an archive, in msgpack.

Layout: ``<cache dir>/index/<key>.msgpack`` where the key hashes the archive's realpath, size and
mtime (a lookup needs one ``stat``). A hit is trusted only when every check passes:

* the format version, realpath, size and mtime (ns) stored inside match;
* a *fingerprint* matches: SHA-256 of the size plus the first and last MiB and 16 evenly spread
  64 KiB samples of the compressed file (about 3 MiB read, ~2 ms). It catches a file rewritten
  with the same size and a restored mtime, which size+mtime alone cannot;
* the registered analysers (name and version) equal the cached ones; the caller passes their
  versions (:data:`tui.analysis.registry.ANALYSER_VERSIONS` on a lookup), not the analysers.

Anything else (a changed file, a truncated or garbled cache file, an older format) is a miss:
the archive is rescanned and the entry rewritten. The full SHA-256 of the compressed bytes,
computed during the pass, is stored (``index.sha256``) and names the seekable copies.

Cancelled passes are never cached. Damaged archives (truncated, corrupt) are cached with
``complete`` False and their ``error``: a rescan would find the same damage.
"""

from __future__ import annotations

import gc
import hashlib
import os
import tempfile
import time
from pathlib import Path
from typing import Iterable, Mapping

import msgpack

from tui.analysis.base import Analyser
from tui.archive.index import ArchiveIndex
from tui.archive.columns import decode_members, encode_members

#: Bump when the layout of a cache entry changes.
FORMAT_VERSION = 3
_MAGIC = "distscope-index"
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
    raw = f"{realpath}\0{st.st_size}\0{st.st_mtime_ns}".encode("utf-8", "surrogateescape")
    return hashlib.sha256(raw).hexdigest()[:32]


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


def analyser_versions(analysers: Iterable[Analyser]) -> dict[str, int]:
    """``name: version`` of ``analysers``, as :meth:`IndexCache.load` and ``store`` take them."""
    return {a.name: int(a.version) for a in analysers}


def _signature(versions: Mapping[str, int]) -> list[list]:
    """The ``[name, version]`` pairs stored in an entry, sorted."""
    return sorted([name, int(version)] for name, version in dict(versions).items())


class IndexCache:
    """Load and store analysed indexes. Every failure is a miss, never an error."""

    def __init__(self, root: Path | None = None) -> None:
        self.root = (root or cache_dir()) / "index"

    def entry_path(self, archive: str | os.PathLike) -> Path | None:
        try:
            realpath = os.path.realpath(archive)
            st = os.stat(realpath)
        except OSError:
            return None
        return self.root / f"{_stat_key(realpath, st)}.msgpack"

    def load(self, archive: str | os.PathLike, versions: Mapping[str, int]) -> ArchiveIndex | None:
        """The cached index of ``archive`` for analysers of ``versions`` (name: version), or None
        when absent, stale or unreadable."""
        try:
            realpath = os.path.realpath(archive)
            st = os.stat(realpath)
            entry = self.root / f"{_stat_key(realpath, st)}.msgpack"
            raw = entry.read_bytes()
        except OSError:
            return None
        gc_was_enabled = gc.isenabled()
        gc.disable()  # tens of thousands of new objects: collections would only slow this down
        try:
            data = msgpack.unpackb(raw, raw=False, strict_map_key=False, unicode_errors=_ERRORS)
            if not isinstance(data, dict) or data.get("magic") != _MAGIC or data.get("format") != FORMAT_VERSION:
                raise ValueError("not a current cache entry")
            if (data["realpath"] != realpath or data["size"] != st.st_size
                    or data["mtime_ns"] != st.st_mtime_ns):
                raise ValueError("archive changed")
            if data["analysers"] != _signature(versions):
                return None  # valid, but for other analysers: rescan and overwrite
            if data["fingerprint"] != fingerprint(realpath, st.st_size):
                raise ValueError("archive content changed")
            index = self._index(archive, st, data)
            _tenure()
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
            if gc_was_enabled:
                gc.enable()

    @staticmethod
    def _index(archive, st: os.stat_result, data: dict) -> ArchiveIndex:
        members = decode_members(data["members"])
        index = ArchiveIndex(path=os.fspath(archive), compression=data["compression"],
                             compressed_size=st.st_size, mtime=st.st_mtime, members=members,
                             complete=data["complete"], error=data["error"], sha256=data["sha256"],
                             uncompressed_bytes=data["uncompressed_bytes"],
                             results=data["results"], analysis_errors=data["analysis_errors"])
        return index

    def store(self, index: ArchiveIndex, versions: Mapping[str, int]) -> bool:
        """Write ``index``, made by analysers of ``versions`` (see :func:`analyser_versions`),
        atomically; False when it is not cacheable or the write failed."""
        if index.error == "cancelled":
            return False
        try:
            realpath = os.path.realpath(index.path)
            st = os.stat(realpath)
            if st.st_size != index.compressed_size or (index.mtime and st.st_mtime != index.mtime):
                return False  # changed while we read it
            data = {
                "magic": _MAGIC, "format": FORMAT_VERSION, "written": time.time(),
                "realpath": realpath, "size": st.st_size, "mtime_ns": st.st_mtime_ns,
                "fingerprint": fingerprint(realpath, st.st_size), "sha256": index.sha256,
                "compression": index.compression, "complete": index.complete, "error": index.error,
                "uncompressed_bytes": index.uncompressed_bytes,
                "analysers": _signature(versions),
                "members": encode_members(index.members),
                "results": index.results, "analysis_errors": index.analysis_errors,
            }
            payload = msgpack.packb(data, use_bin_type=True, unicode_errors=_ERRORS, default=_plain)
            self.root.mkdir(parents=True, exist_ok=True)
            target = self.root / f"{_stat_key(realpath, st)}.msgpack"
            atomic_write(target, payload)
            self.prune(keep=target)
            return True
        except (OSError, TypeError, ValueError, OverflowError):
            return False

    def prune(self, max_entries: int = MAX_ENTRIES, keep: Path | None = None) -> None:
        """Delete the least recently used entries beyond ``max_entries``."""
        try:
            entries = [(e.stat().st_mtime, e.path) for e in os.scandir(self.root) if e.name.endswith(".msgpack")]
        except OSError:
            return
        for _, path in sorted(entries, reverse=True)[max_entries:]:
            if keep is None or path != str(keep):
                try:
                    os.unlink(path)
                except OSError:
                    pass


def _tenure() -> None:
    """Move every object the garbage collector tracks to its oldest generation, unscanned.

    A loaded index holds tens of thousands of long-lived named tuples (which CPython never
    untracks); the young collections would traverse them twice (~10 ms each) only to promote
    them there. ``freeze`` + ``unfreeze`` does it in constant time. Skipped when someone else
    froze objects, as unfreeze would thaw theirs."""
    if hasattr(gc, "freeze") and gc.get_freeze_count() == 0:
        gc.freeze()
        gc.unfreeze()


def _plain(value):
    """Sets in analyser results are stored as sorted lists; anything else unknown is an error."""
    if isinstance(value, (set, frozenset)):
        return sorted(value, key=repr)
    raise TypeError(f"cannot cache a {type(value).__name__}")


def atomic_write(target: Path, payload: bytes) -> None:
    """Write ``payload`` to a temp file next to ``target``, then rename it into place."""
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

