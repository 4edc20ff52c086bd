"""Issue 11, "the rest of the report, made true": each claim checked against the report's JSON
contract (and the CLI), on small fixtures and on the real archives, and where a tool is
installed against an independent one (readelf, llvm-readobj, objdump, pefile's own dump)."""

from __future__ import annotations

import io
import json
import re
import shutil
import subprocess
import tarfile

import pytest

from tests.archives import entry, write_archive
from tests.conftest import real_archive
from distscope.tui import session
from distscope.tui.cli import main
from distscope.tui.report import to_contract
from distscope.tui.session import open_index
from distscope.tui.synth import make_elf, make_macho, make_pe


class Plain(dict):
    """The report's JSON contract (plain data), keeping its model for the text rendering."""

    model = None


def build_report(index) -> Plain:
    model = session.build_report(index)
    out = Plain(json.loads(json.dumps(to_contract(model), default=str)))
    out.model = model
    return out


def to_text(report: Plain) -> str:
    return session.to_text(report.model)

LINUX_NAME = "cpython-3.12.7+20241016-x86_64-unknown-linux-gnu-install_only.tar.zst"
WINDOWS_NAME = "cpython-3.11.9+20240726-x86_64-pc-windows-msvc-pgo-full.tar.zst"
MACOS_NAME = "cpython-3.12.7+20241016-x86_64-apple-darwin-install_only.tar.zst"


def report_of(tmp_path, entries, name=LINUX_NAME) -> dict:
    return build_report(open_index(write_archive(tmp_path / name, entries), use_cache=False))


def cli_json(tmp_path, entries, name=LINUX_NAME, capsys=None) -> dict:
    path = write_archive(tmp_path / name, entries)
    assert main(["--no-cache", "report", "--format", "json", str(path)]) in (0, 1)
    return json.loads(capsys.readouterr().out)


def codes(report: dict) -> dict:
    return {f["code"]: f for f in report["findings"]}


def binary(report: dict, path: str) -> dict:
    return next(b for b in report["binaries"] if b["path"] == path)


def members_of(archive, wanted) -> dict[str, bytes]:
    """The bytes of the members ``wanted(path)`` selects, read with the tarfile module."""
    import zstandard

    out = {}
    with open(archive, "rb") as fh:
        stream = zstandard.ZstdDecompressor().stream_reader(fh)
        with tarfile.open(fileobj=stream, mode="r|") as tar:
            for member in tar:
                if member.isfile() and wanted(member.name):
                    out[member.name] = tar.extractfile(member).read()
    return out


def tool(name: str) -> str:
    found = shutil.which(name)
    if not found:
        pytest.skip(f"{name} is not installed")
    return found


def run(*args) -> str:
    return subprocess.run(args, capture_output=True, text=True, check=False).stdout


def interpreter(**kw):
    return make_elf(etype="exec", needed=["libc.so.6"], rpath="$ORIGIN/../lib",
                    versions={"libc.so.6": ["GLIBC_2.17"]}, **kw)


# ------------------------------------------------- 1: "static" only when nothing is bound
def no_needed_extension():
    """A shared object like lib-dynload/_bisect: PT_DYNAMIC, undefined Py* symbols, no DT_NEEDED."""
    return make_elf(interp=None, needed=(), undefined_symbols={"PyModule_Create2": None, "PyLong_FromLong": None},
                    bind_now=False)


def test_shared_object_without_needed_is_dynamic(tmp_path):
    rep = report_of(tmp_path, [
        entry("python/bin/python3.12", interpreter(), mode=0o755),
        entry("python/lib/python3.12/lib-dynload/_bisect.cpython-312-x86_64-linux-gnu.so", no_needed_extension()),
        entry("python/bin/static", make_elf(etype="exec", dynamic=False, interp=None), mode=0o755),
    ])
    ext = binary(rep, "python/lib/python3.12/lib-dynload/_bisect.cpython-312-x86_64-linux-gnu.so")
    assert ext["static"] is False and ext["undefined_count"] == 2
    assert binary(rep, "python/bin/static")["static"] is True
    assert "python/lib/python3.12/lib-dynload/_bisect.cpython-312-x86_64-linux-gnu.so" in \
        codes(rep)["no-bind-now"]["paths"]


def test_readelf_agrees_on_the_fixture(tmp_path):
    readelf = tool("readelf")
    path = tmp_path / "ext.so"
    path.write_bytes(no_needed_extension())
    assert "PT_DYNAMIC" not in run(readelf, "-lW", str(path)) and "DYNAMIC" in run(readelf, "-lW", str(path))
    assert "NEEDED" not in run(readelf, "-dW", str(path))
    und = [line for line in run(readelf, "--dyn-syms", "-W", str(path)).splitlines() if " UND " in line
           and line.split()[-1] != "UND"]
    assert len(und) == 2


def _readelf_static(readelf: str, path) -> bool:
    """What readelf says: no PT_DYNAMIC, or no PT_INTERP, no DT_NEEDED and no undefined symbol."""
    segments = run(readelf, "-lW", str(path))
    if not re.search(r"^\s*DYNAMIC\s", segments, re.M):
        return True
    if "INTERP" in segments or "(NEEDED)" in run(readelf, "-dW", str(path)):
        return False
    undefined = [line for line in run(readelf, "--dyn-syms", "-W", str(path)).splitlines()
                 if re.search(r"\sGLOBAL\s+DEFAULT\s+UND\s+\S", line)]
    return not undefined


def test_static_matches_readelf_on_the_real_linux_archive(tmp_path):
    readelf = tool("readelf")
    archive = real_archive("linux")
    rep = build_report(open_index(str(archive), use_cache=False))
    elves = {b["path"]: b for b in rep["binaries"] if b["format"] == "elf" and not b.get("error")}
    data = members_of(archive, lambda p: p in elves)
    assert data
    for path, body in data.items():
        target = tmp_path / "x.so"
        target.write_bytes(body)
        assert elves[path]["static"] is _readelf_static(readelf, target), path


def test_relocatable_object_is_not_a_runtime_library(tmp_path):
    rep = report_of(tmp_path, [
        entry("python/bin/python3.12", interpreter(), mode=0o755),
        entry("python/lib/python3.12/config-3.12-x86_64-linux-gnu/python.o", make_elf(etype="rel", interp=None)),
    ])
    obj = binary(rep, "python/lib/python3.12/config-3.12-x86_64-linux-gnu/python.o")
    assert obj["role"] == "object" and obj["runtime"] is False
    node = rep["dependencies"]["nodes"]["python/lib/python3.12/config-3.12-x86_64-linux-gnu/python.o"]
    assert node["role"] == "object" and node["runtime"] is False
    assert "python/lib/python3.12/config-3.12-x86_64-linux-gnu/python.o" not in rep["dependencies"]["top_level"]
    assert not [f for f in rep["findings"] if "python.o" in " ".join(f["paths"])]


def test_build_folder_dll_is_a_build_artefact(tmp_path):
    dll = make_pe(imports=["KERNEL32.dll"], dll=True)
    rep = report_of(tmp_path, [
        entry("python/PYTHON.json", json.dumps({"version": "8", "target_triple": "x86_64-pc-windows-msvc",
                                                "python_version": "3.11.9"})),
        entry("python/build/lib/sqlite3.dll", dll),  # (members sorted by name, as PBS writes them)
        entry("python/install/DLLs/sqlite3.dll", dll),
        entry("python/install/python.exe", make_pe(imports=["python311.dll", "KERNEL32.dll"])),
        entry("python/install/python311.dll", make_pe(imports=["KERNEL32.dll"], dll=True)),
    ], name=WINDOWS_NAME)
    row = binary(rep, "python/build/lib/sqlite3.dll")
    assert row["native"] is True and row["runtime"] is False and row["build_artefact"] is True
    assert row["same_as"] == ["python/install/DLLs/sqlite3.dll"]
    node = rep["dependencies"]["nodes"]["python/build/lib/sqlite3.dll"]
    assert node["build_artefact"] is True
    assert "python/build/lib/sqlite3.dll" not in codes(rep).get("foreign-binaries", {"paths": []})["paths"]
    assert "build artefact" in to_text(rep)


def test_real_windows_build_lib_dll_is_a_copy_of_the_shipped_one():
    import hashlib

    archive = real_archive("windows")
    rep = build_report(open_index(str(archive), use_cache=False))
    row = binary(rep, "python/build/lib/sqlite3.dll")
    assert row["build_artefact"] is True and row["runtime"] is False
    assert row["same_as"] == ["python/install/DLLs/sqlite3.dll"]
    data = members_of(archive, lambda p: p.endswith("/sqlite3.dll"))
    digests = {hashlib.sha256(body).hexdigest() for body in data.values()}
    assert len(data) == 2 and len(digests) == 1  # (tarfile + hashlib, not distscope's reader)
    assert "python/build/lib/sqlite3.dll" in codes(rep)["build-artefacts"]["paths"]
    assert "python/build/lib/sqlite3.dll" not in codes(rep)["foreign-binaries"]["paths"]


# ------------------------------------ 2: exported-dependency-symbol only for re-exporters
def test_exported_dependency_symbols_warn_only_for_re_exporters(tmp_path):
    libs = "python/lib/python3.12/site-packages/PIL.libs"
    rep = report_of(tmp_path, [
        entry("python/bin/python3.12", interpreter(), mode=0o755),
        # a wheel's bundled copies: each library IS the dependency its symbols belong to
        entry(f"{libs}/liblzma-13fa198c.so.5.4.5", make_elf(
            interp=None, soname="liblzma-13fa198c.so.5.4.5", needed=["libc.so.6"],
            exported_symbols=["lzma_index_init", "lzma_stream_encoder"])),
        entry(f"{libs}/libz-a1b2c3d4.so.1.3", make_elf(interp=None, soname="libz-a1b2c3d4.so.1.3", needed=["libc.so.6"],
                                                      exported_symbols=["deflateEnd", "inflate"])),
        entry(f"{libs}/libxcb-65da195c.so.1.1.0", make_elf(
            interp=None, soname="libxcb-65da195c.so.1.1.0", needed=["libc.so.6"], exported_symbols=["xcb_get_property"])),
        entry(f"{libs}/libncursesw.so.6", make_elf(interp=None, needed=["libc.so.6"], exported_symbols=["new_field"])),
        # re-exporters: an extension with libffi linked in, a zlib that also exports SQLite
        entry("python/lib/python3.12/site-packages/_cffi_backend.cpython-312-x86_64-linux-gnu.so",
              make_elf(interp=None, needed=["libc.so.6"], exported_symbols=["ffi_type_void", "PyInit__cffi_backend"])),
        entry("python/lib/libz.so.1", make_elf(interp=None, soname="libz.so.1", needed=["libc.so.6"],
                                               exported_symbols=["deflateEnd", "sqlite3_initialize"])),
    ])
    warned = {f["paths"][0]: f["message"] for f in rep["findings"] if f["code"] == "exported-dependency-symbol"}
    assert set(warned) == {"python/lib/python3.12/site-packages/_cffi_backend.cpython-312-x86_64-linux-gnu.so",
                           "python/lib/libz.so.1"}
    assert "sqlite3_initialize" in warned["python/lib/libz.so.1"] and "deflateEnd" not in warned["python/lib/libz.so.1"]
    assert "libffi" in warned["python/lib/python3.12/site-packages/_cffi_backend.cpython-312-x86_64-linux-gnu.so"]


def test_readelf_sees_the_exported_dependency_symbol(tmp_path):
    readelf = tool("readelf")
    path = tmp_path / "liblzma.so.5"
    path.write_bytes(make_elf(interp=None, soname="liblzma.so.5", exported_symbols=["lzma_index_init"]))
    defined = [line for line in run(readelf, "--dyn-syms", "-W", str(path)).splitlines()
               if line.endswith(" lzma_index_init") and " UND " not in line and "GLOBAL" in line]
    assert defined
    assert "liblzma.so.5" in run(readelf, "-dW", str(path))  # (the SONAME that names it the dependency)


# ------------------------------------------------ 3: what was not reported and now is
def test_python3_dll_forwards_to_python3xy_dll(tmp_path):
    stub = make_pe(dll=True, exports={"PyList_New": "python311.PyList_New", "Py_Initialize": "python311.Py_Initialize"})
    rep = report_of(tmp_path, [
        entry("python/install/python.exe", make_pe(imports=["python311.dll", "KERNEL32.dll"])),
        entry("python/install/python3.dll", stub),
    ], name=WINDOWS_NAME)
    row = binary(rep, "python/install/python3.dll")
    assert row["forwards"] == {"python311.dll": 2} and "python311.dll" in row["needs"]
    edge = next(e for e in rep["dependencies"]["edges"] if e["from"] == "python/install/python3.dll")
    assert edge["name"] == "python311.dll" and edge["forwarder"] is True and edge["status"] == "missing"
    assert "python/install/python3.dll" in codes(rep)["missing-library"]["paths"]
    assert "python311.dll (export forwarder) [MISSING]" in to_text(rep)


def test_llvm_objdump_sees_the_forwarders(tmp_path):
    objdump = tool("llvm-objdump")
    path = tmp_path / "python3.dll"
    path.write_bytes(make_pe(dll=True, exports={"PyList_New": "python311.PyList_New", "f": None}))
    text = run(objdump, "-p", str(path))
    assert "PyList_New (forwarded to python311.PyList_New)" in text and text.count("(forwarded to") == 1


def test_real_python3_dll_forwards_every_export_as_llvm_objdump_says(tmp_path):
    objdump = tool("llvm-objdump")
    archive = real_archive("windows")
    rep = build_report(open_index(str(archive), use_cache=False))
    row = binary(rep, "python/install/python3.dll")
    body = members_of(archive, lambda p: p == "python/install/python3.dll")["python/install/python3.dll"]
    (tmp_path / "python3.dll").write_bytes(body)
    forwarded = re.findall(r"\(forwarded to (\w+)\.", run(objdump, "-p", str(tmp_path / "python3.dll")))
    assert row["forwards"] == {"python311.dll": len(forwarded)} and set(forwarded) == {"python311"}
    assert any(e["from"] == "python/install/python3.dll" and e["forwarder"] for e in rep["dependencies"]["edges"]
               if e["name"] == "python311.dll")


def test_dangling_libpython_links_are_reported(tmp_path):
    rep = report_of(tmp_path, [
        entry("python/bin/python3.12", interpreter(), mode=0o755),
        entry("python/lib/libpython3.12.so", type="symlink", link="libpython3.12.so.1.0"),
        entry("python/lib/python3.12/config-3.12-x86_64-linux-gnu/libpython3.12.a", type="symlink",
              link="../../libpython3.12.a"),
        entry("python/lib/libpython3.so", type="symlink", link="libpython3.so.real"),  # (not libpython3.X)
        entry("python/lib/libpython3.so.real", make_elf(interp=None, soname="libpython3.so")),
    ])
    found = codes(rep)["dangling-libpython-link"]
    assert found["paths"] == ["python/lib/libpython3.12.so",
                              "python/lib/python3.12/config-3.12-x86_64-linux-gnu/libpython3.12.a"]
    assert "libpython3.12.so -> libpython3.12.so.1.0" in found["message"]


def test_real_linux_archive_reports_its_dangling_libpython_link():
    rep = build_report(open_index(str(real_archive("linux")), use_cache=False))
    assert codes(rep)["dangling-libpython-link"]["paths"] == ["python/lib/libpython3.13.so"]
    # (tar -tv: python/lib/libpython3.13.so -> libpython3.13.so.1.0, and that member is absent)
    listing = subprocess.run(["tar", "--zstd", "-tvf", str(real_archive("linux"))], capture_output=True,
                             text=True).stdout
    assert "python/lib/libpython3.13.so -> libpython3.13.so.1.0" in listing
    assert not re.search(r" python/lib/libpython3\.13\.so\.1\.0$", listing, re.M)


def pbs_json(**extra) -> str:
    data = {"version": "7", "target_triple": "x86_64-pc-windows-msvc", "python_version": "3.11.9",
            "build_info": {"core": {"links": [{"name": "pathcch", "system": True}],
                                    "shared_lib": "install/python311.dll", "objs": []},
                           "extensions": {"_ssl": [{"in_core": False, "init_fn": "PyInit__ssl", "objs": [],
                                                    "required": False, "variant": "default",
                                                    "shared_lib": "install/DLLs/_ssl.pyd",
                                                    "links": [{"name": "libcrypto-1_1-x64",
                                                               "path_dynamic": "install/DLLs/libcrypto-1_1-x64.dll"},
                                                              {"name": "libssl-1_1-x64",
                                                               "path_dynamic": "install/DLLs/libssl-1_1-x64.dll"}]}]}}}
    data.update(extra)
    return json.dumps(data)


def test_pythonjson_paths_missing_from_the_archive(tmp_path):
    rep = report_of(tmp_path, [
        entry("python/PYTHON.json", pbs_json()),
        entry("python/install/DLLs/_ssl.pyd", make_pe(dll=True, imports=["libssl-3-x64.dll", "python311.dll"])),
        entry("python/install/DLLs/libssl-3-x64.dll", make_pe(dll=True, imports=["KERNEL32.dll"])),
        entry("python/install/python311.dll", make_pe(dll=True, imports=["KERNEL32.dll"])),
    ], name=WINDOWS_NAME)
    found = codes(rep)["pythonjson-path-missing"]
    assert found["paths"] == ["python/install/DLLs/libcrypto-1_1-x64.dll", "python/install/DLLs/libssl-1_1-x64.dll"]
    assert "libssl-3-x64.dll" in found["message"]  # (what the folder holds instead)


def test_real_windows_pythonjson_names_1_1_dlls_the_archive_ships_as_3(tmp_path):
    archive = real_archive("windows")
    rep = build_report(open_index(str(archive), use_cache=False))
    found = codes(rep)["pythonjson-path-missing"]
    assert "python/install/DLLs/libcrypto-1_1-x64.dll" in found["paths"]
    assert "python/install/DLLs/libssl-1_1-x64.dll" in found["paths"]
    assert "python/install/python311.dll" in found["paths"]  # (dropped by the recovery, >= 4 MiB)
    pj = json.loads(members_of(archive, lambda p: p == "python/PYTHON.json")["python/PYTHON.json"])
    named = {link["path_dynamic"] for cs in pj["build_info"]["extensions"].values() for c in cs
             for link in c.get("links", []) if link.get("path_dynamic")}
    listing = set(subprocess.run(["tar", "--zstd", "-tf", str(archive)], capture_output=True,
                                 text=True).stdout.split())
    assert {f"python/{p}" for p in named if f"python/{p}" not in listing} <= set(found["paths"])


def test_banned_nis_module_in_a_non_pbs_tree(tmp_path):
    rep = report_of(tmp_path, [
        entry("root/.pyenv/versions/3.11.7/bin/python3.11", interpreter(), mode=0o755),
        entry("root/.pyenv/versions/3.11.7/lib/python3.11/lib-dynload/nis.cpython-311-x86_64-linux-gnu.so",
              make_elf(interp=None, needed=["libnsl.so.2", "libc.so.6"])),
        entry("root/.pyenv/versions/3.11.7/lib/python3.11/os.py", "import abc\n"),
    ], name="interp.tar.zst")
    found = codes(rep)["banned-extension"]
    assert found["severity"] == "warning"
    assert found["paths"] == ["root/.pyenv/versions/3.11.7/lib/python3.11/lib-dynload/nis.cpython-311-x86_64-linux-gnu.so"]


def test_banned_nis_module_in_pythonjson_is_an_error(tmp_path):
    data = json.loads(pbs_json())
    data["build_info"]["extensions"]["nis"] = [{"in_core": True, "init_fn": "PyInit_nis", "objs": [], "links": [],
                                                "required": False, "variant": "default"}]
    rep = report_of(tmp_path, [entry("python/PYTHON.json", json.dumps(data))], name=WINDOWS_NAME)
    assert codes(rep)["banned-extension"]["severity"] == "error"


def test_macho_minos_above_the_interpreter_deployment_target(tmp_path):
    libpython = "@executable_path/../lib/libpython3.12.dylib"
    rep = report_of(tmp_path, [
        entry("python/bin/python3.12", make_macho(dylibs=[libpython, "/usr/lib/libSystem.B.dylib"], minos="10.15")),
        entry("python/lib/libpython3.12.dylib", make_macho(filetype="dylib", install_name=libpython, minos="10.15",
                                                           dylibs=["/usr/lib/libSystem.B.dylib"])),
        entry("python/lib/python3.12/lib-dynload/_ssl.cpython-312-darwin.so",
              make_macho(filetype="bundle", minos="13.0", dylibs=["/usr/lib/libSystem.B.dylib"])),
    ], name=MACOS_NAME)
    found = codes(rep)["macos-minos-above-target"]
    assert found["paths"] == ["python/lib/python3.12/lib-dynload/_ssl.cpython-312-darwin.so"]
    assert "13.0" in found["message"] and "10.15" in found["message"]
    assert rep["requirements"]["min_macos"] == "13.0"
    assert rep["requirements"]["macos"]["needed_by"] == ["python/lib/python3.12/lib-dynload/_ssl.cpython-312-darwin.so"]
    assert "python/lib/python3.12/lib-dynload/_ssl.cpython-312-darwin.so" in to_text(rep)


# ------------------------------------------------------------------------ 4: toolchain
CRT_GCC = "GCC: (GNU) 4.8.5 20150623 (Red Hat 4.8.5-44)"


def test_gcc_of_the_c_runtime_start_files_is_not_a_compiler(tmp_path):
    two = f"{CRT_GCC}\0GCC: (GNU) 10.2.1 20210130 (Red Hat 10.2.1-11)"
    rep = report_of(tmp_path, [
        entry("python/bin/python3.12", interpreter(comment=two), mode=0o755),
        entry("python/bin/tool", make_elf(etype="exec", needed=["libc.so.6"],
                                          comment=f"{CRT_GCC}\0rustc version 1.91.1 (ed61e7d7e 2025-11-07)"), mode=0o755),
        entry("python/lib/libold.so", make_elf(interp=None, needed=["libc.so.6"], comment="GCC: (GNU) 4.4.7")),
        # only start files' code: the GCC seen as start files elsewhere is that here too
        entry("python/lib/libstub.so", make_elf(interp=None, needed=["libc.so.6"], comment=CRT_GCC)),
    ])
    tc = rep["toolchain"]
    # the only compiler of libold.so is GCC 4.4.7: there it did build the code
    assert sorted(tc["compilers"]) == ["GCC 10.2.1", "GCC 4.4.7", "rustc 1.91.1"]
    rows = [p for p in tc["producers"] if p["tool"] == "GCC" and p["version"] == "4.8.5"]
    assert {p["role"]: p["count"] for p in rows} == {"startfiles": 2, "compiler": 1}
    assert tc["startfiles"] == ["GCC 4.8.5"]


def test_startfiles_gcc_alone_is_not_listed_as_a_compiler(tmp_path):
    rep = report_of(tmp_path, [
        entry("python/bin/python3.12", interpreter(comment=f"{CRT_GCC}\0clang version 18.1.8"), mode=0o755)])
    assert rep["toolchain"]["compilers"] == ["clang 18.1.8"]
    assert "C runtime start files" in to_text(rep)


def test_readelf_shows_both_comment_strings(tmp_path):
    readelf = tool("readelf")
    path = tmp_path / "python3"
    path.write_bytes(interpreter(comment=f"{CRT_GCC}\0clang version 18.1.8"))
    text = run(readelf, "-p", ".comment", str(path))
    assert "GCC: (GNU) 4.8.5" in text and "clang version 18.1.8" in text


VS2010_RICH = [(0x98, 20115, 1), (0xAB, 40219, 33), (0x9E, 40219, 15), (0xAA, 40219, 121), (0x93, 30729, 5),
               (0x01, 0, 95), (0xAE, 40219, 1), (0x9A, 40219, 1), (0x9D, 40219, 1)]


def test_vs2010_launchers_are_identified(tmp_path):
    launcher = make_pe(imports=["KERNEL32.dll"], machine="i386", linker_version=(10, 0), rich=VS2010_RICH)
    rep = report_of(tmp_path, [
        entry("python/PYTHON.json", pbs_json()),
        entry("python/install/Lib/site-packages/pip/_vendor/distlib/t32.exe", launcher),
    ], name=WINDOWS_NAME)
    vendored = rep["toolchain"]["vendored"]
    assert vendored["compilers"] == ["MSVC 10.0"] and vendored["linkers"] == ["MSVC 10.0"]
    row = next(p for p in rep["toolchain"]["producers"] if p["role"] == "linker")
    assert "VS2010" in row["detail"] and "40219" in row["detail"] and "VS2008" in row["detail"]


def test_pefile_reads_the_same_rich_header(tmp_path):
    import pefile

    from distscope.tui.meta import coff

    data = make_pe(imports=["KERNEL32.dll"], linker_version=(10, 0), rich=VS2010_RICH)
    values = pefile.PE(data=data).RICH_HEADER.values
    assert [(values[i] >> 16, values[i] & 0xFFFF, values[i + 1]) for i in range(0, len(values), 2)] == \
        coff.rich_header(data) == VS2010_RICH
    assert coff.product(0x9D) == "linker" and coff.toolset(0x9D, 40219) == ("10.0", "VS2010")
    assert coff.product(0xAA) == "c" and coff.toolset(0xAA, 40219) == ("10.0", "VS2010")
    assert coff.product(0x93) == "implib" and coff.toolset(0x93, 30729) == ("9.0", "VS2008")
    assert coff.toolset(0xCE, 50727) == ("11.0", "VS2012") and coff.toolset(0xE0, 21005) == ("12.0", "VS2013")


def test_real_vcruntime_version_is_its_linker_and_file_version(tmp_path):
    import pefile

    archive = real_archive("windows")
    rep = build_report(open_index(str(archive), use_cache=False))
    rows = [p for p in rep["toolchain"]["producers"] if p["example"] == "python/install/vcruntime140.dll"]
    assert rows and {p["version"] for p in rows} == {"14.29"}
    assert all("FileVersion 14.29.30153" in p["detail"] for p in rows)
    assert "MSVC 14.28" not in rep["toolchain"]["vendored"]["compilers"]
    # pefile's own full parse, and the UTF-16 strings of the version resource
    body = members_of(archive, lambda p: p == "python/install/vcruntime140.dll")["python/install/vcruntime140.dll"]
    pe = pefile.PE(data=body)
    assert (pe.OPTIONAL_HEADER.MajorLinkerVersion, pe.OPTIONAL_HEADER.MinorLinkerVersion) == (14, 29)
    fixed = pe.VS_FIXEDFILEINFO[0]
    assert (fixed.FileVersionMS >> 16, fixed.FileVersionMS & 0xFFFF, fixed.FileVersionLS >> 16) == (14, 29, 30153)
    (tmp_path / "vcruntime140.dll").write_bytes(body)
    assert "14.29.30153.0" in run(tool("strings"), "-el", str(tmp_path / "vcruntime140.dll"))


def test_real_distlib_launchers_are_vs2010(tmp_path):
    archive = real_archive("windows")
    rep = build_report(open_index(str(archive), use_cache=False))
    rows = [p for p in rep["toolchain"]["producers"] if p["example"].endswith("/distlib/t32.exe")
            or (p["version"] == "10.0" and p["area"] == "vendored")]
    assert {p["version"] for p in rows} == {"10.0"} and {p["role"] for p in rows} == {"compiler", "linker"}
    assert sum(p["count"] for p in rows if p["role"] == "linker") == 4  # t32, t64, w32, w64
    assert "MSVC 10.0" in rep["toolchain"]["vendored"]["linkers"]


def test_real_linux_compiler_is_clang_and_gcc_only_start_files(tmp_path):
    readelf = tool("readelf")
    archive = real_archive("linux")
    rep = build_report(open_index(str(archive), use_cache=False))
    assert set(rep["toolchain"]["compilers"]) == {"clang 22.1.1", "LLVM 22.1.1"}
    assert set(rep["toolchain"]["startfiles"]) == {"GCC 15.2.0", "GCC 4.8.4"}
    # readelf -p .comment: every binary with a GCC string also names clang, except the
    # libpython3.so stub (no C code of its own: only the start files' GCC)
    bodies = members_of(archive, lambda p: p.endswith(".so") and "/lib" in p)
    for path, body in bodies.items():
        (tmp_path / "x").write_bytes(body)
        text = run(readelf, "-p", ".comment", str(tmp_path / "x"))
        if "GCC:" in text and not path.endswith("libpython3.so"):
            assert "clang version 22.1.1" in text, path


# ------------------------------------------------------------ 5: minimum Windows / macOS
def test_minimum_windows_combines_headers_api_sets_and_policy(tmp_path, capsys):
    rep = cli_json(tmp_path, [
        entry("python/PYTHON.json", pbs_json()),
        entry("python/install/python.exe", make_pe(imports=["python311.dll", "KERNEL32.dll"])),
        entry("python/install/python311.dll", make_pe(dll=True, imports=["KERNEL32.dll"])),
    ], name=WINDOWS_NAME, capsys=capsys)
    req = rep["requirements"]
    win = req["windows"]
    assert win["header_os_version"] == "6.0"
    assert win["api_set_minimum"] == "6.2" and win["api_set_reason"] == "api-ms-win-core-path-l1-1-0.dll"
    assert win["api_set_source"] == "PYTHON.json link pathcch"
    assert win["policy_minimum"] == "6.3" and "3.11" in win["policy"]
    assert req["min_windows"] == "6.3" and win["name"] == "Windows 8.1 / Server 2012"
    assert win["driven_by"] == "python-policy"
    assert [b["source"] for b in win["basis"]] == ["pe-headers", "api-set", "python-policy"]
    assert "per PE headers" not in rep["verdict"]["headline"] and "Windows 8.1 / Server 2012" in rep["verdict"]["headline"]


def test_minimum_windows_text_shows_the_basis_and_the_caveat(tmp_path):
    rep = report_of(tmp_path, [
        entry("python/PYTHON.json", pbs_json()),
        entry("python/install/python.exe", make_pe(imports=["python311.dll", "KERNEL32.dll"])),
        entry("python/install/python311.dll", make_pe(dll=True, imports=["KERNEL32.dll",
                                                                          "api-ms-win-core-path-l1-1-0.dll"])),
    ], name=WINDOWS_NAME)
    win = rep["requirements"]["windows"]
    assert win["api_set_source"] == "imports" and win["api_set_needed_by"] == ["python/install/python311.dll"]
    text = to_text(rep)
    assert "linker default" in text and "api-ms-win-core-path-l1-1-0.dll" in text and "support policy" in text


def test_windows_policy_by_version():
    from distscope.tui.analysis.rules import windows_policy

    assert windows_policy("3.8.10") is None
    assert windows_policy("3.9.0")[0] == "6.3" and windows_policy("3.12.7")[0] == "6.3"
    assert windows_policy("3.13.1")[0] == "10.0"


def test_real_windows_minimum_is_not_the_linker_default(tmp_path):
    archive = real_archive("windows")
    rep = build_report(open_index(str(archive), use_cache=False))
    win = rep["requirements"]["windows"]
    assert win["header_os_version"] == "6.0" and rep["requirements"]["min_windows"] == "6.3"
    assert win["api_set_minimum"] == "6.2" and win["api_set_source"] == "PYTHON.json link pathcch"
    # pefile's own parse: every shipped PE says 6.0 in its optional header (the linker default)
    import pefile

    bodies = members_of(archive, lambda p: p.startswith("python/install/") and p.endswith((".exe", ".dll", ".pyd"))
                        and "site-packages" not in p and "/venv/" not in p)
    versions = set()
    for body in bodies.values():
        opt = pefile.PE(data=body, fast_load=True).OPTIONAL_HEADER
        if pefile.PE(data=body, fast_load=True).FILE_HEADER.Machine == 0x8664:
            versions.add(f"{opt.MajorOperatingSystemVersion}.{opt.MinorOperatingSystemVersion}")
    assert max(versions, key=lambda v: tuple(map(int, v.split(".")))) == win["header_os_version"]


def test_macos_minimum_names_the_binary_that_drives_it(tmp_path):
    rep = report_of(tmp_path, [
        entry("python/bin/python3.12", make_macho(dylibs=["/usr/lib/libSystem.B.dylib"], minos="10.15")),
        entry("python/lib/python3.12/lib-dynload/_x.cpython-312-darwin.so",
              make_macho(filetype="bundle", minos="11.0", dylibs=["/usr/lib/libSystem.B.dylib"])),
    ], name=MACOS_NAME)
    assert rep["requirements"]["min_macos"] == "11.0"
    assert "python/lib/python3.12/lib-dynload/_x.cpython-312-darwin.so" in rep["verdict"]["headline"]
    assert "set by python/lib/python3.12/lib-dynload/_x.cpython-312-darwin.so" in " ".join(to_text(rep).split())


def test_real_macos_minimum_is_set_by_the_interpreter(tmp_path):
    archive = real_archive("macos")
    rep = build_report(open_index(str(archive), use_cache=False))
    assert rep["requirements"]["min_macos"] == "10.15"
    assert rep["requirements"]["macos"]["needed_by"] == ["python/bin/python3.12"]
    body = members_of(archive, lambda p: p == "python/bin/python3.12")["python/bin/python3.12"]
    (tmp_path / "python3.12").write_bytes(body)
    text = run(tool("llvm-objdump"), "--macho", "--private-headers", str(tmp_path / "python3.12"))
    assert re.search(r"minos 10\.15\b", text)


def _windows_entries():
    dll = make_pe(imports=["KERNEL32.dll"], dll=True)
    return [
        entry("python/PYTHON.json", pbs_json()),
        entry("python/build/lib/sqlite3.dll", dll),
        entry("python/install/DLLs/sqlite3.dll", dll),
        entry("python/install/python.exe", make_pe(imports=["python311.dll", "KERNEL32.dll"])),
        entry("python/install/python311.dll", make_pe(dll=True, imports=["KERNEL32.dll"])),
    ]


async def test_app_shows_the_windows_basis_and_the_build_artefact(tmp_path):
    from tests.apptools import screen_text, settle
    from distscope.tui.app import DistscopeApp
    from distscope.widgets.dependencies import DependenciesPane

    path = write_archive(tmp_path / WINDOWS_NAME, _windows_entries())
    app = DistscopeApp(str(path))
    async with app.run_test(size=(140, 50)) as pilot:
        await settle(pilot, app, lambda: app.report is not None)
        await pilot.press("4")
        await pilot.pause()
        text = screen_text(app)
        assert "Windows 8.1 / Server 2012" in text and "linker default" in text and "PEP 11" in text
        await pilot.press("3")
        await pilot.pause()
        pane = app.query_one(DependenciesPane)
        await pilot.press("a")
        await settle(pilot, app, lambda: "build artefact: not loaded at run time" in screen_text(app))
        assert "foreign: not a requirement" not in screen_text(app)
        assert pane.view.graph.nodes["python/build/lib/sqlite3.dll"].build_artefact is True


# ------------------------------------------------------------------------------ 6: small
def test_headline_never_says_none_plus_and_opensuse_13_2_is_not_leap(tmp_path):
    from distscope.tui.analysis.rules import oldest_distros

    rows = {d["family"]: d["release"] for d in oldest_distros("2.17")}
    assert rows.get("openSUSE") == "13.2" and "openSUSE Leap" not in rows
    assert {d["family"]: d["release"] for d in oldest_distros("2.22")}["openSUSE Leap"] == "42.2"
    rep = report_of(tmp_path, [entry("python/bin/python3.12", interpreter(
        undefined_symbols={"hypot": "GLIBC_2.35"}), mode=0o755)])
    assert rep["requirements"]["min_glibc"] == "2.35"
    assert "None" not in rep["verdict"]["headline"] and "Amazon Linux" not in rep["verdict"]["headline"]
    assert "openSUSE Leap 13.2" not in to_text(report_of(tmp_path, [entry("python/bin/python3.12", interpreter(),
                                                                         mode=0o755)]))


def test_app_headline_skips_families_without_a_release():
    from distscope.tui.model.requirements import Distro, Requirements
    from distscope.widgets.requirements import headline

    req = Requirements("linux", "x86_64-unknown-linux-gnu", min_glibc="2.35",
                       distros=[Distro("Debian", "12"), Distro("Amazon Linux", None)])
    text = headline(req).plain
    assert "Debian 12+" in text and "None" not in text and "Amazon" not in text


def test_one_triple_spelling_in_headline_and_requirements(tmp_path):
    sysconfig = "build_time_vars = {'HOST_GNU_TYPE': 'x86_64-pc-linux-gnu', 'VERSION': '3.12'}\n"
    rep = report_of(tmp_path, [
        entry("python/bin/python3.12", interpreter(), mode=0o755),
        entry("python/lib/python3.12/_sysconfigdata__linux_x86_64-linux-gnu.py", sysconfig),
        entry("python/lib/python3.12/os.py", "import abc\n"),
    ], name="tree.tar.zst")
    assert rep["distribution"]["target_source"] == "sysconfig"
    assert rep["verdict"]["target_triple"] == rep["requirements"]["target_triple"] == "x86_64-unknown-linux-gnu"
    assert "-pc-linux" not in rep["verdict"]["headline"]


def test_no_bind_now_matches_readelf_on_the_real_linux_archive(tmp_path):
    readelf = tool("readelf")
    archive = real_archive("linux")
    rep = build_report(open_index(str(archive), use_cache=False))
    elves = {b["path"] for b in rep["binaries"] if b["format"] == "elf" and b["runtime"]}
    lacking = set()
    for path, body in members_of(archive, lambda p: p in elves).items():
        (tmp_path / "x").write_bytes(body)
        if not re.search(r"^\s*DYNAMIC\s", run(readelf, "-lW", str(tmp_path / "x")), re.M):
            continue
        dynamic = run(readelf, "-dW", str(tmp_path / "x"))
        if "BIND_NOW" not in dynamic and not re.search(r"FLAGS_1.*\bNOW\b", dynamic):
            lacking.add(path)
    assert set(codes(rep)["no-bind-now"]["paths"]) == lacking and lacking
