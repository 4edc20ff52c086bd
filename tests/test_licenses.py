"""Licence files, SPDX identification, components and GPL evidence; the licenses command."""

import functools
import json

import pytest

from tests.archives import entry, python_json, write_archive
from tests.conftest import plain, real_archive
from distscope.tui.session import analysers as default_analysers
from distscope.tui.archive.index import scan
from distscope.tui.cli import main
from distscope.tui.meta.licenses import component_of, is_license_file, text_of
from distscope.tui.meta.licenses import summarize as _summarize
from distscope.tui.model.binaries import Binary, ElfDetails
from distscope.tui.model.codec import from_plain
from distscope.tui.model.licences import Licences
from distscope.tui.model.report import BinaryAnalysis
from distscope.tui.report.metadata import licences_lines
from distscope.tui.meta.spdx import identify, is_gpl


def summarize(*args):
    """The section as plain data (the JSON contract's keys)."""
    return plain(_summarize(*args))


# Short fingerprint-bearing snippets (not licence texts).
MIT = "Permission is hereby granted, free of charge, to any person obtaining a copy of this software ..."
APACHE = "Apache License\n   Version 2.0, January 2004\n"
GPL3 = "GNU GENERAL PUBLIC LICENSE\n Version 3, 29 June 2007\n"
BSD3 = ("Redistribution and use in source and binary forms, with or without modification, are permitted "
        "provided ... Neither the name ... may be used to endorse or promote products derived ...")


@functools.lru_cache(maxsize=None)
def real_index(which: str):
    return scan(real_archive(which), default_analysers())


@pytest.mark.parametrize("text,ids", [
    (MIT, ["MIT"]),
    (MIT + " X Consortium", ["X11"]),
    (APACHE, ["Apache-2.0"]),
    (GPL3, ["GPL-3.0-only"]),
    ("GNU LESSER GENERAL PUBLIC LICENSE Version 2.1, February 1999", ["LGPL-2.1-only"]),
    (BSD3, ["BSD-3-Clause"]),
    ("Redistribution and use in source and binary forms, with or without modification, are permitted", ["BSD-2-Clause"]),
    ("PYTHON SOFTWARE FOUNDATION LICENSE VERSION 2 ... BeOpen ... CNRI", ["Python-2.0", "CNRI-Python"]),
    ("Permission to use, copy, modify, and/or distribute this software for any purpose with or without fee "
     "is hereby granted.", ["0BSD"]),
    ("This software is provided 'as-is', without any express or implied warranty. The origin of this "
     "software must not be misrepresented", ["Zlib"]),
    ("bzip2 ... The origin of this software must not be misrepresented ... endorse or promote products derived "
     "... Redistribution and use in source and binary forms, with or without modification, are permitted",
     ["bzip2-1.0.6"]),
    ("Mozilla Public License Version 2.0", ["MPL-2.0"]),
    ("The author disclaims copyright to this source code.", ["blessing"]),
    ("This file is in the public domain.", ["LicenseRef-Public-Domain"]),
    ("Just some text.", []),
    (b"\xff\xfe binary \x00 junk", []),
])
def test_identify(text, ids):
    assert identify(text) == ids


def test_gpl_ids():
    assert is_gpl("GPL-3.0-only") and is_gpl("GPL-3.0-or-later") and is_gpl("AGPL-3.0-only")
    assert not is_gpl("LGPL-2.1-only") and not is_gpl("MIT")


@pytest.mark.parametrize("path,expected", [
    ("python/LICENSE.txt", True), ("python/lib/foo/license", True), ("x/COPYING.LIB", True),
    ("x/Licence.md", True), ("x/NOTICE", True), ("python/lib/tk8.6/license.terms", True),
    ("python/licenses/LICENSE.zlib.txt", True), ("p/pip-24.0.dist-info/licenses/AUTHORS.txt", False),
    ("x/COPYRIGHT", False), ("x/AUTHORS", False), ("x/LICENSE-MIT", True), ("x/NOTICES.txt", True),
    ("x/license.py", False), ("x/licenses.html", False), ("x/README", False),
    ("pip/_vendor/packaging/licenses/__init__.py", False), ("x/licenses_test.c", False),
])
def test_license_file_names(path, expected):
    assert is_license_file(path) is expected


@pytest.mark.parametrize("path,component", [
    ("python/lib/python3.13/LICENSE.txt", "CPython"),
    ("python/install/LICENSE.txt", "CPython"),
    ("python/lib/python3.13/site-packages/pip-26.0.1.dist-info/licenses/LICENSE.txt", "pip"),
    ("python/lib/python3.13/site-packages/pip-26.0.1.dist-info/licenses/src/pip/_vendor/idna/LICENSE.md",
     "pip/_vendor/idna"),
    ("python/lib/python3.13/site-packages/pip/_vendor/idna/LICENSE.md", "pip/_vendor/idna"),
    ("python/lib/python3.13/site-packages/Foo_Bar-1.0.dist-info/LICENSE", "foo-bar"),
    ("python/lib/tk8.6/demos/license.terms", "tk8.6"),
    ("python/licenses/LICENSE.openssl-3.txt", "openssl-3"),
])
def test_component_of(path, component):
    assert component_of(path, "python") == component


def _full(tmp_path, doc, extra=()):
    entries = [entry("python/PYTHON.json", json.dumps(doc)),
               entry("python/install/bin/python3", b"x"),
               entry("python/licenses/LICENSE.cpython.txt", "PYTHON SOFTWARE FOUNDATION LICENSE VERSION 2 beopen"),
               entry("python/licenses/LICENSE.openssl-3.txt", APACHE),
               entry("python/licenses/LICENSE.readline.txt", GPL3),
               *extra]
    return scan(write_archive(tmp_path / "full.tar.zst", entries), default_analysers())


def test_components_from_pythonjson(tmp_path):
    index = _full(tmp_path, python_json(8))
    data = summarize(index)
    names = [c["name"] for c in data["components"]]
    assert names[:2] == ["CPython", "_ssl"]
    ssl = data["components"][1]
    assert ssl["licenses"] == ["Apache-2.0"] and ssl["files"] == ["python/licenses/LICENSE.openssl-3.txt"]
    assert ssl["detected"] == ["Apache-2.0"] and not ssl["gpl"]
    # every repository licence file is copied into licenses/: the readline text is not evidence
    assert data["gpl_free"] and data["gpl"] == []
    assert data["statement"].startswith("Not GPL-encumbered")
    assert "python/licenses/LICENSE.readline.txt" in data["repository_license_files"]
    assert text_of(index, "python/licenses/LICENSE.openssl-3.txt") == APACHE


def test_gpl_evidence(tmp_path):
    doc = python_json(8)
    extensions = doc["build_info"]["extensions"]
    extensions["_gdbm"] = [{"in_core": False, "licenses": ["GPL-3.0-or-later"], "license_paths": [],
                            "links": [{"name": "gdbm", "path_static": "build/lib/libgdbm.a"}], "objs": [],
                            "required": False, "variant": "default"}]
    extensions["readline"] = [{"in_core": False, "licenses": ["GPL-3.0"], "links": [{"name": "readline"}],
                               "objs": [], "required": False, "variant": "readline"},
                              {"in_core": False, "links": [{"name": "edit"}], "objs": [], "variant": "libedit"}]
    data = summarize(_full(tmp_path, doc))
    assert not data["gpl_free"]
    components = {g["component"] for g in data["gpl"]}
    assert components == {"_gdbm", "readline"}
    evidence = " ".join(g["evidence"] for g in data["gpl"])
    assert "GPL-3.0-or-later" in evidence and "links readline" in evidence and "_gdbm present" in evidence
    assert any(f["code"] == "license-gpl" for f in data["findings"])
    assert all(c["gpl"] for c in data["components"] if c["name"] in components)


def test_gpl_from_binaries(tmp_path):
    index = scan(write_archive(tmp_path / "i.tar.gz", [entry("python/bin/python3", b"x"),
                                                        entry("python/lib/python3.9/os.py", "x")], "gzip"),
                 default_analysers())
    assert summarize(index)["gpl_free"]
    path = "python/lib/python3.9/lib-dynload/readline.so"
    index.results["binaries"] = BinaryAnalysis(binaries={path: Binary(path, "elf", details=ElfDetails(
        64, "little", "dyn", needed=["libreadline.so.8", "libc.so.6"]))})
    data = summarize(index)
    assert data["gpl"] == [{"component": "libreadline.so.8",
                            "evidence": "python/lib/python3.9/lib-dynload/readline.so needs libreadline.so.8"}]


def test_install_only_discovery(tmp_path):
    sp = "python/lib/python3.12/site-packages"
    entries = [entry("python/bin/python3", b"x"),
               entry("python/lib/python3.12/LICENSE.txt", "PYTHON SOFTWARE FOUNDATION LICENSE VERSION 2 beopen CNRI"),
               entry(f"{sp}/pip-24.0.dist-info/LICENSE.txt", MIT),
               entry(f"{sp}/pip/_vendor/certifi/license", "Mozilla Public License Version 2.0"),
               entry(f"{sp}/gnuthing/COPYING", GPL3),
               entry(f"{sp}/odd/LICENSE", "all rights reserved")]
    index = scan(write_archive(tmp_path / "i.tar.gz", entries, "gzip"), default_analysers())
    data = summarize(index)
    assert data["source"] == "discovered"
    by_name = {c["name"]: c for c in data["components"]}
    assert by_name["CPython"]["licenses"] == ["Python-2.0", "CNRI-Python"]
    assert by_name["pip"]["licenses"] == ["MIT"]
    assert by_name["pip/_vendor/certifi"]["licenses"] == ["MPL-2.0"]
    assert by_name["gnuthing"]["gpl"] and not data["gpl_free"]
    assert data["unidentified"] == [f"{sp}/odd/LICENSE"]


def test_no_licences_at_all(tmp_path):
    index = scan(write_archive(tmp_path / "x.tar", [entry("a.txt", "x")], "none"), default_analysers())
    data = summarize(index)
    assert data["components"] == [] and data["statement"] == "No licence information found in this archive."


def test_cli(tmp_path, capsys):
    path = write_archive(tmp_path / "full.tar.zst", [entry("python/PYTHON.json", json.dumps(python_json(8))),
                                                     entry("python/install/bin/python3", b"x"),
                                                     entry("python/licenses/LICENSE.openssl-3.txt", APACHE)])
    assert main(["licenses", str(path)]) == 0
    out = capsys.readouterr().out
    assert "Not GPL-encumbered" in out and "_ssl" in out and "Apache-2.0" in out
    assert main(["licenses", str(path), "--texts"]) == 0
    assert "Version 2.0, January 2004" in capsys.readouterr().out
    assert main(["licenses", str(path), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["gpl_free"] is True and data["components"][0]["name"] == "CPython"
    bad = tmp_path / "bad.tar.zst"
    bad.write_bytes(b"not an archive at all")
    assert main(["licenses", str(bad)]) == 2
    assert "Traceback" not in capsys.readouterr().err


def test_real_windows():
    data = summarize(real_index("windows"))
    assert data["source"] == "PYTHON.json" and data["gpl_free"]
    by_name = {c["name"]: c for c in data["components"]}
    assert by_name["CPython"]["licenses"] == ["Python-2.0", "CNRI-Python"]
    assert by_name["_ssl"]["files"] == ["python/licenses/LICENSE.openssl-3.txt"]
    assert by_name["_sqlite3"]["public_domain"]
    assert by_name["_tkinter"]["licenses"] == ["TCL"]


def test_real_linux():
    data = summarize(real_index("linux"))
    by_name = {c["name"]: c for c in data["components"]}
    assert by_name["pip/_vendor/certifi"]["licenses"] == ["MPL-2.0"]
    assert by_name["CPython"]["licenses"][:2] == ["Python-2.0", "CNRI-Python"]
    assert data["gpl_free"] and "Not GPL-encumbered" in data["statement"]


def test_truncated_archive_says_so(tmp_path):
    from tests.archives import tar_bytes
    doc = python_json(8)
    raw = tar_bytes([entry("python/PYTHON.json", json.dumps(doc)), entry("python/install/bin/python3", b"x"),
                     entry("python/install/big", b"z" * 20000), entry("python/licenses/LICENSE.openssl-3.txt", APACHE)])
    path = tmp_path / "cut.tar"
    path.write_bytes(raw[:len(raw) // 2])
    data = summarize(scan(path, default_analysers()))
    assert not data["complete"] and data["statement"].startswith("Archive incomplete")
    assert any(f["code"] == "license-file-missing" for f in data["findings"])


def test_readline_module_linking_gnu_readline(tmp_path):
    import shutil
    import subprocess
    gcc = shutil.which("gcc")
    if not gcc:
        pytest.skip("gcc not available")
    (tmp_path / "a.c").write_text("int rl_f(void) { return 1; }\n")
    lib = tmp_path / "libreadline.so.8"
    module = tmp_path / "readline.so"
    for cmd in ([gcc, "-shared", "-fPIC", "-Wl,-soname,libreadline.so.8", "-o", str(lib), str(tmp_path / "a.c")],
                [gcc, "-shared", "-fPIC", "-o", str(module), str(tmp_path / "a.c"), "-Wl,--no-as-needed",
                 str(lib)]):
        if subprocess.run(cmd, capture_output=True).returncode:
            pytest.skip("cannot link test objects")
    entries = [entry("python/bin/python3", b"x"), entry("python/lib/python3.9/os.py", "x"),
               entry("python/lib/python3.9/lib-dynload/readline.cpython-39-x86_64-linux-gnu.so",
                     module.read_bytes())]
    index = scan(write_archive(tmp_path / "r.tar.gz", entries, "gzip"), default_analysers())
    data = summarize(index)
    assert not data["gpl_free"]
    assert data["gpl"][0]["evidence"].endswith("needs libreadline.so.8")
    entries.append(entry("python/lib/libgdbm.so.6", b"\x7fELF"))
    data = summarize(scan(write_archive(tmp_path / "g.tar.gz", entries, "gzip"), default_analysers()))
    assert any("ships python/lib/libgdbm.so.6" in g["evidence"] for g in data["gpl"])


def test_latin1_licence_text(tmp_path):
    text = "Copyright (c) 2001 Fran\xe7ois\n" + MIT
    index = scan(write_archive(tmp_path / "l.tar.gz", [entry("python/bin/python3", b"x"),
                                                       entry("python/lib/foo/LICENSE", text.encode("latin-1"))],
                               "gzip"), default_analysers())
    assert text_of(index, "python/lib/foo/LICENSE") == text
    assert summarize(index)["components"][0]["licenses"] == ["MIT"]


def test_licence_folder_files_need_licence_text():
    """In a dist-info licenses/ folder only texts that are licences count (AUTHORS.txt is not)."""
    path = "p/pip-24.0.dist-info/licenses/AUTHORS.txt"
    assert not is_license_file(path, text="@alice\n@bob\nCarol <carol@example.org>\n")
    assert is_license_file("p/pip-24.0.dist-info/licenses/vendor.txt", text=MIT)


def _discovered(tmp_path, extra):
    entries = [entry("python/bin/python3", b"x"), entry("python/lib/python3.13/os.py", "x"), *extra]
    return scan(write_archive(tmp_path / "d.tar.gz", entries, "gzip"), default_analysers())


def test_authors_file_in_licence_folder_is_not_a_licence(tmp_path):
    sp = "python/lib/python3.13/site-packages"
    data = summarize(_discovered(tmp_path, [
        entry(f"{sp}/pip-26.0.1.dist-info/licenses/LICENSE.txt", MIT),
        entry(f"{sp}/pip-26.0.1.dist-info/licenses/AUTHORS.txt", "Alice\nBob\n"),
        entry(f"{sp}/pip-26.0.1.dist-info/licenses/src/pip/_vendor/x/COPYING.rst", BSD3)]))
    paths = [f["path"] for f in data["files"]]
    assert f"{sp}/pip-26.0.1.dist-info/licenses/LICENSE.txt" in paths
    assert f"{sp}/pip-26.0.1.dist-info/licenses/src/pip/_vendor/x/COPYING.rst" in paths
    assert not any(p.endswith("AUTHORS.txt") for p in paths) and data["unidentified"] == []
    assert {c["name"]: c["files"] for c in data["components"]}["pip"] == [
        f"{sp}/pip-26.0.1.dist-info/licenses/LICENSE.txt"]


def test_dual_licence_pointer_is_resolved_once(tmp_path):
    folder = "python/lib/python3.13/site-packages/pip/_vendor/packaging"
    pointer = ("This software is made available under the terms of *either* of the licenses\n"
               "found in LICENSE.APACHE or LICENSE.BSD. Contributions to this software is made\n"
               "under the terms of *both* these licenses.\n")
    index = _discovered(tmp_path, [entry(f"{folder}/LICENSE", pointer), entry(f"{folder}/LICENSE.APACHE", APACHE),
                                   entry(f"{folder}/LICENSE.BSD", BSD3.replace("Neither", "x").replace(
                                       "endorse or promote products derived", ""))])
    data = summarize(index)
    assert data["unidentified"] == []
    entry_ = next(f for f in data["files"] if f["path"] == f"{folder}/LICENSE")
    assert entry_["spdx"] == ["Apache-2.0", "BSD-2-Clause"]
    assert entry_["refers_to"] == [f"{folder}/LICENSE.APACHE", f"{folder}/LICENSE.BSD"]
    assert entry_["component"] == "pip/_vendor/packaging"
    component = next(c for c in data["components"] if c["name"] == "pip/_vendor/packaging")
    assert component["licenses"] == ["Apache-2.0", "BSD-2-Clause"]
    out = "\n".join(licences_lines(from_plain(Licences, data)))
    assert "not identified" not in out
    # a pointer to files that are not there stays unidentified (listed once)
    (tmp_path / "b").mkdir()
    data = summarize(_discovered(tmp_path / "b", [entry(f"{folder}/LICENSE", pointer)]))
    assert data["unidentified"] == [f"{folder}/LICENSE"]


def test_licenses_as_a_string_is_one_id_and_gpl(tmp_path, capsys):
    """QA: "licenses": "GPL-3.0" was read letter by letter and the GPL check missed it."""
    doc = python_json(8, licenses="GPL-3.0")
    doc["build_info"]["extensions"]["_ssl"][0]["licenses"] = "GPL-2.0-only"
    doc["build_info"]["extensions"]["_ssl"][0]["license_paths"] = "licenses/LICENSE.openssl-3.txt"
    index = _full(tmp_path, doc)
    data = summarize(index)
    by_name = {c["name"]: c for c in data["components"]}
    assert by_name["CPython"]["licenses"] == ["GPL-3.0"] and by_name["CPython"]["gpl"]
    assert by_name["_ssl"]["licenses"] == ["GPL-2.0-only"] and by_name["_ssl"]["gpl"]
    assert by_name["_ssl"]["files"] == ["python/licenses/LICENSE.openssl-3.txt"]
    assert not data["gpl_free"] and data["statement"].startswith("GPL-encumbered")
    assert {"CPython", "_ssl"} <= {g["component"] for g in data["gpl"]}
    fields = [f["message"] for f in plain(index.results["pythonjson"])["findings"] if f["code"] == "pythonjson-field"]
    assert any("licenses is a single string, not a list" in m and "extensions" not in m for m in fields)
    assert any("extensions._ssl[0].licenses is a single string" in m for m in fields)
    assert any("extensions._ssl[0].license_paths is a single string" in m for m in fields)
    path = tmp_path / "full.tar.zst"
    assert main(["licenses", str(path)]) == 0
    out = capsys.readouterr().out
    assert "G, P, L" not in out and "GPL-3.0  [GPL]" in out and "Not GPL-encumbered" not in out


def test_non_string_licence_items_are_ignored(tmp_path):
    doc = python_json(8, licenses=["Python-2.0", 7, None, {"x": 1}], license_path=5)
    doc["build_info"]["extensions"]["_ssl"][0]["licenses"] = 12
    doc["build_info"]["extensions"]["_ssl"][0]["links"] = {"name": "readline"}
    index = _full(tmp_path, doc)
    data = summarize(index)
    by_name = {c["name"]: c for c in data["components"]}
    assert by_name["CPython"]["licenses"] == ["Python-2.0"] and by_name["CPython"]["files"] == []
    assert by_name["_ssl"]["licenses"] == ["Apache-2.0"]  # unknown id: from the licence text
    # a lone link object is one link: readline is GPL evidence
    assert any(g["evidence"].endswith("links readline") for g in data["gpl"])
    fields = " | ".join(f["message"] for f in plain(index.results["pythonjson"])["findings"])
    assert "licenses has 3 item(s) that are not strings" in fields
    assert "license_path is a JSON number, not a string" in fields
    assert "_ssl[0].licenses is a JSON number, not a list" in fields
    assert "_ssl[0].links is a single object, not a list" in fields


@pytest.mark.parametrize("bad", ["/etc/passwd", "../../etc/passwd", "licenses/../../x", "C:\\Windows\\x.txt", ""])
def test_licence_path_outside_the_distribution(tmp_path, bad):
    """QA: an absolute license_path was joined as python//etc/passwd and looked up."""
    doc = python_json(8, license_path=bad)
    doc["build_info"]["extensions"]["_ssl"][0]["license_paths"] = [bad, "./licenses//LICENSE.openssl-3.txt"]
    data = summarize(_full(tmp_path, doc))
    by_name = {c["name"]: c for c in data["components"]}
    assert by_name["CPython"]["files"] == []
    assert by_name["_ssl"]["files"] == ["python/licenses/LICENSE.openssl-3.txt"]  # normalised
    unsafe = [f for f in data["findings"] if f["code"] == "license-path-unsafe"]
    assert len(unsafe) == 2 and all(f["paths"] == ["python/PYTHON.json"] for f in unsafe)
    assert not any("//" in p or "etc/passwd" in p for f in data["findings"] for p in f["paths"])
    assert not any(f["code"] == "license-file-missing" for f in data["findings"])
    assert "not inside the distribution" in "\n".join(licences_lines(from_plain(Licences, data)))


def test_normalises_license_path(tmp_path):
    data = summarize(_full(tmp_path, python_json(8, license_path="./licenses//LICENSE.cpython.txt")))
    assert data["components"][0]["files"] == ["python/licenses/LICENSE.cpython.txt"]
    assert data["findings"] == []


def test_text_fits_80_columns_and_paths_are_consistent(tmp_path):
    doc = python_json(8)
    doc["build_info"]["extensions"]["_ssl"][0]["license_paths"] = ["licenses/LICENSE.openssl-3.txt",
                                                                   "licenses/missing-one.txt"]
    sp = "python/lib/python3.12/site-packages"
    data = summarize(_full(tmp_path, doc, [entry(f"{sp}/a_rather_long_package_name_here/LICENSE", "odd"),
                                           entry(f"{sp}/a_rather_long_package_name_here/NOTICE", MIT)]))
    lines = licences_lines(from_plain(Licences, data))
    assert all(len(line) <= 80 for line in lines), [line for line in lines if len(line) > 80]
    text = "\n".join(lines)
    # paths shown relative to python/ everywhere (table, missing, unidentified)
    assert "    lib/python3.12/site-packages/a_rather_long_package_name_here/LICENSE" in text
    assert "    licenses/missing-one.txt" in text and "python/licenses/missing-one.txt" not in text
    assert "(under python/)" in text


def test_real_linux_licences_text():
    """QA: AUTHORS.txt counted, packaging's LICENSE twice, 24 of 25 lines over 80 columns."""
    data = summarize(real_index("linux"))
    assert not any(f["path"].endswith("AUTHORS.txt") for f in data["files"])
    assert data["unidentified"] == []
    packaging = next(c for c in data["components"] if c["name"] == "pip/_vendor/packaging")
    assert packaging["licenses"] == ["Apache-2.0", "BSD-2-Clause"]
    pip = next(c for c in data["components"] if c["name"] == "pip")
    assert len(pip["files"]) == 1
    lines = licences_lines(from_plain(Licences, data))
    assert all(len(line) <= 80 for line in lines), [line for line in lines if len(line) > 80]
    assert not any(line.startswith("  python/") or line.startswith("    python/") for line in lines)


def test_gpl_libraries_shipped(tmp_path):
    """Shipped libreadline/libgdbm files are evidence, whatever the case of their name; folders,
    links and look-alikes are not; without PYTHON.json the lib-dynload modules are looked at."""
    entries = [entry("python/bin/python3", b"x"), entry("python/lib/libreadline.so.8", b"x"),
               entry("python/lib/LIBGDBM-6.DLL", b"x"), entry("libgdbm_compat.so.4", b"x"),
               entry("python/lib/libreadline.so.7", type="dir"),
               entry("python/lib/libgdbm.so", type="symlink", link="LIBGDBM-6.DLL"),
               entry("python/lib/xlibreadline.so", b"x"), entry("python/lib/libreadline_x.so", b"x"),
               entry("python/lib/python3.12/lib-dynload/_gdbm.cpython-312.so", b"x"),
               entry("python/DLLs/_dbm.pyd", b"x"), entry("python/lib/python3.12/lib-dynload/x.so.1", b"x")]
    data = summarize(scan(write_archive(tmp_path / "g.tar.gz", entries, "gzip"), default_analysers()))
    assert [(g["component"], g["evidence"]) for g in data["gpl"]] == [
        ("_gdbm", "extension module _gdbm present (python/lib/python3.12/lib-dynload/_gdbm.cpython-312.so)"),
        ("libreadline.so.8", "the archive ships python/lib/libreadline.so.8"),
        ("LIBGDBM-6.DLL", "the archive ships python/lib/LIBGDBM-6.DLL"),
        ("libgdbm_compat.so.4", "the archive ships libgdbm_compat.so.4")]


def test_pointer_names_matched_whatever_the_case():
    """A pointer file names its targets in any case; non-ASCII texts and names take the same
    case-insensitive match (only ASCII names absent from an ASCII text are skipped untried)."""
    from distscope.tui.meta.licenses import resolve_pointers

    def files(text, *names):
        return [{"path": "d/LICENSE", "spdx": [], "text": text},
                *({"path": f"d/{n}", "spdx": [n.upper()], "text": None} for n in names)]

    assert resolve_pointers(files("see license.apache or LICENSE.bsd", "LICENSE.APACHE", "LICENSE.BSD")) == {
        "d/LICENSE": {"spdx": ["LICENSE.APACHE", "LICENSE.BSD"], "refers_to": ["d/LICENSE.APACHE", "d/LICENSE.BSD"]}}
    assert resolve_pointers(files("see LICENSE.APACHEX or xLICENSE.BSD", "LICENSE.APACHE", "LICENSE.BSD")) == {}
    assert resolve_pointers(files("voir ÉTÉ.txt", "été.txt"))["d/LICENSE"]["refers_to"] == ["d/été.txt"]
    assert resolve_pointers(files("voir ſtuff.txt — é", "STUFF.txt"))["d/LICENSE"]["refers_to"] == ["d/STUFF.txt"]


def test_binary_needs_are_read_from_the_typed_analysis():
    """ELF DT_NEEDED, PE imports and Mach-O dylibs (every slice's), each credited to its binary."""
    from distscope.tui.meta.licenses import _binary_needs
    from distscope.tui.model.binaries import Binary, Dylib, ElfDetails, MachODetails, MachOSlice, PeDetails
    from distscope.tui.model.report import BinaryAnalysis

    slice_ = MachOSlice("arm64", 64, "dylib", True, dylibs=[Dylib("libgdbm.dylib", "load", "1.0.0", "1.0.0")])
    binaries = {
        "a/x.so": Binary("a/x.so", "elf", details=ElfDetails(64, "little", "dyn", needed=["libreadline.so.8"])),
        "b/m.so": Binary("b/m.so", "macho", details=MachODetails(True, ["aarch64"], "dylib", None, [], [], None, None,
                                                                None, [], True, False, [slice_])),
        "p/top.exe": Binary("p/top.exe", "pe", details=PeDetails(64, "exe", "console", "6.0", "6.0", ["KERNEL32.dll"],
                                                                ["DELAY.dll"])),
        "broken": Binary("broken", "elf", error="unreadable"),
    }
    index = type("Index", (), {"results": {"binaries": BinaryAnalysis(binaries=binaries)}})()
    assert _binary_needs(index) == [("a/x.so", "libreadline.so.8"), ("b/m.so", "libgdbm.dylib"),
                                    ("p/top.exe", "KERNEL32.dll")]
