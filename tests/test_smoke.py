"""Smoke tests: the index, the classifier riding the pass, and the CLI's bad-input path."""

from tests.archives import small_distribution, write_archive
from distscope.tui.analysis.classify import Classifier
from distscope.tui.archive.index import scan
from distscope.tui.cli import main


def test_scan_small_archive(tmp_path):
    path = write_archive(tmp_path / "d.tar.zst", small_distribution())
    index = scan(path, [Classifier()])
    assert index.complete and index.error is None
    assert [m.name for m in index.members] == [e[0].name for e in small_distribution()]
    assert index.resolve("python/bin/python").path == "python/bin/python3.12"
    assert index.get("python/lib/python3.12/os.py").kind == "text"


def test_cli_ls_and_summary(tmp_path, capsys):
    path = write_archive(tmp_path / "d.tar.gz", small_distribution(), "gzip")
    assert main(["ls", str(path)]) == 0
    assert capsys.readouterr().out.split() == [e[0].name for e in small_distribution()]
    assert main(["summary", str(path)]) == 0
    assert "8 members" in capsys.readouterr().out


def test_cli_summary_bad_input(tmp_path, capsys):
    bad = tmp_path / "x.zip"
    bad.write_bytes(b"PK\x03\x04" + b"\x00" * 100)
    assert main(["summary", str(bad)]) == 2
    assert "zip archive" in capsys.readouterr().err
