"""The archive tree widget: a Textual tree over :class:`distscope.tui.archive.tree.TreeModel` whose
folders load when opened and whose rows arrive live while the archive streams by."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.binding import Binding
from textual.widgets import Tree
from textual.widgets.tree import TreeNode

from distscope.tui.archive.tree import Node, TreeModel, human_size
from distscope.tui.safetext import visible
from distscope.widgets.common import NavTree

#: Filters with more matches than this are shown collapsed.
EXPAND_MATCHES = 300


#: Longest name a row shows (the details above the viewer show it whole).
LABEL_NAME = 256


def _name(text: str) -> str:
    return visible(text if len(text) <= LABEL_NAME else text[:LABEL_NAME] + "…")


def node_label(node: Node) -> Text:
    member = node.member
    text = Text(no_wrap=True, overflow="ellipsis")
    if node.is_dir:
        text.append(_name(node.name) + "/", style="bold")
        text.append(f"  {human_size(node.size)}", style="dim")
        return text
    if member is not None and member.type == "symlink":
        text.append(_name(node.name), style="cyan")
        text.append(f" -> {_name(member.linkname)}", style="cyan dim")
        return text
    if member is not None and member.type == "hardlink":
        text.append(_name(node.name), style="cyan")
        text.append(f" => {_name(member.linkname)}", style="cyan dim")
        return text
    kind = member.kind if member else ""
    style = {"elf": "green", "pe": "green", "macho": "green"}.get(kind, "")
    text.append(_name(node.name), style=style)
    text.append(f"  {human_size(node.size)}", style="dim")
    if kind in ("elf", "pe", "macho", "static-lib", "coff", "llvm-bitcode"):
        text.append(f" {kind}", style="dim italic")
    return text


class ArchiveTree(NavTree):
    """A Textual tree over a :class:`TreeModel`: folders load when opened, rows arrive live."""

    BINDINGS = [
        Binding("right,l", "expand_or_child", "Open", show=False),
        Binding("left,h", "collapse_or_parent", "Close / up", show=False),
    ]

    DEFAULT_CSS = "ArchiveTree { width: 1fr; min-width: 30; border-right: solid $primary-muted; }"

    def __init__(self, model: TreeModel, **kwargs) -> None:
        super().__init__("/", data="", **kwargs)
        self.model = model
        self.show_root = False
        self.auto_expand = False
        self.sort = "name"
        self.shown: set[str] | None = None  #: the filter's paths, or None
        self._tnodes: dict[str, TreeNode] = {"": self.root}
        self._loaded: set[str] = set()
        self._expanded_once: set[str] = set()
        self._trail: set[str] = set()  #: folders a search opened (see reveal)
        self._open_before_filter: set[str] | None = None
        self.root.expand()

    # -- loading ------------------------------------------------------------------------
    def _wanted(self, path: str) -> list[Node]:
        kids = self.model.children(path, self.sort)
        if self.shown is not None:
            kids = [k for k in kids if k.path in self.shown]
        return kids

    def _add(self, parent, node: Node, before=None):
        tnode = parent.add(node_label(node), data=node.path, allow_expand=node.is_dir, before=before)
        self._tnodes[node.path] = tnode
        return tnode

    def load(self, path: str) -> None:
        """Make sure a folder's children are in the widget."""
        if path in self._loaded:
            return
        tnode = self._tnodes.get(path)
        if tnode is None:
            return
        self._loaded.add(path)
        for node in self._wanted(path):
            self._add(tnode, node)

    @on(Tree.NodeExpanded)
    def _expanded(self, event: Tree.NodeExpanded) -> None:
        self.load(event.node.data or "")

    def _forget(self, tnode) -> None:
        for child in tnode.children:
            self._forget(child)
            self._tnodes.pop(child.data, None)
            self._loaded.discard(child.data)

    def refresh_dir(self, path: str) -> None:
        """Bring a loaded folder's children up to date (appending when the order allows)."""
        tnode = self._tnodes.get(path)
        if tnode is None or path not in self._loaded:
            return
        wanted = self._wanted(path)
        have = [c.data for c in tnode.children]
        if [n.path for n in wanted[:len(have)]] == have:
            for node in wanted[len(have):]:
                self._add(tnode, node)
            return
        if set(have) <= {n.path for n in wanted}:
            # insert the new ones in place, keeping existing rows (and what is open below them)
            by_path = {c.data: c for c in tnode.children}
            for i, node in enumerate(wanted):
                if node.path not in by_path:
                    nxt = next((by_path[w.path] for w in wanted[i + 1:] if w.path in by_path), None)
                    by_path[node.path] = self._add(tnode, node, before=nxt)
            return
        self._rebuild_children(tnode, path)

    def _rebuild_children(self, tnode, path: str) -> None:
        expanded = {p for p in self._loaded if p.startswith(path + "/") or not path}
        expanded = {p for p in expanded if (t := self._tnodes.get(p)) is not None and t.is_expanded}
        self._forget(tnode)
        tnode.remove_children()
        self._loaded.discard(path)
        self.load(path)
        for p in sorted(expanded, key=lambda p: p.count("/")):
            t = self._tnodes.get(p)
            if t is not None:
                self.load(p)
                t.expand()

    def apply(self, changed: set[str], touched: set[str]) -> None:
        """Reflect a batch: new children of loaded folders, and new folder totals."""
        for path in changed:
            if path in self._loaded:
                self.refresh_dir(path)
        for path in touched | changed:
            tnode = self._tnodes.get(path)
            node = self.model.get(path)
            if tnode is not None and node is not None and path:
                tnode.set_label(node_label(node))
        # open a chain of lone folders (python/, or root/.pyenv/versions/...) once, as they appear
        node = self.root
        while len(node.children) == 1 and node.children[0].allow_expand:
            only = node.children[0]
            if only.data not in self._expanded_once:
                self._expanded_once.add(only.data)
                self.load(only.data)
                only.expand()
            elif not only.is_expanded:
                break
            node = only

    def on_mount(self) -> None:
        self.load("")

    def relabel_all(self) -> None:
        for path, tnode in self._tnodes.items():
            node = self.model.get(path)
            if path and node is not None:
                tnode.set_label(node_label(node))

    def rebuild(self) -> None:
        """Re-create the rows (after a sort or filter change), keeping the open folders."""
        cursor = self.cursor_node.data if self.cursor_node is not None else None
        if self.shown is not None and self._open_before_filter is None:
            self._open_before_filter = self.open_folders()
        self._rebuild_children(self.root, "")
        if self.shown is None and self._open_before_filter is not None:
            for path in sorted(self._open_before_filter, key=lambda p: p.count("/")):
                self.load(path)
                t = self._tnodes.get(path)
                if t is not None:
                    t.expand()
            self._open_before_filter = None
        if self.shown is not None and len(self.shown) <= EXPAND_MATCHES:
            for path in sorted(self.shown, key=lambda p: p.count("/")):
                node = self.model.get(path)
                if node is not None and node.is_dir:
                    self.load(path)
                    t = self._tnodes.get(path)
                    if t is not None:
                        t.expand()
        if cursor and cursor in self._tnodes:
            self.call_after_refresh(self._move_to, cursor)

    def open_folders(self) -> set[str]:
        """The folders open now (to restore them when a filter is cleared)."""
        return {p for p in self._loaded if p and (t := self._tnodes.get(p)) is not None and t.is_expanded}

    def reveal(self, path: str, trail: bool = False) -> bool:
        """Open the folders down to ``path`` and put the cursor on it. With ``trail`` (a search
        moving from match to match), folders it opens are closed again when the next match
        is elsewhere, or by :meth:`forget_trail`."""
        if self.model.get(path) is None:
            return False
        if self.shown is not None and path not in self.shown:
            return False
        folders = self.model.ancestors(path)
        if trail:
            keep = set(folders)
            for folder in sorted(self._trail - keep, key=lambda p: -p.count("/")):
                t = self._tnodes.get(folder)
                if t is not None:
                    t.collapse()
            self._trail &= keep
        for folder in ["", *folders]:
            self.load(folder)
            t = self._tnodes.get(folder)
            if t is None:
                return False
            if folder and not t.is_expanded:
                t.expand()
                if trail:
                    self._trail.add(folder)
        if path not in self._tnodes:
            return False
        self.call_after_refresh(self._move_to, path)
        return True

    def keep_trail(self) -> None:
        """The search ended on a match: its folders stay open."""
        self._trail.clear()

    def forget_trail(self) -> None:
        """The search was abandoned: close what it opened."""
        for folder in sorted(self._trail, key=lambda p: -p.count("/")):
            t = self._tnodes.get(folder)
            if t is not None:
                t.collapse()
        self._trail.clear()

    def action_expand_or_child(self) -> None:
        """Right / l: open a folder, or go to its first row when it is open."""
        node = self.cursor_node
        if node is None or not node.allow_expand:
            return
        if not node.is_expanded:
            node.expand()
        elif node.children:
            self.move_cursor(node.children[0])

    def action_collapse_or_parent(self) -> None:
        """Left / h: close an open folder, or go to the folder above."""
        node = self.cursor_node
        if node is None:
            return
        if node.allow_expand and node.is_expanded:
            node.collapse()
        elif node.parent is not None and node.parent is not self.root:
            self.move_cursor(node.parent)

    def _move_to(self, path: str) -> None:
        tnode = self._tnodes.get(path)
        if tnode is not None:
            self.move_cursor(tnode)
            self.scroll_to_node(tnode, animate=False)

    @property
    def cursor_path(self) -> str | None:
        return self.cursor_node.data if self.cursor_node is not None else None
