"""Pane 5: licence components with SPDX ids and GPL flags, and the text of the selected one."""

from __future__ import annotations

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, ScrollableContainer, Vertical
from textual.widgets import DataTable, Static
from textual.worker import get_current_worker

from distscope.tui.model.licences import Component
from distscope.tui.model.report import Report
from distscope.tui.safetext import visible

from distscope.widgets.common import FilterBox, GotoMember, RowTable, MemberSource, focus_now, error_text, missing_text, pending_text, waiting_text

TEXT_LIMIT = 512 << 10


class LicencesPane(Vertical):
    """The components table and the licence text of the selected row."""

    DEFAULT_CSS = """
    LicencesPane > #lic-head { height: auto; max-height: 4; padding: 0 1; }
    LicencesPane > Horizontal { height: 1fr; }
    LicencesPane DataTable { width: 1fr; min-width: 30; }
    LicencesPane #lic-text-scroll { width: 1fr; border-left: solid $primary-muted; padding: 0 1; }
    LicencesPane #lic-text { width: auto; }
    """
    BINDINGS = [Binding("f,slash", "filter", "Filter", tooltip="components whose name, SPDX id or file contains a text"),
                Binding("g", "goto_member", "Show file"),
                Binding("escape", "clear_filter", "Clear filter", show=False)]

    def __init__(self, source: MemberSource, **kwargs) -> None:
        super().__init__(**kwargs)
        self.source = source
        self.components: list[Component] = []
        self.shown: list[int] = []
        self.gpl: dict[str, str] = {}
        self._texts: dict[int, Text] = {}  #: licence texts read, by component (read once)
        self._unread: tuple[int, list[str], Text] | None = None  #: to read once the pane shows

    def compose(self) -> ComposeResult:
        yield Static(waiting_text("the licences"), id="lic-head")
        yield FilterBox("filter: part of a component, SPDX id or file (Esc clears)", id="lic-filter",
                        apply=lambda text: self._fill(text.strip()), back=lambda: self.query_one(DataTable))
        with Horizontal():
            yield RowTable(cursor_type="row", zebra_stripes=True, id="lic-table")
            with ScrollableContainer(id="lic-text-scroll", can_focus=True):
                yield Static("", id="lic-text")

    def on_mount(self) -> None:
        self.query_one(DataTable).add_columns("GPL", "component", "SPDX")

    def focus_main(self) -> None:
        focus_now(self.query_one(DataTable))

    def set_pending(self, stage: str) -> None:
        self.query_one("#lic-head", Static).update(pending_text(stage, "the licences"))

    def show_error(self, message: str) -> None:
        self.query_one("#lic-head", Static).update(error_text(message))

    def set_report(self, report: Report) -> None:
        lic = report.licenses
        head = self.query_one("#lic-head", Static)
        if lic is None:
            head.update(missing_text("the licences"))
            return
        self.gpl = {g.component: g.evidence for g in lic.gpl}
        self._texts.clear()
        self.components = sorted(lic.components, key=lambda c: (not self._is_gpl(c), c.name))
        summary = Text(f"{len(self.components)} components. ")
        if self.gpl:
            summary.append("GPL-licensed: ", style="bold red")
            summary.append(visible(", ".join(self.gpl)), style="red")
        else:
            summary.append("No GPL-licensed component found.", style="green")
        summary.append("  (f: filter, g: show the file; the text pane has each row whole)", style="dim")
        head.update(summary)
        self._fill("")

    def _is_gpl(self, comp: Component) -> bool:
        return comp.gpl or comp.name in self.gpl

    def _fill(self, query: str) -> None:
        table = self.query_one(DataTable)
        table.clear()
        q = query.lower()
        self.shown = [i for i, c in enumerate(self.components)
                      if not q or any(q in x.lower() for x in (c.name, *c.licenses, *c.files))]
        for i in self.shown:
            comp = self.components[i]
            spdx = ", ".join(comp.licenses) if comp.licenses else ("public domain" if comp.public_domain else "?")
            flag = Text("GPL", style="bold reverse red") if self._is_gpl(comp) else Text("")
            table.add_row(flag, _cell(comp.name, 24), _cell(spdx, 30), key=str(i))
        if self.shown:
            self.show_text(self.shown[0])
        else:
            self.query_one("#lic-text", Static).update(Text(f"no component matches {visible(query)!r}", style="bold"))

    @on(DataTable.RowHighlighted)
    def _row(self, event: DataTable.RowHighlighted) -> None:
        if event.row_key is not None and event.row_key.value is not None:
            self.show_text(int(event.row_key.value))

    def show_text(self, i: int) -> None:
        comp = self.components[i]
        files = list(comp.files)
        target = self.query_one("#lic-text", Static)
        # the row whole (the table cuts long names and id lists, with an ellipsis)
        header = Text(f"{visible(comp.name)}\n", style="bold")
        header.append(f"SPDX: {visible(', '.join(comp.licenses) or '?')}\n")
        evidence = self.gpl.get(comp.name)
        if evidence:
            header.append(f"GPL: {visible(evidence)}\n", style="bold red")
        if comp.declared and comp.declared != comp.licenses:
            header.append(f"declared: {visible(', '.join(comp.declared))}\n", style="dim")
        if comp.detected:
            header.append(f"identified from the text: {visible(', '.join(comp.detected))}\n", style="dim")
        if files:
            header.append("files: " + visible(", ".join(files)) + "\n\n", style="dim")
        if not files:
            target.update(header + Text("No licence text in the archive for this component.", style="italic"))
            return
        body = self._texts.get(i)
        if body is not None:
            self._show(header + body)
            return
        target.update(header + Text("reading…", style="italic dim"))
        self._unread = (i, files, header)
        if self.is_on_screen:  # (else when the pane is shown: reading may mean a pass over the archive)
            self._read_unread()

    def on_show(self) -> None:
        self._read_unread()

    def _read_unread(self) -> None:
        if self._unread is not None:
            i, files, header = self._unread
            self._unread = None
            self._read_texts(i, files, header)

    def _show(self, text: Text) -> None:
        text.no_wrap = True  # licence texts keep their own line breaks (the pane scrolls sideways)
        self.query_one("#lic-text", Static).update(text)

    def _keep(self, i: int, body: Text, header: Text) -> None:
        self._texts[i] = body
        if self._shown_component() == i:
            self._show(header + body)

    def _shown_component(self) -> int | None:
        table = self.query_one(DataTable)
        row = table.cursor_row
        return self.shown[row] if self.shown and row is not None and 0 <= row < len(self.shown) else None

    @work(thread=True, exclusive=True, group="licence-text", exit_on_error=False,
          description="reading licence texts")
    def _read_texts(self, i: int, files: list[str], header: Text) -> None:
        """Read up to three licence files, kept for the next time the component is shown (a
        newer selection cancels this one)."""
        try:
            chunks = [self.source.read(f, limit=TEXT_LIMIT).decode("utf-8", errors="replace") for f in files[:3]]
            body = Text(visible("\n\n".join(chunks), keep="\n\t"), no_wrap=True)
        except Exception as exc:
            body = Text(f"Cannot read: {visible(str(getattr(exc, 'message', exc)))}", style="red")
            if not get_current_worker().is_cancelled:
                self.app.call_from_thread(self._show, header + body)
            return
        self.app.call_from_thread(self._keep, i, body, header)

    def action_goto_member(self) -> None:
        table = self.query_one(DataTable)
        if not self.shown or table.cursor_row is None or table.cursor_row >= len(self.shown):
            return
        files = self.components[self.shown[table.cursor_row]].files
        if files:
            self.post_message(GotoMember(files[0]))

    def action_filter(self) -> None:
        self.query_one(FilterBox).open()

    def action_clear_filter(self) -> None:
        self.query_one(FilterBox).clear()


def _cell(text: str, width: int) -> Text:
    """A table cell at most ``width`` wide, with an ellipsis when cut (the text pane has it whole)."""
    shown = visible(text)
    return Text(shown if len(shown) <= width else shown[:width - 1] + "…")
