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
    "classify": 1, "binaries": 11, "pythonjson": 2, "distribution": 1, "licenses": 4, "toolchain": 4,
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
               verify: bool = False, on_indexed: Callable[[ArchiveIndex], None] | None = None,
               gate: threading.Event | None = None) -> ArchiveIndex:
    """The analysed index of ``path``. Raises NotAnArchive for bad input; damage found
    mid-stream leaves ``index.complete`` False and ``index.error`` set.

    With ``use_cache``, a fresh cache entry is returned without reading the archive (one
    ``on_progress`` call, done, holding every member); otherwise the pass's index is stored.
    With ``keep_small``, small members seen during a pass stay in memory for
    :class:`~distscope.tui.archive.reader.MemberReader` (commands that read no content pass False).
    With ``verify``, a cache hit is trusted only after the whole file is hashed again and matches
    the SHA-256 the entry holds (``index.sha256_source``: "read" by this pass, "cache", or
    "verified"); a mismatch drops the entry and rescans.
    ``on_indexed`` is called with the index as soon as it is complete, before a new cache entry is
    written (a few tenths of a second for a large archive): a caller can show the result first.
    ``gate``: while it is clear, the pass waits (see :class:`~distscope.tui.archive.index.Scan`).
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
            index.results = CachedResults(index.results)
            if on_progress is not None:
                on_progress(Progress(list(index.members), len(index.members), index.compressed_size,
                                     index.compressed_size, index.uncompressed_bytes, done=True))
            if on_indexed is not None:
                on_indexed(index)
            return index
    small = SmallMembers() if keep_small else None
    # The cache's member columns are gathered while the pass waits for data, not all after it.
    columns = ColumnBuilder() if cache is not None else None
    scan = Scan(path, analysers, cancel=cancel, keep_small=small,  # (imported as the archive streams)
                observers=[columns.add] if columns is not None else (), gate=gate)
    for progress in scan:
        if on_progress is not None:
            on_progress(progress)
    index = scan.index
    if small is not None:
        attach_small_members(index, small)
    if on_indexed is not None:
        on_indexed(index)
    if cache is not None:
        cache.store(index, analyser_versions(scan.analysers), columns)
    return index


class CachedResults(dict):  # type: ignore[type-arg]
    """Analyser results read from the cache (plain data), each read back into the model when
    first used: a reopen that only lists members imports no model and decodes nothing. A result
    that does not decode counts as missing (the report then says that analysis is missing, as
    when the analyser failed)."""

    def __init__(self, plain: dict[str, Any]) -> None:
        super().__init__(plain)
        self._decoded: set[str] = set()

    def __getitem__(self, name: str) -> Any:
        value = super().__getitem__(name)
        if name not in self._decoded:
            value = _decode(name, value)
            self._decoded.add(name)
            super().__setitem__(name, value)
        if value is None:
            raise KeyError(name)
        return value

    def __setitem__(self, name: str, value: Any) -> None:
        self._decoded.add(name)
        super().__setitem__(name, value)

    def get(self, name: str, default: Any = None) -> Any:
        try:
            return self[name]
        except KeyError:
            return default

    def __eq__(self, other: object) -> bool:
        mine = dict(self.items())
        return mine == (dict(other.items()) if isinstance(other, dict) else other)

    __hash__ = None

    def values(self) -> list[Any]:  # type: ignore[override]
        return [v for _, v in self.items()]

    def items(self) -> list[tuple[str, Any]]:  # type: ignore[override]
        return [(name, self.get(name)) for name in list(self) if self.get(name) is not None]


def _decode(name: str, value: Any) -> Any:
    """One cached result as the model (None: unknown analyser, or it does not decode)."""
    from distscope.tui.model.codec import from_plain

    kind = result_types().get(name)
    if kind is None or value is None:
        return None
    try:
        return from_plain(kind, value)
    except (TypeError, KeyError, AttributeError, ValueError):
        return None


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
