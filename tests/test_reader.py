"""On-demand member reads: every compression, links, batches, the seekable copy, `distscope cat`."""

from __future__ import annotations

import io
import random
import tarfile
import threading

import pytest

from tests.archives import entry, random_bytes, small_distribution, tar_bytes, write_archive
from tests.conftest import real_archive
from distscope.tui import cli, session
from distscope.tui.archive import copies, reader as reader_mod
from distscope.tui.archive.cache import cache_dir
from distscope.tui.archive.reader import MemberNotReadable, MemberReader, SmallMembers
from distscope.tui.errors import MemberNotFound

COMPRESSIONS = ["zstd", "zstd-frames", "gzip", "xz", "bzip2", "none"]
_rng = random.Random(7)
BIG = bytes(_rng.getrandbits(8) for _ in range(300_000))  # above the small-member limit
LAST = b"the very last member\n" * 5000


def _entries():
    return [
        entry("pkg/first.txt", "first member\n"),
        entry("pkg/sub", type="dir"),
        entry("pkg/sub/big.bin", BIG),
        entry("pkg/sub/empty", b""),
        entry("pkg/alias", type="symlink", link="sub/big.bin"),
        entry("pkg/dirlink", type="symlink", link="sub"),
        entry("pkg/hard", type="hardlink", link="pkg/first.txt"),
        entry("pkg/escape", type="symlink", link="../../etc/passwd"),
        entry("pkg/absolute", type="symlink", link="/etc/passwd"),
        entry("pkg/dangling", type="symlink", link="nowhere"),
        entry("pkg/loop1", type="symlink", link="loop2"),
        entry("pkg/loop2", type="symlink", link="loop1"),
        entry("pkg/fifo", type="fifo"),
        entry("pkg/z/last.txt", LAST),
    ]


def _archive(tmp_path, compression):
    if compression == "zstd-frames":
        return write_archive(tmp_path / "a.tar.zst", _entries(), "zstd", frame_size=64 << 10)
    suffix = {"zstd": ".zst", "gzip": ".gz", "xz": ".xz", "bzip2": ".bz2", "none": ""}[compression]
    return write_archive(tmp_path / f"a.tar{suffix}", _entries(), compression)


def _expected(path: str) -> bytes:
    with tarfile.open(fileobj=io.BytesIO(tar_bytes(_entries()))) as tar:
        return tar.extractfile(path).read()


def _fresh(path, **kwargs):
    """A reader over a cache-loaded index (no small members in memory): the "later run" case."""
    session.open_index(path)
    index = session.open_index(path)
    assert reader_mod.small_members(index) is None
    return MemberReader(index, **kwargs)


@pytest.mark.parametrize("compression", COMPRESSIONS)
def test_reads_first_last_and_linked_members(tmp_path, compression):
    reader = _fresh(_archive(tmp_path, compression))
    assert reader.read("pkg/first.txt") == b"first member\n"
    assert reader.read("pkg/z/last.txt") == LAST == _expected("pkg/z/last.txt")
    assert reader.read("pkg/alias") == BIG
    assert reader.read("pkg/dirlink/big.bin") == BIG
    assert reader.read("./pkg/hard") == _expected("pkg/hard")
    assert reader.read("pkg/sub/empty") == b""
    assert reader.read("pkg/z/last.txt", limit=10) == LAST[:10]
    assert reader.read("pkg/sub/big.bin", limit=0) == b""
    direct = {"none": "plain", "zstd-frames": "frames"}.get(compression)
    if direct:
        assert set(reader.stats) == {direct}
    else:  # served while the copy is written, then from the finished copy
        assert reader.stats["building"] >= 1 and set(reader.stats) <= {"building", "copy"}
        assert reader.wait_copy()


@pytest.mark.parametrize("compression", ["zstd", "gzip", "none"])
def test_read_many_in_one_pass_without_cache(tmp_path, compression, monkeypatch):
    path = _archive(tmp_path, compression)
    index = session.open_index(path, use_cache=False)
    index.small_members = None  # force real reads
    opened = []
    real_open = reader_mod.OpenedArchive
    monkeypatch.setattr(reader_mod, "OpenedArchive", lambda *a, **k: opened.append(1) or real_open(*a, **k))
    reader = MemberReader(index, use_cache=False)
    got = reader.read_many(["pkg/z/last.txt", "pkg/first.txt", "pkg/alias", "pkg/hard"])
    assert got == {"pkg/z/last.txt": LAST, "pkg/first.txt": b"first member\n", "pkg/alias": BIG,
                   "pkg/hard": b"first member\n"}
    if compression == "none":
        assert reader.stats["plain"] == 3 and not opened
    else:
        assert reader.stats["stream"] == 3 and len(opened) == 1
    assert not (cache_dir() / "seekable").exists()


def test_small_members_of_the_pass_are_served_from_memory(tmp_path):
    path = _archive(tmp_path, "zstd")
    index = session.open_index(path)
    reader = MemberReader(index)
    assert reader.read("pkg/first.txt") == b"first member\n"
    assert reader.read("pkg/z/last.txt") == LAST  # 105 KB: above the limit
    assert reader.stats["small"] == 1 and reader.stats["building"] == 1


def test_commands_that_read_no_content_keep_no_small_members(tmp_path):
    path = _archive(tmp_path, "zstd")
    index = session.open_index(path, use_cache=False, keep_small=False)
    assert reader_mod.small_members(index) is None and index.complete
    assert MemberReader(index).read("pkg/first.txt") == b"first member\n"  # read from the archive


def test_small_member_lru_is_bounded():
    store = SmallMembers(member_limit=100, budget=250)
    for key in range(5):
        store.put(key, bytes(100))
    assert store.total <= 250 and len(store) == 2
    assert store.get(0) is None and store.get(4) is not None
    store.get(3)
    store.put(9, bytes(100))
    assert store.get(3) is not None and store.get(4) is None


def test_seekable_copy_is_reused_by_a_later_reader(tmp_path):
    path = _archive(tmp_path, "zstd")
    first = _fresh(path)
    assert first.read("pkg/z/last.txt") == LAST
    assert first.wait_copy()
    copy = copies.copy_path(first.index)
    assert copy.is_file()
    with _zst_tar(copy) as tar:  # an ordinary .tar.zst: its frames hold the original tar stream
        assert tar.extractfile("pkg/z/last.txt").read() == LAST
    copies._builders.clear()  # as in a new process
    second = _fresh(path)
    assert second.read("pkg/z/last.txt") == LAST and second.read("pkg/alias") == BIG
    assert dict(second.stats) == {"copy": 2}


def test_broken_copy_is_discarded_and_rebuilt(tmp_path):
    path = _archive(tmp_path, "gzip")
    first = _fresh(path)
    first.read("pkg/first.txt")
    assert first.wait_copy()
    copy = copies.copy_path(first.index)
    copy.write_bytes(copy.read_bytes()[:-20])
    copies._builders.clear()
    second = _fresh(path)
    assert second.read("pkg/z/last.txt") == LAST
    assert second.stats["building"] == 1 and second.wait_copy()


def test_copies_are_evicted_least_recently_used_first(tmp_path):
    sizes = []
    for name in ("one", "two", "three"):
        path = write_archive(tmp_path / f"{name}.tar.gz", [entry(f"{name}.bin", random_bytes(50_000, 1))], "gzip")
        reader = _fresh(path)
        reader.prepare()
        assert reader.wait_copy()
        sizes.append(copies.copy_path(reader.index).stat().st_size)
    names = sorted(p.name for p in copies.copies_dir().iterdir())
    assert len(names) == 3
    copies.evict(budget=sizes[-1] + sizes[-2])
    assert len(list(copies.copies_dir().iterdir())) == 2


def test_no_copy_beyond_the_budget(tmp_path, monkeypatch):
    monkeypatch.setenv("DISTSCOPE_COPY_BUDGET", "10")
    reader = _fresh(_archive(tmp_path, "zstd"))
    assert reader.read("pkg/z/last.txt") == LAST
    assert dict(reader.stats) == {"stream": 1}


@pytest.mark.parametrize("path, error, text", [
    ("pkg/missing.txt", MemberNotFound, "not in the archive"),
    ("pkg/frist.txt", MemberNotFound, "did you mean: pkg/first.txt"),
    ("other/first.txt", MemberNotFound, "did you mean: pkg/first.txt"),
    ("pkg/sub", MemberNotReadable, "is a directory"),
    ("pkg/escape", MemberNotReadable, "leaves the archive"),
    ("pkg/absolute", MemberNotReadable, "absolute"),
    ("pkg/loop1", MemberNotReadable, "loops"),
    ("pkg/dangling", MemberNotReadable, "dangling link"),
    ("pkg/fifo", MemberNotReadable, "not a regular file"),
])
def test_clear_errors(tmp_path, path, error, text):
    reader = _fresh(_archive(tmp_path, "zstd"))
    with pytest.raises(error, match=text):
        reader.read(path)


def test_concurrent_reads_from_threads(tmp_path):
    reader = _fresh(_archive(tmp_path, "xz"))
    wanted = {"pkg/z/last.txt": LAST, "pkg/alias": BIG, "pkg/first.txt": b"first member\n"}
    failures = []

    def work(path):
        for _ in range(5):
            if reader.read(path) != wanted[path]:
                failures.append(path)

    threads = [threading.Thread(target=work, args=(p,)) for p in wanted for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not failures


def test_cat_command(tmp_path, capsysbinary):
    path = _archive(tmp_path, "zstd")
    assert cli.main(["cat", str(path), "pkg/alias"]) == 0
    assert capsysbinary.readouterr().out == BIG
    assert cli.main(["cat", str(path), "pkg/z/last.txt"]) == 0  # second run: from the copy
    assert capsysbinary.readouterr().out == LAST
    assert cli.main(["cat", str(path), "pkg/frist.txt"]) == 2
    err = capsysbinary.readouterr().err.decode()
    assert err.count("\n") == 1 and "did you mean: pkg/first.txt" in err
    assert cli.main(["--no-cache", "cat", str(path), "pkg/sub"]) == 2
    assert "is a directory" in capsysbinary.readouterr().err.decode()


def test_cat_on_a_damaged_archive(tmp_path, capsysbinary):
    good = write_archive(tmp_path / "g.tar", small_distribution(), "none").read_bytes()
    path = tmp_path / "cut.tar"
    path.write_bytes(good[:3000])
    assert cli.main(["cat", str(path), "python/bin/python3"]) == 2  # written, then a warning
    out, err = capsysbinary.readouterr()
    assert out == b"#!ELF-placeholder\n"
    assert err.decode().startswith("distscope: warning: the archive is damaged (")
    assert cli.main(["cat", str(path), "python/share/empty"]) == 2
    assert "damaged" in capsysbinary.readouterr().err.decode()


def _zst_tar(path):
    import zstandard

    with open(path, "rb") as f:
        data = zstandard.ZstdDecompressor(max_window_size=2**31).stream_reader(f, read_across_frames=True).read()
    return tarfile.open(fileobj=io.BytesIO(data))


def test_real_archive_members_equal_tarfile(capsysbinary):
    path = real_archive("windows")
    index = session.open_index(path)
    files = [m for m in index.members if m.type == "file"]
    deepest = max(files, key=lambda m: (m.path.count("/"), m.data_offset))
    last = max(files, key=lambda m: m.data_offset)
    biggest = max(files, key=lambda m: m.size)
    reader = MemberReader(session.open_index(path))  # from the cache: real reads
    got = reader.read_many(["python/PYTHON.json", deepest.path, last.path, biggest.path])
    with _zst_tar(path) as tar:
        for name, data in got.items():
            assert data == tar.extractfile(name).read(), name
    assert cli.main(["cat", str(path), "python/PYTHON.json"]) == 0
    assert capsysbinary.readouterr().out == got["python/PYTHON.json"]


def test_damaged_copy_falls_back_and_is_discarded(tmp_path):
    path = _archive(tmp_path, "zstd")
    first = _fresh(path)
    first.prepare()
    assert first.wait_copy()
    copy = copies.copy_path(first.index)
    data = bytearray(copy.read_bytes())
    for i in range(200, 2000, 50):
        data[i] ^= 0x5A
    copy.write_bytes(bytes(data))
    copies._builders.clear()
    second = _fresh(path)
    assert second.read("pkg/first.txt") == b"first member\n"
    assert second.read("pkg/z/last.txt") == LAST
    assert not copy.exists() or copy.read_bytes() != bytes(data)


def test_lying_frame_table_falls_back(tmp_path):
    import struct

    from distscope.tui.archive.seekable import SEEK_TABLE_MAGIC, SEEKABLE_MAGIC, walk_zstd_frames

    path = _archive(tmp_path, "zstd-frames")
    raw = path.read_bytes()
    with open(path, "rb") as f:
        frames = walk_zstd_frames(f, len(raw))
    # A seek table whose decompressed sizes are shifted by one frame.
    sizes = [fr[3] for fr in frames]
    sizes = sizes[1:] + sizes[:1]
    body = b"".join(struct.pack("<II", fr[2], usize) for fr, usize in zip(frames, sizes))
    body += struct.pack("<IBI", len(frames), 0, SEEKABLE_MAGIC)
    path.write_bytes(raw + struct.pack("<II", SEEK_TABLE_MAGIC, len(body)) + body)
    reader = _fresh(path)
    assert reader.read("pkg/z/last.txt") == LAST and reader.read("pkg/alias") == BIG
    assert reader.stats["building"] + reader.stats["stream"] >= 1  # the table was dropped


@pytest.mark.parametrize("use_cache", [True, False])
@pytest.mark.parametrize("compression", ["zstd", "none", "zstd-frames"])
def test_iter_chunks(tmp_path, compression, use_cache):
    path = _archive(tmp_path, compression)
    index = session.open_index(path, use_cache=use_cache)
    reader = MemberReader(index, use_cache=use_cache)
    pieces = list(reader.iter_chunks("pkg/alias", chunk_size=70_000))
    assert b"".join(pieces) == BIG and max(map(len, pieces)) <= 70_000 and len(pieces) == 5
    assert b"".join(reader.iter_chunks("pkg/z/last.txt", chunk_size=1 << 20)) == LAST
    assert list(reader.iter_chunks("pkg/sub/empty")) == []
    with pytest.raises(MemberNotReadable):
        list(reader.iter_chunks("pkg/sub"))
    if not use_cache and compression == "zstd":
        assert reader.stats["stream"] == 2


def test_member_past_the_end_of_a_damaged_archive(tmp_path):
    data = tar_bytes([entry("one.txt", b"1" * 2000), entry("two.txt", b"2" * 50_000)])
    path = tmp_path / "cut.tar"
    path.write_bytes(data[:20_000])
    index = session.open_index(path)
    reader = MemberReader(index)
    assert not index.complete and index.get("two.txt") is not None
    assert reader.read("one.txt") == b"1" * 2000
    with pytest.raises(MemberNotReadable, match="past the end"):
        reader.read("two.txt")


def test_a_failed_copy_is_not_retried_and_reads_still_work(tmp_path, monkeypatch):
    path = _archive(tmp_path, "zstd")
    reader = _fresh(path)
    attempts = []

    def broken(*args, **kwargs):
        attempts.append(1)
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(copies, "OpenedArchive", broken)
    assert reader.read("pkg/z/last.txt") == LAST
    assert not reader.wait_copy()
    assert MemberReader(reader.index).read("pkg/alias") == BIG
    assert len(attempts) == 1 and not list(copies.copies_dir().glob("*"))


# -- damage that only the end checksum reveals, links in stored paths, the copy notice ---------

def _bad_checksum(tmp_path, compression):
    """An archive whose data decompresses cleanly but fails the stream's end checksum."""
    import gzip

    import zstandard

    # A long tail, so that the members come out of the decompressor before the end is reached
    # (a small zstd frame is decoded, and its checksum checked, all at once).
    data = tar_bytes([*_entries(), entry("pkg/zz/tail.bin", BIG * 40)])
    if compression == "gzip":
        raw = bytearray(gzip.compress(data, mtime=0))
        raw[-8] ^= 0xFF  # the CRC-32 in the trailer
        path = tmp_path / "crc.tar.gz"
    else:
        raw = bytearray(zstandard.ZstdCompressor(level=3, write_checksum=True).compress(data))
        raw[-1] ^= 0xFF  # the frame's content checksum
        path = tmp_path / "crc.tar.zst"
    path.write_bytes(bytes(raw))
    return path


@pytest.mark.parametrize("compression", ["gzip", "zstd"])
@pytest.mark.parametrize("member, expected", [("pkg/first.txt", b"first member\n"), ("pkg/alias", BIG)])
@pytest.mark.parametrize("no_cache", [[], ["--no-cache"]])
def test_cat_reports_a_bad_end_checksum(tmp_path, capsysbinary, compression, member, expected, no_cache):
    path = _bad_checksum(tmp_path, compression)
    for _ in range(2):  # a first run (index from the pass) and a later one (index from the cache)
        assert cli.main([*no_cache, "cat", str(path), member]) == 2
        out, err = capsysbinary.readouterr()
        assert out == expected  # what could be read is still written
        err = err.decode()
        assert err.count("\n") == 1
        assert err.startswith("distscope: warning: the archive is damaged (")
        assert err.rstrip().endswith("these bytes could not be verified")
    assert not list(copies.copies_dir().glob("*.tar.zst"))  # a copy failing the checksum is dropped


def test_cat_of_a_member_before_the_damage_warns(tmp_path, capsysbinary):
    import gzip

    data = bytearray(tar_bytes(_entries()))
    last = data.find(b"pkg/z/last.txt")  # the last member's header: damage after the others
    data[last] ^= 0xFF
    path = tmp_path / "bad.tar.gz"
    path.write_bytes(gzip.compress(bytes(data), mtime=0))
    for args in ([], ["--no-cache"]):
        assert cli.main([*args, "cat", str(path), "pkg/alias"]) == 2
        out, err = capsysbinary.readouterr()
        assert out == BIG
        assert err.decode() == ("distscope: warning: the archive is damaged (bad tar header checksum at byte "
                                f"{last // 512 * 512:,} of the tar stream, after member 'pkg/fifo'); "
                                "these bytes could not be verified\n")


def test_verified_reads_of_a_good_archive_report_nothing(tmp_path):
    for compression in COMPRESSIONS:
        (tmp_path / compression).mkdir()
        path = _archive(tmp_path / compression, compression)
        for use_cache in (True, False):
            reader = MemberReader(session.open_index(path, use_cache=use_cache), use_cache=use_cache, verify=True)
            assert b"".join(reader.iter_chunks("pkg/alias")) == BIG
            assert reader.read("pkg/first.txt") == b"first member\n"
            reader.prepare()
            reader.wait_copy()
            assert reader.verify() is None, (compression, use_cache)


def test_a_bad_end_checksum_gives_no_copy(tmp_path):
    # The indexing pass reads to the end of the compressed stream, so the damage is known
    # before any read: the bytes are still served, but no seekable copy is ever installed.
    path = _bad_checksum(tmp_path, "gzip")
    reader = _fresh(path)
    assert not reader.index.complete and "CRC" in reader.index.error
    assert reader.read("pkg/z/last.txt") == LAST
    assert not reader.wait_copy()
    assert copies.open_copy(reader.index) is None


def _linked_folder_entries():
    return [
        entry("python/real", type="dir"),
        entry("python/real/pwned.txt", "the real folder's file\n"),
        entry("python/inside", type="symlink", link="real"),
        entry("python/inside/pwned.txt", "stored under the link's path\n"),
        entry("python/link_out", type="symlink", link="../.."),
        entry("python/link_out/pwned.txt", "stored under an escaping link\n"),
    ]


@pytest.mark.parametrize("use_cache", [True, False])
def test_a_member_stored_under_a_linked_folder_is_read_as_stored(tmp_path, use_cache, capsysbinary):
    path = write_archive(tmp_path / "links.tar.gz", _linked_folder_entries(), "gzip")
    reader = MemberReader(session.open_index(path, use_cache=use_cache), use_cache=use_cache)
    assert reader.read("python/link_out/pwned.txt") == b"stored under an escaping link\n"
    assert reader.read("python/inside/pwned.txt") == b"stored under the link's path\n"
    assert reader.read("python/real/pwned.txt") == b"the real folder's file\n"
    with pytest.raises(MemberNotReadable, match="leaves the archive"):
        reader.read("python/link_out/etc/passwd")  # not a member: the link is followed, and refused
    with pytest.raises(MemberNotReadable, match="is a directory"):
        reader.read("python/inside")  # a link itself is still followed
    args = [] if use_cache else ["--no-cache"]
    assert cli.main([*args, "cat", str(path), "python/link_out/pwned.txt"]) == 0
    assert capsysbinary.readouterr().out == b"stored under an escaping link\n"
    with tarfile.open(path) as tar:  # what tar -xO prints
        assert tar.extractfile("python/link_out/pwned.txt").read() == b"stored under an escaping link\n"


def test_cat_says_when_it_builds_a_copy_on_a_terminal(tmp_path, capsysbinary, monkeypatch):
    import sys

    path = _archive(tmp_path, "zstd")
    assert cli.main(["cat", str(path), "pkg/first.txt"]) == 0  # not a terminal: silent
    assert capsysbinary.readouterr().err == b""
    copies.discard_copy(session.open_index(path))
    monkeypatch.setattr(copies, "_builders", {})
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    assert cli.main(["cat", str(path), "pkg/first.txt"]) == 0
    out, err = capsysbinary.readouterr()
    assert out == b"first member\n"
    err = err.decode()
    assert err.count("\n") == 1 and err.startswith("distscope: building a seekable copy for fast reads (")
    assert f" MB in {copies.copies_dir()}; --no-cache skips)" in err
    assert cli.main(["cat", str(path), "pkg/first.txt"]) == 0  # the copy exists: nothing to say
    assert capsysbinary.readouterr().err == b""


def test_no_copy_when_it_alone_exceeds_the_budget(tmp_path, capsysbinary, monkeypatch):
    import sys

    path = _archive(tmp_path, "gzip")
    monkeypatch.setenv("DISTSCOPE_COPY_BUDGET", str(path.stat().st_size - 1))
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    assert cli.main(["cat", str(path), "pkg/alias"]) == 0
    out, err = capsysbinary.readouterr()
    assert out == BIG and err == b""
    assert not copies.copies_dir().exists() or not list(copies.copies_dir().iterdir())


def test_cat_help_documents_the_copy_budget(capsys):
    with pytest.raises(SystemExit):
        cli.main(["cat", "--help"])
    assert "DISTSCOPE_COPY_BUDGET" in capsys.readouterr().out


@pytest.mark.skipif(not __import__("sys").platform.startswith("linux"), reason="per-thread priorities are Linux's")
def test_the_seekable_copy_is_written_at_a_lower_priority(tmp_path, monkeypatch):
    """Writing the copy is background work: its threads (reading, decompressing, compressing)
    give the CPU to what is on screen first."""
    import os

    from distscope.tui.archive.compression import HASH_NICENESS

    before = os.getpriority(os.PRIO_PROCESS, 0)
    seen: list[int] = []
    real = copies.CopyBuilder._compress

    def compress(self, chunk):
        seen.append(os.getpriority(os.PRIO_PROCESS, threading.get_native_id()))
        return real(self, chunk)

    monkeypatch.setattr(copies.CopyBuilder, "_compress", compress)
    reader = _fresh(_archive(tmp_path, "gzip"))
    assert reader.read("pkg/z/last.txt") == LAST
    assert reader.wait_copy()
    assert seen and set(seen) == {min(19, before + HASH_NICENESS)}
    assert os.getpriority(os.PRIO_PROCESS, 0) == before


def test_a_clear_gate_holds_a_stream_read(tmp_path, monkeypatch):
    """A read that streams the archive (no cache, no copy) waits between its 1 MiB reads while
    the gate is clear (an app answering a key), and goes on once it is set."""
    from distscope.tui.archive import index as index_module, reader as reader_module

    monkeypatch.setattr(index_module, "GATE_WAIT", 30.0)
    monkeypatch.setattr(reader_module, "_SKIP_CHUNK", 1024)
    blob = random_bytes(64 << 10, seed=7)
    path = write_archive(tmp_path / "g.tar.zst", [entry("python/a.bin", blob), entry("python/z.txt", b"last")])
    index = session.open_index(path, use_cache=False, keep_small=False)
    gate = threading.Event()
    reader = MemberReader(index, use_cache=False, gate=gate)
    got = []
    worker = threading.Thread(target=lambda: got.append(reader.read("python/z.txt")))
    worker.start()
    worker.join(0.2)
    assert worker.is_alive() and not got
    gate.set()
    worker.join(10)
    assert got == [b"last"] and reader.stats["stream"] == 1
