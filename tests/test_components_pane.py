"""Pilot tests of the Components pane at 80x24: the inventory as a table, the filter, and ``g``
going to the evidence in Files."""

from __future__ import annotations

import dataclasses

from distscope.tui.app import DistscopeApp
from distscope.tui.model.components import Component, Evidence
from distscope.widgets.components import ComponentsPane
from distscope.widgets.files import FilesPane
from tests.archives import write_archive
from tests.component_fixtures import fixture_entries

SIZE = (80, 24)


async def settle(pilot, until, tries: int = 300) -> None:
    for _ in range(tries):
        await pilot.pause(0.02)
        if until():
            return
    raise AssertionError("condition never held")


def rows(pane: ComponentsPane) -> list[tuple[str, str | None]]:
    return [(c.name, c.version) for c in pane.shown]


async def test_components_pane_filter_and_goto(tmp_path):
    archive = write_archive(tmp_path / "d.tar.zst", fixture_entries())
    app = DistscopeApp(archive, use_cache=False)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, lambda: app.report is not None)
        await pilot.press("6")
        await pilot.pause()
        assert app.query_one("#panes").active == "components"
        pane = app.query_one(ComponentsPane)
        assert ("CPython", "3.12.7") in rows(pane) and ("numpy", "2.4.6") in rows(pane)
        assert rows(pane)[0] == ("CPython", "3.12.7")  # the interpreter first, then the libraries
        # The filter narrows the table (every word must match somewhere).
        await pilot.press("slash", *"openssl", "enter")
        await pilot.pause()
        assert sorted(rows(pane)) == [("OpenSSL", "3.0.15"), ("OpenSSL", "3.5.1"), ("openssl", "4.0.0")]
        assert "OpenSSL 3.0.15" in str(app.query_one("#comp-evidence").render())
        # g shows the evidence of the selected row in Files.
        await pilot.press("g")
        await pilot.pause()
        assert app.query_one("#panes").active == "files"
        node = app.query_one(FilesPane).current()
        assert node is not None and node.path == pane.evidence_path() == "python/lib/libcrypto.so.3"
        # Back in the pane, escape clears the filter.
        await pilot.press("6", "escape")
        await pilot.pause()
        assert len(rows(pane)) == len(pane.inventory.components)
        svg = app.export_screenshot()
        assert "Components" in svg and "OpenSSL" in svg


async def test_components_pane_fits_80x24_and_says_when_unknown(tmp_path):
    archive = write_archive(tmp_path / "d.tar.zst", fixture_entries())
    app = DistscopeApp(archive, use_cache=False)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, lambda: app.report is not None)
        await pilot.press("6", "slash", *"gfortran", "enter")
        await pilot.pause()
        pane = app.query_one(ComponentsPane)
        assert rows(pane) == [("libgfortran", None)]
        detail = str(app.query_one("#comp-evidence").render())
        assert "version unknown" in detail and "ABI" in detail
        table = app.query_one("#comp-table")
        assert table.region.height >= 5 and table.region.width <= 80


async def test_components_pane_renders_the_typed_report_with_archive_text_made_visible(tmp_path):
    """The pane takes the typed Report (as every pane does); names, versions and paths come from
    the archive, so control characters in them are shown escaped, never sent to the terminal."""
    archive = write_archive(tmp_path / "d.tar.zst", fixture_entries())
    app = DistscopeApp(archive, use_cache=False)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, lambda: app.report is not None)
        pane = app.query_one(ComponentsPane)
        assert pane.inventory is app.report.components  # the model itself, not a copy via the JSON contract
        evil = Component(id="pypi:evil", name="evil\x1b[2J", kind="python-package", version="1.0\x07",
                         licence="MIT\x1b]0;t\x07", licence_source="METADATA\r",
                         evidence=[Evidence("site-packages/evil\x1b[31m.dist-info/METADATA", "metadata", "x\x1b[0m")])
        inventory = dataclasses.replace(app.report.components, components=[evil])
        pane.set_report(dataclasses.replace(app.report, components=inventory))
        await pilot.press("6")
        await pilot.pause()
        assert rows(pane) == [("evil\x1b[2J", "1.0\x07")]
        table = app.query_one("#comp-table")
        cells = " ".join(str(c) for c in table.get_row_at(0))
        detail = str(app.query_one("#comp-evidence").render())
        for shown in (cells, detail):
            assert "\x1b" not in shown and "\x07" not in shown and "\r" not in shown
        assert "evil" in cells and "evil" in detail
        await pilot.press("g")
        await pilot.pause()
        assert app.query_one("#panes").active == "files"  # GotoMember, like the other panes
