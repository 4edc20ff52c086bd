"""Licence identification on real texts: this machine's /usr/share/common-licenses, the dist-info
licences of the running interpreter's site-packages and the shared real archives. Texts are read
where they are at test time (never copied here); each test skips when its text is absent.

Each case of issue 11 has a test: MPL-2.0 is not AGPL, GPL-3.0 is not AGPL/LGPL, GPL-2 is found
and flagged, wheel bundles are split and the GCC runtime exception does not encumber, Sleepycat,
MIT-0 vs MIT, NCSA, CC0-1.0, Pillow's HPND/MIT-CMU family with FTL/IJG/libtiff/libpng, Qhull.
"""

from __future__ import annotations

import functools
import glob
import site
import sys
import sysconfig
from pathlib import Path

import pytest

from tests.archives import entry, write_archive
from tests.conftest import real_archive
from distscope.tui.session import analysers as default_analysers
from distscope.tui.archive.index import scan
from distscope.tui.meta.licenses import declared_of, read_metadata
from distscope.tui.meta.licenses import summarize as _summarize
from distscope.tui.meta.references import reference_text
from distscope.tui.model.codec import from_plain
from distscope.tui.model.licences import Licences
from distscope.tui.report.metadata import licences_lines
from distscope.tui.meta.spdx import analyse, identify, is_gpl, runtime_exception

COMMON = Path("/usr/share/common-licenses")


def summarize(index) -> dict:
    """The licences section as plain data (the JSON contract's keys)."""
    from tests.conftest import plain

    return plain(_summarize(index))


def common(name: str) -> str:
    path = COMMON / name
    if not path.is_file():
        pytest.skip(f"{path} not on this machine")
    return path.read_text(encoding="utf-8", errors="replace")


def _site_dirs() -> list[str]:
    dirs = {sysconfig.get_paths()["purelib"], sysconfig.get_paths(vars={"base": sys.base_prefix})["purelib"]}
    dirs.update(getattr(site, "getsitepackages", lambda: [])())
    return sorted(d for d in dirs if Path(d).is_dir())


def site_file(pattern: str) -> Path:
    """A file of an installed distribution (``numpy-*.dist-info/licenses/LICENSE.txt``)."""
    for folder in _site_dirs():
        found = sorted(glob.glob(str(Path(folder) / pattern)))
        if found:
            return Path(found[-1])
    pytest.skip(f"no {pattern} in this interpreter's site-packages")


# -- whole texts -------------------------------------------------------------------------------

@pytest.mark.parametrize("name,expected", [
    ("GPL-2", ["GPL-2.0-only"]),
    ("GPL-3", ["GPL-3.0-only"]),
    ("GPL-1", ["GPL-1.0-only"]),
    ("LGPL-2", ["LGPL-2.0-only"]),
    ("LGPL-2.1", ["LGPL-2.1-only"]),
    ("LGPL-3", ["LGPL-3.0-only"]),
    ("MPL-2.0", ["MPL-2.0"]),
    ("MPL-1.1", ["MPL-1.1"]),
    ("Apache-2.0", ["Apache-2.0"]),
    ("BSD", ["BSD-3-Clause"]),
    ("CC0-1.0", ["CC0-1.0"]),
    ("Artistic", ["Artistic-1.0-Perl"]),
])
def test_common_licenses(name, expected):
    """Debian's copies of the licence texts (licensecheck agrees on every one; it says GPL-2/GPL-3
    without -only, a full text with no grant notice being -only in SPDX terms)."""
    assert identify(common(name)) == expected


def test_mpl_is_not_agpl_though_it_names_the_gnu_licences():
    text = common("MPL-2.0")
    assert "Affero" in text  # the "Secondary License" definition names it
    assert identify(text) == ["MPL-2.0"] and not any(is_gpl(x) for x in identify(text))


def test_gpl3_is_gpl3_though_section_13_names_affero():
    text = common("GPL-3")
    assert "Affero" in text
    assert identify(text) == ["GPL-3.0-only"]


def test_gpl2_is_found_and_flagged(tmp_path):
    text = common("GPL-2")
    index = _discovered(tmp_path, [entry("python/lib/python3.13/site-packages/gnuthing/COPYING", text)])
    data = summarize(index)
    assert not data["gpl_free"]
    evidence = [g["evidence"] for g in data["gpl"] if g["component"] == "gnuthing"]
    lines = len(text.splitlines())
    assert evidence == [f"python/lib/python3.13/site-packages/gnuthing/COPYING lines 1-{lines} is GPL-2.0-only; "
                        f"{data['files'][0]['parts'][0]['how']}"]
    gpl_finding = next(f for f in data["findings"] if f["code"] == "license-gpl")
    assert gpl_finding["paths"] == ["python/lib/python3.13/site-packages/gnuthing/COPYING"]


def test_gpl_finding_names_only_the_files_that_carry_it(tmp_path):
    """A package with a GPL text and an MIT text: the finding names the GPL file, not both."""
    sp = "python/lib/python3.13/site-packages/gnuthing-1.0.dist-info/licenses"
    data = summarize(_discovered(tmp_path, [entry(f"{sp}/COPYING", common("GPL-3")),
                                            entry(f"{sp}/LICENSE.mit", reference_text("MIT") or "")]))
    gpl_finding = next(f for f in data["findings"] if f["code"] == "license-gpl")
    assert gpl_finding["paths"] == [f"{sp}/COPYING"]
    assert [g["evidence"].split(" lines ")[0] for g in data["gpl"]] == [f"{sp}/COPYING"]


def test_or_later_from_the_grant_notice_not_the_appendix():
    """A GPL text's own "How to Apply" appendix holds a sample "or any later version" notice: the
    text alone is -only; a real notice before it makes it -or-later."""
    gpl2 = common("GPL-2")
    assert identify(gpl2) == ["GPL-2.0-only"]
    notice = ("This program is free software; you can redistribute it and/or modify it under the terms of "
              "the GNU General Public License as published by the Free Software Foundation; either version 2 "
              "of the License, or (at your option) any later version.\n\n")
    assert identify(notice + gpl2) == ["GPL-2.0-or-later"]
    only = notice.replace(", or (at your option) any later version", "")
    assert identify(only) == ["GPL-2.0-only"]


# -- the SPDX ids the issue lists, from their reference texts ------------------------------------

@pytest.mark.parametrize("spdx", ["Sleepycat", "MIT-0", "NCSA", "CC0-1.0", "HPND", "FTL", "IJG", "libtiff",
                                  "Libpng", "Qhull", "MIT-CMU", "X11", "ISC", "BSL-1.0", "Unlicense", "Zlib",
                                  "bzip2-1.0.6", "OpenSSL", "TCL", "PSF-2.0", "Python-2.0", "CNRI-Python",
                                  "Unicode-DFS-2016", "MPL-1.1", "BSD-4-Clause", "0BSD", "AGPL-3.0-only"])
def test_reference_texts_are_themselves(spdx):
    text = reference_text(spdx)
    if text is None:
        pytest.skip(f"no SPDX reference text for {spdx}")
    assert identify(text) == [spdx]


def test_mit0_is_not_mit_and_mit_is_not_mit0():
    mit, mit0 = reference_text("MIT"), reference_text("MIT-0")
    assert identify(mit) == ["MIT"] and identify(mit0) == ["MIT-0"]


@pytest.mark.parametrize("pattern,expected", [
    ("cffi-*.dist-info/licenses/LICENSE", ["MIT-0"]),
    ("cfn_lint-*.dist-info/licenses/LICENSE", ["MIT-0"]),
    ("certifi-*.dist-info/licenses/LICENSE", ["MPL-2.0"]),  # the MPL's Exhibit A notice
    ("hypothesis-*.dist-info/licenses/LICENSE.txt", ["MPL-2.0"]),
    ("numpy-*.dist-info/licenses/numpy/random/LICENSE.md", ["NCSA", "BSD-3-Clause"]),
    ("numpy-*.dist-info/licenses/numpy/_core/src/multiarray/dragon4_LICENSE.txt", ["MIT"]),
    ("numpy-*.dist-info/licenses/numpy/_core/src/common/pythoncapi-compat/COPYING", ["0BSD"]),
    ("numpy-*.dist-info/licenses/numpy/_core/include/numpy/libdivide/LICENSE.txt", ["Zlib"]),
    ("rsa-*.dist-info/LICENSE", ["Apache-2.0"]),  # an Apache grant notice, not the text
])
def test_site_packages_texts(pattern, expected):
    assert identify(site_file(pattern).read_text(encoding="utf-8", errors="replace")) == expected


def test_highway_bundle_holds_cc0():
    text = site_file("numpy-*.dist-info/licenses/numpy/_core/src/highway/LICENSE").read_text()
    assert "CC0-1.0" in identify(text)


# -- wheel bundles: split, sections, exceptions ---------------------------------------------------

@pytest.mark.parametrize("wheel", ["numpy", "scipy"])
def test_wheel_bundle_is_split_and_gcc_exception_kept(wheel):
    path = site_file(f"{wheel}-*.dist-info/licenses/LICENSE.txt" if wheel == "numpy"
                     else f"{wheel}-*.dist-info/LICENSE.txt")
    text = path.read_text(encoding="utf-8")
    found = analyse(text)
    assert found.spdx[:1] == ("BSD-3-Clause",)  # the package's own licence heads the file
    assert "GPL-3.0-or-later WITH GCC-exception-3.1" in found.spdx
    assert not any(s.startswith(("AGPL", "LGPL-3")) for s in found.spdx)
    assert not any(is_gpl(s) for s in found.spdx)  # the runtime exception lifts it
    gpl_parts = [p for p in found.parts if any(s.startswith("GPL-") for s in p.spdx)]
    assert gpl_parts and {p.section for p in gpl_parts} == {"GCC runtime library"}
    lines = text.splitlines()
    for part in gpl_parts:  # each GPL claim's lines hold GPL wording
        body = "\n".join(lines[part.first - 1:part.last])
        assert "GNU General Public License" in body or "GNU GENERAL PUBLIC LICENSE" in body
    assert ("GCC runtime library", "GPL-3.0-or-later WITH GCC-exception-3.1") in found.declared


def test_numpy_in_an_archive_is_not_gpl_encumbered_and_says_why(tmp_path):
    licence = site_file("numpy-*.dist-info/licenses/LICENSE.txt")
    metadata = licence.parent.parent / "METADATA"
    sp = "python/lib/python3.13/site-packages"
    info = licence.parent.parent.name
    data = summarize(_discovered(tmp_path, [entry(f"{sp}/{info}/licenses/LICENSE.txt", licence.read_bytes()),
                                            entry(f"{sp}/{info}/METADATA", metadata.read_bytes())]))
    assert data["gpl_free"] and data["gpl"] == []
    exempt = data["gpl_exempt"]
    assert exempt and all(e["component"] == "numpy" and e["section"] == "GCC runtime library" for e in exempt)
    assert {e["expression"] for e in exempt} == {"GPL-3.0-or-later WITH GCC-exception-3.1"}
    assert all(f"{sp}/{info}/licenses/LICENSE.txt lines " in e["evidence"] for e in exempt)
    assert "runtime-library exception" in data["statement"] and "GCC Runtime Library Exception" in data["statement"]
    numpy = next(c for c in data["components"] if c["name"] == "numpy")
    assert numpy["declared"] == [read_metadata(metadata.read_text())["license_expression"]]
    assert "METADATA License-Expression" in numpy["declared_from"]
    assert "GPL-3.0-or-later WITH GCC-exception-3.1 (GCC runtime library)" in numpy["bundled_declared"]
    # declared and detected side by side, and a finding where they differ
    out = "\n".join(licences_lines(from_plain(Licences, data)))
    assert "declared" in out and "numpy" in out
    differs = [f for f in data["findings"] if f["code"] == "license-declared-differs"]
    assert differs and "numpy" in differs[0]["message"]


def test_runtime_exception_reasons():
    assert runtime_exception("GPL-3.0-or-later WITH GCC-exception-3.1")
    assert runtime_exception("GPL-2.0-or-later WITH Classpath-exception-2.0")
    assert runtime_exception("GPL-2.0-or-later WITH Bison-exception-2.2")
    assert runtime_exception("GPL-3.0-or-later WITH Autoconf-exception-3.0")
    assert not is_gpl("GPL-3.0-or-later WITH GCC-exception-3.1") and is_gpl("GPL-3.0-or-later")
    assert not is_gpl("GPL-2.0-only OR MIT") and is_gpl("GPL-2.0-only AND MIT")


@pytest.mark.parametrize("exception", ["GCC-exception-3.1", "Classpath-exception-2.0", "Bison-exception-2.2",
                                       "Autoconf-exception-3.0"])
def test_exception_texts_make_with_expressions(exception):
    """A GPL notice and an exception's text in one file: ``GPL-x WITH exception``."""
    text = reference_text(exception)
    if text is None:
        pytest.skip(f"no SPDX reference text for {exception}")
    notice = ("This library is free software; you can redistribute it and/or modify it under the terms of the "
              "GNU General Public License as published by the Free Software Foundation; either version 3, or "
              "(at your option) any later version.\n\n----\n\n")
    assert identify(notice + text) == [f"GPL-3.0-or-later WITH {exception}"]


def test_metadata_fields():
    meta = read_metadata("Metadata-Version: 2.4\nName: x\nVersion: 1\nLicense: BSD\nClassifier: License :: OSI "
                         "Approved :: MIT License\nClassifier: Programming Language :: Python\n\nbody\nLicense: no")
    assert meta["classifiers"] == ["OSI Approved :: MIT License"] and meta["license"] == "BSD"
    assert declared_of(meta) == (["MIT"], "METADATA Classifier")
    meta = read_metadata("Name: y\nLicense-Expression: MIT-0\n")
    assert declared_of(meta) == (["MIT-0"], "METADATA License-Expression")


# -- real archives --------------------------------------------------------------------------------

@functools.lru_cache(maxsize=None)
def _real(which: str) -> dict:
    return summarize(scan(real_archive(which), default_analysers()))


def test_real_windows_bdb_is_sleepycat_and_stack_is_python():
    data = _real("windows")
    spdx = {f["path"].rsplit("/", 1)[-1]: f["spdx"] for f in data["files"]}
    assert spdx["LICENSE.bdb.txt"] == ["Sleepycat"]
    assert spdx["LICENSE.ncurses.txt"] == ["X11-distribute-modifications-variant"]
    assert spdx["LICENSE.openssl-3.txt"] == ["Apache-2.0"]
    assert spdx["LICENSE.openssl-1.1.txt"] == ["OpenSSL"]
    assert spdx["LICENSE.cpython.txt"][:2] == ["Python-2.0", "0BSD"]
    assert data["gpl_free"]


def test_real_linux_no_gpl_claims_without_gpl_text():
    data = _real("linux")
    for f in data["files"]:
        for part in f["parts"]:
            assert not any(s.startswith(("GPL", "AGPL")) for s in part["spdx"]), (f["path"], part)


def _discovered(tmp_path, extra):
    entries = [entry("python/bin/python3", b"x"), entry("python/lib/python3.13/os.py", "x"), *extra]
    return scan(write_archive(tmp_path / "d.tar.gz", entries, "gzip"), default_analysers())


# -- libraries compiled into binaries (the component inventory) ---------------------------------

class _Lib:
    """A hand-made inventory component (the fields :mod:`distscope.tui.meta.contained` reads)."""

    def __init__(self, id, name, version, licence, contained_in, kind="library"):
        self.id, self.name, self.version, self.licence = id, name, version, licence
        self.licence_source, self.contained_in, self.kind = "well-known", contained_in, kind


def test_contained_libraries_matched_to_texts():
    from distscope.tui.meta.contained import contained, statement

    files = [{"path": "python/licenses/LICENSE.openssl-1.1.txt", "spdx": ["OpenSSL"], "text": "OpenSSL License"},
             {"path": "python/licenses/LICENSE.openssl-3.txt", "spdx": ["Apache-2.0"], "text": "Apache License"},
             {"path": "python/licenses/LICENSE.liblzma.txt", "spdx": [], "text": "XZ Utils Licensing"}]
    libs = [_Lib("openssl", "OpenSSL", "3.0.13", "Apache-2.0", ["python/install/DLLs/libssl-3-x64.dll"]),
            _Lib("xz", "xz (liblzma)", None, None, ["python/install/DLLs/_lzma.pyd"]),
            _Lib("bdb", "Berkeley DB", "6.0.19", "Sleepycat", ["python/lib/_dbm.so"]),
            _Lib("cpython", "CPython", "3.13.1", "PSF-2.0", ["python/bin/python3"], kind="interpreter"),
            _Lib("tk", "Tk", "8.6", "TCL", [])]
    out = {e["name"]: e for e in contained(libs, files)}
    assert set(out) == {"OpenSSL", "xz (liblzma)", "Berkeley DB"}  # native and inside a binary only
    assert out["OpenSSL"]["licence_files"][0] == "python/licenses/LICENSE.openssl-3.txt"  # its own licence first
    assert out["xz (liblzma)"]["licence_files"] == ["python/licenses/LICENSE.liblzma.txt"]
    assert out["Berkeley DB"]["missing_text"] and not out["OpenSSL"]["missing_text"]
    assert "Berkeley DB 6.0.19 (Sleepycat) in _dbm.so" in statement(list(out.values()))


def test_real_linux_berkeley_db_in_dbm_makes_the_licences_incomplete():
    """Berkeley DB 6.0.19 is compiled into _dbm (its version string is in the binary: checked with
    ``strings``); the archive has no licence text for it."""
    data = _real("linux")
    bdb = [e for e in data["contained"] if e["name"] == "Berkeley DB"]
    assert bdb and bdb[0]["version"] == "6.0.19" and bdb[0]["licence"] == "Sleepycat"
    assert bdb[0]["contained_in"][0].endswith("/lib-dynload/_dbm.cpython-313-x86_64-linux-gnu.so")
    assert bdb[0]["missing_text"] and data["complete"] is False
    assert any(f["code"] == "license-text-missing" and "Berkeley DB" in f["message"] for f in data["findings"])
    assert "Copyleft, not GPL: Berkeley DB (Sleepycat)" in data["statement"]


def test_real_windows_contained_libraries_have_their_texts():
    data = _real("windows")
    by_name = {e["name"]: e for e in data["contained"]}
    assert by_name["OpenSSL"]["licence_files"][0].endswith("LICENSE.openssl-3.txt")
    assert by_name["bzip2"]["licence_files"][0].endswith("LICENSE.bzip2.txt")
    assert by_name["expat"]["licence_files"][0].endswith("LICENSE.expat.txt")


def test_fingerprints_kept_between_runs(tmp_path, monkeypatch):
    from distscope.tui.meta import references

    monkeypatch.setenv("DISTSCOPE_CACHE_DIR", str(tmp_path))
    data = references.data_file()
    if data is None:
        pytest.skip("no SPDX data file")
    built = references._build(data)
    store = references._store_path(data)
    assert store and store.startswith(str(tmp_path))
    references._write_store(store, built)
    assert references._read_store(store) == built
    Path(store).write_bytes(b"\x00garbage")
    assert references._read_store(store) is None  # a damaged store is built again, not trusted


def test_vendored_library_covered_by_its_bundle_section():
    """numpy.libs/libquadmath*.so is covered by the ``Name: libquadmath`` section of numpy's
    LICENSE.txt (its ``Files:`` pattern), and takes the section's ``License:`` expression."""
    from distscope.tui.meta.contained import contained

    licence = site_file("numpy-*.dist-info/licenses/LICENSE.txt")
    files = [{"path": "sp/numpy-2.4.6.dist-info/licenses/LICENSE.txt", "spdx": [], "text": licence.read_text()},
             {"path": "sp/scipy-1.17.1.dist-info/LICENSE.txt", "spdx": [],
              "text": "Name: libquadmath\nFiles: scipy.libs/libquadmath*.so\nLicense: LGPL-2.1-or-later\n"}]
    libs = [_Lib("vendored:numpy/libquadmath", "libquadmath", None, None,
                 ["sp/numpy.libs/libquadmath-96973f99-934c22de.so.0.0.0"], kind="vendored-library")]
    (entry_,) = contained(libs, files)
    assert entry_["licence"] == "LGPL-2.1-or-later" and "License: line" in entry_["licence_source"]
    assert entry_["licence_files"][0] == "sp/numpy-2.4.6.dist-info/licenses/LICENSE.txt"


def test_isc_with_author_names_is_isc_not_0bsd():
    text = site_file("pexpect-*.dist-info/LICENSE").read_text()
    assert identify(text) == ["ISC"]
    assert identify(reference_text("0BSD")) == ["0BSD"]


def test_pillow_bundle_names_what_it_is_not_what_it_mentions():
    """Pillow's LICENSE: its own MIT-CMU text (SPDX's id for this HPND-family text, and what Pillow
    declares), then the licences of the libraries in its wheel; the GPL/LGPL it names in passing
    (FreeType's dual licence, XZ's notes) are not claimed."""
    text = site_file("pillow-*.dist-info/licenses/LICENSE").read_text(encoding="utf-8")
    ids = identify(text)
    assert ids[0] == "MIT-CMU"
    assert {"FTL", "IJG", "libtiff", "libpng-2.0", "Zlib"} <= set(ids)
    assert not any(i.startswith(("GPL", "LGPL", "AGPL")) for i in ids)
