"""The binaries analyser: every ELF, PE and Mach-O member parsed as it streams past, then the
dependency graph, runtime requirements and findings computed once the pass is done.

``index.results["binaries"]`` (plain data, cached with the index)::

    {"target": {target_triple, platform, arch, source},
     "python_json": {the PYTHON.json keys this analysis uses} | None,
     "binaries": {path: {format, machine, native, needs, size, error?, ...per-format details}},
     "graph": see distscope.tui.analysis.graph, "requirements": see distscope.tui.analysis.requirements,
     "findings": [{severity, code, message, paths}]}
"""

from __future__ import annotations

import json

from distscope.tui.analysis.base import ALL, Analyser, Interest
from distscope.tui.analysis.classify import ELF, MACHO, NATIVE, PE, classify
from distscope.tui.analysis.elf import ElfReadError, parse_elf
from distscope.tui.analysis.findings import binary_findings, member_findings, sort_findings, unsafe_candidates
from distscope.tui.analysis.graph import build_graph
from distscope.tui.analysis.macho import MachOError, parse_macho
from distscope.tui.analysis.pe import PeReadError, parse_pe
from distscope.tui.analysis.platform import PLATFORM_FORMAT, arch_of, detect_target
from distscope.tui.analysis.requirements import build_requirements
from distscope.tui.archive.segments import ByteSource, as_bytes, as_segments

_MACHO_ARCH = {"arm64": "aarch64", "i386": "i686"}
#: PYTHON.json keys kept for the analysis (the whole document is C's "pythonjson" result).
_PYJSON_KEYS = ("version", "target_triple", "os", "arch", "python_version", "python_major_minor_version",
                "apple_sdk_deployment_target", "apple_sdk_version", "crt_features", "build_options",
                "optimizations", "libpython_link_mode")


def parse_binary(data: ByteSource, kind: str) -> dict:
    """Parse one binary of ``kind`` (elf, pe, macho); a broken one gives ``{"error": ...}``."""
    try:
        if kind == ELF:
            return parse_elf(data)  # (reads only the headers and tables out of Segments)
        if kind == PE:
            return parse_pe(as_bytes(data))
        if kind == MACHO:
            return _macho_record(parse_macho(as_bytes(data)))
    except (ElfReadError, PeReadError, MachOError) as exc:
        return {"format": kind, "error": str(exc), "needs": [], "machine": None}
    return {"format": kind, "error": f"not a binary format: {kind}", "needs": [], "machine": None}


def _macho_record(parsed: dict) -> dict:
    slices = parsed["slices"]
    first = slices[0]
    needs: list[str] = []
    for s in slices:
        for d in s["dylibs"]:
            if d["name"] not in needs:
                needs.append(d["name"])
    minos = [s["minos"] for s in slices if s["minos"]]
    return {
        "format": "macho", "fat": parsed["fat"],
        "machine": _MACHO_ARCH.get(first["cpu"], first["cpu"]),
        "arches": [_MACHO_ARCH.get(s["cpu"], s["cpu"]) for s in slices],
        "type": first["filetype"], "install_name": first["install_name"],
        "dylibs": first["dylibs"], "rpaths": first["rpaths"],
        "minos": first["minos"] if not minos else max(minos, key=_vkey), "sdk": first["sdk"],
        "platform": first["platform"], "tools": first["tools"], "twolevel": first["twolevel"],
        "signed": first["signed"], "slices": slices if parsed["fat"] else None, "needs": needs,
    }


def _vkey(text: str) -> tuple:
    return tuple(int(p) for p in text.split(".") if p.isdigit())


def _is_python_json(path: str) -> bool:
    parts = path.split("/")
    return parts[-1] == "PYTHON.json" and len(parts) <= 2


def python_json_subset(raw: bytes) -> dict | None:
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
    version = 9
    interest = Interest(kinds=frozenset(NATIVE), suffixes=("PYTHON.json",))
    segments = True

    def __init__(self) -> None:
        self.binaries: dict[str, dict] = {}
        self.python_json: dict | None = None
        self.derived: dict = {}
        self.target: dict = {}
        self._unsafe: list = []  # members that may be unsafe, collected as the pass goes
        self._observed = 0

    def observe(self, members) -> None:
        self._unsafe += unsafe_candidates(members)
        self._observed += len(members)

    def want(self, member, head: bytes) -> int:
        kind = member.kind or classify(head, member.path)
        if kind in NATIVE:
            return ALL
        if member.path.endswith("PYTHON.json") and _is_python_json(member.path) and member.size < (16 << 20):
            return ALL
        return 0

    def feed(self, member, data: ByteSource, complete: bool) -> None:
        if member.path.endswith("PYTHON.json") and _is_python_json(member.path):
            if complete:
                self.python_json = python_json_subset(as_bytes(data))
            return
        kind = member.kind or classify(as_segments(data).read(0, 4096), member.path)
        record = parse_binary(data, kind)
        record["size"] = member.size
        if not complete:
            record["truncated"] = True
            if record.get("error"):
                record["error"] += f" (only {len(data):,} of {member.size:,} bytes were read)"
        self.binaries[member.path] = record

    def finish(self, index) -> None:
        self.target = detect_target(index, python_json=self.python_json, binaries=self.binaries)
        # The build folder matters only when a binary could lie under it (skips a walk over
        # every path for most archives).
        build = build_prefix(index) if any(map(_maybe_build_product, self.binaries)) else None
        mark_native(self.binaries, self.target, build)
        graph = build_graph(index, self.binaries, self.target, self.python_json)
        requirements = build_requirements(self.binaries, graph, self.target, self.python_json)
        findings = binary_findings(index, self.binaries, graph, requirements, self.target, self.python_json)
        observed = self._observed == len(index.members)  # (else not observed by a pass)
        findings = sort_findings(findings + member_findings(index, self._unsafe if observed else None))
        self.derived = {"graph": graph, "requirements": requirements, "findings": findings}

    def result(self) -> dict:
        return {"target": self.target, "python_json": self.python_json,
                "binaries": dict(sorted(self.binaries.items())), **self.derived}


def build_prefix(index) -> str | None:
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


def mark_native(binaries: dict[str, dict], target: dict, build: str | None = None) -> None:
    """Set ``native`` on each record (the target platform's format and architecture) and
    ``runtime`` (native and part of the runnable tree: not under a full archive's build/)."""
    fmt = PLATFORM_FORMAT.get(target.get("platform"))
    arch = target.get("arch")
    for path, record in binaries.items():
        if record.get("error") or fmt is None:
            record["native"] = fmt is not None and record.get("format") == fmt
        else:
            same_arch = arch is None or arch in (record.get("arches") or [record.get("machine")]) or \
                arch_of(record.get("machine")) == arch
            record["native"] = record.get("format") == fmt and bool(same_arch)
            record["foreign_arch"] = record.get("format") == fmt and not same_arch
        record["runtime"] = record["native"] and not (build and path.startswith(build))
