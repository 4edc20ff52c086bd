"""The report: the whole analysis as one plain dict (the JSON contract), rendered as text,
markdown or JSON. Sections are contributed by the analysis modules through ``SECTIONS``."""

from __future__ import annotations

import json
from typing import Callable

from tui.archive.index import ArchiveIndex

#: JSON schema version of the report; bump on incompatible changes.
REPORT_VERSION = 1


def archive_section(index: ArchiveIndex) -> dict:
    counts = index.counts()
    return {
        "path": index.path,
        "compression": index.compression,
        "compressed_bytes": index.compressed_size,
        "sha256": index.sha256,
        "members": counts["members"],
        "files": counts["files"],
        "directories": counts["directories"],
        "symlinks": counts["symlinks"],
        "hardlinks": counts["hardlinks"],
        "uncompressed_bytes": index.uncompressed_bytes,
        "file_bytes": counts["file_bytes"],
        "complete": index.complete,
        "error": index.error,
        "kinds": (index.results.get("classify") or {}).get("kinds", {}),
    }


#: (key, builder) pairs; each builder maps the index to the plain data of one report key.
#: Analysis modules append theirs (see tui.analysis / tui.meta).
SECTIONS: list[tuple[str, Callable[[ArchiveIndex], object]]] = [
    ("archive", archive_section),
]


def build_report(index: ArchiveIndex) -> dict:
    """The full report for an analysed index."""
    report: dict = {"report_version": REPORT_VERSION}
    for key, builder in SECTIONS:
        report[key] = builder(index)
    return report


def to_json(report: dict) -> str:
    return json.dumps(report, indent=2, sort_keys=False, default=str)
