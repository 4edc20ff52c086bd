"""Report section ``components``: the inventory (:mod:`distscope.tui.meta.inventory`) as plain
data, text and markdown."""

from __future__ import annotations

from collections import Counter

from distscope.tui.meta.inventory import build_inventory
from distscope.tui.model.codec import to_plain
from distscope.tui.report import markdown_table, register_section
from distscope.tui.safetext import visible

_METHOD_WORDS = {"string": "string", "build-path": "source path", "header": "header", "pkg-config": "pkg-config",
                 "field": "PYTHON.json", "script": "Tcl script", "metadata": "METADATA", "sbom": "SBOM",
                 "file-name": "file name"}


def build_components(index) -> dict:
    return to_plain(build_inventory(index))


def _best(component: dict) -> str:
    """The evidence a reader checks first: the first that states the version (or any)."""
    evidence = component["evidence"]
    if not evidence:
        return ""
    e = evidence[0]
    return f"{_METHOD_WORDS.get(e['method'], e['method'])} \"{visible(e['detail'])}\" in {visible(e['path'])}"


def _native(data: dict) -> list[dict]:
    return [c for c in data["components"] if c["kind"] in ("interpreter", "library")]


def _counts(data: dict) -> str:
    kinds = Counter(c["kind"] for c in data["components"])
    parts = [f"{kinds[k]:,} {word}" for k, word in (("interpreter", "interpreter"), ("library", "libraries"),
                                                  ("vendored-library", "vendored"),
                                                  ("python-package", "Python packages")) if kinds[k]]
    return ", ".join(parts) or "none found"


def components_text(data: dict, report: dict) -> list[str]:
    lines = [f"Components ({_counts(data)})"]
    for c in _native(data):
        version = visible(c["version"]) if c["version"] else "version unknown"
        lines.append(f"  {c['name']:<16} {version:<14} {visible(c['licence'] or '-'):<18} {_best(c)}")
        if not c["version"] and c["version_note"]:
            lines.append(f"  {'':<16} ({visible(c['version_note'])})")
        if c["contained_in"]:
            lines.append(f"  {'':<16} in {', '.join(visible(p) for p in c['contained_in'][:4])}"
                         + (f" (+{len(c['contained_in']) - 4})" if len(c["contained_in"]) > 4 else ""))
    vendored = Counter(c["package"] for c in data["components"] if c["kind"] == "vendored-library")
    if vendored:
        lines.append("  vendored by packages (libraries in *.libs/.dylibs, PEP 770 SBOMs): " +
                     ", ".join(f"{visible(p or '?')} {n}" for p, n in sorted(vendored.items())))
    packages = [c for c in data["components"] if c["kind"] == "python-package"]
    if packages:
        lines.append("  Python packages: " + ", ".join(
            f"{visible(c['name'])} {visible(c['version'] or '?')}" for c in packages))
    return lines


def components_markdown(data: dict, report: dict) -> list[str]:
    rows = [(c["name"], c["version"] or "unknown", c["licence"] or "", _best(c) if c["version"] else
             c["version_note"], ", ".join(c["contained_in"])) for c in _native(data)]
    rows += [(c["name"], c["version"] or "unknown", c["licence"] or "", _best(c), c.get("package") or "")
             for c in data["components"] if c["kind"] in ("vendored-library", "python-package")]
    return [f"## Components ({_counts(data)})", "",
            *markdown_table(["component", "version", "licence", "evidence", "carried by"],
                            [[visible(str(x)) for x in row] for row in rows])]


register_section("components", build_components, components_text, components_markdown, order=72)
