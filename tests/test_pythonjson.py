"""PYTHON.json: found during the pass, parsed leniently, findings for bad input."""

import json

from tests.archives import entry, write_archive
from tests.conftest import real_archive
from tui.analysis.registry import default_analysers
from tui.archive.index import scan
from tui.meta.pythonjson import PythonJsonAnalyser, is_python_json, parse


def _scan(tmp_path, entries):
    return scan(write_archive(tmp_path / "d.tar.zst", entries), [PythonJsonAnalyser()]).results["pythonjson"]


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
        assert all(f["severity"] in ("error", "warning", "info") for f in findings)


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
    result = index.results["pythonjson"]
    assert result["format_version"] == 7
    assert result["data"]["target_triple"] == "x86_64-pc-windows-msvc"
    assert result["data"]["python_version"] == "3.11.9"
