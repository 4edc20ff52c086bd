"""Pilot tests: the app on fixture archives, driving every pane."""

from __future__ import annotations

import os
import threading

import pytest

from tests.apptools import screen_text, settle, text_of
from tests.archives import entry, small_distribution, write_archive
from distscope.tui.app import DistscopeApp
from distscope.widgets.dependencies import DependenciesPane
from distscope.widgets.files import ArchiveTree, FilesPane
from distscope.widgets.help import HelpScreen
from distscope.widgets.licences import LicencesPane
from distscope.widgets.status import StatusBar
from distscope.widgets.viewer import MemberViewer

SIZE = (100, 30)


@pytest.fixture
def small(tmp_path):
    entries = [*small_distribution(), entry("python/lib/python3.12/json/decoder.py", "import re\n"),
               entry("python/lib/python3.12/data.bin", bytes(range(256)))]
    return write_archive(tmp_path / "small.tar.zst", entries)


async def test_panes_switch_with_number_keys(demo):
    app = DistscopeApp(demo)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app, lambda: app.report is not None)
        panes = app.query_one("#panes")
        for key, pane in [("2", "files"), ("3", "dependencies"), ("4", "requirements"), ("5", "licences"),
                          ("1", "summary")]:
            await pilot.press(key)
            await pilot.pause()
            assert panes.active == pane
        assert "3.12.7" in screen_text(app)


async def test_number_keys_type_into_inputs(small):
    app = DistscopeApp(small)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app, lambda: app.index is not None)
        await pilot.press("2", "f", "3")
        await pilot.pause()
        assert app.query_one("#panes").active == "files"
        assert app.query_one("#filter").value == "3"


async def test_tree_fills_expands_and_shows_folder_totals(small):
    app = DistscopeApp(small)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app, lambda: app.index is not None)
        await pilot.press("2")
        tree = app.query_one(ArchiveTree)
        await settle(pilot, app, lambda: "python/lib" in tree._tnodes)  # the single top folder opens itself
        lib = tree._tnodes["python/lib"]
        assert "python/lib/python3.12" not in tree._tnodes  # lazy: not loaded until opened
        lib.expand()
        await pilot.pause()
        assert "python/lib/python3.12" in tree._tnodes
        assert "KiB" in str(tree._tnodes["python/lib"].label) or " B" in str(tree._tnodes["python/lib"].label)
        bin_label = str(tree._tnodes["python/bin"].label)
        assert bin_label.startswith("bin/")


async def test_filter_jump_and_view_text(small):
    app = DistscopeApp(small)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app, lambda: app.index is not None)
        await pilot.press("2", "f", *"decoder")
        await pilot.pause()
        tree = app.query_one(ArchiveTree)
        assert tree.shown is not None and "python/lib/python3.12/json/decoder.py" in tree.shown
        assert "python/bin" not in tree._tnodes
        await pilot.press("escape")
        await pilot.pause()
        assert tree.shown is None and "python/bin" in tree._tnodes
        await pilot.press("slash", *"os.py", "enter")
        await settle(pilot, app, lambda: tree.cursor_path == "python/lib/python3.12/os.py")
        viewer = app.query_one(MemberViewer)
        await settle(pilot, app, lambda: "import abc" in viewer.plain)
        assert app.query_one("#viewer").border_title.startswith("text")


async def test_view_binary_as_hex_and_symlink_details(small):
    app = DistscopeApp(small)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app, lambda: app.index is not None)
        await pilot.press("2")
        files = app.query_one(FilesPane)
        files.select_path("python/lib/python3.12/data.bin")
        viewer = app.query_one(MemberViewer)
        await settle(pilot, app, lambda: "00000000" in viewer.plain)
        files.select_path("python/bin/python")
        await settle(pilot, app, lambda: "symlink to python3" in text_of(app.query_one("#details")))
        assert "resolves to python/bin/python3.12" in text_of(app.query_one("#details"))


async def test_sort_by_size(tmp_path):
    archive = write_archive(tmp_path / "s.tar.gz", [entry("r/a.txt", "x"), entry("r/b.txt", "x" * 500),
                                                      entry("r/c/big", "y" * 5000)], "gzip")
    app = DistscopeApp(archive)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app, lambda: app.index is not None)
        await pilot.press("2")
        tree = app.query_one(ArchiveTree)
        await settle(pilot, app, lambda: "r/a.txt" in tree._tnodes)
        names = lambda: [c.data for c in tree._tnodes["r"].children]  # noqa: E731
        assert names() == ["r/c", "r/a.txt", "r/b.txt"]
        await pilot.press("o")
        await pilot.pause()
        assert names() == ["r/c", "r/b.txt", "r/a.txt"]


async def test_save_member_and_extract_subtree(small, tmp_path):
    app = DistscopeApp(small)
    dest = tmp_path / "saved-os.py"
    out = tmp_path / "out"
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app, lambda: app.index is not None)
        await pilot.press("2")
        files = app.query_one(FilesPane)
        files.select_path("python/lib/python3.12/os.py")
        await pilot.pause()
        await pilot.press("s")
        await pilot.pause()
        box = app.screen.query_one("#prompt-input")
        box.value = str(dest)
        await pilot.press("enter")
        await settle(pilot, app, lambda: dest.exists() and dest.stat().st_size == 550)
        files.select_path("python/lib/python3.12/json")
        await pilot.pause()
        await pilot.press("x")
        await pilot.pause()
        app.screen.query_one("#prompt-input").value = str(out)
        await pilot.press("enter")
        await settle(pilot, app, lambda: (out / "python/lib/python3.12/json/decoder.py").exists()
                     and not files._extracting)
        assert not (out / "python/lib/python3.12/os.py").exists()


async def test_licences_pane_lists_components_and_text(demo):
    app = DistscopeApp(demo)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app, lambda: app.report is not None)
        await pilot.press("5")
        pane = app.query_one(LicencesPane)
        await pilot.pause()
        names = [c.name for c in pane.components]
        assert names[0] == "readline"  # GPL first
        assert "GPL-licensed: readline" in text_of(app.query_one("#lic-head"))
        await settle(pilot, app, lambda: "GNU GENERAL PUBLIC LICENSE" in text_of(app.query_one("#lic-text")))
        await pilot.press("down")
        await settle(pilot, app, lambda: "PYTHON SOFTWARE FOUNDATION" in text_of(app.query_one("#lic-text")))


async def test_licence_texts_are_read_when_shown_and_once(demo):
    """Reading a licence text may mean a pass over the archive (or writing its seekable copy):
    it waits until the Licences pane is shown, and a text read is kept."""
    app = DistscopeApp(demo, use_cache=False)
    async with app.run_test(size=SIZE) as pilot:
        reads: list[str] = []
        real_read = app.source.read
        app.source.read = lambda path, limit=None: reads.append(path) or real_read(path, limit)
        await settle(pilot, app, lambda: app.report is not None)
        await pilot.pause(0.2)
        assert reads == []
        await pilot.press("5")
        await settle(pilot, app, lambda: "GNU GENERAL PUBLIC LICENSE" in text_of(app.query_one("#lic-text")))
        first = list(reads)
        assert first
        await pilot.press("down")
        await settle(pilot, app, lambda: "PYTHON SOFTWARE FOUNDATION" in text_of(app.query_one("#lic-text")))
        await pilot.press("up", "1", "5")
        await settle(pilot, app, lambda: "GNU GENERAL PUBLIC LICENSE" in text_of(app.query_one("#lic-text")))
        await pilot.pause(0.1)
        assert reads.count(first[0]) == 1


async def test_the_index_pass_waits_while_a_key_is_answered(demo, monkeypatch):
    """The pass and the UI share one interpreter lock: a key clears the app's ``input_answered``
    until its effect is on screen, and that event is the gate of the app's pass (tested in
    test_cache.py: a clear gate holds both threads of the pass)."""
    import threading

    from distscope.tui import session

    gates = []
    open_index = session.open_index

    def recording(*args, **kwargs):
        gates.append(kwargs.get("gate"))
        return open_index(*args, **kwargs)

    monkeypatch.setattr(session, "open_index", recording)
    app = DistscopeApp(demo)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app, lambda: app.report is not None)
        assert gates == [app.input_answered]
        log: list[str] = []
        panes = app.query_one("#panes")

        class Recorded(threading.Event):
            def clear(self) -> None:
                log.append("key")
                super().clear()

            def set(self) -> None:
                log.append(f"answered on {panes.active}")
                super().set()

        app.input_answered = Recorded()
        app.input_answered.set()
        log.clear()
        await pilot.press("2")
        await settle(pilot, app, app.input_answered.is_set)
        assert log == ["key", "answered on files"]


async def test_the_report_comes_before_the_cache_entry_is_written(demo, monkeypatch):
    """The index worker hands the index and its report to the panes first; writing the cache
    entry comes after, and the status line says it runs."""
    from distscope.tui.archive import cache as cache_module

    release = threading.Event()
    store = cache_module.IndexCache.store

    def slow_store(self, *args, **kwargs):
        release.wait(10)
        return store(self, *args, **kwargs)

    monkeypatch.setattr(cache_module.IndexCache, "store", slow_store)
    app = DistscopeApp(demo)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app, lambda: app.report is not None)
        await settle(pilot, app, lambda: "writing the index cache" in screen_text(app))
        release.set()
        await settle(pilot, app, lambda: "writing the index cache" not in screen_text(app))


async def test_status_line_says_how_far_the_seekable_copy_is(tmp_path, monkeypatch):
    """A member read after indexing starts the seekable copy (a pass writing the archive again
    into the cache, hundreds of MB for a big one): the status line says so, and how far."""
    import threading

    from distscope.tui.archive import copies

    big = "python/lib/python3.12/big.py"  # (larger than the small members the pass keeps)
    archive = write_archive(tmp_path / "big.tar.zst", [*small_distribution(), entry(big, "x = 1\n" * 5000)])
    gate = threading.Event()
    real_run = copies.CopyBuilder._run

    def held_run(self):
        gate.wait(30)  # (the copy holds at 0% until the test has looked)
        real_run(self)

    monkeypatch.setattr(copies.CopyBuilder, "_run", held_run)
    app = DistscopeApp(archive)
    try:
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot, app, lambda: app.report is not None)
            assert app.source.copy_progress() is None
            await pilot.press("2")
            app.query_one(FilesPane).select_path(big)
            work = app.query_one("#status-work")
            await settle(pilot, app, lambda: "writing seekable copy 0%" in text_of(work))
            done, total = app.source.copy_progress()
            assert done == 0 and total == app.index.uncompressed_bytes
            assert "reading a member" in text_of(work)
            gate.set()
            await settle(pilot, app, lambda: not text_of(work))
            assert app.source.copy_progress() is None
            assert app.source.reader.wait_copy(10)
    finally:
        gate.set()


async def test_the_report_reaches_the_pane_on_screen_first(demo, monkeypatch):
    """The panes get the report one per turn of the event loop, the one on screen first;
    ``app.report`` is set once they all have it."""
    order: list[str] = []
    for pane in (LicencesPane, DependenciesPane, FilesPane):
        real = pane.set_report
        monkeypatch.setattr(pane, "set_report", lambda self, report, real=real: order.append(self.id) or real(self, report))
    app = DistscopeApp(demo)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("5")
        await settle(pilot, app, lambda: app.report is not None)
        assert order == ["licences-pane", "files-pane", "dependencies-pane"]
        assert app.query_one(LicencesPane).components


async def test_a_long_table_fills_a_step_at_a_time():
    from textual.app import App

    from distscope.widgets.common import RowTable

    class One(App):
        def compose(self):
            yield RowTable()

    app = One()
    async with app.run_test() as pilot:
        table = app.query_one(RowTable)
        table.add_column("n")
        table.fill([((str(i),), str(i)) for i in range(250)])
        assert table.row_count == RowTable.FILL_STEP
        table.fill([((str(i),), str(i)) for i in range(230)])  # (replaces the first fill's rows)
        await settle(pilot, app, lambda: table.row_count == 230)
        await pilot.pause(0.05)
        assert table.row_count == 230 and table.get_row_at(229) == ["229"]


async def test_what_the_pass_sends_before_the_panes_are_mounted_waits_for_them(small):
    """The first paint is the shell (status line, tabs, footer); the panes are mounted after it
    while the pass has started. A cache hit can be done before they are there: nothing is lost."""
    first = DistscopeApp(small)
    async with first.run_test(size=SIZE) as pilot:
        await settle(pilot, first, lambda: first.report is not None)
        members = len(first.tree_model)
    app = DistscopeApp(small)  # (from the cache: one batch, then done, at once)
    seen_before_panes: list[str] = []
    real_mount = app._mount_panes

    async def mount_panes_once_the_pass_is_done():
        import asyncio

        for _ in range(2000):
            if any(type(m).__name__ == "IndexDone" for m in app._waiting):
                break
            await asyncio.sleep(0.01)
        seen_before_panes.extend(type(m).__name__ for m in app._waiting)
        await real_mount()

    app._mount_panes = mount_panes_once_the_pass_is_done
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app, lambda: app.report is not None)
        assert seen_before_panes[0] == "IndexProgress" and "IndexDone" in seen_before_panes
        assert len(app.tree_model) == members
        assert not any(p.display for p in app.query(".pane-placeholder"))
        await pilot.press("2")
        await pilot.pause()
        assert app.query_one(ArchiveTree).root.children
        assert "members" in text_of(app.query_one("#status-text"))


async def test_the_report_panes_are_mounted_after_the_first_rows(demo, monkeypatch):
    """Summary and Files come first (the pass's batches feed them); the four report panes are
    mounted once the first rows are drawn, so that their mounting does not slow the pass's start."""
    import distscope.tui.app as app_module

    monkeypatch.setattr(app_module, "FIRST_ROWS_WAIT", 30.0)
    app = DistscopeApp(demo, use_cache=False)
    made: list[tuple[str, int]] = []
    real = app._make_pane
    app._make_pane = lambda pid: made.append((pid, len(app.tree_model))) or real(pid)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app, lambda: app.report is not None)
        assert [pid for pid, _ in made] == [pid for pid, _ in app_module.PANES]
        assert dict(made)["files"] == 0 and all(rows > 0 for pid, rows in made[2:])


@pytest.mark.parametrize("beat,shown", [(30.0, 1), (0.0, 3)])
async def test_the_panes_show_the_pass_at_most_every_beat(demo, monkeypatch, beat, shown):
    """A frame per batch of the pass (every 50 ms) took a third of a CPU: the panes take the
    batches and show the progress at most every PROGRESS_BEAT, the first at once; the members
    that came meanwhile are all in once the pass is done."""
    import threading

    import distscope.tui.app as app_module
    import distscope.tui.session as session
    from distscope.tui.archive.index import Progress
    from distscope.tui.archive.tree import TreeModel

    monkeypatch.setattr(app_module, "PROGRESS_BEAT", beat)
    real_open = session.open_index
    handled = threading.Event()

    def three_batches(path, *, on_progress=None, on_indexed=None, **kwargs):
        index = real_open(path, use_cache=False)
        members = list(index.members)
        thirds = [members[:10], members[10:20], members[20:]]
        for i, batch in enumerate(thirds):
            handled.clear()
            on_progress(Progress(batch, sum(map(len, thirds[:i + 1])), 1, 1, 1))
            handled.wait(5)  # (each batch reaches the app before the next)
        on_indexed(index)
        return index

    monkeypatch.setattr(session, "open_index", three_batches)
    app = DistscopeApp(demo)
    calls: list[int] = []
    real_show = app._show_progress
    app._show_progress = lambda: calls.append(len(app.tree_model)) or real_show()
    real_handler = app_module.DistscopeApp.on_index_progress
    monkeypatch.setattr(app_module.DistscopeApp, "on_index_progress",
                        lambda self, message: (real_handler(self, message), handled.set()))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app, lambda: app.report is not None, tries=1000)  # (three handed-over batches)
        assert len(calls) == shown
        whole = TreeModel()
        whole.add(app.index.members)
        assert len(app.tree_model) == len(whole)


async def test_panes_say_when_an_analyser_failed(demo):
    """A report without a pane's section (its analyser failed) makes the pane say so, pointing
    at the analysis-error finding, instead of showing nothing."""
    from distscope.widgets.components import ComponentsPane
    from distscope.widgets.requirements import RequirementsPane

    app = DistscopeApp(demo)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app, lambda: app.report is not None)
        import dataclasses

        broken = dataclasses.replace(app.report, dependencies=None, licenses=None, requirements=None,
                                     components=None)
        for pane in (app.query_one(DependenciesPane), app.query_one(LicencesPane), app.query_one(ComponentsPane)):
            pane.set_report(broken)
        requirements = app.query_one(RequirementsPane)
        requirements.set_report(broken)
        await pilot.pause()
        for shown, what in ((text_of(app.query_one("#deps-head")), "The dependency graph"),
                            (text_of(app.query_one("#lic-head")), "The licences"),
                            (text_of(app.query_one("#comp-head")), "The components"),
                            (text_of(requirements.notice), "The runtime requirements")):
            assert shown.startswith(f"{what} could not be made: an analyser failed") and "analysis-error" in shown


async def test_dependencies_pane_tree_reverse_and_jump(demo):
    app = DistscopeApp(demo)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app, lambda: app.report is not None)
        assert app.report.dependencies is not None
        await pilot.press("3")
        pane = app.query_one(DependenciesPane)
        await pilot.pause()
        assert pane.view.graph.roots
        head = text_of(app.query_one("#deps-head"))
        assert "libtcl8.6.so" in head  # the missing library is named up front
        await pilot.press("a")
        await pilot.pause()
        first = pane.dtree.root.children[0]
        assert pane.view.has_missing(first.data)  # missing first in the all-binaries view
        lib = "python/install/lib/libpython3.12.so.1.0"
        pane.show_detail(lib)
        detail = text_of(app.query_one("#deps-detail"))
        assert "python/install/bin/python3.12" in detail.split("needed by")[1]
        for node in pane.dtree.root.children:
            if node.data == lib:
                pane.dtree.move_cursor(node)
        await pilot.pause()
        await pilot.press("g")
        await settle(pilot, app, lambda: app.query_one(ArchiveTree).cursor_path == lib)
        assert app.query_one("#panes").active == "files"


async def test_requirements_pane_headline(demo):
    app = DistscopeApp(demo)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app, lambda: app.report is not None)
        assert app.report.requirements is not None
        await pilot.press("4")
        await pilot.pause()
        text = screen_text(app)
        assert "2.17" in text and "this machine" in text
        assert "libtcl8.6.so" in text
        assert "✗ MISSING" in text  # the status leads the row: never cut
        await pilot.press("f", "l", "i", "b", "c", ".")  # the filter keeps the matching rows
        await pilot.pause(0.2)
        text = screen_text(app)
        assert "libc.so.6" in text and "libtcl8.6.so" not in text
        await pilot.press("escape")
        await pilot.pause(0.2)
        assert "libtcl8.6.so" in screen_text(app)


async def test_help_lists_bindings(demo):
    app = DistscopeApp(demo)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f1")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        text = screen_text(app)
        assert "Extract" in text and "switch pane" in text
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, HelpScreen)


async def test_bad_archive_shows_message_not_traceback(tmp_path):
    bad = tmp_path / "bad.tar.zst"
    bad.write_bytes(b"PK\x03\x04 this is a zip")
    app = DistscopeApp(bad)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app, lambda: app.error is not None)
        assert "zip" in app.error
        assert "zip" in text_of(app.query_one("#status-text"))
        await pilot.press("2", "3", "4", "5")  # every pane copes
        await pilot.pause()
        assert app.is_running


async def test_truncated_archive_keeps_what_was_read(tmp_path, small):
    data = small.read_bytes()
    cut = tmp_path / "cut.tar.zst"
    cut.write_bytes(data[: len(data) // 2])
    app = DistscopeApp(cut, use_cache=False)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app, lambda: app.index is not None or app.error is not None)
        if app.index is not None:
            assert not app.index.complete
            assert app.query_one(StatusBar).has_class("-error")


async def test_quit_mid_index_cancels_the_scan(demo):
    app = DistscopeApp(demo)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("q")
        await pilot.pause()
    assert app.cancel.is_set()
    assert not app.is_running


async def test_export_report(demo, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    app = DistscopeApp(demo)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app, lambda: app.report is not None)
        app.action_export_report("json")
        await settle(pilot, app, lambda: any(p.name.endswith(".report.json") for p in tmp_path.iterdir()))
    report = next(p for p in tmp_path.iterdir() if p.name.endswith(".report.json"))
    assert '"archive"' in report.read_text()


async def test_palette_go_to_member(small):
    from distscope.tui.app import MemberCommands

    app = DistscopeApp(small)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app, lambda: app.index is not None)
        provider = MemberCommands(app.screen)
        hits = [hit async for hit in provider.search("patchlevel")]
        assert hits
        hits[0].command()
        await settle(pilot, app, lambda: app.query_one(ArchiveTree).cursor_path
                     == "python/include/python3.12/patchlevel.h")


@pytest.mark.parametrize("which", ["windows", "linux", "macos"])
async def test_real_archives_open_in_every_pane(which):
    from tests.conftest import real_archive

    path = real_archive(which)
    app = DistscopeApp(path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app, lambda: app.report is not None or app.error is not None, tries=1500)
        assert app.error is None
        for key in "23451":
            await pilot.press(key)
            await pilot.pause()
        text = screen_text(app)
        assert "Python" in text
        await pilot.press("2")
        tree = app.query_one(ArchiveTree)
        assert "python" in tree._tnodes


async def test_index_and_report_are_kept_out_of_full_collections(demo, tuned):
    """With process tuning on (the distscope command), what the index and the report made is
    frozen once they are built: full collections then walk only what the UI makes since."""
    import gc

    gc.unfreeze()
    try:
        app = DistscopeApp(demo, use_cache=False)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot, app, lambda: app.report is not None)
            await pilot.pause()
            walked = {id(o) for o in gc.get_objects()}  # (frozen objects are not listed)
            node = app.tree_model.get("python/install/bin/python3.12")
            assert gc.is_tracked(node) and id(node) not in walked
            assert gc.is_tracked(app.report) and id(app.report) not in walked
    finally:
        gc.unfreeze()


def test_app_module_imports_no_analysis():
    """The app module stays light: heavy core pieces load in the index thread, the panes (and
    the model they render) after the first paint."""
    import subprocess
    import sys

    code = ("import sys, distscope.tui.app; heavy = [m for m in ('elftools', 'pefile', 'distscope.tui.report', 'distscope.tui.analysis.classify',"
            " 'distscope.tui.model.report', 'distscope.widgets.files', 'distscope.widgets.dependencies')"
            " if m in sys.modules]; print(heavy)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         cwd=os.path.dirname(os.path.dirname(__file__)))
    assert out.stdout.strip() == "[]"


def test_no_color_is_honoured(demo, monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")
    assert DistscopeApp(demo).no_color


def test_open_command_parses_and_demo_builds(tmp_path, monkeypatch):
    """`distscope` alone means `open` with the demo; the demo archive is built in the cache."""
    from distscope.tui import cli
    from distscope.tui.demo import DEMO_NAME, demo_archive

    parser = cli.build_parser()
    commands = set(parser._subparsers._group_actions[0].choices)
    monkeypatch.setattr(cli.sys.stdin, "isatty", lambda: True, raising=False)
    monkeypatch.setattr(cli.sys.stdout, "isatty", lambda: True, raising=False)
    args = parser.parse_args(cli._default_command([], commands))
    assert args.command == "open" and args.archive is None
    path = demo_archive()
    assert path.name == DEMO_NAME and path.stat().st_size > 1000
    assert demo_archive() == path  # reused, not rebuilt


def test_graph_view_orders_problems_first():
    from distscope.tui.model.graph import Edge, Graph, Node
    from distscope.widgets.dependencies import GraphView

    node = Node(format="elf", native=True, runtime=True, role="library")
    graph = Graph(nodes={"bin/python": node, "lib/libpy.so": node},
                  edges=[Edge("bin/python", "libpy.so", "lib/libpy.so", "bundled", "runpath"),
                         Edge("bin/python", "libc.so.6", None, "system", "system"),
                         Edge("lib/libpy.so", "$ORIGIN/libz.so", None, "missing", "path"),
                         Edge("lib/libpy.so", "libfoo.so", None, "unexpected", "system")],
                  roots=["bin/python"], reverse={"lib/libpy.so": ["bin/python"]})
    view = GraphView(graph)
    assert view.binaries() == ["lib/libpy.so", "bin/python"]  # missing first
    assert [e.status for e in view.sorted_edges("lib/libpy.so")] == ["missing", "unexpected"]
    assert view.matching("libpy")[0] == "lib/libpy.so"
    assert view.status("libfoo.so") == "unexpected"
