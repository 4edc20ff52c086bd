"""The component inventory: versions found in real archives (each checked by hand with
``strings``, ``zstd -dc | tar -xO`` and the headers, see the comments), small archives built
here for every source of evidence, and the read-only-data locator against pyelftools."""

from __future__ import annotations

import functools
import hashlib
import io
import json
import tarfile

import pytest
import zstandard

from distscope.tui.session import analysers as default_analysers
from distscope.tui.archive.index import scan
from distscope.tui.archive.segments import Segments
from distscope.tui.cli import main
from distscope.tui.meta import fingerprints
from distscope.tui.meta.inventory import build_inventory
from distscope.tui.meta.rodata import readonly_ranges
from distscope.tui.model.codec import from_plain, to_plain
from distscope.tui.model.components import Inventory
from tests.archives import entry, write_archive
from tests.component_fixtures import elf_with, fixture_entries, fixture_entries_by_name
from tests.conftest import real_archive


# -- helpers ----------------------------------------------------------------------------------
def inventory_of(path) -> Inventory:
    return build_inventory(scan(path, default_analysers()))


def one(inventory: Inventory, component_id: str):
    found = inventory.get(component_id)
    assert len(found) == 1, [(c.id, c.version) for c in found]
    return found[0]


@functools.lru_cache(maxsize=None)
def real_inventory(which: str) -> Inventory:
    return inventory_of(real_archive(which))


def member_bytes(archive, name: str) -> bytes:
    """A member's bytes read with the standard library's tarfile (not distscope's reader)."""
    with open(archive, "rb") as raw:
        stream = zstandard.ZstdDecompressor().stream_reader(raw)
        with tarfile.open(fileobj=stream, mode="r|") as tar:
            for info in tar:
                if info.name == name:
                    return tar.extractfile(info).read()
    raise KeyError(name)


# -- the read-only data locator ---------------------------------------------------------------
def test_readonly_ranges_match_pyelftools():
    from elftools.elf.elffile import ELFFile

    data = elf_with(b"\0OpenSSL 3.0.15 3 Sep 2024\0")
    section = ELFFile(io.BytesIO(data)).get_section_by_name(".rodata")
    assert readonly_ranges(Segments([data[:100], data[100:]])) == [(section["sh_offset"], section["sh_size"])]
    assert readonly_ranges(Segments([b"not a binary"])) is None


def test_readonly_ranges_real_elf_and_pe():
    from elftools.elf.elffile import ELFFile

    name = "python/lib/python3.13/lib-dynload/_dbm.cpython-313-x86_64-linux-gnu.so"
    data = member_bytes(real_archive("linux"), name)
    rodata = ELFFile(io.BytesIO(data)).get_section_by_name(".rodata")
    assert readonly_ranges(Segments([data])) == [(rodata["sh_offset"], rodata["sh_size"])]
    import pefile

    data = member_bytes(real_archive("windows"), "python/install/DLLs/sqlite3.dll")
    rdata = [s for s in pefile.PE(data=data, fast_load=True).sections if s.Name.rstrip(b"\0") == b".rdata"]
    assert readonly_ranges(Segments([data])) == [(rdata[0].PointerToRawData, rdata[0].SizeOfRawData)]


# -- fixtures: every source of evidence -------------------------------------------------------
@pytest.fixture
def fixture_inventory(tmp_path):
    return inventory_of(write_archive(tmp_path / "cpython-3.12.7+20241016-x86_64-unknown-linux-gnu-"
                                                 "install_only.tar.zst", fixture_entries()))


def test_versions_from_every_source(fixture_inventory):
    inv = fixture_inventory
    cpython = one(inv, "cpython")
    assert cpython.version == "3.12.7"  # the .pc file's 3.12 agrees with it
    assert {e.method for e in cpython.evidence} >= {"header", "pkg-config", "file-name"}
    openssl = one(inv, "openssl")
    assert openssl.version == "3.0.15" and openssl.licence == "Apache-2.0"
    assert {(e.method, e.path) for e in openssl.evidence} == {
        ("string", "python/lib/libcrypto.so.3"), ("header", "python/include/openssl/opensslv.h")}
    assert openssl.contained_in == ["python/lib/libcrypto.so.3"]
    sqlite = one(inv, "sqlite")
    assert sqlite.version == "3.46.1" and sqlite.licence == "blessing" and sqlite.licence_source == "well-known"
    assert one(inv, "expat").version == "2.6.3"
    assert one(inv, "tcl").version == "8.6.14"
    zlib = one(inv, "zlib")  # only the header says so: the .text string is not read
    assert zlib.version == "1.3.1" and zlib.contained_in == []
    assert not inv.get("xz")  # _lzma was searched but states nothing: no component is made up


def test_packages_sboms_and_vendored(fixture_inventory):
    inv = fixture_inventory
    numpy = one(inv, "pypi:numpy")
    assert (numpy.version, numpy.licence, numpy.licence_source) == ("2.4.6", "BSD-3-Clause", "METADATA")
    assert one(inv, "pypi:six").licence == "MIT"
    from_sbom = one(inv, "sbom:crypto/openssl")
    assert (from_sbom.version, from_sbom.purl, from_sbom.package) == ("4.0.0", "pkg:generic/openssl@4.0.0", "crypto")
    vendored = one(inv, "vendored:numpy/openssl")  # a wheel's own OpenSSL, apart from the distribution's
    assert vendored.version == "3.5.1" and vendored.kind == "vendored-library" and vendored.package == "numpy"
    gfortran = one(inv, "vendored:numpy/libgfortran")
    assert gfortran.version is None and "ABI" in gfortran.version_note


def test_carrying_files_are_hashed(tmp_path, fixture_inventory):
    data = dict(fixture_entries_by_name())
    for path in ("python/lib/libcrypto.so.3", "python/lib/python3.12/site-packages/numpy.libs/libcrypto-1a2b3c4d.so.3"):
        f = fixture_inventory.files[path]
        assert f.sha256 == hashlib.sha256(data[path]).hexdigest()
        assert f.sha1 == hashlib.sha1(data[path]).hexdigest()
    assert "python/lib/tcl8.6/init.tcl" not in fixture_inventory.files  # (only binaries carry)


def test_inventory_round_trips_through_plain_data(fixture_inventory):
    plain = to_plain(fixture_inventory)
    assert from_plain(Inventory, json.loads(json.dumps(plain))) == fixture_inventory


def test_carrier_names():
    assert fingerprints.carried("python/install/DLLs/libcrypto-3-x64.dll") == ("openssl",)
    assert fingerprints.carried("python/lib/python3.12/lib-dynload/_ctypes_test.cpython-312.so") == ()
    assert fingerprints.carried("python/lib/libpython3.12.a") == ()  # (a static copy of libpython)
    assert "openssl" in fingerprints.carried("python/lib/libpython3.12.so.1.0")
    assert fingerprints.link_library("libcrypto-1_1-x64") == "openssl"
    assert fingerprints.link_library("tcl9tk9.0") == "tk"
    assert fingerprints.link_library("ws2_32") is None
    assert fingerprints.sqlite_autoconf("3450100") == "3.45.1"
    assert fingerprints.well_known_licence("openssl", "1.1.1w") == "OpenSSL"
    assert fingerprints.well_known_licence("xz", "5.4.6") is None
    assert fingerprints.well_known_licence("xz", "5.8.1") == "0BSD"


# -- the real archives (versions checked by hand) ---------------------------------------------
def test_real_windows():
    inv = real_inventory("windows")
    versions = {c.id: c.version for c in inv.components if c.kind in ("interpreter", "library")}
    assert versions == {
        "cpython": "3.11.9",  # install/include/patchlevel.h, PYTHON.json python_version
        "openssl": "3.0.13",  # strings libssl-3-x64.dll: ...\openssl-3.0.13\include\internal/packet.h
        "sqlite": "3.45.1",  # strings sqlite3.dll: 3.45.1, fts5: 2024-01-30 16:01:20 e876e51a...
        "expat": "2.6.0",  # strings pyexpat.pyd: expat_2.6.0
        "bzip2": "1.0.8",  # strings _bz2.pyd: 1.0.8, 13-Jul-2019
        "tcl": "8.6.12", "tk": "8.6.12",  # tcl/tcl8.6/init.tcl, tcl/tk8.6/tk.tcl: package require -exact
        "tix": "8.4.3",  # tcl/tix8.4.3/pkgIndex.tcl
        "libffi": None, "xz": None, "libuuid": None, "mpdecimal": None,  # no version string in them
    }
    sqlite = one(inv, "sqlite")
    assert sqlite.licence is None and sqlite.licence_source == "PYTHON.json (public domain)"
    assert "python/install/DLLs/_sqlite3.pyd" in sqlite.loaded_by
    openssl = one(inv, "openssl")
    assert openssl.licence == "Apache-2.0" and openssl.licence_source == "PYTHON.json"
    assert openssl.contained_in == ["python/install/DLLs/libssl-3-x64.dll"]
    assert "python/install/DLLs/_ssl.pyd" in openssl.loaded_by
    assert "libffi-8.dll" in one(inv, "libffi").version_note
    assert one(inv, "cpython").licence == "Python-2.0 AND CNRI-Python"
    assert {(c.name, c.version) for c in inv.components if c.kind == "python-package"} == {
        ("pip", "24.0"), ("setuptools", "69.1.0")}
    path = "python/install/DLLs/sqlite3.dll"
    assert inv.files[path].sha256 == hashlib.sha256(member_bytes(real_archive("windows"), path)).hexdigest()


def test_real_linux():
    inv = real_inventory("linux")
    versions = {c.id: c.version for c in inv.components if c.kind in ("interpreter", "library")}
    assert versions == {
        "cpython": "3.13.12",  # include/python3.13/patchlevel.h
        "bdb": "6.0.19",  # strings _dbm...so: Berkeley DB 6.0.19: (May 31, 2013)
        "tcl": "9.0.3", "tk": "9.0.3",  # strings libtcl9.0.so: /build/tcl9.0.3/generic/...; init.tcl, tk.tcl
        "zlib": "1.3.1",  # strings libtcl9.0.so: deflate 1.3.1 Copyright 1995-2024 (zlib inside Tcl)
    }
    assert one(inv, "zlib").contained_in == ["python/lib/libtcl9.0.so"]
    assert one(inv, "pypi:pip").version == "26.0.1"


def test_real_macos():
    inv = real_inventory("macos")
    versions = {c.id: c.version for c in inv.components if c.kind in ("interpreter", "library")}
    # lib/libpython3.12.dylib and lib-dynload were never committed upstream: nothing to read there
    assert versions == {"cpython": "3.12.11", "tcl": "8.6.14", "tk": "8.6.14"}


# -- the report section -----------------------------------------------------------------------
def test_report_section(tmp_path, capsys):
    archive = write_archive(tmp_path / "d.tar.zst", fixture_entries())
    assert main(["--no-cache", "report", "--format", "json", str(archive)]) == 0
    section = json.loads(capsys.readouterr().out)["components"]
    assert set(section) == {"archive", "archive_sha256", "release_tag", "target_triple", "components", "files", "loads",
                            "notes"}
    openssl = next(c for c in section["components"] if c["id"] == "openssl")
    assert set(openssl) == {"id", "name", "kind", "version", "version_note", "licence", "licence_source", "purl",
                            "evidence", "contained_in", "loaded_by"}
    assert main(["--no-cache", "report", str(archive)]) == 0
    text = capsys.readouterr().out
    assert "Components (1 interpreter" in text and "OpenSSL 3.0.15  [Apache-2.0]" in text
    assert main(["--no-cache", "report", "--format", "markdown", str(archive)]) == 0
    assert "| OpenSSL | 3.0.15 | Apache-2.0 |" in capsys.readouterr().out


def test_hostile_text_is_escaped(tmp_path, capsys):
    site = "python/lib/python3.12/site-packages"
    archive = write_archive(tmp_path / "d.tar.zst", [
        entry(f"{site}/evil-1.dist-info/METADATA", "Name: evil\x1b[31m\nVersion: 1\x07\n\n")])
    assert main(["--no-cache", "report", str(archive)]) == 0
    out = capsys.readouterr().out
    assert "\x1b" not in out and "\x07" not in out


def test_search_windows_overlap(tmp_path, monkeypatch):
    """A version string cut by a search window's end is still found (windows overlap), and an
    unreadable section table means the whole file is searched, a window at a time."""
    from distscope.tui.meta import components

    monkeypatch.setattr(components, "_WINDOW", 64)
    data = b"\x7fELF" + b"x" * 57 + b"OpenSSL 3.0.15 3 Sep 2024\0" + b"y" * 200
    archive = write_archive(tmp_path / "d.tar.zst", [entry("python/lib/libcrypto.so.3", data)])
    from distscope.tui.meta.components import ComponentsAnalyser

    found = ComponentsAnalyser()
    found._binary("python/lib/libcrypto.so.3", Segments([data[:70], data[70:]]), ("openssl",), True, len(data))
    assert [(e["component"], e["version"]) for e in found.evidence] == [("openssl", "3.0.15")]
    assert one(inventory_of(archive), "openssl").version == "3.0.15"


def test_bare_version_only_in_the_library_own_file(tmp_path):
    """``1.5.6`` alone is zstd's version in libzstd (the only such string there), and means nothing
    in another binary; two candidates mean no version."""
    archive = write_archive(tmp_path / "d.tar.zst", [
        entry("python/lib/libzstd.so.1", elf_with(b"\0\x85\x851.5.6\0\0other\0")),
        entry("python/lib/python3.12/lib-dynload/_zstd.cpython-312.so", elf_with(b"\0zstd-ish\x001.5.6\0")),
        entry("python/lib/liblzma.so.5", elf_with(b"5.4.1\0x5.6.2\0" + b"\x005.6.3\0")),
    ])
    inv = inventory_of(archive)
    zstd = one(inv, "zstd")
    assert zstd.version == "1.5.6" and zstd.contained_in == ["python/lib/libzstd.so.1"]
    assert not inv.get("xz")  # 5.4.1 and 5.6.3: which one is the version is not known


DPKG = [  # (library file, Debian package, component)
    ("libcrypto.so.3", "libssl3", "openssl"), ("libsqlite3.so.0", "libsqlite3-0", "sqlite"),
    ("libexpat.so.1", "libexpat1", "expat"), ("libz.so.1", "zlib1g", "zlib"), ("libbz2.so.1.0", "libbz2-1.0", "bzip2"),
    ("liblzma.so.5", "liblzma5", "xz"), ("libtinfo.so.6", "libtinfo6", "ncurses"), ("libgdbm.so.6", "libgdbm6", "gdbm"),
    ("libdb-5.3.so", "libdb5.3", "bdb"), ("libzstd.so.1", "libzstd1", "zstd"), ("libtcl8.6.so", "libtcl8.6", "tcl"),
    ("libtk8.6.so", "libtk8.6", "tk"),
]


def test_system_libraries_match_dpkg(tmp_path):
    """The host's own shared libraries, packed into an archive here, against what dpkg says their
    versions are (an independent source): every one found, each at dpkg's upstream version."""
    import os
    import re
    import shutil
    import subprocess

    folder = "/usr/lib/x86_64-linux-gnu"
    if not shutil.which("dpkg-query") or not os.path.isdir(folder):
        pytest.skip("needs a Debian-like x86-64 host")
    entries, expected = [], {}
    for name, package, component in DPKG:
        path = os.path.join(folder, name)
        done = subprocess.run(["dpkg-query", "-W", "-f", "${Version}", package], capture_output=True, text=True)
        if not os.path.isfile(path) or done.returncode:
            continue
        upstream = re.sub(r"^\d+:", "", done.stdout).split("-")[0].split("+")[0].replace(".dfsg", "")
        with open(os.path.realpath(path), "rb") as handle:
            entries.append(entry(f"python/lib/{name}", handle.read()))
        expected[component] = upstream
    if len(expected) < 3:
        pytest.skip("too few of the libraries are installed")
    inv = inventory_of(write_archive(tmp_path / "system.tar.zst", entries))
    found = {c.id: c.version for c in inv.components}
    for component, upstream in expected.items():
        assert found.get(component, "").startswith(upstream), (component, found.get(component), upstream)


def test_sbom_in_a_wheel_is_bounded_and_bad_json_noted(tmp_path, monkeypatch):
    from distscope.tui.meta import components

    monkeypatch.setattr(components, "_MAX_SBOM_COMPONENTS", 3)
    site = "python/lib/python3.12/site-packages"
    many = {"bomFormat": "CycloneDX", "components": [{"name": f"c{i}", "version": "1"} for i in range(10)]}
    spdx = {"spdxVersion": "SPDX-2.3", "packages": [{"name": "zlib", "versionInfo": "1.3.1",
                                                     "licenseConcluded": "Zlib"}]}
    inv = inventory_of(write_archive(tmp_path / "d.tar.zst", [
        entry(f"{site}/big-1.dist-info/sboms/a.cdx.json", json.dumps(many)),
        entry(f"{site}/s-1.dist-info/sboms/b.spdx.json", json.dumps(spdx)),
        entry(f"{site}/bad-1.dist-info/sboms/c.json", "{not json"),
    ]))
    assert len([c for c in inv.components if c.package == "big"]) == 3
    assert (one(inv, "sbom:s/zlib").version, one(inv, "sbom:s/zlib").licence) == ("1.3.1", "Zlib")
    assert any("10 components" in n for n in inv.notes) and any("c.json: not JSON" in n for n in inv.notes)
