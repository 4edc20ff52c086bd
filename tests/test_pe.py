"""PE analysis with pefile on synthetic images, and hostile input."""

from __future__ import annotations

import pytest

from tests.mutations import mutations
from distscope.tui.analysis.pe import PeReadError
from distscope.tui.analysis.pe import parse_pe as _parse_pe
from tests.conftest import plain
from distscope.tui.synth import make_pe


def parse_pe(*args):
    """The model's record as plain data (the JSON contract's keys)."""
    return plain(_parse_pe(*args))


def test_imports_delay_imports_and_headers():
    info = parse_pe(make_pe(imports={"KERNEL32.dll": ["GetProcAddress"], "python312.dll": []},
                            delay_imports=["WS2_32.dll"], subsystem="gui", os_version=(6, 2),
                            subsystem_version=(6, 1), dll=True))
    assert info["format"] == "pe" and info["machine"] == "x86_64" and info["bits"] == 64
    assert info["type"] == "dll" and info["subsystem"] == "gui"
    assert info["imports"] == ["KERNEL32.dll", "python312.dll"]
    assert info["delay_imports"] == ["WS2_32.dll"]
    assert info["needs"] == ["KERNEL32.dll", "python312.dll", "WS2_32.dll"]
    assert info["os_version"] == "6.2" and info["subsystem_version"] == "6.1"


@pytest.mark.parametrize("machine,name,bits", [("i386", "i686", 32), ("arm64", "aarch64", 64)])
def test_machines(machine, name, bits):
    info = parse_pe(make_pe(imports=["KERNEL32.dll"], machine=machine))
    assert (info["machine"], info["bits"], info["type"], info["subsystem"]) == (name, bits, "exe", "console")


def test_no_imports():
    assert parse_pe(make_pe())["needs"] == []


def test_hostile_input():
    data = make_pe(imports={"KERNEL32.dll": ["ExitProcess"]}, delay_imports=["USER32.dll"])
    for cut in (0, 2, 0x40, 0x90, 0x150):
        with pytest.raises(PeReadError):
            parse_pe(data[:cut])
    bad_offset = bytearray(data)
    bad_offset[0x3C:0x40] = (0x7FFFFFF0).to_bytes(4, "little")
    with pytest.raises(PeReadError):
        parse_pe(bytes(bad_offset))
    for mutated in mutations(data, seed=3, count=200, flips=6):
        try:
            info = parse_pe(mutated)
        except PeReadError:
            continue
        assert isinstance(info["needs"], list)
