"""The index cache: hits, misses, stale and corrupt entries, analyser versions, --no-cache."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time

import msgpack
import pytest

from tests.archives import entry, random_bytes, small_distribution, write_archive
from tests.conftest import plain, real_archive
from distscope.tui import cli, session
from distscope.tui import session as registry
from distscope.tui.analysis.classify import Classifier
from distscope.tui.archive import cache as cache_mod
from distscope.tui.archive.cache import IndexCache, analyser_versions, cache_dir, fingerprint
from distscope.tui.archive.index import Scan


@pytest.fixture
def scans(monkeypatch):
    """Counts the streaming passes open_index makes."""
    count = {"n": 0}

    class CountingScan(Scan):
        def __init__(self, *args, **kwargs):
            count["n"] += 1
            super().__init__(*args, **kwargs)

    monkeypatch.setattr(session, "Scan", CountingScan)
    return count


def _rows(index):
    return [m.to_row() for m in index.members]


def test_second_open_is_a_hit_with_the_same_index(tmp_path, scans):
    path = write_archive(tmp_path / "a.tar.zst", small_distribution())
    cold = session.open_index(path)
    assert scans["n"] == 1 and cold.complete and cold.sha256
    batches = []
    warm = session.open_index(path, on_progress=batches.append)
    assert scans["n"] == 1
    assert _rows(warm) == _rows(cold)
    assert warm.results == cold.results and plain(warm.results["classify"])["kinds"]
    assert (warm.sha256, warm.compression, warm.uncompressed_bytes, warm.complete, warm.error) == \
        (cold.sha256, cold.compression, cold.uncompressed_bytes, cold.complete, cold.error)
    assert len(batches) == 1 and batches[0].done and len(batches[0].members) == len(cold.members)
    assert batches[0].compressed_read == batches[0].compressed_total == os.path.getsize(path)
    assert warm.resolve("python/bin/python").path == "python/bin/python3.12"


def test_cache_lives_in_the_cache_dir_and_is_keyed_by_realpath(tmp_path, scans):
    path = write_archive(tmp_path / "a.tar.zst", small_distribution())
    session.open_index(path)
    assert list((cache_dir() / "index").glob("*.msgpack"))
    link = tmp_path / "link.tar.zst"
    link.symlink_to(path)
    session.open_index(link)
    assert scans["n"] == 1


def test_touched_archive_is_rescanned(tmp_path, scans):
    path = write_archive(tmp_path / "a.tar.zst", small_distribution())
    session.open_index(path)
    st = os.stat(path)
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000_000))
    session.open_index(path)
    assert scans["n"] == 2
    session.open_index(path)
    assert scans["n"] == 2


def test_same_size_and_mtime_but_new_content_is_detected(tmp_path, scans):
    path = write_archive(tmp_path / "a.tar", [entry("x/data.txt", "old text\n")], "none")
    first = session.open_index(path)
    st = os.stat(path)
    write_archive(path, [entry("x/data.txt", "\x00\x01binary\n")], "none")
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert os.stat(path).st_size == st.st_size and os.stat(path).st_mtime_ns == st.st_mtime_ns
    second = session.open_index(path)
    assert scans["n"] == 2
    assert first.get("x/data.txt").kind == "text" and second.get("x/data.txt").kind == "other"


def test_fingerprint_samples_the_middle_of_big_files(tmp_path):
    data = bytearray(random_bytes(8 << 20, 1))
    path = tmp_path / "big"
    path.write_bytes(data)
    before = fingerprint(str(path))
    edge = cache_mod._EDGE
    data[edge + 8 * (len(data) - 2 * edge) // (cache_mod._SAMPLES + 1) + 5] ^= 0xFF  # in sample 8
    path.write_bytes(data)
    assert fingerprint(str(path)) != before


@pytest.mark.parametrize("damage", ["garbage", "truncated", "empty", "wrong-type"])
def test_corrupt_cache_entry_is_rebuilt(tmp_path, scans, damage):
    path = write_archive(tmp_path / "a.tar.zst", small_distribution())
    cold = session.open_index(path)
    entry_path = IndexCache().entry_path(path)
    raw = entry_path.read_bytes()
    entry_path.write_bytes({"garbage": random_bytes(300, 2), "truncated": raw[: len(raw) // 2], "empty": b"",
                            "wrong-type": msgpack.packb([1, 2, 3])}[damage])
    again = session.open_index(path)
    assert scans["n"] == 2 and _rows(again) == _rows(cold)
    session.open_index(path)
    assert scans["n"] == 2  # the rebuilt entry is good


@pytest.mark.parametrize("damage", ["last-byte-cut", "header-cut", "huge-header-length", "bad-section-ref",
                                    "format-3-entry"])
def test_damaged_entry_layout_is_rebuilt(tmp_path, scans, damage):
    path = write_archive(tmp_path / "a.tar.zst", [entry(f"d/f{i}", f"text {i}\n" * 50) for i in range(300)])
    cold = session.open_index(path)
    entry_path = IndexCache().entry_path(path)
    raw = entry_path.read_bytes()
    pre = len(cache_mod._HEAD) + cache_mod._CRC.size
    head = pre + 8
    length = int.from_bytes(raw[pre:head], "little")
    assert len(raw) > head + length  # the members' payloads are stored as sections
    ref = raw.rindex(bytes([0xd8, cache_mod._SECTION]), head, head + length)  # fixext 16 of the last reference
    entry_path.write_bytes({
        "last-byte-cut": raw[:-1],
        "header-cut": raw[:head + length // 2],
        "huge-header-length": raw[:pre] + (1 << 62).to_bytes(8, "little") + raw[head:],
        "bad-section-ref": raw[:ref + 2] + (len(raw)).to_bytes(8, "little") + raw[ref + 10:],
        "format-3-entry": msgpack.packb({"magic": "distscope-index", "format": 3}),
    }[damage])
    again = session.open_index(path)
    assert scans["n"] == 2 and _rows(again) == _rows(cold)
    session.open_index(path)
    assert scans["n"] == 2


def test_older_format_version_is_not_used(tmp_path, scans, monkeypatch):
    path = write_archive(tmp_path / "a.tar.zst", small_distribution())
    session.open_index(path)
    monkeypatch.setattr(cache_mod, "FORMAT_VERSION", cache_mod.FORMAT_VERSION + 1)
    session.open_index(path)
    assert scans["n"] == 2


def test_analyser_version_change_rescans(tmp_path, scans, monkeypatch):
    path = write_archive(tmp_path / "a.tar.zst", small_distribution())
    session.open_index(path)
    monkeypatch.setattr(Classifier, "version", Classifier.version + 1)  # a bump, in both places
    monkeypatch.setitem(registry.ANALYSER_VERSIONS, Classifier.name, Classifier.version)
    session.open_index(path)
    assert scans["n"] == 2
    session.open_index(path)
    assert scans["n"] == 2


def test_analyser_version_table_matches_the_analysers():
    """A cache hit checks the static table instead of importing the analysers: it must not drift."""
    assert analyser_versions(registry.analysers()) == registry.ANALYSER_VERSIONS


def test_cache_hit_imports_no_analyser(tmp_path):
    path = write_archive(tmp_path / "a.tar.zst", small_distribution())
    code = (f"import sys; from distscope.tui import session; session.open_index({str(path)!r});"
            "print(sorted(m for m in sys.modules if m.startswith(('distscope.tui.meta', 'distscope.tui.analysis.binaries', 'pefile'))))")
    env = {**os.environ, "DISTSCOPE_CACHE_DIR": str(tmp_path / "cache")}
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    miss = subprocess.run([sys.executable, "-c", code], env=env, cwd=root, capture_output=True, text=True, check=True)
    hit = subprocess.run([sys.executable, "-c", code], env=env, cwd=root, capture_output=True, text=True, check=True)
    assert "distscope.tui.analysis.binaries" in miss.stdout
    assert hit.stdout.strip() == "[]"


def test_analysers_are_made_once_the_archive_streams(tmp_path, monkeypatch):
    """open_index hands Scan the function making the analysers: decompression has started when
    it is called (their imports overlap it), and the index is the same."""
    path = write_archive(tmp_path / "a.tar.zst", small_distribution())
    started = []
    real = registry.analysers

    def making():
        started.append(scan_holder[0].archive._threaded._started)
        return real()

    scan_holder = []

    class Recording(Scan):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            scan_holder.append(self)

    monkeypatch.setattr(session, "Scan", Recording)
    monkeypatch.setattr(session, "analysers", making)
    index = session.open_index(path, use_cache=False)
    assert started == [True]
    assert {a.name for a in scan_holder[0].analysers} == set(registry.ANALYSER_VERSIONS)
    assert plain(index.results["binaries"]) and index.complete


def test_cold_open_stores_the_columns_gathered_during_the_pass(tmp_path, monkeypatch):
    """The cache entry's member columns come from the pass (ColumnBuilder), not from encoding
    every member after it; the reopened members are the same."""
    path = write_archive(tmp_path / "a.tar.zst", small_distribution())

    def not_after_the_pass(members):
        raise AssertionError("encoded after the pass")

    monkeypatch.setattr(cache_mod, "encode_members", not_after_the_pass)
    cold = session.open_index(path)
    assert IndexCache().entry_path(path).exists()
    warm = session.open_index(path)
    assert _rows(warm) == _rows(cold)


def test_use_cache_false_neither_reads_nor_writes(tmp_path, scans):
    path = write_archive(tmp_path / "a.tar.zst", small_distribution())
    session.open_index(path, use_cache=False)
    assert not (cache_dir() / "index").exists()
    session.open_index(path)
    session.open_index(path, use_cache=False)
    assert scans["n"] == 3


def test_no_cache_flag(tmp_path, capsys):
    path = write_archive(tmp_path / "a.tar.zst", small_distribution())
    assert cli.main(["--no-cache", "summary", str(path)]) == 0
    assert not (cache_dir() / "index").exists()
    assert cli.main(["summary", str(path)]) == 0
    assert list((cache_dir() / "index").glob("*.msgpack"))


def test_damaged_archive_is_cached_with_its_error(tmp_path, scans):
    good = write_archive(tmp_path / "g.tar", small_distribution(), "none").read_bytes()
    path = tmp_path / "cut.tar"
    path.write_bytes(good[:2500])
    cold = session.open_index(path)
    assert not cold.complete and cold.error
    warm = session.open_index(path)
    assert scans["n"] == 1
    assert not warm.complete and warm.error == cold.error and _rows(warm) == _rows(cold)


def test_cancelled_pass_is_not_cached(tmp_path, scans):
    path = write_archive(tmp_path / "a.tar.zst", small_distribution())
    cancel = threading.Event()
    cancel.set()
    index = session.open_index(path, cancel=cancel)
    assert index.error == "cancelled"
    session.open_index(path)
    assert scans["n"] == 2


def test_unwritable_cache_dir_is_not_an_error(tmp_path, monkeypatch):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("DISTSCOPE_CACHE_DIR", str(blocker))
    path = write_archive(tmp_path / "a.tar.zst", small_distribution())
    assert session.open_index(path).complete
    assert session.open_index(path).complete


def test_non_utf8_member_names_survive_the_cache(tmp_path, scans):
    import tarfile

    path = write_archive(tmp_path / "a.tar", [entry("odd/\udcff-name.txt", "x")], "none",
                         format=tarfile.GNU_FORMAT)
    cold = session.open_index(path)
    warm = session.open_index(path)
    assert scans["n"] == 1 and _rows(warm) == _rows(cold)


def test_real_archive_reopens_from_cache(scans):
    path = real_archive("windows")
    cold = session.open_index(path)
    warm = session.open_index(path)
    assert scans["n"] == 1
    assert _rows(warm) == _rows(cold) and warm.results == cold.results


def _member(i, **over):
    from distscope.tui.archive.members import Member

    values = dict(name=f"d/f{i}", path=f"d/f{i}", type="file", size=i * 1000, mode=0o644, mtime=1704067200,
                  uid=0, gid=0, uname="root", gname="root", linkname="", header_offset=i * 1024,
                  data_offset=i * 1024 + 512, kind="text", typeflag="0")
    values.update(over)
    return Member(**values)


@pytest.mark.parametrize("odd", [
    {}, {"size": 1 << 70}, {"mtime": -(1 << 40)}, {"name": "nul\0name"}, {"linkname": "a\0b"},
    {"name": "bad-\udcff-utf8", "path": "elsewhere"}, {"uname": "\u00e9"},
])
def test_member_columns_round_trip(odd):
    from distscope.tui.archive.columns import decode_members, encode_members

    members = [_member(i) for i in range(50)] + [_member(50, **odd)]
    for subset in (members, members[:1], []):
        packed = msgpack.packb(encode_members(subset), use_bin_type=True, unicode_errors="surrogateescape")
        data = msgpack.unpackb(packed, raw=False, strict_map_key=False, unicode_errors="surrogateescape")
        assert [m.to_row() for m in decode_members(data)] == [m.to_row() for m in subset]


def test_old_entries_are_pruned(tmp_path):
    paths = [write_archive(tmp_path / f"a{i}.tar", [entry(f"f{i}", str(i))], "none") for i in range(4)]
    for i, path in enumerate(paths):
        session.open_index(path)
        os.utime(IndexCache().entry_path(path), (1000 + i, 1000 + i))
    IndexCache().prune(max_entries=2)
    assert [IndexCache().entry_path(p).exists() for p in paths] == [False, False, True, True]


def test_archive_changed_during_the_pass_is_not_cached(tmp_path, scans):
    path = write_archive(tmp_path / "a.tar.zst", small_distribution())
    index = session.open_index(path, use_cache=False)
    os.utime(path, (1, 1))
    assert not IndexCache().store(index, {})


def test_cached_results_are_read_back_when_used(tmp_path, monkeypatch):
    """A reopen decodes no result until one is used; then it is the same model the pass made,
    and a result that does not decode counts as missing."""
    from distscope.tui.model.report import BinaryAnalysis

    monkeypatch.setenv("DISTSCOPE_CACHE_DIR", str(tmp_path / "cache"))
    path = write_archive(tmp_path / "a.tar.zst", small_distribution())
    first = session.open_index(path)
    again = session.open_index(path)
    assert isinstance(again.results, session.CachedResults) and not again.results._decoded
    assert again.results["binaries"] == first.results["binaries"]
    assert isinstance(again.results.get("binaries"), BinaryAnalysis)
    warm, cold = session.build_report(again), session.build_report(first)
    assert (warm.findings, warm.binaries, warm.requirements) == (cold.findings, cold.binaries, cold.requirements)
    assert warm.archive.sha256_source == "cache" and warm.archive.sha256 == cold.archive.sha256
    dict.__setitem__(again.results, "toolchain", {"producers": "not a list of producers"})
    again.results._decoded.discard("toolchain")  # (as read from a damaged entry)
    assert again.results.get("toolchain") is None and "toolchain" not in dict(again.results.items())


def test_on_indexed_comes_before_the_cache_entry_is_written(tmp_path, scans):
    """A caller sees the finished index first (the app shows the report); the entry is written
    after, and a hit calls it too."""
    path = write_archive(tmp_path / "a.tar.zst", small_distribution())
    seen = []

    def on_indexed(index):
        seen.append((index.complete, list((cache_dir() / "index").glob("*.msgpack"))))

    cold = session.open_index(path, on_indexed=on_indexed)
    assert seen == [(True, [])] and list((cache_dir() / "index").glob("*.msgpack"))
    warm = session.open_index(path, on_indexed=on_indexed)
    assert scans["n"] == 1 and len(seen) == 2 and _rows(warm) == _rows(cold)


def test_a_clear_gate_holds_both_threads_of_the_pass(tmp_path, monkeypatch):
    """While the gate is clear (an app answering a key), the parsing thread waits between
    batches and the analysis thread between members; set, the pass goes on to the end."""
    from distscope.tui.archive import index as index_module
    from distscope.tui.archive.index import Scan
    from distscope.tui.archive.plugin import ALL, Analyser

    monkeypatch.setattr(index_module, "GATE_WAIT", 30.0)

    class Fed(Analyser):
        name = "fed"

        def __init__(self):
            self.fed = []

        def want(self, member, head):
            return ALL

        def feed(self, member, data, complete):
            self.fed.append(member.path)

    entries = [entry(f"python/lib/m{i}.py", b"x = %d\n" % i) for i in range(40)]
    path = write_archive(tmp_path / "g.tar.zst", entries)
    gate, fed = threading.Event(), Fed()
    scan = Scan(path, [fed], gate=gate, batch_members=10)
    batches = iter(scan)
    next(batches)  # the first batch: the analysis thread has members queued ...
    time.sleep(0.2)
    assert fed.fed == []  # ... and feeds none while the gate is clear
    done = threading.Thread(target=lambda: list(batches))
    done.start()
    done.join(0.1)
    assert done.is_alive()  # the parsing thread waits too
    gate.set()
    done.join(10)
    assert not done.is_alive() and len(fed.fed) == 40 and scan.index.complete
