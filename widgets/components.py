"""Pane 6: the component inventory (name, version, licence, where it was found, which binaries
carry and load it), filterable; ``g`` shows the selected component's evidence in Files.
It renders the typed report's inventory (:attr:`Report.components <distscope.tui.model.report.Report.components>`)."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.widgets import DataTable, Static

from distscope.tui.model.components import Component, Inventory
from distscope.tui.model.report import Report
from distscope.tui.safetext import visible
from distscope.widgets.common import FilterBox, GotoMember, RowTable, error_text, focus_now, missing_text, pending_text, waiting_text

_KIND = {"interpreter": "Python", "library": "library", "vendored-library": "vendored", "python-package": "package"}


def _where(component: Component) -> str:
    """The file of the first (best) evidence, and how many more files have some."""
    paths = list(dict.fromkeys(e.path for e in component.evidence))
    if not paths:
        return ""
    first = paths[0].rsplit("/", 1)[-1]
    return first + (f" +{len(paths) - 1}" if len(paths) > 1 else "")


def matches(component: Component, words: list[str]) -> bool:
    """Every word of the filter occurs in the name, version, licence, kind, package or a path."""
    haystack = " ".join([component.name, component.version or "unknown", component.licence or "",
                         component.kind, component.package or "", *component.contained_in,
                         *(e.path for e in component.evidence)]).lower()
    return all(w in haystack for w in words)


class ComponentsPane(Vertical):
    """The inventory as a table, a filter above it and the selected component's evidence below."""

    DEFAULT_CSS = """
    ComponentsPane > #comp-head { height: 1; padding: 0 1; }
    ComponentsPane > DataTable { height: 1fr; min-height: 5; }
    ComponentsPane > #comp-detail { height: 6; border-top: solid $primary-muted; padding: 0 1; }
    """
    BINDINGS = [
        Binding("g", "goto_evidence", "Show evidence in Files"),
        Binding("slash", "filter", "Filter", show=False),
        Binding("escape", "clear_filter", "Clear filter", show=False),
    ]

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.inventory: Inventory | None = None
        self.shown: list[Component] = []

    def compose(self) -> ComposeResult:
        yield Static(waiting_text("the components"), id="comp-head")
        yield FilterBox("/ filter: name, version, licence, path…", id="comp-filter", always_open=True,
                        apply=self._fill, back=lambda: self.query_one(DataTable))
        yield RowTable(cursor_type="row", zebra_stripes=True, id="comp-table")
        with VerticalScroll(id="comp-detail"):
            yield Static("", id="comp-evidence")

    def on_mount(self) -> None:
        self.query_one(DataTable).add_columns("component", "version", "licence", "kind", "found in", "loaded by")

    def focus_main(self) -> None:
        focus_now(self.query_one(DataTable))

    def set_pending(self, stage: str) -> None:
        self.query_one("#comp-head", Static).update(pending_text(stage, "the components"))

    def show_error(self, message: str) -> None:
        self.query_one("#comp-head", Static).update(error_text(message))

    def set_report(self, report: Report) -> None:
        """Render the typed report's inventory (or say that the analysis could not make it)."""
        if not self.has_sections(report):
            self.query_one("#comp-head", Static).update(missing_text("the components"))
            return
        self.render_report(report)

    def has_sections(self, report: Report) -> bool:
        return report.components is not None

    def render_report(self, report: Report) -> None:
        inventory = report.components
        if inventory is None:  # (set_report checks has_sections first)
            return
        self.inventory = inventory
        native = sum(c.kind in ("interpreter", "library") for c in inventory.components)
        unknown = sum(c.version is None for c in inventory.components if c.kind in ("interpreter", "library"))
        head = Text(f"{native} CPython and libraries")
        if unknown:
            head.append(f" ({unknown} version unknown)", style="yellow")
        head.append(f", {len(inventory.components) - native:,} packages and vendored")
        self.query_one("#comp-head", Static).update(head)
        self._fill(self.query_one(FilterBox).value)

    def _fill(self, text: str) -> None:
        if self.inventory is None:
            return
        words = text.lower().split()
        self.shown = [c for c in self.inventory.components if matches(c, words)]
        rows = []
        for i, c in enumerate(self.shown):
            version = Text(visible(c.version)) if c.version else Text("unknown", style="yellow")
            licence = c.licence or ("public domain" if "public domain" in c.licence_source else "?")
            rows.append(((visible(c.name), version, visible(licence), visible(_KIND.get(c.kind, c.kind)),
                          visible(_where(c)), str(len(c.loaded_by)) if c.loaded_by else ""), str(i)))
        self.query_one(RowTable).fill(rows)
        self._detail(0 if self.shown else None)

    @on(DataTable.RowHighlighted)
    def _row(self, event: DataTable.RowHighlighted) -> None:
        if event.row_key is not None and event.row_key.value is not None:
            self._detail(int(event.row_key.value))

    def _detail(self, i: int | None) -> None:
        target = self.query_one("#comp-evidence", Static)
        if i is None or i >= len(self.shown):
            target.update(Text("No component matches the filter." if self.inventory else "", style="italic dim"))
            return
        c = self.shown[i]
        out = Text(f"{visible(c.name)} {visible(c.version or 'version unknown')}", style="bold")
        if c.licence:
            out.append(f"  {visible(c.licence)} ({visible(c.licence_source)})", style="")
        if c.version_note:
            out.append(f"\n{visible(c.version_note)}", style="yellow")
        for e in c.evidence:
            out.append(f"\n{visible(e.method)}: ", style="dim")
            out.append(f"{visible(e.detail)}  in {visible(e.path)}")
        if c.contained_in:
            out.append("\ncontained in: ", style="dim")
            out.append(", ".join(visible(p) for p in c.contained_in))
        if c.loaded_by:
            out.append("\nloaded by: ", style="dim")
            out.append(", ".join(visible(p) for p in c.loaded_by))
        target.update(out)

    def evidence_path(self) -> str | None:
        """The member to show for the selected row: its first evidence inside the archive."""
        table = self.query_one(DataTable)
        if not self.shown or table.cursor_row is None or table.cursor_row >= len(self.shown):
            return None
        c = self.shown[table.cursor_row]
        archive = (self.inventory.archive if self.inventory else "").replace("\\", "/").rsplit("/", 1)[-1]
        paths = [e.path for e in c.evidence if e.path != archive] + c.contained_in
        return paths[0] if paths else None

    def action_goto_evidence(self) -> None:
        path = self.evidence_path()
        if path:
            self.post_message(GotoMember(path))

    def action_filter(self) -> None:
        self.query_one(FilterBox).open()

    def action_clear_filter(self) -> None:
        self.query_one(FilterBox).clear()
