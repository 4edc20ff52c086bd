"""NO_COLOR (issue 14): every pane's text keeps its contrast, and a status reads without colour."""

from __future__ import annotations

import html
import re


from tests.apptools import settle
from distscope.tui.app import DistscopeApp
from distscope.widgets.common import MIN_CONTRAST

SIZE = (100, 30)
_CLASS = re.compile(r"\.(terminal-[\w-]+) \{ fill: (#[0-9a-f]{6})([^}]*)\}")
_RECT = re.compile(r'<rect fill="(#[0-9a-f]{6})" x="([\d.]+)" y="([\d.]+)" width="[\d.]+" height="([\d.]+)"')
_TEXT = re.compile(r'<text class="(terminal-[\w-]+)" x="([\d.]+)" y="([\d.]+)"[^>]*>([^<]*)</text>')
#: borders, tree guides and scroll bars stay in their greys (see widgets.common._CHROME)
_CHROME = set(" \xa0" + "".join(chr(c) for c in range(0x2500, 0x25A0)))


def _brightness(colour: str) -> float:
    r, g, b = (int(colour[i:i + 2], 16) for i in (1, 3, 5))
    return (299 * r + 587 * g + 114 * b) / 1000 / 255


def cells(svg: str) -> list[tuple[str, float, bool]]:
    """Each run of text in a screenshot: (text, its contrast with the background, bold)."""
    classes = {name: (fill, "bold" in rest) for name, fill, rest in _CLASS.findall(svg)}
    rects = {(float(x), float(y)): (fill, float(h)) for fill, x, y, h in _RECT.findall(svg)}
    out = []
    for cls, x, y, text in _TEXT.findall(svg):
        if not html.unescape(text).strip():
            continue
        fill, bold = classes[cls]
        back = next((f for (rx, ry), (f, h) in rects.items()
                     if rx == float(x) and ry <= float(y) < ry + h), None)
        assert back is not None, f"no background under {text!r}"
        out.append((html.unescape(text).replace("\xa0", " "), abs(_brightness(fill) - _brightness(back)), bold))
    return out


async def test_no_color_keeps_contrast_and_says_status_in_words(demo, monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")
    app = DistscopeApp(demo, use_cache=False)
    async with app.run_test(size=SIZE) as pilot:
        assert app.no_color
        await settle(pilot, app, lambda: app.report is not None)
        shots = {}
        for key in "123456":
            await pilot.press(key)
            await pilot.pause()
            shots[key] = cells(app.export_screenshot())
    for key, runs in shots.items():
        faint = [(t, round(c, 2)) for t, c, _ in runs if not set(t) <= _CHROME and c < MIN_CONTRAST - 0.05]
        assert not faint, f"pane {key}: text nearly invisible under NO_COLOR: {faint}"

    requirements = {t.strip(): (c, bold) for t, c, bold in shots["4"]}
    line = "".join(t for t, _, _ in shots["4"])
    assert "this machine: ✗ no" in line
    contrast, bold = requirements["✗ no"]  # red before: grey 237 on 233 (a contrast of 0.02)
    assert bold and contrast > 0.5
    for status in ("✗ MISSING", "! unexpected", "✓ allowed"):  # a mark and a word each
        assert requirements[status][0] > 0.5, status
    assert requirements["✗ MISSING"][1] and requirements["! unexpected"][1]
    # the summary's problems carry a mark for their severity, not only a colour
    assert "  ✗ " in "".join(t for t, _, _ in shots["1"])
