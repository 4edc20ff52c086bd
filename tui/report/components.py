"""Report section ``components``: the inventory (:mod:`distscope.tui.meta.inventory`) as text
and markdown."""

from __future__ import annotations

from collections import Counter

from distscope.tui.model.components import Component, Inventory
from distscope.tui.model.report import Report
from distscope.tui.report.layout import Lines, markdown_table
from distscope.tui.safetext import visible

_METHOD_WORDS = {"string": "string", "build-path": "source path", "header": "header", "pkg-config": "pkg-config",
                 "field": "PYTHON.json", "script": "Tcl script", "metadata": "METADATA", "sbom": "SBOM",
                 "file-name": "file name"}


def _best(component: Component) -> str:
    """The evidence a reader checks first: the first that states the version (or any)."""
    if not component.evidence:
        return ""
    e = component.evidence[0]
    return f"{_METHOD_WORDS.get(e.method, e.method)} \"{visible(e.detail)}\" in {visible(e.path)}"


def licence_word(component: Component) -> str:
    if component.licence:
        return component.licence
    return "public domain" if "public domain" in component.licence_source else "-"


def _native(data: Inventory) -> list[Component]:
    return [c for c in data.components if c.kind in ("interpreter", "library")]


def _counts(data: Inventory) -> str:
    kinds = Counter(c.kind for c in data.components)
    parts = [f"{kinds[k]:,} {word}" for k, word in (("interpreter", "interpreter"), ("library", "libraries"),
                                                  ("vendored-library", "vendored"),
                                                  ("python-package", "Python packages")) if kinds[k]]
    return ", ".join(parts) or "none found"


def _paths(paths: list[str], most: int = 2) -> str:
    shown = ", ".join(visible(p) for p in paths[:most])
    return shown + (f" (+{len(paths) - most})" if len(paths) > most else "")


def _wrap(first: str, items: list[str], width: int = 98) -> Lines:
    """``items`` joined by commas in lines of at most ``width`` (an item is never split)."""
    lines, line = [], first
    for i, item in enumerate(items):
        piece = item + ("," if i + 1 < len(items) else "")
        if len(line) + len(piece) > width and line.strip():
            lines.append(line.rstrip())
            line = "    "
        line += piece + " "
    return lines + [line.rstrip()]


def components_lines(data: Inventory) -> Lines:
    lines = [f"Components ({_counts(data)})"]
    for c in _native(data):
        version = visible(c.version) if c.version else "(version unknown)"
        lines.append(f"  {visible(c.name)} {version}  [{visible(licence_word(c))}]")
        lines.append(f"      {_best(c)}")
        if not c.version and c.version_note:
            lines.append(f"      {visible(c.version_note)}")
        if c.contained_in:
            loaded = f"; loaded by {len(c.loaded_by)}" if c.loaded_by else ""
            lines.append(f"      in {_paths(c.contained_in)}{loaded}")
    vendored = Counter(c.package or "?" for c in data.components if c.kind == "vendored-library")
    if vendored:
        lines.append("  vendored by packages (*.libs/, .dylibs/, PEP 770 SBOMs): " +
                     ", ".join(f"{visible(p)} {n}" for p, n in sorted(vendored.items())))
    packages = [c for c in data.components if c.kind == "python-package"]
    if packages:
        lines += _wrap("  Python packages: ", [f"{visible(c.name)} {visible(c.version or '?')}" for c in packages])
    lines += [f"  note: {visible(n)}" for n in data.notes]
    return lines


def components_text(report: Report) -> Lines:
    return components_lines(report.components) if report.components is not None else []


def components_markdown(report: Report) -> Lines:
    data = report.components
    if data is None:
        return []
    rows = [(c.name, c.version or "unknown", licence_word(c), _best(c) if c.version else c.version_note,
             ", ".join(c.contained_in)) for c in _native(data)]
    rows += [(c.name, c.version or "unknown", c.licence or "", _best(c), c.package or "")
             for c in data.components if c.kind in ("vendored-library", "python-package")]
    notes = [f"- note: {visible(n)}" for n in data.notes]
    return [f"## Components ({_counts(data)})", "",
            *markdown_table(["component", "version", "licence", "evidence", "carried by"],
                            [[visible(str(x)) for x in row] for row in rows]), *([""] + notes if notes else [])]
