"""The app's Diff screen, driven as a user would: ``distscope OLD NEW`` and the ``D`` key, tabs
per category, ``g`` to the member."""

from __future__ import annotations

import pytest

from tests.apptools import screen_text, settle
from tests.archives import write_archive
from tests.diff_fixtures import new_entries, old_entries
from distscope.tui.app import DistscopeApp
from distscope.widgets.diff import DiffScreen
from distscope.widgets.dialogs import PromptScreen
from distscope.widgets.files import ArchiveTree


SIZE = (100, 30)


@pytest.fixture
def pair(tmp_path):
    old = write_archive(tmp_path / "old-3.12.tar.zst", old_entries())
    new = write_archive(tmp_path / "new-3.13.tar.zst", new_entries())
    return str(old), str(new)


async def test_open_against_shows_every_category_and_g_goes_to_the_member(pair):
    app = DistscopeApp(pair[1], compare_with=pair[0])
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app, lambda: isinstance(app.screen, DiffScreen) and app.screen.diff is not None, 400)
        screen = app.screen
        await settle(pilot, app, lambda: "minimum glibc" in screen_text(app))  # (the rows draw next)
        text = screen_text(app)
        assert "Summary" in text and "Members 8" in text and "Requirements 5" in text
        await pilot.press("7")  # Members
        await pilot.pause()
        members = screen.rows["members"]
        target = next(i for i, r in enumerate(members) if r.path == "python/install/lib/python3.13/tool.py")
        table = screen.query_one("#diff-table-members")
        table.move_cursor(row=target)
        await pilot.press("g")
        tree = app.query_one(ArchiveTree)
        await settle(pilot, app, lambda: tree.cursor_path == "python/install/lib/python3.13/tool.py")
        assert not isinstance(app.screen, DiffScreen)


async def test_without_cache_the_open_archive_is_not_read_again(pair, monkeypatch):
    """The Diff screen takes the app's own index of NEW: with --no-cache only OLD gets a pass."""
    import distscope.tui.session as session

    passes: list[str] = []
    real_scan = session.Scan

    def counting_scan(path, *args, **kwargs):
        passes.append(str(path))
        return real_scan(path, *args, **kwargs)

    monkeypatch.setattr(session, "Scan", counting_scan)
    app = DistscopeApp(pair[1], compare_with=pair[0], use_cache=False)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app, lambda: isinstance(app.screen, DiffScreen) and app.screen.diff is not None, 400)
    assert sorted(passes) == sorted(pair)  # one pass each


async def test_removed_member_says_it_is_only_in_old(pair):
    app = DistscopeApp(pair[1], compare_with=pair[0])
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app, lambda: isinstance(app.screen, DiffScreen) and app.screen.diff is not None, 400)
        screen = app.screen
        await pilot.press("7")
        members = screen.rows["members"]
        target = next(i for i, r in enumerate(members) if r.mark == "-")
        screen.query_one("#diff-table-members").move_cursor(row=target)
        await pilot.press("g")
        await pilot.pause()
        assert isinstance(app.screen, DiffScreen)  # stays: nothing to go to in NEW
        assert any("only in the old archive" in str(n.message) for n in app._notifications)


async def test_d_key_asks_for_the_old_archive(pair):
    app = DistscopeApp(pair[1])
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app, lambda: app.report is not None, 400)
        await pilot.press("D")
        await settle(pilot, app, lambda: isinstance(app.screen, PromptScreen))
        app.screen.query_one("Input").value = pair[0]
        await pilot.press("enter")
        await settle(pilot, app, lambda: isinstance(app.screen, DiffScreen) and app.screen.diff is not None, 400)
        await pilot.press("5")  # Findings
        await pilot.pause()
        assert "glibc-too-new" in screen_text(app)
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, DiffScreen)


async def test_bad_old_archive_shows_a_message(pair, tmp_path):
    junk = tmp_path / "junk.tar.zst"
    junk.write_bytes(b"junk" * 100)
    app = DistscopeApp(pair[1], compare_with=str(junk))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app, lambda: isinstance(app.screen, DiffScreen), 400)
        await settle(pilot, app, lambda: "No diff:" in screen_text(app), 400)
