"""Pane 3: the shared-library graph as a tree from the interpreters, or all binaries; missing
libraries first; reverse dependencies of the selection; jump to the member in Files."""

from __future__ import annotations

from dataclasses import dataclass, field

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Static, Tree

from distscope.widgets.common import GotoMember, MemberSource, NavTree, error_text, missing_text, pending_text, waiting_text

#: Display order: problems first.
STATUS_ORDER = {"missing": 0, "unexpected": 1, "unreadable": 2, "internal": 3, "allowed": 4, "virtual": 5}
STATUS_STYLE = {"missing": "bold red", "unexpected": "bold yellow", "unreadable": "red", "internal": "green",
                "allowed": "dim", "virtual": "dim"}
STATUS_MARK = {"missing": "✗ MISSING", "unexpected": "! unexpected", "unreadable": "? unreadable",
               "internal": "bundled", "allowed": "allowed", "virtual": "api set"}


@dataclass
class Edge:
    target: str  #: node id (a member path, or a library name)
    name: str  #: the name as the binary asks for it
    status: str


@dataclass
class Graph:
    """The report's dependencies section, normalised for display."""

    roots: list[str] = field(default_factory=list)
    nodes: dict[str, dict] = field(default_factory=dict)
    edges: dict[str, list[Edge]] = field(default_factory=dict)
    reverse: dict[str, list[str]] = field(default_factory=dict)
    top_level: list[str] = field(default_factory=list)  #: binaries nothing needs (extensions, tools)

    def status(self, node_id: str) -> str:
        return node_status(self.nodes.get(node_id) or {}, node_id, self)

    def binaries(self) -> list[str]:
        ids = [n for n, d in self.nodes.items() if _is_member(d, n)] or list(self.edges)
        return sorted(ids, key=lambda n: (0 if self.has_missing(n) else 1, n))

    def has_missing(self, node_id: str) -> bool:
        return any(e.status == "missing" for e in self.edges.get(node_id, []))

    def sorted_edges(self, node_id: str) -> list[Edge]:
        return sorted(self.edges.get(node_id, []), key=lambda e: (STATUS_ORDER.get(e.status, 9), e.name))


def _is_member(data: dict, node_id: str) -> bool:
    if data.get("path") or data.get("member") or data.get("format"):
        return True
    return str(data.get("kind") or data.get("type") or "") in ("binary", "member", "internal", "file")


def node_status(data: dict, node_id: str, graph: Graph | None = None) -> str:
    status = str(data.get("status") or "").lower()
    if status in ("resolved", "bundled", "member", "found"):
        return "internal"
    if status in ("system", "allowed-system"):
        return "allowed"
    if status in STATUS_ORDER:
        return status
    if data.get("missing"):
        return "missing"
    if data.get("allowed") is True:
        return "allowed"
    if data.get("allowed") is False:
        return "unexpected"
    if data.get("virtual") or str(data.get("kind")) in ("api-set", "virtual"):
        return "virtual"
    if _is_member(data, node_id):
        return "internal"
    return "allowed"


def normalize_graph(section) -> Graph:
    """Accept the shapes the dependencies section may take (nodes as a dict or a list, edges as
    an adjacency dict or a list of {from, to, name, status})."""
    graph = Graph()
    if not isinstance(section, dict):
        return graph
    nodes = section.get("nodes") or {}
    if isinstance(nodes, list):
        nodes = {str(n.get("id") or n.get("path") or n.get("name")): n for n in nodes if isinstance(n, dict)}
    graph.nodes = {str(k): (v if isinstance(v, dict) else {"status": v}) for k, v in nodes.items()}
    edges = section.get("edges") or {}
    if isinstance(edges, dict):
        items = [(src, t) for src, targets in edges.items() for t in (targets or [])]
    else:
        items = [(e.get("from") or e.get("source"), e) for e in edges if isinstance(e, dict)]
    for src, target in items:
        if src is None:
            continue
        if isinstance(target, dict):
            tid = str(target.get("to") or target.get("target") or target.get("resolved") or target.get("name"))
            name = str(target.get("name") or tid.rpartition("/")[2])
            data = graph.nodes.get(tid, {})
            status = node_status({**data, **{k: v for k, v in target.items() if k in ("status", "allowed", "missing")}},
                                 tid)
        else:
            tid = name = str(target)
            status = node_status(graph.nodes.get(tid, {}), tid)
        graph.edges.setdefault(str(src), []).append(Edge(tid, name, status))
        graph.nodes.setdefault(tid, {"status": status})
        graph.nodes.setdefault(str(src), {"kind": "binary"})
    reverse = section.get("reverse")
    if isinstance(reverse, dict):
        graph.reverse = {str(k): [str(x) for x in v or []] for k, v in reverse.items()}
    else:
        for src, out in graph.edges.items():
            for e in out:
                graph.reverse.setdefault(e.target, []).append(src)
    roots = section.get("roots") or []
    graph.roots = [str(r.get("path") if isinstance(r, dict) else r) for r in roots]
    top = section.get("top_level") or []
    graph.top_level = [str(t.get("path") if isinstance(t, dict) else t) for t in top
                       if (t.get("path") if isinstance(t, dict) else t) not in graph.roots]
    return graph


def edge_label(edge: Edge, graph: Graph) -> Text:
    text = Text(edge.name, style=STATUS_STYLE.get(edge.status, ""))
    if edge.status == "internal" and edge.target != edge.name:
        text.append(f"  {edge.target}", style="dim")
    mark = STATUS_MARK.get(edge.status, edge.status)
    if mark:
        text.append(f"  {mark}", style=STATUS_STYLE.get(edge.status, "dim"))
    return text


class DependenciesPane(Vertical):
    """The dependency tree (from the interpreters, or every binary) and the reverse dependencies."""

    DEFAULT_CSS = """
    DependenciesPane > #deps-head { height: auto; max-height: 3; padding: 0 1; }
    DependenciesPane > Horizontal { height: 1fr; }
    DependenciesPane Tree { width: 3fr; min-width: 30; }
    DependenciesPane #deps-side { width: 2fr; border-left: solid $primary-muted; padding: 0 1; }
    """
    BINDINGS = [
        Binding("a", "toggle_view", "Roots / all binaries"),
        Binding("g", "goto_member", "Show in Files"),
    ]

    def __init__(self, source: MemberSource, **kwargs) -> None:
        super().__init__(**kwargs)
        self.source = source
        self.graph = Graph()
        self.view = "roots"
        self._ready = False

    def compose(self) -> ComposeResult:
        yield Static(waiting_text("the dependency graph"), id="deps-head")
        with Horizontal():
            tree = NavTree("binaries", id="deps-tree")
            tree.show_root = False
            tree.auto_expand = False
            yield tree
            with VerticalScroll(id="deps-side"):
                yield Static("", id="deps-detail")

    @property
    def dtree(self) -> Tree:
        return self.query_one("#deps-tree", Tree)

    def focus_main(self) -> None:
        self.dtree.focus()

    def set_pending(self, stage: str) -> None:
        self.query_one("#deps-head", Static).update(pending_text(stage, "the dependency graph"))

    def show_error(self, message: str) -> None:
        self.query_one("#deps-head", Static).update(error_text(message))

    def set_report(self, report: dict) -> None:
        head = self.query_one("#deps-head", Static)
        section = report.get("dependencies")
        if not isinstance(section, dict):
            head.update(missing_text("the dependency graph"))
            return
        self.graph = normalize_graph(section)
        self._ready = True
        missing = sorted({e.name for out in self.graph.edges.values() for e in out if e.status == "missing"})
        unexpected = sorted({e.name for out in self.graph.edges.values() for e in out if e.status == "unexpected"})
        n_roots = len(self.graph.roots)
        line = Text(f"{len(self.graph.binaries())} binaries, {n_roots} interpreter{'s' if n_roots != 1 else ''}. ")
        if missing:
            line.append(f"Missing: {', '.join(missing[:6])}{' …' if len(missing) > 6 else ''}. ", style="bold red")
        if unexpected:
            line.append(f"Unexpected: {', '.join(unexpected[:6])}. ", style="bold yellow")
        if not missing and not unexpected:
            line.append("Nothing missing.", style="green")
        line.append("  (a: roots/all, g: show in Files)", style="dim")
        head.update(line)
        self.populate()

    def populate(self) -> None:
        tree = self.dtree
        tree.clear()
        graph = self.graph
        tops = graph.roots if self.view == "roots" and graph.roots else graph.binaries()
        if self.view == "roots" and not graph.roots:
            self.view = "all"
        tree.root.label = "interpreters" if self.view == "roots" else "all binaries"
        for top in tops:
            node = tree.root.add(self._top_label(top), data=top, allow_expand=bool(graph.edges.get(top)))
            if self.view == "roots":
                self._fill(node, top, {top})
                node.expand()
        if self.view == "roots" and graph.top_level:
            others = sorted(graph.top_level, key=lambda n: (0 if graph.has_missing(n) else 1, n))
            bad = sum(1 for n in others if graph.has_missing(n))
            label = Text(f"loaded at run time ({len(others)})", style="bold")
            if bad:
                label.append(f"  {bad} with missing libraries", style="bold red")
            group = tree.root.add(label, data=None, expand=True)
            for top in others:
                group.add(self._top_label(top), data=top, allow_expand=bool(graph.edges.get(top)))
        tree.root.expand()
        if tree.root.children:
            self.call_after_refresh(tree.move_cursor, tree.root.children[0])

    def _top_label(self, top: str) -> Text:
        folder, _, name = top.rpartition("/")
        label = Text(name, style="bold")
        if self.graph.has_missing(top):
            label.append("  MISSING LIBRARIES", style="bold red")
        if self.graph.nodes.get(top, {}).get("runtime") is False:
            label.append("  foreign: not a requirement", style="dim")
        if folder:
            label.append(f"  {folder}/", style="dim")
        return label

    def _fill(self, tnode, node_id: str, seen: set[str]) -> None:
        """Add the edges of ``node_id`` below ``tnode``; deeper levels load when opened."""
        if tnode.children:
            return
        for edge in self.graph.sorted_edges(node_id):
            again = edge.target in seen
            label = edge_label(edge, self.graph)
            if again:
                label.append("  (cycle)", style="dim")
            tnode.add(label, data=edge.target, allow_expand=bool(self.graph.edges.get(edge.target)) and not again)

    @on(Tree.NodeExpanded, "#deps-tree")
    def _expanded(self, event: Tree.NodeExpanded) -> None:
        node = event.node
        if node.data is None:
            return
        seen = set()
        p = node
        while p is not None and p.data is not None:
            seen.add(p.data)
            p = p.parent
        self._fill(node, node.data, seen)

    @on(Tree.NodeHighlighted, "#deps-tree")
    def _highlighted(self, event: Tree.NodeHighlighted) -> None:
        if event.node.data is not None:
            self.show_detail(event.node.data)

    @on(Tree.NodeSelected, "#deps-tree")
    def _selected(self, event: Tree.NodeSelected) -> None:
        event.node.toggle()

    def show_detail(self, node_id: str) -> None:
        graph = self.graph
        data = graph.nodes.get(node_id, {})
        status = graph.status(node_id)
        out = Text(node_id + "\n", style="bold")
        out.append(f"{'in the archive' if status == 'internal' else STATUS_MARK.get(status, status)}\n",
                   style=STATUS_STYLE.get(status, ""))
        if data.get("runtime") is False:
            out.append("another platform's binary: listed, not a runtime requirement\n", style="dim")
        if data.get("error"):
            out.append(f"unreadable: {data['error']}\n", style="red")
        for key in ("role", "format", "machine", "allowed_by", "reason", "soname"):
            if data.get(key):
                out.append(f"{key}: {data[key]}\n", style="dim")
        needs = graph.edges.get(node_id, [])
        if needs:
            out.append(f"\nneeds ({len(needs)}):\n", style="bold")
            for e in graph.sorted_edges(node_id):
                out.append(f"  {e.name}", style=STATUS_STYLE.get(e.status, ""))
                out.append(f"  {STATUS_MARK.get(e.status, '')}\n", style="dim")
        users = graph.reverse.get(node_id, [])
        out.append(f"\nneeded by ({len(users)}):\n", style="bold")
        for user in sorted(users)[:200]:
            out.append(f"  {user}\n")
        if not users:
            out.append("  nothing in the archive\n", style="dim")
        self.query_one("#deps-detail", Static).update(out)

    def action_toggle_view(self) -> None:
        if not self._ready:
            return
        self.view = "all" if self.view == "roots" else "roots"
        self.populate()
        self.app.notify("All binaries (missing first)" if self.view == "all" else "Tree from the interpreters",
                        timeout=2)

    def action_goto_member(self) -> None:
        node = self.dtree.cursor_node
        if node is None or node.data is None:
            return
        if self.source.find(node.data) is None:
            self.app.notify(f"{node.data} is not a member of the archive", severity="warning")
            return
        self.post_message(GotoMember(node.data))
