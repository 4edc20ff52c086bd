import tarfile

import zstandard

from tests.archives import small_distribution, write_archive
from tests.conftest import real_archive
from tui.analysis.classify import Classifier
from tui.archive.index import scan
from tui.cli import main


def test_scan_small_archive(tmp_path):
    path = write_archive(tmp_path / "d.tar.zst", small_distribution())
    index = scan(path, [Classifier()])
    assert index.complete and index.error is None
    assert [m.name for m in index.members] == [e[0].name for e in small_distribution()]
    assert index.resolve("python/bin/python").path == "python/bin/python3.12"


def test_real_linux_member_list_equals_tarfile():
    path = real_archive("linux")
    index = scan(path)
    with open(path, "rb") as fh:
        with tarfile.open(fileobj=zstandard.ZstdDecompressor().stream_reader(fh), mode="r|") as tar:
            names = [m.name for m in tar]
    assert [m.name.rstrip("/") for m in index.members] == names


def test_cli_summary_bad_input(tmp_path, capsys):
    bad = tmp_path / "x.zip"
    bad.write_bytes(b"PK\x03\x04" + b"\x00" * 100)
    assert main(["summary", str(bad)]) == 2
    assert "zip archive" in capsys.readouterr().err
