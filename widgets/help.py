"""F1: every key binding, grouped by where it applies."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

GENERAL = [
    ("arrows / j k", "move (trees and lists)", "navigation"),
    ("enter / space", "open a folder, select", "navigation"),
    ("shift+arrows", "to parent / sibling in trees", "navigation"),
    ("home / end, pgup / pgdn", "scroll", "navigation"),
    ("mouse", "click tabs, rows, scroll", "navigation"),
]


class HelpScreen(ModalScreen[None]):
    """All bindings; Esc, q or F1 closes it."""

    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > VerticalScroll { width: 76; max-width: 100%; height: 90%; border: round $accent;
                                  background: $surface; padding: 0 1; }
    """
    BINDINGS = [Binding("escape,q,f1,question_mark", "close", "Close")]

    def __init__(self, rows: list[tuple[str, str, str]]) -> None:
        super().__init__()
        self.rows = rows

    def compose(self) -> ComposeResult:
        table = Table(box=None, padding=(0, 1), expand=True, show_header=True, header_style="bold")
        table.add_column("key", style="bold cyan", no_wrap=True)
        table.add_column("does")
        table.add_column("where", style="dim")
        for key, what, where in [*self.rows, *GENERAL]:
            table.add_row(key, what, where)
        with VerticalScroll() as scroll:
            scroll.border_title = "distscope keys (Esc closes)"
            yield Static(Text("distscope browses a Python distribution archive without extracting it.\n",
                              style="italic"))
            yield Static(table)

    def action_close(self) -> None:
        self.dismiss(None)
