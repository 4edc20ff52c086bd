"""Open an archive for the commands and the app: from the cache when it is fresh, else by one
streaming pass with every analyser."""

from __future__ import annotations

import os
import threading
from typing import Callable

from distscope.tui.analysis.registry import ANALYSER_VERSIONS, default_analysers
from distscope.tui.archive.cache import IndexCache, analyser_versions, file_sha256
from distscope.tui.archive.columns import ColumnBuilder
from distscope.tui.archive.index import ArchiveIndex, Progress, Scan
from distscope.tui.archive.reader import SmallMembers, attach_small_members


def open_index(path: str | os.PathLike, *, use_cache: bool = True,
               on_progress: Callable[[Progress], None] | None = None,
               cancel: threading.Event | None = None, keep_small: bool = True,
               verify: bool = False) -> ArchiveIndex:
    """The analysed index of ``path``. Raises NotAnArchive for bad input; damage found
    mid-stream leaves ``index.complete`` False and ``index.error`` set.

    With ``use_cache``, a fresh cache entry is returned without reading the archive (one
    ``on_progress`` call, done, holding every member); otherwise the pass's index is stored.
    With ``keep_small``, small members seen during a pass stay in memory for
    :class:`~distscope.tui.archive.reader.MemberReader` (commands that read no content pass False).
    With ``verify``, a cache hit is trusted only after the whole file is hashed again and matches
    the SHA-256 the entry holds (``index.sha256_source``: "read" by this pass, "cache", or
    "verified"); a mismatch drops the entry and rescans.
    """
    cache = IndexCache() if use_cache else None
    if cache is not None:
        index = cache.load(path, ANALYSER_VERSIONS)  # no analyser imported on a hit
        if index is not None and verify:
            if index.sha256 and file_sha256(path) == index.sha256:
                index.sha256_source = "verified"
            else:
                cache.discard(path)
                index = None
        if index is not None:
            if on_progress is not None:
                on_progress(Progress(list(index.members), len(index.members), index.compressed_size,
                                     index.compressed_size, index.uncompressed_bytes, done=True))
            return index
    small = SmallMembers() if keep_small else None
    # The cache's member columns are gathered while the pass waits for data, not all after it.
    columns = ColumnBuilder() if cache is not None else None
    scan = Scan(path, default_analysers, cancel=cancel, keep_small=small,  # (imported as the archive streams)
                observers=[columns.add] if columns is not None else ())
    for progress in scan:
        if on_progress is not None:
            on_progress(progress)
    index = scan.index
    if small is not None:
        attach_small_members(index, small)
    if cache is not None:
        cache.store(index, analyser_versions(scan.analysers), columns)
    return index
