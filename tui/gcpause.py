"""Process tuning for the command and the app: pause the cyclic garbage collector while tens of
thousands of objects are made, and let a pass shorten the interpreter's switch interval.

Off unless an entry point calls :func:`enable` (the ``distscope`` command and the app do): a
library user's process is left alone. An indexing pass or a cache load makes a member (a named
tuple, which CPython keeps tracked) per archive member and no reference cycles; every young
collection meanwhile would walk all the members made so far. Pauses nest and may overlap across
threads (a pass and a cache load in the app): the collector resumes, if it was on, when the last
pause ends.
"""

from __future__ import annotations

import gc
import threading
from contextlib import contextmanager
from typing import Iterator

# Re-entrant: the garbage collector may finish an abandoned pass (running its ``finally``)
# while this thread holds the lock.
_lock = threading.RLock()
_pauses = 0
_was_enabled = True
_tuning = False


def enable(on: bool = True) -> None:
    """Let passes and cache loads tune the process (entry points only, never the library)."""
    global _tuning
    _tuning = on


def enabled() -> bool:
    return _tuning


def pause() -> bool:
    """Start a pause (when tuning is enabled); returns whether it did, for :func:`resume`."""
    global _pauses, _was_enabled
    if not _tuning:
        return False
    with _lock:
        if _pauses == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _pauses += 1
    return True


def resume(tenure: bool = False) -> None:
    """End one pause; with ``tenure``, first move the objects made meanwhile (long-lived, like
    an index's members) to the oldest generation, so young collections never walk them."""
    global _pauses
    with _lock:
        if _pauses == 0:  # (no pause started: tuning is off)
            return
        _pauses -= 1
        if _pauses == 0:
            if tenure:
                _tenure()
            if _was_enabled:
                gc.enable()


@contextmanager
def paused(tenure: bool = False) -> Iterator[None]:
    started = pause()
    try:
        yield
    finally:
        if started:
            resume(tenure)


def keep_long_lived() -> None:
    """Move every object made so far out of the collector's reach for good (``gc.freeze``), when
    tuning is on. The app calls it once an index, then its report, is built: they live as long
    as the app, and every full collection would otherwise walk them all (measured: 150 ms on a
    66,000-member archive, several times a minute while keys are pressed). Cycles that are
    already garbage at that moment stay in memory: a one-time, bounded cost."""
    if _tuning and hasattr(gc, "freeze"):
        gc.freeze()


def _tenure() -> None:
    """``freeze`` + ``unfreeze`` moves every tracked object to the oldest generation in constant
    time. Skipped when someone else froze objects, as unfreeze would thaw theirs."""
    if hasattr(gc, "freeze") and gc.get_freeze_count() == 0:
        gc.freeze()
        gc.unfreeze()
