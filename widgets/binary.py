"""The binary view: for the one binary a person opens, the tables ``readelf -a`` or ``dumpbin``
would show, made by pyelftools (ELF) and pefile (PE) on demand, plus Mach-O load commands.
Each table scrolls and has a filter. Parsing runs in a worker (:meth:`MemberViewer.open_binary`);
this module's :func:`inspect_binary` has no Textual in it."""

from __future__ import annotations

import io
import posixpath
import struct
from dataclasses import dataclass, field
from typing import Callable

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Input, Static, TabbedContent, TabPane

from distscope.widgets.keyline import KeyLine
from distscope.tui.safetext import visible

#: Rows a table keeps (a binary with a million symbols stays usable; the title says so).
MAX_ROWS = 20_000


@dataclass
class Table:
    title: str
    columns: list[str]
    rows: list[tuple[str, ...]] = field(default_factory=list)
    note: str = ""

    def add(self, *cells) -> None:
        if len(self.rows) < MAX_ROWS:
            self.rows.append(tuple(visible(str(c)) for c in cells))
        elif not self.note:
            self.note = f"first {MAX_ROWS:,} rows"


def inspect_binary(data: bytes, path: str, find: Callable[[str], str | None]) -> list[Table] | None:
    """The tables for one binary, or None when it is not ELF, PE or Mach-O. ``find(path)``
    says where a path ends in the archive (links followed), or None when it is not there."""
    if data[:4] == b"\x7fELF":
        return elf_tables(data, path, find)
    if data[:2] == b"MZ":
        return pe_tables(data)
    if data[:4] in (b"\xfe\xed\xfa\xce", b"\xce\xfa\xed\xfe", b"\xfe\xed\xfa\xcf", b"\xcf\xfa\xed\xfe",
                    b"\xca\xfe\xba\xbe"):
        return macho_tables(data)
    return None


# -- ELF (pyelftools) ---------------------------------------------------------------------------
def elf_tables(data: bytes, path: str, find: Callable[[str], str | None]) -> list[Table]:
    from elftools.elf.dynamic import DynamicSection
    from elftools.elf.elffile import ELFFile
    from elftools.elf.gnuversions import GNUVerNeedSection, GNUVerSymSection
    from elftools.elf.sections import NoteSection, SymbolTableSection

    elf = ELFFile(io.BytesIO(data))
    header = Table("Header", ["field", "value"])
    for key in ("e_type", "e_machine", "e_version", "e_entry", "e_flags"):
        value = elf.header[key]
        header.add(key[2:], hex(value) if isinstance(value, int) else value)
    header.add("class", elf.elfclass)
    header.add("data", "little endian" if elf.little_endian else "big endian")
    header.add("OS/ABI", elf.header["e_ident"]["EI_OSABI"])

    sections = Table("Sections", ["#", "name", "type", "address", "offset", "size", "flags"])
    for i, sec in enumerate(elf.iter_sections()):
        sections.add(i, sec.name, sec["sh_type"], f"{sec['sh_addr']:#x}", f"{sec['sh_offset']:#x}",
                     f"{sec['sh_size']:#x}", _sh_flags(sec["sh_flags"]))
    segments = Table("Segments", ["type", "offset", "vaddr", "filesz", "memsz", "flags", "align"])
    for seg in elf.iter_segments():
        flags = seg["p_flags"]
        segments.add(seg["p_type"], f"{seg['p_offset']:#x}", f"{seg['p_vaddr']:#x}", f"{seg['p_filesz']:#x}",
                     f"{seg['p_memsz']:#x}",
                     ("R" if flags & 4 else "-") + ("W" if flags & 2 else "-") + ("X" if flags & 1 else "-"),
                     f"{seg['p_align']:#x}")

    dynamic = Table("Dynamic", ["tag", "value"])
    needed: list[str] = []
    search: list[str] = []
    for sec in elf.iter_sections():
        if isinstance(sec, DynamicSection):
            for tag in sec.iter_tags():
                name = tag.entry.d_tag
                value = _tag_value(tag)
                dynamic.add(str(name).replace("DT_", ""), value)
                if name == "DT_NEEDED":
                    needed.append(tag.needed)
                elif name in ("DT_RUNPATH", "DT_RPATH"):
                    search += [p for p in str(value).split(":") if p]
            break
    folder = posixpath.dirname(path)
    libraries = Table("Needed", ["library", "in the archive"])
    for lib in needed:
        libraries.add(lib, _resolve_needed(lib, folder, search, find))

    versions = Table("Versions", ["library", "version", "symbol"])
    exports = Table("Exports", ["symbol", "type", "bind", "version", "value", "size"])
    versym = next((s for s in elf.iter_sections() if isinstance(s, GNUVerSymSection)), None)
    verneed = next((s for s in elf.iter_sections() if isinstance(s, GNUVerNeedSection)), None)
    index_to_need: dict[int, tuple[str, str]] = {}
    if verneed is not None:
        for need, auxes in verneed.iter_versions():
            for aux in auxes:
                index_to_need[aux.entry["vna_other"]] = (need.name, aux.name)
    dynsym = elf.get_section_by_name(".dynsym")
    needs_rows: list[tuple[str, str, str]] = []
    if isinstance(dynsym, SymbolTableSection):
        for i, sym in enumerate(dynsym.iter_symbols()):
            if not sym.name:
                continue
            ndx = versym.get_symbol(i).entry["ndx"] if versym is not None and i < versym.num_symbols() else None
            ndx = ndx if isinstance(ndx, int) else None
            version = ""
            if ndx is not None and (ndx & 0x7FFF) in index_to_need:
                lib, version = index_to_need[ndx & 0x7FFF]
                if sym["st_shndx"] == "SHN_UNDEF":
                    needs_rows.append((lib, version, sym.name))
            if sym["st_shndx"] != "SHN_UNDEF" and sym["st_info"]["bind"] in ("STB_GLOBAL", "STB_WEAK"):
                exports.add(sym.name, str(sym["st_info"]["type"]).replace("STT_", ""),
                            str(sym["st_info"]["bind"]).replace("STB_", ""), version,
                            f"{sym['st_value']:#x}", sym["st_size"])
    for row in sorted(needs_rows):
        versions.add(*row)
    if not needs_rows and index_to_need:
        for lib, version in sorted(set(index_to_need.values())):
            versions.add(lib, version, "")

    notes = Table("Notes", ["section", "owner", "type", "description"])
    for sec in elf.iter_sections():
        if isinstance(sec, NoteSection):
            for note in sec.iter_notes():
                notes.add(sec.name, note["n_name"], note["n_type"], _note_desc(note))
    comment = Table(".comment", ["text"])
    sec = elf.get_section_by_name(".comment")
    if sec is not None:
        for part in sec.data().split(b"\0"):
            if part:
                comment.add(part.decode("utf-8", "replace"))
    return [header, libraries, versions, exports, dynamic, sections, segments, notes, comment]


_SH_FLAGS = ((0x1, "W"), (0x2, "A"), (0x4, "X"), (0x10, "M"), (0x20, "S"), (0x40, "I"), (0x80, "L"),
             (0x200, "G"), (0x400, "T"))


def _sh_flags(flags: int) -> str:
    return "".join(letter for bit, letter in _SH_FLAGS if flags & bit)


def _tag_value(tag) -> str:
    for attr in ("needed", "soname", "runpath", "rpath"):
        if hasattr(tag, attr):
            return str(getattr(tag, attr))
    value = tag.entry.d_val
    return f"{value:#x}" if isinstance(value, int) else str(value)


def _note_desc(note) -> str:
    desc = note["n_desc"]
    if note["n_type"] == "NT_GNU_BUILD_ID":
        return f"build-id {desc}"
    if note["n_type"] == "NT_GNU_ABI_TAG" and isinstance(desc, dict):
        return f"ABI tag {desc.get('abi_os')} {desc.get('abi_major')}.{desc.get('abi_minor')}.{desc.get('abi_tiny')}"
    if isinstance(desc, bytes):
        return desc.hex()
    return str(desc)


def _resolve_needed(lib: str, folder: str, search: list[str], find: Callable[[str], str | None]) -> str:
    """Where a DT_NEEDED name is found inside the archive, as the loader would look: the
    RUNPATH/RPATH entries that stay in the archive ($ORIGIN), then the binary's own folder."""
    if "/" in lib:
        here = lib.replace("${ORIGIN}", folder).replace("$ORIGIN", folder)
        candidates = [posixpath.normpath(here if here != lib else posixpath.join(folder, lib))]
    else:
        dirs = [d.replace("${ORIGIN}", folder).replace("$ORIGIN", folder) for d in search
                if d.startswith(("$ORIGIN", "${ORIGIN}"))]
        candidates = [posixpath.normpath(posixpath.join(d, lib)) for d in [*dirs, folder]]
    for candidate in candidates:
        final = find(candidate)
        if final is not None:
            return final if final == candidate else f"{candidate} -> {final}"
    return "not in the archive (a system library?)"


# -- PE (pefile) ----------------------------------------------------------------------------------
def pe_tables(data: bytes) -> list[Table]:
    import pefile

    pe = pefile.PE(data=data, fast_load=True)
    pe.parse_data_directories(directories=[pefile.DIRECTORY_ENTRY[d] for d in (
        "IMAGE_DIRECTORY_ENTRY_IMPORT", "IMAGE_DIRECTORY_ENTRY_EXPORT", "IMAGE_DIRECTORY_ENTRY_RESOURCE",
        "IMAGE_DIRECTORY_ENTRY_DELAY_IMPORT")])
    header = Table("Header", ["field", "value"])
    fh, oh = pe.FILE_HEADER, pe.OPTIONAL_HEADER
    header.add("machine", pefile.MACHINE_TYPE.get(fh.Machine, hex(fh.Machine)))
    header.add("timestamp", fh.TimeDateStamp)
    header.add("characteristics", ", ".join(n for n, v in pefile.image_characteristics if fh.Characteristics & v))
    header.add("subsystem", pefile.SUBSYSTEM_TYPE.get(oh.Subsystem, oh.Subsystem))
    header.add("linker", f"{oh.MajorLinkerVersion}.{oh.MinorLinkerVersion}")
    header.add("OS version", f"{oh.MajorOperatingSystemVersion}.{oh.MinorOperatingSystemVersion}")
    header.add("subsystem version", f"{oh.MajorSubsystemVersion}.{oh.MinorSubsystemVersion}")
    header.add("DLL characteristics",
               ", ".join(n for n, v in pefile.dll_characteristics if oh.DllCharacteristics & v))
    imports = Table("Imports", ["DLL", "function", "kind"])
    for kind, attr in (("import", "DIRECTORY_ENTRY_IMPORT"), ("delay", "DIRECTORY_ENTRY_DELAY_IMPORT")):
        for entry in getattr(pe, attr, []) or []:
            dll = entry.dll.decode("utf-8", "replace")
            for imp in entry.imports:
                name = imp.name.decode("utf-8", "replace") if imp.name else f"ordinal {imp.ordinal}"
                imports.add(dll, name, kind)
    exports = Table("Exports", ["ordinal", "name", "address"])
    export_dir = getattr(pe, "DIRECTORY_ENTRY_EXPORT", None)
    if export_dir is not None:
        for sym in export_dir.symbols:
            name = sym.name.decode("utf-8", "replace") if sym.name else ""
            exports.add(sym.ordinal, name, f"{sym.address:#x}")
    version = Table("Version", ["key", "value"])
    for info in getattr(pe, "FileInfo", None) or []:
        for item in info:
            for table in getattr(item, "StringTable", []) or []:
                for key, value in table.entries.items():
                    version.add(key.decode("utf-8", "replace"), value.decode("utf-8", "replace"))
    rich = Table("Rich header", ["product id", "build", "count"])
    parsed = pe.parse_rich_header()
    if parsed:
        values = parsed.get("values") or []
        for comp, count in zip(values[::2], values[1::2]):
            rich.add(comp >> 16, comp & 0xFFFF, count)
    sections = Table("Sections", ["name", "virtual address", "virtual size", "raw size", "characteristics"])
    for sec in pe.sections:
        sections.add(sec.Name.rstrip(b"\0").decode("utf-8", "replace"), f"{sec.VirtualAddress:#x}",
                     f"{sec.Misc_VirtualSize:#x}", f"{sec.SizeOfRawData:#x}", f"{sec.Characteristics:#x}")
    return [header, imports, exports, version, rich, sections]


# -- Mach-O (own small reader, as in the analysis) --------------------------------------------------
LOAD_COMMANDS = {0x1: "SEGMENT", 0x2: "SYMTAB", 0xB: "DYSYMTAB", 0xC: "LOAD_DYLIB", 0xD: "ID_DYLIB",
                 0xE: "LOAD_DYLINKER", 0x19: "SEGMENT_64", 0x1B: "UUID", 0x1D: "CODE_SIGNATURE",
                 0x1E: "SEGMENT_SPLIT_INFO", 0x22: "DYLD_INFO", 0x80000022: "DYLD_INFO_ONLY",
                 0x80000018: "LOAD_WEAK_DYLIB", 0x8000001C: "RPATH", 0x8000001F: "REEXPORT_DYLIB",
                 0x80000028: "MAIN", 0x24: "VERSION_MIN_MACOSX", 0x26: "FUNCTION_STARTS",
                 0x29: "DATA_IN_CODE", 0x2A: "SOURCE_VERSION", 0x32: "BUILD_VERSION",
                 0x80000033: "DYLD_EXPORTS_TRIE", 0x80000034: "DYLD_CHAINED_FIXUPS", 0x2B: "DYLIB_CODE_SIGN_DRS",
                 0x2E: "LINKER_OPTIMIZATION_HINT", 0x1A: "TWOLEVEL_HINTS", 0x20: "LAZY_LOAD_DYLIB",
                 0x80000023: "LOAD_UPWARD_DYLIB", 0x2C: "ENCRYPTION_INFO_64"}
_NAMED_AT = {0xC: 8, 0xD: 8, 0xE: 8, 0x80000018: 8, 0x8000001C: 8, 0x8000001F: 8, 0x20: 8, 0x80000023: 8}


def macho_tables(data: bytes) -> list[Table]:
    from distscope.tui.analysis.macho import parse_macho

    summary = parse_macho(data)
    tables: list[Table] = []
    offsets = [0]
    if summary.get("fat"):
        (count,) = struct.unpack_from(">I", data, 4)
        offsets = [struct.unpack_from(">iiIII", data, 8 + 20 * i)[2] for i in range(count)]
    for n, base in enumerate(offsets):
        thin = summary["slices"][n]
        table = Table(f"Load commands ({thin['cpu']})" if len(offsets) > 1 else "Load commands",
                      ["#", "command", "size", "detail"])
        magic = data[base:base + 4]
        end = "<" if magic in (b"\xce\xfa\xed\xfe", b"\xcf\xfa\xed\xfe") else ">"
        header = 32 if magic in (b"\xfe\xed\xfa\xcf", b"\xcf\xfa\xed\xfe") else 28
        ncmds, _size = struct.unpack_from(end + "II", data, base + 16)
        pos = base + header
        for i in range(min(ncmds, 10_000)):
            if pos + 8 > len(data):
                break
            cmd, size = struct.unpack_from(end + "II", data, pos)
            if size < 8:
                break
            table.add(i, LOAD_COMMANDS.get(cmd, f"{cmd:#x}"), size, _lc_detail(data, pos, cmd, size, end))
            pos += size
        tables.append(table)
        dylibs = Table("Dylibs", ["library", "kind", "compatibility", "current"])
        for d in thin["dylibs"]:
            dylibs.add(d["name"], d["kind"], d["compat"], d["current"])
        tables.append(dylibs)
    return tables


def _lc_detail(data: bytes, pos: int, cmd: int, size: int, end: str) -> str:
    if cmd in _NAMED_AT:
        (off,) = struct.unpack_from(end + "I", data, pos + 8)
        raw = data[pos + off:pos + size]
        return raw.split(b"\0", 1)[0].decode("utf-8", "replace")
    if cmd in (0x1, 0x19):
        return data[pos + 8:pos + 24].split(b"\0", 1)[0].decode("utf-8", "replace")
    if cmd == 0x1B:
        return data[pos + 8:pos + 24].hex()
    return ""


# -- the screen ---------------------------------------------------------------------------------
class BinaryScreen(Screen):
    """The tables of one binary, one tab each, with a filter over the table shown."""

    DEFAULT_CSS = """
    BinaryScreen > #bin-title { height: 1; padding: 0 1; background: $panel; text-style: bold;
                                text-wrap: nowrap; text-overflow: ellipsis; }
    BinaryScreen > Input { height: 1; border: none; padding: 0 1; background: $boost; }
    BinaryScreen DataTable { height: 1fr; }
    BinaryScreen > TabbedContent { height: 1fr; }
    """
    BINDINGS = [
        Binding("escape", "close", "Back"),
        Binding("f,slash", "filter", "Filter"),
        Binding("left_square_bracket", "tab(-1)", "Prev table"),
        Binding("right_square_bracket", "tab(1)", "Next table"),
    ]

    def __init__(self, path: str, tables: list[Table]) -> None:
        super().__init__()
        self.path = path
        self.tables = tables

    def compose(self) -> ComposeResult:
        yield Static(f"{visible(self.path)}  (Esc: back, f: filter, [ ]: tables)", id="bin-title")
        yield Input(placeholder="filter the table (any column, case-insensitive)", id="bin-filter")
        with TabbedContent(id="bin-tabs"):
            for i, table in enumerate(self.tables):
                title = f"{table.title} {len(table.rows):,}" if table.rows else table.title
                with TabPane(title, id=f"bin-{i}"):
                    yield DataTable(cursor_type="row", zebra_stripes=True, id=f"bin-table-{i}")
        yield KeyLine()

    def on_mount(self) -> None:
        for i in range(len(self.tables)):
            self._fill(i, "")
        self.query_one("#bin-table-0", DataTable).focus()

    def _fill(self, i: int, query: str) -> None:
        table = self.tables[i]
        widget = self.query_one(f"#bin-table-{i}", DataTable)
        widget.clear(columns=True)
        widget.add_columns(*table.columns)
        q = query.lower()
        rows = [r for r in table.rows if not q or any(q in c.lower() for c in r)]
        widget.add_rows(rows)
        if not rows:
            widget.add_row(*(["no match" if q else "(none)"] + [""] * (len(table.columns) - 1)))

    def _active(self) -> int:
        active = self.query_one("#bin-tabs", TabbedContent).active or "bin-0"
        return int(active.rpartition("-")[2])

    def action_filter(self) -> None:
        from distscope.widgets.common import focus_now

        focus_now(self.query_one("#bin-filter", Input))

    @on(Input.Changed, "#bin-filter")
    def _filtered(self, event: Input.Changed) -> None:
        self._fill(self._active(), event.value)

    @on(Input.Submitted, "#bin-filter")
    def _submitted(self, event: Input.Submitted) -> None:
        self.query_one(f"#bin-table-{self._active()}", DataTable).focus()

    @on(TabbedContent.TabActivated, "#bin-tabs")
    def _tab(self, event: TabbedContent.TabActivated) -> None:
        self._fill(self._active(), self.query_one("#bin-filter", Input).value)
        self.query_one(f"#bin-table-{self._active()}", DataTable).focus()

    def action_tab(self, step: int) -> None:
        tabs = self.query_one("#bin-tabs", TabbedContent)
        tabs.active = f"bin-{(self._active() + step) % len(self.tables)}"

    def action_close(self) -> None:
        box = self.query_one("#bin-filter", Input)
        if box.has_focus and box.value:
            box.value = ""
            return
        self.dismiss()

    @property
    def plain(self) -> str:
        """The active table's rows as text (for tests)."""
        widget = self.query_one(f"#bin-table-{self._active()}", DataTable)
        return "\n".join("  ".join(str(c) for c in widget.get_row_at(i)) for i in range(widget.row_count))

    def describe(self) -> Text:
        return Text(", ".join(t.title for t in self.tables))
