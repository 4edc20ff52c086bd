"""The distscope Textual app: five panes over one archive, fed by an index thread."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path
from typing import Any, Callable, Iterable

from textual import events
from textual.app import App, ComposeResult, SystemCommand
from textual.binding import Binding
from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.message import Message
from textual.widgets import Footer, TabbedContent, TabPane

from distscope.widgets.dependencies import DependenciesPane
from distscope.widgets.files import FilesPane
from distscope.widgets.help import HelpScreen
from distscope.widgets.components import ComponentsPane
from distscope.widgets.licences import LicencesPane
from distscope.widgets.requirements import RequirementsPane
from distscope.widgets.status import StatusBar
from distscope.widgets.summary import SummaryPane

#: Seconds between UI updates from the index thread while it streams.
UI_BEAT = 0.25
#: Seconds the index pass yields to the UI after each key press or click.
UI_PRIORITY = 0.3
PANES = [("summary", "Summary"), ("files", "Files"), ("dependencies", "Dependencies"),
         ("requirements", "Requirements"), ("licences", "Licences"), ("components", "Components")]


class IndexWake(Message):
    """New members (or the end of the pass) are waiting in the app's inbox."""


class IndexFailed(Message):
    def __init__(self, message: str) -> None:
        super().__init__()
        self.message = message


class ReportReady(Message):
    def __init__(self, report: dict | None, error: str | None = None) -> None:
        super().__init__()
        self.report = report
        self.error = error


class Background(Message):
    """A callback to run on the UI thread with the result of background work."""

    def __init__(self, callback: Callable[..., None], result: Any, error: BaseException | None) -> None:
        super().__init__()
        self.callback = callback
        self.result = result
        self.error = error


class MemberCommands(Provider):
    """Ctrl+P: go to a member by (part of) its path."""

    async def search(self, query: str) -> Hits:
        app = self.app
        if not isinstance(app, DistscopeApp) or len(query) < 2:
            return
        matcher = self.matcher(query)
        low = query.lower()
        hits = 0
        for path in list(app.tree_model.nodes):
            name = path.rpartition("/")[2].lower()
            if low in name or low in path.lower():
                score = matcher.match(path) or 0.1
                yield Hit(score, matcher.highlight(f"Go to {path}"), _goto(app, path), help="show in Files")
                hits += 1
                if hits >= 40:
                    break

    async def discover(self) -> Hits:
        yield DiscoveryHit("Go to member…", lambda: None, help="type part of a member path")


def _goto(app: "DistscopeApp", path: str) -> Callable[[], None]:
    return lambda: app.goto_member(path)


class DistscopeApp(App):
    """Browse a standalone Python distribution without extracting it."""

    CSS_PATH = str(Path(__file__).with_name("app.tcss"))
    TITLE = "distscope"
    COMMANDS = App.COMMANDS | {MemberCommands}
    ENABLE_COMMAND_PALETTE = True
    BINDINGS = [
        *[Binding(str(i + 1), f"pane('{pid}')", title, show=False) for i, (pid, title) in enumerate(PANES)],
        Binding("q", "quit", "Quit"),
        Binding("ctrl+c", "quit", "Quit", show=False, priority=True),
        Binding("f1", "help", "Help"),
        Binding("question_mark", "help", "Help", show=False),
    ]

    def __init__(self, archive: str | os.PathLike, *, use_cache: bool = True, title: str | None = None) -> None:
        super().__init__()
        from distscope.tui.archive.tree import TreeModel

        self.archive = os.fspath(archive)
        self.use_cache = use_cache
        self.sub_title = title or os.path.basename(self.archive)
        self.tree_model = TreeModel()
        self.index = None  #: the ArchiveIndex once the pass has finished
        self.report: dict | None = None
        self.report_model: Any = None  #: the typed Report (the panes get its plain data, report)
        self.error: str | None = None
        self.cancel = threading.Event()
        self._inbox: list = []
        self._last_progress = None
        self._inbox_lock = threading.Lock()
        self._woken = False
        self._drained = False
        self._ui_busy_until = 0.0
        self._reader = None

    # -- layout -------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield StatusBar(self.sub_title, id="status")
        with TabbedContent(id="panes", initial="summary"):
            with TabPane("1 Summary", id="summary"):
                yield SummaryPane(id="summary-pane")
            with TabPane("2 Files", id="files"):
                yield FilesPane(self.tree_model, id="files-pane")
            with TabPane("3 Dependencies", id="dependencies"):
                yield DependenciesPane(id="dependencies-pane")
            with TabPane("4 Requirements", id="requirements"):
                yield RequirementsPane(id="requirements-pane")
            with TabPane("5 Licences", id="licences"):
                yield LicencesPane(id="licences-pane")
            with TabPane("6 Components", id="components"):
                yield ComponentsPane(id="components-pane")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self._beat_timer = self.set_interval(UI_BEAT, self._beat)
        threading.Thread(target=self._load, name="distscope-index", daemon=True).start()

    # -- the index thread -----------------------------------------------------------------
    def _load(self) -> None:
        from distscope.tui.errors import DistscopeError
        from distscope.tui.session import open_index

        try:
            index = open_index(self.archive, use_cache=self.use_cache, on_progress=self._on_progress,
                               cancel=self.cancel)
        except DistscopeError as exc:
            self.post_message(IndexFailed(exc.message))
            return
        except Exception as exc:  # a bug must show as a message, not kill the UI
            self.post_message(IndexFailed(f"{type(exc).__name__}: {exc}"))
            return
        with self._inbox_lock:
            self._inbox.append(index)
        self._wake()
        if self.cancel.is_set():
            return
        try:
            from distscope.tui.report import to_contract
            from distscope.tui.session import build_report

            # The panes read the JSON contract's plain data until they render the typed model.
            self.report_model = build_report(index)
            report, error = to_contract(self.report_model), None
        except Exception as exc:
            report, error = None, f"{type(exc).__name__}: {exc}"
        self.post_message(ReportReady(report, error))

    def _on_progress(self, progress) -> None:
        # The user comes first: while keys or clicks are being handled, the pass waits a moment
        # (the pass and the UI share one interpreter lock).
        while time.monotonic() < self._ui_busy_until and not self.cancel.is_set():
            time.sleep(0.01)
        with self._inbox_lock:
            self._inbox.append(progress)
            first = not self._drained
        if first or progress.done:
            self._wake()  # the first rows at once; later batches on the UI's own beat (_beat)

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, (events.Key, events.MouseDown, events.MouseScrollDown, events.MouseScrollUp)):
            self._ui_busy_until = time.monotonic() + UI_PRIORITY
        await super().on_event(event)

    def _beat(self) -> None:
        """Take in what the index thread queued, a few times a second (fewer, larger UI updates
        keep keys responsive while a big archive streams by)."""
        if self._inbox:
            self.on_index_wake(None)

    def _wake(self) -> None:
        with self._inbox_lock:
            if self._woken:
                return
            self._woken = True
        self.post_message(IndexWake())

    def on_index_wake(self, _: IndexWake | None) -> None:
        with self._inbox_lock:
            items, self._inbox, self._woken = self._inbox, [], False
            self._drained = True
        if not items:
            return
        members: list = []
        index = None
        for item in items:
            if hasattr(item, "members") and hasattr(item, "total_members"):
                members.extend(item.members)
                self._last_progress = item
            else:
                index = item
        files = self.query_one(FilesPane)
        if members:
            files.add_members(members)
        status = self.query_one(StatusBar)
        if self._last_progress is not None:
            status.show_progress(self._last_progress, self.tree_model)
            self.query_one(SummaryPane).show_progress(self._last_progress, self.tree_model)
        if index is not None:
            self._beat_timer.stop()
            self.index = index
            if index.members and len(self.tree_model) == 0:
                files.add_members(index.members)  # a cache hit without progress batches
            status.show_done(index, self.tree_model)
            files.index_done(index)
            self.query_one(SummaryPane).index_done(index)
            for pane in self._report_panes():
                pane.set_pending("analysing")
            if index.error and index.error != "cancelled":
                self.notify(index.error, title="Archive incomplete", severity="warning", timeout=10)

    def on_index_failed(self, message: IndexFailed) -> None:
        self.error = message.message
        self.query_one(StatusBar).show_error(message.message)
        self.query_one(SummaryPane).show_error(message.message)
        self.query_one(FilesPane).show_error(message.message)
        for pane in self._report_panes():
            pane.show_error(message.message)
        self.notify(message.message, title="Cannot open archive", severity="error", timeout=15)

    def on_report_ready(self, message: ReportReady) -> None:
        self.report = message.report
        if message.report is None:
            for pane in self._report_panes():
                pane.show_error(f"analysis failed: {message.error}")
            self.query_one(SummaryPane).show_error(f"analysis failed: {message.error}")
            return
        self.query_one(SummaryPane).set_report(message.report)
        for pane in self._report_panes():
            pane.set_report(message.report)
        self.query_one(FilesPane).set_report(message.report)

    def _report_panes(self) -> list:
        return [self.query_one(DependenciesPane), self.query_one(RequirementsPane), self.query_one(LicencesPane),
                self.query_one(ComponentsPane)]

    # -- background work ------------------------------------------------------------------
    def background(self, work: Callable[[], Any], callback: Callable[[Any, BaseException | None], None]) -> None:
        """Run ``work`` on a daemon thread; ``callback(result, error)`` runs on the UI thread."""

        def run() -> None:
            try:
                result, error = work(), None
            except BaseException as exc:  # noqa: BLE001 - handed to the callback
                result, error = None, exc
            self.post_message(Background(callback, result, error))

        threading.Thread(target=run, name="distscope-work", daemon=True).start()

    def on_background(self, message: Background) -> None:
        # Shutting down (Textual clears ``_running`` before it removes the widgets): the widgets
        # the callback would update are going or gone, so there is nothing to update.
        if not self.screen_stack or not getattr(self, "_running", True):
            return
        message.callback(message.result, message.error)

    def read_member(self, path: str, limit: int | None = None) -> bytes:
        """The bytes of a member (following links); call from a worker thread."""
        if self.index is not None:
            if self._reader is None:
                try:
                    from distscope.tui.archive.reader import MemberReader
                except ImportError:
                    MemberReader = None  # noqa: N806
                self._reader = MemberReader(self.index, use_cache=self.use_cache) if MemberReader else False
            if self._reader:
                return self._reader.read(path, limit=limit)
        return _stream_read(self.archive, self.tree_model, path, limit)

    # -- actions ----------------------------------------------------------------------------
    def action_pane(self, pane: str) -> None:
        self.query_one("#panes", TabbedContent).active = pane
        self._focus_pane(pane)

    def _focus_pane(self, pane: str) -> None:
        if self.query_one("#panes", TabbedContent).active != pane:
            return  # a stale request: another pane was chosen meanwhile
        widget = self.query_one(f"#{pane}-pane")
        focus = getattr(widget, "focus_main", None)
        if focus:
            focus()

    def on_tabbed_content_tab_activated(self, event: TabbedContent.TabActivated) -> None:
        self._focus_pane(event.pane.id or "summary")

    def action_help(self) -> None:
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self._all_bindings()))

    def action_quit(self) -> None:
        self.cancel.set()
        self.exit()

    def on_components_pane_go_to_evidence(self, message: ComponentsPane.GoToEvidence) -> None:
        self.goto_member(message.path)

    def goto_member(self, path: str) -> None:
        self.action_pane("files")
        self.query_one(FilesPane).select_path(path)

    def action_export_report(self, fmt: str = "json") -> None:
        if self.report is None:
            self.notify("The report is not ready yet: the archive is still being analysed.", severity="warning")
            return
        from distscope.tui import session as rp

        render = {"json": rp.to_json, "markdown": rp.to_markdown, "text": rp.to_text}[fmt]
        ext = {"json": "json", "markdown": "md", "text": "txt"}[fmt]
        name = Path(self.archive).name.split(".tar")[0] + f".report.{ext}"
        import io

        text = io.StringIO(render(self.report_model))
        self.deliver_text(text, save_directory=os.getcwd(), save_filename=name)
        self.notify(f"Report saved: {name}" if not self.is_web else f"Report: {name}")

    def action_save_screenshot_here(self) -> None:
        path = self.save_screenshot(path=os.getcwd())
        self.notify(f"Screenshot saved: {path}")

    def get_system_commands(self, screen) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        for i, (pid, title) in enumerate(PANES):
            yield SystemCommand(f"Pane: {title}", f"switch to the {title} pane (key {i + 1})",
                                lambda pid=pid: self.action_pane(pid))
        for fmt in ("json", "markdown", "text"):
            yield SystemCommand(f"Export report ({fmt})", f"save the full report as {fmt} in the current folder",
                                lambda fmt=fmt: self.action_export_report(fmt))
        yield SystemCommand("Save screenshot", "save an SVG screenshot in the current folder",
                            self.action_save_screenshot_here)
        yield SystemCommand("Help", "all key bindings (F1)", self.action_help)

    def _all_bindings(self) -> list[tuple[str, str, str]]:
        rows = [("1-6", "switch pane", "global"), ("q / ctrl+c", "quit (also while indexing)", "global"),
                ("F1 / ?", "this help", "global"), ("ctrl+p", "command palette: go to member, panes, export,"
                                                             " screenshot", "global"),
                ("tab / shift+tab", "move focus", "global")]
        for pane in (FilesPane, DependenciesPane, LicencesPane, ComponentsPane):
            for b in pane.BINDINGS:
                if isinstance(b, Binding):
                    rows.append((b.key.replace("slash", "/").replace("escape", "esc"), b.description,
                                 pane.__name__.replace("Pane", "")))
        return rows


def _stream_read(archive: str, tree, path: str, limit: int | None) -> bytes:
    """Read a member by streaming the archive up to it (used while the index is incomplete)."""
    from distscope.tui.archive.compression import OpenedArchive
    from distscope.tui.archive.members import FILE, HARDLINK, SYMLINK
    from distscope.tui.errors import MemberNotFound

    seen = 0
    node = tree.get(path)
    while node is not None and node.member is not None and node.member.type in (SYMLINK, HARDLINK) and seen < 40:
        seen += 1
        link = node.member.linkname
        target = link if node.member.type == HARDLINK else os.path.normpath(
            os.path.join(path.rpartition("/")[0], link)).lstrip("./")
        path, node = target, tree.get(target)
    if node is None or node.member is None or node.member.type != FILE:
        raise MemberNotFound(f"{path}: not a file in the archive")
    member = node.member
    want = member.size if limit is None else min(limit, member.size)
    opened = OpenedArchive(archive, hash_bytes=False, threaded=False)
    try:
        stream = opened.stream
        pos = 0
        while pos < member.data_offset:
            chunk = stream.read(min(1 << 20, member.data_offset - pos))
            if not chunk:
                raise MemberNotFound(f"{path}: archive ended before the member")
            pos += len(chunk)
        out = bytearray()
        while len(out) < want:
            chunk = stream.read(want - len(out))
            if not chunk:
                break
            out += chunk
        return bytes(out)
    finally:
        opened.close()
