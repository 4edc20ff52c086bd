"""Pane 4: what a machine needs to run the distribution, and the policy findings."""

from __future__ import annotations

from rich.console import Group
from rich.table import Table
from rich.text import Text

from textual.binding import Binding

from distscope.tui.model.findings import Finding, sort_findings
from distscope.tui.model.report import Report
from distscope.tui.model.requirements import Host, MissingLibrary, Requirements, SystemLibrary
from distscope.tui.safetext import visible
from distscope.widgets.common import FilterBox, ReportPane, focus_now, heading, kv_table, severity_text

PLATFORM = {"linux": "Linux", "windows": "Windows", "macos": "macOS"}


def _names(items, limit: int = 4) -> str:
    items = [visible(str(i)) for i in (items or [])]
    more = f" (+{len(items) - limit} more)" if len(items) > limit else ""
    return ", ".join(items[:limit]) + more


def host_text(host: Host | None) -> Text | None:
    """Whether this machine runs the distribution: words and symbols, so it reads without colour."""
    if host is None:
        return None
    word, mark, style = {True: ("yes", "✓", "bold green"), False: ("no", "✗", "bold reverse red")}.get(
        host.runs, ("unknown", "?", "bold yellow"))
    out = Text("this machine: ")
    out.append(f"{mark} {word}", style=style)
    if host.reasons:
        out.append(f" ({visible('; '.join(host.reasons))})")
    return out


def headline(req: Requirements) -> Text:
    triple = req.target_triple or ""
    plat = PLATFORM.get(str(req.platform), req.platform or "this distribution")
    arch = triple.split("-")[0] if triple else ", ".join(req.machines)
    out = Text(f"{plat} {arch}".strip(), style="bold")
    if req.min_glibc:
        out.append(f", glibc >= {req.min_glibc}", style="bold")
    elif req.libc == "musl" or req.musl is not None:
        out.append(", musl")
    distros = [d for d in req.distros if d.release]  # (no release of a family has it yet: not named)
    if distros:
        out.append(": " + ", ".join(f"{d.family} {d.release}+" for d in distros))
    if req.min_windows:
        out.append(f", Windows {req.min_windows}+" + (f" ({req.windows.name})" if req.windows else ""))
    if req.msvc_runtime is not None and req.msvc_runtime.needed:
        out.append(", MSVC runtime " + ("bundled" if req.msvc_runtime.bundled else "NOT bundled"))
    if req.min_macos:
        by = req.macos.needed_by if req.macos else []
        out.append(f", macOS {req.min_macos}+" + (f" (set by {visible(by[0])})" if by else ""))
    host = host_text(req.host)
    if host is not None:
        out.append("; ")
        out.append_text(host)
    return out


def _matches(query: str, *texts) -> bool:
    q = query.lower()
    return not q or any(q in str(t).lower() for t in texts)


def libraries_table(rows: list[SystemLibrary] | list[MissingLibrary], query: str = "") -> Table:
    """Library rows; the status comes first and is a word (with a mark), never cut."""
    table = Table(box=None, padding=(0, 1), show_header=True, header_style="bold", expand=True)
    table.add_column("status", no_wrap=True)
    table.add_column("library", overflow="fold")
    table.add_column("needed by", ratio=1, overflow="fold")
    for row in rows:
        if not _matches(query, row.name, *row.needed_by):
            continue
        if isinstance(row, MissingLibrary):
            status = Text("✗ MISSING", style="bold red")
        elif row.allowed:
            status = Text("✓ allowed", style="green")
        elif row.status == "virtual":
            status = Text("· API set")
        else:
            status = Text("! unexpected", style="bold yellow")
        allowed_by = f"\nallowed by {visible(row.allowed_by)}" if isinstance(row, SystemLibrary) and row.allowed_by else ""
        table.add_row(status, Text(visible(row.name) + allowed_by), _names(row.needed_by, 3))
    return table


def findings_table(findings: list[Finding], query: str = "") -> Table:
    table = Table(box=None, padding=(0, 1), show_header=False, expand=True)
    table.add_column(no_wrap=True)
    table.add_column(ratio=1)
    for f in sort_findings(findings):
        if not _matches(query, f.message, f.code, *f.paths):
            continue
        msg = Text(visible(f.message))
        msg.append(f"  [{f.code}]", style="dim")
        if f.paths:
            msg.append(f"\n{_names(f.paths, 3)}", style="dim")
        table.add_row(severity_text(f.severity), msg)
    return table


class RequirementsPane(ReportPane):
    WHAT = "the runtime requirements"
    BINDINGS = [Binding("f,slash", "filter", "Filter", tooltip="libraries and findings containing a text"),
                Binding("escape", "clear_filter", "Clear filter", show=False)]
    DEFAULT_CSS = "RequirementsPane > FilterBox, RequirementsPane > FilterBox:focus { padding: 0; }"

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.report: Report | None = None

    def compose(self):
        yield FilterBox("filter: part of a library, path or finding (Esc clears)", id="req-filter",
                        apply=lambda text: self._show_requirements(text.strip()), back=lambda: self)
        yield from super().compose()

    def focus_main(self) -> None:
        focus_now(self)

    def has_sections(self, report: Report) -> bool:
        return report.requirements is not None

    def render_report(self, report: Report) -> None:
        self.report = report
        self._show_requirements(self.query_one(FilterBox).value.strip())

    def _show_requirements(self, query: str) -> None:
        report = self.report
        if report is None or report.requirements is None:
            return
        req = report.requirements
        parts: list = [headline(req), Text("")]
        if req.min_glibc:
            symbols = sorted({s for v in req.glibc_symbols.values() for s in v})
            parts += [heading("glibc"),
                      kv_table([("Minimum", req.min_glibc),
                                ("Allowed maximum", req.glibc_max_allowed),
                                ("Driven by", Text(_names(req.min_glibc_needed_by, 50), overflow="fold")),
                                ("Symbols", _names(symbols, 12))]), Text("")]
        if req.missing_libraries:
            parts += [heading(f"Missing libraries ({len(req.missing_libraries)})"),
                      libraries_table(req.missing_libraries, query), Text("")]
        if req.system_libraries:
            system = sorted(req.system_libraries, key=lambda r: (r.allowed, r.name))
            parts += [heading(f"System libraries ({len(system)})"), libraries_table(system, query), Text("")]
        msvc = req.msvc_runtime
        if req.min_windows or msvc is not None:
            rows: list = [("Minimum Windows", f"{req.min_windows} ({req.windows.name})" if req.windows and req.min_windows
                           else req.min_windows)]
            for basis in req.windows.basis if req.windows else []:  # (what sets it, and the headers' caveat)
                rows.append((f"  {basis.get('version')}", visible(str(basis.get("detail") or ""))))
            if msvc is not None:
                rows += [("MSVC runtime", _names(msvc.needed, 6) or "none"),
                         ("Bundled", Text("yes: " + _names(msvc.bundled_paths, 3), style="green") if msvc.bundled
                          else Text("no: install the VC++ redistributable", style="bold yellow"))]
            if req.ucrt is not None and req.ucrt.needed:
                rows.append(("Universal CRT", f"{len(req.ucrt.dlls)} api-ms-win-crt DLLs "
                                              "(built into Windows 10+, an update before)"))
            parts += [heading("Windows"), kv_table(rows), Text("")]
        if req.min_macos:
            mac = req.macos
            parts += [heading("macOS"), kv_table([
                ("Minimum macOS", req.min_macos),
                ("Set by", _names(mac.needed_by, 3) if mac else None),
                ("SDK", mac.sdk if mac else None),
                ("Deployment target", mac.deployment_target if mac else None),
                ("Frameworks", _names([f.rpartition("/")[2] for f in mac.frameworks], 8) if mac else None)]),
                Text("")]
        findings = report.findings
        parts.append(heading(f"Findings ({len(findings)})"))
        parts.append(findings_table(findings, query) if findings else Text("No findings.", style="green"))
        if query:
            parts.insert(0, Text(f"filter: {visible(query)!r} (Esc clears)", style="bold reverse"))
        self.body.update(Group(*parts))

    def action_filter(self) -> None:
        self.query_one(FilterBox).open()

    def action_clear_filter(self) -> None:
        self.query_one(FilterBox).clear()
