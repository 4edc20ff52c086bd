"""Report sections ``verdict``, ``findings``, ``requirements``, ``dependencies`` and ``binaries``.

``verdict`` and ``findings`` are filled in by a finaliser once every section is built, so they
gather the findings of every analyser result and every section (the shared convention: any
result or section may carry ``"findings": [{severity, code, message, paths}]``).
"""

from __future__ import annotations

import textwrap

from distscope.tui.analysis.findings import SEVERITIES, finding, sort_findings
from distscope.tui.analysis.graph import walk
from distscope.tui.analysis.requirements import apply_windows_policy, host_check
from distscope.tui.report import markdown_block, markdown_table, register_finalizer, register_section

_STATUS_WORD = {"errors": "FAIL", "warnings": "WARN", "ok": "OK"}
_PATHS_SHOWN = 3
#: Text output fits this many columns (read over SSH at 80x24); markdown and JSON are not wrapped.
WIDTH = 80


def _binaries_result(index) -> dict:
    result = index.results.get("binaries")
    return result if isinstance(result, dict) else {}


# ----------------------------------------------------------------------------- builders
def build_requirements(index) -> dict | None:
    req = _binaries_result(index).get("requirements")
    if not isinstance(req, dict):
        return None
    out = dict(req)
    if isinstance(out.get("windows"), dict) and not out["windows"].get("policy"):
        out["windows"] = dict(out["windows"])
        apply_windows_policy(out, _python_version(index))
    result = _binaries_result(index)
    binaries = result.get("binaries") or {}
    native = sum(1 for b in binaries.values() if b.get("runtime", b.get("native")) and not b.get("error"))
    findings = list(result.get("findings") or [])
    if not index.complete:
        findings.append(finding("error", "archive-incomplete", "the archive could not be read to the end"))
    out["host"] = host_check(req, findings=findings, interpreters=(result.get("graph") or {}).get("roots") or [],
                             native_binaries=native)
    return out


def _python_version(index) -> str | None:
    """The Python version without PYTHON.json: patchlevel.h, else the archive's file name."""
    sources = index.results.get("distribution") or {}
    version = ((sources.get("patchlevel") or {}) if isinstance(sources, dict) else {}).get("version")
    if version:
        return str(version)
    from distscope.tui.meta.distribution import parse_file_name

    return (parse_file_name(str(index.path or "")) or {}).get("python_version")


def build_dependencies(index) -> dict | None:
    return _binaries_result(index).get("graph")


def build_binaries(index) -> list[dict]:
    binaries = _binaries_result(index).get("binaries") or {}
    graph_nodes = (_binaries_result(index).get("graph") or {}).get("nodes") or {}
    out = []
    for path, record in sorted(binaries.items()):
        row = {"path": path, "format": record.get("format"), "native": bool(record.get("native")),
               "needs": list(record.get("needs") or []), "machine": record.get("machine"),
               "role": (graph_nodes.get(path) or {}).get("role")}
        row.update({k: v for k, v in record.items() if k not in row})
        out.append(row)
    return out


def gather_findings(report: dict, index) -> list[dict]:
    """Every finding of every analyser result and report section, plus archive-level ones."""
    found: list[dict] = []
    sources = list(index.results.values()) + [v for k, v in report.items() if k not in ("findings", "verdict")]
    for source in sources:
        if isinstance(source, dict) and isinstance(source.get("findings"), list):
            found.extend(f for f in source["findings"] if isinstance(f, dict))
    if not index.complete:
        found.append(finding("error", "archive-incomplete",
                             f"the archive could not be read to the end: {index.error or 'unknown error'}"))
    for err in index.analysis_errors or []:
        found.append(finding("warning", "analysis-error", f"analyser {err.get('analyser')} failed"
                             f"{' on ' + err['path'] if err.get('path') else ''}: {err.get('error')}",
                             [err["path"]] if err.get("path") else []))
    seen, unique = set(), []
    for f in found:
        clean = {"severity": f.get("severity") if f.get("severity") in SEVERITIES else "warning",
                 "code": str(f.get("code") or "unknown"), "message": str(f.get("message") or ""),
                 "paths": [str(p) for p in f.get("paths") or []]}
        key = (clean["severity"], clean["code"], clean["message"])
        if key not in seen:
            seen.add(key)
            unique.append(clean)
    return sort_findings(unique)


def _requirements_summary(req: dict | None) -> str | None:
    if not req:
        return None
    if req.get("platform") == "linux":
        if req.get("libc") == "musl":
            return f"musl, {(req.get('musl') or {}).get('linkage', 'dynamic')} (no glibc)"
        if req.get("min_glibc"):
            distros = _distros(req)
            return f"needs glibc {req['min_glibc']} or newer" + (f" ({distros})" if distros else "")
        return "no glibc version needs found"
    if req.get("platform") == "windows":
        parts = []
        if req.get("min_windows"):
            win = req.get("windows") or {}
            why = {"pe-headers": "per PE headers, a linker default", "api-set": f"for {win.get('api_set_reason')}",
                   "python-policy": win.get("policy")}.get(win.get("driven_by"), "")
            name = win.get("name") or ""
            parts.append((f"{name}+" if name.startswith("Windows") else f"Windows {req['min_windows']}+")
                         + (f" ({why})" if why else ""))
        msvc = req.get("msvc_runtime")
        if msvc:
            parts.append(f"MSVC runtime {', '.join(msvc['needed'])} "
                         f"{'bundled' if msvc['bundled'] else 'NOT bundled: install the VC++ redistributable'}")
        return "; ".join(parts) or None
    if req.get("platform") == "macos" and req.get("min_macos"):
        mac = req.get("macos") or {}
        by = mac.get("needed_by") or []
        why = [f"set by {by[0]}" + (f" and {len(by) - 1} more" if len(by) > 1 else "")] if by else []
        why += [f"SDK {mac['sdk']}"] if mac.get("sdk") else []
        return f"needs macOS {req['min_macos']} or newer" + (f" ({'; '.join(why)})" if why else "")
    return None


def _distros(req: dict | None) -> str:
    """The oldest distributions with the glibc the binaries need ("RHEL/CentOS 7+, ...")."""
    if not req or req.get("platform") != "linux" or req.get("libc") == "musl" or not req.get("min_glibc"):
        return ""
    return ", ".join(f"{d['family']} {d['release']}+" for d in req.get("distros") or [] if d["release"])


def finalize(report: dict, index) -> None:
    findings = gather_findings(report, index)
    counts = {s: sum(1 for f in findings if f["severity"] == s) for s in SEVERITIES}
    status = "errors" if counts["error"] else "warnings" if counts["warning"] else "ok"
    req = report.get("requirements") if isinstance(report.get("requirements"), dict) else None
    dist = report.get("distribution") if isinstance(report.get("distribution"), dict) else {}
    target = _binaries_result(index).get("target") or {}
    triple = dist.get("target_triple") or target.get("target_triple")
    problems = [f["message"] for f in findings if f["severity"] == "error"][:3]
    headline = f"{_STATUS_WORD[status]}: {triple or 'unknown target'}"
    summary = _requirements_summary(req)
    if summary:
        headline += f"; {summary}"
    report["verdict"] = {
        "status": status, "errors": counts["error"], "warnings": counts["warning"], "infos": counts["info"],
        "target_triple": triple, "platform": dist.get("platform") or target.get("platform"),
        "headline": headline, "requirements": summary, "top_problems": problems,
        "runs_here": (req or {}).get("host", {}).get("runs") if req else None,
    }
    report["findings"] = findings
    # Key order for JSON readers: the verdict and problems first.
    ordered = {k: report[k] for k in ("report_version", "verdict", "findings") if k in report}
    ordered.update({k: v for k, v in report.items() if k not in ordered})
    report.clear()
    report.update(ordered)


# ------------------------------------------------------------------------------- text
def wrap(text: str, indent: str = "", hang: str | None = None, width: int = WIDTH) -> list[str]:
    """``text`` as lines of at most ``width`` columns, the first indented by ``indent``, the rest
    by ``hang`` (default: four more); paths and words longer than a line are never broken."""
    hang = indent + "    " if hang is None else hang
    if len(indent) + len(text) <= width:
        return [indent + text]
    return textwrap.wrap(text, width, initial_indent=indent, subsequent_indent=hang, break_long_words=False,
                         break_on_hyphens=False) or [indent.rstrip()]


def fit(lines: list[str], width: int = WIDTH) -> list[str]:
    """Wrap each line longer than ``width`` with a hanging indent four past its own."""
    out: list[str] = []
    for line in lines:
        if len(line) <= width:
            out.append(line)
        else:
            indent = line[:len(line) - len(line.lstrip())]
            out += wrap(line.strip(), indent, width=width)
    return out


def _paths_line(paths: list[str], indent: str = "      ") -> list[str]:
    if not paths:
        return []
    shown = ", ".join(paths[:_PATHS_SHOWN])
    more = f" (+{len(paths) - _PATHS_SHOWN} more)" if len(paths) > _PATHS_SHOWN else ""
    return wrap(f"{shown}{more}", indent, indent)


def verdict_text(v: dict, report: dict) -> list[str]:
    if not v:
        return []
    req = report.get("requirements") if isinstance(report.get("requirements"), dict) else None
    headline, distros = v["headline"], _distros(req)
    if distros and headline.endswith(f" ({distros})"):
        headline = headline[:-len(f" ({distros})")]  # the distributions go on their own line(s)
    else:
        distros = ""
    lines = wrap(headline, "", "  ")
    if distros:
        lines += wrap(f"distributions: {distros}", "  ", "    ")
    lines.append(f"  {_counts(v)}")
    host = (req or {}).get("host")
    if host:
        lines += wrap(_host_line(host), "  ")
    return lines


def _counts(v: dict) -> str:
    return ", ".join(f"{n} {word if n == 1 else word + 's'}"
                     for n, word in ((v["errors"], "error"), (v["warnings"], "warning"), (v["infos"], "note")))


def _host_line(host: dict) -> str:
    answer = {True: "yes", False: "no", None: "unknown"}[host.get("runs")]
    where = f"{host.get('platform')} {host.get('arch')}" + (f", glibc {host['glibc']}" if host.get("glibc") else "")
    reasons = "; ".join(host.get("reasons") or [])
    return f"Runs on this machine ({where}): {answer}" + (f" ({reasons})" if reasons else "")


def findings_text(findings: list[dict], report: dict) -> list[str]:
    problems = [f for f in findings if f["severity"] != "info"]
    notes = [f for f in findings if f["severity"] == "info"]
    lines = ["Problems" if problems else "Problems: none"]
    for f in problems:
        lines += wrap(f"{f['severity'].upper():<8}{f['code']}: {f['message']}", "  ", " " * 10)
        lines += _paths_line(f["paths"], " " * 10)
    if notes:
        lines += ["", "Notes"]
        for f in notes:
            lines += wrap(f"{f['code']}: {f['message']}", "  ")
    return lines


def requirements_text(req: dict | None, report: dict) -> list[str]:
    return fit(_requirements_lines(req, report, WIDTH))


def _requirements_lines(req: dict | None, report: dict, width: int = 96) -> list[str]:
    if not req:
        return ["Runtime requirements: unknown (no binaries analysed)"]
    lines = [f"Runtime requirements ({req.get('platform') or 'unknown platform'}, "
             f"{req.get('target_triple') or 'unknown triple'})"]
    if req.get("machines"):
        lines.append(f"  machine: {', '.join(req['machines'])}")
    if req.get("platform") == "linux":
        if req.get("libc") == "musl":
            lines.append(f"  libc: musl, {(req.get('musl') or {}).get('linkage')}")
        elif req.get("min_glibc"):
            lines.append(f"  glibc >= {req['min_glibc']} (allowed maximum for the triple: "
                         f"{req.get('glibc_max_allowed') or 'n/a'})")
            for path, symbols in list((req.get("glibc_symbols") or {}).items())[:5]:
                lines.append(f"    {path}" + (f": {', '.join(symbols[:8])}" if symbols else ""))
            distros = [f"{d['family']} {d['release']}" for d in req.get("distros") or [] if d["release"]]
            if distros:
                lines.append(f"  oldest distributions: {', '.join(distros)}")
        for prefix, need in (req.get("other_version_needs") or {}).items():
            lines.append(f"  {prefix} >= {need['max']} ({len(need['needed_by'])} binaries)")
        if req.get("isa_level"):
            lines.append(f"  x86-64 ISA level: v{req['isa_level']}")
    if req.get("platform") == "windows":
        w = req.get("windows") or {}
        if req.get("min_windows"):
            lines.append(f"  Windows >= {req['min_windows']} ({w.get('name')}), set by the "
                         + {"pe-headers": "PE headers", "api-set": "API sets",
                            "python-policy": "support policy"}.get(w.get("driven_by"), "binaries") + ":")
            for b in w.get("basis") or []:
                paths = b.get("paths") or []
                by = f"; {paths[0]}" + (f" and {len(paths) - 1} more" if len(paths) > 1 else "") if paths else ""
                lines.append(f"    {b['version']:<5} {b['detail']}{by}")
        msvc = req.get("msvc_runtime")
        if msvc:
            where = ", ".join(msvc["bundled_paths"]) if msvc["bundled"] else "not bundled: from the system"
            lines.append(f"  MSVC runtime: {', '.join(msvc['needed'])} ({where})")
        if req.get("ucrt"):
            lines.append(f"  Universal CRT: {len(req['ucrt']['dlls'])} api-ms-win-crt API sets "
                         f"(part of Windows 10+, KB2999226 before)")
    if req.get("platform") == "macos" and req.get("min_macos"):
        m = req.get("macos") or {}
        by = m.get("needed_by") or []
        lines.append(f"  macOS >= {req['min_macos']}" + (f", SDK {m['sdk']}" if m.get("sdk") else "")
                     + (f", set by {', '.join(by[:3])}" + (f" (+{len(by) - 3} more)" if len(by) > 3 else "")
                        if by else ""))
    system = req.get("system_libraries") or []
    if system:
        bad = [s for s in system if not s["allowed"]]
        api_sets = [s for s in system if s["status"] == "virtual" and s["allowed"]]
        plain = [s["name"] for s in system if s["allowed"] and s not in api_sets]
        lines.append(f"  system libraries ({len(system)}, {len(bad)} not allowed):")
        if plain:
            lines += textwrap.wrap(", ".join(plain), width, initial_indent="    ", subsequent_indent="    ")
        if api_sets:
            lines.append(f"    + {len(api_sets)} Windows API sets ({api_sets[0]['name']} ...)")
        for s in bad:
            lines.append(f"    NOT ALLOWED {s['name']}  (needed by {', '.join(s['needed_by'][:3])}"
                         f"{' ...' if len(s['needed_by']) > 3 else ''})")
    for m in req.get("missing_libraries") or []:
        lines.append(f"  MISSING {m['name']}  (needed by {len(m['needed_by'])})")
    if req.get("host"):
        lines.append("  " + _host_line(req["host"]))
    return lines


def dependencies_text(graph: dict | None, report: dict) -> list[str]:
    return fit(_dependencies_lines(graph, report))


def _dependencies_lines(graph: dict | None, report: dict) -> list[str]:
    if not graph:
        return []
    lines = ["Dependencies"]
    for root in graph.get("roots") or []:
        lines.append(f"  {root}")
        system: dict[int, int] = {}
        for depth, edge in walk(graph, root):
            if edge["status"] in ("system", "virtual"):
                system[depth] = system.get(depth, 0) + 1
                continue
            lines.append("    " + "  " * depth + _edge_text(edge))
        if system:
            lines.append(f"    (+ {sum(system.values())} system libraries and API sets)")
    others = graph.get("top_level") or []
    if others:
        lines.append(f"  other native binaries nothing in the archive loads ({len(others)}):")
        by_source: dict[str, list[dict]] = {}
        for edge in graph.get("edges") or []:
            by_source.setdefault(edge["from"], []).append(edge)
        for path in others:
            edges = by_source.get(path, [])
            notable = [_edge_text(e) for e in edges if e["status"] not in ("system", "virtual")]
            system = sum(1 for e in edges if e["status"] in ("system", "virtual"))
            tail = "; ".join(notable) + (f"; {system} system" if system else "")
            lines.append(f"    {path}: {tail.strip('; ') or 'no dependencies'}")
    return lines


def _edge_text(edge: dict) -> str:
    how = " (export forwarder)" if edge.get("forwarder") else ""
    if edge["to"]:
        return f"{edge['name']}{how} -> {edge['to']}"
    status = {"missing": "MISSING", "unexpected": "UNEXPECTED system library"}.get(edge["status"], edge["status"])
    return f"{edge['name']}{how} [{status}]"


def binaries_text(rows: list[dict], report: dict) -> list[str]:
    if not rows:
        return ["Binaries: none"]
    # Columns: path, then format, machine, role, needs. A path too long for its column goes on
    # its own line, the details under it in their columns; an unreadable binary's error below.
    details = {}
    for r in rows:
        details[r["path"]] = (f"{str(r['format']):<6} {str(r.get('machine') or '?'):<8} "
                              f"{str(r.get('role') or ''):<11} {len(r['needs'])} needs"
                              + ("" if r["native"] or r.get("error") else " (not native)"))
    detail_width = max(len(d) for d in details.values())
    width = max(20, min(max(len(r["path"]) for r in rows), WIDTH - 4 - detail_width))
    lines = [f"Binaries ({len(rows)})", f"  {'path':<{width}}  {'format':<6} {'machine':<8} {'role':<11} needs"]
    for r in rows:
        if len(r["path"]) <= width:
            lines.append(f"  {r['path']:<{width}}  {details[r['path']]}".rstrip())
        else:
            lines.append(f"  {r['path']}")
            lines.append(f"  {'':<{width}}  {details[r['path']]}".rstrip())
        if r.get("error"):
            lines += wrap(f"UNREADABLE: {r['error']}", "    ", "      ")
        if r.get("build_artefact"):
            copy = f": a byte copy of {', '.join(r['same_as'])}" if r.get("same_as") else ""
            lines += wrap(f"build artefact, not loaded at run time{copy}", "    ", "      ")
    return lines


# --------------------------------------------------------------------------- markdown
def verdict_markdown(v: dict, report: dict) -> list[str]:
    if not v:
        return []
    out = [f"# {v['headline']}", "", _counts(v)]
    host = (report.get("requirements") or {}).get("host") if isinstance(report.get("requirements"), dict) else None
    if host:
        out += ["", _host_line(host)]
    return out


def findings_markdown(findings: list[dict], report: dict) -> list[str]:
    out = ["## Findings", ""]
    if not findings:
        return out + ["No findings."]
    rows = []
    for f in findings:
        paths = ", ".join(f"`{p}`" for p in f["paths"][:_PATHS_SHOWN])
        if len(f["paths"]) > _PATHS_SHOWN:
            paths += f" (+{len(f['paths']) - _PATHS_SHOWN})"
        rows.append((f["severity"], f"`{f['code']}`", f["message"], paths))
    return out + markdown_table(["severity", "code", "message", "paths"], rows)


def requirements_markdown(req: dict | None, report: dict) -> list[str]:
    return markdown_block("Runtime requirements", _requirements_lines(req, report)[1:])


def dependencies_markdown(graph: dict | None, report: dict) -> list[str]:
    return markdown_block("Dependencies", _dependencies_lines(graph, report)[1:])


def binaries_markdown(rows: list[dict], report: dict) -> list[str]:
    out = ["## Binaries", ""]
    if not rows:
        return out + ["None."]
    table = []
    for r in rows:
        native = "yes" if r["native"] else "no"
        if r.get("error"):
            native = f"unreadable: {r['error']}"
        table.append((f"`{r['path']}`", r["format"], r.get("machine") or "?", r.get("role") or "", native,
                      f"{', '.join(r['needs'][:6])}{' ...' if len(r['needs']) > 6 else ''}"))
    return out + markdown_table(["path", "format", "machine", "role", "native", "needs"], table)


register_section("verdict", lambda index: None, verdict_text, verdict_markdown, order=0)
register_section("findings", lambda index: [], findings_text, findings_markdown, order=5)
register_section("requirements", build_requirements, requirements_text, requirements_markdown, order=30)
register_section("dependencies", build_dependencies, dependencies_text, dependencies_markdown, order=40)
register_section("binaries", build_binaries, binaries_text, binaries_markdown, order=60)
register_finalizer(finalize)
