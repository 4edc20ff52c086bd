"""ELF analysis: synthetic binaries, a gcc-built library when gcc is present, hostile input."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from tests.mutations import mutations
from distscope.tui.analysis.elf import ElfReadError, split_version
from distscope.tui.analysis.elf import parse_elf as _parse_elf
from tests.conftest import plain
from distscope.tui.synth import make_elf


def parse_elf(*args):
    """The model's record as plain data (the JSON contract's keys)."""
    return plain(_parse_elf(*args))


def test_dynamic_section_and_versions():
    data = make_elf(needed=["libc.so.6", "libm.so.6"], soname="libx.so.1", rpath="$ORIGIN/../lib",
                    runpath="/opt/x", versions={"libc.so.6": ["GLIBC_2.2.5", "GLIBC_2.17"], "libgcc_s.so.1": ["GCC_3.0"]},
                    undefined_symbols={"memcpy": "GLIBC_2.14", "clock_gettime": "GLIBC_2.17", "free": None},
                    comment="GCC: (GNU) 12.2.0", isa_level=3)
    info = parse_elf(data)
    assert info["machine"] == "x86_64" and info["bits"] == 64 and info["type"] == "dyn"
    assert info["interpreter"] == "/lib64/ld-linux-x86-64.so.2"
    assert info["needed"] == ["libc.so.6", "libm.so.6"] == info["needs"]
    assert info["soname"] == "libx.so.1"
    assert info["rpath"] == ["$ORIGIN/../lib"] and info["runpath"] == ["/opt/x"]
    assert info["version_needs"]["libc.so.6"] == ["GLIBC_2.2.5", "GLIBC_2.17", "GLIBC_2.14"]
    assert info["version_needs"]["libgcc_s.so.1"] == ["GCC_3.0"]
    assert info["glibc_max"] == "2.17"
    assert info["glibc_symbols"] == ["clock_gettime"]
    assert info["isa_level"] == 3
    assert info["comment"] == ["GCC: (GNU) 12.2.0"]
    assert info["libc"] == "glibc" and not info["static"]
    assert info["hardening"]["relro"] and info["hardening"]["bind_now"] and not info["hardening"]["exec_stack"]


def test_static_and_other_machines():
    static = parse_elf(make_elf(dynamic=False, machine="aarch64", etype="exec"))
    assert static["static"] and static["needed"] == [] and static["machine"] == "aarch64"
    assert static["type"] == "exec" and static["libc"] is None
    i686 = parse_elf(make_elf(machine="i686", needed=["libc.so.6"], versions={"libc.so.6": ["GLIBC_2.0"]}))
    assert i686["bits"] == 32 and i686["machine"] == "i686" and i686["glibc_max"] == "2.0"
    s390 = parse_elf(make_elf(machine="s390x", needed=["libc.so.6"], versions={"libc.so.6": ["GLIBC_2.17"]},
                              undefined_symbols={"pthread_yield": "GLIBC_2.17"}))
    assert s390["endian"] == "big" and s390["machine"] == "s390x" and s390["glibc_max"] == "2.17"
    assert s390["banned_symbols"] == ["pthread_yield"]
    musl = parse_elf(make_elf(interp="/lib/ld-musl-x86_64.so.1", needed=["libc.so"]))
    assert musl["libc"] == "musl"


def test_hardening_flags():
    info = parse_elf(make_elf(needed=["libc.so.6"], exec_stack=True, relro=False, bind_now=False))
    assert info["hardening"]["exec_stack"] and not info["hardening"]["relro"] and not info["hardening"]["bind_now"]


def test_split_version():
    assert split_version("GLIBC_2.17") == ("GLIBC", (2, 17))
    assert split_version("GLIBCXX_3.4.21") == ("GLIBCXX", (3, 4, 21))
    assert split_version("GLIBC_PRIVATE") is None


@pytest.mark.skipif(not shutil.which("gcc"), reason="no C compiler")
def test_gcc_built_shared_library(tmp_path):
    src = tmp_path / "x.c"
    src.write_text("#include <stdio.h>\n#include <stdlib.h>\n"
                   "int f(const char *s) { char *p = malloc(16); free(p); return puts(s); }\n")
    out = tmp_path / "libx.so"
    result = subprocess.run(["gcc", "-shared", "-fPIC", "-O1", "-o", str(out), str(src),
                             "-Wl,-soname,libx.so.7", "-Wl,--enable-new-dtags,-rpath,$ORIGIN/lib"],
                            capture_output=True)
    if result.returncode != 0:
        pytest.skip("gcc could not build a shared library")
    info = parse_elf(out.read_bytes())
    assert info["soname"] == "libx.so.7"
    assert "libc.so.6" in info["needed"]
    assert info["runpath"] == ["$ORIGIN/lib"] and info["rpath"] == []
    assert info["glibc_max"] is not None
    assert any(c.startswith("GCC:") for c in info["comment"])


def test_hostile_input_never_crashes():
    data = make_elf(needed=["libc.so.6"], soname="liby.so", versions={"libc.so.6": ["GLIBC_2.17"]},
                    undefined_symbols={"memcpy": "GLIBC_2.17"})
    for cut in (0, 4, 20, 60, 100, 300, len(data) - 10):
        with pytest.raises(ElfReadError):
            parse_elf(data[:cut])
    for mutated in mutations(data, seed=7, count=300, flips=6):
        try:
            info = parse_elf(mutated)
        except ElfReadError:
            continue
        assert isinstance(info["needed"], list)


def pyelftools_view(data: bytes) -> dict:
    """The same fields read with pyelftools, to check the fast reader against."""
    import io

    from elftools.elf.elffile import ELFFile

    elf = ELFFile(io.BytesIO(data))
    view = {"needed": [], "soname": None, "rpath": [], "runpath": [], "interpreter": None, "version_needs": {}}
    for seg in elf.iter_segments():
        if seg["p_type"] == "PT_INTERP":
            view["interpreter"] = seg.get_interp_name()
        elif seg["p_type"] == "PT_DYNAMIC":
            for tag in seg.iter_tags():
                kind = tag.entry.d_tag
                if kind == "DT_NEEDED":
                    view["needed"].append(tag.needed)
                elif kind == "DT_SONAME":
                    view["soname"] = tag.soname
                elif kind in ("DT_RPATH", "DT_RUNPATH"):
                    key = kind[3:].lower()
                    view[key] += [p for p in getattr(tag, key).split(":") if p]
    section = elf.get_section_by_name(".gnu.version_r")
    if section is not None:
        for verneed, auxes in section.iter_versions():
            view["version_needs"].setdefault(verneed.name, []).extend(a.name for a in auxes)
    return view


def pyelftools_symbols(data: bytes, glibc_max: str | None) -> dict:
    """The symbol-table fields (counts, watched exports, the symbols needing ``glibc_max``) and
    ``.comment``, read with pyelftools symbol by symbol (the fast reader works by columns)."""
    import io

    from elftools.elf.elffile import ELFFile

    from distscope.tui.analysis.rules import DEPENDENCY_SYMBOLS, PYTHON_API_SYMBOLS

    elf = ELFFile(io.BytesIO(data))
    view = {"exported_count": 0, "undefined_count": 0, "glibc_symbols": [], "exported_dependency_symbols": [],
            "exports_python_api": [], "comment": []}
    comment = elf.get_section_by_name(".comment")
    if comment is not None:
        view["comment"] = sorted({c.decode("utf-8", "replace") for c in comment.data().split(b"\0") if c.strip()})
    dynsym = elf.get_section_by_name(".dynsym")
    if dynsym is None:  # (no symbol table: no counts)
        del view["exported_count"], view["undefined_count"]
        return view
    versym = elf.get_section_by_name(".gnu.version")
    verneed = elf.get_section_by_name(".gnu.version_r")
    names = {}
    if verneed is not None:
        for _need, auxes in verneed.iter_versions():
            names.update({aux.entry["vna_other"] & 0x7FFF: aux.name for aux in auxes})
    watched, listed = set(), []
    for i, sym in enumerate(dynsym.iter_symbols()):
        if not sym.entry["st_name"]:
            continue
        bind, undefined = sym.entry["st_info"]["bind"], sym.entry["st_shndx"] == "SHN_UNDEF"
        if not undefined:
            if bind in ("STB_GLOBAL", "STB_WEAK") and sym.entry["st_other"]["visibility"] == "STV_DEFAULT":
                view["exported_count"] += 1
                watched.add(sym.name)
            continue
        view["undefined_count"] += bind == "STB_GLOBAL"
        version = versym.get_symbol(i).entry["ndx"] if versym is not None and i < versym.num_symbols() else 1
        version = version & 0x7FFF if isinstance(version, int) else 1
        if glibc_max and names.get(version) == f"GLIBC_{glibc_max}" and len(listed) < 40:
            listed.append(sym.name)
    view["glibc_symbols"] = sorted(listed)
    view["exported_dependency_symbols"] = sorted(watched & DEPENDENCY_SYMBOLS)
    view["exports_python_api"] = sorted(watched & PYTHON_API_SYMBOLS)
    return view


def _same_as_pyelftools(data: bytes) -> None:
    ours = parse_elf(data)
    assert {k: ours[k] for k in pyelftools_view(data)} == pyelftools_view(data)
    symbols = pyelftools_symbols(data, ours["glibc_max"])
    assert {k: ours[k] for k in symbols} == symbols


def test_agrees_with_pyelftools_on_synthetic():
    _same_as_pyelftools(make_elf(needed=["libc.so.6", "libm.so.6"], soname="libq.so", rpath="$ORIGIN:/x",
                                 runpath="$ORIGIN/../lib", versions={"libc.so.6": ["GLIBC_2.2.5", "GLIBC_2.17"]}))
    _same_as_pyelftools(make_elf(machine="s390x", needed=["libc.so.6"], versions={"libc.so.6": ["GLIBC_2.17"]}))


@pytest.mark.skipif(not shutil.which("gcc"), reason="no C compiler")
def test_agrees_with_pyelftools_on_gcc_output(tmp_path):
    src = tmp_path / "m.c"
    src.write_text("#include <stdio.h>\nint main(void) { return puts(\"hi\") < 0; }\n")
    exe = tmp_path / "m"
    if subprocess.run(["gcc", "-o", str(exe), str(src), "-Wl,-rpath,/opt/lib"], capture_output=True).returncode:
        pytest.skip("gcc could not link an executable")
    data = exe.read_bytes()
    _same_as_pyelftools(data)
    info = parse_elf(data)
    assert info["interpreter"] and info["libc"] == "glibc" and info["hardening"]["gnu_stack"]


def test_agrees_with_pyelftools_on_real_archive():
    from tests.conftest import real_archive
    from distscope.tui.archive.plugin import ALL, Analyser
    from distscope.tui.archive.index import scan

    class Grab(Analyser):
        name = "grab"

        def __init__(self):
            self.blobs = []

        def want(self, member, head):
            return ALL if head.startswith(b"\x7fELF") else 0

        def feed(self, member, data, complete):
            self.blobs.append(data)

    grab = Grab()
    scan(real_archive("linux"), [grab])
    assert len(grab.blobs) >= 5
    for data in grab.blobs:
        _same_as_pyelftools(data)


def test_exported_symbols_watched():
    info = parse_elf(make_elf(exported_symbols=["Py_Initialize", "SSL_read", "my_func"], needed=["libc.so.6"]))
    assert info["exports_python_api"] == ["Py_Initialize"]
    assert info["exported_dependency_symbols"] == ["SSL_read"]


def test_versioned_symbols_by_index():
    """The symbols needing a version index, in order: one index searched in C, several (or the
    hidden bit, or index 1 past the end of .gnu.version) marked one by one; both agree."""
    from array import array

    from distscope.tui.analysis.elf import _versioned

    versions = array("H", [0, 1, 5, 2, 5, 0x8005, 3, 5])
    assert list(_versioned(array("H", [0, 1, 5, 2, 5, 3]), {5}, 6)) == [2, 4]
    assert list(_versioned(versions, {5}, 8)) == [2, 4, 5, 7]  # (0x8005: hidden, still version 5)
    assert list(_versioned(versions, {5, 3}, 8)) == [2, 4, 5, 6, 7]
    assert list(_versioned(versions, {5}, 5)) == [2, 4]  # (only the symbols read)
    assert list(_versioned(array("H", [0, 2]), {1}, 4)) == [2, 3]  # (past the end: version 1)
    assert list(_versioned(array("H"), {2}, 3)) == []
