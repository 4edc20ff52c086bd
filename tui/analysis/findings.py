"""Policy: findings about the binaries, with a severity, a stable code, a message and paths.

Codes (stable): missing-library, unexpected-system-library, glibc-too-new, glibc-in-musl,
wrong-machine, foreign-binaries, unreadable-binary, absolute-rpath, library-off-search-path,
banned-symbol, exported-dependency-symbol, libpython-missing-exports, executable-stack,
writable-executable-segment, text-relocations, no-relro,
no-bind-now, missing-interpreter, no-interpreter, macos-deployment-target-mismatch, macos-sdk-mismatch,
macos-compat-version, macos-flat-namespace, fat-binary, msvc-runtime-not-bundled, unknown-target,
unsafe-member.
"""

from __future__ import annotations

import posixpath
import re
from operator import attrgetter
from typing import Any

from distscope.tui.analysis import rules
from distscope.tui.analysis.elf import version_key
from distscope.tui.archive.members import Member
from distscope.tui.model.binaries import Binary, Target
from distscope.tui.model.findings import Finding, Severity, finding, sort_findings
from distscope.tui.model.graph import UNEXPECTED, Graph
from distscope.tui.model.requirements import Requirements


def _plural(n: int, word: str) -> str:
    if n == 1:
        return f"{n} {word}"
    return f"{n} {word[:-1]}ies" if word.endswith("y") else f"{n} {word}s"


#: The real libpython (not the stable-ABI stub ``libpython3.so``/``python3.dll``, which only
#: forwards to it): libpython3.X[dt]*.so[.1.0], libpython3.X[dt]*.dylib, python3XY[_d|t].dll.
_REAL_LIBPYTHON = re.compile(r"libpython3\.\d+[a-z]*\.(?:so(?:\.1\.0)?|dylib)|python3\d+[a-z_]*\.dll",
                             re.IGNORECASE)


def is_real_libpython(name: str) -> bool:
    """Is ``name`` (a file name) the real libpython that must export the C API?"""
    return bool(_REAL_LIBPYTHON.fullmatch(name))


def _vendored(path: str) -> bool:
    lower = path.lower()
    return "site-packages/" in lower or "/_vendor/" in lower or "/ensurepip/" in lower


def binary_findings(index: Any, binaries: dict[str, Binary], graph: Graph, req: Requirements, target: Target,
                    python_json: dict[str, Any] | None = None) -> list[Finding]:
    out: list[Finding] = []
    triple = target.target_triple
    known = triple in rules.RECOGNIZED_TRIPLES
    native = {p: b for p, b in binaries.items() if b.usable}

    if triple is None and binaries:
        out.append(finding("info", "unknown-target", "The target platform could not be determined "
                           "(no PYTHON.json, no triple in the file name, no native binaries); rules not applied"))
    for path, b in binaries.items():
        if b.error:
            # Cut short (archive damaged, or beyond the per-member buffer): the file may be fine.
            severe = (b.native or not _vendored(path)) and not b.truncated
            out.append(finding("error" if severe else "warning", "unreadable-binary",
                               f"{path}: {b.error}", [path]))
        elif b.not_analysed:  # over the per-binary budget (see distscope.tui.analysis.elf)
            out.append(finding("warning", "binary-over-budget",
                               f"{path}: not fully analysed: {'; '.join(b.not_analysed)}", [path]))

    for lib in req.missing_libraries:
        n = len(lib.needed_by)
        out.append(finding("error", "missing-library",
                           f"{lib.name} is needed by {_plural(n, 'binary')} "
                           f"but is not in the archive", lib.needed_by))
    for sys_lib in req.system_libraries:
        if sys_lib.status == UNEXPECTED:
            out.append(finding("error" if known else "warning", "unexpected-system-library",
                               f"{sys_lib.name} is a system library the python-build-standalone rules "
                               f"{'for ' + str(triple) if known else ''} do not allow".replace("  ", " "),
                               sys_lib.needed_by))

    # glibc / musl
    allowed = req.glibc_max_allowed
    if req.min_glibc and allowed:
        if allowed == "1":
            out.append(finding("error", "glibc-in-musl", f"a musl distribution references glibc symbol "
                               f"versions (up to GLIBC_{req.min_glibc})", req.min_glibc_needed_by))
        elif version_key(req.min_glibc) > version_key(allowed):
            out.append(finding("error", "glibc-too-new", f"needs glibc {req.min_glibc}, above the "
                               f"{allowed} maximum for {triple}", req.min_glibc_needed_by))

    # machines
    foreign_arch = [p for p, b in binaries.items() if b.foreign_arch and not b.error]
    core_wrong = [p for p in foreign_arch if not _vendored(p)]
    if core_wrong:
        machines = sorted({str(binaries[p].machine) for p in core_wrong})
        out.append(finding("error", "wrong-machine", f"{_plural(len(core_wrong), 'binary')} built for "
                           f"{', '.join(machines)}, not {target.arch}",
                           core_wrong))
    foreign = [p for p, b in binaries.items() if not b.native and not b.error and p not in core_wrong]
    if foreign and target.platform:
        kinds = sorted({f"{binaries[p].format}/{binaries[p].machine}" for p in foreign})
        out.append(finding("info", "foreign-binaries", f"{_plural(len(foreign), 'binary')} for another platform "
                           f"or architecture ({', '.join(kinds)}) are listed but are not runtime requirements",
                           foreign))

    _elf_findings(native, out)
    _graph_findings(index, graph, binaries, out)
    _macho_findings(native, python_json, out)
    msvc = req.msvc_runtime
    if msvc and not msvc.bundled:
        out.append(finding("info", "msvc-runtime-not-bundled", f"needs the MSVC runtime "
                           f"({', '.join(msvc.not_bundled)}) from the system (Visual C++ 2015+ redistributable)"))
    return sort_findings(out)


_UNSAFE_SHOWN = 5  #: member names quoted in an unsafe-member message (all go in ``paths``, capped)
_PLAIN_TYPES = frozenset(("file", "directory"))
_BLOCK = 2048  #: member names searched at once by :func:`unsafe_candidates`
#: re finds a two-character literal in a long string several times faster than ``in`` does.
_DOTS = re.compile(r"\.\.").search
_ROOTED = re.compile("\n/").search


def unsafe_candidates(members: list[Member]) -> list[Member]:
    """The members :func:`member_findings` must look at, in archive order: links, special
    members, set-id files, and every member of a block whose names hold ``..``, ``:`` or a
    leading ``/``. A block's names are joined and searched at once: far cheaper than a test
    per name, and nearly every name is plain."""
    name = attrgetter("name")
    out: list[Member] = []
    for start in range(0, len(members), _BLOCK):
        block = members[start:start + _BLOCK]
        if _odd_names(list(map(name, block))):
            out += block
        else:
            out += [m for m in block if m.type not in _PLAIN_TYPES or m.mode & 0o6000]
    return out


def _odd_names(names: list[str]) -> bool:
    """Does a name hold ``:`` or ``..``, or start with ``/``? (Cheapest test first.)"""
    text = "\n".join(names)
    if ":" in text:
        return True
    # When the smallest name starts after "/", none starts with it (a C-level walk, no search).
    if min(names)[:1] <= "/" and (text.startswith("/") or _ROOTED(text)):
        return True
    return bool(_DOTS(text))


def member_findings(index: Any, candidates: list[Member] | None = None) -> list[Finding]:
    """``unsafe-member`` warnings: members a careless ``tar -x`` would write outside the target
    folder or with surprising effects (absolute names, ``..``, links leading out, devices and
    fifos, set-id files). ``distscope extract`` refuses them (set-id bits it strips).
    ``candidates``: :func:`unsafe_candidates` of all the members, when already known."""
    kinds: dict[str, list[str]] = {}
    if candidates is None:
        candidates = unsafe_candidates(getattr(index, "members", None) or [])
    for member in candidates:
        name = member.name
        if name.startswith("/") or (len(name) > 1 and name[1] == ":" and name[0].isalpha()):
            kinds.setdefault("absolute names", []).append(name)
        elif ".." in name and ".." in name.replace("\\", "/").split("/"):  # (substring test first: cheap)
            kinds.setdefault("'..' in the name", []).append(name)
        link = member.linkname or ""
        if member.type == "symlink":
            where = posixpath.normpath(posixpath.join(posixpath.dirname(member.path), link))
            if link.startswith("/") or (len(link) > 1 and link[1] == ":"):
                kinds.setdefault("symlinks to absolute paths", []).append(f"{name} -> {link}")
            elif where == ".." or where.startswith("../"):
                kinds.setdefault("symlinks leading outside the archive", []).append(f"{name} -> {link}")
        elif member.type == "hardlink":
            if link.startswith("/") or ".." in link.replace("\\", "/").split("/"):
                kinds.setdefault("hardlinks to paths outside the archive", []).append(f"{name} -> {link}")
        elif member.type == "other":
            kinds.setdefault("devices, fifos or other special members", []).append(name)
        if member.type == "file" and member.mode & 0o6000:
            kinds.setdefault("set-id files", []).append(name)
    out = []
    for what, names in kinds.items():
        shown = ", ".join(names[:_UNSAFE_SHOWN]) + (f" (+{len(names) - _UNSAFE_SHOWN} more)"
                                                   if len(names) > _UNSAFE_SHOWN else "")
        verb = "strips their set-id bits" if what == "set-id files" else "refuses them"
        out.append(finding("warning", "unsafe-member", f"{len(names):,} unsafe member"
                           f"{'' if len(names) == 1 else 's'} ({what}): {shown}; distscope extract {verb}, "
                           f"but another tool may not", [n.split(" -> ")[0] for n in names]))
    return out


def _elf_findings(native: dict[str, Binary], out: list[Finding]) -> None:
    absolute: dict[str, list[str]] = {}
    banned: dict[str, list[str]] = {}
    flags: dict[str, list[str]] = {"executable-stack": [], "writable-executable-segment": [],
                                   "text-relocations": [], "no-relro": [], "no-bind-now": []}
    for path, b in native.items():
        elf, macho = b.elf, b.macho
        if elf is not None:
            for kind, dirs in (("rpath", elf.rpath), ("runpath", elf.runpath)):
                for d in dirs:
                    if d.startswith("/") and path not in absolute.get(f"{kind.upper()} {d}", []):
                        absolute.setdefault(f"{kind.upper()} {d}", []).append(path)
            for sym in elf.banned_symbols:
                banned.setdefault(sym, []).append(path)
            h = elf.hardening
            if elf.type in ("exec", "dyn") and not elf.static:
                if h.exec_stack:
                    flags["executable-stack"].append(path)
                if h.wx_load:
                    flags["writable-executable-segment"].append(path)
                if h.textrel:
                    flags["text-relocations"].append(path)
                if not h.relro:
                    flags["no-relro"].append(path)
                if not h.bind_now:
                    flags["no-bind-now"].append(path)
        elif macho is not None:
            for d in macho.rpaths:
                if d.startswith("/"):
                    absolute.setdefault(f"LC_RPATH {d}", []).append(path)
    for what, paths in sorted(absolute.items()):
        out.append(finding("warning", "absolute-rpath", f"{what} is left from the build machine: the loader "
                           f"searches it on the user's machine ({_plural(len(paths), 'binary')})", paths))
    leaks: dict[str, list[str]] = {}
    for path, b in native.items():
        elf = b.elf
        if elf is None:
            continue
        for sym in elf.exported_dependency_symbols:
            leaks.setdefault(path, []).append(sym)
        name = path.rsplit("/", 1)[-1]
        if is_real_libpython(name) and elf.exported_count:
            absent = sorted(rules.PYTHON_API_SYMBOLS - set(elf.exports_python_api))
            if absent:
                out.append(finding("warning", "libpython-missing-exports",
                                   f"{path} does not export {', '.join(absent)}", [path]))
    for path, syms in sorted(leaks.items()):
        out.append(finding("warning", "exported-dependency-symbol", f"{path} exports symbols of a bundled "
                           f"dependency ({', '.join(sorted(syms)[:5])}): they can clash with other copies", [path]))
    for sym, paths in sorted(banned.items()):
        out.append(finding("error", "banned-symbol", f"undefined symbol {sym} is banned "
                           f"(removed from newer glibc)", paths))
    messages: dict[str, tuple[Severity, str]] = {
        "executable-stack": ("warning", "executable stack (PT_GNU_STACK with X)"),
        "writable-executable-segment": ("warning", "a segment is both writable and executable"),
        "text-relocations": ("warning", "text relocations (DT_TEXTREL)"),
        "no-relro": ("info", "no PT_GNU_RELRO (no read-only relocations)"),
        "no-bind-now": ("info", "no BIND_NOW (lazy binding)"),
    }
    for code, paths in flags.items():
        if paths:
            severity, text = messages[code]
            out.append(finding(severity, code, f"{text}: {_plural(len(paths), 'binary')}"
                               , paths))


def _graph_findings(index: Any, graph: Graph, binaries: dict[str, Binary], out: list[Finding]) -> None:
    off_path: dict[str, list[str]] = {}
    for edge in graph.edges:
        if edge.off_path:
            off_path.setdefault(f"{edge.name} ({edge.to})", []).append(edge.from_)
    interpreter_known = bool(graph.roots)
    for what, paths in sorted(off_path.items()):
        if interpreter_known:
            out.append(finding("warning", "library-off-search-path", f"{what} is in the archive but on no "
                               f"RPATH/RUNPATH of the binaries that need it or of the interpreter", paths))
        else:
            out.append(finding("info", "library-off-search-path", f"{what} is in the archive but not on the "
                               f"search path of the binaries that need it (the interpreter's RPATH is unknown)",
                               paths))
    if graph.roots:
        return
    dangling = []
    if index is not None:
        for member in index.members:
            name = member.path.rsplit("/", 1)[-1]
            if member.type == "symlink" and name.lower().startswith("python") and "/bin/" in f"/{member.path}":
                final = index.resolve_path(member.path)
                if final is None or final not in index.by_path:
                    dangling.append(f"{member.path} -> {member.linkname}")
    if dangling:
        out.append(finding("error", "missing-interpreter", "the interpreter is not in the archive: "
                           + ", ".join(sorted(dangling)[:4]), [d.split(" -> ")[0] for d in dangling]))
    elif any(b.native for b in binaries.values()):
        out.append(finding("warning", "no-interpreter", "no Python interpreter executable found among the "
                           "native binaries"))


def _macho_findings(native: dict[str, Binary], python_json: dict[str, Any] | None, out: list[Finding]) -> None:
    machos = {p: b.macho for p, b in native.items() if b.macho is not None}
    if not machos:
        return
    for key, field, code, what in (
            ("apple_sdk_deployment_target", "minos", "macos-deployment-target-mismatch", "minimum macOS"),
            ("apple_sdk_version", "sdk", "macos-sdk-mismatch", "SDK version")):
        expected = (python_json or {}).get(key)
        if not expected:
            continue
        off = [p for p, m in machos.items()
               if getattr(m, field) and version_key(getattr(m, field)) != version_key(expected)]
        if off:
            out.append(finding("warning", code, f"{what} differs from PYTHON.json {key} {expected}", off))
    compat: list[str] = []
    for path, m in machos.items():
        for d in m.dylibs:
            limit = rules.macho_allowed(d.name)
            if limit and version_key(d.compat or "0") > version_key(limit):
                compat.append(path)
    if compat:
        out.append(finding("warning", "macos-compat-version", "a dylib is loaded with a compatibility version "
                           "above the allowed maximum", compat))
    flat = [p for p, m in machos.items() if m.type in ("execute", "dylib", "bundle") and not m.twolevel]
    if flat:
        out.append(finding("warning", "macos-flat-namespace", "not linked with two-level namespaces (MH_TWOLEVEL)",
                           flat))
    fat = [p for p, m in machos.items() if m.fat and not p.endswith("libclang_rt.osx.a")]
    if fat:
        out.append(finding("info", "fat-binary", f"{_plural(len(fat), 'universal (fat) binary')}", fat))
