"""The streaming tar parser and compression detection, on fixtures built here."""

from __future__ import annotations

import io
import sys
import tarfile

import pytest
import zstandard

from tests.archives import MTIME, compress, entry, small_distribution, tar_bytes, write_archive
from tests.conftest import real_archive
from distscope.tui.archive.compression import OpenedArchive, ThreadedReader, detect
from distscope.tui.archive.index import Scan, scan
from distscope.tui.archive.members import DIRECTORY, FILE, HARDLINK, OTHER, SYMLINK, normalize
from distscope.tui.archive.tarscan import TarFormatError, TarReader, checksum_ok, parse_number
from distscope.tui.errors import NotAnArchive

COMPRESSIONS = ["zstd", "gzip", "xz", "bzip2", "none"]


# -- helpers shared with test_hostile ----------------------------------------------------------
def fix_checksum(block: bytes | bytearray) -> bytes:
    """Recompute a header's checksum (after patching fields)."""
    block = bytearray(block)
    block[148:156] = b" " * 8
    block[148:156] = b"%06o\x00 " % sum(block)
    return bytes(block)


def header(name: str, size: int = 0, typeflag: bytes = b"0", *, fmt: int = tarfile.GNU_FORMAT,
           linkname: str = "", **fields) -> bytes:
    """One 512-byte header block for hand-made streams; ``fields`` patch raw byte ranges
    given as ``{"124:136": b"..."}``-style keyword names such as ``f124_136=b"..."``."""
    info = tarfile.TarInfo(name)
    info.size, info.mtime, info.linkname = size, MTIME, linkname
    info.type = typeflag
    block = bytearray(info.tobuf(fmt)[-512:])
    for key, value in fields.items():
        start, end = (int(x) for x in key[1:].split("_"))
        block[start:end] = value.ljust(end - start, b"\x00")
    return fix_checksum(block)


def padded(data: bytes) -> bytes:
    return data + bytes(-len(data) % 512)


def pax_record(key: str, value: str) -> bytes:
    body = f" {key}={value}\n".encode()
    n = len(body) + 1
    while len(str(n)) + len(body) != n:
        n += 1
    return str(n).encode() + body


def end() -> bytes:
    return bytes(1024)


def base256(value: int, width: int) -> bytes:
    return bytes([0x80]) + value.to_bytes(width - 1, "big")


def names_via_tarfile(data: bytes) -> list[str]:
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:") as tar:
        return [m.name for m in tar]


def members_of(data: bytes):
    return list(TarReader(io.BytesIO(data)))


# -- formats -----------------------------------------------------------------------------------
LONG = "python/lib/python3.12/site-packages/" + "deep/" * 40 + "module_with_a_long_name.py"
LONG_LINK = "../" * 5 + "target/" * 30 + "file"


def mixed_entries():
    return [
        entry("python/", type="dir"),
        entry("python/empty", b""),
        entry("python/data.bin", bytes(range(256)) * 9),
        entry(LONG, "long\n"),
        entry("python/link", type="symlink", link=LONG_LINK),
        entry("python/hard", type="hardlink", link="python/data.bin"),
        entry("python/fifo", type="fifo"),
        entry("python/unicodé/ñame.txt", "x"),
    ]


@pytest.mark.parametrize("fmt", [tarfile.USTAR_FORMAT, tarfile.GNU_FORMAT, tarfile.PAX_FORMAT])
def test_formats_match_tarfile(fmt):
    entries = mixed_entries()
    if fmt == tarfile.USTAR_FORMAT:  # ustar cannot hold the long link or the long name
        entries = [e for e in entries if e[0].name not in ("python/link", LONG)]
    data = tar_bytes(entries, fmt)
    members = members_of(data)
    with tarfile.open(fileobj=io.BytesIO(data)) as tar:
        ref = tar.getmembers()
    assert [m.name.rstrip("/") for m in members] == [r.name for r in ref]
    for m, r in zip(members, ref):
        assert (m.size if m.type == FILE else 0, m.mtime, m.header_offset, m.data_offset) == \
            (r.size if r.isreg() else 0, r.mtime, r.offset, r.offset_data)
        assert m.linkname == (r.linkname if r.issym() or r.islnk() else "")
    by = {m.path: m for m in members}
    assert by["python"].type == DIRECTORY and by["python/empty"].size == 0
    assert by["python/hard"].type == HARDLINK and by["python/fifo"].type == OTHER
    if fmt != tarfile.USTAR_FORMAT:
        assert by[LONG].type == FILE
        assert by["python/link"].type == SYMLINK and by["python/link"].linkname == LONG_LINK


def test_ustar_prefix_joins_name():
    name = "p" * 120 + "/file.txt"
    data = tar_bytes([entry(name, "x")], tarfile.USTAR_FORMAT)
    assert data[345:350] == b"ppppp"  # really stored in the prefix field
    assert [m.name for m in members_of(data)] == [name]


def test_gnu_header_times_are_not_a_prefix():
    # GNU headers keep atime/ctime where ustar keeps the prefix: it must not leak into names.
    block = header("file", 1, f345_357=b"14000000000\x00", f257_265=b"ustar  \x00")
    data = block + padded(b"x") + end()
    assert [m.name for m in members_of(data)] == ["file"]


def test_pax_overrides_and_global_headers():
    info = tarfile.TarInfo("short")
    info.size, info.mtime = 3, MTIME
    info.pax_headers = {"path": "pax/" + "n" * 150, "uid": "4000000", "gid": "5", "uname": "ümlaut",
                        "gname": "grp", "mtime": "1704067200.75"}
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w", format=tarfile.PAX_FORMAT,
                      pax_headers={"comment": "global"}) as tar:
        tar.addfile(info, io.BytesIO(b"abc"))
        info, data = entry("after", "z")
        tar.addfile(info, io.BytesIO(data))
    members = members_of(out.getvalue())
    assert [m.name for m in members] == ["pax/" + "n" * 150, "after"]
    m = members[0]
    assert (m.uid, m.gid, m.uname, m.gname, m.mtime, m.size) == (4000000, 5, "ümlaut", "grp", MTIME, 3)


def test_pax_size_overrides_header_size():
    body = b"x" * 700
    pax = pax_record("size", "700")
    data = (header("././@PaxHeader", len(pax), b"x") + padded(pax)
            + header("big", 0, b"0") + padded(body) + header("next", 1) + padded(b"n") + end())
    members = members_of(data)
    assert [(m.name, m.size) for m in members] == [("big", 700), ("next", 1)]


def test_empty_pax_value_restores_header_field():
    gpax = pax_record("path", "global")
    xpax = pax_record("path", "")
    data = (header("g", len(gpax), b"g") + padded(gpax) + header("x", len(xpax), b"x") + padded(xpax)
            + header("own-name", 0) + end())
    assert [m.name for m in members_of(data)] == ["own-name"]


def test_base256_size_and_ids():
    body = b"y" * 600
    data = (header("b256", 0, f124_136=base256(600, 12), f108_116=base256(2**40, 8),
                   f116_124=base256(7, 8)) + padded(body) + header("after", 1) + padded(b"a") + end())
    members = members_of(data)
    assert [(m.name, m.size, m.uid, m.gid) for m in members] == [("b256", 600, 2**40, 7), ("after", 1, 0, 0)]
    assert names_via_tarfile(data) == ["b256", "after"]


def test_parse_number_forms():
    assert parse_number(b"0000644\x00") == 0o644
    assert parse_number(b" 644 \x00  ") == 0o644
    assert parse_number(b"\x00" * 8) == 0
    assert parse_number(b"\xff" * 8) == -1
    with pytest.raises(ValueError):
        parse_number(b"12z\x00")


def test_signed_checksum_accepted():
    block = bytearray(header("caf\xe9-name", 0))  # non-ASCII name: signed and unsigned sums differ
    block[0:9] = b"caf\xe9name\x00"
    block[148:156] = b" " * 8
    signed = sum(b - 256 if b >= 128 else b for b in block)
    block[148:156] = b"%06o\x00 " % signed
    assert checksum_ok(bytes(block))
    assert [m.name for m in members_of(bytes(block) + end())] == ["caf\udce9name"]


def test_checksum_short_path_is_exact():
    """Headers are checked in short when their checksum field was seen in a good header; a
    damaged header with a known field, or a non-ASCII one, is still checked exactly."""
    first, second = header("dir/ab.txt"), header("dir/ba.txt")  # same byte sum, same field
    assert first[148:156] == second[148:156]
    assert [m.name for m in members_of(first + second + end())] == ["dir/ab.txt", "dir/ba.txt"]
    damaged = bytearray(second)
    damaged[5] ^= 0x01  # the byte sum changes, the stored field does not
    with pytest.raises(TarFormatError, match="checksum"):
        members_of(first + bytes(damaged) + end())
    accented = header("dir/\xe9t\xe9.txt")  # UTF-8 name: not ASCII, checked the long way
    assert members_of(first + accented + end())[1].name == "dir/\xe9t\xe9.txt"
    bad = bytearray(accented)
    bad[5] ^= 0x01
    with pytest.raises(TarFormatError, match="checksum"):
        members_of(first + bytes(bad) + end())


def test_v7_directory_by_trailing_slash():
    v7 = header("olddir/", 0, b"\x00", f257_265=b"")
    data = v7 + header("olddir/f", 1, b"\x00", f257_265=b"") + padded(b"f") + end()
    members = members_of(data)
    assert [(m.name, m.type) for m in members] == [("olddir/", DIRECTORY), ("olddir/f", FILE)]


def test_gnu_sparse_with_extension_headers_is_other():
    sparse = bytearray(header("sparse", 1024, b"S"))
    sparse[482] = 1  # one extension header follows
    ext = bytearray(512)
    data = (fix_checksum(sparse) + bytes(ext) + b"s" * 1024 + header("after", 1) + padded(b"a") + end())
    members = members_of(data)
    assert [(m.name, m.type) for m in members] == [("sparse", OTHER), ("after", FILE)]


def test_unknown_type_carries_data():
    data = header("weird", 5, b"Z") + padded(b"12345") + header("after", 1) + padded(b"a") + end()
    assert [(m.name, m.type) for m in members_of(data)] == [("weird", OTHER), ("after", FILE)]
    assert names_via_tarfile(data) == ["weird", "after"]


def test_single_zero_block_ends_archive():
    data = header("a", 1) + padded(b"a") + bytes(512)
    reader = TarReader(io.BytesIO(data))
    assert [m.name for m in reader] == ["a"] and reader.ended


def test_member_data_reads():
    data = tar_bytes([entry("a", b"A" * 5000), entry("b", b"B" * 10)])
    reader = TarReader(io.BytesIO(data))
    a = next(reader)
    assert reader.peek_data(4) == b"AAAA"
    assert b"".join(reader.data_chunks(100)) == b"A" * 100
    b = next(reader)  # the rest of a is skipped
    assert b.name == "b" and reader.read_data() == b"B" * 10


def test_normalize():
    assert normalize("./python/bin/") == "python/bin"
    assert normalize("/abs//x/./y") == "abs/x/y"
    assert normalize("a/../b") == "b"
    assert normalize("./") == "" and normalize("python/.hidden") == "python/.hidden"


# -- compression -------------------------------------------------------------------------------
@pytest.mark.parametrize("compression", COMPRESSIONS)
def test_every_compression(tmp_path, compression):
    path = write_archive(tmp_path / "a.tar", mixed_entries(), compression)
    index = scan(path)
    assert index.complete and index.error is None and index.compression == compression
    assert [m.name.rstrip("/") for m in index.members] == names_via_tarfile(tar_bytes(mixed_entries()))
    assert index.sha256 is not None and len(index.sha256) == 64


def test_detection_ignores_the_file_name(tmp_path):
    path = write_archive(tmp_path / "looks-like.zip", small_distribution(), "xz")
    assert scan(path).compression == "xz"


def test_multiframe_zstd_reads_across_frames(tmp_path):
    data = tar_bytes([entry(f"f{i:03}", bytes([i]) * 3000) for i in range(60)])
    path = tmp_path / "multi.tar.zst"
    path.write_bytes(compress(data, "zstd", frame_size=4096))
    assert path.read_bytes().count(b"\x28\xb5\x2f\xfd") > 10
    index = scan(path)
    assert index.complete and len(index.members) == 60


def test_zstd_led_by_a_skippable_frame(tmp_path):
    skippable = b"\x5e\x2a\x4d\x18" + (8).to_bytes(4, "little") + b"metadata"
    path = tmp_path / "skip.tar.zst"
    path.write_bytes(skippable + compress(tar_bytes(small_distribution()), "zstd"))
    index = scan(path)
    assert index.complete and len(index.members) == len(small_distribution())


def test_zstd_skippable_frames_between_and_after(tmp_path):
    data = tar_bytes([entry(f"f{i}", "x" * 3000) for i in range(20)])
    skippable = b"\x5e\x2a\x4d\x18" + (8).to_bytes(4, "little") + b"seektabl"
    path = tmp_path / "seekable.tar.zst"
    path.write_bytes(compress(data[:10240]) + skippable + compress(data[10240:]) + skippable)
    index = scan(path)
    assert index.complete and len(index.members) == 20


def test_large_window_zstd(tmp_path):
    data = tar_bytes(small_distribution())
    # (no content size in the frame: zstd then declares the whole window, as PBS archives do)
    params = zstandard.ZstdCompressionParameters.from_level(3, window_log=27, write_content_size=False)
    compressor = zstandard.ZstdCompressor(compression_params=params).compressobj()
    path = tmp_path / "w27.tar.zst"
    path.write_bytes(compressor.compress(data) + compressor.flush())
    assert scan(path).complete
    from distscope.tui.archive import compression as comp
    with OpenedArchive(path) as bare, OpenedArchive(path, analysed=True) as analysed:
        assert zstandard.get_frame_parameters(path.read_bytes()[:18]).window_size > comp.LARGE_WINDOW
        assert (bare._threaded._chunk_size, bare._threaded._slots.qsize()) == (comp.SMALL_CHUNK, comp.SMALL_DEPTH)
        assert (analysed._threaded._chunk_size, analysed._threaded._slots.qsize()) == \
            (comp.ANALYSED_CHUNK, comp.ANALYSED_DEPTH)
        assert analysed.stream.read() == data


def test_empty_tar_is_an_archive(tmp_path):
    path = tmp_path / "empty.tar"
    path.write_bytes(bytes(10240))
    index = scan(path)
    assert index.complete and index.members == []


@pytest.mark.parametrize("head, message", [
    (b"", "empty file"), (b"PK\x03\x04" + bytes(600), "zip"), (b"7z\xbc\xaf\x27\x1c" + bytes(600), "7z"),
    (b"hello world\n" * 100, "not a tar archive"), (b"\x7fELF" + bytes(600), "ELF"),
])
def test_detect_rejects(head, message):
    with pytest.raises(NotAnArchive, match=message):
        detect(head)


def test_threaded_reader_relays_errors_in_order():
    class Failing(io.RawIOBase):
        def __init__(self):
            self.calls = 0

        def read(self, size=-1):
            self.calls += 1
            if self.calls > 2:
                raise OSError("disk on fire")
            return b"x" * 10

    reader = ThreadedReader(Failing(), chunk_size=10, depth=1)
    assert reader.read(20) == b"x" * 20
    with pytest.raises(OSError, match="disk on fire"):
        reader.read(1)
    reader.close()


def test_threads_stop_when_the_pass_is_abandoned(tmp_path):
    import threading
    data = tar_bytes([entry(f"f{i}", bytes(20000)) for i in range(300)])
    path = tmp_path / "a.tar.gz"
    path.write_bytes(compress(data, "gzip"))
    before = threading.active_count()
    for _ in Scan(path, batch_members=1):
        break  # the generator is closed here
    assert threading.active_count() == before


@pytest.mark.parametrize("collector", ["same-thread", "other-thread"])
def test_pass_abandoned_in_a_reference_cycle(tmp_path, collector):
    """The garbage collector may finish an abandoned pass on any thread: no deadlock, no
    self-join, and the helper threads end."""
    import gc
    import threading
    import time
    data = tar_bytes([entry(f"f{i}", bytes(20000)) for i in range(300)])
    path = tmp_path / "a.tar.zst"
    path.write_bytes(compress(data, "zstd"))
    before = threading.active_count()

    class Holder:
        pass

    holder = Holder()
    holder.me, holder.gen = holder, iter(Scan(path, batch_members=1))
    next(holder.gen)
    del holder
    if collector == "same-thread":
        gc.collect()
    else:
        t = threading.Thread(target=gc.collect)
        t.start()
        t.join()
    deadline = time.monotonic() + 30
    while threading.active_count() > before and time.monotonic() < deadline:
        time.sleep(0.01)
    assert threading.active_count() == before


def test_analyser_bugs_are_recorded_not_fatal(tmp_path):
    from distscope.tui.archive.plugin import ALL, Analyser

    class Broken(Analyser):
        name = "broken"

        def want(self, member, head):
            if member.path.endswith("os.py"):
                raise ValueError("want failed")
            return ALL

        def feed(self, member, data, complete):
            raise RuntimeError("feed failed")

        def finish(self, index):
            raise KeyError("finish failed")

    path = write_archive(tmp_path / "a.tar.zst", small_distribution())
    index = scan(path, [Broken()])
    assert index.complete and index.error is None
    errors = {e["error"].split(":")[0] for e in index.analysis_errors}
    assert errors == {"ValueError", "RuntimeError", "KeyError"}


def test_an_opened_but_unread_archive_holds_no_decompression_thread(tmp_path):
    import threading
    path = write_archive(tmp_path / "a.tar.zst", small_distribution())
    archive = OpenedArchive(path, hash_bytes=False)
    assert not any(t.name == "distscope-decompress" for t in threading.enumerate())
    archive.close()


def test_cancel_stops_the_pass(tmp_path):
    import threading
    path = write_archive(tmp_path / "a.tar.zst", [entry(f"f{i}", "x") for i in range(50)])
    cancel = threading.Event()
    s = Scan(path, cancel=cancel, batch_members=5)
    for progress in s:
        cancel.set()
    assert not s.index.complete and s.index.error == "cancelled" and 0 < len(s.index.members) < 50


def test_progress_batches_add_up(tmp_path):
    path = write_archive(tmp_path / "a.tar.zst", [entry(f"f{i}", "x") for i in range(1200)])
    batches = list(Scan(path, batch_members=100, batch_seconds=60))
    assert sum(len(b.members) for b in batches) == 1200
    assert batches[-1].done and batches[-1].compressed_read == batches[-1].compressed_total
    assert all(len(b.members) <= 100 for b in batches)


def test_opened_archive_hash_matches_file(tmp_path):
    import hashlib
    path = write_archive(tmp_path / "a.tar.bz2", small_distribution(), "bzip2")
    with OpenedArchive(path) as archive:
        assert archive.sha256() == hashlib.sha256(path.read_bytes()).hexdigest()


def test_index_lookup_and_tallies_catch_up_with_appended_members():
    from distscope.tui.archive.index import ArchiveIndex
    from distscope.tui.archive.members import Member

    def member(path, type_=FILE, size=1):
        return Member(path, path, type_, size, 0o644, 0, 0, 0, "", "", "", 0, 0, "", "0")

    index = ArchiveIndex(path="x", compression="zstd", compressed_size=0)
    index.members += [member("a"), member("d", DIRECTORY, 0), member("a", size=7)]
    assert index.catch_up(2) == 2 and index.catch_up(2) == 0
    assert index.by_path["a"].size == 7  # (by_path catches up first: the last "a" wins)
    index.members.append(member("l", SYMLINK, 0))
    assert index.counts() == {"members": 4, "files": 2, "directories": 1, "symlinks": 1, "hardlinks": 0,
                              "other": 0, "file_bytes": 8}
    index.members[:] = [member("b")]  # replaced by a shorter list: rebuilt
    assert set(index.by_path) == {"b"} and index.counts()["members"] == 1


def test_index_catch_up_from_two_threads_counts_each_member_once():
    import threading

    from distscope.tui.archive.index import ArchiveIndex
    from distscope.tui.archive.members import Member

    index = ArchiveIndex(path="x", compression="zstd", compressed_size=0)
    go = threading.Event()

    def reader():
        go.wait()
        for _ in range(2000):
            index.catch_up()

    threads = [threading.Thread(target=reader) for _ in range(2)]
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # (switch threads as often as possible)
    try:
        for t in threads:
            t.start()
        go.set()
        for i in range(20000):
            index.members.append(Member(f"f{i}", f"f{i}", FILE, 2, 0o644, 0, 0, 0, "", "", "", 0, 0, "", "0"))
        for t in threads:
            t.join()
    finally:
        sys.setswitchinterval(interval)
    assert index.counts()["files"] == 20000 and index.counts()["file_bytes"] == 40000


def test_analysers_observe_every_member_once_in_order(tmp_path):
    from distscope.tui.archive.plugin import Analyser

    class Watcher(Analyser):
        name = "watcher"

        def __init__(self):
            self.seen, self.slices, self.at_finish = [], 0, None

        def observe(self, members):
            self.seen += members
            self.slices += 1

        def finish(self, index):
            self.at_finish = len(self.seen)

    path = write_archive(tmp_path / "a.tar.zst", [entry(f"d/f{i}", "x" * i) for i in range(1500)])
    watcher = Watcher()
    index = Scan(path, [watcher]).run()
    assert watcher.seen == index.members and watcher.at_finish == len(index.members)
    assert index.counts()["files"] == 1500


def test_idle_steps_run_while_no_chunk_is_ready():
    import time

    class Slow(io.RawIOBase):
        """Two chunks, the second after a pause."""
        def __init__(self):
            self.parts = [b"a" * 10, b"b" * 10]

        def readable(self):
            return True

        def read(self, n=-1):
            if len(self.parts) == 1:
                time.sleep(0.05)
            return self.parts.pop(0) if self.parts else b""

    reader = ThreadedReader(Slow(), chunk_size=10)
    calls = {"first": 0, "second": 0}
    budget = [3]

    def first():  # work for three steps, then none
        if budget[0]:
            budget[0] -= 1
            calls["first"] += 1
            return True
        return False

    def second():  # always work: runs until a chunk is ready
        calls["second"] += 1
        time.sleep(0.001)
        return True

    reader.add_idle(first)
    reader.add_idle(second)
    data = b"".join(iter(reader.next_chunk, b""))
    assert data == b"a" * 10 + b"b" * 10
    assert calls["first"] == 3 and calls["second"] > 0
    reader.close()


def test_failing_analyser_factory_closes_the_archive(tmp_path):
    path = write_archive(tmp_path / "a.tar.zst", small_distribution())
    pass_ = Scan(path, lambda: 1 / 0)
    with pytest.raises(ZeroDivisionError):
        list(pass_)
    assert pass_.archive._file.closed and pass_.archive._threaded._stop.is_set()


@pytest.mark.parametrize("compression", COMPRESSIONS)
def test_hash_is_taken_while_waiting_for_decompression(tmp_path, compression):
    """With a decompressing thread, the reading thread hashes in steps while no chunk is ready
    (no hashing thread); without one (plain tar), a thread hashes. Either way: the file's hash."""
    import hashlib
    import os

    from distscope.tui.archive import compression as comp
    blob = os.urandom(3 * comp.HASH_STEP)  # incompressible: the file spans several hash steps
    path = write_archive(tmp_path / f"a.tar.{compression}", [entry("blob", blob)], compression)
    with OpenedArchive(path) as archive:
        stepped = archive._threaded is not None
        assert (archive.hasher._thread is None) == stepped
        assert bool(getattr(archive.stream, "_idle", None)) == stepped
        while archive.stream.read(1 << 16):
            pass
        assert archive.sha256() == hashlib.sha256(path.read_bytes()).hexdigest()
    hasher = comp.FileHasher(str(path), threaded=False)
    assert hasher.step() and hasher.hexdigest() == hashlib.sha256(path.read_bytes()).hexdigest()
    assert not hasher.step()
    stopped = comp.FileHasher(str(path), threaded=False)
    stopped.stop()
    assert not stopped.step() and stopped.hexdigest() is None
    assert comp.FileHasher(str(tmp_path / "missing"), threaded=False).hexdigest() is None


# -- real archives -----------------------------------------------------------------------------
@pytest.mark.parametrize("which", ["linux", "macos", "windows"])
def test_real_archives_equal_tarfile(which):
    path = real_archive(which)
    index = scan(path)
    with open(path, "rb") as fh:
        with tarfile.open(fileobj=zstandard.ZstdDecompressor().stream_reader(fh), mode="r|") as tar:
            ref = [(m.name, m.offset, m.offset_data, m.linkname if m.issym() or m.islnk() else "")
                   for m in tar]
    assert index.complete
    assert [(m.name.rstrip("/"), m.header_offset, m.data_offset, m.linkname) for m in index.members] == ref


def test_a_declared_interest_limits_the_members_want_sees(tmp_path):
    from distscope.tui.archive.plugin import Analyser, Interest
    from distscope.tui.analysis.classify import Classifier

    class Seen(Analyser):
        def __init__(self, interest=None):
            self.interest, self.seen = interest, []

        def want(self, member, head):
            self.seen.append(member.path)
            return 0

    path = write_archive(tmp_path / "a.tar.zst", [
        entry("a/tool.exe", b"MZ" + bytes(100)), entry("a/notes.txt", "hello\n"),
        entry("a/mod.OBJ", b"\x00\x00\xff\xff" + bytes(30)), entry("a/x.o", "not an object\n"),
        entry("a/lib.so", b"\x7fELF" + bytes(60)), entry("a/empty", b""), entry("a/dir", type="dir")])
    every, by_head, by_kind, by_suffix, nothing = (
        Seen(), Seen(Interest(heads=(b"MZ",))), Seen(Interest(kinds=frozenset({"elf", "text"}))),
        Seen(Interest(suffixes=(".o", ".OBJ"))), Seen(Interest()))
    scan(path, [Classifier(), every, by_head, by_kind, by_suffix, nothing])
    assert every.seen == ["a/tool.exe", "a/notes.txt", "a/mod.OBJ", "a/x.o", "a/lib.so", "a/empty"]
    assert by_head.seen == ["a/tool.exe"]
    assert by_kind.seen == ["a/notes.txt", "a/x.o", "a/lib.so"]
    assert by_suffix.seen == ["a/mod.OBJ", "a/x.o"]
    assert nothing.seen == []
    # The scan classifies file members whenever analysers ride it (the classifier only counts);
    # a bare index pass reads no heads and leaves the kind empty.
    alone = Seen(Interest(kinds=frozenset({"elf"})))
    index = scan(path, [alone])
    assert alone.seen == ["a/lib.so"]
    assert {m.path: m.kind for m in index.members if m.type == "file"}["a/lib.so"] == "elf"
    assert all(m.kind == "" for m in scan(path).members)


def test_path_interests_and_kind_counts(tmp_path):
    from distscope.tui.archive.plugin import Analyser, Interest
    from distscope.tui.analysis.classify import Classifier

    class Seen(Analyser):
        def __init__(self, interest):
            self.interest, self.seen = interest, []

        def want(self, member, head):
            self.seen.append(member.path)
            return 0

    path = write_archive(tmp_path / "a.tar.zst", [
        entry("p/LICENSE.txt", "MIT\n"), entry("p/Licenses/zlib", "zlib\n"), entry("p/lib/patchlevel.h", "x\n"),
        entry("p/PYTHON.json", "{}"), entry("p/bin/python", b"\x7fELF" + bytes(60)), entry("p/a.pyc", b"")])
    folded, exact = Seen(Interest(contains_folded=("LICEN",))), Seen(Interest(contains=("patchlevel.h",)))
    counter = Classifier()
    scan(path, [counter, folded, exact])
    assert folded.seen == ["p/LICENSE.txt", "p/Licenses/zlib"]
    assert exact.seen == ["p/lib/patchlevel.h"]
    assert counter.result().kinds == {"text": 4, "elf": 1, "empty": 1}


def test_small_members_are_kept_from_the_heads(tmp_path):
    from distscope.tui.archive.index import Scan
    from distscope.tui.archive.reader import SmallMembers

    big = bytes(range(256)) * 40  # 10 KiB: more than a head
    path = write_archive(tmp_path / "a.tar.zst", [
        entry("a/small", b"tiny"), entry("a/big", big), entry("a/empty", b""), entry("a/dir", type="dir")])
    for analysers in ([], None):
        store = SmallMembers()
        index = Scan(path, analysers or [], keep_small=store).run()
        offsets = {m.path: m.data_offset for m in index.members}
        assert store.get(offsets["a/small"]) == b"tiny" and len(store) == 1
        assert store.get(offsets["a/big"]) is None


@pytest.mark.parametrize("seed", range(6))
def test_stream_buffer_reads_across_chunks_like_a_flat_stream(seed):
    """Peeks, takes, skips and piecewise reads straddling chunk boundaries (where only the
    needed bytes are joined and the rest of the chunk is carried) see the flat stream."""
    import random

    from distscope.tui.archive.tarscan import StreamBuffer

    rng = random.Random(seed)
    flat = bytes(rng.getrandbits(8) for _ in range(600_000))
    cuts = sorted(rng.sample(range(1, len(flat)), 12))
    chunks = [flat[a:b] for a, b in zip([0, *cuts], [*cuts, len(flat)])]

    class Chunked:
        def __init__(self):
            self.left = list(chunks)

        def next_chunk(self):
            return self.left.pop(0) if self.left else b""

    buf, pos = StreamBuffer(Chunked()), 0
    while pos < len(flat):
        n = rng.choice([1, 512, 4096, 70_000, 200_000])
        op = rng.choice(["peek", "take", "skip", "chunks"])
        n = min(n, len(flat) - pos)
        if op == "peek":
            assert buf.peek(n) == flat[pos:pos + n]
            continue
        if op == "take":
            assert buf.take(n) == flat[pos:pos + n]
        elif op == "skip":
            buf.skip(n)
        else:
            assert b"".join(buf.chunks(n)) == flat[pos:pos + n]
        pos += n
        assert buf.offset == pos
    assert not buf.fill(1) and buf.peek(10) == b""


def test_path_lookup_is_built_once_with_duplicate_paths(tmp_path):
    """An archive that holds a path twice (appended tars do) keeps one lookup: the later member
    wins, as with tar, and the dict is not rebuilt on every access."""
    path = write_archive(tmp_path / "a.tar.zst", [entry("a/x", "one\n"), entry("a/x", "two\n")])
    index = scan(path)
    first = index.by_path
    assert index.by_path is first and index.get("a/x").size == 4
    assert index.get("a/x") is index.members[1]
    assert index.counts() == {"members": 2, "files": 2, "directories": 0, "symlinks": 0, "hardlinks": 0,
                              "other": 0, "file_bytes": 8}


def test_pass_pauses_the_cyclic_collector_and_restores_it(tmp_path, tuned):
    """With process tuning on (the command and the app), a pass pauses the collector and
    shortens the switch interval, and restores both."""
    import gc
    import sys

    path = write_archive(tmp_path / "a.tar.zst", [entry("a/x", "one\n"), entry("a/y", "two\n")])
    seen = []
    interval = sys.getswitchinterval()
    for enabled in (True, False):
        (gc.enable if enabled else gc.disable)()
        try:
            for progress in Scan(path, batch_members=1):
                if not progress.done:  # (the last batch comes after the pass)
                    seen.append(gc.isenabled())
                    assert sys.getswitchinterval() < interval or interval <= 0.0002
            assert gc.isenabled() is enabled and sys.getswitchinterval() == interval
        finally:
            gc.enable()
    assert not any(seen)


def test_collector_pauses_nest_across_users(tuned):
    """A pass and a cache load may overlap (the app): the collector stays paused until the last
    pause ends, then comes back only if it was on."""
    import gc

    from distscope.tui import gcpause

    gc.enable()
    try:
        gcpause.pause()
        with gcpause.paused(tenure=True):
            assert not gc.isenabled()
        assert not gc.isenabled()
        gcpause.resume()
        assert gc.isenabled()
        gc.disable()
        with gcpause.paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="per-thread priorities are Linux's")
def test_hashing_thread_yields_the_cpu_and_only_it():
    import os
    import threading

    from distscope.tui.archive.compression import HASH_NICENESS, _lower_priority

    before = os.getpriority(os.PRIO_PROCESS, 0)
    seen = {}

    def work():
        _lower_priority()
        seen["thread"] = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())

    thread = threading.Thread(target=work)
    thread.start()
    thread.join()
    assert seen["thread"] == min(19, before + HASH_NICENESS)
    assert os.getpriority(os.PRIO_PROCESS, 0) == before


def test_large_wanted_members_travel_as_views_and_the_queue_drains(tmp_path, monkeypatch):
    """Members above VIEW_MIN reach feed() whole and exact, counted in flight by the chunks their
    views keep alive; with a tight in-flight bound the pass still ends (no lost accounting)."""
    import hashlib
    import os
    import threading

    from distscope.tui.archive.plugin import ALL, Analyser, Interest
    from distscope.tui.archive import index as index_mod

    monkeypatch.setattr(index_mod, "MAX_IN_FLIGHT", 1 << 20)
    blobs = {f"p/big{i}": os.urandom(index_mod.VIEW_MIN + 4096 * i + 7) for i in range(5)}
    entries = []
    for name, blob in blobs.items():
        entries += [entry(name, blob), entry(name + ".filler", bytes(3 << 20)), entry(name + ".small", b"x" * 5000)]
    path = write_archive(tmp_path / "a.tar.zst", entries)

    class Wants(Analyser):
        name = "wants"
        interest = Interest(contains=("/big",))

        def __init__(self):
            self.seen = {}

        def want(self, member, head):
            return 0 if member.path.endswith(".filler") else ALL

        def feed(self, member, data, complete):
            assert type(data) is bytes and complete
            self.seen[member.path] = hashlib.sha256(data).hexdigest()

    wants = Wants()
    done = threading.Event()
    threading.Thread(target=lambda: (scan(path, [wants]), done.set()), daemon=True).start()
    assert done.wait(60), "the pass did not end"
    assert {p: h for p, h in wants.seen.items() if not p.endswith(".small")} == \
        {p: hashlib.sha256(b).hexdigest() for p, b in blobs.items()}
    assert all(wants.seen[p + ".small"] == hashlib.sha256(b"x" * 5000).hexdigest() for p in blobs)
