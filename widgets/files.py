"""Pane 2: the lazy archive tree with folder totals, filter, jump search, member details,
the viewer, and save / page / extract."""

from __future__ import annotations

import os
import stat
import time
from datetime import datetime, timezone

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Input, Label, ProgressBar, Static, Tree

from distscope.tui.archive.tree import Node, TreeModel, human_size
from distscope.widgets.archive_tree import ArchiveTree
from distscope.widgets.dialogs import PromptScreen
from distscope.widgets.viewer import MemberViewer, find_binary

PAGER_LIMIT = 64 << 20


class FilesPane(Vertical):
    """The tree, filter and jump boxes, member details and the viewer."""

    DEFAULT_CSS = """
    FilesPane > Input, FilesPane > Input:focus {
        display: none; height: 1; border: none; padding: 0 1; background: $boost;
    }
    FilesPane > Input.-open { display: block; }
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
        Binding("o", "sort", "Sort", tooltip="sort by name or by size"),
        Binding("v", "viewer_mode", "View mode", show=False),
        Binding("s", "save", "Save member", show=False),
        Binding("p", "pager", "Open in $PAGER", show=False),
        Binding("x", "extract", "Extract subtree", show=False),
    ]

    def __init__(self, model: TreeModel, **kwargs) -> None:
        super().__init__(**kwargs)
        self.model = model
        self.query_text = ""
        self._jump_start: str | None = None
        self._filter_due = False
        self._extracting = False

    def compose(self) -> ComposeResult:
        yield Input(placeholder="filter: part of a path, or a glob like *.so (Esc clears)", id="filter")
        yield Input(placeholder="jump to: part of a name (Enter: go, n/N: next/previous)", id="jump")
        with Horizontal(id="files-main"):
            yield ArchiveTree(self.model, id="tree")
            with Vertical(id="files-side"):
                yield Static(Text("Waiting for the first members…", style="italic dim"), id="details")
                yield MemberViewer(id="viewer")
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
            self.atree.focus()

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
        self.atree.relabel_all()  # kinds are known now
        self._info()
        self.call_after_refresh(self._refresh_current)

    def set_report(self, report: dict) -> None:
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
        text = f"{len(self.model):,} entries, {root.files:,} files, {human_size(root.size)}  ·  sort: {self.atree.sort}"
        if self.atree.shown is not None:
            text += f"  ·  filter: {self.query_one('#filter', Input).value!r}"
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
        elif node is not None:
            self.viewer.focus()

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
        out.append(node.path or "/", style="bold")
        out.append("\n")
        if node.is_dir:
            out.append(f"folder{' (implied: no entry in the archive)' if node.implied else ''}, "
                       f"{node.files:,} files, {human_size(node.size)}\n")
        if m is not None:
            mtime = datetime.fromtimestamp(m.mtime, timezone.utc).strftime("%Y-%m-%d %H:%M")
            owner = f"{m.uname or m.uid}:{m.gname or m.gid}"
            out.append(f"{stat.filemode(m.mode | _type_bits(m.type))}  {owner}  {mtime} UTC", style="dim")
            if m.type == "file":
                out.append(f"  {m.size:,} bytes  {m.kind or ''}", style="dim")
            out.append("\n")
            if m.type in ("symlink", "hardlink"):
                app = self.app
                index = getattr(app, "index", None)
                target = index.resolve_path(m.path) if index is not None else None
                out.append(f"{m.type} to {m.linkname}", style="cyan")
                if index is not None:
                    out.append(f" (resolves to {target})" if target and index.get(target) else
                               " (dangling or outside the archive)", style="cyan dim")
                out.append("\n")
            if m.kind in ("elf", "pe", "macho"):
                info = find_binary(getattr(self.app, "index", None), getattr(self.app, "report", None), m.path)
                if isinstance(info, dict):
                    bits = [str(info.get(k)) for k in ("format", "machine", "type", "arch") if info.get(k)]
                    needs = info.get("needs") or info.get("needed") or info.get("imports") or []
                    out.append(" ".join(bits) + (f", needs {len(needs)} libraries" if needs else ""), style="green")
                    out.append("\n")
        out.rstrip()
        return out

    def select_path(self, path: str) -> None:
        tree = self.atree
        if tree.shown is not None and path not in tree.shown:
            self.query_one("#filter", Input).value = ""
            self._apply_filter("")
        if not tree.reveal(path):
            self.app.notify(f"{path}: not in the archive (yet)", severity="warning")
            return
        tree.focus()

    # -- filter ----------------------------------------------------------------------------------
    def action_filter(self) -> None:
        box = self.query_one("#filter", Input)
        box.add_class("-open")
        box.focus()

    @on(Input.Changed, "#filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        self._apply_filter(event.value)

    @on(Input.Submitted, "#filter")
    def _filter_submitted(self, event: Input.Submitted) -> None:
        if not event.value.strip():
            event.input.remove_class("-open")
        self.atree.focus()

    def _apply_filter(self, pattern: str) -> None:
        tree = self.atree
        if pattern.strip():
            matches, visible = self.model.filter(pattern)
            tree.shown = visible
            self.query_one("#details", Static).update(
                Text(f"{len(matches):,} matches{' (first 5,000)' if len(matches) >= 5000 else ''}", style="dim"))
        else:
            tree.shown = None
        tree.rebuild()
        self._info()

    def _schedule_filter(self) -> None:
        if self._filter_due:
            return
        self._filter_due = True

        def run() -> None:
            self._filter_due = False
            self._apply_filter(self.query_one("#filter", Input).value)

        self.set_timer(0.5, run)

    def action_close_inputs(self) -> None:
        jump = self.query_one("#jump", Input)
        box = self.query_one("#filter", Input)
        if jump.has_class("-open"):
            jump.remove_class("-open")
        elif box.has_class("-open") or self.atree.shown is not None:
            box.value = ""
            box.remove_class("-open")
            self._apply_filter("")
        elif self.viewer.has_focus:
            pass
        self.atree.focus()

    # -- jump search --------------------------------------------------------------------------
    def action_jump(self) -> None:
        jump = self.query_one("#jump", Input)
        self._jump_start = self.atree.cursor_path
        jump.add_class("-open")
        jump.value = ""
        jump.focus()

    @on(Input.Changed, "#jump")
    def _jump_changed(self, event: Input.Changed) -> None:
        self.query_text = event.value
        if not event.value:
            return
        start = self._jump_start
        # search from the start position inclusive: step back one so the start itself can match
        found = self._search(event.value, start, inclusive=True)
        if found:
            self.atree.reveal(found)

    @on(Input.Submitted, "#jump")
    def _jump_submitted(self, event: Input.Submitted) -> None:
        event.input.remove_class("-open")
        self.atree.focus()
        if event.value and self._search(event.value, self._jump_start, inclusive=True) is None:
            self.app.notify(f"No member named like {event.value!r}", severity="warning")

    def _search(self, query: str, after: str | None, inclusive: bool = False, backwards: bool = False) -> str | None:
        model, tree = self.model, self.atree
        if inclusive and after:
            node = model.get(after)
            hay = after if "/" in query else after.rpartition("/")[2]
            if node is not None and query.lower() in hay.lower():
                return after
        found = model.search(query, after=after, sort=tree.sort, backwards=backwards)
        if found and tree.shown is not None and found not in tree.shown:
            return None
        return found

    def action_next_match(self, backwards: bool = False) -> None:
        if not self.query_text:
            self.action_jump()
            return
        found = self._search(self.query_text, self.atree.cursor_path, backwards=backwards)
        if found:
            self.atree.reveal(found)
        else:
            self.app.notify(f"No member named like {self.query_text!r}", severity="warning")

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
            app.background(lambda: app.read_member(node.path), lambda data, err: self._deliver(node, data, err))
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

            def work() -> str:
                data = app.read_member(node.path)
                with open(dest, "xb") as out:
                    out.write(data)
                return f"Saved {node.path} ({human_size(len(data))}) to {dest}"

            app.background(work, lambda msg, err: app.notify(
                msg if err is None else f"Cannot save: {getattr(err, 'message', err)}",
                severity="information" if err is None else "error"))

        app.push_screen(PromptScreen(f"Save {node.path} as:", os.path.join(".", node.name)), chosen)

    def _deliver(self, node: Node, data, error) -> None:
        if error is not None:
            self.app.notify(f"Cannot save: {getattr(error, 'message', error)}", severity="error")
            return
        import io

        self.app.deliver_binary(io.BytesIO(data), save_filename=node.name)

    def action_pager(self) -> None:
        node = self._file_node()
        if node is None:
            return
        app = self.app

        def work() -> bytes:
            from distscope.widgets.viewer import hex_dump, looks_text

            data = app.read_member(node.path, limit=PAGER_LIMIT)
            if not looks_text(data[:8192], node.member.kind if node.member else ""):
                return hex_dump(data[: 1 << 20]).plain.encode()
            return data

        app.background(work, lambda data, err: self._page(node, data, err))

    def _page(self, node: Node, data, error) -> None:
        import shlex
        import subprocess
        import tempfile

        app = self.app
        if error is not None:
            app.notify(f"Cannot read: {getattr(error, 'message', error)}", severity="error")
            return
        pager = os.environ.get("PAGER") or "less"
        suffix = "-" + node.name.replace(os.sep, "_")
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
        what = (f"{node.path}/ ({node.files:,} files, {human_size(node.size)})" if node.is_dir
                else f"{node.path} ({human_size(node.size)})")

        def chosen(dest: str | None) -> None:
            if dest:
                self._extract(node.path, os.path.expanduser(dest))

        app.push_screen(PromptScreen(f"Extract {what} into folder:", "./distscope-extract",
                                     "Enter to extract (existing files are kept), Esc to cancel"), chosen)

    def _extract(self, path: str, dest: str) -> None:
        from distscope.tui.archive.extract import extract

        app = self.app
        row = self.query_one("#extract-row")
        bar = self.query_one("#extract-bar", ProgressBar)
        row.add_class("-open")
        self.query_one("#extract-label", Label).update(f"extracting {path} into {dest}")
        bar.update(total=None, progress=0)
        self._extracting = True
        last = [0.0]

        def progress(read: int, total: int, seen: int) -> None:
            now = time.monotonic()
            if now - last[0] > 0.1 or read >= total:
                last[0] = now
                app.call_from_thread(bar.update, total=max(total, 1), progress=read)

        def done(report, error) -> None:
            self._extracting = False
            row.remove_class("-open")
            if error is not None:
                app.notify(f"Extraction failed: {getattr(error, 'message', error)}", severity="error")
                return
            msg = f"Extracted {report.extracted:,} members ({human_size(report.bytes)}) into {dest}"
            if report.refused:
                msg += f"; refused {len(report.refused)}: " + "; ".join(f"{n} ({why})" for n, why in report.refused[:3])
            if report.error:
                msg += f"; stopped: {report.error}"
            app.notify(msg, severity="information" if report.ok else "warning", timeout=10)

        app.background(lambda: extract(app.archive, dest, [path], on_progress=progress, cancel=app.cancel), done)


def _type_bits(kind: str) -> int:
    return {"directory": stat.S_IFDIR, "symlink": stat.S_IFLNK, "file": stat.S_IFREG}.get(kind, stat.S_IFREG)
