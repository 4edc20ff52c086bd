"""Licence files, SPDX identification, components and GPL evidence; the licenses command."""

import functools
import json

import pytest

from tests.archives import entry, write_archive
from tests.conftest import real_archive
from tests.test_distribution import python_json
from tui.analysis.registry import default_analysers
from tui.archive.index import scan
from tui.cli import main
from tui.meta.licenses import component_of, is_license_file, summarize, text_of
from tui.meta.spdx import identify, is_gpl

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
    ("python/licenses/LICENSE.zlib.txt", True), ("p/pip-24.0.dist-info/licenses/AUTHORS.txt", True),
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
    index.results["binaries"] = {"binaries": [{"path": "python/lib/python3.9/lib-dynload/readline.so",
                                               "needed": ["libreadline.so.8", "libc.so.6"]}]}
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
