"""Open an archive for the commands and the app: from the cache when it is fresh, else by one
streaming pass with every analyser."""

from __future__ import annotations

import os
import threading
from typing import Callable

from tui.analysis.registry import default_analysers
from tui.archive.index import ArchiveIndex, Progress, Scan


def open_index(path: str | os.PathLike, *, use_cache: bool = True,
               on_progress: Callable[[Progress], None] | None = None,
               cancel: threading.Event | None = None) -> ArchiveIndex:
    """The analysed index of ``path``. Raises NotAnArchive for bad input; damage found
    mid-stream leaves ``index.complete`` False and ``index.error`` set."""
    scan = Scan(path, default_analysers(), cancel=cancel)
    for progress in scan:
        if on_progress is not None:
            on_progress(progress)
    return scan.index
