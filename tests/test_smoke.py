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


def test_the_library_leaves_the_process_alone(tmp_path):
    """Opening an archive (a pass, then a cache load) and building a report through
    distscope.tui.session leaves the collector on, the switch interval as it was, no objects
    frozen, no registry keyed by the index, and the process exits normally."""
    import subprocess
    import sys

    path = write_archive(tmp_path / "d.tar.zst", small_distribution())
    code = f"""
import gc, sys
interval = sys.getswitchinterval()
from distscope.tui.session import build_report, open_index, to_text
from distscope.tui.archive import reader
seen = []
for use_cache in (True, True, False):  # a pass writing the cache, a cache load, a pass
    index = open_index({str(path)!r}, use_cache=use_cache, on_progress=lambda p: seen.append(gc.isenabled()))
    text = to_text(build_report(index))
    assert gc.isenabled() and all(seen), seen
    assert sys.getswitchinterval() == interval
    assert gc.get_freeze_count() == 0
assert not [name for name in vars(reader) if name.startswith("_small")]
print("ok")
"""
    env = {"DISTSCOPE_CACHE_DIR": str(tmp_path / "cache"), "PATH": "/usr/bin:/bin"}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 0 and done.stdout == "ok\n", done.stderr
