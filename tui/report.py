"""The report: the whole analysis as one plain dict (the JSON contract), rendered as text,
markdown or JSON. Analysis modules contribute sections with :func:`register_section`."""

from __future__ import annotations

import json
from typing import Callable, NamedTuple

from distscope.tui.archive.index import ArchiveIndex

#: JSON schema version of the report; bump on incompatible changes.
REPORT_VERSION = 1

Lines = list[str]


class Section(NamedTuple):
    key: str  #: top-level key in the report dict
    build: Callable[[ArchiveIndex], object]  #: index -> plain data
    text: Callable[[object, dict], Lines] | None = None  #: (data, whole report) -> lines
    markdown: Callable[[object, dict], Lines] | None = None
    order: int = 50  #: rendering order in text/markdown (lower first)


SECTIONS: list[Section] = []
#: Called as ``func(report, index)`` after every section is built (e.g. to gather findings).
FINALIZERS: list[Callable[[dict, ArchiveIndex], None]] = []


def register_section(key: str, build, text=None, markdown=None, order: int = 50) -> None:
    """Add (or replace) a report section."""
    SECTIONS[:] = [s for s in SECTIONS if s.key != key]
    SECTIONS.append(Section(key, build, text, markdown, order))


def register_finalizer(func: Callable[[dict, ArchiveIndex], None]) -> None:
    """Run ``func(report, index)`` after all sections are built (once per function)."""
    if func not in FINALIZERS:
        FINALIZERS.append(func)


def archive_section(index: ArchiveIndex) -> dict:
    counts = index.counts()
    return {
        "path": index.path,
        "compression": index.compression,
        "compressed_bytes": index.compressed_size,
        "sha256": index.sha256,
        "sha256_source": getattr(index, "sha256_source", "read"),
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


def archive_text(data: dict, report: dict) -> Lines:
    lines = [
        "Archive",
        f"  {data['path']}",
        f"  {data['compression']}, {data['compressed_bytes']:,} bytes compressed, "
        f"{data['uncompressed_bytes']:,} bytes of tar",
        f"  {data['members']:,} members: {data['files']:,} files, {data['directories']:,} directories, "
        f"{data['symlinks']:,} symlinks, {data['hardlinks']:,} hardlinks",
    ]
    if data["sha256"]:
        cached = " (from the index cache; --verify hashes the file again)" \
            if data.get("sha256_source") == "cache" else ""
        lines.append(f"  sha256 {data['sha256']}{cached}")
    if not data["complete"]:
        lines.append(f"  INCOMPLETE: {data['error']}")
    return lines


def markdown_block(title: str, lines: Lines) -> Lines:
    """A markdown section holding ``lines`` as preformatted text (nothing when there are none)."""
    return [f"## {title}", "", "```", *lines, "```"] if lines else []


def markdown_table(header: list[str], rows) -> Lines:
    """A markdown table; ``|`` in any cell (member names may hold one) is escaped."""
    def row(cells) -> str:
        return "| " + " | ".join(str(c).replace("|", "\\|") for c in cells) + " |"

    head = "|" + "".join(f" {h} |" if h else " |" for h in header)
    return [head, "|" + "---|" * len(header), *map(row, rows)]


def archive_markdown(data: dict, report: dict) -> Lines:
    return markdown_block("Archive", archive_text(data, report)[1:])


register_section("archive", archive_section, archive_text, archive_markdown, order=10)


def _load_sections() -> None:
    """Import the modules that register sections (kept lazy to keep start-up light)."""
    from distscope.tui.analysis.registry import section_modules

    for module in section_modules():
        __import__(module)


def build_report(index: ArchiveIndex) -> dict:
    """The full report for an analysed index."""
    _load_sections()
    report: dict = {"report_version": REPORT_VERSION}
    for section in SECTIONS:
        report[section.key] = section.build(index)
    for finalize in FINALIZERS:
        finalize(report, index)
    return report


def _render(report: dict, attr: str) -> str:
    blocks = []
    for section in sorted(SECTIONS, key=lambda s: s.order):
        render = getattr(section, attr)
        if render is not None and section.key in report:
            blocks.append("\n".join(render(report[section.key], report)))
    return "\n\n".join(blocks) + "\n"


def to_text(report: dict) -> str:
    return _render(report, "text")


def to_markdown(report: dict) -> str:
    return _render(report, "markdown")


def to_json(report: dict) -> str:
    return json.dumps(report, indent=2, default=str) + "\n"
