"""PE analysis with pefile: machine, imports and delay-load imports, OS/subsystem versions."""

from __future__ import annotations

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


def _name(raw) -> str:
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
        details = PeDetails(
            bits=64 if opt.Magic == 0x20B else 32,
            type="dll" if is_dll else "exe",
            subsystem=SUBSYSTEMS.get(opt.Subsystem, f"subsystem-{opt.Subsystem}"),
            os_version=f"{opt.MajorOperatingSystemVersion}.{opt.MinorOperatingSystemVersion}",
            subsystem_version=f"{opt.MajorSubsystemVersion}.{opt.MinorSubsystemVersion}",
            imports=imports, delay_imports=delay)
        return Binary("", "pe", needs=_unique(imports + delay),
                      machine=MACHINES.get(fh.Machine, f"machine-{fh.Machine:#x}"), details=details)
    finally:
        # Not pe.close(): with in-memory data there is nothing to release, and close() runs a
        # full gc.collect() (a second per 30 images on a big archive).
        pe.__data__ = b""


def _check_tables(pe, opt) -> None:
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
