"""The one-line status bar: archive name, a progress bar of bytes read, members so far."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Label, ProgressBar

from distscope.tui.archive.tree import human_size
from distscope.tui.safetext import visible


class StatusBar(Horizontal):
    """Shows the indexing progress, then the archive's totals (or the error)."""

    DEFAULT_CSS = """
    StatusBar { height: 1; background: $panel; }
    StatusBar > #status-title { width: auto; max-width: 45%; padding: 0 1; text-style: bold;
                                text-wrap: nowrap; text-overflow: ellipsis; }
    StatusBar > ProgressBar { width: auto; padding: 0 1 0 0; }
    StatusBar > ProgressBar Bar { width: 20; }
    StatusBar > #status-text { width: 1fr; color: $text-muted; text-wrap: nowrap; text-overflow: ellipsis; }
    StatusBar.-error > #status-text { color: $error; text-style: bold; }
    StatusBar > #status-work { width: auto; padding: 0 1; text-style: bold; }
    """

    def __init__(self, title: str, **kwargs) -> None:
        super().__init__(**kwargs)
        self._title = title

    def compose(self) -> ComposeResult:
        yield Label(visible(self._title), id="status-title")
        yield ProgressBar(total=None, show_eta=False, id="status-bar")
        yield Label("opening…", id="status-text")
        yield Label("", id="status-work")

    def show_work(self, running: list[str]) -> None:
        """Background work in progress (keys keep working meanwhile)."""
        for label in self.query("#status-work").results(Label):
            label.update(f"⟳ {', '.join(running)}" if running else "")

    def show_progress(self, progress, tree) -> None:
        bar = self.query_one(ProgressBar)
        bar.update(total=max(progress.compressed_total, 1), progress=progress.compressed_read)
        self.query_one("#status-text", Label).update(
            f"indexing: {progress.total_members:,} members, "
            f"{human_size(progress.compressed_read)} of {human_size(progress.compressed_total)} read, "
            f"{human_size(progress.uncompressed_read)} unpacked")

    def show_done(self, index, tree) -> None:
        bar = self.query_one(ProgressBar)
        bar.update(total=1, progress=1)
        bar.display = False
        state = "" if index.complete else f"  INCOMPLETE: {index.error}"
        if index.error == "cancelled":
            state = "  (cancelled)"
        self.query_one("#status-text", Label).update(
            f"{len(index.members):,} tar members, {human_size(tree.root.size)} in files, "
            f"{index.compression} {human_size(index.compressed_size)}{state}")
        self.set_class(not index.complete, "-error")

    def show_error(self, message: str) -> None:
        self.query_one(ProgressBar).display = False
        self.query_one("#status-text", Label).update(f"error: {message}")
        self.add_class("-error")
