"""The report: the whole analysis of one archive as one typed :class:`~distscope.tui.model.report.Report`,
built from the analysers' results (:func:`build_report`), rendered as text or markdown by the
section renderers the composition root (:mod:`distscope.tui.session`) lists, and made into the
JSON contract at the edge, in one place (:func:`to_contract`)."""

from __future__ import annotations

import dataclasses
import json
from typing import Any, Callable, NamedTuple, TypeVar

from distscope.tui.analysis.platform import arch_of, detect_target, platform_of
from distscope.tui.analysis.requirements import apply_windows_policy, host_check
from distscope.tui.archive.index import ArchiveIndex
from distscope.tui.meta import distribution, licenses, toolchain
from distscope.tui.meta.inventory import build_inventory
from distscope.tui.model.archive import ArchiveSummary, ContentKinds
from distscope.tui.model.codec import to_plain
from distscope.tui.model.distribution import Distribution, PythonJson
from distscope.tui.model.findings import SEVERITIES, Finding, finding, unique_findings
from distscope.tui.model.report import BinaryAnalysis, Report, Verdict
from distscope.tui.model.requirements import Requirements
from distscope.tui.report.binaries import binary_rows, requirements_summary
from distscope.tui.report.layout import Lines

T = TypeVar("T")
_STATUS_WORD = {"errors": "FAIL", "warnings": "WARN", "ok": "OK"}


class Section(NamedTuple):
    """A report section's renderers (each takes the whole report: a section may quote another)."""

    key: str  #: its key in the report (and the JSON contract)
    text: Callable[[Report], Lines]
    markdown: Callable[[Report], Lines]


def result(index: ArchiveIndex, name: str, kind: type[T]) -> T | None:
    """The result of analyser ``name`` when it ran and gave a ``kind``."""
    value = index.results.get(name)
    return value if isinstance(value, kind) else None


def build_report(index: ArchiveIndex) -> Report:
    """The full report of an analysed index."""
    analysis = result(index, "binaries", BinaryAnalysis)
    dist = build_distribution(index, analysis)
    inventory = build_inventory(index)
    lic = licenses.summarize(index, inventory)
    tools = toolchain.summarize(index)
    req = build_requirements(index, analysis, dist.python_version)
    findings = gather_findings(index, analysis, dist, lic, tools)
    return Report(
        verdict=build_verdict(findings, req, dist, analysis), findings=findings, archive=archive_summary(index),
        distribution=dist, licenses=lic, toolchain=tools, requirements=req,
        dependencies=analysis.graph if analysis is not None else None,
        binaries=binary_rows(analysis.binaries) if analysis is not None else [],
        components=inventory)


def to_contract(report: Report) -> dict[str, Any]:
    """The JSON contract of a report (plain data, keys in the contract's order)."""
    plain: dict[str, Any] = to_plain(report)
    return plain


def to_json(payload: Report | list[Report]) -> str:
    """One report, or a list of them, as the JSON contract's text."""
    data = [to_contract(r) for r in payload] if isinstance(payload, list) else to_contract(payload)
    return json.dumps(data, indent=2, default=str) + "\n"


def render(report: Report, sections: tuple[Section, ...], markdown: bool = False) -> str:
    """The report as text (or markdown): each section's lines, a blank line between sections."""
    return "\n\n".join("\n".join(s.markdown(report) if markdown else s.text(report)) for s in sections) + "\n"


# ------------------------------------------------------------------------------ sections
def archive_summary(index: ArchiveIndex) -> ArchiveSummary:
    counts = index.counts()
    kinds = result(index, "classify", ContentKinds)
    return ArchiveSummary(
        path=index.path, compression=index.compression, compressed_bytes=index.compressed_size,
        sha256=index.sha256, sha256_source=index.sha256_source, members=counts["members"], files=counts["files"],
        directories=counts["directories"], symlinks=counts["symlinks"], hardlinks=counts["hardlinks"],
        uncompressed_bytes=index.uncompressed_bytes, file_bytes=counts["file_bytes"], complete=index.complete,
        error=index.error, kinds=kinds.kinds if kinds is not None else {})


def build_distribution(index: ArchiveIndex, analysis: BinaryAnalysis | None) -> Distribution:
    """The distribution summary, with the target from the binaries when nothing else names it."""
    data = distribution.summarize(index)
    pj = result(index, "pythonjson", PythonJson)
    python_json = pj.data if pj is not None else None
    if python_json is None and analysis is not None:
        python_json = analysis.python_json
    detected = detect_target(index.path, python_json=python_json,
                             binaries=analysis.binaries if analysis is not None else None)
    if not data.target_triple and detected.target_triple:
        data.target_triple = detected.target_triple
        data.target_source = detected.source or "binaries"
    data.platform = platform_of(data.target_triple) or detected.platform
    data.arch = arch_of(data.target_triple) or detected.arch
    if data.platform is None and data.msvc_runtime is not None:
        data.platform = "windows"
    return data


def build_requirements(index: ArchiveIndex, analysis: BinaryAnalysis | None,
                       python_version: str | None = None) -> Requirements | None:
    """The runtime requirements, with whether this machine meets them (and, for Windows without
    PYTHON.json, CPython's support policy for the ``python_version`` found elsewhere)."""
    if analysis is None or analysis.requirements is None:
        return None
    req = analysis.requirements
    if req.windows is not None and req.windows.policy is None and python_version:
        req = dataclasses.replace(req, windows=dataclasses.replace(req.windows))
        apply_windows_policy(req, python_version)
    findings = list(analysis.findings)
    if not index.complete:
        findings.append(finding("error", "archive-incomplete", "the archive could not be read to the end"))
    native = sum(1 for b in analysis.binaries.values() if b.usable)
    host = host_check(req, findings=findings, interpreters=analysis.graph.roots, native_binaries=native)
    return dataclasses.replace(req, host=host)


def gather_findings(index: ArchiveIndex, analysis: BinaryAnalysis | None, *sections: Any) -> list[Finding]:
    """Every finding, once: the binaries' and PYTHON.json's, the sections' (distribution,
    licences, toolchain), the archive's damage and the analysers' failures; errors first."""
    found: list[Finding] = list(analysis.findings) if analysis is not None else []
    pj = result(index, "pythonjson", PythonJson)
    found += pj.findings if pj is not None else []
    for section in sections:
        found += section.findings
    if not index.complete:
        found.append(finding("error", "archive-incomplete",
                             f"the archive could not be read to the end: {index.error or 'unknown error'}"))
    for err in index.analysis_errors or []:
        found.append(finding("warning", "analysis-error", f"analyser {err.get('analyser')} failed"
                             f"{' on ' + err['path'] if err.get('path') else ''}: {err.get('error')}",
                             [err["path"]] if err.get("path") else []))
    return unique_findings(found)


def build_verdict(findings: list[Finding], req: Requirements | None, dist: Distribution,
                  analysis: BinaryAnalysis | None) -> Verdict:
    counts = {s: sum(1 for f in findings if f.severity == s) for s in SEVERITIES}
    status = "errors" if counts["error"] else "warnings" if counts["warning"] else "ok"
    target = analysis.target if analysis is not None else None
    triple = dist.target_triple or (target.target_triple if target else None)
    headline = f"{_STATUS_WORD[status]}: {triple or 'unknown target'}"
    summary = requirements_summary(req)
    if summary:
        headline += f"; {summary}"
    return Verdict(
        status=status, errors=counts["error"], warnings=counts["warning"], infos=counts["info"],  # type: ignore[arg-type]
        target_triple=triple, platform=dist.platform or (target.platform if target else None),
        headline=headline, requirements=summary,
        top_problems=[f.message for f in findings if f.severity == "error"][:3],
        runs_here=req.host.runs if req is not None and req.host is not None else None)
