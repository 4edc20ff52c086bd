"""Issue 13.5: the cache cannot lie. Each tampering is detected: a miss and a rescan, never old
data served as the file's."""

from __future__ import annotations

import os
import random

import pytest

from distscope.tui import session
from distscope.tui.archive.cache import IndexCache, cache_dir
from distscope.tui.cli import main
from tests.archives import compress, entry, tar_bytes
from tests.hostile.helpers import SEED


def _archive(path, middle: str) -> None:
    r = random.Random(SEED)
    entries = [entry(f"python/a{i}.bin", r.randbytes(4000)) for i in range(30)]
    entries.insert(15, entry(f"python/middle-{middle}.txt", "m"))
    path.write_bytes(compress(tar_bytes(entries)))


def _names(index) -> set[str]:
    return {m.name for m in index.members}


def test_rewritten_with_same_size_and_mtime_is_a_miss(tmp_path, capsys):
    path = tmp_path / "a.tar.zst"
    _archive(path, "good")
    first = session.open_index(path)
    assert "python/middle-good.txt" in _names(first)
    st = os.stat(path)
    _archive(tmp_path / "b.tar.zst", "EVIL")  # same length name: same size
    data = (tmp_path / "b.tar.zst").read_bytes()
    assert len(data) == st.st_size
    path.write_bytes(data)
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))  # the mtime restored, as touch -r would
    again = session.open_index(path)
    assert "python/middle-EVIL.txt" in _names(again) and again.sha256 != first.sha256
    assert main(["ls", str(path)]) == 0
    assert "python/middle-EVIL.txt" in capsys.readouterr().out


def test_report_says_the_hash_came_from_the_cache_and_verify_rehashes(tmp_path, capsys):
    path = tmp_path / "a.tar.zst"
    _archive(path, "good")
    assert main(["report", str(path)]) == 0
    assert "(from the index cache" not in capsys.readouterr().out
    assert main(["report", str(path)]) == 0
    assert "(from the index cache; --verify hashes the file again)" in capsys.readouterr().out
    assert main(["report", "--verify", str(path)]) == 0
    assert "(from the index cache" not in capsys.readouterr().out


def test_verify_drops_an_entry_that_disagrees(tmp_path, monkeypatch):
    path = tmp_path / "a.tar.zst"
    _archive(path, "good")
    cold = session.open_index(path)
    # An entry claiming another hash (as if the file changed in a way no check saw).
    from distscope.tui.archive import cache as cache_mod
    real_index = cache_mod.IndexCache._index

    def lying(archive, st, data):
        index = real_index(archive, st, data)
        index.sha256 = "0" * 64
        return index

    monkeypatch.setattr(cache_mod.IndexCache, "_index", staticmethod(lying))
    assert session.open_index(path).sha256 == "0" * 64  # without --verify: the entry's word
    verified = session.open_index(path, verify=True)
    assert verified.sha256 == cold.sha256 and verified.sha256_source == "read"


@pytest.mark.parametrize("seed", range(12))
def test_bit_flips_and_cuts_of_an_entry_are_misses(tmp_path, seed):
    path = tmp_path / "a.tar.zst"
    _archive(path, "good")
    cold = session.open_index(path)
    entry_path = IndexCache().entry_path(path)
    raw = bytearray(entry_path.read_bytes())
    r = random.Random(seed)
    if seed % 3 == 2:
        raw = raw[:r.randrange(len(raw))]
    else:
        for _ in range(1 + seed % 4):
            i = r.randrange(len(raw))
            raw[i] ^= 1 << r.randrange(8)
    entry_path.write_bytes(bytes(raw))
    warm = session.open_index(path)
    assert warm.sha256_source == "read"  # a miss: rescanned
    assert [m.to_row() for m in warm.members] == [m.to_row() for m in cold.members]
    assert warm.results == cold.results


@pytest.mark.parametrize("folder", ["index", "seekable"])
def test_symlinked_cache_folders_are_never_used(tmp_path, folder):
    path = tmp_path / "a.tar.zst"
    _archive(path, "good")
    victim = tmp_path / "victim"
    victim.mkdir()
    precious = victim / "precious.msgpack"
    precious.write_bytes(b"keep me")
    (victim / "old.tar.zst").write_bytes(b"keep me too")
    os.makedirs(cache_dir(), exist_ok=True)
    os.symlink(victim, cache_dir() / folder)
    index = session.open_index(path)  # a store (and prune) on the way
    from distscope.tui.archive.cache import IndexCache as Cache
    from distscope.tui.archive.copies import evict
    Cache().prune(max_entries=0)
    evict(budget=0)
    assert sorted(p.name for p in victim.iterdir()) == ["old.tar.zst", "precious.msgpack"]
    assert precious.read_bytes() == b"keep me"
    assert index.complete
    # cat still works (streams, without a copy)
    from distscope.tui.archive.reader import MemberReader
    reader = MemberReader(index, use_cache=True, verify=True)
    assert reader.read("python/middle-good.txt") == b"m"
    reader.prepare()  # a seekable copy would go into the (symlinked) folder: refused, not followed
    reader.wait_copy()
    assert reader.verify() is None
    reader.close()
    assert sorted(p.name for p in victim.iterdir()) == ["old.tar.zst", "precious.msgpack"]


def test_planted_symlink_at_the_temp_name_is_not_followed(tmp_path):
    from distscope.tui.archive.cache import atomic_write

    folder = tmp_path / "cache"
    folder.mkdir()
    victim = tmp_path / "victim.txt"
    victim.write_text("keep")
    target = folder / "entry.msgpack"
    os.symlink(victim, target)  # a link where the entry goes: replaced, not written through
    atomic_write(target, b"new")
    assert victim.read_text() == "keep" and not target.is_symlink() and target.read_bytes() == b"new"


def test_demo_is_not_written_through_a_planted_link(tmp_path):
    from distscope.tui.demo import build_demo

    victim = tmp_path / "victim.txt"
    victim.write_text("keep")
    demo = tmp_path / "demo" / "demo.tar.zst"
    demo.parent.mkdir()
    os.symlink(victim, demo.with_suffix(".tmp"))
    build_demo(demo)
    assert victim.read_text() == "keep" and demo.stat().st_size > 0
