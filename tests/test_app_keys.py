"""The app as people use it (issue 14): keys in bursts, focus, search, filters, links, deep
paths, the binary view. Pilot tests on small fixtures and the demo."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest
from textual.widgets import DataTable, Input

from distscope.tui.app import DistscopeApp, MemberCommands
from distscope.tui.archive.tree import MAX_DEPTH, TreeModel, rank_paths
from distscope.tui.source import ArchiveSource
from distscope.widgets.binary import BinaryScreen
from distscope.widgets.dialogs import PromptScreen
from distscope.widgets.files import FilesPane
from tests.apptools import burst, screen_text, settle, text_of
from tests.archives import entry, small_distribution, write_archive

SIZE = (100, 30)


@pytest.fixture
def small(tmp_path):
    entries = [*small_distribution(),
               entry("python/lib/python3.12/ssl.py", "import _ssl\n"),
               entry("python/lib/python3.12/ssl.pyi", "def wrap(): ...\n"),
               entry("python/lib/python3.12/site-packages/pip/_vendor/truststore/_openssl.py", "x = 1\n"),
               entry("python/lib/python3.12/data.bin", bytes(range(256)) * 4)]
    return write_archive(tmp_path / "small.tar.zst", entries)


async def open_files(pilot, app):
    await settle(pilot, app, lambda: app.report is not None)
    await pilot.press("2")
    await pilot.pause()
    return app.query_one(FilesPane)


# -- keys in one burst ----------------------------------------------------------------------------
@pytest.mark.parametrize("keys,box", [("/sql", "#jump"), ("/ssl", "#jump"), ("fssl", "#filter"),
                                      ("/qsx", "#jump")])
async def test_keys_in_a_burst_land_in_the_input(small, keys, box):
    app = DistscopeApp(small)
    async with app.run_test(size=SIZE) as pilot:
        files = await open_files(pilot, app)
        burst(app, keys)
        await pilot.pause(0.3)
        assert app.is_running and not isinstance(app.screen, PromptScreen)
        assert files.query_one(box, Input).value == keys[1:]


async def test_burst_with_enter_jumps_and_returns_to_the_tree(small):
    app = DistscopeApp(small)
    async with app.run_test(size=SIZE) as pilot:
        files = await open_files(pilot, app)
        burst(app, "/ssl.py\r")
        await settle(pilot, app, lambda: app.focused is files.atree
                     and files.atree.cursor_path == "python/lib/python3.12/ssl.py")
        assert not files.query_one("#jump", Input).has_class("-open")


# -- focus and stale panes --------------------------------------------------------------------------
async def test_esc_from_search_gives_focus_back_and_enter_works(small):
    app = DistscopeApp(small)
    async with app.run_test(size=SIZE) as pilot:
        files = await open_files(pilot, app)
        start = files.atree.cursor_path
        await pilot.press("slash", "o", "s", "escape")
        await pilot.pause(0.1)
        assert app.focused is files.atree
        assert files.atree.cursor_path == start
        # the search opened folders on its way; Esc closed them again
        assert not files.atree._tnodes["python/lib"].is_expanded
        await pilot.press("down", "enter")  # the first Enter is not lost: it opens bin/
        await pilot.pause(0.1)
        assert files.atree.cursor_node.is_expanded


async def test_zero_match_filter_then_esc(small):
    app = DistscopeApp(small)
    async with app.run_test(size=SIZE) as pilot:
        files = await open_files(pilot, app)
        await pilot.press("f", "z", "z", "z", "q")
        await pilot.pause(0.2)
        assert app.is_running
        assert "no match" in text_of(files.query_one("#details"))
        await pilot.press("escape")
        await pilot.pause(0.2)
        assert app.focused is files.atree
        assert files.atree.root.children[0].is_expanded  # python/ stays open
        await pilot.press("down", "enter")
        await pilot.pause(0.1)
        assert files.atree.cursor_node.is_expanded


async def test_details_follow_the_filter(demo):
    app = DistscopeApp(demo)
    async with app.run_test(size=SIZE) as pilot:
        files = await open_files(pilot, app)
        files.select_path("python/install/lib")
        await pilot.pause(0.2)
        assert "largest inside" in files.viewer.plain
        await pilot.press("f", "s", "s", "l")
        await pilot.pause(0.3)
        details = text_of(files.query_one("#details"))
        assert "1 match  ·" in details
        current = files.atree.cursor_path
        assert current is not None and "ssl" in current.lower() or current == "python"
        assert current in details


async def test_g_from_dependencies_with_a_filter_active(demo):
    app = DistscopeApp(demo)
    async with app.run_test(size=SIZE) as pilot:
        files = await open_files(pilot, app)
        await pilot.press("f", "o", "s", "enter")
        await pilot.pause(0.2)
        assert files.atree.shown is not None
        await pilot.press("3")
        await pilot.pause(0.2)
        tree = app.query_one("#deps-tree")
        target = tree.cursor_node.data
        await pilot.press("g")
        await pilot.pause(0.3)
        assert files.atree.cursor_path == target
        assert files.atree.shown is None
        assert not files.query_one("#filter", Input).has_class("-open")


# -- keys people expect ----------------------------------------------------------------------------
async def test_right_opens_left_closes_and_goes_up(small):
    app = DistscopeApp(small)
    async with app.run_test(size=SIZE) as pilot:
        files = await open_files(pilot, app)
        tree = files.atree
        files.select_path("python/lib")
        await pilot.pause(0.1)
        node = tree.cursor_node
        assert not node.is_expanded
        await pilot.press("right")
        assert node.is_expanded
        await pilot.press("l")
        await pilot.pause(0.05)
        assert tree.cursor_node.parent is node
        await pilot.press("h")
        await pilot.pause(0.05)
        assert tree.cursor_node is node
        await pilot.press("left")
        assert not node.is_expanded


async def test_footer_shows_the_main_actions_at_80_columns(small):
    app = DistscopeApp(small)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_files(pilot, app)
        footer = screen_text(app).splitlines()[-1]
        for word in ("Jump", "Filter", "View", "Save", "Pager", "Extract", "Quit"):
            assert word in footer, footer


async def test_footer_keys_follow_the_focus_and_answer_clicks(small):
    """The footer is one widget (KeyLine): it shows the focused pane's keys, a click on one
    presses it, and hovering a key shows its tooltip."""
    from distscope.widgets.keyline import KeyLine

    app = DistscopeApp(small)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_files(pilot, app)
        line = app.query_one(KeyLine)
        assert len(app.query("FooterKey")) == 0
        footer = screen_text(app).splitlines()[-1]
        x = footer.index("Filter")
        await pilot.hover(KeyLine, offset=(x, 0))
        assert line.tooltip and "substring or glob" in str(line.tooltip)
        await pilot.click(KeyLine, offset=(x, 0))
        await pilot.pause()
        assert app.query_one("#filter", Input).has_focus
        await pilot.press("escape", "1")
        await pilot.pause()
        footer = screen_text(app).splitlines()[-1]
        assert "Filter" not in footer and "Quit" in footer and footer.endswith("^p palette")


def test_rank_paths_like_a_file_finder():
    paths = ["python/lib/python3.12/site-packages/pip/_vendor/truststore/_openssl.py",
             "python/lib/python3.12/ssl.pyi", "python/lib/python3.12/ssl.py",
             "python/Lib/venv/scripts/nt/python.exe", "python/python.exe", "python/pythonw.exe"]
    assert rank_paths(paths, "ssl.py")[0] == "python/lib/python3.12/ssl.py"
    assert rank_paths(paths, "ssl")[:2] == ["python/lib/python3.12/ssl.py", "python/lib/python3.12/ssl.pyi"]
    assert rank_paths(paths, "python.exe")[0] == "python/python.exe"
    assert rank_paths(paths, "nothing") == []


async def test_search_says_no_match_as_you_type(small):
    app = DistscopeApp(small)
    async with app.run_test(size=SIZE) as pilot:
        files = await open_files(pilot, app)
        await pilot.press("slash", "s", "s", "l", ".", "p", "y")
        await pilot.pause(0.1)
        assert files.atree.cursor_path == "python/lib/python3.12/ssl.py"
        await pilot.press("z")
        await pilot.pause(0.1)
        assert "no match" in text_of(files.query_one("#files-info"))


async def test_palette_ranks_exact_names_first(small):
    app = DistscopeApp(small)
    async with app.run_test(size=SIZE) as pilot:
        await open_files(pilot, app)
        provider = MemberCommands(app.screen)
        hits = [hit async for hit in provider.search("ssl.py")]
        texts = [str(h.text) for h in sorted(hits, key=lambda h: -h.score)]
        assert texts[0].endswith("python3.12/ssl.py") and texts[1].endswith("ssl.pyi")


async def test_palette_has_one_working_screenshot_command(small):
    app = DistscopeApp(small)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        titles = [c.title for c in app.get_system_commands(app.screen)]
        assert "Save screenshot" in titles and "Screenshot" not in titles


# -- one read path ----------------------------------------------------------------------------------
LINKS = [entry("etc/passwd", "root:x:0:0\n"), entry("hidden/x", "wrong file\n"), entry(".hidden/x", "right file\n"),
         entry("a/b/escape", type="symlink", link="../../../etc/passwd"),
         entry("a/dot", type="symlink", link="../.hidden/x")]


@pytest.mark.parametrize("complete", [False, True])
def test_source_resolves_links_like_the_index(tmp_path, complete):
    from distscope.tui.errors import DistscopeError
    from distscope.tui.session import open_index

    archive = write_archive(tmp_path / "links.tar.zst", LINKS)
    source = ArchiveSource(archive, use_cache=False)
    index = open_index(archive, use_cache=False)
    if complete:
        source.complete(index)
    else:
        source.add(list(index.members))  # as the pass hands them over, before it is done
    with pytest.raises(DistscopeError):
        source.read("a/b/escape")
    assert source.read("a/dot") == b"right file\n"
    assert source.find("a/b/escape") is None


async def test_viewer_refuses_a_link_out_of_the_archive(tmp_path):
    archive = write_archive(tmp_path / "links.tar.zst", LINKS)
    app = DistscopeApp(archive, use_cache=False)
    async with app.run_test(size=SIZE) as pilot:
        files = await open_files(pilot, app)
        files.select_path("a/b/escape")
        await pilot.pause(0.3)
        assert "climbs out of the archive" in files.viewer.plain
        assert "root:x" not in screen_text(app)
        files.select_path("a/dot")
        await settle(pilot, app, lambda: "right file" in files.viewer.plain)


async def test_save_streams_the_member(small, tmp_path, monkeypatch):
    app = DistscopeApp(small)
    async with app.run_test(size=SIZE) as pilot:
        files = await open_files(pilot, app)

        def no_whole_read(path, limit=None):
            raise AssertionError("Save must stream, not read the member whole")

        monkeypatch.setattr(app.source, "read", no_whole_read)
        files.select_path("python/lib/python3.12/data.bin")
        await pilot.pause(0.2)
        dest = tmp_path / "out.bin"
        files._save("python/lib/python3.12/data.bin", str(dest), "data.bin")
        await settle(pilot, app, lambda: dest.exists() and dest.stat().st_size == 1024)
        assert dest.read_bytes() == bytes(range(256)) * 4


# -- hostile shapes ---------------------------------------------------------------------------------
@pytest.mark.parametrize("path", ["d/" * 5000 + "leaf", "a/" * 500_000 + "z"], ids=["5000-levels", "1MB-path"])
async def test_deep_paths_do_not_crash_the_app(tmp_path, path):
    archive = write_archive(tmp_path / "deep.tar.zst", [entry(path, "deep\n"), entry("top.txt", "top\n")])
    app = DistscopeApp(archive, use_cache=False)
    async with app.run_test(size=SIZE) as pilot:
        files = await open_files(pilot, app)
        assert files.atree.reveal(path)
        await pilot.pause(0.3)
        assert app.is_running
        assert len(files.model.ancestors(path)) <= MAX_DEPTH
        await pilot.press("end", "home", "down", "up")
        assert app.is_running


def test_tree_model_folds_deep_paths():
    from distscope.tui.archive.members import Member

    model = TreeModel()
    path = "x/" * 3000 + "f"
    model.add([Member(path, path, "file", 3, 0o644, 0, 0, 0, "", "", "", 0, 0)])
    node = model.get(path)
    assert node is not None and node.member is not None
    assert len(model.ancestors(path)) == MAX_DEPTH
    assert node.name == "x/" * (3000 - MAX_DEPTH) + "f"
    assert model.root.size == 3


# -- the viewer -------------------------------------------------------------------------------------
async def test_hex_view_16_bytes_a_row_with_ascii_at_80_columns(small):
    app = DistscopeApp(small)
    async with app.run_test(size=(80, 24)) as pilot:
        files = await open_files(pilot, app)
        files.select_path("python/lib/python3.12/data.bin")
        await settle(pilot, app, lambda: files.viewer.border_title.startswith("hex"))
        await pilot.press("enter")
        await pilot.pause(0.2)
        text = screen_text(app)
        assert "00000010  10 11 12 13 14 15 16 17  18 19 1a 1b 1c 1d 1e 1f" in text
        assert "00000040  40 41 42 43 44 45 46 47  48 49 4a 4b 4c 4d 4e 4f  @ABCDEFGHIJKLMNO" in text


async def test_binary_view_tables_and_filter(demo):
    app = DistscopeApp(demo)
    async with app.run_test(size=(80, 24)) as pilot:
        files = await open_files(pilot, app)
        files.select_path("python/install/bin/python3.12")
        await pilot.pause(0.2)
        await pilot.press("enter")
        await settle(pilot, app, lambda: isinstance(app.screen, BinaryScreen))
        screen = app.screen
        titles = [t.title for t in screen.tables]
        for title in ("Header", "Needed", "Versions", "Exports", "Dynamic", "Sections", "Segments", "Notes"):
            assert title in titles
        needed = next(t for t in screen.tables if t.title == "Needed")
        assert any("libpython" in r[0] and "python/install/lib/" in r[1] for r in needed.rows), needed.rows
        await pilot.press("right_square_bracket")  # to the Needed table
        await pilot.press("f", "l", "i", "b", "c")
        await pilot.pause(0.2)
        assert "libc.so.6" in screen.plain and "libpython" not in screen.plain
        await pilot.press("escape", "escape")
        await pilot.pause(0.1)
        assert not isinstance(app.screen, BinaryScreen)


async def test_dependencies_and_licences_filter(demo):
    app = DistscopeApp(demo)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app, lambda: app.report is not None)
        await pilot.press("3")
        await pilot.pause()
        burst(app, "/tcl")
        await pilot.pause(0.3)
        tree = app.query_one("#deps-tree")
        labels = [str(n.label) for n in tree.root.children]
        assert labels and all("tcl" in label.lower() for label in labels)
        await pilot.press("escape")
        await pilot.press("5")
        await pilot.pause()
        burst(app, "freadl")
        await pilot.pause(0.3)
        table = app.query_one("#lic-table", DataTable)
        rows = [table.get_row_at(i) for i in range(table.row_count)]
        assert [str(r[1]) for r in rows] == ["readline"]


async def test_licence_text_keeps_its_line_breaks(demo):
    app = DistscopeApp(demo)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app, lambda: app.report is not None)
        await pilot.press("5")
        await settle(pilot, app, lambda: "GNU GENERAL PUBLIC LICENSE" in text_of(app.query_one("#lic-text")))
        text = app.query_one("#lic-text").content
        assert text.no_wrap
        assert "GNU GENERAL PUBLIC LICENSE\n" in text.plain


async def test_summary_shows_the_whole_sha256(demo):
    app = DistscopeApp(demo)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app, lambda: app.report is not None)
        sha = app.report.archive.sha256
        assert sha

        def shown() -> bool:  # (scrolled again until drawn: the pane may still be laying out)
            app.query_one("#summary-pane").scroll_end(animate=False)
            return sha in re.sub(r"[\s│▁▂▃▄▅▆▇█▔▏▕▎▍▌▋▊▉]", "", screen_text(app))

        await settle(pilot, app, shown)


# -- the binary view against independent tools -------------------------------------------------------
def _tables(archive, member):
    from distscope.tui.session import open_index
    from distscope.widgets.binary import inspect_binary

    source = ArchiveSource(archive, use_cache=False)
    source.complete(open_index(archive, use_cache=False))
    data = source.read(member)
    return data, {t.title: t for t in inspect_binary(data, member, source.find)}


@pytest.mark.skipif(shutil.which("readelf") is None, reason="readelf not installed")
def test_elf_tables_agree_with_readelf(tmp_path):
    from tests.conftest import real_archive

    archive = real_archive("linux")
    data, tables = _tables(archive, "python/lib/libtcl9tk9.0.so")
    elf = tmp_path / "lib.so"
    elf.write_bytes(data)
    dyn = subprocess.run(["readelf", "-dW", str(elf)], capture_output=True, text=True, check=True).stdout
    needed = re.findall(r"\(NEEDED\)\s+Shared library: \[(.+?)\]", dyn)
    assert [r[0] for r in tables["Needed"].rows] == needed
    sections = subprocess.run(["readelf", "-SW", str(elf)], capture_output=True, text=True, check=True).stdout
    names = re.findall(r"^\s*\[\s*\d+\]\s+(\S*)", sections, re.M)
    assert [r[1] for r in tables["Sections"].rows][1:] == names[1:]
    symbols = subprocess.run(["readelf", "--dyn-syms", "-W", str(elf)], capture_output=True, text=True,
                             check=True).stdout
    defined = {line.split()[7].split("@")[0] for line in symbols.splitlines()
               if re.match(r"\s*\d+:", line) and line.split()[6] != "UND" and line.split()[4] in ("GLOBAL", "WEAK")
               and len(line.split()) > 7}
    assert {r[0] for r in tables["Exports"].rows} == defined
    needs = re.findall(r"Name: (GLIBC_[\d.]+)", subprocess.run(["readelf", "-VW", str(elf)], capture_output=True,
                                                                text=True, check=True).stdout)
    assert {r[1] for r in tables["Versions"].rows} == set(needs)


@pytest.mark.skipif(shutil.which("llvm-readobj") is None, reason="llvm-readobj not installed")
def test_pe_imports_agree_with_llvm_readobj(tmp_path):
    from tests.conftest import real_archive

    archive = real_archive("windows")
    data, tables = _tables(archive, "python/install/python.exe")
    exe = tmp_path / "python.exe"
    exe.write_bytes(data)
    out = subprocess.run(["llvm-readobj", "--coff-imports", str(exe)], capture_output=True, text=True,
                         check=True).stdout
    expected = []
    dll = None
    for line in out.splitlines():
        m = re.match(r"\s*Name: (\S+\.dll)", line, re.I)
        if m:
            dll = m.group(1)
        m = re.match(r"\s*Symbol: (\S+)", line)
        if m and dll:
            expected.append((dll, m.group(1)))
    assert sorted((r[0], r[1]) for r in tables["Imports"].rows) == sorted(expected)


# -- the filter box, one widget in every pane ------------------------------------------------------
@pytest.mark.parametrize("pane,key,main", [("files", "2", "#tree"), ("dependencies", "3", "#deps-tree"),
                                           ("requirements", "4", "#requirements-pane"),
                                           ("licences", "5", "#lic-table"), ("components", "6", "#comp-table")])
async def test_every_pane_filter_box_opens_filters_gives_back_and_clears(demo, pane, key, main):
    """f or / opens the box and keys sent in one burst land in it; Enter gives the keys back to
    the pane (the filter stays); Esc clears and closes it; Enter on an empty box closes it.
    (Components shows its box all the time.)"""
    from distscope.widgets.common import FilterBox

    app = DistscopeApp(demo)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app, lambda: app.report is not None)
        await pilot.press(key)
        await pilot.pause()
        box = app.query_one(f"#{pane}-pane").query_one(FilterBox)
        always = box.always_open
        burst(app, "/ssl" if pane == "components" else "fssl")
        await settle(pilot, app, lambda: box.value == "ssl" and box.has_focus)
        burst(app, "\r")
        await settle(pilot, app, lambda: app.focused is app.query_one(main))
        assert box.is_open and box.value == "ssl"
        await pilot.press("escape")
        await pilot.pause()
        assert box.value == "" and box.is_open == always and app.focused is app.query_one(main)
        if not always:
            burst(app, "f\r")
            await settle(pilot, app, lambda: app.focused is app.query_one(main))
            assert not box.is_open


async def test_tables_keep_their_drawn_rows_across_focus_but_draw_the_focus_and_theme(demo):
    """RowTable keeps its drawn rows when only the focus changes (every pane switch) and still
    draws the cursor row as focused or not, and anew after a theme change."""
    app = DistscopeApp(demo)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app, lambda: app.report is not None)
        await pilot.press("5")
        await pilot.pause()
        table = app.query_one("#lic-table", DataTable)

        def cursor_style():
            from textual.geometry import Region

            y = table.cursor_row + 1  # (below the header)
            line = table.render_lines(Region(0, y, table.size.width, 1))[0]  # (as the screen draws it)
            return [seg.style for seg in line._segments]

        focused = cursor_style()
        await pilot.press("1")
        await pilot.pause()
        await pilot.press("5")
        await pilot.pause()
        assert app.focused is table and cursor_style() == focused
        app.set_focus(None)
        await pilot.pause()
        blurred = cursor_style()
        assert blurred != focused
        app.set_focus(table)
        await pilot.pause()
        assert cursor_style() == focused
        app.theme = "textual-light" if app.theme != "textual-light" else "textual-dark"
        await pilot.pause()
        assert cursor_style() != focused
