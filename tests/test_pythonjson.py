"""PYTHON.json: found during the pass, parsed leniently, findings for bad input."""

import json

from tests.archives import entry, write_archive
from tests.conftest import plain, real_archive
from distscope.tui.session import analysers as default_analysers
from distscope.tui.archive.index import scan
from distscope.tui.meta.pythonjson import PythonJsonAnalyser, is_python_json, parse


def _scan(tmp_path, entries):
    return plain(scan(write_archive(tmp_path / "d.tar.zst", entries), [PythonJsonAnalyser()]).results["pythonjson"])


def test_reads_first_member(tmp_path):
    doc = {"version": "8", "target_triple": "x86_64-unknown-linux-gnu", "python_version": "3.13.1"}
    result = _scan(tmp_path, [entry("python/PYTHON.json", json.dumps(doc)), entry("python/install/x", "y")])
    assert result["path"] == "python/PYTHON.json"
    assert result["data"] == doc
    assert result["format_version"] == 8 and result["first_member"]
    assert result["findings"] == []


def test_absent(tmp_path):
    result = _scan(tmp_path, [entry("python/bin/python3", "x")])
    assert result["data"] is None and result["path"] is None and result["findings"] == []


def test_malformed_json_gives_finding(tmp_path):
    result = _scan(tmp_path, [entry("python/PYTHON.json", '{"version": "8", "target_')])
    assert result["data"] is None
    assert [f["code"] for f in result["findings"]] == ["pythonjson-malformed"]
    assert result["findings"][0]["severity"] == "error"


def test_odd_json_never_crashes():
    for raw in [b"[]", b"null", b"\xff\xfe{}", b"[" * 100000, b'{"version": {"x": 1}}', b'{"version": "99"}',
                b'{"build_info": 3, "version": "8"}', b""]:
        data, findings = parse(raw)
        assert data is None or isinstance(data, dict)
        assert all(f.severity in ("error", "warning", "info") for f in findings)


def test_not_first_and_duplicate(tmp_path):
    result = _scan(tmp_path, [entry("python/a", "x"), entry("python/PYTHON.json", '{"version": "7"}'),
                              entry("other/PYTHON.json", '{"version": "6"}')])
    codes = {f["code"] for f in result["findings"]}
    assert {"pythonjson-not-first", "pythonjson-duplicate"} <= codes
    assert result["format_version"] == 7


def test_location_rule():
    assert is_python_json("python/PYTHON.json") and is_python_json("PYTHON.json")
    assert not is_python_json("python/install/lib/PYTHON.json")


def test_real_windows():
    index = scan(real_archive("windows"), default_analysers())
    result = plain(index.results["pythonjson"])
    assert result["format_version"] == 7
    assert result["data"]["target_triple"] == "x86_64-pc-windows-msvc"
    assert result["data"]["python_version"] == "3.11.9"


def test_not_first_names_the_members_before_it(tmp_path):
    """QA: an empty python/.gdignore before PYTHON.json; the note names it and stays info."""
    result = _scan(tmp_path, [entry("python/", type="dir"), entry("python/.gdignore", b""),
                              entry("python/PYTHON.json", '{"version": "7"}'), entry("python/install/x", "y")])
    notes = [f for f in result["findings"] if f["code"] == "pythonjson-not-first"]
    assert len(notes) == 1 and notes[0]["severity"] == "info"
    assert "python/.gdignore (0 bytes) comes before it" in notes[0]["message"]
    assert notes[0]["paths"] == ["python/PYTHON.json", "python/.gdignore"]
    assert not result["first_member"]


def test_folder_entries_before_it_are_not_a_finding(tmp_path):
    result = _scan(tmp_path, [entry("python/", type="dir"), entry("python/install/", type="dir"),
                              entry("python/PYTHON.json", '{"version": "7"}'), entry("python/install/x", "y")])
    assert result["first_member"]
    assert not any(f["code"] == "pythonjson-not-first" for f in result["findings"])


def test_symlink_before_it_is_named(tmp_path):
    result = _scan(tmp_path, [entry("python/a", type="symlink", link="b"),
                              entry("python/PYTHON.json", '{"version": "7"}')])
    note = next(f for f in result["findings"] if f["code"] == "pythonjson-not-first")
    assert "python/a (symlink) comes before it" in note["message"]


def test_field_shapes():
    """Strings where lists belong, and non-string items, each get a pythonjson-field finding."""
    doc = {"version": "8", "target_triple": "x", "licenses": "GPL-3.0", "crt_features": ["static", 3],
           "python_extension_module_loading": "builtin", "license_path": ["a", "b"],
           "build_info": {"core": {"links": {"name": "m"}},
                          "extensions": {"_a": {"licenses": ["MIT"], "links": []},
                                         "_b": [{"license_paths": "x.txt", "links": "m"}, 5]}}}
    data, findings = parse(json.dumps(doc).encode())
    messages = [f.message for f in findings]
    assert all(f.code == "pythonjson-field" and f.severity == "warning" for f in findings)
    assert messages == [
        "PYTHON.json licenses is a single string, not a list; read as a list of one",
        "PYTHON.json crt_features has 1 item(s) that are not strings; ignored",
        "PYTHON.json python_extension_module_loading is a single string, not a list; read as a list of one",
        "PYTHON.json license_path is a list, not a string; each string in it read as a path",
        "PYTHON.json build_info.core.links is a single object, not a list; read as a list of one",
        "PYTHON.json build_info.extensions._a is a single object, not a list; read as a list of one",
        "PYTHON.json build_info.extensions._b has 1 item(s) that are not objects; ignored",
        "PYTHON.json build_info.extensions._b[0].license_paths is a single string, not a list; "
        "read as a list of one",
        "PYTHON.json build_info.extensions._b[0].links is a JSON string, not a list; ignored",
    ]
    assert parse(json.dumps({"version": "8", "target_triple": "x", "licenses": ["MIT"]}).encode())[1] == []


def test_real_windows_not_first_is_accurate():
    index = scan(real_archive("windows"), default_analysers())
    notes = [f for f in plain(index.results["pythonjson"])["findings"] if f["code"] == "pythonjson-not-first"]
    assert len(notes) == 1 and notes[0]["severity"] == "info"
    assert "python/.gdignore (0 bytes) comes before it" in notes[0]["message"]
    assert plain(index.results["pythonjson"])["findings"] == notes  # nothing else to say about it
