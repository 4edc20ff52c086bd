"""Open one side of a diff: the archive's index (from the cache when fresh), its typed report
and, when the index carries one, its component inventory."""

from __future__ import annotations

import os

from distscope.tui.archive.index import ArchiveIndex
from distscope.tui.diff.compare import Analysed
from distscope.tui.errors import DistscopeError


def analyse(path: str, *, use_cache: bool = True, content: bool = False, verify: bool = False) -> Analysed:
    """One side of a diff. Raises DistscopeError (a one-line message) for bad input, including
    an archive damaged mid-stream: a diff against half an archive would mislead. With
    ``content``, every file member is hashed by one more read of the archive; with ``verify``, a
    cache hit is trusted only once the file hashes the same again."""
    from distscope.tui.session import open_index

    if not os.path.exists(path):
        raise DistscopeError(f"{path}: no such file")
    if os.path.isdir(path):
        raise DistscopeError(f"{path}: is a directory, not an archive")
    index = open_index(path, use_cache=use_cache, keep_small=False, verify=verify)  # reads no content
    side = from_index(index)
    if content:
        from distscope.tui.diff.content import content_hashes

        side.hashes.update(content_hashes(path))
    return side


def from_index(index: ArchiveIndex) -> Analysed:
    """One side of a diff from an index already analysed (the app's own, say): nothing is read.
    Raises DistscopeError when the archive was damaged mid-stream."""
    from distscope.tui.report import build_report

    if index.error and index.error != "cancelled":
        raise DistscopeError(f"{index.path}: {index.error}")
    report = build_report(index)
    inventory = report.components
    if inventory is None:  # (the report could not make one: no component to compare)
        return Analysed(index.members, report, components=None)
    hashes = {member: carrier.sha256 for member, carrier in inventory.files.items()}
    return Analysed(index.members, report, components=inventory.components, hashes=hashes)
