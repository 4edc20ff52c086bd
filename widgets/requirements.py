"""Pane 4: what a machine needs to run the distribution, and the policy findings."""

from __future__ import annotations

from rich.console import Group
from rich.table import Table
from rich.text import Text

from distscope.tui.safetext import visible
from distscope.widgets.common import ReportPane, heading, kv_table, severity_text

SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2}
_KNOWN = {"min_glibc", "min_glibc_needed_by", "system_libraries", "missing_libraries", "msvc_runtime",
          "min_windows", "min_macos", "headline", "distros", "host", "platform", "glibc_symbols",
          "version_needs", "oldest_distributions", "this_machine", "libc", "glibc_max_allowed", "ucrt",
          "windows", "macos", "machines", "target_triple"}
PLATFORM = {"linux": "Linux", "windows": "Windows", "macos": "macOS"}


def _names(items, limit: int = 4) -> str:
    items = [str(i) for i in (items or [])]
    more = f" (+{len(items) - limit} more)" if len(items) > limit else ""
    return ", ".join(items[:limit]) + more


def host_text(req: dict) -> Text | None:
    host = req.get("host") if req.get("host") is not None else req.get("this_machine")
    if host is None:
        return None
    if isinstance(host, dict):
        ok = host.get("runs", host.get("ok", host.get("compatible")))
        why = host.get("reason") or host.get("message") or host.get("why") or host.get("reasons") or ""
        why = "; ".join(map(str, why)) if isinstance(why, list) else str(why)
    else:
        ok, why = host, ""
    word = {True: "yes", False: "no", None: "unknown"}.get(ok, str(ok))
    style = {True: "bold green", False: "bold red"}.get(ok, "bold yellow")
    out = Text("this machine: ")
    out.append(word, style=style)
    if why:
        out.append(f" ({why})", style="dim")
    return out


def headline(req: dict, dist: dict | None) -> Text:
    line = req.get("headline")
    if isinstance(line, str) and line:
        out = Text(line, style="bold")
    else:
        triple = req.get("target_triple") or (dist or {}).get("target_triple") or ""
        plat = PLATFORM.get(str(req.get("platform")), req.get("platform") or "this distribution")
        arch = triple.split("-")[0] if triple else ", ".join(req.get("machines") or [])
        out = Text(f"{plat} {arch}".strip(), style="bold")
        if req.get("min_glibc"):
            out.append(f", glibc >= {req['min_glibc']}", style="bold")
        elif req.get("libc") == "musl" or req.get("musl"):
            out.append(", musl")
        distros = req.get("distros") or req.get("oldest_distributions")
        if isinstance(distros, dict):
            distros = [f"{k} {v}+" for k, v in distros.items()]
        elif isinstance(distros, list):
            distros = [f"{d.get('family')} {d.get('release')}+" if isinstance(d, dict) else str(d) for d in distros
                       if not isinstance(d, dict) or d.get("release")]  # (no release of that family has it yet)
        if distros:
            out.append(": " + ", ".join(distros))
        if req.get("min_windows"):
            name = (req.get("windows") or {}).get("name") if isinstance(req.get("windows"), dict) else None
            out.append(f", Windows {req['min_windows']}+" + (f" ({name})" if name else ""))
        msvc = req.get("msvc_runtime")
        if isinstance(msvc, dict) and msvc.get("needed"):
            out.append(", MSVC runtime " + ("bundled" if msvc.get("bundled") else "NOT bundled"))
        if req.get("min_macos"):
            by = (req.get("macos") or {}).get("needed_by") if isinstance(req.get("macos"), dict) else None
            out.append(f", macOS {req['min_macos']}+" + (f" (set by {by[0]})" if by else ""))
    host = host_text(req)
    if host is not None and "this machine" not in out.plain:
        out.append("; ")
        out.append_text(host)
    return out


def libraries_table(rows: list, missing: bool = False) -> Table:
    table = Table(box=None, padding=(0, 1), show_header=True, header_style="bold", expand=True)
    table.add_column("library", no_wrap=True)
    table.add_column("status", no_wrap=True)
    table.add_column("needed by", ratio=1)
    for row in rows:
        if not isinstance(row, dict):
            continue
        if missing:
            status = Text("MISSING", style="bold red")
        elif row.get("allowed") is True:
            status = Text("allowed", style="green")
            if row.get("allowed_by"):
                status.append(f" ({row['allowed_by']})", style="dim")
        elif row.get("allowed") is False:
            status = Text("unexpected", style="bold yellow")
        else:
            status = Text(str(row.get("status") or "?"))
        table.add_row(str(row.get("name")), status, _names(row.get("needed_by"), 3))
    return table


def findings_table(findings: list) -> Table:
    table = Table(box=None, padding=(0, 1), show_header=False, expand=True)
    table.add_column(no_wrap=True)
    table.add_column(ratio=1)
    rows = sorted((f for f in findings if isinstance(f, dict)),
                  key=lambda f: SEVERITY_ORDER.get(str(f.get("severity")), 3))
    for f in rows:
        msg = Text(str(f.get("message") or f.get("code")))
        if f.get("code"):
            msg.append(f"  [{f['code']}]", style="dim")
        if f.get("paths"):
            msg.append(f"\n{_names(f['paths'], 3)}", style="dim")
        table.add_row(severity_text(str(f.get("severity") or "info")), msg)
    return table


class RequirementsPane(ReportPane):
    SECTIONS = ("requirements", "findings")
    WHAT = "the runtime requirements"

    def focus_main(self) -> None:
        self.focus()

    def render_report(self, report: dict) -> None:
        req = report.get("requirements") or {}
        dist = report.get("distribution") if isinstance(report.get("distribution"), dict) else None
        parts: list = [headline(req, dist), Text("")]
        if req.get("min_glibc"):
            symbols = req.get("glibc_symbols")
            if isinstance(symbols, dict):
                symbols = sorted({s for v in symbols.values() for s in (v or [])})
            parts += [heading("glibc"),
                      kv_table([("Minimum", req["min_glibc"]),
                                ("Allowed maximum", req.get("glibc_max_allowed")),
                                ("Driven by", _names(req.get("min_glibc_needed_by"), 6)),
                                ("Symbols", _names(symbols, 8))]), Text("")]
        missing = req.get("missing_libraries") or []
        if missing:
            parts += [heading(f"Missing libraries ({len(missing)})"), libraries_table(missing, missing=True),
                      Text("")]
        system = req.get("system_libraries") or []
        if system:
            system = sorted(system, key=lambda r: (r.get("allowed") is not False, str(r.get("name"))))
            parts += [heading(f"System libraries ({len(system)})"), libraries_table(system), Text("")]
        msvc = req.get("msvc_runtime")
        if req.get("min_windows") or msvc:
            win = req.get("windows") if isinstance(req.get("windows"), dict) else {}
            rows = [("Minimum Windows", f"{req.get('min_windows')} {('(' + win['name'] + ')') if win.get('name') else ''}"
                     if req.get("min_windows") else None)]
            for basis in win.get("basis") or []:  # (what sets the minimum, and the headers' caveat)
                rows.append((f"  {basis.get('version')}", visible(str(basis.get("detail") or ""))))
            if isinstance(msvc, dict):
                rows += [("MSVC runtime", _names(msvc.get("needed"), 6) or "none"),
                         ("Bundled", Text("yes: " + _names(msvc.get("bundled_paths"), 3), style="green")
                          if msvc.get("bundled") else Text("no: install the VC++ redistributable", style="bold yellow"))]
            ucrt = req.get("ucrt")
            if isinstance(ucrt, dict) and ucrt.get("needed"):
                rows.append(("Universal CRT", f"{len(ucrt.get('dlls') or [])} api-ms-win-crt DLLs "
                                              "(built into Windows 10+, an update before)"))
            parts += [heading("Windows"), kv_table(rows), Text("")]
        if req.get("min_macos"):
            mac = req.get("macos") if isinstance(req.get("macos"), dict) else {}
            parts += [heading("macOS"), kv_table([("Minimum macOS", req.get("min_macos")),
                                                  ("Set by", _names(mac.get("needed_by"), 3) or None),
                                                  ("SDK", mac.get("sdk")),
                                                  ("Deployment target", mac.get("deployment_target")),
                                                  ("Frameworks", _names([f.rpartition("/")[2] for f in
                                                                         mac.get("frameworks") or []], 8))]),
                      Text("")]
        other = [(k.replace("_", " "), v) for k, v in req.items()
                 if k not in _KNOWN and isinstance(v, (str, int, float, bool, list)) and v not in ([], "")]
        if other:
            parts += [heading("More"), kv_table(other, 22), Text("")]
        findings = report.get("findings") or []
        parts.append(heading(f"Findings ({len(findings)})"))
        parts.append(findings_table(findings) if findings else Text("No findings.", style="green"))
        self.body.update(Group(*parts))
