"""The member viewer: text with syntax highlighting, a hex dump, or the binary summary."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.containers import Vertical, VerticalScroll
from textual.geometry import Size
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.widgets import Static

from distscope.tui.archive.tree import human_size

#: How much of a member the viewer reads and shows.
TEXT_LIMIT = 256 << 10
HEX_LIMIT = 32 << 10
MODES = ("auto", "text", "hex", "binary")
NATIVE = ("elf", "pe", "macho")


def hex_dump(data: bytes, offset: int = 0, width: int = 16) -> Text:
    """Classic hex dump (``width`` bytes a row, 16 or 8) with an ASCII column."""
    out = Text(no_wrap=True)
    half = width // 2
    for i in range(0, len(data), width):
        row = data[i:i + width]
        hexes = " ".join(f"{b:02x}" for b in row[:half]) + "  " + " ".join(f"{b:02x}" for b in row[half:])
        ascii_ = "".join(chr(b) if 32 <= b < 127 else "." for b in row)
        out.append(f"{offset + i:08x}  ", style="dim")
        out.append(hexes.ljust(width * 3 + 1))
        out.append(f" {ascii_}\n", style="cyan")
    return out


def looks_text(data: bytes, kind: str = "") -> bool:
    if kind == "text":
        return True
    if kind and kind not in ("other", "empty", ""):
        return False
    if b"\x00" in data[:8192]:
        return False
    try:
        data[:8192].decode("utf-8")
    except UnicodeDecodeError as exc:
        return exc.start > 8180
    return True


def highlight(path: str, data: bytes, truncated: bool) -> Text:
    """Syntax-highlighted text (run in a worker thread: pygments is not free)."""
    code = data.decode("utf-8", errors="replace")
    try:
        from pygments.lexers import get_lexer_for_filename
        from pygments.util import ClassNotFound
        from rich.syntax import Syntax

        try:
            lexer = get_lexer_for_filename(path.rpartition("/")[2], code)
            name = lexer.aliases[0] if lexer.aliases else "text"
        except ClassNotFound:
            name = "json" if path.endswith((".json", ".pth")) else "text"
        text = Syntax(code, name, theme="ansi_dark", word_wrap=False).highlight(code)
    except Exception:  # highlighting is a nicety; plain text always works
        text = Text(code)
    text.no_wrap = True
    if truncated:
        text.append(f"\n… first {human_size(len(data))} shown; press p to page through it all",
                    style="italic dim")
    return text


def binary_summary(info: Any) -> Text:
    """The analysis of one binary (a dict from the binaries analysis) as readable lines."""
    out = Text()
    if not isinstance(info, dict):
        return Text("No binary analysis for this member yet.", style="italic dim")
    for key, value in info.items():
        if key in ("path", "needs", "size") or value in (None, "", [], {}):
            continue
        label = key.replace("_", " ")
        if isinstance(value, dict):
            out.append(f"{label}:\n", style="bold")
            for k, v in value.items():
                vs = ", ".join(map(str, v)) if isinstance(v, (list, tuple)) else str(v)
                out.append(f"  {k}: {vs}\n")
        elif isinstance(value, (list, tuple)):
            out.append(f"{label}:", style="bold")
            if all(not isinstance(v, (dict, list)) for v in value):
                out.append(" " + ", ".join(map(str, value)) + "\n")
            else:
                out.append("\n")
                for v in value:
                    if isinstance(v, dict):
                        out.append("  " + ", ".join(f"{k}={x}" for k, x in v.items() if x not in (None, [], "")) + "\n")
                    else:
                        out.append(f"  {v}\n")
        else:
            out.append(f"{label}: ", style="bold")
            out.append(f"{value}\n")
    return out


def folder_summary(node, top: int = 12) -> Text:
    out = Text()
    kids = sorted((node.children or {}).values(), key=lambda n: -n.size)[:top]
    if kids:
        out.append("largest inside:\n", style="bold")
        for kid in kids:
            out.append(f"{human_size(kid.size):>10}  {kid.name}{'/' if kid.is_dir else ''}\n")
    return out


def resolve_node(app, node):
    """The tree node a link ends at (following links like the loader), or None."""
    index = getattr(app, "index", None)
    model = getattr(app, "tree_model", None)
    if index is None or model is None:
        return None
    final = index.resolve_path(node.path)
    return model.get(final) if final is not None else None


def find_binary(index, report: dict | None, path: str) -> Any:
    """The binary analysis entry for ``path`` from the index results or the report."""
    sources: list[Any] = []
    analysis = index.results.get("binaries") if index is not None else None
    binary = analysis.binaries.get(path) if hasattr(analysis, "binaries") else None
    if binary is not None:
        from distscope.tui.model.codec import to_plain

        return to_plain(binary)  # (the contract's shape, as the report gives it)
    if report:
        sources.append(report.get("binaries"))
    for source in sources:
        if isinstance(source, dict):
            entry = source.get(path)
            if entry is None and isinstance(source.get("binaries"), (dict, list)):
                source = source["binaries"]
                entry = source.get(path) if isinstance(source, dict) else None
            if entry is not None:
                return entry
        if isinstance(source, list):
            for entry in source:
                if isinstance(entry, dict) and entry.get("path") == path:
                    return entry
    return None


class LinesView(ScrollView, can_focus=True):
    """Shows many lines (code, hex) by rendering only the visible ones."""

    DEFAULT_CSS = "LinesView { height: 1fr; }"

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.lines: list[Text] = []
        self._strips: dict[int, Strip] = {}

    def set_lines(self, lines: list[Text]) -> None:
        self.lines = lines
        self._strips.clear()
        width = max((line.cell_len for line in lines[:20000]), default=0)
        self.virtual_size = Size(width, len(lines))
        self.scroll_to(0, 0, animate=False)
        self.refresh()

    @property
    def plain(self) -> str:
        return "\n".join(line.plain for line in self.lines)

    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        index = scroll_y + y
        width = self.size.width
        style = self.rich_style
        if index >= len(self.lines):
            return Strip.blank(width, style)
        strip = self._strips.get(index)
        if strip is None:
            if len(self._strips) > 2000:
                self._strips.clear()
            line = self.lines[index].copy()
            line.stylize_before(style)
            strip = self._strips[index] = Strip(line.render(self.app.console), line.cell_len)
        return strip.crop_extend(scroll_x, scroll_x + width, style).apply_offsets(scroll_x, index)


class MemberViewer(Vertical):
    """Shows one member; reads happen on a worker thread, stale results are dropped. Short
    texts (summaries, messages) wrap in a scrolling Static; code and hex dumps use a LinesView."""

    DEFAULT_CSS = """
    MemberViewer { border-top: solid $primary-muted; }
    MemberViewer:focus-within { border-top: solid $accent; }
    MemberViewer > VerticalScroll { height: 1fr; padding: 0 1; }
    MemberViewer > LinesView { display: none; padding: 0 1; }
    MemberViewer.-lines > LinesView { display: block; }
    MemberViewer.-lines > VerticalScroll { display: none; }
    """

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.mode = "auto"
        self._token = 0
        self._node = None
        self.border_title = "viewer"

    def compose(self):
        with VerticalScroll(id="viewer-scroll"):
            yield Static(Text("Select a file to view it.", style="italic dim"), id="viewer-body")
        yield LinesView(id="viewer-lines")

    def focus(self, scroll_visible: bool = True):
        target = self.query_one(LinesView) if self.has_class("-lines") else self.query_one("#viewer-scroll")
        target.focus(scroll_visible)
        return self

    @property
    def plain(self) -> str:
        """The text shown now (for tests and screen readers of the future)."""
        if self.has_class("-lines"):
            return self.query_one(LinesView).plain
        content = self.query_one("#viewer-body", Static).render()
        return getattr(content, "plain", None) or str(content)

    def _set(self, renderable, title: str | None = None) -> None:
        """Show a short renderable (wrapped)."""
        self.remove_class("-lines")
        self.query_one("#viewer-body", Static).update(renderable)
        self.query_one("#viewer-scroll").scroll_home(animate=False)
        if title is not None:
            self.border_title = title

    def _set_lines(self, lines: list[Text], title: str) -> None:
        refocus = self.query_one("#viewer-scroll").has_focus
        self.add_class("-lines")
        self.query_one(LinesView).set_lines(lines)
        self.border_title = title
        if refocus:
            self.query_one(LinesView).focus()

    def cycle_mode(self) -> str:
        self.mode = MODES[(MODES.index(self.mode) + 1) % len(MODES)]
        if self._node is not None:
            self.show_node(self._node)
        return self.mode

    def show_node(self, node) -> None:
        """View a tree node (a folder shows its summary, a file its content)."""
        self._node = node
        self._token += 1
        token = self._token
        member = node.member
        if node.is_dir:
            self._set(folder_summary(node), "folder")
            return
        if member is not None and member.type in ("symlink", "hardlink"):
            target = resolve_node(self.app, node)
            if target is None or target.is_dir:
                self._set(Text(f"{member.type} to {member.linkname}: " +
                               ("a folder" if target is not None else "target not in the archive (yet)"),
                               style="italic dim"), member.type)
                return
            node, member = target, target.member
        if member is None or member.type not in ("file", "symlink", "hardlink"):
            self._set(Text("Nothing to view for this member type.", style="italic dim"), "viewer")
            return
        app = self.app
        mode = self.mode
        kind = member.kind
        if mode == "binary" or (mode == "auto" and kind in NATIVE):
            info = find_binary(getattr(app, "index", None), getattr(app, "report", None), node.path)
            if info is not None or mode == "binary":
                self._set(binary_summary(info) if info is not None else
                          Text("The binary analysis is not available (yet) for this member.", style="italic dim"),
                          f"binary summary: {kind or '?'}")
                return
        limit = HEX_LIMIT if mode == "hex" else TEXT_LIMIT
        width = 16 if self.size.width >= 80 or self.size.width == 0 else 8
        self._set(Text("reading…", style="italic dim"), "viewer")
        path = node.path

        def work():
            data = app.read_member(path, limit=limit + 1)
            truncated = len(data) > limit
            data = data[:limit]
            if mode == "hex" or (mode == "auto" and not looks_text(data, kind)):
                dump = hex_dump(data, width=width)
                if truncated:
                    dump.append(f"… first {human_size(limit)} shown; p pages through it all", style="italic dim")
                return dump.split("\n"), f"hex: {kind or 'data'}"
            return highlight(path, data, truncated).split("\n", allow_blank=True), f"text: {kind or 'text'}"

        def done(result, error) -> None:
            if token != self._token:
                return
            if error is not None:
                msg = getattr(error, "message", None) or f"{type(error).__name__}: {error}"
                self._set(Text(f"Cannot read {path}: {msg}", style="bold red"), "viewer")
                return
            lines, title = result
            self._set_lines(lines, title)

        app.background(work, done)
