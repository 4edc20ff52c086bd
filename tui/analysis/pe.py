"""PE analysis with pefile: machine, imports and delay-load imports, OS/subsystem versions."""

from __future__ import annotations

import struct
from typing import Any

import pefile

from distscope.tui.model.binaries import Binary, PeDetails

MACHINES = {0x14C: "i686", 0x8664: "x86_64", 0xAA64: "aarch64", 0x1C4: "armv7", 0x200: "ia64",
            0xA641: "arm64ec"}
SUBSYSTEMS = {1: "native", 2: "gui", 3: "console", 9: "windows-ce", 10: "efi-application",
              14: "xbox"}
_DIRECTORIES = [pefile.DIRECTORY_ENTRY["IMAGE_DIRECTORY_ENTRY_IMPORT"],
                pefile.DIRECTORY_ENTRY["IMAGE_DIRECTORY_ENTRY_DELAY_IMPORT"]]


class PeReadError(ValueError):
    """The data is not a readable PE image."""


def _name(raw: Any) -> str:
    return raw.decode("ascii", "replace") if isinstance(raw, bytes) else str(raw)


def parse_pe(data: bytes) -> Binary:
    """Everything distscope needs from one PE image, as a :class:`Binary` without path and size.
    Raises :class:`PeReadError`."""
    try:
        pe = pefile.PE(data=data, fast_load=True)
    except pefile.PEFormatError as exc:
        raise PeReadError(f"unreadable PE ({exc.value if hasattr(exc, 'value') else exc})") from None
    except Exception as exc:  # pefile raises assorted errors on hostile input
        raise PeReadError(f"unreadable PE ({type(exc).__name__}: {exc})") from None
    try:
        try:
            pe.parse_data_directories(directories=_DIRECTORIES, import_dllnames_only=True)
        except Exception as exc:
            raise PeReadError(f"unreadable PE import tables ({type(exc).__name__}: {exc})") from None
        fh, opt = pe.FILE_HEADER, pe.OPTIONAL_HEADER
        _check_tables(pe, opt)
        imports = [_name(e.dll) for e in getattr(pe, "DIRECTORY_ENTRY_IMPORT", []) if e.dll]
        delay = [_name(e.dll) for e in getattr(pe, "DIRECTORY_ENTRY_DELAY_IMPORT", []) if e.dll]
        is_dll = bool(fh.Characteristics & 0x2000)
        forwards = _forwarded_dlls(pe, opt) if is_dll else {}
        details = PeDetails(
            bits=64 if opt.Magic == 0x20B else 32,
            type="dll" if is_dll else "exe",
            subsystem=SUBSYSTEMS.get(opt.Subsystem, f"subsystem-{opt.Subsystem}"),
            os_version=f"{opt.MajorOperatingSystemVersion}.{opt.MinorOperatingSystemVersion}",
            subsystem_version=f"{opt.MajorSubsystemVersion}.{opt.MinorSubsystemVersion}",
            imports=imports, delay_imports=delay, forwards=forwards,
            linker_version=f"{opt.MajorLinkerVersion}.{opt.MinorLinkerVersion}")
        return Binary("", "pe", needs=_unique(imports + delay + list(forwards)),
                      machine=MACHINES.get(fh.Machine, f"machine-{fh.Machine:#x}"), details=details)
    finally:
        # Not pe.close(): with in-memory data there is nothing to release, and close() runs a
        # full gc.collect() (a second per 30 images on a big archive).
        pe.__data__ = b""


_MAX_EXPORTS = 1 << 16


def _forwarded_dlls(pe: Any, opt: Any) -> dict[str, int]:
    """DLL -> number of exports forwarded to it (``python3.dll`` forwards its stable ABI to
    ``python3XY.dll``): an export whose address lies inside the export directory is a
    ``"DLL.name"`` string, and the loader loads that DLL to bind it."""
    if not opt.DATA_DIRECTORY or not opt.DATA_DIRECTORY[0].VirtualAddress:
        return {}
    start, size = opt.DATA_DIRECTORY[0].VirtualAddress, opt.DATA_DIRECTORY[0].Size
    try:
        head = pe.get_data(start, 40)
        if len(head) < 40:
            return {}
        count, table = struct.unpack_from("<I", head, 20)[0], struct.unpack_from("<I", head, 28)[0]
        raw = pe.get_data(table, 4 * min(count, _MAX_EXPORTS))
        out: dict[str, int] = {}
        for (rva,) in struct.iter_unpack("<I", raw[:len(raw) - len(raw) % 4]):
            if start <= rva < start + size:
                text = pe.get_data(rva, 256).split(b"\0", 1)[0].decode("ascii", "replace")
                dll, dot, _name = text.rpartition(".")
                if dot and dll:
                    name = dll if dll.lower().endswith((".dll", ".drv")) else f"{dll}.dll"
                    out[name] = out.get(name, 0) + 1
        return out
    except Exception:  # pefile raises assorted errors on hostile input; forwarders are optional
        return {}


def _check_tables(pe: Any, opt: Any) -> None:
    """An import table the headers announce but that could not be read means a broken image."""
    for index, attr in zip(_DIRECTORIES, ("DIRECTORY_ENTRY_IMPORT", "DIRECTORY_ENTRY_DELAY_IMPORT")):
        if index >= len(opt.DATA_DIRECTORY):
            continue
        entry = opt.DATA_DIRECTORY[index]
        if entry.VirtualAddress and entry.Size and not hasattr(pe, attr):
            try:
                offset = pe.get_offset_from_rva(entry.VirtualAddress)
            except Exception:
                offset = None
            if offset is None or offset >= len(pe.__data__):
                raise PeReadError("truncated PE: the import table lies outside the file")


def _unique(names: list[str]) -> list[str]:
    seen, out = set(), []
    for name in names:
        if name.lower() not in seen:
            seen.add(name.lower())
            out.append(name)
    return out
