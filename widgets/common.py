"""Shared bits of the panes: the "still coming" notice and small rich helpers."""

from __future__ import annotations

import threading
from typing import Any, Callable, Iterable, Iterator, Protocol

from functools import lru_cache

from rich.color import Color as RichColor
from rich.segment import Segment
from rich.style import Style
from rich.table import Table
from rich.text import Text
from textual.color import Color
from textual.filter import LineFilter, monochrome_style
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.message import Message
from textual import events
from textual.geometry import Size
from textual.widget import Widget
from textual.widgets import DataTable, Input, Static, Tree

from distscope.tui.safetext import visible


#: Least difference in brightness (0..1) between text and its background under NO_COLOR.
MIN_CONTRAST = 0.35
_LIGHT, _DARK = RichColor.from_rgb(224, 224, 224), RichColor.from_rgb(24, 24, 24)
#: Segments made only of these (borders, tree guides, scroll bars) keep their greys: they are
#: chrome, and lifting them would also erase the active tab's underline.
_CHROME = frozenset(" " + "".join(chr(c) for c in range(0x2500, 0x25A0)))


@lru_cache(1024)
def readable_monochrome_style(style: Style, background: Color) -> Style:
    """``style`` in greys (as Textual's NO_COLOR filter makes it), with the text lifted to light
    (or dark) grey where it would be within :data:`MIN_CONTRAST` of its background. Red, for one,
    turns into grey 237 on the dark theme's 233: the marks and words were there, unreadable."""
    fg = None if style.color is None else Color.from_rich_color(style.color).monochrome
    bg = background if style.bgcolor is None else Color.from_rich_color(style.bgcolor).monochrome
    if fg is not None and abs(fg.brightness - bg.brightness) < MIN_CONTRAST:
        return style + Style.from_color(_DARK if bg.brightness > 0.5 else _LIGHT,
                                        None if style.bgcolor is None else bg.rich_color)
    return style + Style.from_color(None if fg is None else fg.rich_color,
                                    None if style.bgcolor is None else bg.rich_color)


class ReadableMonochrome(LineFilter):
    """Textual's ``Monochrome`` filter (used when NO_COLOR is set) that keeps text readable: see
    :func:`readable_monochrome_style`. What colour told apart is said by marks and words too."""

    def apply(self, segments: list[Segment], background: Color) -> list[Segment]:
        background = background.monochrome
        return [Segment(text, None if style is None else monochrome_style(style) if _CHROME.issuperset(text)
                        else readable_monochrome_style(style, background), None)
                for text, style, _ in segments]


class MemberSource(Protocol):
    """What a pane needs to read an archive's members (see :class:`distscope.tui.source.ArchiveSource`).
    Every method may block: call them from a worker."""

    def read(self, path: str, limit: int | None = None) -> bytes: ...

    def chunks(self, path: str) -> Iterator[bytes]: ...

    def size(self, path: str) -> int: ...

    def resolve(self, path: str) -> str | None: ...

    def find(self, path: str) -> str | None: ...

    def extract(self, paths: list[str], dest: str, on_progress: Callable[[int, int, int], None],
                cancel: threading.Event) -> Any: ...


class GotoMember(Message):
    """A pane asks to show a member in Files (the app switches panes)."""

    def __init__(self, path: str) -> None:
        super().__init__()
        self.path = path


def focus_now(widget) -> None:
    """Focus ``widget`` before the next queued key is handled. ``Widget.focus`` defers the change
    (``call_later``), so keys that arrived in the same burst as the one opening an input (a paste,
    SSH coalescing keystrokes) would still go to the old widget and run its bindings."""
    widget.screen.set_focus(widget, scroll_visible=False)


class FilterBox(Input):
    """A pane's one-line filter box, the same in every pane: hidden until :meth:`open` (the
    pane binds ``f`` or ``/``), it filters as you type (``apply`` gets the text); Enter gives the
    keys back to the pane's main widget (``back``) and, on an empty box, closes it; :meth:`clear`
    (the pane binds Esc) empties and closes it and shows everything again. ``always_open`` keeps
    it on screen (the Components pane shows its box all the time)."""

    DEFAULT_CSS = """
    FilterBox, FilterBox:focus { display: none; height: 1; border: none; padding: 0 1; background: $boost; }
    FilterBox.-open { display: block; }
    """

    def __init__(self, placeholder: str, *, apply: Callable[[str], None], back: Callable[[], Widget],
                 always_open: bool = False, id: str | None = None) -> None:
        super().__init__(placeholder=placeholder, id=id, classes="-open" if always_open else None)
        self._apply = apply
        self._back = back
        self.always_open = always_open

    @property
    def is_open(self) -> bool:
        return self.has_class("-open")

    def open(self) -> None:
        self.add_class("-open")
        focus_now(self)

    def clear(self) -> None:
        """Esc: no filter, the box closed, keys back to the pane (at once: the Input.Changed of
        the emptied box comes only after keys already queued)."""
        if self.value or self.is_open:
            self.value = ""
            self.set_class(self.always_open, "-open")
            self._apply("")
        focus_now(self._back())

    def _on_input_changed(self, event: Input.Changed) -> None:
        if event.input is self:
            self._apply(event.value)

    def _on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input is not self:
            return
        event.stop()
        if not event.value.strip() and not self.always_open:
            self.remove_class("-open")
        focus_now(self._back())


def kv_table(rows: Iterable[tuple[str, Any]], key_width: int = 18) -> Table:
    """A two-column key/value grid; rows whose value is None or empty are skipped."""
    grid = Table.grid(padding=(0, 1))
    grid.add_column(style="bold", width=key_width, no_wrap=True)
    grid.add_column(ratio=1)
    for key, value in rows:
        if value is None or value == "" or value == [] or value == {}:
            continue
        if isinstance(value, (list, tuple)):
            value = ", ".join(str(v) for v in value)
        elif isinstance(value, bool):
            value = "yes" if value else "no"
        grid.add_row(key, value if isinstance(value, Text) else Text(visible(str(value))))
    return grid


def heading(title: str) -> Text:
    return Text(title, style="bold underline")


def severity_text(severity: str) -> Text:
    style = {"error": "bold red", "warning": "bold yellow", "info": "cyan"}.get(severity, "")
    return Text(f"{severity.upper():7}", style=style)


def waiting_text(what: str) -> Text:
    """What a report pane says while the archive is indexed."""
    return Text(f"Indexing the archive: {what} will show here when the analysis is done.", style="italic")


def pending_text(stage: str, what: str) -> Text:
    """What a report pane says once the archive is read and the analysis is at ``stage``."""
    return Text(f"The archive is read; {stage}: {what} will show here next.", style="italic")


def error_text(message: str) -> Text:
    return Text(f"Nothing to show: {message}", style="bold red")


def missing_text(what: str) -> Text:
    """What a pane says when the analysis made none of its sections: an analyser failed on this
    archive (the report carries an analysis-error finding saying where)."""
    return Text(f"{what[:1].upper()}{what[1:]} could not be made: an analyser failed on this archive "
                "(`distscope report` lists it as an analysis-error finding).", style="italic")


class ReportPane(VerticalScroll):
    """A scrolling pane that renders report sections once the analysis is done; before that it
    says what is still coming."""

    WHAT = "this pane"

    DEFAULT_CSS = """
    ReportPane { padding: 0 1; }
    ReportPane > .notice { color: $text-muted; padding: 1 0; }
    """

    def compose(self):
        yield Static(waiting_text(self.WHAT), classes="notice", id=f"{self.id}-notice")
        yield Static(id=f"{self.id}-body")

    @property
    def notice(self) -> Static:
        return self.query_one(f"#{self.id}-notice", Static)

    @property
    def body(self) -> Static:
        return self.query_one(f"#{self.id}-body", Static)

    def set_pending(self, stage: str) -> None:
        self.notice.update(pending_text(stage, self.WHAT))

    def show_error(self, message: str) -> None:
        self.notice.display = True
        self.notice.update(error_text(message))

    def set_report(self, report) -> None:
        """Render the typed report (:class:`distscope.tui.model.report.Report`)."""
        if not self.has_sections(report):
            self.notice.update(missing_text(self.WHAT))
            return
        self.notice.display = False
        self.render_report(report)

    def has_sections(self, report) -> bool:  # pragma: no cover - overridden
        raise NotImplementedError

    def render_report(self, report) -> None:  # pragma: no cover - overridden
        raise NotImplementedError


class NavTree(Tree):
    """A tree with j/k moving like the arrows."""

    BINDINGS = [Binding("j", "cursor_down", "Down", show=False), Binding("k", "cursor_up", "Up", show=False)]

    def notify_style_update(self) -> None:
        """A style change (the focus coming or going, a theme) changes how rows look, not which
        rows there are or how wide: drop the drawn lines, keep the list of rows. (``Tree``
        rebuilds and measures every open row on each, so every pane switch to a big open tree
        cost time in proportion to its rows.)"""
        Widget.notify_style_update(self)
        self._line_cache.clear()
        self.refresh()

    def _on_resize(self, event: events.Resize) -> None:
        """Every widget of a pane gets a Resize each time the pane is shown again. The rows do
        not depend on the tree's size (their drawn lines are cached by width): make room in the
        line cache and redraw, rather than rebuild the rows as ``Tree`` does."""
        event.prevent_default()
        self._line_cache.grow(event.size.height)
        if self._tree_lines_cached:
            self.refresh()
        else:
            self._invalidate()


class RowTable(DataTable):
    """A DataTable that keeps its drawn rows when it is shown again at the same size (every
    widget of a pane gets a Resize each time the pane is shown; DataTable redraws every row on
    each, even when its size did not change)."""

    _drawn_size: Size | None = None
    _styles_seen: tuple[Any, ...] | None = None
    #: Rows :meth:`fill` adds per turn of the event loop.
    FILL_STEP = 100
    _filling = 0

    def fill(self, rows: list[tuple[tuple[Any, ...], str]]) -> None:
        """Replace the rows with ``rows`` (cells, key): the first FILL_STEP at once, the rest a
        step per turn of the event loop. DataTable measures every cell of the rows added since
        it was last idle in one go (160 ms for the 981 components of the benchmark archive);
        keys pressed meanwhile now wait for one step at most."""
        self.clear()
        self._filling += 1
        self._fill_step(rows, 0, self._filling)

    def _fill_step(self, rows: list[tuple[tuple[Any, ...], str]], start: int, filling: int) -> None:
        if filling != self._filling:
            return  # (a newer fill replaced these rows)
        for cells, key in rows[start:start + self.FILL_STEP]:
            self.add_row(*cells, key=key)
        if start + self.FILL_STEP < len(rows):
            self.call_later(self._fill_step, rows, start + self.FILL_STEP, filling)

    def _on_resize(self, event: events.Resize) -> None:
        if event.size == self._drawn_size:
            event.prevent_default()
            return
        self._drawn_size = event.size

    def notify_style_update(self) -> None:
        """DataTable drops every drawn row on any style change. The focus coming or going is
        one each pane switch, and the rows' caches are keyed by the focus state already: keep
        them then (drop them when the styles themselves change: a theme, NO_COLOR)."""
        styles = (self.app.theme, self.app.ansi_color, self.app.no_color, tuple(sorted(self.classes)))
        if styles == self._styles_seen:
            Widget.notify_style_update(self)
            self._get_styles_to_render_cell.cache_clear()  # (a few styles, by cell kind: not keyed by focus)
            self.refresh()
            return
        self._styles_seen = styles
        super().notify_style_update()
