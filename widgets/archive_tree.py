"""The archive tree widget: a Textual tree over :class:`distscope.tui.archive.tree.TreeModel` whose
folders load when opened and whose rows arrive live while the archive streams by."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.widgets import Tree

from distscope.tui.archive.tree import Node, TreeModel, human_size
from distscope.widgets.common import NavTree

#: Filters with more matches than this are shown collapsed.
EXPAND_MATCHES = 300


def node_label(node: Node) -> Text:
    member = node.member
    text = Text(no_wrap=True, overflow="ellipsis")
    if node.is_dir:
        text.append(node.name + "/", style="bold")
        text.append(f"  {human_size(node.size)}", style="dim")
        return text
    if member is not None and member.type == "symlink":
        text.append(node.name, style="cyan")
        text.append(f" -> {member.linkname}", style="cyan dim")
        return text
    if member is not None and member.type == "hardlink":
        text.append(node.name, style="cyan")
        text.append(f" => {member.linkname}", style="cyan dim")
        return text
    kind = member.kind if member else ""
    style = {"elf": "green", "pe": "green", "macho": "green"}.get(kind, "")
    text.append(node.name, style=style)
    text.append(f"  {human_size(node.size)}", style="dim")
    if kind in ("elf", "pe", "macho", "static-lib", "coff", "llvm-bitcode"):
        text.append(f" {kind}", style="dim italic")
    return text


class ArchiveTree(NavTree):
    """A Textual tree over a :class:`TreeModel`: folders load when opened, rows arrive live."""

    DEFAULT_CSS = "ArchiveTree { width: 1fr; min-width: 30; border-right: solid $primary-muted; }"

    def __init__(self, model: TreeModel, **kwargs) -> None:
        super().__init__("/", data="", **kwargs)
        self.model = model
        self.show_root = False
        self.auto_expand = False
        self.sort = "name"
        self.shown: set[str] | None = None  #: the filter's paths, or None
        self._tnodes: dict[str, object] = {"": self.root}
        self._loaded: set[str] = set()
        self._expanded_once: set[str] = set()
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
        self._rebuild_children(self.root, "")
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

    def reveal(self, path: str) -> bool:
        """Open the folders down to ``path`` and put the cursor on it."""
        if self.model.get(path) is None:
            return False
        if self.shown is not None and path not in self.shown:
            return False
        for folder in ["", *self.model.ancestors(path)]:
            self.load(folder)
            t = self._tnodes.get(folder)
            if t is None:
                return False
            if folder:
                t.expand()
        if path not in self._tnodes:
            return False
        self.call_after_refresh(self._move_to, path)
        return True

    def _move_to(self, path: str) -> None:
        tnode = self._tnodes.get(path)
        if tnode is not None:
            self.move_cursor(tnode)
            self.scroll_to_node(tnode, animate=False)

    @property
    def cursor_path(self) -> str | None:
        return self.cursor_node.data if self.cursor_node is not None else None
