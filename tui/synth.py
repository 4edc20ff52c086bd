"""Writers of minimal but valid ELF, PE and Mach-O binaries (pure Python, no compiler).

They carry only what dependency analysis reads: ELF dynamic section, version needs, undefined
symbols and ``.comment``; PE import and delay-import tables and header versions; Mach-O load
commands. Tests and the app's demo distribution build fixtures with them; pyelftools, pefile and
:mod:`distscope.tui.analysis.macho` parse the results.
"""

from __future__ import annotations

import struct

__all__ = ["make_elf", "make_pe", "make_macho", "ELF_MACHINES"]

# --------------------------------------------------------------------------------------- ELF
#: machine name -> (e_machine, ELF class bits, little endian)
ELF_MACHINES = {
    "x86_64": (62, 64, True), "aarch64": (183, 64, True), "i386": (3, 32, True), "i686": (3, 32, True),
    "arm": (40, 32, True), "armv7": (40, 32, True), "riscv64": (243, 64, True), "ppc64le": (21, 64, True),
    "s390x": (22, 64, False), "mips": (8, 32, False), "mipsel": (8, 32, True), "mips64el": (8, 64, True),
}
_ISA_BITS = {1: 1, 2: 2, 3: 4, 4: 8}  # x86-64 baseline, v2, v3, v4 -> GNU_PROPERTY_X86_ISA_1_NEEDED bit


def _elf_hash(name: bytes) -> int:
    h = 0
    for c in name:
        h = ((h << 4) + c) & 0xFFFFFFFF
        g = h & 0xF0000000
        if g:
            h ^= g >> 24
        h &= ~g & 0xFFFFFFFF
    return h


class _Strtab:
    def __init__(self) -> None:
        self.data = bytearray(b"\0")
        self.offsets: dict[str, int] = {"": 0}

    def add(self, s: str) -> int:
        if s not in self.offsets:
            self.offsets[s] = len(self.data)
            self.data += s.encode() + b"\0"
        return self.offsets[s]


def make_elf(*, needed=(), soname: str | None = None, rpath: str | None = None, runpath: str | None = None,
             interp: str | None = "/lib64/ld-linux-x86-64.so.2", versions: dict | None = None,
             undefined_symbols: dict | None = None, machine: str = "x86_64", comment: str | None = None,
             etype: str = "dyn", dynamic: bool = True, exec_stack: bool = False, relro: bool = True,
             bind_now: bool = True, isa_level: int | None = None, exported_symbols=()) -> bytes:
    """A minimal ELF executable or shared object.

    ``versions`` maps a needed library to its version needs (``{"libc.so.6": ["GLIBC_2.17"]}``);
    ``undefined_symbols`` maps a symbol to its version (or None), each bound to the library
    listing that version. ``exported_symbols`` are defined global functions. ``dynamic=False``
    gives a static binary (no PT_DYNAMIC, no PT_INTERP).
    """
    e_machine, bits, little = ELF_MACHINES[machine]
    end = "<" if little else ">"
    w = 8 if bits == 64 else 4
    addr = "Q" if bits == 64 else "I"
    versions = {lib: list(v) for lib, v in (versions or {}).items()}
    undefined_symbols = dict(undefined_symbols or {})
    for version in undefined_symbols.values():
        if version and not any(version in v for v in versions.values()):
            versions.setdefault("libc.so.6", []).append(version)
    base = 0x400000 if etype == "exec" else 0

    dynstr = _Strtab()
    blobs: list[tuple[str, bytes, int]] = []  # (section name, data, alignment)
    if interp and dynamic:
        blobs.append((".interp", interp.encode() + b"\0", 1))
    dyn_entries: list[tuple[int, int]] = []
    if dynamic:
        for lib in needed:
            dyn_entries.append((1, dynstr.add(lib)))
        if soname:
            dyn_entries.append((14, dynstr.add(soname)))
        if rpath:
            dyn_entries.append((15, dynstr.add(rpath)))
        if runpath:
            dyn_entries.append((29, dynstr.add(runpath)))
        # Version needs: vna_other indexes start at 2.
        index_of: dict[str, int] = {}
        verneed = bytearray()
        libs = list(versions)
        next_index = 2
        for i, lib in enumerate(libs):
            names = versions[lib]
            vn_next = 0 if i == len(libs) - 1 else 16 + 16 * len(names)
            verneed += struct.pack(end + "HHIII", 1, len(names), dynstr.add(lib), 16, vn_next)
            for j, name in enumerate(names):
                index_of[name] = next_index
                vna_next = 0 if j == len(names) - 1 else 16
                verneed += struct.pack(end + "IHHII", _elf_hash(name.encode()), 0, next_index,
                                       dynstr.add(name), vna_next)
                next_index += 1
        sym_fmt = end + ("IBBHQQ" if bits == 64 else "IIIBBH")
        dynsym = bytearray(struct.calcsize(sym_fmt))
        versym = bytearray(struct.pack(end + "H", 0))
        for name, version in undefined_symbols.items():
            info = (1 << 4) | 2  # STB_GLOBAL, STT_FUNC
            if bits == 64:
                dynsym += struct.pack(sym_fmt, dynstr.add(name), info, 0, 0, 0, 0)
            else:
                dynsym += struct.pack(sym_fmt, dynstr.add(name), 0, 0, info, 0, 0)
            versym += struct.pack(end + "H", index_of.get(version, 1) if version else 1)
        for name in exported_symbols:
            info = (1 << 4) | 2
            if bits == 64:
                dynsym += struct.pack(sym_fmt, dynstr.add(name), info, 0, 1, 0, 0)
            else:
                dynsym += struct.pack(sym_fmt, dynstr.add(name), 0, 0, info, 0, 1)
            versym += struct.pack(end + "H", 1)
    comment_data = (comment.encode() + b"\0") if comment else None

    # Layout: header, program headers, then section contents, then section headers.
    ehsize = 64 if bits == 64 else 52
    phentsize = 56 if bits == 64 else 32
    phdr_types = []
    if interp and dynamic:
        phdr_types.append("interp")
    phdr_types.append("load")
    if dynamic:
        phdr_types.append("dynamic")
    phdr_types.append("stack")
    if relro and dynamic:
        phdr_types.append("relro")
    if isa_level:
        phdr_types.append("note")
    offset = ehsize + phentsize * len(phdr_types)
    body = bytearray()
    placed: dict[str, tuple[int, int]] = {}  # name -> (offset, size)

    def place(name: str, data: bytes, align: int) -> None:
        nonlocal body
        pad = (-(offset + len(body))) % align
        body += b"\0" * pad
        placed[name] = (offset + len(body), len(data))
        body += data

    for name, data, align in blobs:
        place(name, data, align)
    if dynamic:
        if isa_level:
            desc = struct.pack(end + "III", 0xC0008002, 4, _ISA_BITS[isa_level])
            desc += b"\0" * ((-len(desc)) % w)
            place(".note.gnu.property", struct.pack(end + "III", 4, len(desc), 5) + b"GNU\0" + desc, w)
        place(".dynsym", bytes(dynsym), w)
        place(".gnu.version", bytes(versym), 2)
        if verneed:
            place(".gnu.version_r", bytes(verneed), 4)
        flags = [(30, 8), (0x6FFFFFFB, 1)] if bind_now else []
        # Addresses equal base + file offset (one PT_LOAD maps the whole file).
        dynstr_off = offset + len(body) + ((-(offset + len(body))) % w)
        tail = [(5, 0), (10, 0), (6, base + placed[".dynsym"][0]), (11, len(dynsym) // (len(versym) // 2)),
                (0x6FFFFFF0, base + placed[".gnu.version"][0])]
        if verneed:
            tail += [(0x6FFFFFFE, base + placed[".gnu.version_r"][0]), (0x6FFFFFFF, len(versions))]
        entries = dyn_entries + flags + tail + [(0, 0)]
        dyn_fmt = end + ("qQ" if bits == 64 else "iI")
        dynamic_size = struct.calcsize(dyn_fmt) * len(entries)
        # .dynamic first, then .dynstr right after it (its final size is known now).
        dyn_off = dynstr_off
        strtab_off = dyn_off + dynamic_size
        entries = [(5, base + strtab_off) if t == 5 else (10, len(dynstr.data)) if t == 10 else (t, v)
                   for t, v in entries]
        place(".dynamic", b"".join(struct.pack(dyn_fmt, t, v) for t, v in entries), w)
        place(".dynstr", bytes(dynstr.data), 1)
    elif isa_level:
        desc = struct.pack(end + "III", 0xC0008002, 4, _ISA_BITS[isa_level]) + b"\0" * (w - 4)
        place(".note.gnu.property", struct.pack(end + "III", 4, len(desc), 5) + b"GNU\0" + desc, w)
    if comment_data:
        place(".comment", comment_data, 1)
    shstr = _Strtab()
    names = list(placed)
    for n in names:
        shstr.add(n)
    shstr.add(".shstrtab")
    place(".shstrtab", bytes(shstr.data), 1)
    names.append(".shstrtab")
    shoff = offset + len(body) + ((-(offset + len(body))) % w)
    body += b"\0" * (shoff - offset - len(body))
    total = shoff + (64 if bits == 64 else 40) * (len(names) + 1)

    sh_types = {".interp": 1, ".dynsym": 11, ".gnu.version": 0x6FFFFFFF, ".gnu.version_r": 0x6FFFFFFE,
                ".dynamic": 6, ".dynstr": 3, ".comment": 1, ".shstrtab": 3, ".note.gnu.property": 7}
    index = {n: i + 1 for i, n in enumerate(names)}
    sh_fmt = end + ("IIQQQQIIQQ" if bits == 64 else "IIIIIIIIII")
    shdrs = bytearray(struct.calcsize(sh_fmt))
    sym_size = (24 if bits == 64 else 16)
    for n in names:
        off, size = placed[n]
        link = info = entsize = 0
        sh_flags = 0 if n in (".comment", ".shstrtab") else 2  # SHF_ALLOC
        if n == ".dynsym":
            link, info, entsize = index[".dynstr"], 1, sym_size
        elif n == ".gnu.version":
            link, entsize = index[".dynsym"], 2
        elif n == ".gnu.version_r":
            link, info = index[".dynstr"], len(versions)
        elif n == ".dynamic":
            link, entsize, sh_flags = index[".dynstr"], 2 * w, 3
        elif n == ".comment":
            sh_flags, entsize = 0x30, 1
        sh_addr = base + off if sh_flags & 2 else 0
        shdrs += struct.pack(sh_fmt, shstr.offsets[n], sh_types[n], sh_flags, sh_addr, off, size,
                             link, info, 1, entsize)

    phdrs = bytearray()
    ph_fmt = end + ("IIQQQQQQ" if bits == 64 else "IIIIIIII")

    def phdr(p_type: int, p_flags: int, off: int, size: int, align: int) -> bytes:
        if bits == 64:
            return struct.pack(ph_fmt, p_type, p_flags, off, base + off, base + off, size, size, align)
        return struct.pack(ph_fmt, p_type, off, base + off, base + off, size, size, p_flags, align)

    for kind in phdr_types:
        if kind == "interp":
            phdrs += phdr(3, 4, *placed[".interp"], 1)
        elif kind == "load":
            phdrs += phdr(1, 5, 0, total, 0x1000)
        elif kind == "dynamic":
            phdrs += phdr(2, 6, *placed[".dynamic"], w)
        elif kind == "stack":
            phdrs += phdr(0x6474E551, 7 if exec_stack else 6, 0, 0, 16)
        elif kind == "relro":
            phdrs += phdr(0x6474E552, 4, *placed[".dynamic"], 1)
        elif kind == "note":
            phdrs += phdr(4, 4, *placed[".note.gnu.property"], w)
    ident = b"\x7fELF" + bytes([2 if bits == 64 else 1, 1 if little else 2, 1, 0]) + b"\0" * 8
    e_type = {"rel": 1, "exec": 2, "dyn": 3, "core": 4}[etype]
    header = ident + struct.pack(end + "HHI" + addr * 3 + "IHHHHHH", e_type, e_machine, 1, 0,
                                 ehsize, shoff, 0, ehsize, phentsize, len(phdr_types),
                                 struct.calcsize(sh_fmt), len(names) + 1, index[".shstrtab"])
    return bytes(header + phdrs + body + shdrs)


# ---------------------------------------------------------------------------------------- PE
_PE_MACHINES = {"amd64": 0x8664, "x86_64": 0x8664, "i386": 0x14C, "x86": 0x14C, "arm64": 0xAA64}
_SUBSYSTEMS = {"gui": 2, "console": 3}


def make_pe(*, imports=(), delay_imports=(), machine: str = "amd64", subsystem: str = "console",
            os_version=(6, 0), subsystem_version=(6, 0), dll: bool = False) -> bytes:
    """A minimal PE image with an import table (``imports``: DLL names, or DLL -> function
    names; a bare name imports ordinal 1) and a delay-import table."""
    machine_id = _PE_MACHINES[machine]
    pe64 = machine_id != 0x14C
    thunk_fmt, thunk_size = ("<Q", 8) if pe64 else ("<I", 4)
    ordinal_flag = 1 << (63 if pe64 else 31)
    imports = dict(imports) if isinstance(imports, dict) else {name: [] for name in imports}
    delay = dict(delay_imports) if isinstance(delay_imports, dict) else {name: [] for name in delay_imports}
    rva0 = 0x1000
    sec = bytearray()

    def put(data: bytes, align: int = 8) -> int:
        sec.extend(b"\0" * ((-len(sec)) % align))
        rva = rva0 + len(sec)
        sec.extend(data)
        return rva

    def thunks(funcs: list[str]) -> bytes:
        entries = []
        slots: list[str | None] = list(funcs) or [None]
        for f in slots:
            if f is None:
                entries.append(ordinal_flag | 1)
            else:
                entries.append(put(struct.pack("<H", 0) + f.encode() + b"\0", 2))
        return b"".join(struct.pack(thunk_fmt, e) for e in entries) + b"\0" * thunk_size

    # Reserve the descriptor tables first, fill them in afterwards.
    imp_dir = put(b"\0" * 20 * (len(imports) + 1)) if imports else 0
    delay_dir = put(b"\0" * 32 * (len(delay) + 1)) if delay else 0
    descriptors = []
    for dll_name, funcs in imports.items():
        name_rva = put(dll_name.encode() + b"\0", 2)
        data = thunks(list(funcs))
        ilt = put(data)
        iat = put(data)
        descriptors.append(struct.pack("<IIIII", ilt, 0, 0, name_rva, iat))
    if imports:
        table = b"".join(descriptors)
        start = imp_dir - rva0
        sec[start:start + len(table)] = table
    ddesc = []
    for dll_name, funcs in delay.items():
        name_rva = put(dll_name.encode() + b"\0", 2)
        handle = put(b"\0" * 8)
        data = thunks(list(funcs))
        int_rva = put(data)
        iat = put(data)
        ddesc.append(struct.pack("<IIIIIIII", 1, name_rva, handle, iat, int_rva, 0, 0, 0))
    if delay:
        table = b"".join(ddesc)
        start = delay_dir - rva0
        sec[start:start + len(table)] = table
    sec.extend(b"\0" * ((-len(sec)) % 0x200 or 0))
    if not sec:
        sec.extend(b"\0" * 0x200)
    raw_size = len(sec)
    virt_size = raw_size
    size_of_image = rva0 + ((virt_size + 0xFFF) // 0x1000) * 0x1000

    dirs = [(0, 0)] * 16
    if imports:
        dirs[1] = (imp_dir, 20 * (len(imports) + 1))
    if delay:
        dirs[13] = (delay_dir, 32 * (len(delay) + 1))
    dd = b"".join(struct.pack("<II", *d) for d in dirs)
    characteristics = 0x0002 | (0x0020 if pe64 else 0x0100) | (0x2000 if dll else 0)
    common = (os_version[0], os_version[1], 0, 0, subsystem_version[0], subsystem_version[1], 0,
              size_of_image, 0x200, 0, _SUBSYSTEMS[subsystem], 0x8160 if pe64 else 0x8140)
    if pe64:
        opt = struct.pack("<HBBIIIIIQIIHHHHHHIIIIHHQQQQII", 0x20B, 14, 0, 0, raw_size, 0, 0, 0x1000,
                          0x180000000 if dll else 0x140000000, 0x1000, 0x200, *common,
                          0x100000, 0x1000, 0x100000, 0x1000, 0, 16)
    else:
        opt = struct.pack("<HBBIIIIIIIIIHHHHHHIIIIHHIIIIII", 0x10B, 14, 0, 0, raw_size, 0, 0, 0x1000, 0x1000,
                          0x10000000 if dll else 0x400000, 0x1000, 0x200, *common,
                          0x100000, 0x1000, 0x100000, 0x1000, 0, 16)
    opt += dd
    file_header = struct.pack("<HHIIIHH", machine_id, 1, 0, 0, 0, len(opt), characteristics)
    section = struct.pack("<8sIIIIIIHHI", b".rdata", virt_size, rva0, raw_size, 0x200, 0, 0, 0, 0, 0x40000040)
    dos = bytearray(0x80)
    dos[0:2] = b"MZ"
    dos[0x3C:0x40] = struct.pack("<I", 0x80)
    headers = bytes(dos) + b"PE\0\0" + file_header + opt + section
    headers += b"\0" * (0x200 - len(headers))
    return headers + bytes(sec)


# ------------------------------------------------------------------------------------ Mach-O
_MACHO_CPUS = {"x86_64": (0x01000007, 3), "arm64": (0x0100000C, 0), "aarch64": (0x0100000C, 0),
               "i386": (7, 3), "arm64e": (0x0100000C, 2)}
_FILETYPES = {"object": 1, "execute": 2, "dylib": 6, "bundle": 8}
_DYLIB_CMDS = {"load": 0xC, "weak": 0x80000018, "reexport": 0x8000001F, "lazy": 0x20, "upward": 0x80000023}


def _pack_version(text: str) -> int:
    parts = [int(p) for p in str(text).split(".")[:3]] + [0, 0]
    return (parts[0] << 16) | (parts[1] << 8) | parts[2]


def _padded(s: str, align: int = 8) -> bytes:
    data = s.encode() + b"\0"
    return data + b"\0" * ((-len(data)) % align)


def _thin_macho(dylibs, rpaths, install_name, minos, sdk, cpu, filetype, version_min: bool) -> bytes:
    cmds = []
    if install_name:
        name = _padded(install_name)
        cmds.append(struct.pack("<IIIIII", 0xD, 24 + len(name), 24, 2, 0x10000, 0x10000) + name)
    for dylib in dylibs:
        if isinstance(dylib, str):
            dylib = {"name": dylib}
        name = _padded(dylib["name"])
        cmd = _DYLIB_CMDS[dylib.get("kind", "load")]
        current = _pack_version(dylib.get("current", "1.0.0"))
        compat = _pack_version(dylib.get("compat", "1.0.0"))
        cmds.append(struct.pack("<IIIIII", cmd, 24 + len(name), 24, 2, current, compat) + name)
    for rpath in rpaths:
        path = _padded(rpath)
        cmds.append(struct.pack("<III", 0x8000001C, 12 + len(path), 12) + path)
    if minos:
        if version_min:
            cmds.append(struct.pack("<IIII", 0x24, 16, _pack_version(minos), _pack_version(sdk or "0")))
        else:
            cmds.append(struct.pack("<IIIIII", 0x32, 32, 1, _pack_version(minos), _pack_version(sdk or "0"), 1)
                        + struct.pack("<II", 3, _pack_version("1010.6")))
    cputype, subtype = _MACHO_CPUS[cpu]
    body = b"".join(cmds)
    flags = 0x85 | (0x200000 if filetype == "execute" else 0)  # NOUNDEFS|DYLDLINK|TWOLEVEL (+PIE)
    header = struct.pack("<IiiIIIII", 0xFEEDFACF, cputype, subtype, _FILETYPES[filetype], len(cmds),
                         len(body), flags, 0)
    data = header + body
    return data + b"\0" * (4096 - len(data) % 4096 if len(data) % 4096 else 0)


def make_macho(*, dylibs=(), rpaths=(), install_name: str | None = None, minos: str | None = "10.9",
               sdk: str | None = "14.0", cpu: str = "x86_64", filetype: str = "execute", fat: bool = False,
               version_min: bool = False) -> bytes:
    """A minimal 64-bit Mach-O (``fat=True``: a universal binary with an x86_64 and an arm64
    slice). ``dylibs`` are names or dicts {name, kind (load|weak|reexport|lazy|upward), compat,
    current}; ``version_min`` writes LC_VERSION_MIN_MACOSX instead of LC_BUILD_VERSION."""
    if install_name is None and filetype == "dylib":
        install_name = "@rpath/libsynth.dylib"
    if not fat:
        return _thin_macho(dylibs, rpaths, install_name, minos, sdk, cpu, filetype, version_min)
    cpus = [cpu, "arm64" if cpu != "arm64" else "x86_64"]
    slices = [_thin_macho(dylibs, rpaths, install_name, minos, sdk, c, filetype, version_min) for c in cpus]
    out = bytearray(struct.pack(">II", 0xCAFEBABE, len(slices)))
    offset = 4096
    table = []
    for c, data in zip(cpus, slices):
        cputype, subtype = _MACHO_CPUS[c]
        table.append(struct.pack(">iiIII", cputype, subtype, offset, len(data), 12))
        offset += len(data)
    out += b"".join(table)
    out += b"\0" * (4096 - len(out))
    for data in slices:
        out += data
    return bytes(out)
