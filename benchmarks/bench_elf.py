#!/usr/bin/env python3
"""Benchmark the ELF reader on every ELF member of an archive: the reader as the pass runs it,
against the same reader with the per-symbol loop it replaced (kept below as the reference), and
against pyelftools reading the same symbol fields. Run by hand, never from the tests::

    python benchmarks/bench_elf.py                       # the bench_index.py archive
    python benchmarks/bench_elf.py --archive FILE        # any archive

Prints CPU time (``time.thread_time``, best of ``--repeat``) and ratios; the outputs of the two
readers are compared first (they must be equal).
"""

from __future__ import annotations

import argparse
import struct
import sys
from array import array
from pathlib import Path
from typing import Any, Callable

HERE = Path(__file__).resolve().parent


def per_symbol(image: Any, bits: int, dynsym: Any, versym: Any, dynstr: Any, index_names: dict[int, str],
               out: dict[str, Any]) -> None:
    """The reference: the symbol table read one symbol at a time (the reader before it read columns)."""
    from distscope.tui.analysis import elf

    end = image.end
    fmt = end + ("IBBH16x" if bits == 64 else "I8xBBH")
    size = struct.calcsize(fmt)
    start, length = dynsym.offset, min(dynsym.size, max(0, image.size - dynsym.offset))
    length = min(length, elf.MAX_SYMBOLS * size)
    raw = image.read(start, length - length % size)
    strings = image.strings(dynstr.offset, dynstr.offset + dynstr.size)
    data, str_end = strings.data, len(strings.data)
    versions = None
    if versym is not None:
        vraw = image.read(versym.offset, versym.size)
        versions = array("H", vraw[:len(vraw) - len(vraw) % 2])
        if (end == "<") != (sys.byteorder == "little"):
            versions.byteswap()
    target = f"GLIBC_{out['glibc_max']}" if out["glibc_max"] else None
    wanted = {i for i, n in index_names.items() if n == target}
    listed: list[str] = []
    banned: set[str] = set()
    exported: set[str] = set()
    n_exported = n_undefined = 0
    for i, (name_off, info, other, shndx) in enumerate(struct.iter_unpack(fmt, raw)):
        if not name_off:
            continue
        if shndx != 0:
            if info >> 4 in (1, 2) and other & 3 == 0:
                n_exported += 1
                nul = data.find(b"\0", name_off, min(str_end, name_off + elf._WATCHED_LEN))
                name = data[name_off:nul] if nul >= 0 else b""
                if name in elf._WATCHED:
                    exported.add(name.decode())
            continue
        if info >> 4 == 1:
            n_undefined += 1
        idx = (versions[i] & 0x7FFF) if versions is not None and i < len(versions) else 1
        if name_off >= str_end:
            continue
        for banned_name in elf._BANNED_BYTES:
            if data.startswith(banned_name, name_off):
                banned.add(banned_name[:-1].decode())
        if idx in wanted and len(listed) < elf._MAX_SYMBOLS_LISTED:
            stop = min(str_end, name_off + elf.MAX_STRING)
            nul = data.find(b"\0", name_off, stop)
            listed.append(data[name_off:nul if nul >= 0 else stop].decode("utf-8", "replace"))
    out["glibc_symbols"] = sorted(listed)
    out["banned_symbols"] = sorted(banned)
    out["exported_dependency_symbols"] = sorted(exported & elf.DEPENDENCY_SYMBOLS)
    out["exports_python_api"] = sorted(exported & elf.PYTHON_API_SYMBOLS)
    out["exported_count"] = n_exported
    out["undefined_count"] = n_undefined


def pyelftools_symbols(data: bytes) -> int:
    """pyelftools walking the same table (the library baseline): symbols seen."""
    import io

    from elftools.elf.elffile import ELFFile

    elf = ELFFile(io.BytesIO(data))
    dynsym = elf.get_section_by_name(".dynsym")
    seen = 0
    for sym in dynsym.iter_symbols() if dynsym is not None else ():
        seen += bool(sym.name) + (sym.entry["st_shndx"] == "SHN_UNDEF")
    return seen


def elf_members(archive: Path) -> list[bytes]:
    from distscope.tui.archive.index import scan
    from distscope.tui.archive.plugin import ALL, Analyser

    class Grab(Analyser):
        name = "grab"

        def __init__(self) -> None:
            self.blobs: list[bytes] = []

        def want(self, member: Any, head: bytes) -> int:
            return ALL if head.startswith(b"\x7fELF") else 0

        def feed(self, member: Any, data: bytes, complete: bool) -> None:
            self.blobs.append(bytes(data))

    grab = Grab()
    scan(archive, [grab])
    return grab.blobs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--archive", type=Path, help="archive to read (default: the bench_index.py archive)")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    sys.path.insert(0, str(HERE))
    from bench_index import build_archive, thread_cpu as cpu

    from distscope.tui.analysis import elf

    archive = args.archive or build_archive("interp.tar.zst", ["-3"])
    blobs = elf_members(archive)
    columns = elf._read_symbols
    read_all = lambda: [_parse(b) for b in blobs]  # noqa: E731
    fast = read_all()
    elf._read_symbols = per_symbol  # type: ignore[assignment]
    try:
        slow = read_all()
        assert fast == slow, "the column reader and the per-symbol reference disagree"
        reference = cpu(read_all, args.repeat)
        calls = _symbol_calls(blobs, per_symbol)
        reference_symbols = cpu(lambda: [per_symbol(*a) for a in calls], args.repeat)
    finally:
        elf._read_symbols = columns
    now = cpu(read_all, args.repeat)
    now_symbols = cpu(lambda: [columns(*a) for a in calls], args.repeat)
    library = cpu(lambda: [pyelftools_symbols(b) for b in blobs], 1)
    symbols = sum(o.get("exported_count") or 0 for o in fast) + sum(o.get("undefined_count") or 0 for o in fast)
    print(f"{archive.name}: {len(blobs)} ELF members, {sum(map(len, blobs)) / 1e6:.0f} MB, "
          f"{symbols:,} exported + undefined dynamic symbols\n")
    print("| reading every ELF member (CPU) | time | vs per-symbol reader |")
    print("|---|---|---|")
    print(f"| whole reader, per-symbol loop (reference) | {reference * 1000:.0f} ms | 1.00x |")
    print(f"| whole reader, symbol table by columns (now) | {now * 1000:.0f} ms | {now / reference:.2f}x |")
    print(f"| symbol table only, per-symbol loop | {reference_symbols * 1000:.0f} ms | 1.00x |")
    print(f"| symbol table only, by columns | {now_symbols * 1000:.0f} ms | {now_symbols / reference_symbols:.2f}x |")
    print(f"| pyelftools, walking the same symbols (once) | {library * 1000:.0f} ms | {library / reference:.1f}x |")


def _parse(blob: bytes) -> dict[str, Any]:
    from distscope.tui.analysis import elf

    try:
        return elf._parse(elf.as_segments(blob))
    except (elf.ElfReadError, ValueError, struct.error):
        return {}


def _symbol_calls(blobs: list[bytes], reader: Callable[..., None]) -> list[tuple[Any, ...]]:
    """The arguments of each binary's symbol-table read, captured by parsing once with ``reader``."""
    from distscope.tui.analysis import elf

    calls: list[tuple[Any, ...]] = []
    keep = elf._read_symbols

    def capture(*args: Any) -> None:
        calls.append(args[:-1] + (dict(args[-1]),))
        reader(*args)

    elf._read_symbols = capture  # type: ignore[assignment]
    try:
        for blob in blobs:
            try:
                elf._parse(elf.as_segments(blob))
            except Exception:
                pass
    finally:
        elf._read_symbols = keep
    return calls


if __name__ == "__main__":
    main()
