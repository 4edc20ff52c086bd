"""The Diff screen: what changed from an OLD archive to the one the app has open (NEW), one tab
per category (Summary, Python, Components, Requirements, Findings, Licences, Members); ``g`` goes
to the selected row's member in the Files pane. The diff is computed in a Textual worker, from
the index cache when both archives are in it."""

from __future__ import annotations

import os

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Static, TabbedContent, TabPane
from textual.worker import get_current_worker

from distscope.widgets.keyline import KeyLine
from distscope.tui.safetext import visible
from distscope.widgets.common import GotoMember

#: (tab id, title) of each category, in the order a reviewer reads them
TABS = [("summary", "Summary"), ("python", "Python"), ("components", "Components"),
        ("requirements", "Requirements"), ("findings", "Findings"), ("licences", "Licences"),
        ("members", "Members")]
_STYLE = {"+": "green", "-": "red", "~": "yellow"}
#: Rows drawn per tab at most (a diff of two 60,000-member archives may list them all; the
#: command line's ``--members`` and JSON have every one).
MAX_ROWS = 5000
#: Column widths: longer text keeps its end (a path's file name) behind an ellipsis.
WHAT_WIDTH, OLD_WIDTH = 44, 16


def fit(text: str, width: int) -> str:
    """``text`` made visible, at most ``width`` columns: its end kept."""
    text = visible(text)
    return text if len(text) <= width else "…" + text[-(width - 1):]


class DiffReady(Message):
    """The worker's result: the diff, or the one-line reason there is none."""

    def __init__(self, diff, error: str | None = None) -> None:
        super().__init__()
        self.diff = diff
        self.error = error


class DiffScreen(Screen):
    """Browse the differences between ``old`` and ``new``, category by category."""

    DEFAULT_CSS = """
    DiffScreen #diff-head { height: auto; max-height: 4; padding: 0 1; }
    DiffScreen TabbedContent { height: 1fr; }
    DiffScreen DataTable { height: 1fr; }
    """
    BINDINGS = [
        Binding("g", "goto_member", "Go to member"),
        Binding("escape", "close", "Back"),
        Binding("D", "close", "Back", show=False),
        *[Binding(str(i + 1), f"tab('{tid}')", title, show=False) for i, (tid, title) in enumerate(TABS)],
    ]

    def __init__(self, old: str, new: str, *, use_cache: bool = True, new_index=None) -> None:
        """``new_index``: the app's own analysed index of ``new``, so that it is not opened again."""
        super().__init__()
        self.old, self.new, self.use_cache = old, new, use_cache
        self.new_index = new_index
        self.diff = None
        self.rows: dict[str, list] = {}

    def compose(self) -> ComposeResult:
        yield Static(Text(f"Comparing {visible(os.path.basename(self.old))} -> "
                          f"{visible(os.path.basename(self.new))}…", style="italic"), id="diff-head")
        with TabbedContent(id="diff-tabs", initial="diff-summary"):
            for i, (tid, title) in enumerate(TABS):
                with TabPane(title, id=f"diff-{tid}"):
                    yield DataTable(cursor_type="row", zebra_stripes=True, id=f"diff-table-{tid}")
        yield KeyLine()

    def on_mount(self) -> None:
        for tid, _ in TABS:
            table = self.query_one(f"#diff-table-{tid}", DataTable)
            table.add_column("", width=1)
            table.add_column("what", width=WHAT_WIDTH)
            table.add_column("old", width=OLD_WIDTH)
            table.add_column("new")
        self.compute()

    @work(thread=True, exclusive=True, group="diff")
    def compute(self) -> None:
        """Both sides (from the cache when fresh), then the diff; posts :class:`DiffReady`."""
        from distscope.tui.diff.compare import compare
        from distscope.tui.diff.load import analyse, from_index
        from distscope.tui.errors import DistscopeError

        try:
            old = analyse(self.old, use_cache=self.use_cache)
            new = (from_index(self.new_index) if self.new_index is not None
                   else analyse(self.new, use_cache=self.use_cache))
            if get_current_worker().is_cancelled:
                return
            self.post_message(DiffReady(compare(old, new)))
        except DistscopeError as exc:
            self.post_message(DiffReady(None, exc.message))
        except Exception as exc:  # a bug shows as a message, not a dead screen
            self.post_message(DiffReady(None, f"{type(exc).__name__}: {exc}"))

    def on_diff_ready(self, message: DiffReady) -> None:
        head = self.query_one("#diff-head", Static)
        if message.diff is None:
            head.update(Text(f"No diff: {visible(message.error or '')}", style="bold red"))
            return
        from distscope.tui.diff.render import category_rows

        self.diff = message.diff
        d = message.diff
        def side(s) -> str:
            return f"{os.path.basename(s.path)} ({s.python_version or '?'}, {s.target_triple or '?'})"

        head.update(Text(visible(f"old {side(d.old)}" + ("  · met by role" if d.by_role else "")
                                 + f"\nnew {side(d.new)}", keep="\n")))
        every = category_rows(d)
        self.rows = {tid: rows[:MAX_ROWS] for tid, rows in every.items()}
        cut = {tid: len(rows) - MAX_ROWS for tid, rows in every.items() if len(rows) > MAX_ROWS}
        differs = set(d.differs())
        tabs = self.query_one("#diff-tabs", TabbedContent)
        for tid, title in TABS:
            table = self.query_one(f"#diff-table-{tid}", DataTable)
            rows = self.rows.get(tid, [])
            for n, row in enumerate(rows):
                mark = Text(row.mark, style=_STYLE.get(row.mark, ""))
                table.add_row(mark, fit(row.what, WHAT_WIDTH), fit(row.old, OLD_WIDTH), visible(row.new),
                              key=f"{tid}:{n}")
            if tid in cut:
                table.add_row("", f"… {cut[tid]:,} more rows", "", "distscope diff --members lists every one")
            if tid != "summary":
                m = d.members
                n = m.added + m.removed + m.changed if tid == "members" else len(rows)
                count = f" {n:,}" if tid in differs else ""
                tabs.get_tab(f"diff-{tid}").label = f"{title}{count}"
        self.query_one("#diff-table-summary", DataTable).focus()

    def _current(self):
        tid = (self.query_one("#diff-tabs", TabbedContent).active or "diff-summary").removeprefix("diff-")
        table = self.query_one(f"#diff-table-{tid}", DataTable)
        rows = self.rows.get(tid) or []
        if not rows or table.cursor_row < 0 or table.cursor_row >= len(rows):
            return None
        return rows[table.cursor_row]

    def action_goto_member(self) -> None:
        row = self._current()
        if row is None or not row.path:
            self.notify("This row names no member.", severity="warning")
            return
        app = self.app
        tree = getattr(app, "tree_model", None)
        if tree is not None and tree.get(row.path) is None:
            self.notify(f"{visible(row.path)} is only in the old archive ({visible(os.path.basename(self.old))}).",
                        severity="warning")
            return
        self.dismiss()
        app.post_message(GotoMember(row.path))

    def on_tabbed_content_tab_activated(self, event: TabbedContent.TabActivated) -> None:
        event.stop()  # (the app's own tabs listen for this message; these are the screen's)
        tid = (event.pane.id or "diff-summary").removeprefix("diff-")
        self.query_one(f"#diff-table-{tid}", DataTable).focus()

    def action_tab(self, tid: str) -> None:
        self.query_one("#diff-tabs", TabbedContent).active = f"diff-{tid}"
        self.query_one(f"#diff-table-{tid}", DataTable).focus()

    def action_close(self) -> None:
        self.workers.cancel_group(self, "diff")
        self.dismiss()
