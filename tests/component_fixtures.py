"""Small archives for the component inventory and SBOM tests: an ELF with chosen read-only
data, and a distribution tree with one piece of each kind of evidence."""

from __future__ import annotations

import json
import struct

from tests.archives import entry


def elf_with(rodata: bytes, text: bytes = b"\x90" * 64) -> bytes:
    """A minimal ELF64 shared object with a ``.text`` and a ``.rodata`` section (and the section
    name table): enough for the classifier and the read-only-data locator."""
    names = b"\0.text\0.rodata\0.shstrtab\0"
    body = bytearray(64)
    sections = []
    for name_at, kind, flags, data in ((1, 1, 6, text), (7, 1, 2, rodata), (15, 3, 0, names)):
        body += b"\0" * (-len(body) % 16)
        sections.append((name_at, kind, flags, len(body), len(data)))
        body += data
    body += b"\0" * (-len(body) % 8)
    shoff = len(body)
    body += bytes(64)  # the null section
    for name_at, kind, flags, offset, size in sections:
        body += struct.pack("<IIQQQQIIQQ", name_at, kind, flags, 0, offset, size, 0, 0, 1, 0)
    header = struct.pack("<4sBBBB8sHHIQQQIHHHHHH", b"\x7fELF", 2, 1, 1, 0, bytes(8), 3, 62, 1, 0, 0, shoff, 0,
                         64, 0, 0, 64, len(sections) + 1, len(sections))
    body[:64] = header
    return bytes(body)



SBOM = {"bomFormat": "CycloneDX", "specVersion": "1.5", "components": [
    {"type": "library", "name": "openssl", "version": "4.0.0", "purl": "pkg:generic/openssl@4.0.0",
     "licenses": [{"expression": "Apache-2.0"}]}]}


def fixture_entries():
    site = "python/lib/python3.12/site-packages"
    return [
        entry("python/include/python3.12/patchlevel.h", '#define PY_VERSION              "3.12.7"\n'),
        entry("python/lib/pkgconfig/python-3.12.pc", "Name: Python\nVersion: 3.12\n"),
        entry("python/lib/libcrypto.so.3", elf_with(b"\0\0OpenSSL 3.0.15 3 Sep 2024\0\0")),
        # A version string outside read-only data is not read: it is no literal the library states.
        entry("python/lib/libz.so.1", elf_with(b"\0nothing\0", text=b" deflate 1.2.3 Copyright \0")),
        entry("python/lib/python3.12/lib-dynload/_sqlite3.cpython-312-x86_64-linux-gnu.so",
              elf_with(b"SQLite format 3\0\x02\x933.46.1\0fts5: 2024-08-13 09:16:08 c9c2ab54\0")),
        entry("python/lib/python3.12/lib-dynload/pyexpat.cpython-312-x86_64-linux-gnu.so",
              elf_with(b"\0expat_2.6.3\0")),
        entry("python/lib/python3.12/lib-dynload/_lzma.cpython-312-x86_64-linux-gnu.so", elf_with(b"\0lzma\0")),
        entry("python/include/openssl/opensslv.h",
              '# define OPENSSL_VERSION_TEXT "OpenSSL 3.0.15 3 Sep 2024"\n'),
        entry("python/include/zlib.h", '#define ZLIB_VERSION "1.3.1"\n'),
        entry("python/lib/tcl8.6/init.tcl", "package require -exact Tcl 8.6.14\n"),
        entry(f"{site}/numpy-2.4.6.dist-info/METADATA",
              "Metadata-Version: 2.4\nName: numpy\nVersion: 2.4.6\nLicense-Expression: BSD-3-Clause\n\nBody\n"),
        entry(f"{site}/six-1.17.0.dist-info/METADATA",
              "Name: six\nVersion: 1.17.0\nClassifier: License :: OSI Approved :: MIT License\n\n"),
        entry(f"{site}/crypto-1.0.dist-info/sboms/sbom.cdx.json", json.dumps(SBOM)),
        entry(f"{site}/numpy.libs/libgfortran-040039e1-0352e75f.so.5.0.0", elf_with(b"\0GNU Fortran\0")),
        entry(f"{site}/numpy.libs/libcrypto-1a2b3c4d.so.3", elf_with(b"\0OpenSSL 3.5.1 1 Jul 2025\0")),
    ]


def fixture_entries_by_name():
    return [(info.name, data) for info, data in fixture_entries()]
