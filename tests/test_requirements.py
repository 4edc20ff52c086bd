"""Runtime requirements and policy: glibc minimum and distributions, musl, other version needs,
host check, glibc above the triple's maximum; the real archives' expectations."""

from __future__ import annotations

import pytest

from tests.archives import entry, write_archive
from tests.conftest import host_check, plain, real_archive
from distscope.tui.analysis import rules
from distscope.tui.session import open_index
from distscope.tui.synth import make_elf


def analyse(tmp_path, entries, name="dist.tar.zst"):
    return plain(open_index(write_archive(tmp_path / name, entries), use_cache=False).results["binaries"])


def test_glibc_minimum_symbols_and_distros(tmp_path):
    result = analyse(tmp_path, [
        entry("python/bin/python3.12", make_elf(etype="exec", needed=["libc.so.6"],
                                                versions={"libc.so.6": ["GLIBC_2.2.5", "GLIBC_2.14"]})),
        entry("python/lib/libfoo.so", make_elf(needed=["libc.so.6", "libgcc_s.so.1", "libstdc++.so.6"], versions={
            "libc.so.6": ["GLIBC_2.28", "GLIBC_PRIVATE"], "libgcc_s.so.1": ["GCC_3.0", "GCC_4.2.0"],
            "libstdc++.so.6": ["GLIBCXX_3.4.21"]}, undefined_symbols={"fcntl64": "GLIBC_2.28", "memcpy": "GLIBC_2.14"},
            isa_level=2)),
    ], "cpython-3.12.7+20241016-x86_64-unknown-linux-gnu-install_only.tar.gz")
    req = result["requirements"]
    assert req["libc"] == "glibc" and req["min_glibc"] == "2.28"
    assert req["min_glibc_needed_by"] == ["python/lib/libfoo.so"]
    assert req["glibc_symbols"] == {"python/lib/libfoo.so": ["fcntl64"]}
    assert req["glibc_max_allowed"] == "2.17"
    assert {d["family"]: d["release"] for d in req["distros"]}["RHEL/CentOS"] == "8"
    assert {d["family"]: d["release"] for d in req["distros"]}["Debian"] == "10"
    assert req["other_version_needs"]["GCC"] == {"max": "4.2.0", "needed_by": ["python/lib/libfoo.so"]}
    assert req["other_version_needs"]["GLIBCXX"]["max"] == "3.4.21"
    assert req["unversioned_needs"] == {"GLIBC_PRIVATE": ["python/lib/libfoo.so"]}
    assert req["isa_level"] == 2
    by_code = {f["code"]: f for f in result["findings"]}
    assert by_code["glibc-too-new"]["severity"] == "error"
    assert by_code["glibc-too-new"]["paths"] == ["python/lib/libfoo.so"]
    assert by_code["unexpected-system-library"]["paths"] == ["python/lib/libfoo.so"]  # libstdc++


def test_musl_static_and_glibc_in_musl(tmp_path):
    static = analyse(tmp_path, [entry("python/bin/python3.12", make_elf(etype="exec", dynamic=False))],
                     "cpython-3.12.7+20241016-x86_64-unknown-linux-musl-lto+static-full.tar.zst")
    assert static["requirements"]["libc"] == "musl"
    assert static["requirements"]["musl"] == {"linkage": "static"}
    assert static["requirements"]["system_libraries"] == []
    dynamic = analyse(tmp_path, [entry("python/bin/python3.12", make_elf(
        etype="exec", interp="/lib/ld-musl-x86_64.so.1", needed=["libc.so"],
        versions={"libc.so": ["GLIBC_2.3"]}))], "cpython-3.12.7+20241016-x86_64-unknown-linux-musl-lto-full.tar.zst")
    assert dynamic["requirements"]["musl"] == {"linkage": "dynamic"}
    assert [s["name"] for s in dynamic["requirements"]["system_libraries"] if s["allowed"]] == ["libc.so"]
    assert "glibc-in-musl" in {f["code"] for f in dynamic["findings"]}


def test_wrong_machine_in_core_tree(tmp_path):
    result = analyse(tmp_path, [
        entry("python/bin/python3.12", make_elf(etype="exec", needed=["libc.so.6"])),
        entry("python/lib/python3.12/lib-dynload/_x.so", make_elf(machine="aarch64", needed=["libc.so.6"])),
    ], "cpython-3.12.7+20241016-x86_64-unknown-linux-gnu-install_only.tar.gz")
    finding = next(f for f in result["findings"] if f["code"] == "wrong-machine")
    assert finding["severity"] == "error" and finding["paths"] == ["python/lib/python3.12/lib-dynload/_x.so"]


def test_oldest_distros_table():
    assert rules.oldest_distros("2.17")[0] == {"family": "RHEL/CentOS", "release": "7"}
    assert {d["family"]: d["release"] for d in rules.oldest_distros("2.35")}["Ubuntu LTS"] == "22.04"
    assert all(d["release"] is None for d in rules.oldest_distros("2.99"))
    assert rules.oldest_distros(None) == [] and rules.oldest_distros("junk") == []


def test_host_check():
    req = {"platform": "linux", "machines": ["x86_64"], "libc": "glibc", "min_glibc": "2.28",
           "missing_libraries": []}
    old = host_check(req, {"platform": "linux", "arch": "x86_64", "glibc": "2.17", "os_version": None})
    assert old["runs"] is False and "needs glibc 2.28" in old["reasons"][0]
    new = host_check(req, {"platform": "linux", "arch": "x86_64", "glibc": "2.36", "os_version": None})
    assert new["runs"] is True
    arm = host_check(req, {"platform": "linux", "arch": "aarch64", "glibc": "2.36", "os_version": None})
    assert arm["runs"] is False
    mac = host_check(req, {"platform": "macos", "arch": "x86_64", "glibc": None, "os_version": "14.0"})
    assert mac["runs"] is False and "built for linux" in mac["reasons"][0]
    assert host_check({"platform": None})["runs"] is None


# ------------------------------------------------------------------------ real archives
def real(which):
    return plain(open_index(real_archive(which), use_cache=False).results["binaries"])


def test_real_windows():
    result = real("windows")
    assert result["target"]["target_triple"] == "x86_64-pc-windows-msvc"
    req = result["requirements"]
    assert req["msvc_runtime"]["bundled"] is True
    assert "python/install/vcruntime140.dll" in req["msvc_runtime"]["bundled_paths"]
    missing = {m["name"] for m in req["missing_libraries"]}
    assert {"python311.dll", "libcrypto-3-x64.dll"} <= missing
    assert all(s["allowed"] for s in req["system_libraries"])


def test_real_linux():
    result = real("linux")
    assert result["target"]["platform"] == "linux"
    req = result["requirements"]
    assert req["min_glibc"] == "2.17"
    assert any("libpython3.13.so.1.0" in m["name"] for m in req["missing_libraries"])
    tk = next(p for p in result["binaries"] if "_tkinter" in p)
    edges = [e for e in result["graph"]["edges"] if e["from"] == tk and e["name"] == "libtcl9.0.so"]
    assert edges[0]["to"] == "python/lib/libtcl9.0.so"
    launchers = [p for p in result["binaries"] if p.endswith(".exe")]
    assert launchers and not any(result["binaries"][p]["native"] for p in launchers)
    assert not any(e["from"] in launchers for e in result["graph"]["edges"])
    rpath = next(f for f in result["findings"] if f["code"] == "absolute-rpath")
    assert rpath["severity"] == "warning" and "/tools/deps/lib" in rpath["message"]


def test_real_macos():
    result = real("macos")
    assert result["target"]["target_triple"] == "x86_64-apple-darwin"
    missing = result["requirements"]["missing_libraries"]
    assert missing == [{"name": "@executable_path/../lib/libpython3.12.dylib", "needed_by": ["python/bin/python3.12"]}]
    assert result["requirements"]["min_macos"] is not None


def test_isa_level_host_check():
    from distscope.tui.analysis.requirements import x86_64_level

    assert x86_64_level(set()) == 1
    v2 = {"cx16", "lahf_lm", "popcnt", "sse4_1", "sse4_2", "ssse3"}
    assert x86_64_level(v2) == 2
    req = {"platform": "linux", "machines": ["x86_64"], "libc": "glibc", "min_glibc": "2.17",
           "missing_libraries": [], "isa_level": 3}
    host = {"platform": "linux", "arch": "x86_64", "glibc": "2.36", "os_version": None, "isa_level": 2}
    checked = host_check(req, host)
    assert checked["runs"] is False and "x86-64-v3" in checked["reasons"][0]
    assert host_check(req, {**host, "isa_level": 4})["runs"] is True


def test_symbol_policy_findings(tmp_path):
    result = analyse(tmp_path, [
        entry("python/bin/python3.12", make_elf(etype="exec", needed=["libpython3.12.so.1.0", "libc.so.6"],
                                                rpath="$ORIGIN/../lib")),
        entry("python/lib/libpython3.12.so.1.0", make_elf(soname="libpython3.12.so.1.0", needed=["libc.so.6"],
                                                          exported_symbols=["Py_Initialize", "SSL_read"])),
    ], "cpython-3.12.7+20241016-x86_64-unknown-linux-gnu-install_only.tar.gz")
    by_code = {f["code"]: f for f in result["findings"]}
    assert "SSL_read" in by_code["exported-dependency-symbol"]["message"]
    assert "PyList_New" in by_code["libpython-missing-exports"]["message"]


def test_libraries_list_each_needer_once():
    """A system or missing library lists each binary that needs it once, in edge order."""
    from distscope.tui.analysis.requirements import build_requirements
    from distscope.tui.model.binaries import Binary, Target
    from distscope.tui.model.graph import Edge, Graph

    def edge(src, name, status):
        return Edge(src, name, None, status, "system search path")

    binaries = {p: Binary(p, "elf", native=True, machine="x86_64", runtime=True) for p in ("b", "a", "c")}
    edges = [edge("b", "libc.so.6", "system"), edge("a", "libc.so.6", "system"), edge("b", "libc.so.6", "system"),
             edge("c", "libX.so", "missing"), edge("a", "libX.so", "missing"), edge("c", "libX.so", "missing"),
             edge("a", "KERNEL32.dll", "unexpected"), edge("b", "kernel32.DLL", "unexpected")]
    req = plain(build_requirements(binaries, Graph(edges=edges), Target(platform="linux")))
    assert [(e["name"], e["needed_by"]) for e in req["system_libraries"]] == [
        ("KERNEL32.dll", ["a", "b"]), ("libc.so.6", ["b", "a"])]
    assert req["missing_libraries"] == [{"name": "libX.so", "needed_by": ["c", "a"]}]
