"""The footer: the keys of whatever has focus, on one line, in one widget."""

from __future__ import annotations

from typing import NamedTuple

from rich.text import Text
from textual import events
from textual.screen import Screen
from textual.widget import Widget


class _Key(NamedTuple):
    key: str  #: what a click presses
    display: str
    description: str
    tooltip: str
    enabled: bool


class KeyLine(Widget, can_focus=False):
    """Textual's compact ``Footer``, drawn as one line of text: the focused widget's shown
    bindings (then the app's), and ``^p palette`` at the right. A click on a key presses it;
    hovering shows its tooltip.

    Textual's ``Footer`` mounts a widget per key and re-mounts them all whenever the focus
    moves, which on a pane switch cost more than the rest of the switch, and left those
    widgets as cyclic garbage for full collections. This one re-renders its line only when
    the keys it shows change."""

    ALLOW_SELECT = False
    COMPONENT_CLASSES = {"keyline--key", "keyline--description", "keyline--hover"}
    DEFAULT_CSS = """
    KeyLine {
        dock: bottom; height: 1; text-wrap: nowrap;
        color: $footer-foreground; background: $footer-background;
        & > .keyline--key { color: $footer-key-foreground; background: $footer-key-background; text-style: bold; }
        & > .keyline--description { color: $footer-description-foreground; background: $footer-description-background; }
        & > .keyline--hover { background: $block-hover-background; }
    }
    """

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._keys: list[_Key] = []
        self._palette: _Key | None = None
        self._spans: list[tuple[int, int, _Key]] = []  #: cells each key takes, as last drawn
        self._hover: _Key | None = None

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)
        self._bindings_changed(self.screen)

    def _bindings_changed(self, screen: Screen) -> None:
        if not self.is_attached or screen is not self.screen:
            return
        keys, palette = self._shown(screen)
        if keys != self._keys or palette != self._palette:
            self._keys, self._palette = keys, palette
            self.refresh()

    def _shown(self, screen: Screen) -> tuple[list[_Key], _Key | None]:
        """The keys to show (one per action, as the Footer does) and the palette's key."""
        app = self.app
        keys: list[_Key] = []
        actions: set[str] = set()
        active = screen.active_bindings
        for _, binding, enabled, tooltip in active.values():
            if binding.show and binding.action not in actions:
                actions.add(binding.action)
                keys.append(_Key(binding.key, app.get_key_display(binding), binding.description,
                                 tooltip or "", enabled))
        palette = None
        if app.ENABLE_COMMAND_PALETTE and app.COMMAND_PALETTE_BINDING in active:
            _, binding, enabled, tooltip = active[app.COMMAND_PALETTE_BINDING]
            palette = _Key(binding.key, app.get_key_display(binding), binding.description,
                           binding.tooltip or binding.description, enabled)
        return keys, palette

    def render(self) -> Text:
        key_style = self.get_component_rich_style("keyline--key")
        description_style = self.get_component_rich_style("keyline--description")
        hover_style = self.get_component_rich_style("keyline--hover", partial=True)
        width = self.size.width
        right = Text()
        if self._palette is not None:
            right.append("▏", style=self.rich_style + self.get_component_rich_style("keyline--description"))
            right.append(self._palette.display, style=key_style)
            right.append(f" {self._palette.description}", style=description_style)
            right.append(" ")  # (the Footer's margin)
        room = max(0, width - right.cell_len)
        line = Text(no_wrap=True, overflow="crop", end="")
        spans: list[tuple[int, int, _Key]] = []
        for key in self._keys:
            start = line.cell_len
            line.append(key.display, style=key_style)
            if key.description:
                line.append(f" {key.description}", style=description_style)
            if not key.enabled:
                line.stylize("dim", start)
            if key is self._hover or (self._hover is not None and key == self._hover):
                line.stylize(hover_style, start)
            spans.append((start, line.cell_len, key))
            line.append(" ")
        line.truncate(room, pad=True)
        if self._palette is not None:
            spans.append((room + 1, width - 1, self._palette))
        line.append_text(right)
        self._spans = spans
        return line

    def _key_at(self, x: int) -> _Key | None:
        return next((key for start, end, key in self._spans if start <= x < end), None)

    def on_click(self, event: events.Click) -> None:
        key = self._key_at(event.x)
        if key is None:
            return
        if key.enabled:
            self.app.simulate_key(key.key.split(",")[0])
        else:
            self.app.bell()

    def on_mouse_move(self, event: events.MouseMove) -> None:
        key = self._key_at(event.x)
        if key != self._hover:
            self._hover = key
            self.tooltip = (key.tooltip or None) if key is not None else None
            self.refresh()

    def on_leave(self, event: events.Leave) -> None:
        if self._hover is not None:
            self._hover = None
            self.tooltip = None
            self.refresh()
