"""The distscope Textual app: panes over one archive, fed by an index worker."""

from __future__ import annotations

import asyncio
import os
import signal
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterable

from rich.text import Text
from textual import events, work
from textual.app import App, ComposeResult, SystemCommand
from textual.binding import Binding
from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.filter import Monochrome
from textual.message import Message
from textual.widget import MountError, Widget
from textual.widgets import Static, TabbedContent, TabPane

from distscope.tui import gcpause
from distscope.tui.source import ArchiveSource
from distscope.widgets.common import GotoMember, ReadableMonochrome
from distscope.widgets.keyline import KeyLine
from distscope.widgets.status import StatusBar

if TYPE_CHECKING:  # (the panes are imported after the first paint: see DistscopeApp._open)
    from distscope.widgets.files import FilesPane
    from distscope.widgets.summary import SummaryPane

#: (id, title) of each pane, in key order; a pane added later (Components) goes here.
PANES = [("summary", "Summary"), ("files", "Files"), ("dependencies", "Dependencies"),
         ("requirements", "Requirements"), ("licences", "Licences"), ("components", "Components")]
#: Member paths the palette offers at most.
PALETTE_HITS = 40
#: Set by ``distscope serve`` for its sessions: its process id (a session ends when it is gone).
SERVE_PID = "DISTSCOPE_SERVE_PID"
#: Seconds without a key or a click after which a served session ends (DISTSCOPE_IDLE_TIMEOUT).
IDLE_TIMEOUT = 1800.0
#: Seconds between two updates of the panes while the pass runs (see DistscopeApp._show_progress).
PROGRESS_BEAT = 0.2
#: Seconds the report panes wait at most for the first rows before they are mounted.
FIRST_ROWS_WAIT = 0.5
#: Seconds between two looks at the running workers (for the status line).
WORK_CHECK = 0.5
#: Seconds between two looks at the session (served only).
SESSION_CHECK = 2.0


def _idle_timeout() -> float:
    try:
        return float(os.environ.get("DISTSCOPE_IDLE_TIMEOUT", IDLE_TIMEOUT))
    except ValueError:
        return IDLE_TIMEOUT


class IndexProgress(Message):
    """The pass has gone further; the new members wait in the app's arrival list. A newer one
    replaces an older one still in the queue (Textual's own coalescing), so a busy UI takes
    fewer, larger batches."""

    def __init__(self, progress: Any) -> None:
        super().__init__()
        self.progress = progress

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, IndexProgress)


class IndexDone(Message):
    def __init__(self, index: Any) -> None:
        super().__init__()
        self.index = index


class IndexFailed(Message):
    def __init__(self, message: str) -> None:
        super().__init__()
        self.message = message


class ReportReady(Message):
    """The analysis is done: the typed report, or an error."""

    def __init__(self, report: Any, error: str | None = None) -> None:
        super().__init__()
        self.report = report
        self.error = error


class _DaemonExecutor(ThreadPoolExecutor):
    """The event loop's default executor, which runs Textual's thread workers: each call on a
    daemon thread, and shutting down does not wait. Otherwise ``asyncio.run`` joins every worker
    at exit, so ``q`` would wait for a report over half a million members or a 5 GB save."""

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future:
        future: Future = Future()

        def run() -> None:
            if not future.set_running_or_notify_cancel():
                return
            try:
                result = fn(*args, **kwargs)
            except BaseException as exc:  # noqa: BLE001 - handed to the future
                future.set_exception(exc)
            else:
                future.set_result(result)

        threading.Thread(target=run, name="distscope-worker", daemon=True).start()
        return future

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        return None


class MemberCommands(Provider):
    """Ctrl+P: go to a member by (part of) its path, ranked like a file finder."""

    async def search(self, query: str) -> Hits:
        app = self.app
        if not isinstance(app, DistscopeApp) or len(query) < 2:
            return
        from distscope.tui.archive.tree import rank_paths

        matcher = self.matcher(query)
        ranked = rank_paths(list(app.tree_model.nodes), query, PALETTE_HITS)
        for i, path in enumerate(ranked):
            score = 1.0 - i / (len(ranked) + 1)  # keep the file finder's order
            yield Hit(score, matcher.highlight(f"Go to {path}"), _goto(app, path), help="show in Files")

    async def discover(self) -> Hits:
        yield DiscoveryHit("Go to member…", lambda: None, help="type part of a member path")


def _goto(app: "DistscopeApp", path: str) -> Callable[[], None]:
    def go() -> None:
        app.post_message(GotoMember(path))

    return go


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
        Binding("D", "diff", "Diff against…", show=False),
    ]

    def __init__(self, archive: str | os.PathLike, *, use_cache: bool = True, title: str | None = None,
                 compare_with: str | None = None) -> None:
        super().__init__()
        # NO_COLOR: Textual turns colours into greys, and red text into grey 237 on 233; keep the
        # greys but lift text that would vanish (the marks and words carry what colour did).
        self._filters = [ReadableMonochrome() if isinstance(f, Monochrome) else f for f in self._filters]
        #: an older archive to show the Diff screen against once this one is analysed
        self.compare_with = compare_with
        from distscope.tui.archive.tree import TreeModel

        self.archive = os.fspath(archive)
        self.use_cache = use_cache
        self.sub_title = title or os.path.basename(self.archive)
        self.tree_model = TreeModel()
        #: Clear while a key or a click is being answered: the index pass and the member reads'
        #: passes then wait (it is their ``gate``), as they share the interpreter lock with the UI.
        self.input_answered = threading.Event()
        self.input_answered.set()
        self.source = ArchiveSource(self.archive, use_cache=use_cache, gate=self.input_answered)
        self.index = None  #: the ArchiveIndex once the pass has finished
        self.report: Any = None  #: the typed report (distscope.tui.model.report.Report)
        self.error: str | None = None
        self.cancel = threading.Event()
        self._arrived: list = []  #: members the pass has sent (appended by the index worker)
        self._taken = 0  #: how many of them the panes have
        self._signals: list[int] = []
        self._last_input = time.monotonic()
        self._writing_cache = False  #: the index worker is writing the cache entry (status line)
        self._opened = False
        self._mounted: set[str] = set()  #: the panes mounted so far (after the first paint)
        self._waiting: list[Message] = []  #: the pass's messages that came before their panes
        self._first_rows = asyncio.Event()  #: set once the first rows are drawn (or the pass ended)
        self._progress: Any = None  #: the pass's latest Progress
        self._progress_at = 0.0  #: when the panes last showed it (monotonic)
        self._progress_due = False

    # -- layout -------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        """The shell only: the status line, the tabs and the footer are the first paint; the
        panes (and their imports, the model's among them) come right after it (:meth:`_open`)."""
        yield StatusBar(self.sub_title, id="status")
        with TabbedContent(id="panes", initial="summary"):
            for i, (pid, title) in enumerate(PANES):
                with TabPane(f"{i + 1} {title}", id=pid):
                    yield Static(Text("Opening the archive…", style="italic") if pid == "summary" else "",
                                 classes="pane-placeholder")
        yield KeyLine()

    def _make_pane(self, pid: str) -> Widget:
        """The pane ``pid``, its module imported now (after the first paint)."""
        if pid == "summary":
            from distscope.widgets.summary import SummaryPane

            return SummaryPane(self.source.find, id="summary-pane")
        if pid == "files":
            from distscope.widgets.files import FilesPane

            return FilesPane(self.tree_model, self.source, id="files-pane")
        if pid == "dependencies":
            from distscope.widgets.dependencies import DependenciesPane

            return DependenciesPane(self.source, id="dependencies-pane")
        if pid == "requirements":
            from distscope.widgets.requirements import RequirementsPane

            return RequirementsPane(id="requirements-pane")
        if pid == "licences":
            from distscope.widgets.licences import LicencesPane

            return LicencesPane(self.source, id="licences-pane")
        from distscope.widgets.components import ComponentsPane

        return ComponentsPane(id="components-pane")

    def on_mount(self) -> None:
        asyncio.get_running_loop().set_default_executor(_DaemonExecutor())
        self._restore_on_signals()
        self._work_shown: list[str] = []
        self.set_interval(WORK_CHECK, self._show_work)
        if self.is_web or os.environ.get(SERVE_PID):
            self.set_interval(SESSION_CHECK, self._watch_session)
        self.call_after_refresh(lambda: self.run_worker(self._open(), group="open", exit_on_error=False))

    async def _open(self) -> None:
        """After the first paint: start the pass (its imports and first batch overlap what
        follows), then mount the panes; what the pass sent meanwhile waits for them."""
        if self.cancel.is_set() or self._opened:
            return  # (quit before the first paint; or a subclass's on_mount called ours again)
        self._opened = True
        self._index_archive()
        await self._mount_panes()

    async def _mount_panes(self) -> None:
        """Summary and Files first (what the pass's batches feed); the report panes once the
        first rows are drawn (or after FIRST_ROWS_WAIT): mounting them meanwhile delayed the
        pass's start, which shares the interpreter lock with the UI."""
        for group in (("summary", "files"), ("dependencies", "requirements", "licences", "components")):
            if "summary" not in group:
                try:
                    await asyncio.wait_for(self._first_rows.wait(), FIRST_ROWS_WAIT)
                except asyncio.TimeoutError:
                    pass
            for pid in group:
                tab = self.query_one(f"#{pid}", TabPane)
                try:
                    await tab.mount(self._make_pane(pid))
                except MountError:  # the app is closing
                    return
                # (hidden, not removed: a removed widget's queue closes, and whoever waits for
                # every widget to answer, as Textual's pilot does, would wait forever)
                tab.query(".pane-placeholder").set(display=False)
            self._mounted.update(group)
            self._focus_pane(self.query_one("#panes", TabbedContent).active)
            waiting, self._waiting = self._waiting, []
            for message in waiting:
                self._handle_index_message(message)

    def _wait_for_panes(self, message: Message) -> bool:
        """True (and the message kept for later, in order) while the panes it needs are not
        mounted yet: a batch needs Summary and Files, the rest every pane."""
        needs = ("summary", "files") if isinstance(message, IndexProgress) else [pid for pid, _ in PANES]
        if self._waiting or not self._mounted.issuperset(needs):
            self._waiting.append(message)
            return True
        return False

    def _handle_index_message(self, message: Message) -> None:
        handler = {IndexProgress: self.on_index_progress, IndexDone: self.on_index_done,
                   IndexFailed: self.on_index_failed, ReportReady: self.on_report_ready}[type(message)]
        handler(message)  # type: ignore[operator]

    def _watch_session(self) -> None:
        """A served session ends when ``distscope serve`` is gone or nobody has pressed a key or
        moved the mouse for DISTSCOPE_IDLE_TIMEOUT seconds (a browser that vanished without
        closing its websocket leaves nobody to say quit)."""
        serve = os.environ.get(SERVE_PID)
        if serve and serve.isdigit():
            try:
                os.kill(int(serve), 0)
            except ProcessLookupError:
                self._end_session("distscope serve has stopped")
                return
            except PermissionError:
                pass
        idle = time.monotonic() - self._last_input
        if idle > _idle_timeout():
            self._end_session(f"idle for {idle:.0f} s")

    def _end_session(self, why: str) -> None:
        self.cancel.set()
        self.exit(message=f"session ended: {why}")

    def _restore_on_signals(self) -> None:
        """SIGTERM and SIGHUP (an SSH drop) end the app as ``q`` does, so that the terminal
        leaves the alternate screen with mouse tracking off and the cursor back."""
        if self.is_headless or threading.current_thread() is not threading.main_thread():
            return
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGHUP):
            try:
                loop.add_signal_handler(sig, self._on_signal, sig)
            except (NotImplementedError, RuntimeError, ValueError):  # not on this platform
                continue
            self._signals.append(sig)

    def _on_signal(self, sig: int) -> None:
        self.cancel.set()
        self.exit(return_code=128 + sig)

    def on_unmount(self) -> None:
        loop = asyncio.get_running_loop()
        for sig in self._signals:
            loop.remove_signal_handler(sig)

    # -- keys ------------------------------------------------------------------------------
    async def on_event(self, event: events.Event) -> None:
        """Keys belong to whatever has focus when they are handled. Textual forwards each key to
        the widget focused when it *arrives*; in a burst (a paste, SSH coalescing keystrokes) the
        keys after ``/`` reach the tree before ``/`` has opened the jump box, and would run the
        tree's bindings (``q`` quits, ``s`` saves). Such a key is sent on to the new focus."""
        if isinstance(event, (events.Key, events.MouseDown, events.MouseScrollDown, events.MouseScrollUp)):
            self._last_input = time.monotonic()
            if self.input_answered.is_set():
                self.input_answered.clear()
                self.call_after_refresh(self._input_on_screen)
        if isinstance(event, events.Key):
            if not self.screen_stack:
                return  # (keys still on their way while the app shuts down)
            if not event.is_forwarded:
                event._distscope_target = self.focused  # type: ignore[attr-defined]
            else:
                target = getattr(event, "_distscope_target", None)
                focused = self.focused
                if target is not None and focused is not None and focused is not target:
                    again = events.Key(event.key, event.character)
                    again._distscope_target = focused  # type: ignore[attr-defined]
                    focused._forward_event(again)
                    event.stop()
                    return
        await super().on_event(event)

    def _input_on_screen(self) -> None:
        """Called after a refresh that followed a key: once no message waits on the key's way
        either (it goes to the focused widget and bubbles up through its parents to the app's
        bindings; its follow-ups, such as a pane's focus, are messages too), the pass may go on."""
        focused = self.focused
        way = focused.ancestors_with_self if focused is not None else [self.screen, self]
        if any(_busy(pump) for pump in way):
            self.call_after_refresh(self._input_on_screen)
        else:
            self.input_answered.set()

    # -- the index worker -------------------------------------------------------------------
    @work(thread=True, exclusive=True, group="index", exit_on_error=False, description="indexing")
    def _index_archive(self) -> None:
        from distscope.tui.errors import DistscopeError
        from distscope.tui.session import open_index

        def on_progress(progress) -> None:
            self._arrived.extend(progress.members)  # (one atomic call: read on the UI thread)
            self.post_message(IndexProgress(progress))

        indexed = []

        def on_indexed(index) -> None:
            """The index and its report go to the panes before the cache entry is written."""
            indexed.append(index)
            self.post_message(IndexDone(index))
            if self.cancel.is_set():
                return
            try:
                from distscope.tui.session import build_report

                report, error = build_report(index), None  # the typed model: panes and export read it
            except Exception as exc:
                report, error = None, f"{type(exc).__name__}: {exc}"
            self.post_message(ReportReady(report, error))
            self._writing_cache = self.use_cache and index.sha256_source == "read"  # (not a cache hit)

        try:
            # The pass waits while a key is answered (it shares the interpreter lock with the UI).
            open_index(self.archive, use_cache=self.use_cache, on_progress=on_progress, cancel=self.cancel,
                       on_indexed=on_indexed, gate=self.input_answered)
        except Exception as exc:  # a bug must show as a message, not kill the UI
            message = exc.message if isinstance(exc, DistscopeError) else f"{type(exc).__name__}: {exc}"
            if not indexed:
                self.post_message(IndexFailed(message))
            else:  # (the index stands; only its cache entry was not written)
                self.call_from_thread(self.notify, message, title="Index cache not written", severity="warning")
        finally:
            self._writing_cache = False

    def _take_members(self) -> None:
        arrived = self._arrived
        end = len(arrived)
        if end > self._taken:
            members = arrived[self._taken:end]
            self._taken = end
            self.source.add(members)
            self._files().add_members(members)

    def on_index_progress(self, message: IndexProgress) -> None:
        if self._wait_for_panes(message):
            self.query_one(StatusBar).show_progress(message.progress, self.tree_model)
            return
        if not self._first_rows.is_set():
            self.call_after_refresh(self._first_rows.set)
        self._progress = message.progress
        wait = self._progress_at + PROGRESS_BEAT - time.monotonic()
        if wait <= 0:
            self._show_progress()
        elif not self._progress_due:
            self._progress_due = True
            self.set_timer(wait, self._show_progress)

    def _show_progress(self) -> None:
        """The panes take the members that arrived and show how far the pass is: at most every
        PROGRESS_BEAT (the first batch at once). A frame per batch of the pass (every 50 ms)
        took a third of a CPU on the benchmark archive, shared with the pass and with keys."""
        self._progress_due = False
        self._progress_at = time.monotonic()
        if self.index is not None:
            return  # (the pass ended meanwhile: on_index_done took the rest)
        self._take_members()
        self.query_one(StatusBar).show_progress(self._progress, self.tree_model)
        self._summary().show_progress(self._progress, self.tree_model)

    def on_index_done(self, message: IndexDone) -> None:
        self._first_rows.set()
        if self._wait_for_panes(message):
            return
        index = message.index
        self._take_members()
        self.index = index
        gcpause.keep_long_lived()  # (the members and the tree live as long as the app)
        self.source.complete(index)
        files = self._files()
        if index.members and len(self.tree_model) == 0:
            files.add_members(index.members)  # a cache hit without progress batches
        self.query_one(StatusBar).show_done(index, self.tree_model)
        files.index_done(index)
        self._summary().index_done(index)
        for pane in self._report_panes():
            pane.set_pending("analysing")
        if index.error and index.error != "cancelled":
            self.notify(index.error, title="Archive incomplete", severity="warning", timeout=10)

    def on_index_failed(self, message: IndexFailed) -> None:
        self._first_rows.set()
        if self._wait_for_panes(message):
            return
        self.error = message.message
        self.query_one(StatusBar).show_error(message.message)
        self._summary().show_error(message.message)
        self._files().show_error(message.message)
        for pane in self._report_panes():
            pane.show_error(message.message)
        self.notify(message.message, title="Cannot open archive", severity="error", timeout=15)

    def on_report_ready(self, message: ReportReady) -> None:
        if self._wait_for_panes(message):
            return
        if message.report is None:
            self.report = None
            for pane in self._report_panes():
                pane.show_error(f"analysis failed: {message.error}")
            self._summary().show_error(f"analysis failed: {message.error}")
            return
        gcpause.keep_long_lived()
        # The pane on screen first, then one pane per turn of the event loop: together they took
        # a quarter of a second on the benchmark archive, and keys wait for nothing longer than
        # one pane now. ``self.report`` is set when every pane has it.
        active = self.query_one("#panes", TabbedContent).active
        panes: list = [self._summary(), self._files(), *self._report_panes()]
        panes.sort(key=lambda pane: pane.id != f"{active}-pane")
        self._deliver(message.report, panes)

    def _deliver(self, report: Any, panes: list) -> None:
        panes[0].set_report(report)
        if len(panes) > 1:
            self.call_later(self._deliver, report, panes[1:])
            return
        self.report = report
        if self.compare_with:
            self.show_diff(self.compare_with)

    def _show_work(self) -> None:
        """The status line says which background work runs (reads, saves, licence texts) and
        how far the seekable copy being written into the cache is. (Polled: a widget's
        Worker.StateChanged does not bubble up to the app, and the copy is no worker.)"""
        running = sorted({w.description for w in self.workers
                          if w.is_running and w.group != "index" and w.description})
        if self._writing_cache:
            running.append("writing the index cache")
        copy = self.source.copy_progress()
        if copy is not None:
            running.append(f"writing seekable copy {100 * copy[0] // copy[1]}%")
        if running != self._work_shown:
            self._work_shown = running
            self.query_one(StatusBar).show_work(running)

    def _report_panes(self) -> list:
        return [self.query_one(f"#{pid}-pane") for pid in ("dependencies", "requirements", "licences", "components")]

    def _files(self) -> FilesPane:
        return self.query_one("#files-pane")  # type: ignore[return-value]

    def _summary(self) -> SummaryPane:
        return self.query_one("#summary-pane")  # type: ignore[return-value]

    # -- actions ----------------------------------------------------------------------------
    def action_pane(self, pane: str) -> None:
        self.query_one("#panes", TabbedContent).active = pane
        self._focus_pane(pane)

    def _focus_pane(self, pane: str) -> None:
        if self.query_one("#panes", TabbedContent).active != pane:
            return  # a stale request: another pane was chosen meanwhile
        widgets = self.query(f"#{pane}-pane")
        if not widgets:
            return  # (not mounted yet: _open focuses it)
        focus = getattr(widgets.first(), "focus_main", None)
        if focus:
            focus()

    def on_tabbed_content_tab_activated(self, event: TabbedContent.TabActivated) -> None:
        self._focus_pane(event.pane.id or "summary")

    def on_goto_member(self, message: GotoMember) -> None:
        self.action_pane("files")
        self._files().select_path(message.path)

    def action_help(self) -> None:
        from distscope.widgets.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self._all_bindings()))

    def action_quit(self) -> None:
        self.cancel.set()
        self.exit()

    def action_diff(self) -> None:
        """Ask for an older archive and show what changed from it to this one."""
        from distscope.widgets.dialogs import PromptScreen

        self.push_screen(PromptScreen("Compare against which (older) archive?", self.compare_with or ""),
                         lambda path: self.show_diff(path) if path else None)

    def show_diff(self, old: str) -> None:
        """The Diff screen from ``old`` to this archive (the diff widgets live in widgets/diff.py)."""
        from distscope.widgets.diff import DiffScreen

        self.compare_with = None  # (shown once; ``D`` asks again)
        if not os.path.exists(old):
            self.notify(f"{old}: no such file", severity="error")
            return
        self.push_screen(DiffScreen(old, self.archive, use_cache=self.use_cache, new_index=self.index))

    def action_export_report(self, fmt: str = "json") -> None:
        if self.report is None:
            self.notify("The report is not ready yet: the archive is still being analysed.", severity="warning")
            return
        from distscope.tui import session as rp

        render = {"json": rp.to_json, "markdown": rp.to_markdown, "text": rp.to_text}[fmt]
        ext = {"json": "json", "markdown": "md", "text": "txt"}[fmt]
        name = Path(self.archive).name.split(".tar")[0] + f".report.{ext}"
        import io

        text = io.StringIO(render(self.report))
        self.deliver_text(text, save_directory=os.getcwd(), save_filename=name)
        self.notify(f"Report saved: {name}" if not self.is_web else f"Report: {name}")

    def action_save_screenshot_here(self) -> None:
        if self.is_web:
            self.deliver_screenshot()
            return
        path = self.save_screenshot(path=os.getcwd())
        self.notify(f"Screenshot saved: {path}")

    def get_system_commands(self, screen) -> Iterable[SystemCommand]:
        # Textual's own "Screenshot" fails outside a web session ("Failed to save screenshot"):
        # ours below saves into the current folder (or downloads, in a browser).
        yield from (c for c in super().get_system_commands(screen) if c.title != "Screenshot")
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
        rows = [(f"1-{len(PANES)}", "switch pane", "global"), ("q / ctrl+c", "quit (also while indexing)", "global"),
                ("F1 / ?", "this help", "global"), ("ctrl+p", "command palette: go to member, panes, export,"
                                                             " screenshot", "global"),
                ("tab / shift+tab", "move focus", "global"),
                ("D", "diff against another archive", "global")]
        from distscope.widgets.components import ComponentsPane
        from distscope.widgets.dependencies import DependenciesPane
        from distscope.widgets.files import FilesPane
        from distscope.widgets.licences import LicencesPane
        from distscope.widgets.requirements import RequirementsPane

        panes: list[type[Widget]] = [FilesPane, DependenciesPane, RequirementsPane, LicencesPane,
                                     ComponentsPane]
        for pane in panes:
            for b in pane.BINDINGS:
                if isinstance(b, Binding):
                    rows.append((_key_name(b.key), b.description, pane.__name__.replace("Pane", "")))
        return rows


def _busy(pump: Any) -> bool:
    """Whether a widget (or the app) has messages queued or one being handled (an asyncio
    queue counts a message until its handler is done)."""
    queue = pump._message_queue
    return bool(getattr(queue, "_unfinished_tasks", queue.qsize()))


def _key_name(key: str) -> str:
    names = {"slash": "/", "escape": "esc", "right": "→", "left": "←"}
    return ",".join(names.get(k, k) for k in key.split(","))
