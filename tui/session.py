"""The composition root: the analysers that ride every pass and the report's sections, listed
once, explicitly; and the entry points that use them: :func:`open_index` (from the cache when it
is fresh, else by one streaming pass with every analyser) and the report's renderings.

A new analyser goes in :func:`analysers` (with its version in :data:`ANALYSER_VERSIONS` and its
result type in :func:`result_types`); a new report section in :data:`SECTIONS` (and a field of
:class:`~distscope.tui.model.report.Report`, built in :func:`distscope.tui.report.build_report`).
"""

from __future__ import annotations

import os
import threading
from typing import TYPE_CHECKING, Any, Callable

from distscope.tui.archive.cache import IndexCache, analyser_versions, file_sha256
from distscope.tui.archive.columns import ColumnBuilder
from distscope.tui.archive.index import ArchiveIndex, Progress, Scan
from distscope.tui.archive.plugin import Analyser
from distscope.tui.archive.reader import SmallMembers, attach_small_members

if TYPE_CHECKING:
    from distscope.tui.model.report import Report

#: ``name: version`` of every analyser :func:`analysers` returns. A cache hit is checked against
#: this table, so it needs no analyser import (pefile alone takes ~10 ms). tests/test_cache.py
#: asserts that it equals the classes' own: bump a version in both places.
ANALYSER_VERSIONS: dict[str, int] = {
    "classify": 1, "binaries": 10, "pythonjson": 2, "distribution": 1, "licenses": 3, "toolchain": 3,
    "components": 1,
}


def result_types() -> dict[str, type]:
    """The model type of each analyser's result (the cache stores plain data; read back with these)."""
    from distscope.tui.model.archive import ContentKinds
    from distscope.tui.model.components import ComponentScan
    from distscope.tui.model.distribution import PythonJson, VersionSources
    from distscope.tui.model.licences import LicenceScan
    from distscope.tui.model.report import BinaryAnalysis
    from distscope.tui.model.toolchain import ToolchainScan

    return {"classify": ContentKinds, "binaries": BinaryAnalysis, "pythonjson": PythonJson,
            "distribution": VersionSources, "licenses": LicenceScan, "toolchain": ToolchainScan,
            "components": ComponentScan}


def analysers() -> list[Analyser]:
    """Fresh instances of every analyser distscope runs on an archive (imported when a pass
    starts, after decompression has: the imports overlap it)."""
    from distscope.tui.analysis.binaries import BinaryAnalyser
    from distscope.tui.analysis.classify import Classifier
    from distscope.tui.meta.components import ComponentsAnalyser
    from distscope.tui.meta.distribution import VersionSources as VersionSourcesAnalyser
    from distscope.tui.meta.licenses import LicenseFiles
    from distscope.tui.meta.pythonjson import PythonJsonAnalyser
    from distscope.tui.meta.toolchain import ToolchainScan as ToolchainAnalyser

    return [Classifier(), BinaryAnalyser(), PythonJsonAnalyser(), VersionSourcesAnalyser(), LicenseFiles(),
            ToolchainAnalyser(), ComponentsAnalyser()]


def sections() -> tuple[Any, ...]:
    """The report's sections in the order text and markdown show them."""
    from distscope.tui.report import Section
    from distscope.tui.report import binaries as b
    from distscope.tui.report import components as c
    from distscope.tui.report import metadata as m

    return (
        Section("verdict", b.verdict_text, b.verdict_markdown),
        Section("findings", b.findings_text, b.findings_markdown),
        Section("archive", m.archive_text, m.archive_markdown),
        Section("distribution", m.distribution_text, m.distribution_markdown),
        Section("requirements", b.requirements_text, b.requirements_markdown),
        Section("dependencies", b.dependencies_text, b.dependencies_markdown),
        Section("binaries", b.binaries_text, b.binaries_markdown),
        Section("licenses", m.licenses_text, m.licenses_markdown),
        Section("toolchain", m.toolchain_text, m.toolchain_markdown),
        Section("components", c.components_text, c.components_markdown),
    )


def open_index(path: str | os.PathLike[str], *, use_cache: bool = True,
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
            index.results = decode_results(index.results)
            if on_progress is not None:
                on_progress(Progress(list(index.members), len(index.members), index.compressed_size,
                                     index.compressed_size, index.uncompressed_bytes, done=True))
            return index
    small = SmallMembers() if keep_small else None
    # The cache's member columns are gathered while the pass waits for data, not all after it.
    columns = ColumnBuilder() if cache is not None else None
    scan = Scan(path, analysers, cancel=cancel, keep_small=small,  # (imported as the archive streams)
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


def decode_results(plain: dict[str, Any]) -> dict[str, Any]:
    """Cached results (plain data) as the model (a result that does not decode is dropped: the
    report then says that analysis is missing, as when the analyser failed)."""
    from distscope.tui.model.codec import from_plain

    types = result_types()
    out: dict[str, Any] = {}
    for name, value in plain.items():
        kind = types.get(name)
        if kind is None or value is None:
            continue
        try:
            out[name] = from_plain(kind, value)
        except (TypeError, KeyError, AttributeError, ValueError):
            continue
    return out


def build_report(index: ArchiveIndex) -> Report:
    """The full report of an analysed index (see :func:`distscope.tui.report.build_report`)."""
    from distscope.tui.report import build_report as build

    return build(index)


def to_text(report: Report) -> str:
    from distscope.tui.report import render

    return render(report, sections())


def to_markdown(report: Report) -> str:
    from distscope.tui.report import render

    return render(report, sections(), markdown=True)


def to_json(report: Report | list[Report]) -> str:
    from distscope.tui.report import to_json as encode

    return encode(report)
