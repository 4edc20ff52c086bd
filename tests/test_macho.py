"""The Mach-O reader: thin and fat images, load command kinds, versions, hostile input."""

from __future__ import annotations

import pytest

from tests.mutations import mutations
from distscope.tui.analysis.binaries import parse_binary as _parse_binary
from tests.conftest import plain
from distscope.tui.analysis.macho import MachOError, parse_macho
from distscope.tui.synth import make_macho


def parse_binary(*args):
    """The model's record as plain data (the JSON contract's keys)."""
    return plain(_parse_binary(*args))


def test_thin_executable():
    data = make_macho(dylibs=["@executable_path/../lib/libpython3.12.dylib", "/usr/lib/libSystem.B.dylib"],
                      rpaths=["@loader_path/../lib"], minos="10.15", sdk="14.2")
    parsed = parse_macho(data)
    assert not parsed["fat"]
    image = parsed["slices"][0]
    assert image["cpu"] == "x86_64" and image["filetype"] == "execute" and image["twolevel"]
    assert [d["name"] for d in image["dylibs"]] == ["@executable_path/../lib/libpython3.12.dylib",
                                                    "/usr/lib/libSystem.B.dylib"]
    assert image["rpaths"] == ["@loader_path/../lib"]
    assert (image["minos"], image["sdk"], image["platform"]) == ("10.15", "14.2", "macos")


def test_dylib_kinds_and_version_min():
    data = make_macho(filetype="dylib", install_name="@rpath/libfoo.dylib", version_min=True, minos="10.9",
                      sdk="10.15", dylibs=[{"name": "/usr/lib/libz.1.dylib", "kind": "weak", "compat": "1.0.0"},
                                           {"name": "@rpath/libbar.dylib", "kind": "reexport"},
                                           {"name": "/usr/lib/libobjc.A.dylib", "kind": "lazy"},
                                           {"name": "/usr/lib/libedit.3.dylib", "kind": "upward", "compat": "2.0.0"}])
    image = parse_macho(data)["slices"][0]
    assert image["install_name"] == "@rpath/libfoo.dylib" and image["filetype"] == "dylib"
    assert [d["kind"] for d in image["dylibs"]] == ["weak", "reexport", "lazy", "upward"]
    assert image["dylibs"][3]["compat"] == "2.0.0"
    assert (image["minos"], image["sdk"]) == ("10.9", "10.15")


def test_fat_binary_record():
    record = parse_binary(make_macho(fat=True, minos="11.0", dylibs=["/usr/lib/libSystem.B.dylib"]), "macho")
    assert record["fat"] and record["arches"] == ["x86_64", "aarch64"]
    assert record["machine"] == "x86_64" and record["needs"] == ["/usr/lib/libSystem.B.dylib"]
    assert record["minos"] == "11.0"


def test_hostile_input():
    data = make_macho(dylibs=["/usr/lib/libSystem.B.dylib"], rpaths=["@loader_path"])
    for cut in (0, 3, 10, 40, 70):
        with pytest.raises(MachOError):
            parse_macho(data[:cut])
    assert parse_binary(data[:40], "macho")["error"]
    with pytest.raises(MachOError):
        parse_macho(b"\xca\xfe\xba\xbe\x00\x00\x00\x02" + b"\x00" * 40)
    for mutated in mutations(data[:512], seed=5, count=300, flips=4):
        try:
            parse_macho(mutated)
        except MachOError:
            pass
