"""The typed component inventory of an analysed archive: the pass's evidence
(:class:`~distscope.tui.meta.components.ComponentsAnalyser`) joined with PYTHON.json, patchlevel.h,
the archive's file name and the dependency graph.

A component's version is one that its evidence states. Where pieces of evidence state
different versions, each version is its own component (a partial version such as a ``.pc``
file's ``3.13`` agrees with ``3.13.12``); where none states one, the version is None and
``version_note`` says what was looked at.
"""

from __future__ import annotations

import re
from collections import defaultdict
from typing import Any, NamedTuple

from distscope.tui.meta import fingerprints as fp
from distscope.tui.meta.distribution import parse_file_name
from distscope.tui.model.codec import from_plain
from distscope.tui.model.components import (
    Component, ComponentKind, ComponentScan, Evidence, FoundPackage, FoundSbomComponent, Inventory)

_BINARY_METHODS = ("string", "build-path", "file-name")
#: Which evidence a reader sees first.
_METHOD_ORDER = {m: i for i, m in enumerate(("string", "header", "field", "script", "build-path", "pkg-config",
                                             "metadata", "sbom", "file-name"))}
_KIND_ORDER = {"interpreter": 0, "library": 1, "vendored-library": 2, "python-package": 3}
#: Trove licence classifiers -> SPDX ids (the common ones; others stay unknown).
_CLASSIFIERS = {
    "MIT License": "MIT", "BSD License": None, "Apache Software License": "Apache-2.0",
    "Python Software Foundation License": "PSF-2.0", "ISC License (ISCL)": "ISC",
    "Mozilla Public License 2.0 (MPL 2.0)": "MPL-2.0", "The Unlicense (Unlicense)": "Unlicense",
    "GNU Lesser General Public License v3 (LGPLv3)": "LGPL-3.0-only",
    "GNU General Public License v3 (GPLv3)": "GPL-3.0-only",
    "GNU General Public License v2 (GPLv2)": "GPL-2.0-only",
    "GNU Library or Lesser General Public License (LGPL)": None,
}
_NO_VERSION = {
    "mpdecimal": "libmpdec's version is a bare number string, not told apart from others in a binary",
    "hacl": "HACL* is vendored in CPython's source (Modules/_hacl) and states no version",
}


class Others(NamedTuple):
    """What the inventory takes from the other analysers' results."""

    python_json: dict | None  #: the PYTHON.json document
    python_json_path: str | None
    patchlevel: tuple[str, str] | None  #: (path, PY_VERSION) of the distribution's patchlevel.h
    edges: list[tuple[str, str]]  #: (binary, archive file it loads) for every resolved graph edge


def _attr(value: Any, name: str) -> Any:
    """``value[name]`` of plain data, or ``value.name`` of the typed model (either may come)."""
    return value.get(name) if isinstance(value, dict) else getattr(value, name, None)


def others(index: Any) -> Others:
    """The one place that reads other analysers' results (plain data, or their typed model)."""
    results = getattr(index, "results", {}) or {}
    pj = results.get("pythonjson")
    data = _attr(pj, "data")
    data = data if isinstance(data, dict) else None
    level = _attr(results.get("distribution"), "patchlevel")
    patchlevel = (level["path"], level["version"]) if isinstance(level, dict) and level.get("version") else None
    graph = _attr(results.get("binaries"), "graph")
    edges = []
    for edge in _attr(graph, "edges") or []:
        source = edge.get("from") if isinstance(edge, dict) else getattr(edge, "from_", None)
        target = _attr(edge, "to")
        if source and target:
            edges.append((source, target))
    return Others(data, _attr(pj, "path") if data is not None else None, patchlevel, edges)


def build_inventory(index: Any) -> Inventory:
    """The inventory of ``index`` (an analysed :class:`~distscope.tui.archive.index.ArchiveIndex`)."""
    scan = scan_of(index)
    other = others(index)
    named = parse_file_name(index.path) or {}
    inventory = Inventory(archive=index.path, archive_sha256=index.sha256, release_tag=named.get("release_tag"),
                          target_triple=named.get("target_triple"), notes=list(scan.notes))
    members = getattr(index, "by_path", {}) or {}
    evidence: list[dict[str, Any]] = [{"component": f.component, "path": f.path, "method": f.method,
                                       "detail": f.detail, "version": f.version, "note": f.note}
                                      for f in scan.evidence]
    licences: dict[str, tuple[str | None, str]] = {}
    evidence += _python_json(other, members, licences)
    evidence += _cpython(other, {f.path for f in scan.evidence}, index.path, named)
    vendored = {v.path: v for v in scan.vendored}
    for record in evidence:  # (a library found inside a vendored copy is that package's)
        owner = vendored.get(record["path"])
        if owner and record["component"] != "cpython":
            record["package"] = owner.package
    groups: dict[tuple[str, str | None], list[dict]] = defaultdict(list)
    for record in evidence:
        groups[(record["component"], record.get("package"))].append(record)
    searched = scan.searched
    for (component, package), records in groups.items():
        inventory.components += _library_components(component, package, records, licences,
                                                    [] if package else searched.get(component, []))
    seen = {path for c in inventory.components for path in c.contained_in}
    for path, v in vendored.items():
        if path not in seen:
            inventory.components.append(Component(
                id=f"vendored:{v.package}/{v.name}", name=v.name, kind="vendored-library", version=None,
                version_note="a vendored copy whose file states no release version (a soname number is an ABI "
                             "version)", evidence=[Evidence(path, "file-name", path.rsplit("/", 1)[-1])],
                contained_in=[path], package=v.package))
    inventory.components += [_package(p) for p in scan.packages]
    inventory.components += [_sbom_component(s) for s in scan.sbom_components]
    carrying = {path for c in inventory.components for path in c.contained_in}
    inventory.files = {path: f for path, f in scan.files.items() if path in carrying}
    _link_graph(inventory, other.edges)
    inventory.components.sort(key=lambda c: (_KIND_ORDER[c.kind], c.package or "", c.name.lower(),
                                             c.version or "", c.id))
    return inventory


# -- evidence from other analysers ------------------------------------------------------------
def _python_json(other: Others, members: dict, licences: dict[str, tuple[str | None, str]]) -> list[dict]:
    """Presence (links, licence files, HACL objects) and licences that PYTHON.json states."""
    data, path = other.python_json, other.python_json_path
    if data is None or not path:
        return []
    root = path[:-len("PYTHON.json")]
    out: list[dict] = []
    if data.get("licenses"):
        licences["cpython"] = (" AND ".join(map(str, data["licenses"])), "PYTHON.json")
    build: dict = data["build_info"] if isinstance(data.get("build_info"), dict) else {}
    groups: list[tuple[str, dict]] = [("core", build.get("core") or {})]
    for ext, candidates in sorted((build.get("extensions") or {}).items()):
        for i, candidate in enumerate(candidates if isinstance(candidates, list) else []):
            groups.append((f"extensions.{ext}[{i}]", candidate))
    core_lib = (build.get("core") or {}).get("shared_lib")
    for where, group in groups:
        if not isinstance(group, dict):
            continue
        # The binary that holds this group's code: its extension module, or libpython (in core).
        own = group.get("shared_lib") or (core_lib if group.get("in_core") else None)
        carrier = root + own if own and root + own in members else None
        libraries: set[str] = set()
        for link in group.get("links") or []:
            if isinstance(link, dict) and link.get("name") and not link.get("system") and not link.get("framework"):
                library = fp.link_library(str(link["name"]))
                if library:
                    libraries.add(library)
                    # A dynamic link is carried by its own library file (when the archive has it).
                    dynamic = link.get("path_dynamic")
                    held = (root + dynamic if root + dynamic in members else None) if dynamic else carrier
                    out.append(_field(library, path, f"build_info.{where}.links: {link['name']}", held))
        for licence_path in group.get("license_paths") or []:
            match = re.search(r"LICENSE\.(.+)\.txt$", str(licence_path))
            library = fp.LICENCE_FILES.get(match.group(1)) if match else None
            if library and library != "cpython":
                if library not in libraries:
                    out.append(_field(library, path, f"build_info.{where}.license_paths: {licence_path}", carrier))
                if group.get("license_public_domain") and not group.get("licenses"):
                    licences[library] = (None, "PYTHON.json (public domain)")
                elif group.get("licenses"):
                    licences[library] = (" AND ".join(map(str, group["licenses"])), "PYTHON.json")
        if any("_hacl" in str(obj) for obj in group.get("objs") or []):
            out.append(_field("hacl", path, f"build_info.{where}.objs: Modules/_hacl/...", carrier))
    if isinstance(data.get("python_version"), str):
        out.append({"component": "cpython", "path": path, "method": "field",
                    "detail": f"python_version: {data['python_version']}", "version": data["python_version"]})
    return out


def _field(library: str, path: str, detail: str, carrier: str | None) -> dict:
    return {"component": library, "path": path, "method": "field", "detail": detail, "version": None,
            "carrier": carrier}


def _cpython(other: Others, scanned: set[str], archive: str, named: dict) -> list[dict]:
    out = []
    if other.patchlevel and other.patchlevel[0] not in scanned:
        path, version = other.patchlevel
        out.append({"component": "cpython", "path": path, "method": "header",
                    "detail": f'#define PY_VERSION "{version}"', "version": version})
    if named.get("python_version"):
        base = archive.replace("\\", "/").rsplit("/", 1)[-1]
        out.append({"component": "cpython", "path": base, "method": "file-name", "detail": base,
                    "version": named["python_version"]})
    return out


# -- components -------------------------------------------------------------------------------
def _agrees(short: str, full: str) -> bool:
    """``3.13`` agrees with ``3.13.12`` (a dotted prefix)."""
    return full.startswith(short + ".")


def _library_components(component: str, package: str | None, records: list[dict],
                        licences: dict[str, tuple[str | None, str]], searched: list[str]) -> list[Component]:
    versions = sorted({r["version"] for r in records if r.get("version")})
    full = [v for v in versions if not any(_agrees(v, w) for w in versions if w != v)]
    lib = fp.LIBRARIES[component]
    out = []
    for version in full or [None]:
        mine = [r for r in records if not r.get("version") or r["version"] == version or _agrees(r["version"], version)]
        licence, source = licences.get(component, (None, ""))
        if not source:
            licence = fp.well_known_licence(component, version)
            source = "well-known" if licence else ""
        note = ""
        if version is None:
            searched = sorted({r["path"] for r in mine if r["method"] in _BINARY_METHODS} | set(searched))
            note = next((r["note"] for r in mine if r.get("note")), "") or _NO_VERSION.get(component, "")
            if searched:
                note = note or "no version string in " + ", ".join(sorted({p.rsplit("/", 1)[-1] for p in searched}))
            else:
                note = (note + "; " if note else "") + "no version found; named only by " + \
                    ", ".join(sorted({r["method"] for r in mine}))
        elif len(full) > 1:
            note = "other evidence states " + ", ".join(v for v in full if v != version)
        carriers = sorted({r["path"] for r in mine if r["method"] in _BINARY_METHODS} |
                          {r["carrier"] for r in mine if r.get("carrier")})
        evidence = sorted({Evidence(r["path"], r["method"], r["detail"], r.get("version")) for r in mine},
                          key=lambda e: (e.version is None, _METHOD_ORDER[e.method], e.path, e.detail))
        kind: ComponentKind = "interpreter" if component == "cpython" else (
            "vendored-library" if package else "library")
        out.append(Component(
            id=f"vendored:{package}/{component}" if package else component, name=lib.name, kind=kind,
            version=version, version_note=note, licence=licence, licence_source=source, evidence=evidence,
            contained_in=carriers, package=package))
    return out


def _package(p: FoundPackage) -> Component:
    licence, source = p.license_expression, "METADATA"
    if not licence:
        ids = {i for c in p.classifiers if (i := _CLASSIFIERS.get(c.rsplit(" :: ", 1)[-1]))}
        licence = " OR ".join(sorted(ids)) if ids else None
        source = "METADATA classifier" if licence else ""
    return Component(
        id="pypi:" + re.sub(r"[-_.]+", "-", p.name).lower(), name=p.name, kind="python-package",
        version=p.version, version_note="" if p.version else "METADATA has no Version", licence=licence,
        licence_source=source, evidence=[Evidence(p.path, "metadata", f"Name: {p.name} / Version: {p.version}",
                                                  p.version)],
        package=p.path.rsplit("/", 1)[0])


def _sbom_component(s: FoundSbomComponent) -> Component:
    return Component(
        id=f"sbom:{s.package}/{s.name}", name=s.name, kind="vendored-library", version=s.version,
        version_note="" if s.version else "the SBOM states no version", licence=s.licence,
        licence_source="sbom" if s.licence else "", purl=s.purl,
        evidence=[Evidence(s.path, "sbom", f"{s.format}: {s.name} {s.version or ''}".strip(), s.version)],
        package=s.package)


def scan_of(index: Any) -> ComponentScan:
    """The components analyser's result (typed; read back from plain data when it is that)."""
    value = (getattr(index, "results", {}) or {}).get("components")
    if isinstance(value, ComponentScan):
        return value
    return from_plain(ComponentScan, value) if isinstance(value, dict) else ComponentScan()


def _link_graph(inventory: Inventory, edges: list[tuple[str, str]]) -> None:
    """``loaded_by`` (the binaries that load a carrier) and ``loads`` (carrier -> carriers)."""
    reverse: dict[str, set[str]] = defaultdict(set)
    for source, target in edges:
        reverse[target].add(source)
    carrying = {path for c in inventory.components for path in c.contained_in}
    loads: dict[str, set[str]] = defaultdict(set)
    for source, target in edges:
        if source in carrying and target in carrying and source != target:
            loads[source].add(target)
    inventory.loads = {source: sorted(targets) for source, targets in sorted(loads.items())}
    for component in inventory.components:
        carriers = set(component.contained_in)
        loaders = {p for c in carriers for p in reverse.get(c, ())}
        component.loaded_by = sorted(loaders - carriers)
