"""The incremental directory tree model."""

from __future__ import annotations

from distscope.tui.archive.members import DIRECTORY, FILE, SYMLINK, Member
from distscope.tui.archive.tree import TreeModel, human_size


def m(path: str, size: int = 0, type: str = FILE, link: str = "") -> Member:
    return Member(path, path.rstrip("/"), type, size, 0o644, 0, 0, 0, "", "", link, 0, 0)


def test_implied_folders_and_totals():
    tree = TreeModel()
    changed, touched = tree.add([m("python/bin/python3", 100), m("python/lib/os.py", 20)])
    assert tree.get("python/bin").implied
    assert tree.get("python").size == 120
    assert tree.get("python").files == 2
    assert tree.root.size == 120
    assert {"", "python", "python/bin", "python/lib"} <= changed
    assert {"python", "python/bin", "python/lib"} <= touched
    assert [n.name for n in tree.children("python")] == ["bin", "lib"]


def test_incremental_batches_and_late_directory_entry():
    tree = TreeModel()
    tree.add([m("a/b/c.txt", 5)])
    changed, _ = tree.add([m("a/b", type=DIRECTORY), m("a/b/d.txt", 7)])
    node = tree.get("a/b")
    assert node.is_dir and not node.implied
    assert node.size == 12
    assert changed == {"a/b"}
    assert len(tree) == 4


def test_repeated_member_replaces_size():
    tree = TreeModel()
    tree.add([m("x/f", 10)])
    tree.add([m("x/f", 3)])
    assert tree.get("x").size == 3 and tree.get("x").files == 1


def test_sort_by_size_and_name_folders_first():
    tree = TreeModel()
    tree.add([m("r/small", 1), m("r/big", 100), m("r/dir/x", 50), m("r/link", type=SYMLINK, link="big")])
    assert [n.name for n in tree.children("r")] == ["dir", "big", "link", "small"]
    assert [n.name for n in tree.children("r", "size")] == ["big", "dir", "small", "link"]


def test_filter_substring_and_glob():
    tree = TreeModel()
    tree.add([m("p/lib/os.py", 1), m("p/lib/json/__init__.py", 1), m("p/bin/python", 1), m("p/README", 1)])
    matches, visible = tree.filter("json")
    assert matches == ["p/lib/json", "p/lib/json/__init__.py"]
    assert {"p", "p/lib", "p/lib/json"} <= visible and "p/bin" not in visible
    matches, _ = tree.filter("*.py")
    assert set(matches) == {"p/lib/os.py", "p/lib/json/__init__.py"}
    assert tree.filter("  ") == ([], set())


def test_search_wraps_and_goes_backwards():
    tree = TreeModel()
    tree.add([m("a/one.py"), m("a/two.py"), m("b/three.py")])
    first = tree.search(".py")
    assert first == "a/one.py"
    assert tree.search(".py", after=first) == "a/two.py"
    assert tree.search(".py", after="b/three.py") == "a/one.py"
    assert tree.search(".py", after="a/one.py", backwards=True) == "b/three.py"
    assert tree.search("b/th") == "b/three.py"
    assert tree.search("nothing") is None


def test_walk_and_ancestors():
    tree = TreeModel()
    tree.add([m("a/b/c"), m("a/d")])
    assert [n.path for n in tree.walk()] == ["a", "a/b", "a/b/c", "a/d"]
    assert tree.ancestors("a/b/c") == ["a", "a/b"]


def test_human_size():
    assert human_size(512) == "512 B"
    assert human_size(1536) == "1.5 KiB"
    assert human_size(300 * 1024 * 1024) == "300 MiB"
