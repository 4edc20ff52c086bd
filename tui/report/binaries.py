"""The verdict, the findings, the runtime requirements, the dependency graph and the binaries:
text and markdown renderings of the report's model."""

from __future__ import annotations

import textwrap

from distscope.tui.analysis.graph import walk
from distscope.tui.model.binaries import Binary
from distscope.tui.model.findings import Finding
from distscope.tui.model.graph import Edge
from distscope.tui.model.report import Report, Verdict
from distscope.tui.model.requirements import Host, Requirements
from distscope.tui.report.layout import WIDTH, Lines, fit, markdown_block, markdown_table, wrap

_PATHS_SHOWN = 3


def requirements_summary(req: Requirements | None) -> str | None:
    """The requirements in one line, for the verdict ("needs glibc 2.17 or newer (...)")."""
    if not req:
        return None
    if req.platform == "linux":
        if req.libc == "musl":
            return f"musl, {req.musl.linkage if req.musl else 'dynamic'} (no glibc)"
        if req.min_glibc:
            distros = distros_text(req)
            return f"needs glibc {req.min_glibc} or newer" + (f" ({distros})" if distros else "")
        return "no glibc version needs found"
    if req.platform == "windows":
        parts = []
        if req.min_windows:
            parts.append(f"Windows {req.min_windows}+ per PE headers ({req.windows.name if req.windows else None})")
        msvc = req.msvc_runtime
        if msvc:
            parts.append(f"MSVC runtime {', '.join(msvc.needed)} "
                         f"{'bundled' if msvc.bundled else 'NOT bundled: install the VC++ redistributable'}")
        return "; ".join(parts) or None
    if req.platform == "macos" and req.min_macos:
        sdk = req.macos.sdk if req.macos else None
        return f"needs macOS {req.min_macos} or newer" + (f" (SDK {sdk})" if sdk else "")
    return None


def distros_text(req: Requirements | None) -> str:
    """The oldest distributions with the glibc the binaries need ("RHEL/CentOS 7+, ...")."""
    if not req or req.platform != "linux" or req.libc == "musl" or not req.min_glibc:
        return ""
    return ", ".join(f"{d.family} {d.release}+" for d in req.distros if d.release)


# ------------------------------------------------------------------------------- text
def _paths_line(paths: tuple[str, ...], indent: str = "      ") -> Lines:
    if not paths:
        return []
    shown = ", ".join(paths[:_PATHS_SHOWN])
    more = f" (+{len(paths) - _PATHS_SHOWN} more)" if len(paths) > _PATHS_SHOWN else ""
    return wrap(f"{shown}{more}", indent, indent)


def verdict_text(report: Report) -> Lines:
    v, req = report.verdict, report.requirements
    headline, distros = v.headline, distros_text(req)
    if distros and headline.endswith(f" ({distros})"):
        headline = headline[:-len(f" ({distros})")]  # the distributions go on their own line(s)
    else:
        distros = ""
    lines = wrap(headline, "", "  ")
    if distros:
        lines += wrap(f"distributions: {distros}", "  ", "    ")
    lines.append(f"  {counts_text(v)}")
    host = req.host if req else None
    if host:
        lines += wrap(host_line(host), "  ")
    return lines


def counts_text(v: Verdict) -> str:
    """"2 errors, 1 warning, 4 notes"."""
    return ", ".join(f"{n} {word if n == 1 else word + 's'}"
                     for n, word in ((v.errors, "error"), (v.warnings, "warning"), (v.infos, "note")))


def host_line(host: Host) -> str:
    answer = {True: "yes", False: "no", None: "unknown"}[host.runs]
    where = f"{host.platform} {host.arch}" + (f", glibc {host.glibc}" if host.glibc else "")
    reasons = "; ".join(host.reasons)
    return f"Runs on this machine ({where}): {answer}" + (f" ({reasons})" if reasons else "")


def findings_text(report: Report) -> Lines:
    return findings_lines(report.findings)


def findings_lines(findings: list[Finding]) -> Lines:
    """The problems (errors, warnings) with their first paths, then the notes."""
    problems = [f for f in findings if f.severity != "info"]
    notes = [f for f in findings if f.severity == "info"]
    lines = ["Problems" if problems else "Problems: none"]
    for f in problems:
        lines += wrap(f"{f.severity.upper():<8}{f.code}: {f.message}", "  ", " " * 10)
        lines += _paths_line(f.paths, " " * 10)
    if notes:
        lines += ["", "Notes"]
        for f in notes:
            lines += wrap(f"{f.code}: {f.message}", "  ")
    return lines


def requirements_text(report: Report) -> Lines:
    return fit(_requirements_lines(report.requirements, WIDTH))


def _requirements_lines(req: Requirements | None, width: int = 96) -> Lines:
    if not req:
        return ["Runtime requirements: unknown (no binaries analysed)"]
    lines = [f"Runtime requirements ({req.platform or 'unknown platform'}, "
             f"{req.target_triple or 'unknown triple'})"]
    if req.machines:
        lines.append(f"  machine: {', '.join(req.machines)}")
    if req.platform == "linux":
        if req.libc == "musl":
            lines.append(f"  libc: musl, {req.musl.linkage if req.musl else None}")
        elif req.min_glibc:
            lines.append(f"  glibc >= {req.min_glibc} (allowed maximum for the triple: "
                         f"{req.glibc_max_allowed or 'n/a'})")
            for path, symbols in list(req.glibc_symbols.items())[:5]:
                lines.append(f"    {path}" + (f": {', '.join(symbols[:8])}" if symbols else ""))
            distros = [f"{d.family} {d.release}" for d in req.distros if d.release]
            if distros:
                lines.append(f"  oldest distributions: {', '.join(distros)}")
        for prefix, need in req.other_version_needs.items():
            lines.append(f"  {prefix} >= {need.max} ({len(need.needed_by)} binaries)")
        if req.isa_level:
            lines.append(f"  x86-64 ISA level: v{req.isa_level}")
    if req.platform == "windows":
        w = req.windows
        if req.min_windows:
            lines.append(f"  Windows >= {req.min_windows} ({w.name if w else None}; headers "
                         f"{w.header_os_version if w else None}"
                         + (f", API set {w.api_set_reason} -> {w.api_set_minimum}" if w and w.api_set_minimum
                            else "") + ")")
        msvc = req.msvc_runtime
        if msvc:
            where = ", ".join(msvc.bundled_paths) if msvc.bundled else "not bundled: from the system"
            lines.append(f"  MSVC runtime: {', '.join(msvc.needed)} ({where})")
        if req.ucrt:
            lines.append(f"  Universal CRT: {len(req.ucrt.dlls)} api-ms-win-crt API sets "
                         f"(part of Windows 10+, KB2999226 before)")
    if req.platform == "macos" and req.min_macos:
        sdk = req.macos.sdk if req.macos else None
        lines.append(f"  macOS >= {req.min_macos}" + (f", SDK {sdk}" if sdk else ""))
    system = req.system_libraries
    if system:
        bad = [s for s in system if not s.allowed]
        api_sets = [s for s in system if s.status == "virtual" and s.allowed]
        plain = [s.name for s in system if s.allowed and s not in api_sets]
        lines.append(f"  system libraries ({len(system)}, {len(bad)} not allowed):")
        if plain:
            lines += textwrap.wrap(", ".join(plain), width, initial_indent="    ", subsequent_indent="    ")
        if api_sets:
            lines.append(f"    + {len(api_sets)} Windows API sets ({api_sets[0].name} ...)")
        for s in bad:
            lines.append(f"    NOT ALLOWED {s.name}  (needed by {', '.join(s.needed_by[:3])}"
                         f"{' ...' if len(s.needed_by) > 3 else ''})")
    for m in req.missing_libraries:
        lines.append(f"  MISSING {m.name}  (needed by {len(m.needed_by)})")
    if req.host:
        lines.append("  " + host_line(req.host))
    return lines


def dependencies_text(report: Report) -> Lines:
    return fit(_dependencies_lines(report))


def _dependencies_lines(report: Report) -> Lines:
    graph = report.dependencies
    if graph is None:
        return []
    lines = ["Dependencies"]
    for root in graph.roots:
        lines.append(f"  {root}")
        system: dict[int, int] = {}
        for depth, edge in walk(graph, root):
            if edge.status in ("system", "virtual"):
                system[depth] = system.get(depth, 0) + 1
                continue
            lines.append("    " + "  " * depth + _edge_text(edge))
        if system:
            lines.append(f"    (+ {sum(system.values())} system libraries and API sets)")
    others = graph.top_level
    if others:
        lines.append(f"  other native binaries nothing in the archive loads ({len(others)}):")
        by_source = graph.edges_from()
        for path in others:
            edges = by_source.get(path, [])
            notable = [_edge_text(e) for e in edges if e.status not in ("system", "virtual")]
            n_system = sum(1 for e in edges if e.status in ("system", "virtual"))
            tail = "; ".join(notable) + (f"; {n_system} system" if n_system else "")
            lines.append(f"    {path}: {tail.strip('; ') or 'no dependencies'}")
    return lines


def _edge_text(edge: Edge) -> str:
    if edge.to:
        return f"{edge.name} -> {edge.to}"
    status = {"missing": "MISSING", "unexpected": "UNEXPECTED system library"}.get(edge.status, edge.status)
    return f"{edge.name} [{status}]"


def binaries_text(report: Report) -> Lines:
    rows = report.binaries
    if not rows:
        return ["Binaries: none"]
    # Columns: path, then format, machine, role, needs. A path too long for its column goes on
    # its own line, the details under it in their columns; an unreadable binary's error below.
    details = {}
    for r in rows:
        details[r.path] = (f"{str(r.format):<6} {str(r.machine or '?'):<8} "
                           f"{str(r.role or ''):<11} {len(r.needs)} needs"
                           + ("" if r.native or r.error else " (not native)"))
    detail_width = max(len(d) for d in details.values())
    width = max(20, min(max(len(r.path) for r in rows), WIDTH - 4 - detail_width))
    lines = [f"Binaries ({len(rows)})", f"  {'path':<{width}}  {'format':<6} {'machine':<8} {'role':<11} needs"]
    for r in rows:
        if len(r.path) <= width:
            lines.append(f"  {r.path:<{width}}  {details[r.path]}".rstrip())
        else:
            lines.append(f"  {r.path}")
            lines.append(f"  {'':<{width}}  {details[r.path]}".rstrip())
        if r.error:
            lines += wrap(f"UNREADABLE: {r.error}", "    ", "      ")
    return lines


# --------------------------------------------------------------------------- markdown
def verdict_markdown(report: Report) -> Lines:
    v = report.verdict
    out = [f"# {v.headline}", "", counts_text(v)]
    host = report.requirements.host if report.requirements else None
    if host:
        out += ["", host_line(host)]
    return out


def findings_markdown(report: Report) -> Lines:
    out = ["## Findings", ""]
    if not report.findings:
        return out + ["No findings."]
    rows = []
    for f in report.findings:
        paths = ", ".join(f"`{p}`" for p in f.paths[:_PATHS_SHOWN])
        if len(f.paths) > _PATHS_SHOWN:
            paths += f" (+{len(f.paths) - _PATHS_SHOWN})"
        rows.append((f.severity, f"`{f.code}`", f.message, paths))
    return out + markdown_table(["severity", "code", "message", "paths"], rows)


def requirements_markdown(report: Report) -> Lines:
    return markdown_block("Runtime requirements", _requirements_lines(report.requirements)[1:])


def dependencies_markdown(report: Report) -> Lines:
    return markdown_block("Dependencies", _dependencies_lines(report)[1:])


def binaries_markdown(report: Report) -> Lines:
    out = ["## Binaries", ""]
    if not report.binaries:
        return out + ["None."]
    table = []
    for r in report.binaries:
        native = "yes" if r.native else "no"
        if r.error:
            native = f"unreadable: {r.error}"
        table.append((f"`{r.path}`", r.format, r.machine or "?", r.role or "", native,
                      f"{', '.join(r.needs[:6])}{' ...' if len(r.needs) > 6 else ''}"))
    return out + markdown_table(["path", "format", "machine", "role", "native", "needs"], table)


def binary_rows(binaries: dict[str, Binary]) -> list[Binary]:
    """The report's binaries: every one, by path."""
    return [binaries[p] for p in sorted(binaries)]
