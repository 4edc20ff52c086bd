"""The member viewer: text with syntax highlighting, a hex dump, or the binary summary."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.containers import Vertical, VerticalScroll
from textual.geometry import Size
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual import work
from textual.widgets import Static
from textual.worker import get_current_worker

from distscope.tui.archive.tree import human_size
from distscope.tui.safetext import visible

#: How much of a member the viewer reads and shows.
TEXT_LIMIT = 256 << 10
HEX_LIMIT = 32 << 10
#: The binary view reads at most this much of one binary (pyelftools and pefile parse it in memory).
BINARY_LIMIT = 256 << 20
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


#: How list-of-dict fields of the binaries analysis read as rows: (field, columns, row format).
ROW_FIELDS = {
    "dylibs": lambda d: f"{d.get('name')}  ({d.get('kind') or 'load'}"
                        + (f", compatibility {d['compat']}" if d.get("compat") else "")
                        + (f", current {d['current']}" if d.get("current") else "") + ")",
    "tools": lambda d: " ".join(str(d.get(k)) for k in ("tool", "version") if d.get(k)),
}


def binary_summary(info: Any) -> Text:
    """The analysis of one binary (an entry of the report's binaries) as readable lines."""
    out = Text()
    if not isinstance(info, dict):
        return Text("No analysis of this binary in the report.", style="italic")
    for key, value in info.items():
        if key in ("path", "needs", "size") or value in (None, "", [], {}):
            continue
        label = key.replace("_", " ")
        if isinstance(value, dict):
            out.append(f"{label}:\n", style="bold")
            for k, v in value.items():
                vs = ", ".join(map(str, v)) if isinstance(v, (list, tuple)) else str(v)
                out.append(f"  {visible(str(k))}: {visible(vs)}\n")
        elif isinstance(value, (list, tuple)):
            out.append(f"{label}:", style="bold")
            if all(not isinstance(v, (dict, list)) for v in value):
                out.append(" " + visible(", ".join(map(str, value))) + "\n")
            else:
                out.append("\n")
                row = ROW_FIELDS.get(key)
                for v in value:
                    if isinstance(v, dict):
                        line = row(v) if row else "  ".join(f"{k} {x}" for k, x in v.items() if x not in (None, [], ""))
                        out.append(f"  {visible(line)}\n")
                    else:
                        out.append(f"  {visible(str(v))}\n")
        else:
            out.append(f"{label}: ", style="bold")
            out.append(f"{visible(str(value))}\n")
    return out


def folder_summary(node, top: int = 12) -> Text:
    out = Text()
    kids = sorted((node.children or {}).values(), key=lambda n: -n.size)[:top]
    if kids:
        out.append("largest inside:\n", style="bold")
        for kid in kids:
            out.append(f"{human_size(kid.size):>10}  {visible(kid.name)}{'/' if kid.is_dir else ''}\n")
    return out


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
    """Shows one member, read from the member source by a worker (a newer read cancels the
    older one). Short texts (summaries, messages) wrap in a scrolling Static; code and hex
    dumps use a LinesView."""

    DEFAULT_CSS = """
    MemberViewer { border-top: solid $primary-muted; }
    MemberViewer:focus-within { border-top: solid $accent; }
    MemberViewer > VerticalScroll { height: 1fr; padding: 0 1; }
    MemberViewer > LinesView { display: none; padding: 0 1; }
    MemberViewer.-lines > LinesView { display: block; }
    MemberViewer.-lines > VerticalScroll { display: none; }
    """

    ALLOW_MAXIMIZE = True

    def __init__(self, source, **kwargs) -> None:
        super().__init__(**kwargs)
        self.source = source
        self.mode = "auto"
        self.indexed = False
        self.binaries: dict[str, dict] = {}
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
        """The text shown now (for tests)."""
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

    def show_message(self, message: str) -> None:
        self._node = None
        self.workers.cancel_group(self, "read")
        self._set(Text(message, style="italic dim"), "viewer")

    def cycle_mode(self) -> str:
        self.mode = MODES[(MODES.index(self.mode) + 1) % len(MODES)]
        if self._node is not None:
            self.show_node(self._node)
        return self.mode

    def show_node(self, node) -> None:
        """View a tree node (a folder shows its summary, a file its content)."""
        self._node = node
        self.workers.cancel_group(self, "read")
        member = node.member
        if node.is_dir:
            self._set(folder_summary(node), "folder")
            return
        if member is not None and member.type in ("symlink", "hardlink"):
            final = self.source.resolve(node.path)
            if final is None:
                self._set(Text(f"{member.type} to {visible(member.linkname)}: it climbs out of the archive, "
                               "is absolute or loops; nothing to show.", style="italic"), member.type)
                return
        elif member is None or member.type != "file":
            self._set(Text("Nothing to view for this member type.", style="italic dim"), "viewer")
            return
        mode = self.mode
        kind = member.kind if member is not None else ""
        if mode == "binary" or (mode == "auto" and kind in NATIVE):
            self._set(self._summary(node.path, kind), f"binary summary: {kind or '?'}")
            return
        self._set(Text("reading…", style="italic dim"), "viewer")
        self._read(node.path, mode, kind)

    @work(thread=True, exclusive=True, group="read", exit_on_error=False, description="reading a member")
    def _read(self, path: str, mode: str, kind: str) -> None:
        limit = HEX_LIMIT if mode == "hex" else TEXT_LIMIT
        try:
            data = self.source.read(path, limit=limit + 1)
        except Exception as exc:
            self._show_error(path, exc)
            return
        truncated = len(data) > limit
        data = data[:limit]
        if mode == "hex" or (mode == "auto" and not looks_text(data, kind)):
            dump = hex_dump(data)
            if truncated:
                dump.append(f"… first {human_size(limit)} shown; p pages through it all", style="italic dim")
            lines, title = dump.split("\n"), f"hex: {kind or 'data'}"
        else:
            lines, title = highlight(path, data, truncated).split("\n", allow_blank=True), f"text: {kind or 'text'}"
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self._set_lines, lines, title)

    def _summary(self, path: str, kind: str) -> Text:
        info = self.binaries.get(path)
        if info is not None:
            out = binary_summary(info)
        elif kind not in NATIVE:
            out = Text("Not an ELF, PE or Mach-O binary: nothing to summarise.", style="italic")
        elif self.indexed:
            out = Text("Analysing the archive: the summary appears when the analysis is done.", style="italic")
        else:
            out = Text("Indexing the archive: the summary appears when the analysis is done.", style="italic")
        if kind in NATIVE:
            hint = Text("Enter or b: the full binary view (headers, symbols, imports)\n", style="bold")
            out = hint + out
        return out

    def open_binary(self, path: str) -> None:
        """Read and parse one binary (pyelftools, pefile) in a worker, then show its tables."""
        self.app.notify(f"Reading {visible(path)}…", timeout=2)
        self._read_binary(path)

    @work(thread=True, exclusive=True, group="binary", exit_on_error=False, description="reading a binary")
    def _read_binary(self, path: str) -> None:
        from distscope.widgets.binary import inspect_binary

        try:
            data = self.source.read(path, limit=BINARY_LIMIT)
            tables = inspect_binary(data, path, self.source.find)
        except Exception as exc:
            msg = getattr(exc, "message", None) or f"{type(exc).__name__}: {exc}"
            self.app.call_from_thread(self.app.notify, f"Cannot inspect {visible(path)}: {visible(str(msg))}",
                                      severity="error")
            return
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self._show_tables, path, tables)

    def _show_tables(self, path: str, tables) -> None:
        from distscope.widgets.binary import BinaryScreen

        if tables is None:
            self.app.notify("Not an ELF, PE or Mach-O binary.", severity="warning")
            return
        self.app.push_screen(BinaryScreen(path, tables))

    def _show_error(self, path: str, exc: BaseException) -> None:
        msg = getattr(exc, "message", None) or f"{type(exc).__name__}: {exc}"
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self._set, Text(f"Cannot read {visible(path)}: {visible(str(msg))}",
                                                      style="bold red"), "viewer")
