"""Dependency resolution inside archives: $ORIGIN, RPATH vs RUNPATH, DLL folders, @rpath;
classification of unresolved names; roots, reverse dependencies; target detection."""

from __future__ import annotations

from tests.archives import entry, write_archive
from tests.conftest import plain
from distscope.tui.analysis.graph import walk
from distscope.tui.session import open_index
from distscope.tui.synth import make_elf, make_macho, make_pe

GLIBC = {"libc.so.6": ["GLIBC_2.2.5", "GLIBC_2.17"]}


def analyse(tmp_path, entries, name="dist.tar.zst"):
    index = open_index(write_archive(tmp_path / name, entries), use_cache=False)
    return index, plain(index.results["binaries"])


def edge(result, src, name):
    return next(e for e in result["graph"]["edges"] if e["from"] == src and e["name"] == name)


def linux_tree():
    return [
        entry("python/bin/python3.12", make_elf(etype="exec", needed=["libpython3.12.so.1.0", "libc.so.6"],
                                                rpath="$ORIGIN/../lib", versions=GLIBC), mode=0o755),
        entry("python/bin/python3", type="symlink", link="python3.12"),
        entry("python/lib/libpython3.12.so.1.0", make_elf(soname="libpython3.12.so.1.0",
                                                          needed=["libm.so.6", "libc.so.6"], versions=GLIBC)),
        entry("python/lib/libpython3.12.so", type="symlink", link="libpython3.12.so.1.0"),
        entry("python/lib/libpython3.so", make_elf(needed=["$ORIGIN/../lib/libpython3.12.so.1.0", "libc.so.6"])),
        entry("python/lib/libtcl9.0.so", make_elf(soname="libtcl9.0.so", needed=["libc.so.6"])),
        # No RPATH of its own: found through the interpreter's RPATH.
        entry("python/lib/python3.12/lib-dynload/_tkinter.cpython-312-x86_64-linux-gnu.so",
              make_elf(needed=["libtcl9.0.so", "libc.so.6"])),
        # RUNPATH present: its RPATH (and the interpreter's) are ignored.
        entry("python/lib/python3.12/lib-dynload/_runpath.cpython-312-x86_64-linux-gnu.so",
              make_elf(needed=["libtcl9.0.so"], rpath="$ORIGIN/../..", runpath="$ORIGIN/nowhere")),
        entry("python/lib/python3.12/lib-dynload/_odd.cpython-312-x86_64-linux-gnu.so",
              make_elf(needed=["libweird.so.3", "libcrypt.so.1"], runpath="/tools/deps/lib")),
        entry("python/lib/python3.12/site-packages/pip/_vendor/distlib/t64.exe",
              make_pe(imports=["KERNEL32.dll", "python3.dll"])),
    ]


def test_elf_resolution(tmp_path):
    index, result = analyse(tmp_path, linux_tree(), "cpython-3.12.7+20241016-x86_64-unknown-linux-gnu-install_only.tar.zst")
    assert result["target"] == {"target_triple": "x86_64-unknown-linux-gnu", "platform": "linux",
                                "arch": "x86_64", "source": "file name"}
    graph = result["graph"]
    assert graph["roots"] == ["python/bin/python3.12"]
    e = edge(result, "python/bin/python3.12", "libpython3.12.so.1.0")
    assert (e["status"], e["to"], e["via"]) == ("bundled", "python/lib/libpython3.12.so.1.0", "RPATH")
    e = edge(result, "python/lib/libpython3.so", "$ORIGIN/../lib/libpython3.12.so.1.0")
    assert e["status"] == "bundled" and e["to"] == "python/lib/libpython3.12.so.1.0"
    tk = "python/lib/python3.12/lib-dynload/_tkinter.cpython-312-x86_64-linux-gnu.so"
    e = edge(result, tk, "libtcl9.0.so")
    assert e["status"] == "bundled" and e["via"] == "RPATH of python/bin/python3.12"
    e = edge(result, "python/lib/python3.12/lib-dynload/_runpath.cpython-312-x86_64-linux-gnu.so", "libtcl9.0.so")
    assert e.get("off_path") and e["to"] == "python/lib/libtcl9.0.so"  # RPATH ignored with RUNPATH
    odd = "python/lib/python3.12/lib-dynload/_odd.cpython-312-x86_64-linux-gnu.so"
    assert edge(result, odd, "libweird.so.3")["status"] == "unexpected"
    assert edge(result, odd, "libcrypt.so.1")["status"] == "unexpected"  # allowed for _crypt only
    assert edge(result, "python/bin/python3.12", "libc.so.6")["status"] == "system"
    # Reverse dependencies and the tree from the interpreter.
    assert graph["reverse"]["python/lib/libpython3.12.so.1.0"] == ["python/bin/python3.12", "python/lib/libpython3.so"]
    assert graph["nodes"]["python/lib/libtcl9.0.so"]["needed_by"] == [
        "python/lib/python3.12/lib-dynload/_runpath.cpython-312-x86_64-linux-gnu.so", tk]
    tree = walk(index.results["binaries"].graph, "python/bin/python3.12")
    assert [(d, e.name) for d, e in tree] == [(0, "libpython3.12.so.1.0"), (1, "libm.so.6"), (1, "libc.so.6"),
                                                 (0, "libc.so.6")]
    # The pip launcher is listed but is no requirement.
    launcher = result["binaries"]["python/lib/python3.12/site-packages/pip/_vendor/distlib/t64.exe"]
    assert launcher["native"] is False
    assert not any(e["from"].endswith("t64.exe") for e in graph["edges"])
    codes = {f["code"]: f for f in result["findings"]}
    assert codes["unexpected-system-library"]["severity"] == "error"
    assert codes["absolute-rpath"]["severity"] == "warning"
    assert "RUNPATH /tools/deps/lib" in codes["absolute-rpath"]["message"]
    assert codes["foreign-binaries"]["severity"] == "info"
    assert "library-off-search-path" in codes and "missing-library" not in codes


def test_missing_libpython_and_interpreter(tmp_path):
    entries = [e for e in linux_tree() if not e[0].name.endswith(("python3.12", "libpython3.12.so.1.0"))]
    _, result = analyse(tmp_path, entries)
    assert result["target"]["source"] == "binaries"
    assert result["target"]["target_triple"] == "x86_64-unknown-linux-gnu"
    e = edge(result, "python/lib/libpython3.so", "$ORIGIN/../lib/libpython3.12.so.1.0")
    assert e["status"] == "missing" and e["to"] is None
    codes = {f["code"] for f in result["findings"] if f["severity"] == "error"}
    assert {"missing-library", "missing-interpreter"} <= codes
    missing = result["requirements"]["missing_libraries"]
    assert missing == [{"name": "$ORIGIN/../lib/libpython3.12.so.1.0", "needed_by": ["python/lib/libpython3.so"]}]


def windows_tree(with_python_dll=True):
    crt = ["api-ms-win-crt-runtime-l1-1-0.dll", "api-ms-win-crt-heap-l1-1-0.dll"]
    entries = [
        entry("python/install/python.exe", make_pe(imports=["python312.dll", "KERNEL32.dll", "VCRUNTIME140.dll", *crt])),
        entry("python/install/pythonw.exe", make_pe(imports=["python312.dll", "kernel32.dll"], subsystem="gui")),
        entry("python/install/vcruntime140.dll", make_pe(imports=["KERNEL32.dll", *crt], dll=True)),
        entry("python/install/DLLs/_ssl.pyd", make_pe(imports=["python312.dll", "LIBSSL-3-X64.dll",
                                                              "libcrypto-3-x64.dll", "vcruntime140.dll"], dll=True)),
        entry("python/install/DLLs/libssl-3-x64.dll", make_pe(imports=["libcrypto-3-x64.dll", "KERNEL32.dll"],
                                                             dll=True, os_version=(6, 1))),
        entry("python/install/DLLs/_socket.pyd", make_pe(imports=["python312.dll", "WS2_32.dll", "evil.dll"],
                                                        delay_imports=["api-ms-win-core-path-l1-1-0.dll"], dll=True)),
        entry("python/build/lib/helper.dll", make_pe(imports=["notshipped.dll"], dll=True)),
        entry("python/PYTHON.json", '{"version": "8", "target_triple": "x86_64-pc-windows-msvc", '
                                    '"python_version": "3.12.7"}'),
    ]
    if with_python_dll:
        entries.append(entry("python/install/python312.dll", make_pe(imports=["KERNEL32.dll"], dll=True)))
    return entries


def test_pe_resolution(tmp_path):
    _, result = analyse(tmp_path, windows_tree())
    assert result["target"]["source"] == "PYTHON.json"
    assert result["graph"]["roots"] == ["python/install/python.exe", "python/install/pythonw.exe"]
    e = edge(result, "python/install/DLLs/_ssl.pyd", "LIBSSL-3-X64.dll")
    assert (e["status"], e["to"], e["via"]) == ("bundled", "python/install/DLLs/libssl-3-x64.dll", "DLL folder")
    e = edge(result, "python/install/DLLs/_ssl.pyd", "python312.dll")
    assert (e["to"], e["via"]) == ("python/install/python312.dll", "application folder")
    assert edge(result, "python/install/DLLs/_ssl.pyd", "libcrypto-3-x64.dll")["status"] == "missing"
    assert edge(result, "python/install/python.exe", "api-ms-win-crt-runtime-l1-1-0.dll")["status"] == "virtual"
    assert edge(result, "python/install/pythonw.exe", "kernel32.dll")["status"] == "system"
    assert edge(result, "python/install/DLLs/_socket.pyd", "evil.dll")["status"] == "unexpected"
    req = result["requirements"]
    assert req["msvc_runtime"]["bundled"] is True
    assert req["msvc_runtime"]["bundled_paths"] == ["python/install/vcruntime140.dll"]
    assert req["ucrt"]["needed"] is True
    assert req["min_windows"] == "6.2"  # api-ms-win-core-path-l1-1-0 needs Windows 8
    assert req["windows"]["header_os_version"] == "6.1"
    assert [m["name"] for m in req["missing_libraries"]] == ["libcrypto-3-x64.dll"]
    # build/ products of a full archive are analysed but are no requirements.
    assert "notshipped.dll" not in {s["name"] for s in req["system_libraries"]}
    assert result["binaries"]["python/build/lib/helper.dll"]["runtime"] is False


def test_pe_missing_python_dll_and_runtime(tmp_path):
    entries = [e for e in windows_tree(with_python_dll=False) if "vcruntime140.dll" not in e[0].name]
    _, result = analyse(tmp_path, entries)
    req = result["requirements"]
    assert {m["name"] for m in req["missing_libraries"]} == {"python312.dll", "libcrypto-3-x64.dll"}
    assert req["msvc_runtime"]["bundled"] is False
    assert {s["name"].lower() for s in req["system_libraries"] if s["allowed"]} >= {"vcruntime140.dll"}
    codes = {f["code"] for f in result["findings"]}
    assert "msvc-runtime-not-bundled" in codes


def test_macho_resolution(tmp_path):
    entries = [
        entry("python/bin/python3.12", make_macho(dylibs=["@executable_path/../lib/libpython3.12.dylib",
                                                          "/usr/lib/libSystem.B.dylib"], minos="10.15")),
        entry("python/lib/libpython3.12.dylib", make_macho(filetype="dylib", install_name="@rpath/libpython3.12.dylib",
                                                           dylibs=["/usr/lib/libSystem.B.dylib"], minos="10.9")),
        entry("python/lib/libtcl9.0.dylib", make_macho(filetype="dylib", install_name="@rpath/libtcl9.0.dylib")),
        entry("python/lib/python3.12/lib-dynload/_tkinter.cpython-312-darwin.so",
              make_macho(filetype="bundle", rpaths=["@loader_path/../.."],
                         dylibs=["@rpath/libtcl9.0.dylib", "@rpath/libtcl9tk9.0.dylib",
                                 "@loader_path/libnope.dylib", "/opt/homebrew/lib/libintl.8.dylib"])),
    ]
    _, result = analyse(tmp_path, entries)
    assert result["target"]["target_triple"] == "x86_64-apple-darwin"
    e = edge(result, "python/bin/python3.12", "@executable_path/../lib/libpython3.12.dylib")
    assert e["status"] == "bundled" and e["to"] == "python/lib/libpython3.12.dylib"
    tk = "python/lib/python3.12/lib-dynload/_tkinter.cpython-312-darwin.so"
    e = edge(result, tk, "@rpath/libtcl9.0.dylib")
    assert e["status"] == "bundled" and e["to"] == "python/lib/libtcl9.0.dylib"
    assert edge(result, tk, "@rpath/libtcl9tk9.0.dylib")["status"] == "missing"
    assert edge(result, tk, "@loader_path/libnope.dylib")["status"] == "missing"
    assert edge(result, tk, "/opt/homebrew/lib/libintl.8.dylib")["status"] == "unexpected"
    assert edge(result, "python/bin/python3.12", "/usr/lib/libSystem.B.dylib")["status"] == "system"
    assert result["requirements"]["min_macos"] == "10.15"
    assert result["requirements"]["macos"]["needed_by"] == ["python/bin/python3.12"]


def test_unreadable_binary_is_a_finding(tmp_path):
    broken = make_elf(needed=["libc.so.6"])[:80]
    _, result = analyse(tmp_path, [entry("python/lib/libbroken.so", broken),
                                   entry("python/bin/python3", make_elf(etype="exec", needed=["libc.so.6"]))])
    assert result["binaries"]["python/lib/libbroken.so"]["error"]
    finding = next(f for f in result["findings"] if f["code"] == "unreadable-binary")
    assert finding["severity"] == "error" and finding["paths"] == ["python/lib/libbroken.so"]


def test_no_binaries(tmp_path):
    _, result = analyse(tmp_path, [entry("python/lib/x.py", "print(1)\n")])
    assert result["binaries"] == {} and result["target"]["source"] is None
    assert result["graph"]["roots"] == [] and result["findings"] == []


def test_macos_json_mismatch(tmp_path):
    entries = [
        entry("python/PYTHON.json", '{"version": "8", "target_triple": "aarch64-apple-darwin", '
                                    '"apple_sdk_deployment_target": "11.0", "apple_sdk_version": "14.2"}'),
        entry("python/bin/python3.12", make_macho(cpu="arm64", minos="12.0", sdk="13.0",
                                                  dylibs=["/usr/lib/libSystem.B.dylib"])),
    ]
    _, result = analyse(tmp_path, entries)
    codes = {f["code"] for f in result["findings"]}
    assert {"macos-deployment-target-mismatch", "macos-sdk-mismatch"} <= codes
    assert result["binaries"]["python/bin/python3.12"]["native"] is True


def test_rpath_inherited_through_a_library(tmp_path):
    entries = [
        entry("python/bin/python3", make_elf(etype="exec", needed=["libmid.so"], rpath="$ORIGIN/../lib")),
        entry("python/lib/libmid.so", make_elf(soname="libmid.so", needed=["libleaf.so"], rpath="$ORIGIN/deep")),
        entry("python/lib/deep/libleaf.so", make_elf(soname="libleaf.so", needed=["libc.so.6"])),
    ]
    index, result = analyse(tmp_path, entries)
    e = edge(result, "python/lib/libmid.so", "libleaf.so")
    assert e["to"] == "python/lib/deep/libleaf.so" and e["via"] == "RPATH"
    assert [(d, x.name) for d, x in walk(index.results["binaries"].graph, "python/bin/python3")][:2] == [
        (0, "libmid.so"), (1, "libleaf.so")]


def test_rpath_of_intermediate_loader(tmp_path):
    entries = [
        entry("python/bin/python3", make_elf(etype="exec", needed=["libmid.so"], rpath="$ORIGIN/../lib")),
        entry("python/lib/libmid.so", make_elf(soname="libmid.so", needed=["libuse.so"], rpath="$ORIGIN/deep")),
        entry("python/lib/deep/libuse.so", make_elf(soname="libuse.so", needed=["libleaf.so"])),
        entry("python/lib/deep/libleaf.so", make_elf(soname="libleaf.so")),
    ]
    _, result = analyse(tmp_path, entries)
    e = edge(result, "python/lib/deep/libuse.so", "libleaf.so")
    assert e["to"] == "python/lib/deep/libleaf.so" and e["via"] == "RPATH of python/lib/libmid.so"
    assert not e.get("off_path")


def test_each_path_resolved_once(tmp_path, monkeypatch):
    """The binaries search the same folders for their needs: a path is resolved through the
    archive's links once, and the graph is the same as resolving every time."""
    from distscope.tui.analysis import graph as graph_module
    from distscope.tui.archive.index import ArchiveIndex

    index, result = analyse(tmp_path, linux_tree(), "cpython-3.12.7+20241016-x86_64-unknown-linux-gnu-install_only.tar.zst")
    calls: list[str] = []
    resolve_path = ArchiveIndex.resolve_path
    monkeypatch.setattr(ArchiveIndex, "resolve_path", lambda self, path: calls.append(path) or resolve_path(self, path))
    analysis = index.results["binaries"]
    again = graph_module.build_graph(index, analysis.binaries, analysis.target, analysis.python_json)
    assert plain(again) == result["graph"]
    assert calls and len(calls) == len(set(calls))


def test_triple_from_file_name():
    """The longest recognised triple the name holds wins, wherever it is; else any triple-like word."""
    from distscope.tui.analysis.platform import triple_from_name

    assert triple_from_name("/x/cpython-3.12.7+20241016-x86_64_v3-unknown-linux-gnu-install_only.tar.gz") == \
        "x86_64_v3-unknown-linux-gnu"
    assert triple_from_name("aarch64-apple-darwin-and-x86_64-unknown-linux-gnu.tar") == "x86_64-unknown-linux-gnu"
    assert triple_from_name("x86_64-unknown-linux-gnux.tar") == "x86_64-unknown-linux-gnux"  # (the fallback)
    assert triple_from_name("dir-x86_64-unknown-linux-gnu/interp.tar.zst") is None
    assert triple_from_name("sparc64-unknown-linux-gnu.tar") == "sparc64-unknown-linux-gnu"
