"""Helpers for the app's tests: wait for a condition, read the screen as text through Textual's
public screenshot export, send keys in one burst as a terminal delivers a paste."""

from __future__ import annotations

import html
import re

from textual import events

#: Width of one cell in Rich's SVG export (font size 20 x 0.61).
_CELL = 12.2
_TEXT = re.compile(r'<text class="[^"]*" x="([\d.]+)" y="[\d.]+" textLength="[\d.]+" '
                   r'clip-path="url\(#terminal-\d+-line-(\d+)\)">(.*?)</text>')
_KEYS = {"/": "slash", " ": "space", "?": "question_mark", ".": "full_stop", "-": "minus", "*": "asterisk",
         "_": "underscore"}


async def settle(pilot, app, until, tries: int = 300) -> None:
    """Let the app run until ``until()`` holds (the index runs in a worker)."""
    for _ in range(tries):
        await pilot.pause(0.02)
        if until():
            return
    raise AssertionError("condition never held")


def text_of(widget) -> str:
    """The plain text a Static (or Label) shows."""
    content = widget.render()
    return getattr(content, "plain", None) or str(content)


def screen_text(app) -> str:
    """The whole screen as plain text, read from ``App.export_screenshot`` (public API)."""
    width, height = app.size
    rows = [[" "] * width for _ in range(height)]
    for x, line, content in _TEXT.findall(app.export_screenshot()):
        col, row = round(float(x) / _CELL), int(line)
        for i, ch in enumerate(html.unescape(content).replace("\xa0", " ")):
            if row < height and col + i < width:
                rows[row][col + i] = ch
    return "\n".join("".join(r).rstrip() for r in rows)


def burst(app, text: str) -> None:
    """Queue every key of ``text`` at once, as a terminal delivers a paste or SSH coalesced
    keystrokes (``pilot.press`` waits for each key to be handled, so it cannot show the bug)."""
    for ch in text:
        key = _KEYS.get(ch, "enter" if ch == "\r" else "escape" if ch == "\x1b" else ch)
        app.post_message(events.Key(key, ch if ch.isprintable() else None))
