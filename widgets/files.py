"""Pane 2: the lazy archive tree with folder totals, filter, jump search, member details,
the viewer, and save / page / extract."""

from __future__ import annotations

import os
import stat
from typing import BinaryIO
import time
from datetime import datetime, timezone

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Input, Label, ProgressBar, Static, Tree
from textual.worker import get_current_worker

from distscope.tui.archive.tree import Node, TreeModel, human_size, rank_paths
from distscope.tui.safetext import visible
from distscope.widgets.archive_tree import ArchiveTree
from distscope.widgets.common import FilterBox, MemberSource, focus_now
from distscope.widgets.dialogs import PromptScreen
from distscope.widgets.viewer import MemberViewer

PAGER_LIMIT = 64 << 20


class FilesPane(Vertical):
    """The tree, filter and jump boxes, member details and the viewer."""

    DEFAULT_CSS = """
    FilesPane > #jump, FilesPane > #jump:focus {
        display: none; height: 1; border: none; padding: 0 1; background: $boost;
    }
    FilesPane > #jump.-open { display: block; }
    FilesPane > #files-main { height: 1fr; }
    FilesPane #files-side { width: 1fr; }
    FilesPane #details { height: auto; max-height: 9; padding: 0 1; }
    FilesPane #viewer { height: 1fr; }
    FilesPane > #extract-row { display: none; height: 1; }
    FilesPane > #extract-row.-open { display: block; }
    FilesPane > #extract-row Label { width: auto; padding: 0 1; }
    FilesPane > #files-info { height: 1; color: $text-muted; padding: 0 1; }
    """

    BINDINGS = [
        Binding("slash", "jump", "Jump", tooltip="jump to a member by name"),
        Binding("n", "next_match", "Next match", show=False),
        Binding("N", "previous_match", "Previous match", show=False),
        Binding("f,ctrl+f", "filter", "Filter", tooltip="show only members matching a substring or glob"),
        Binding("escape", "close_inputs", "Clear filter / search", show=False),
        Binding("o", "sort", "Sort", show=False, tooltip="sort by name or by size"),
        Binding("v", "viewer_mode", "View", tooltip="viewer: auto, text, hex, binary"),
        Binding("s", "save", "Save", tooltip="save the member to a file"),
        Binding("p", "pager", "Pager", tooltip="open the member in $PAGER"),
        Binding("x", "extract", "Extract", tooltip="extract the member or folder"),
        Binding("b", "binary", "Binary view", show=False, tooltip="headers, symbols, imports of a binary"),
    ]

    def __init__(self, model: TreeModel, source: MemberSource, **kwargs) -> None:
        super().__init__(**kwargs)
        self.model = model
        self.source = source
        self.query_text = ""
        self.binaries: dict[str, dict] = {}  #: the report's binaries by path
        self.indexed = False
        self._matches: list[str] = []
        self._jump_start: str | None = None
        self._filter_due = False
        self._applied = ""
        self._filter_count = 0
        self._extracting = False

    def compose(self) -> ComposeResult:
        yield FilterBox("filter: part of a path, or a glob like *.so (Esc clears)", id="filter",
                        apply=self._filter_changed, back=lambda: self.atree)
        yield Input(placeholder="jump to: part of a name (Enter: go, n/N: next/previous, Esc: back)", id="jump")
        with Horizontal(id="files-main"):
            yield ArchiveTree(self.model, id="tree")
            with Vertical(id="files-side"):
                yield Static(Text("Waiting for the first members…", style="italic dim"), id="details")
                yield MemberViewer(self.source, id="viewer")
        with Horizontal(id="extract-row"):
            yield Label("extracting", id="extract-label")
            yield ProgressBar(total=None, show_eta=False, id="extract-bar")
        yield Static("", id="files-info")

    @property
    def atree(self) -> ArchiveTree:
        return self.query_one(ArchiveTree)

    @property
    def viewer(self) -> MemberViewer:
        return self.query_one(MemberViewer)

    def focus_main(self) -> None:
        if not any(i.has_focus for i in self.query(Input)):
            focus_now(self.atree)

    # -- data ---------------------------------------------------------------------------------
    def add_members(self, members) -> None:
        changed, touched = self.model.add(members)
        tree = self.atree
        if tree.shown is not None:
            self._schedule_filter()
        else:
            tree.apply(changed, touched)
        self._info()
        if tree.cursor_node is None and tree.root.children:
            self.call_after_refresh(self._refresh_current)
        else:
            current = self.current()
            if current is not None and current.is_dir:
                self._update_details()  # its totals grow while the archive streams

    def index_done(self, index) -> None:
        self.indexed = True
        self.viewer.indexed = True
        self.atree.relabel_all()  # kinds are known now
        self._info()
        self.call_after_refresh(self._refresh_current)

    def set_report(self, report) -> None:
        from distscope.tui.model.codec import to_plain

        # each binary's fields, in the JSON contract's order and names, for the summary lines
        self.binaries = {b.path: to_plain(b) for b in report.binaries}
        self.viewer.binaries = self.binaries
        self._refresh_current()

    def _refresh_current(self) -> None:
        """Put the cursor on the first row if it has none; re-show the current member."""
        tree = self.atree
        if tree.cursor_node is None:
            if tree.root.children:
                tree.move_cursor(tree.root.children[0])
            return
        node = self.current()
        if node is not None:
            self._update_details()
            self.viewer.show_node(node)

    def show_error(self, message: str) -> None:
        self.query_one("#details", Static).update(Text(message, style="bold red"))

    def _info(self) -> None:
        root = self.model.root
        text = (f"{len(self.model):,} paths ({root.files:,} files), {human_size(root.size)}"
                f"  ·  sort: {self.atree.sort} (o)")
        if self.atree.shown is not None:
            text += f"  ·  filter: {visible(self.query_one('#filter', Input).value)!r}"
        self.query_one("#files-info", Static).update(text)

    # -- selection -------------------------------------------------------------------------
    @on(Tree.NodeHighlighted)
    def _highlighted(self, event: Tree.NodeHighlighted) -> None:
        event.stop()
        self._update_details()
        node = self.model.get(event.node.data or "")
        if node is not None:
            self.viewer.show_node(node)

    @on(Tree.NodeSelected)
    def _selected(self, event: Tree.NodeSelected) -> None:
        event.stop()
        node = self.model.get(event.node.data or "")
        if node is not None and node.is_dir:
            event.node.toggle()
        elif node is not None and node.member is not None and node.member.kind in ("elf", "pe", "macho"):
            self.viewer.open_binary(node.path)
        elif node is not None:
            self.action_zoom()

    def action_zoom(self) -> None:
        """Enter on a file: the viewer takes the whole screen (Esc gives it back)."""
        self.screen.maximize(self.viewer, container=False)
        self.viewer.focus()

    def action_binary(self) -> None:
        node = self._file_node()
        if node is not None:
            self.viewer.open_binary(node.path)

    def current(self) -> Node | None:
        path = self.atree.cursor_path
        return self.model.get(path) if path is not None else None

    def _update_details(self) -> None:
        node = self.current()
        if node is None:
            return
        self.query_one("#details", Static).update(self.details(node))

    def details(self, node: Node) -> Text:
        m = node.member
        out = Text(no_wrap=False)
        out.append(_long(node.path) or "/", style="bold")
        out.append("\n")
        if node.is_dir:
            out.append(f"folder{' (implied: no entry in the archive)' if node.implied else ''}, "
                       f"{node.files:,} files, {human_size(node.size)}\n")
        if m is not None:
            mtime = _mtime(m.mtime)
            owner = visible(f"{m.uname or m.uid}:{m.gname or m.gid}")
            out.append(f"{stat.filemode(m.mode | _type_bits(m.type))}  {owner}  {mtime}", style="dim")
            if m.type == "file":
                out.append(f"  {m.size:,} bytes  {m.kind or ''}", style="dim")
            out.append("\n")
            if m.type in ("symlink", "hardlink"):
                out.append(f"{m.type} to {_long(m.linkname)}", style="cyan")
                target = self.source.resolve(m.path)
                if target is None:
                    out.append(" (climbs out of the archive, is absolute or loops)", style="cyan")
                elif self.model.get(target) is None:
                    out.append(" (dangling: not in the archive" + (")" if self.indexed else " so far)"),
                               style="cyan")
                elif target != m.path:
                    out.append(f" (resolves to {_long(target)})", style="cyan dim")
                out.append("\n")
            if m.kind in ("elf", "pe", "macho"):
                info = self.binaries.get(m.path)
                if isinstance(info, dict):
                    bits = [str(info.get(k)) for k in ("format", "machine", "type", "arch") if info.get(k)]
                    needs = info.get("needs") or info.get("needed") or []
                    out.append(visible(" ".join(bits)) + (f", needs {len(needs)} libraries" if needs else ""),
                               style="green")
                    out.append("\n")
        out.rstrip()
        return out

    def select_path(self, path: str) -> None:
        tree = self.atree
        if tree.shown is not None and path not in tree.shown:
            self._close_filter()
        if not tree.reveal(path):
            self.app.notify(f"{visible(path)}: not in the archive" + ("" if self.indexed else " (so far)"),
                            severity="warning")
            return
        tree.focus()

    # -- filter ----------------------------------------------------------------------------------
    def action_filter(self) -> None:
        self.query_one(FilterBox).open()

    def _filter_changed(self, pattern: str) -> None:
        if pattern != self._applied:  # (not the echo of a value set here)
            self._apply_filter(pattern)

    def _apply_filter(self, pattern: str) -> None:
        self._applied = pattern
        tree = self.atree
        if pattern.strip():
            matches, visible_paths = self.model.filter(pattern)
            tree.shown = visible_paths
            self._filter_count = len(matches)
        else:
            tree.shown = None
        tree.rebuild()
        self._info()
        self.call_after_refresh(self._after_filter, pattern)

    def _after_filter(self, pattern: str) -> None:
        """Details and viewer follow the row the cursor is on after the rows changed; with no
        row (no match), they say so instead of showing the member selected before."""
        tree = self.atree
        if tree.cursor_node is None or tree.cursor_node.data is None or tree.cursor_node is tree.root:
            if tree.root.children:
                tree.move_cursor(tree.root.children[0])
        node = self.current()
        if pattern.strip() and (node is None or not tree.root.children):
            self.query_one("#details", Static).update(Text(f"no match for {visible(pattern)!r}", style="bold"))
            self.viewer.show_message("No member matches the filter.")
            return
        if node is not None:
            details = self.details(node)
            if pattern.strip():
                count = self._filter_count
                details = Text(f"{count:,} match{'es' if count != 1 else ''}{' (first 5,000)' if count >= 5000 else ''}  ·  ",
                               style="dim") + details
            self.query_one("#details", Static).update(details)
            self.viewer.show_node(node)

    def _schedule_filter(self) -> None:
        if self._filter_due:
            return
        self._filter_due = True

        def run() -> None:
            self._filter_due = False
            self._apply_filter(self.query_one("#filter", Input).value)

        self.set_timer(0.5, run)

    def _close_filter(self) -> None:
        box = self.query_one("#filter", Input)
        box.value = ""
        box.remove_class("-open")
        self._apply_filter("")

    def action_close_inputs(self) -> None:
        jump = self.query_one("#jump", Input)
        box = self.query_one("#filter", Input)
        if jump.has_class("-open"):
            jump.remove_class("-open")
            self.atree.forget_trail()
            if self._jump_start is not None:
                self.atree.reveal(self._jump_start)
        elif box.has_class("-open") or self.atree.shown is not None:
            self._close_filter()
        focus_now(self.atree)

    # -- jump search --------------------------------------------------------------------------
    def action_jump(self) -> None:
        jump = self.query_one("#jump", Input)
        self._jump_start = self.atree.cursor_path
        jump.add_class("-open")
        jump.value = ""
        focus_now(jump)

    @on(Input.Changed, "#jump")
    def _jump_changed(self, event: Input.Changed) -> None:
        self.query_text = event.value
        if not event.value:
            self._matches = []
            return
        self._matches = self._ranked(event.value)
        if self._matches:
            self.atree.reveal(self._matches[0], trail=True)
            event.input.remove_class("-nomatch")
            event.input.border_title = None
            self.query_one("#files-info", Static).update(
                f"{len(self._matches):,} match{'es' if len(self._matches) != 1 else ''}"
                f"{' (first 1,000)' if len(self._matches) >= 1000 else ''}  ·  Enter: go  n/N: next/previous")
        else:
            self.query_one("#files-info", Static).update(Text(f"no match for {visible(event.value)!r}",
                                                              style="bold reverse"))

    def _ranked(self, query: str) -> list[str]:
        shown = self.atree.shown
        paths = self.model.nodes if shown is None else shown
        return rank_paths(paths, query, 1000)

    @on(Input.Submitted, "#jump")
    def _jump_submitted(self, event: Input.Submitted) -> None:
        event.input.remove_class("-open")
        self.atree.keep_trail()
        focus_now(self.atree)
        self._info()
        if self._matches:  # (the cursor lands there once the opened folders are laid out)
            self.call_after_refresh(self.atree.reveal, self._matches[0])
        if event.value and not self._matches:
            self.app.notify(f"No member named like {visible(event.value)!r}", severity="warning")

    def action_next_match(self, backwards: bool = False) -> None:
        if not self.query_text:
            self.action_jump()
            return
        matches = self._matches or self._ranked(self.query_text)
        if not matches:
            self.app.notify(f"No member named like {visible(self.query_text)!r}", severity="warning")
            return
        self._matches = matches
        current = self.atree.cursor_path
        i = matches.index(current) if current in matches else -1
        i = (i - 1 if backwards else i + 1) % len(matches)
        self.atree.reveal(matches[i], trail=True)
        self.atree.keep_trail()
        self.query_one("#files-info", Static).update(f"match {i + 1:,} of {len(matches):,}")

    def action_previous_match(self) -> None:
        self.action_next_match(backwards=True)

    # -- sort / viewer -------------------------------------------------------------------------
    def action_sort(self) -> None:
        tree = self.atree
        tree.sort = "size" if tree.sort == "name" else "name"
        tree.rebuild()
        self._info()
        self.app.notify(f"Sorted by {tree.sort}" + (" (largest first)" if tree.sort == "size" else ""), timeout=2)

    def action_viewer_mode(self) -> None:
        mode = self.viewer.cycle_mode()
        self.app.notify(f"Viewer: {mode}", timeout=2)

    # -- save / pager / extract ---------------------------------------------------------------
    def _file_node(self) -> Node | None:
        node = self.current()
        if node is None or node.is_dir:
            self.app.notify("Select a file first.", severity="warning")
            return None
        return node

    def action_save(self) -> None:
        node = self._file_node()
        if node is None:
            return
        app = self.app
        if app.is_web:
            self._save(node.path, None, node.name)
            return

        def chosen(dest: str | None) -> None:
            if not dest:
                return
            dest = os.path.expanduser(dest)
            if os.path.isdir(dest):
                dest = os.path.join(dest, node.name)
            if os.path.exists(dest):
                app.notify(f"{dest} exists; not overwritten.", severity="error")
                return
            self._save(node.path, dest, node.name)

        app.push_screen(PromptScreen(f"Save {visible(node.path)} as:", os.path.join(".", visible(node.name))), chosen)

    @work(thread=True, group="save", exit_on_error=False, description="saving a member")
    def _save(self, path: str, dest: str | None, name: str) -> None:
        """Stream the member into ``dest`` (or, in a browser, into a temporary file handed to
        the browser): never the whole member in memory."""
        import tempfile

        worker = get_current_worker()
        app = self.app
        written = 0
        try:
            out: BinaryIO = tempfile.TemporaryFile(prefix="distscope-") if dest is None else open(dest, "xb")
            for chunk in self.source.chunks(path):
                if worker.is_cancelled:
                    break
                out.write(chunk)
                written += len(chunk)
        except Exception as exc:  # DistscopeError and OSError say what went wrong in one line
            app.call_from_thread(app.notify, f"Cannot save: {getattr(exc, 'message', exc)}", severity="error")
            return
        if dest is None:
            out.seek(0)
            app.call_from_thread(app.deliver_binary, out, save_filename=name)
            return
        out.close()
        app.call_from_thread(app.notify, f"Saved {visible(path)} ({human_size(written)}) to {dest}")

    def action_pager(self) -> None:
        node = self._file_node()
        if node is not None:
            self._read_for_pager(node)

    @work(thread=True, exclusive=True, group="pager", exit_on_error=False, description="reading for the pager")
    def _read_for_pager(self, node: Node) -> None:
        from distscope.widgets.viewer import hex_dump, looks_text

        app = self.app
        try:
            data = self.source.read(node.path, limit=PAGER_LIMIT)
        except Exception as exc:
            app.call_from_thread(app.notify, f"Cannot read: {getattr(exc, 'message', exc)}", severity="error")
            return
        if not looks_text(data[:8192], node.member.kind if node.member else ""):
            data = hex_dump(data[: 1 << 20]).plain.encode()
        else:
            data = visible(data.decode("utf-8", errors="replace"), keep="\n\t").encode()
        if not get_current_worker().is_cancelled:
            app.call_from_thread(self._page, node, data)

    def _page(self, node: Node, data: bytes) -> None:
        import shlex
        import subprocess
        import tempfile

        app = self.app
        pager = os.environ.get("PAGER") or "less"
        suffix = "-" + node.name.replace(os.sep, "_")[-50:]
        with tempfile.NamedTemporaryFile(prefix="distscope-", suffix=suffix, delete=False) as tmp:
            tmp.write(data)
        try:
            with app.suspend():
                subprocess.call([*shlex.split(pager), tmp.name])
        except Exception as exc:  # SuspendNotSupported (web, tests), a missing pager
            app.notify(f"Cannot open the pager here: {type(exc).__name__} {exc}", severity="warning")
        finally:
            os.unlink(tmp.name)
            app.refresh()

    def action_extract(self) -> None:
        node = self.current()
        app = self.app
        if node is None:
            return
        if self._extracting:
            app.notify("An extraction is already running.", severity="warning")
            return
        what = (f"{visible(node.path)}/ ({node.files:,} files, {human_size(node.size)})" if node.is_dir
                else f"{visible(node.path)} ({human_size(node.size)})")

        def chosen(dest: str | None) -> None:
            if dest:
                self._start_extract(node.path, os.path.expanduser(dest))

        app.push_screen(PromptScreen(f"Extract {what} into folder:", "./distscope-extract",
                                     "Enter to extract (existing files are kept), Esc to cancel"), chosen)

    def _start_extract(self, path: str, dest: str) -> None:
        row = self.query_one("#extract-row")
        row.add_class("-open")
        self.query_one("#extract-label", Label).update(f"extracting {visible(path)} into {dest}")
        self.query_one("#extract-bar", ProgressBar).update(total=None, progress=0)
        self._extracting = True
        self._extract(path, dest)

    @work(thread=True, exclusive=True, group="extract", exit_on_error=False, description="extracting")
    def _extract(self, path: str, dest: str) -> None:
        import threading

        app = self.app
        bar = self.query_one("#extract-bar", ProgressBar)
        worker = get_current_worker()
        cancel = threading.Event()
        last = [0.0]

        def progress(read: int, total: int, seen: int) -> None:
            if worker.is_cancelled:
                cancel.set()
            now = time.monotonic()
            if now - last[0] > 0.1 or read >= total:
                last[0] = now
                app.call_from_thread(bar.update, total=max(total, 1), progress=read)

        try:
            report, error = self.source.extract([path], dest, progress, cancel), None
        except Exception as exc:
            report, error = None, exc
        app.call_from_thread(self._extracted, dest, report, error)

    def _extracted(self, dest: str, report, error) -> None:
        app = self.app
        self._extracting = False
        self.query_one("#extract-row").remove_class("-open")
        if error is not None:
            app.notify(f"Extraction failed: {getattr(error, 'message', error)}", severity="error")
            return
        msg = f"Extracted {report.extracted:,} members ({human_size(report.bytes)}) into {dest}"
        if report.refused:
            msg += f"; refused {len(report.refused)}: " + "; ".join(
                f"{visible(n)} ({why})" for n, why in report.refused[:3])
        if report.error:
            msg += f"; stopped: {report.error}"
        app.notify(msg, severity="information" if report.ok else "warning", timeout=10)


def _long(text: str, limit: int = 2048) -> str:
    """Archive text made visible, cut (with a note) only when it is absurdly long."""
    shown = visible(text[:limit])
    return shown if len(text) <= limit else f"{shown}… ({len(text) - limit:,} more characters)"


def _mtime(mtime: float) -> str:
    try:
        return datetime.fromtimestamp(mtime, timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    except (OverflowError, OSError, ValueError):
        return f"mtime {mtime!r} (out of range)"


def _type_bits(kind: str) -> int:
    return {"directory": stat.S_IFDIR, "symlink": stat.S_IFLNK, "file": stat.S_IFREG}.get(kind, stat.S_IFREG)
