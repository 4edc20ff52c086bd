"""Pane 5: licence components with SPDX ids and GPL flags, and the text of the selected one."""

from __future__ import annotations

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, ScrollableContainer, Vertical
from textual.widgets import DataTable, Static
from textual.worker import get_current_worker

from distscope.tui.safetext import visible

from distscope.widgets.common import GotoMember, MemberSource, error_text, missing_text, pending_text, waiting_text

TEXT_LIMIT = 512 << 10


def _gpl_names(gpl) -> dict[str, str]:
    """{component name: evidence} from the report's ``gpl`` list (names or dicts)."""
    out: dict[str, str] = {}
    for item in gpl or []:
        if isinstance(item, dict):
            name = str(item.get("name") or item.get("component") or "?")
            ev = item.get("evidence") or item.get("reason") or ""
            ev = ", ".join(map(str, ev)) if isinstance(ev, list) else str(ev)
            out[name] = "; ".join(x for x in (out.get(name), ev) if x)
        else:
            out[str(item)] = ""
    return out


def is_gpl(component: dict, gpl: dict[str, str]) -> bool:
    if component.get("gpl") or str(component.get("name")) in gpl:
        return True
    return any("GPL" in str(x) and "LGPL" not in str(x) for x in component.get("licenses") or [])


class LicencesPane(Vertical):
    """The components table and the licence text of the selected row."""

    DEFAULT_CSS = """
    LicencesPane > #lic-head { height: auto; max-height: 4; padding: 0 1; }
    LicencesPane > Horizontal { height: 1fr; }
    LicencesPane DataTable { width: 1fr; min-width: 30; }
    LicencesPane #lic-text-scroll { width: 1fr; border-left: solid $primary-muted; padding: 0 1; }
    LicencesPane #lic-text { width: auto; }
    """
    BINDINGS = [Binding("g", "goto_member", "Show file in Files", show=False)]

    def __init__(self, source: MemberSource, **kwargs) -> None:
        super().__init__(**kwargs)
        self.source = source
        self.components: list[dict] = []
        self.texts: dict = {}
        self.gpl: dict[str, str] = {}

    def compose(self) -> ComposeResult:
        yield Static(waiting_text("the licences", plural=True), id="lic-head")
        with Horizontal():
            yield DataTable(cursor_type="row", zebra_stripes=True, id="lic-table")
            with ScrollableContainer(id="lic-text-scroll", can_focus=True):
                yield Static("", id="lic-text")

    def on_mount(self) -> None:
        self.query_one(DataTable).add_columns("component", "SPDX", "GPL")

    def focus_main(self) -> None:
        self.query_one(DataTable).focus()

    def set_pending(self, stage: str) -> None:
        self.query_one("#lic-head", Static).update(pending_text(stage, "the licences", plural=True))

    def show_error(self, message: str) -> None:
        self.query_one("#lic-head", Static).update(error_text(message))

    def set_report(self, report: dict) -> None:
        lic = report.get("licenses")
        head = self.query_one("#lic-head", Static)
        if not isinstance(lic, dict):
            head.update(missing_text("the licences"))
            return
        gpl = self.gpl = _gpl_names(lic.get("gpl"))
        self.components = [c for c in lic.get("components") or [] if isinstance(c, dict)]
        self.texts = lic.get("texts") if isinstance(lic.get("texts"), dict) else {}
        summary = Text(f"{len(self.components)} components. ")
        if gpl:
            summary.append("GPL-licensed: ", style="bold red")
            summary.append(", ".join(gpl), style="red")
            summary.append(" (evidence with the component)", style="dim")
        else:
            summary.append("Not GPL-encumbered: no GPL-licensed component found.", style="green")
        head.update(summary)
        table = self.query_one(DataTable)
        table.clear()
        order = sorted(range(len(self.components)),
                       key=lambda i: (not is_gpl(self.components[i], gpl), str(self.components[i].get("name"))))
        self.components = [self.components[i] for i in order]
        for i, comp in enumerate(self.components):
            ids = comp.get("licenses") or []
            spdx = ", ".join(map(str, ids)) if ids else ("public domain" if comp.get("public_domain") else "?")
            flag = Text("GPL", style="bold red") if is_gpl(comp, gpl) else Text("")
            table.add_row(str(comp.get("name")), spdx, flag, key=str(i))
        if self.components:
            self.show_text(0)

    @on(DataTable.RowHighlighted)
    def _row(self, event: DataTable.RowHighlighted) -> None:
        if event.row_key is not None and event.row_key.value is not None:
            self.show_text(int(event.row_key.value))

    def show_text(self, i: int) -> None:
        comp = self.components[i]
        files = [str(f) for f in comp.get("files") or []]
        target = self.query_one("#lic-text", Static)
        header = Text(f"{comp.get('name')}\n", style="bold")
        evidence = self.gpl.get(str(comp.get("name")))
        if evidence:
            header.append(f"GPL: {evidence}\n", style="red")
        detected = comp.get("detected")
        if detected:
            header.append(f"identified from the text: {', '.join(map(str, detected))}\n", style="dim")
        if files:
            header.append("files: " + ", ".join(files) + "\n\n", style="dim")
        inline = comp.get("text") or next((self.texts.get(f) for f in files if self.texts.get(f)), None)
        if inline:
            target.update(header + Text(visible(str(inline), keep="\n\t"), no_wrap=True))
            return
        if not files:
            target.update(header + Text("No licence text in the archive for this component.", style="italic dim"))
            return
        target.update(header + Text("reading…", style="italic dim"))
        self._read_texts(files, header)

    @work(thread=True, exclusive=True, group="licence-text", exit_on_error=False)
    def _read_texts(self, files: list[str], header: Text) -> None:
        """Read up to three licence files (a newer selection cancels this one)."""
        target = self.query_one("#lic-text", Static)
        try:
            chunks = [self.source.read(f, limit=TEXT_LIMIT).decode("utf-8", errors="replace") for f in files[:3]]
            body = Text(visible("\n\n".join(chunks), keep="\n\t"), no_wrap=True)
        except Exception as exc:
            body = Text(f"Cannot read: {visible(str(getattr(exc, 'message', exc)))}", style="red")
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(target.update, header + body)

    def action_goto_member(self) -> None:
        table = self.query_one(DataTable)
        if not self.components or table.cursor_row is None:
            return
        files = self.components[table.cursor_row].get("files") or []
        if files:
            self.post_message(GotoMember(str(files[0])))
