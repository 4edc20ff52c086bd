"""The binaries analyser: every ELF, PE and Mach-O member parsed as it streams past, then the
dependency graph, runtime requirements and findings computed once the pass is done; its result
is a :class:`~distscope.tui.model.report.BinaryAnalysis`."""

from __future__ import annotations

import json
from typing import Any

from distscope.tui.analysis.elf import ElfReadError, parse_elf
from distscope.tui.analysis.findings import binary_findings, member_findings, unsafe_candidates
from distscope.tui.analysis.graph import build_graph, role_of
from distscope.tui.analysis.macho import MachOError, macho_binary
from distscope.tui.analysis.pe import PeReadError, parse_pe
from distscope.tui.analysis.platform import PLATFORM_FORMAT, arch_of, detect_target
from distscope.tui.analysis.requirements import build_requirements
from distscope.tui.archive.classify import ELF, MACHO, NATIVE, PE, classify
from distscope.tui.archive.index import ArchiveIndex
from distscope.tui.archive.members import Member
from distscope.tui.archive.plugin import ALL, Analyser, Interest
from distscope.tui.archive.segments import ByteSource, as_bytes, as_segments
from distscope.tui.model.binaries import Binary, Target
from distscope.tui.model.findings import Finding, sort_findings
from distscope.tui.model.graph import Graph
from distscope.tui.model.report import BinaryAnalysis
from distscope.tui.model.requirements import Requirements

#: PYTHON.json keys kept for the analysis (the whole document is the "pythonjson" result).
_PYJSON_KEYS = ("version", "target_triple", "os", "arch", "python_version", "python_major_minor_version",
                "apple_sdk_deployment_target", "apple_sdk_version", "crt_features", "build_options",
                "optimizations", "libpython_link_mode")


def parse_binary(data: ByteSource, kind: str) -> Binary:
    """Parse one binary of ``kind`` (elf, pe, macho); a broken one gives a Binary with ``error``
    (path and size are the caller's to set)."""
    try:
        if kind == ELF:
            return parse_elf(data)  # (reads only the headers and tables out of Segments)
        if kind == PE:
            return parse_pe(as_bytes(data))
        if kind == MACHO:
            return macho_binary(as_bytes(data))
    except (ElfReadError, PeReadError, MachOError) as exc:
        return Binary("", kind, error=str(exc))  # type: ignore[arg-type]
    return Binary("", kind, error=f"not a binary format: {kind}")  # type: ignore[arg-type]


def _is_python_json(path: str) -> bool:
    parts = path.split("/")
    return parts[-1] == "PYTHON.json" and len(parts) <= 2


def python_json_subset(raw: bytes) -> dict[str, Any] | None:
    """The PYTHON.json keys the analysis uses (None when unreadable; C's analyser reports why)."""
    try:
        data = json.loads(raw.decode("utf-8-sig", "replace"))
    except (ValueError, RecursionError):
        return None
    if not isinstance(data, dict):
        return None
    out = {k: data[k] for k in _PYJSON_KEYS if k in data}
    links: set[str] = set()
    build_info = data.get("build_info")
    if isinstance(build_info, dict):
        groups = [build_info.get("core")] + [c for cs in (build_info.get("extensions") or {}).values()
                                             if isinstance(cs, list) for c in cs]
        for group in groups:
            if isinstance(group, dict) and isinstance(group.get("links"), list):
                links.update(str(l.get("name")) for l in group["links"]
                             if isinstance(l, dict) and l.get("system") and l.get("name"))
    out["system_links"] = sorted(links)
    return out


class BinaryAnalyser(Analyser):
    """Parses native binaries during the pass; derives the graph, requirements and findings."""

    name = "binaries"
    version = 10
    interest = Interest(kinds=frozenset(NATIVE), suffixes=("PYTHON.json",))
    segments = True

    def __init__(self) -> None:
        self.binaries: dict[str, Binary] = {}
        self.python_json: dict[str, Any] | None = None
        self.target = Target()
        self.graph = Graph()
        self.requirements: Requirements | None = None
        self.findings: list[Finding] = []
        self._unsafe: list[Member] = []  # members that may be unsafe, collected as the pass goes
        self._observed = 0

    def observe(self, members: list[Member]) -> None:
        self._unsafe += unsafe_candidates(members)
        self._observed += len(members)

    def want(self, member: Member, head: bytes) -> int:
        kind = member.kind or classify(head, member.path)
        if kind in NATIVE:
            return ALL
        if member.path.endswith("PYTHON.json") and _is_python_json(member.path) and member.size < (16 << 20):
            return ALL
        return 0

    def feed(self, member: Member, data: ByteSource, complete: bool) -> None:
        if member.path.endswith("PYTHON.json") and _is_python_json(member.path):
            if complete:
                self.python_json = python_json_subset(as_bytes(data))
            return
        kind = member.kind or classify(as_segments(data).read(0, 4096), member.path)
        binary = parse_binary(data, kind)
        binary.path, binary.size = member.path, member.size
        if not complete:
            binary.truncated = True
            if binary.error:
                binary.error += f" (only {len(data):,} of {member.size:,} bytes were read)"
        self.binaries[member.path] = binary

    def finish(self, index: ArchiveIndex) -> None:
        self.target = detect_target(index.path, python_json=self.python_json, binaries=self.binaries)
        # The build folder matters only when a binary could lie under it (skips a walk over
        # every path for most archives).
        build = build_prefix(index) if any(map(_maybe_build_product, self.binaries)) else None
        mark_native(self.binaries, self.target, build)
        self.graph = build_graph(index, self.binaries, self.target, self.python_json)
        self.requirements = build_requirements(self.binaries, self.graph, self.target, self.python_json)
        findings = binary_findings(index, self.binaries, self.graph, self.requirements, self.target,
                                   self.python_json)
        observed = self._observed == len(index.members)  # (else not observed by a pass)
        self.findings = sort_findings(findings + member_findings(index, self._unsafe if observed else None))

    def result(self) -> BinaryAnalysis:
        return BinaryAnalysis(self.target, self.python_json, dict(sorted(self.binaries.items())), self.graph,
                              self.requirements, self.findings)


def build_prefix(index: ArchiveIndex) -> str | None:
    """``python/build/`` in a full archive (which also has ``python/install/``), else None:
    binaries under it are build products, not part of the runnable distribution."""
    for path in getattr(index, "by_path", {}) or {}:
        if "install/" in path:  # (cheap test first)
            head, _, _ = path.partition("install/")
            if head.count("/") <= 1 and (not head or head.endswith("/")):
                return f"{head}build/"
    return None


def _maybe_build_product(path: str) -> bool:
    """Could ``path`` start with a :func:`build_prefix` (``build/`` or ``X/build/``)?"""
    return path.startswith("build/") or path.partition("/")[2].startswith("build/")


def mark_native(binaries: dict[str, Binary], target: Target, build: str | None = None) -> None:
    """Set ``native`` on each binary (the target platform's format and architecture),
    ``runtime`` (native and part of the runnable tree: not under a full archive's build/) and
    its ``role``."""
    fmt = PLATFORM_FORMAT.get(target.platform or "")
    arch = target.arch
    for path, b in binaries.items():
        if b.error or fmt is None:
            b.native = fmt is not None and b.format == fmt
        else:
            arches = b.macho.arches if b.macho is not None else None
            same_arch = arch is None or arch in (arches or [b.machine]) or arch_of(b.machine) == arch
            b.native = b.format == fmt and bool(same_arch)
            b.foreign_arch = b.format == fmt and not same_arch
        b.runtime = b.native and not (build and path.startswith(build))
        b.role = role_of(path, b)
