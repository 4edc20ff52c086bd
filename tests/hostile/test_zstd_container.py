"""Issue 13.5 (end): the zstd container is verified to its end, and an error keeps the data
before it. ``zstd -t`` is the independent judge where it is installed."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from distscope.tui.archive.compression import zstd_container_damage
from distscope.tui.archive.index import scan
from distscope.tui.cli import main
from tests.archives import compress
from tests.hostile.helpers import break_zstd_block, one_line, seekable_zstd, text_members, zstd_members

import zstandard


def _single() -> tuple[bytes, list[str]]:
    data, names = zstd_members()
    return zstandard.ZstdCompressor(level=3, write_checksum=True).compress(data), names


def _cases() -> dict[str, bytes]:
    single, _ = _single()
    data, _ = zstd_members()
    seekable = seekable_zstd(data)
    return {
        "checksum-cut": single[:-4],
        "checksum-half-cut": single[:-2],
        "partial-trailing-frame": single + single[:40],
        "seek-table-cut": seekable[:-6],
        "trailing-garbage": single + b"garbage!",
    }


@pytest.mark.parametrize("name", sorted(_cases()))
def test_cut_container_is_damage(tmp_path, name, capsysbinary):
    capsys = _Text(capsysbinary)
    path = tmp_path / f"{name}.tar.zst"
    path.write_bytes(_cases()[name])
    assert zstd_container_damage(str(path))
    if shutil.which("zstd"):  # the reference tool agrees that it is damaged
        assert subprocess.run(["zstd", "-tq", str(path)], capture_output=True).returncode != 0
    index = scan(path)
    assert not index.complete and index.error
    assert main(["--no-cache", "ls", str(path)]) == 2
    out, err = capsys.readouterr()
    assert len(out.splitlines()) == 40  # every member was read before the damage
    line = one_line(err)
    assert "premature end" in line or "not zstd data" in line or "decompression failed" in line, line
    assert main(["--no-cache", "cat", str(path), "python/m000.bin"]) == 2
    out, err = capsys.readouterr()
    assert "could not be verified" in err or "damaged" in err
    assert main(["--no-cache", "report", str(path)]) == 2
    assert "INCOMPLETE" in capsys.readouterr()[0]


class _Text:
    def __init__(self, cap) -> None:
        self.cap = cap

    def readouterr(self):
        out, err = self.cap.readouterr()
        return out.decode("utf-8", "replace"), err.decode("utf-8", "replace")


def test_whole_containers_pass(tmp_path):
    data, _ = zstd_members()
    for blob in (compress(data), seekable_zstd(data), compress(data, frame_size=10000)):
        path = tmp_path / "ok.tar.zst"
        path.write_bytes(blob)
        assert zstd_container_damage(str(path)) is None
        assert scan(path).complete


def test_a_zstd_error_keeps_the_data_before_it(tmp_path, capsys):
    data, names = text_members(count=400, size=20000)  # ~8 MB of tar: more than one 8 MiB read
    blob = break_zstd_block(zstandard.ZstdCompressor(level=3, write_checksum=True).compress(data))
    path = tmp_path / "damaged.tar.zst"
    path.write_bytes(bytes(blob))
    assert main(["--no-cache", "ls", str(path)]) == 2
    out, err = capsys.readouterr()
    assert "decompression failed" in one_line(err)
    listed = out.splitlines()
    assert listed == names[:len(listed)]
    assert len(listed) >= 250, len(listed)  # (was 0: the whole 8 MiB read was dropped)
    if shutil.which("tar") and shutil.which("zstd"):
        ref = subprocess.run(f"zstd -dc {path} 2>/dev/null | tar -tf - 2>/dev/null", shell=True,
                             capture_output=True, text=True).stdout.splitlines()
        assert len(listed) >= len(ref) - 2, (len(listed), len(ref))
