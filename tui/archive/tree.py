"""An incremental directory tree of archive members (no Textual): fed by index batches, it
adds implied directories, keeps folder size totals, sorts, filters and searches."""

from __future__ import annotations

import fnmatch
from typing import Iterable, Iterator

from distscope.tui.archive.members import DIRECTORY, FILE, Member

#: Folders nest at most this deep in the tree; a member deeper down is shown (under its full
#: path) as one row in the deepest folder, named by the rest of its path. Hostile archives carry
#: members 5,000 levels deep, and Textual's tree (like any recursive walk) cannot take that.
MAX_DEPTH = 48
#: Folder paths longer than this are folded the same way (a 1 MB path of one-letter components
#: would otherwise make half a million folders whose paths add up to hundreds of gigabytes).
MAX_FOLDER_PATH = 4096


class Node:
    """A file, link or folder; ``size`` of a folder is the total of the file bytes below it."""

    __slots__ = ("name", "path", "parent", "member", "children", "size", "files")

    def __init__(self, name: str, path: str, parent: "Node | None", member: Member | None = None) -> None:
        self.name = name
        self.path = path
        self.parent = parent
        self.member = member
        self.children: dict[str, Node] | None = None  #: None for non-folders
        self.size = 0
        self.files = 0  #: file members at or below this node

    @property
    def is_dir(self) -> bool:
        return self.children is not None

    @property
    def implied(self) -> bool:
        """A folder known only from its members' paths (the archive has no entry for it)."""
        return self.is_dir and self.member is None and self.parent is not None

    def __repr__(self) -> str:
        return f"Node({self.path!r}, size={self.size})"


def _file_size(member: Member) -> int:
    return member.size if member.type == FILE else 0


class TreeModel:
    """The folder tree of an archive, built incrementally with :meth:`add`."""

    def __init__(self) -> None:
        self.root = Node("", "", None)
        self.root.children = {}
        self.nodes: dict[str, Node] = {"": self.root}
        self._order: list[str] | None = None
        self._order_sort: str = ""

    def __len__(self) -> int:
        return len(self.nodes) - 1

    def get(self, path: str) -> Node | None:
        return self.nodes.get(path)

    # -- building ---------------------------------------------------------------------------
    def add(self, members: Iterable[Member]) -> tuple[set[str], set[str]]:
        """Add a batch. Returns (folders whose set of children changed, folders whose totals
        changed) so a view can refresh only what it shows."""
        changed: set[str] = set()
        touched: set[str] = set()
        for member in members:
            path = member.path
            if not path:
                continue  # the "./" entry is the root itself
            node = self.nodes.get(path)
            if node is None:
                folder, name = _split(path)
                parent = self._folder(folder, changed)
                node = Node(name, path, parent, member)
                if member.type == DIRECTORY:
                    node.children = {}
                parent.children[node.name] = node  # type: ignore[index]
                self.nodes[path] = node
                changed.add(parent.path)
                self._grow(node, _file_size(member), 1 if member.type == FILE else 0, touched)
            else:  # a folder entry after its contents, or a repeated member (the last wins)
                old = node.member
                node.member = member
                if member.type == DIRECTORY:
                    if node.children is None:
                        node.children = {}
                        changed.add(node.parent.path)  # type: ignore[union-attr]
                else:
                    if node.children:
                        node.member = old if old is not None else None
                        continue  # a file cannot replace a folder with contents; keep the folder
                    node.children = None
                    before = (_file_size(old) if old else 0, 1 if old and old.type == FILE else 0)
                    after = (_file_size(member), 1 if member.type == FILE else 0)
                    self._grow(node, after[0] - before[0], after[1] - before[1], touched)
                    changed.add(node.parent.path)  # type: ignore[union-attr]
        if changed:
            self._order = None
        return changed, touched

    def _folder(self, path: str, changed: set[str]) -> Node:
        """The folder ``path`` (already folded by :func:`_split`), made with its parents if new.
        A loop, not recursion: paths may be thousands of levels deep."""
        missing: list[str] = []
        node = self.nodes.get(path)
        while node is None:
            missing.append(path)
            path = path.rpartition("/")[0]
            node = self.nodes.get(path)
        if node.children is None:  # a file of that name: treat it as a folder from now on
            node.children = {}
            changed.add(node.parent.path)  # type: ignore[union-attr]
        for path in reversed(missing):
            child = Node(path.rpartition("/")[2], path, node)
            child.children = {}
            node.children[child.name] = child
            self.nodes[path] = child
            changed.add(node.path)
            node = child
        return node

    @staticmethod
    def _grow(node: Node, size: int, files: int, touched: set[str]) -> None:
        node.size += size
        node.files += files
        parent = node.parent
        while parent is not None:
            parent.size += size
            parent.files += files
            touched.add(parent.path)
            parent = parent.parent

    # -- reading ----------------------------------------------------------------------------
    def children(self, path: str = "", sort: str = "name") -> list[Node]:
        """The children of a folder: folders first, then by name, or largest first."""
        node = self.nodes.get(path)
        if node is None or not node.children:
            return []
        kids = list(node.children.values())
        if sort == "size":
            kids.sort(key=lambda n: (-n.size, n.name))
        else:
            kids.sort(key=lambda n: (not n.is_dir, n.name))
        return kids

    def walk(self, sort: str = "name", path: str = "") -> Iterator[Node]:
        """Every node below ``path`` depth-first, in display order."""
        stack = list(reversed(self.children(path, sort)))
        while stack:
            node = stack.pop()
            yield node
            if node.children:
                stack.extend(reversed(self.children(node.path, sort)))

    def order(self, sort: str = "name") -> list[str]:
        """All paths in display order (cached until the tree changes)."""
        if self._order is None or self._order_sort != sort:
            self._order = [n.path for n in self.walk(sort)]
            self._order_sort = sort
        return self._order

    def search(self, query: str, after: str | None = None, sort: str = "name",
               backwards: bool = False) -> str | None:
        """The next path (in display order, wrapping) whose name contains ``query``
        (case-insensitive; a path when the query has a ``/``)."""
        query = query.lower()
        if not query:
            return None
        order = self.order(sort)
        start = 0
        if after is not None:
            try:
                start = order.index(after) + (0 if backwards else 1)
            except ValueError:
                start = 0
        n = len(order)
        use_path = "/" in query
        for i in range(n):
            k = (start - 1 - i) % n if backwards else (start + i) % n
            path = order[k]
            hay = path if use_path else path.rpartition("/")[2]
            if query in hay.lower():
                return path
        return None

    def filter(self, pattern: str, limit: int = 5000) -> tuple[list[str], set[str]]:
        """Members matching ``pattern`` (a case-insensitive substring of the path, or a glob
        when it has ``*?[``), at most ``limit``; and the set of paths to show: the matches
        and their folders."""
        pattern = pattern.strip().lower()
        if not pattern:
            return [], set()
        glob = any(c in pattern for c in "*?[")
        matches: list[str] = []
        for path in self.nodes:
            if not path:
                continue
            low = path.lower()
            if glob:
                ok = fnmatch.fnmatchcase(low, pattern) or fnmatch.fnmatchcase(low.rpartition("/")[2], pattern)
            else:
                ok = pattern in low
            if ok:
                matches.append(path)
                if len(matches) >= limit:
                    break
        visible: set[str] = {""}
        for path in matches:
            while path not in visible:
                visible.add(path)
                path = path.rpartition("/")[0]
        return matches, visible

    def ancestors(self, path: str) -> list[str]:
        """The folders above ``path`` in the tree, outermost first (without the root)."""
        node = self.nodes.get(path)
        if node is None:
            return []
        out = []
        while node.parent is not None and node.parent.path:
            node = node.parent
            out.append(node.path)
        return out[::-1]


def _split(path: str) -> tuple[str, str]:
    """(folder, name) of a member in the tree: its parent path and last component, except that
    folders stop at :data:`MAX_DEPTH` levels and :data:`MAX_FOLDER_PATH` characters; below that,
    the name is the rest of the path. Linear in the length of the path."""
    folder, _, name = path.rpartition("/")
    if len(folder) <= MAX_FOLDER_PATH and folder.count("/") < MAX_DEPTH:
        return folder, name
    end = -1
    for _ in range(MAX_DEPTH):
        nxt = path.find("/", end + 1)
        if nxt < 0 or nxt > MAX_FOLDER_PATH:
            break
        end = nxt
    if end < 0:
        return "", path
    return path[:end], path[end + 1:]


def rank_paths(paths: Iterable[str], query: str, limit: int | None = None) -> list[str]:
    """Paths matching ``query`` (case-insensitive), best first, as a file finder ranks them: the
    name equal to the query, then the name without its extension equal, then names starting with
    it, then names containing it, then paths containing it (a query with ``/`` matches paths).
    Ties go to the shorter name, then the shallower path, then the path."""
    q = query.strip().lower()
    if not q:
        return []
    with_slash = "/" in q
    scored = []
    for path in paths:
        if not path:
            continue
        low = path.lower()
        if q not in low:
            continue
        name = low.rpartition("/")[2]
        if with_slash:
            rank = 0 if low == q or low.endswith("/" + q) else 3
        elif name == q:
            rank = 0
        elif name.partition(".")[0] == q:
            rank = 1
        elif name.startswith(q):
            rank = 2
        elif q in name:
            rank = 3
        else:
            rank = 4
        scored.append((rank, len(name), path.count("/"), path))
    scored.sort()
    return [s[3] for s in (scored[:limit] if limit else scored)]


def human_size(n: int) -> str:
    """A short size: 512 B, 1.5 KiB, 12.3 MiB."""
    if n < 1024:
        return f"{n} B"
    size = float(n)
    for unit in ("KiB", "MiB", "GiB", "TiB"):
        size /= 1024
        if size < 1024 or unit == "TiB":
            return f"{size:.1f} {unit}" if size < 100 else f"{size:.0f} {unit}"
    return f"{n} B"  # pragma: no cover
