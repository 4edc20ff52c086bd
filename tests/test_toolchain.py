"""Toolchain provenance: bitcode identification, ELF .comment, Rich headers, COFF/LTCG, ar, Mach-O."""

import functools
import json
import os
import shutil
import struct
import subprocess

import pytest

from tests.archives import (entry, gcc_object, make_ar, make_bitcode, make_coff, make_ltcg, make_macho_with_tools,
                            make_pe_with_rich, python_json, write_archive)
from tests.conftest import plain, real_archive
from distscope.tui.session import analysers as default_analysers
from distscope.tui.archive.index import scan
from distscope.tui.meta import ar, bitcode, coff
from distscope.tui.meta.toolchain import ToolchainScan, elf_comment, macho_tools, parse_comment
from distscope.tui.meta.toolchain import summarize as _summarize
from distscope.tui.session import build_report, to_markdown, to_text


def summarize(*args):
    """The section as plain data (the JSON contract's keys)."""
    return plain(_summarize(*args))


# -- readers ----------------------------------------------------------------------------------

@pytest.mark.parametrize("abbreviated", [True, False])
def test_bitcode_producer(abbreviated):
    info = bitcode.producer(make_bitcode("LLVM22.1.3", abbreviated))
    assert info == {"producer": "LLVM22.1.3", "epoch": 0, "llvm_version": "22.1.3"}


def test_bitcode_wrapper_and_damage():
    inner = make_bitcode("LLVM14.0.6")
    wrapped = struct.pack("<5I", 0x0B17C0DE, 0, 20, len(inner), 7) + inner
    assert bitcode.producer(wrapped)["llvm_version"] == "14.0.6"
    assert bitcode.producer(b"not bitcode") is None
    for cut in (4, 6, 10, 20):
        assert bitcode.producer(inner[:cut])["producer"] in (None, "LLVM14.0.6")
    assert bitcode.producer(b"BC\xc0\xde" + b"\xff" * 64)["producer"] is None


def test_bitcode_llvm_as(tmp_path):
    llvm_as = shutil.which("llvm-as")
    if not llvm_as:
        pytest.skip("llvm-as not installed")
    (tmp_path / "t.ll").write_text("define i32 @f() {\n  ret i32 1\n}\n")
    subprocess.run([llvm_as, str(tmp_path / "t.ll"), "-o", str(tmp_path / "t.bc")], check=True)
    info = bitcode.producer((tmp_path / "t.bc").read_bytes())
    assert info["producer"].startswith("LLVM") and info["llvm_version"]


def test_elf_comment_from_gcc():
    obj = gcc_object()
    if obj is None:
        pytest.skip("gcc not available")
    comments = elf_comment(obj)
    assert comments and comments[0].startswith("GCC:")
    tool, version, role = parse_comment(comments[0])
    assert tool == "GCC" and version and role == "compiler"


def test_elf_comment_hostile():
    assert elf_comment(b"\x7fELF" + b"\xff" * 100) == []
    assert elf_comment(b"\x7fELF\x02\x01" + b"\x00" * 58) == []
    obj = gcc_object()
    if obj is not None:
        for cut in (70, len(obj) // 2, len(obj) - 10):
            elf_comment(obj[:cut])


@pytest.mark.parametrize("text,expected", [
    ("GCC: (GNU) 15.2.0", ("GCC", "15.2.0", "compiler")),
    ("GCC: (Debian 12.2.0-14+deb12u1) 12.2.0", ("GCC", "12.2.0", "compiler")),
    ("clang version 22.1.1 (https://github.com/llvm/llvm-project abc)", ("clang", "22.1.1", "compiler")),
    ("Apple clang version 15.0.0 (clang-1500.3.9.4)", ("Apple clang", "15.0.0", "compiler")),
    ("Linker: LLD 22.1.1 (https://github.com/llvm/llvm-project abc)", ("LLD", "22.1.1", "linker")),
])
def test_parse_comment(text, expected):
    assert parse_comment(text) == expected


def test_rich_header_and_toolset():
    pe = make_pe_with_rich([(0x0102, 30154, 1), (0x0104, 30154, 10), (0x0093, 30729, 5), (0x0001, 0, 50)])
    entries = coff.rich_header(pe)
    assert entries == [(0x0102, 30154, 1), (0x0104, 30154, 10), (0x0093, 30729, 5), (0x0001, 0, 50)]
    assert coff.toolset(0x0102, 30154) == ("14.29", "VS2019 16.11")
    assert coff.toolset(0x0104, 27508) == ("14.20", "VS2019 16.0")
    assert coff.toolset(0x0093, 30729) == ("9.0", "VS2008")
    assert coff.toolset(0x0104, 100) is None
    assert coff.rich_header(b"MZ" + b"\x00" * 200) is None
    assert coff.rich_header(b"MZ" + b"\x00" * 100 + b"Rich" + b"\x01\x02\x03\x04") is None


def test_coff_objects():
    plain = coff.describe_object(make_coff(0x0104 << 16 | 30133))
    assert plain["kind"] == "coff" and plain["machine"] == "x86_64"
    assert plain["compilers"] == [{"product": "c", "build": 30133, "msvc": "14.29", "vs": "VS2019 16.11"}]
    ltcg = coff.describe_object(make_ltcg(0x0104 << 16 | 30154))
    assert ltcg["kind"] == "ltcg" and ltcg["toolset"] == "14.29.30133" and ltcg["machine"] == "x86_64"
    short_import = struct.pack("<HHHHIIHH", 0, 0xFFFF, 0, 0x8664, 0, 10, 0, 0) + b"f\x00x.dll\x00"
    assert coff.describe_object(short_import)["kind"] == "import"
    assert coff.describe_object(b"\x01\x02") is None


def test_ar_members():
    data = make_ar([("a_rather_long_object_name.o", make_bitcode()), ("b.obj", make_coff(0x0105 << 16 | 30133))])
    members = list(ar.members(data))
    assert [m[0] for m in members] == ["a_rather_long_object_name.o", "b.obj"]
    assert all(complete for _, _, complete in members)
    cut = list(ar.members(data[:len(data) - 20]))
    assert cut[-1][2] is False
    assert list(ar.members(b"!<arch>\n" + b"garbage" * 20)) == []


def test_macho_tools():
    data = make_macho_with_tools([(3, 1015 << 16 | 7 << 8), (1, 15 << 16)])
    assert macho_tools(data) == [("ld", "1015.7.0"), ("clang", "15.0.0")]
    assert macho_tools(data[:40]) == []


def test_analyser_survives_garbage():
    scanner = ToolchainScan()

    class M:
        def __init__(self, path, size):
            self.path, self.size = path, size

    for head in (b"\x7fELF" + os.urandom(200), b"MZ" + os.urandom(300), b"BC\xc0\xde" + os.urandom(50),
                 b"!<arch>\n" + os.urandom(100), b"\x00\x00\xff\xff" + os.urandom(40),
                 b"\xcf\xfa\xed\xfe" + os.urandom(60)):
        member = M("python/build/x.obj", len(head))
        if scanner.want(member, head):
            scanner.feed(member, head, True)
    json.dumps(plain(scanner.result()))


# -- end to end -------------------------------------------------------------------------------

def test_full_llvm_distribution(tmp_path):
    obj = gcc_object()
    entries = [entry("python/PYTHON.json", json.dumps(python_json(8))),
               entry("python/install/bin/python3", b"x"),
               entry("python/build/Objects/abstract.o", make_bitcode("LLVM22.1.3")),
               entry("python/build/lib/libssl.a", make_ar([("ssl_lib.o", make_bitcode("LLVM22.1.3"))]))]
    if obj:
        entries.append(entry("python/install/lib/libfoo.so", obj))
    index = scan(write_archive(tmp_path / "full.tar.zst", entries), default_analysers())
    data = summarize(index)
    assert "LLVM 22.1.3" in data["compilers"]
    assert data["build"]["llvm_bitcode_versions"] == ["22.1.3"]
    assert data["object_file_format"]["llvm_version"] == "22.1.3"
    assert data["build"]["objects"] == {"llvm-bitcode": 1, "static-lib": 1}
    assert any("LLVM 22" in a and "22.1.3" in a for a in data["advice"])
    assert data["findings"] == []
    if obj:
        assert any(c.startswith("GCC ") for c in data["binaries"]["compilers"])
    report = build_report(index)
    assert "Toolchain" in to_text(report) and "## Toolchain" in to_markdown(report)
    assert plain(report.toolchain)["compilers"] == data["compilers"]


def test_bitcode_version_mismatch(tmp_path):
    entries = [entry("python/PYTHON.json", json.dumps(python_json(8))),
               entry("python/build/Objects/abstract.o", make_bitcode("LLVM21.1.0"))]
    data = summarize(scan(write_archive(tmp_path / "m.tar.zst", entries), default_analysers()))
    assert [f["code"] for f in data["findings"]] == ["toolchain-bitcode-mismatch"]


def test_msvc_distribution(tmp_path):
    doc = python_json(7, target_triple="x86_64-pc-windows-msvc")
    doc["build_info"]["object_file_format"] = "coff"
    entries = [entry("python/PYTHON.json", json.dumps(doc)),
               entry("python/install/python.exe", make_pe_with_rich([(0x0102, 30154, 1), (0x0104, 30154, 9),
                                                                    (0x0093, 30729, 3)])),
               entry("python/build/core/a.obj", make_ltcg(0x0104 << 16 | 30154)),
               entry("python/build/lib/x.lib", make_ar([("x.obj", make_coff(0x0104 << 16 | 30133))]))]
    data = summarize(scan(write_archive(tmp_path / "w.tar.zst", entries), default_analysers()))
    assert data["compilers"][0] == "MSVC 14.29" and "MSVC 9.0" not in data["compilers"]
    assert data["linkers"] == ["MSVC 14.29"]
    assert data["build"]["msvc_ltcg_toolsets"] == ["14.29.30133"]
    assert any("/GL" in a and "14.29.30133" in a for a in data["advice"])


def test_real_windows():
    data = summarize(scan(real_archive("windows"), default_analysers()))
    assert data["compilers"][0] == "MSVC 14.29" and "MSVC 14.29" in data["linkers"]
    assert data["build"]["objects"]["coff-ltcg"] > 100
    assert data["build"]["msvc_ltcg_toolsets"] == ["14.29.30133"]


def test_real_linux():
    data = summarize(scan(real_archive("linux"), default_analysers()))
    assert "clang 22.1.1" in data["compilers"]
    assert data["build"]["objects"] == {}
    assert any("22.1.1" in a for a in data["advice"])  # lib/python3.13/config-*/python.o is bitcode


def test_report_text_wraps_advice(tmp_path):
    """Advice is wrapped at 80 columns with a hanging indent; markdown keeps it on one line."""
    doc = python_json(7, target_triple="x86_64-pc-windows-msvc")
    doc["build_info"]["object_file_format"] = "coff"
    entries = [entry("python/PYTHON.json", json.dumps(doc)),
               entry("python/build/core/a.obj", make_ltcg(0x0104 << 16 | 30154))]
    report = build_report(scan(write_archive(tmp_path / "w.tar.zst", entries), default_analysers()))
    text = to_text(report)
    section = text[text.index("Toolchain\n"):].split("\n\n")[0].splitlines()
    advice = [i for i, line in enumerate(section) if line.startswith("  advice: ")]
    assert advice and all(len(line) <= 80 for line in section)
    assert section[advice[0] + 1].startswith(" " * 10) and not section[advice[0] + 1].startswith(" " * 11)
    assert any(line.startswith("- ") and "/GL" in line and len(line) > 80 for line in to_markdown(report).splitlines())
