"""Pane 3: the shared-library graph as a tree from the interpreters, or all binaries; missing
libraries first; reverse dependencies of the selection; jump to the member in Files."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Static, Tree

from distscope.tui.model.graph import BUNDLED, MISSING, SYSTEM, UNEXPECTED, VIRTUAL, Edge, Graph
from distscope.tui.model.report import Report
from distscope.tui.safetext import visible

from distscope.widgets.common import FilterBox, GotoMember, MemberSource, NavTree, focus_now, error_text, missing_text, pending_text, waiting_text

#: Display order: problems first.
STATUS_ORDER = {MISSING: 0, UNEXPECTED: 1, "unreadable": 2, BUNDLED: 3, SYSTEM: 4, VIRTUAL: 5}
STATUS_STYLE = {MISSING: "bold red", UNEXPECTED: "bold yellow", "unreadable": "red", BUNDLED: "green",
                SYSTEM: "", VIRTUAL: ""}
#: (mark first, so a narrow row never loses it; word for the detail line)
STATUS_MARK = {MISSING: ("✗", "MISSING"), UNEXPECTED: ("!", "unexpected system library"),
               "unreadable": ("?", "unreadable"), BUNDLED: ("✓", "in the archive"),
               SYSTEM: ("·", "allowed system library"), VIRTUAL: ("·", "Windows API set")}


class GraphView:
    """The typed graph arranged for the tree: edges by binary, problems first."""

    def __init__(self, graph: Graph) -> None:
        self.graph = graph
        self.edges = graph.edges_from()

    def binaries(self) -> list[str]:
        return sorted(self.graph.nodes, key=lambda n: (0 if self.has_missing(n) else 1, n))

    def has_missing(self, node_id: str) -> bool:
        return any(e.status == MISSING for e in self.edges.get(node_id, []))

    def sorted_edges(self, node_id: str) -> list[Edge]:
        return sorted(self.edges.get(node_id, []), key=lambda e: (STATUS_ORDER.get(e.status, 9), e.name))

    def target(self, edge: Edge) -> str:
        return edge.to or edge.name

    def status(self, node_id: str) -> str:
        node = self.graph.nodes.get(node_id)
        if node is not None:
            return "unreadable" if node.error else BUNDLED
        statuses = {e.status for out in self.edges.values() for e in out if self.target(e) == node_id}
        return min(statuses, key=lambda s: STATUS_ORDER.get(s, 9)) if statuses else SYSTEM

    def matching(self, query: str) -> list[str]:
        """Binaries and library names containing ``query`` (case-insensitive)."""
        q = query.lower()
        names = set(self.graph.nodes) | {self.target(e) for e in self.graph.edges}
        return sorted((n for n in names if q in n.lower()),
                      key=lambda n: (n.rpartition("/")[2].lower() != q, STATUS_ORDER.get(self.status(n), 9), n))


def edge_label(edge: Edge, view: GraphView) -> Text:
    mark, _ = STATUS_MARK.get(edge.status, ("?", edge.status))
    style = STATUS_STYLE.get(edge.status, "")
    text = Text(f"{mark} ", style=style)
    text.append(visible(edge.name), style=style)
    if edge.status == MISSING:
        text.append("  MISSING", style=style)
    elif edge.status == UNEXPECTED:
        text.append("  unexpected", style=style)
    if edge.to and edge.to != edge.name:
        text.append(f"  {visible(edge.to)}", style="dim")
    return text


class DependenciesPane(Vertical):
    """The dependency tree (from the interpreters, or every binary), a filter, and the detail
    of the selected row (its full name, status, needs and reverse dependencies)."""

    DEFAULT_CSS = """
    DependenciesPane > #deps-head { height: auto; max-height: 3; padding: 0 1; }
    DependenciesPane > Horizontal { height: 1fr; }
    DependenciesPane Tree { width: 3fr; min-width: 30; }
    DependenciesPane #deps-side { width: 2fr; border-left: solid $primary-muted; padding: 0 1; }
    """
    BINDINGS = [
        Binding("f,slash", "filter", "Filter", tooltip="binaries and libraries whose name contains a text"),
        Binding("a", "toggle_view", "Roots/all"),
        Binding("g", "goto_member", "Show in Files"),
        Binding("escape", "clear_filter", "Clear filter", show=False),
    ]

    def __init__(self, source: MemberSource, **kwargs) -> None:
        super().__init__(**kwargs)
        self.source = source
        self.view = GraphView(Graph())
        self.mode = "roots"
        self._ready = False

    def compose(self) -> ComposeResult:
        yield Static(waiting_text("the dependency graph"), id="deps-head")
        yield FilterBox("filter: part of a binary or library name (Esc clears)", id="deps-filter",
                        apply=lambda text: self.populate(text.strip()) if self._ready else None,
                        back=lambda: self.dtree)
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
        focus_now(self.dtree)

    def set_pending(self, stage: str) -> None:
        self.query_one("#deps-head", Static).update(pending_text(stage, "the dependency graph"))

    def show_error(self, message: str) -> None:
        self.query_one("#deps-head", Static).update(error_text(message))

    def set_report(self, report: Report) -> None:
        head = self.query_one("#deps-head", Static)
        if report.dependencies is None:
            head.update(missing_text("the dependency graph"))
            return
        view = self.view = GraphView(report.dependencies)
        self._ready = True
        missing = sorted({e.name for e in view.graph.edges if e.status == MISSING})
        unexpected = sorted({e.name for e in view.graph.edges if e.status == UNEXPECTED})
        n_roots = len(view.graph.roots)
        line = Text(f"{len(view.graph.nodes)} binaries, {n_roots} interpreter{'s' if n_roots != 1 else ''}. ")
        if missing:
            line.append(f"Missing: {visible(', '.join(missing[:6]))}{' …' if len(missing) > 6 else ''}. ",
                        style="bold red")
        if unexpected:
            line.append(f"Unexpected: {visible(', '.join(unexpected[:6]))}{' …' if len(unexpected) > 6 else ''}. ",
                        style="bold yellow")
        if not missing and not unexpected:
            line.append("Nothing missing.", style="green")
        head.update(line)
        self.populate()

    def populate(self, query: str = "") -> None:
        tree = self.dtree
        tree.clear()
        view = self.view
        if query:
            tree.root.label = f"matching {query!r}"
            for name in view.matching(query):
                tree.root.add(self._top_label(name), data=name, allow_expand=bool(view.edges.get(name)))
            if not tree.root.children:
                tree.root.add(Text(f"no binary or library matches {visible(query)!r}", style="bold"), data=None)
        else:
            if self.mode == "roots" and not view.graph.roots:
                self.mode = "all"
            tops = view.graph.roots if self.mode == "roots" else view.binaries()
            tree.root.label = "interpreters" if self.mode == "roots" else "all binaries"
            for top in tops:
                node = tree.root.add(self._top_label(top), data=top, allow_expand=bool(view.edges.get(top)))
                if self.mode == "roots":
                    self._fill(node, top, {top})
                    node.expand()
            others = [t for t in view.graph.top_level if t not in view.graph.roots]
            if self.mode == "roots" and others:
                others.sort(key=lambda n: (0 if view.has_missing(n) else 1, n))
                bad = sum(1 for n in others if view.has_missing(n))
                label = Text(f"loaded at run time ({len(others)})", style="bold")
                if bad:
                    label.append(f"  {bad} with missing libraries", style="bold red")
                group = tree.root.add(label, data=None, expand=True)
                for top in others:
                    group.add(self._top_label(top), data=top, allow_expand=bool(view.edges.get(top)))
        tree.root.expand()
        if tree.root.children:
            self.call_after_refresh(tree.move_cursor, tree.root.children[0])

    def _top_label(self, top: str) -> Text:
        view = self.view
        folder, _, name = top.rpartition("/")
        status = view.status(top)
        mark, _ = STATUS_MARK.get(status, ("?", status))
        missing = view.has_missing(top)
        label = Text(f"{'✗' if missing else mark} ", style="bold red" if missing else STATUS_STYLE.get(status, ""))
        label.append(visible(name), style="bold")
        if missing:
            label.append("  MISSING LIBRARIES", style="bold red")
        node = view.graph.nodes.get(top)
        if node is not None and node.build_artefact:
            label.append("  build artefact: not loaded at run time", style="dim")
        elif node is not None and node.role == "object":
            label.append("  object file: linked, never loaded", style="dim")
        elif node is not None and not node.runtime:
            label.append("  foreign: not a requirement", style="dim")
        if folder:
            label.append(f"  {visible(folder)}/", style="dim")
        return label

    def _fill(self, tnode, node_id: str, seen: set[str]) -> None:
        """Add the edges of ``node_id`` below ``tnode``; deeper levels load when opened."""
        if tnode.children:
            return
        view = self.view
        for edge in view.sorted_edges(node_id):
            target = view.target(edge)
            again = target in seen
            label = edge_label(edge, view)
            if again:
                label.append("  (cycle)", style="dim")
            tnode.add(label, data=target, allow_expand=bool(view.edges.get(target)) and not again)

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
        """The full row: nothing here is cut (the tree rows may be)."""
        view = self.view
        node = view.graph.nodes.get(node_id)
        status = view.status(node_id)
        out = Text(visible(node_id) + "\n", style="bold")
        out.append(f"{STATUS_MARK.get(status, ('', status))[1]}\n", style=STATUS_STYLE.get(status, ""))
        if node is not None:
            if not node.runtime:
                out.append("another platform's binary: listed, not a runtime requirement\n", style="dim")
            if node.error:
                out.append(f"unreadable: {visible(node.error)}\n", style="red")
            for key, value in (("role", node.role), ("format", node.format)):
                if value:
                    out.append(f"{key}: {visible(value)}\n", style="dim")
        needs = view.sorted_edges(node_id)
        if needs:
            out.append(f"\nneeds ({len(needs)}):\n", style="bold")
            for e in needs:
                mark, word = STATUS_MARK.get(e.status, ("?", e.status))
                out.append(f"  {mark} {visible(e.name)}", style=STATUS_STYLE.get(e.status, ""))
                out.append(f"  {word}" + (f" ({visible(e.allowed_by)})" if e.allowed_by else ""), style="dim")
                if e.to and e.to != e.name:
                    out.append(f"\n      -> {visible(e.to)}", style="dim")
                out.append("\n")
        users = view.graph.reverse.get(node_id, [])
        out.append(f"\nneeded by ({len(users)}):\n", style="bold")
        for user in sorted(users)[:200]:
            out.append(f"  {visible(user)}\n")
        if len(users) > 200:
            out.append(f"  … and {len(users) - 200} more\n", style="dim")
        if not users:
            out.append("  nothing in the archive\n", style="dim")
        self.query_one("#deps-detail", Static).update(out)

    def action_filter(self) -> None:
        self.query_one(FilterBox).open()

    def action_clear_filter(self) -> None:
        self.query_one(FilterBox).clear()

    def action_toggle_view(self) -> None:
        if not self._ready:
            return
        self.mode = "all" if self.mode == "roots" else "roots"
        self.query_one(FilterBox).value = ""
        self.populate()
        self.app.notify("All binaries (missing first)" if self.mode == "all" else "Tree from the interpreters",
                        timeout=2)

    def action_goto_member(self) -> None:
        node = self.dtree.cursor_node
        if node is None or node.data is None:
            return
        if self.source.find(node.data) is None:
            self.app.notify(f"{visible(node.data)} is not a member of the archive", severity="warning")
            return
        self.post_message(GotoMember(node.data))
