"""Toolchain provenance: which compilers and linkers made the binaries and the ``build/`` objects.

:class:`ToolchainScan` rides the pass: ELF ``.comment`` strings, PE Rich headers, COFF
``@comp.id`` symbols and /GL objects, LLVM bitcode identification blocks (also inside ``ar``
archives) and Mach-O LC_BUILD_VERSION tools. :func:`summarize` turns that and PYTHON.json's
``object_file_format`` into the ``toolchain`` section, with advice for relinking ``build/``.
"""

from __future__ import annotations

import itertools
import re
import struct
import threading
from collections import Counter

from distscope.tui.analysis.elf import comment_strings, section_table_end
from distscope.tui.archive.index import ArchiveIndex
from distscope.tui.archive.members import Member
from distscope.tui.archive.plugin import Analyser, Interest
from distscope.tui.archive.segments import ByteSource, as_bytes, as_segments
from distscope.tui.meta import ar, bitcode, coff
from distscope.tui.model import toolchain as model
from distscope.tui.model.distribution import ObjectFileFormat, PythonJson
from distscope.tui.model.findings import Finding, finding

#: COFF objects are read whole up to this; static libraries up to LIB_BYTES.
OBJ_BYTES = 8 << 20
LIB_BYTES = 32 << 20
#: Members of one static library looked at, at most.
LIB_MEMBERS = 256
_MACHO_TOOLS = {1: "clang", 2: "swift", 3: "ld", 4: "lld", 1024: "metal"}


# -- readers ----------------------------------------------------------------------------------

def elf_comment(data: ByteSource) -> list[str]:
    """The stripped strings of an ELF file's ``.comment`` section ([] when absent or cut)."""
    return [text.strip() for text in comment_strings(data)]


def macho_tools(data: bytes) -> list[tuple[str, str]]:
    """(tool, version) pairs of a thin Mach-O's LC_BUILD_VERSION commands."""
    if len(data) < 32 or data[:4] not in (b"\xcf\xfa\xed\xfe", b"\xce\xfa\xed\xfe"):
        return []
    is64 = data[:4] == b"\xcf\xfa\xed\xfe"
    ncmds, sizeofcmds = struct.unpack_from("<II", data, 16)
    pos, end = (32 if is64 else 28), min(len(data), (32 if is64 else 28) + sizeofcmds)
    out = []
    for _ in range(min(ncmds, 4096)):
        if pos + 8 > end:
            break
        cmd, size = struct.unpack_from("<II", data, pos)
        if size < 8:
            break
        if cmd == 0x32 and pos + 24 <= end:
            ntools = struct.unpack_from("<I", data, pos + 20)[0]
            for i in range(min(ntools, 16)):
                at = pos + 24 + 8 * i
                if at + 8 > end:
                    break
                tool, version = struct.unpack_from("<II", data, at)
                out.append((_MACHO_TOOLS.get(tool, f"tool-{tool}"),
                            f"{version >> 16}.{(version >> 8) & 0xFF}.{version & 0xFF}"))
        pos += size
    return out


_VERSION = re.compile(r"(\d+\.\d+(?:\.\d+)*)")


def parse_comment(text: str) -> tuple[str, str | None, str]:
    """(tool, version, role) of one ``.comment`` string: GCC, clang, LLD, rustc ..."""
    lower = text.lower()
    if lower.startswith("linker:"):
        rest = text.split(":", 1)[1].strip()
        match = _VERSION.search(rest)
        tool = rest.split()[0] if rest.split() else "linker"
        return tool, match.group(1) if match else None, "linker"
    if lower.startswith("gcc:"):
        versions = _VERSION.findall(text)
        return "GCC", versions[-1] if versions else None, "compiler"
    match = re.search(r"((?:apple |android )?clang) version (\d+\.\d+(?:\.\d+)*)", text, re.I)
    if match:
        name = match.group(1)
        return ("Apple clang" if name.lower().startswith("apple") else "clang"), match.group(2), "compiler"
    match = re.search(r"rustc version (\d+\.\d+(?:\.\d+)*)", text)
    if match:
        return "rustc", match.group(1), "compiler"
    match = _VERSION.search(text)
    return text[:40], match.group(1) if match else None, "other"


# -- the analyser -----------------------------------------------------------------------------

#: Microsoft's redistributable runtime DLLs: shipped as built by Microsoft, not by this build.
_REDIST = re.compile(r"^(vcruntime|msvcp|concrt|vccorlib|ucrtbase|api-ms-win-)[^/]*\.dll$", re.I)


def _area(path: str) -> str:
    """build (objects for relinking), vendored (prebuilt by others: packages' launchers, the MSVC
    runtime DLLs) or install."""
    if re.match(r"^(?:[^/]+/)?build/", path):
        return "build"
    if "/site-packages/" in path or "/dist-packages/" in path or _REDIST.match(path.rsplit("/", 1)[-1]):
        return "vendored"
    return "install"


#: ``.o`` and ``.obj`` in every mix of case (``want`` lowers the path).
_OBJECT_SUFFIXES = (".o", ".O") + tuple("".join(c) for c in itertools.product(".", "oO", "bB", "jJ"))


class ToolchainScan(Analyser):
    """Collects producer strings from binaries and objects as they stream past."""

    name = "toolchain"
    version = 3
    #: Every branch of :meth:`want` that does anything starts with one of these heads or names.
    interest = Interest(heads=(b"\x7fELF", b"MZ", bitcode.MAGIC, bitcode.WRAPPER_MAGIC, b"\xcf\xfa\xed\xfe",
                               b"\xce\xfa\xed\xfe", ar.MAGIC, b"\x00\x00\xff\xff"),
                        suffixes=_OBJECT_SUFFIXES)
    segments = True

    def __init__(self) -> None:
        #: (tool, version, role, source, area) -> [count, example path]
        self.producers: dict[tuple, list] = {}
        self.objects: Counter[str] = Counter()
        self.comments: Counter[str] = Counter()
        # want() runs on the scanning thread, feed() on the analysis thread: both count here
        self._lock = threading.Lock()

    def _add(self, tool: str, version: str | None, role: str, source: str, path: str,
             detail: str | None = None) -> None:
        key = (tool, version, role, source, _area(path))
        with self._lock:
            entry = self.producers.setdefault(key, [0, path, detail])
            entry[0] += 1
            entry[2] = entry[2] or detail

    def _count(self, path: str, kind: str) -> None:
        with self._lock:
            self.objects[f"{_area(path)}:{kind}"] += 1

    def want(self, member, head: bytes) -> int:
        path, lower = member.path, member.path.lower()
        if head.startswith(b"\x7fELF"):
            if head[16:18] in (b"\x01\x00", b"\x00\x01"):
                self._count(path, "elf-object")
            return section_table_end(head)
        if head.startswith(b"MZ"):
            self._pe(member, head)
            return 0
        if head.startswith((bitcode.MAGIC, bitcode.WRAPPER_MAGIC)):
            self._bitcode(path, head)
            return 0
        if head[:4] in (b"\xcf\xfa\xed\xfe", b"\xce\xfa\xed\xfe"):
            tools = macho_tools(head)
            needed = 32 + struct.unpack_from("<I", head, 20)[0] if len(head) >= 24 else 0
            if needed > len(head):
                return needed
            self._macho(path, tools, head)
            return 0
        if head.startswith(ar.MAGIC):
            return LIB_BYTES
        if lower.endswith(".obj") or lower.endswith(".o") or head[:4] == b"\x00\x00\xff\xff":
            if coff.object_kind(head) is not None:
                return OBJ_BYTES
        return 0

    def feed(self, member, data: ByteSource, complete: bool) -> None:
        path = member.path
        if data.startswith(b"\x7fELF"):
            self._elf(path, data)
        elif data.startswith(ar.MAGIC):
            self._archive(path, data)
        else:
            data = as_bytes(data)
            if data[:4] in (b"\xcf\xfa\xed\xfe", b"\xce\xfa\xed\xfe"):
                self._macho(path, macho_tools(data), data)
            else:
                self._coff(path, data)

    # -- per format
    def _elf(self, path: str, data: ByteSource) -> None:
        for text in elf_comment(data):
            self.comments[text] += 1
            tool, version, role = parse_comment(text)
            self._add(tool, version, role, "elf-comment", path)

    def _pe(self, member, head: bytes) -> None:
        """The linker and the newest C/C++ compiler of a PE's Rich header (older entries are
        the runtime and SDK libraries linked in)."""
        linker, compiler = None, None
        for prodid, build, _count in coff.rich_header(head) or []:
            kind = coff.product(prodid)
            if kind == "linker":
                linker = max(linker or 0, build)
            elif kind.startswith(("c", "ltcg", "pogo")) and kind != "cvtres" and coff.toolset(prodid, build):
                if compiler is None or build > compiler[1]:
                    compiler = (prodid, build)
        if linker is not None and coff.toolset(0x0102, linker):
            self._add("MSVC", coff.toolset(0x0102, linker)[0], "linker", "rich-header", member.path,
                      _msvc_detail(0x0102, linker))
        if compiler is not None:
            self._add("MSVC", coff.toolset(*compiler)[0], "compiler", "rich-header", member.path,
                      _msvc_detail(*compiler))

    def _bitcode(self, path: str, data: bytes) -> None:
        info = bitcode.producer(data)
        if info is None:
            return
        self._count(path, "llvm-bitcode")
        self._add("LLVM", info["llvm_version"], "compiler", "llvm-bitcode", path)

    def _macho(self, path: str, tools: list[tuple[str, str]], data: bytes) -> None:
        if len(data) >= 16 and struct.unpack_from("<I", data, 12)[0] == 1:  # MH_OBJECT
            self._count(path, "macho-object")
        for tool, version in tools:
            role = "linker" if tool in ("ld", "lld") else "compiler"
            self._add(tool, version, role, "macho-build-version", path)

    def _coff(self, path: str, data: bytes, counted: bool = True) -> None:
        info = coff.describe_object(data)
        if info is None:
            return
        if counted:
            self._count(path, f"coff-{info['kind']}")
        for comp in info["compilers"][:2]:
            if comp["msvc"] and comp["product"] not in ("import", "implib", "export"):
                self._add("MSVC", comp["msvc"], "compiler", f"coff-{info['kind']}", path,
                          f"{comp['vs']}, build {comp['build']}")
        if info.get("toolset"):
            self._add("MSVC toolset", info["toolset"], "compiler", "coff-ltcg", path)

    def _archive(self, path: str, data: ByteSource) -> None:
        self._count(path, "static-lib")
        seen = Counter()
        for name, body, _complete in ar.members(data, LIB_MEMBERS):
            if body.startswith((bitcode.MAGIC, bitcode.WRAPPER_MAGIC)):
                info = bitcode.producer(as_bytes(body))
                if info:
                    seen[("LLVM", info["llvm_version"], "llvm-bitcode")] += 1
            elif body.startswith(b"\x7fELF"):
                for text in elf_comment(body):
                    tool, version, role = parse_comment(text)
                    seen[(tool, version, "elf-comment")] += 1
            else:
                info = coff.describe_object(as_bytes(body))
                if info and info["kind"] != "import":
                    for comp in info["compilers"][:2]:
                        if comp["msvc"]:
                            seen[("MSVC", comp["msvc"], f"coff-{info['kind']}")] += 1
                    if info.get("toolset"):
                        seen[("MSVC toolset", info["toolset"], "coff-ltcg")] += 1
        for (tool, version, source), _n in seen.items():
            role = "linker" if tool in ("LLD", "GNU", "ld") else "compiler"
            self._add(tool, version, role, f"static-lib:{source}", path)

    def result(self) -> model.ToolchainScan:
        producers = [model.Producer(t, v, r, s, a, n, ex, detail)
                     for (t, v, r, s, a), (n, ex, detail) in self.producers.items()]
        producers.sort(key=lambda p: (p.area, p.tool, str(p.version), p.source, p.role))
        # Sorted: want() (scan thread) and feed() (analysis thread) count in no fixed order.
        return model.ToolchainScan(producers, dict(sorted(self.objects.items())), dict(self.comments.most_common(50)))


def _msvc_detail(prodid: int, build: int) -> str | None:
    known = coff.toolset(prodid, build)
    return f"{known[1]}, build {build}" if known else None


# -- the summary ------------------------------------------------------------------------------

def _label(tool: str, version: str | None) -> str:
    return f"{tool} {version}" if version else tool


def _ordered(items) -> list[str]:
    out: list[str] = []
    for item in items:
        if item not in out:
            out.append(item)
    return out


def summarize(index: ArchiveIndex) -> model.Toolchain:
    """The toolchain section."""
    from distscope.tui.meta.distribution import parse_object_file_format

    scan: model.ToolchainScan = index.results.get("toolchain") or model.ToolchainScan()
    producers = scan.producers
    objects = scan.objects
    pj = (index.results.get("pythonjson") or PythonJson()).data
    build_info = pj.get("build_info") if isinstance(pj, dict) and isinstance(pj.get("build_info"), dict) else {}
    off = parse_object_file_format(build_info.get("object_file_format"))
    findings: list[Finding] = []

    def labels(role: str, area: str | None = None) -> list[str]:
        rows = [p for p in producers if p.role == role and p.tool != "MSVC toolset"
                and (p.area == area if area else p.area != "vendored")]
        rows.sort(key=lambda p: -p.count)
        return _ordered(_label(p.tool, p.version) for p in rows)

    build_objects = {k.split(":", 1)[1]: v for k, v in objects.items() if k.startswith("build:")}
    relinkable: Counter[str] = Counter()  # objects and static libraries outside vendored packages
    for key, count in objects.items():
        area, _, kind = key.partition(":")
        if area != "vendored":
            relinkable[kind] += count
    bitcode_versions = _ordered(p.version for p in producers if p.tool == "LLVM" and p.version and p.area != "vendored")
    ltcg_toolsets = _ordered(p.version for p in producers if p.tool == "MSVC toolset" and p.version)
    msvc_build = _ordered(p.version for p in producers if p.tool == "MSVC" and p.area == "build")
    where = "build/" if build_objects else "shipped"
    advice: list[str] = []
    if off and off["llvm_version"]:
        if bitcode_versions and off["llvm_version"] not in bitcode_versions:
            findings.append(finding("warning", "toolchain-bitcode-mismatch",
                                    f"PYTHON.json says llvm-bitcode {off['llvm_version']} but the objects were "
                                    f"produced by LLVM {', '.join(bitcode_versions)}", []))
    llvm = (off or {}).get("llvm_version") or (bitcode_versions[0] if bitcode_versions else None)
    if len(bitcode_versions) > 1:
        findings.append(finding("info", "toolchain-mixed-llvm",
                                f"bitcode from several LLVM versions: {', '.join(bitcode_versions)}", []))
    if llvm and (relinkable.get("llvm-bitcode") or relinkable.get("static-lib") or off):
        example = next((p.example for p in producers if p.tool == "LLVM" and p.area != "vendored"), None)
        advice.append(f"The {where} objects{f' (e.g. {example})' if example and not build_objects else ''} are LLVM {llvm} bitcode (LTO): relink them with clang/lld from "
                      f"LLVM {llvm.split('.')[0]} (ideally exactly {llvm}); an older LLVM cannot read them "
                      "and GCC or a linker without the LLVM plugin cannot link them.")
    if build_objects.get("coff-ltcg"):
        exact = ltcg_toolsets[0] if ltcg_toolsets else (msvc_build[0] if msvc_build else "unknown")
        vs = next((p.detail for p in producers if p.area == "build" and p.tool == "MSVC"
                   and p.source == "coff-ltcg" and p.detail), None)
        advice.append(f"The build/ .obj files are MSVC /GL (link-time code generation) objects from toolset "
                      f"{exact}{f' ({vs})' if vs else ''}: they are tied to that exact toolset; link them with the same MSVC version "
                      f"(other versions, and lld-link, reject them).")
    elif build_objects.get("coff-coff") and msvc_build:
        advice.append(f"The build/ .obj files are COFF objects from MSVC {msvc_build[0]}: link them with MSVC "
                      f"{msvc_build[0]} or newer.")
    elf_build = labels("compiler", "build")
    if build_objects.get("elf-object") and elf_build and not llvm:
        advice.append(f"The build/ objects are ELF objects from {', '.join(elf_build)}: any linker can use "
                      "them; C++ code needs a C++ runtime at least as new as that compiler's.")
    if off and off["format"] in ("elf", "mach-o", "coff") and not advice:
        advice.append(f"PYTHON.json says the build/ objects are {off['format']} objects: any compatible "
                      "linker can use them.")
    if not relinkable and not off:
        advice.append("No build/ objects in this archive (not a full distribution): nothing to relink.")

    details: dict[str, str] = {}
    for p in sorted(producers, key=lambda p: -p.count):
        if p.detail and p.area != "vendored":
            details.setdefault(_label(p.tool, p.version), p.detail)
    return model.Toolchain(
        details=details,
        compilers=labels("compiler"),
        linkers=labels("linker"),
        binaries=model.ToolLabels(labels("compiler", "install"), labels("linker", "install")),
        vendored=model.ToolLabels(labels("compiler", "vendored"), labels("linker", "vendored")),
        relinkable_objects=dict(relinkable),
        build=model.ToolchainBuild(labels("compiler", "build"), build_objects, bitcode_versions, ltcg_toolsets),
        object_file_format=ObjectFileFormat(**off) if off else None,
        producers=producers,
        advice=advice,
        findings=findings,
    )
