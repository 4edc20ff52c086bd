"""Pane 4: what a machine needs to run the distribution, and the policy findings."""

from __future__ import annotations

from rich.console import Group
from rich.table import Table
from rich.text import Text

from widgets.common import ReportPane, heading, kv_table, severity_text

SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2}
_KNOWN = {"min_glibc", "min_glibc_needed_by", "system_libraries", "missing_libraries", "msvc_runtime",
          "min_windows", "min_macos", "headline", "distros", "host", "platform", "glibc_symbols",
          "version_needs", "oldest_distributions", "this_machine"}


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
        why = host.get("reason") or host.get("message") or host.get("why") or ""
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
        plat = (dist or {}).get("target_triple") or req.get("platform") or "this distribution"
        out = Text(str(plat), style="bold")
        if req.get("min_glibc"):
            out.append(f", glibc >= {req['min_glibc']}")
        distros = req.get("distros") or req.get("oldest_distributions")
        if isinstance(distros, dict):
            distros = [f"{k} {v}+" for k, v in distros.items()]
        if distros:
            out.append(": " + ", ".join(str(d) for d in distros))
        if req.get("min_windows"):
            out.append(f", Windows {req['min_windows']}+")
        if req.get("min_macos"):
            out.append(f", macOS {req['min_macos']}+")
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
            parts += [heading("glibc"),
                      kv_table([("Minimum", req["min_glibc"]),
                                ("Driven by", _names(req.get("min_glibc_needed_by"), 6)),
                                ("Symbols", _names(req.get("glibc_symbols"), 8))]), Text("")]
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
            rows = [("Minimum Windows", req.get("min_windows"))]
            if isinstance(msvc, dict):
                rows += [("MSVC runtime", _names(msvc.get("needed"), 6) or "none"),
                         ("Bundled", "yes" if msvc.get("bundled") else Text("no: install the VC++ redistributable",
                                                                            style="bold yellow"))]
            parts += [heading("Windows"), kv_table(rows), Text("")]
        if req.get("min_macos"):
            parts += [heading("macOS"), kv_table([("Minimum macOS", req.get("min_macos")),
                                                  ("SDK", (dist or {}).get("apple_sdk", {}) and
                                                   (dist or {}).get("apple_sdk", {}).get("version"))]), Text("")]
        other = [(k.replace("_", " "), v) for k, v in req.items()
                 if k not in _KNOWN and isinstance(v, (str, int, float, bool, list)) and v not in ([], "")]
        if other:
            parts += [heading("More"), kv_table(other, 22), Text("")]
        findings = report.get("findings") or []
        parts.append(heading(f"Findings ({len(findings)})"))
        parts.append(findings_table(findings) if findings else Text("No findings.", style="green"))
        self.body.update(Group(*parts))
