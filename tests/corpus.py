"""The hostile-archive corpus: damaged, truncated and malicious tar streams with the outcome each
must have (shared by the parser's and the extractor's tests)."""

from __future__ import annotations

import functools
import random

from tests.archives import base256, compress, end, entry, fix_checksum, header, padded, pax_record, random_bytes, tar_bytes

GOOD = [entry(f"python/file{i}.py", f"print({i})\n" * (40 * i + 1)) for i in range(8)]
GOOD_NAMES = [e[0].name for e in GOOD]


def good_tar() -> bytes:
    return tar_bytes(GOOD)


def _truncated(at: int) -> bytes:
    return good_tar()[:at]


def _member_offsets() -> list[int]:
    import io
    import tarfile
    with tarfile.open(fileobj=io.BytesIO(good_tar())) as tar:
        return [m.offset for m in tar.getmembers()]


def _with_bad_checksum(member: int) -> bytes:
    data = bytearray(good_tar())
    offset = _member_offsets()[member]
    data[offset + 148:offset + 156] = b"0000000\x00"
    return bytes(data)


def _prefix(*blocks: bytes) -> bytes:
    """Two good members, then whatever follows."""
    return _two_good() + b"".join(blocks)


def _two_good() -> bytes:
    return header("python/a.py", 3) + padded(b"a=1") + header("python/b.py", 3) + padded(b"b=2")


# name -> (bytes, outcome, members kept before the damage (damaged) or all names (ok))
TRUNCATION_POINTS = [100, 512, 700, 1024, 1536 + 200, 2048 + 511, 3000, 4096]
CASES: dict[str, tuple] = {}
for _at in TRUNCATION_POINTS:
    CASES[f"plain-truncated-at-{_at}"] = (lambda at=_at: _truncated(at), "damaged" if _at >= 512 else "damaged-or-bad",
                                          None)


@functools.lru_cache(maxsize=None)
def compressed_big_tar(compression: str) -> bytes:
    return compress(big_tar(), compression)


@functools.lru_cache(maxsize=None)
def big_tar() -> bytes:
    """~1.2 MB of barely compressible members, so a cut compressed stream still yields some."""
    rng = random.Random(7)
    return tar_bytes([entry(f"python/blob{i:02}.bin", rng.randbytes(20000)) for i in range(60)])


BIG_NAMES = [f"python/blob{i:02}.bin" for i in range(60)]
for _comp in ("zstd", "gzip", "xz", "bzip2"):
    for _frac in (0.1, 0.5, 0.9, 0.999):
        CASES[f"{_comp}-truncated-at-{_frac}"] = (
            lambda comp=_comp, frac=_frac: (lambda c: c[:max(1, int(len(c) * frac))])(compressed_big_tar(comp)),
            "damaged-or-bad", None)
CASES.update({
    "truncated-at-member-boundary": (lambda: _two_good(), "damaged", ["python/a.py", "python/b.py"]),
    "bad-checksum-first": (lambda: _with_bad_checksum(0), "bad", "not a tar archive"),
    "bad-checksum-first-zstd": (lambda: compress(_with_bad_checksum(0), "zstd"), "damaged", []),
    "bad-checksum-middle": (lambda: _with_bad_checksum(4), "damaged", GOOD_NAMES[:4]),
    "dotdot-and-absolute-names": (lambda: tar_bytes([entry("../escape.txt", "x"), entry("/etc/passwd", "x"),
                                                     entry("a/../../b", "x")]),
                                  "ok", ["../escape.txt", "/etc/passwd", "a/../../b"]),
    "symlink-escapes": (lambda: tar_bytes([entry("python/lib", type="symlink", link="../../../etc"),
                                           entry("python/abs", type="symlink", link="/etc/shadow"),
                                           entry("python/loop", type="symlink", link="loop")]),
                        "ok", ["python/lib", "python/abs", "python/loop"]),
    "huge-pax-record": (lambda: _prefix(header("././@PaxHeader", 64 << 20, b"x"), b"30 path=" + b"p" * 21 + b"\n"),
                        "damaged", ["python/a.py", "python/b.py"]),
    "malformed-pax-record": (lambda: _prefix(header("././@PaxHeader", 20, b"x"), padded(b"99 path=oops\n")),
                             "damaged", ["python/a.py", "python/b.py"]),
    "pax-size-not-a-number": (lambda: _prefix(header("p", 17, b"x"), padded(pax_record("size", "inf")),
                                              header("file", 0)), "damaged", ["python/a.py", "python/b.py"]),
    "many-global-pax-headers": (lambda: _prefix(*[header("g", 2 << 20, b"g")
                                                  + padded(b"2097152 k%d=" % i + b"v" * (2097152 - 12) + b"\n")
                                                  for i in range(5)]), "damaged", ["python/a.py", "python/b.py"]),
    "endless-extended-headers": (lambda: _prefix(*[header("././@LongLink", 1 << 20, b"L") + bytes(1 << 20)
                                                   for _ in range(12)]), "damaged", ["python/a.py", "python/b.py"]),
    "huge-gnu-long-name": (lambda: _prefix(header("././@LongLink", 1 << 30, b"L"), b"n" * 4096),
                           "damaged", ["python/a.py", "python/b.py"]),
    "long-gnu-name-64k": (lambda: header("././@LongLink", 65536 + 1, b"L") + padded(b"d/" * 32768 + b"\x00")
                          + header("ignored", 0) + end(), "ok", ["d/" * 32768]),
    "size-past-the-end": (lambda: _prefix(header("python/huge.so", 10 << 30), b"\x7fELF" + bytes(2000)),
                          "damaged", ["python/a.py", "python/b.py", "python/huge.so"]),
    "negative-base256-size": (lambda: _prefix(header("neg", 0, f124_136=b"\xff" * 12)),
                              "damaged", ["python/a.py", "python/b.py"]),
    "non-octal-size": (lambda: _prefix(header("bad", 0, f124_136=b"12z45\x00")),
                       "damaged", ["python/a.py", "python/b.py"]),
    "end-marker-after-long-name": (lambda: _prefix(header("././@LongLink", 5, b"L"), padded(b"name\x00"), end()),
                                   "damaged", ["python/a.py", "python/b.py"]),
    "endless-sparse-extensions": (lambda: _prefix(fix_checksum(header("s", 0, b"S")[:482] + b"\x01"
                                                               + header("s", 0, b"S")[483:]),
                                                  b"\x00" * 504 + b"\x01" + bytes(7)),
                                  "damaged", ["python/a.py", "python/b.py"]),
    "garbage-after-the-end": (lambda: _two_good() + end() + random_bytes(5000, 1), "ok", ["python/a.py", "python/b.py"]),
    "huge-base256-uid": (lambda: header("u", 0, f108_116=base256(2**55, 8)) + end(), "ok", ["u"]),
    "mtime-out-of-range": (lambda: header("t", 0, f136_148=base256(2**80, 12)) + end(), "ok", ["t"]),
    "newline-in-name": (lambda: tar_bytes([entry("bad\nname", "x"), entry("ok", "y")]), "ok", ["bad\nname", "ok"]),
    "undecodable-name": (lambda: header("x", 0)[:0] + fix_checksum(b"caf\xe9\xff" + header("x", 0)[5:]) + end(),
                         "ok", ["caf\udce9\udcff"]),
    "gzip-of-text": (lambda: compress(b"just some text\n" * 100, "gzip"), "damaged", []),
    "zstd-corrupt-frame": (lambda: (lambda c: c[:40] + bytes(200) + c[240:])(compress(good_tar(), "zstd")),
                           "damaged-or-bad", None),
    "zero-length-file": (lambda: b"", "bad", "empty file"),
    "zip": (lambda: b"PK\x03\x04" + random_bytes(2000, 2), "bad", "zip"),
    "seven-zip": (lambda: b"7z\xbc\xaf\x27\x1c" + random_bytes(2000, 3), "bad", "7z"),
    "random-bytes": (lambda: b"\x01\x02garbage" + random_bytes(3000, 4), "bad", "not a tar archive"),
    "short-plain-text": (lambda: b"hello\n", "bad", "not a tar archive"),
})
