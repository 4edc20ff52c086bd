"""What a distribution needs from the machine it runs on (:func:`build_requirements`, cached with
the binaries' analysis), and whether this host provides it (:func:`host_check`, computed at
report time, never cached). Both give the model's :mod:`~distscope.tui.model.requirements`.
"""

from __future__ import annotations

import os
import platform as _platform
import sys
from typing import Any

from distscope.tui.analysis import rules
from distscope.tui.analysis.elf import split_version, version_key
from distscope.tui.model.binaries import Binary, Target
from distscope.tui.model.findings import Finding
from distscope.tui.model.graph import MISSING, SYSTEM, UNEXPECTED, VIRTUAL, Graph
from distscope.tui.model.requirements import (
    Distro, Host, MacosInfo, MissingLibrary, MsvcRuntime, Musl, Requirements, SystemLibrary, Ucrt, VersionNeed,
    WindowsInfo)


def _native(binaries: dict[str, Binary]) -> dict[str, Binary]:
    """The binaries that make up the runnable distribution (native, readable, not build products)."""
    return {p: b for p, b in binaries.items() if b.usable}


def _libraries(graph: Graph, runtime: dict[str, Binary]) -> tuple[list[SystemLibrary], list[MissingLibrary]]:
    system: dict[str, SystemLibrary] = {}
    missing: dict[str, MissingLibrary] = {}
    for edge in graph.edges:
        if edge.from_ not in runtime:
            continue
        status = edge.status
        if status in (SYSTEM, UNEXPECTED, VIRTUAL):
            key = edge.name.lower() if edge.name.lower().endswith((".dll", ".drv")) else edge.name
            entry = system.setdefault(key, SystemLibrary(edge.name, status))
            entry.allowed = status == SYSTEM or (status == VIRTUAL and edge.allowed is not False)
            if edge.allowed_by:
                entry.allowed_by = edge.allowed_by
            entry.needed_by.append(edge.from_)
        elif status == MISSING:
            gone = missing.setdefault(edge.name, MissingLibrary(edge.name))
            gone.needed_by.append(edge.from_)
    for entry in system.values():
        entry.needed_by = list(dict.fromkeys(entry.needed_by))  # (each needer once, in order)
    for gone in missing.values():
        gone.needed_by = list(dict.fromkeys(gone.needed_by))
    return sorted(system.values(), key=lambda e: e.name.lower()), sorted(missing.values(), key=lambda e: e.name)


def build_requirements(binaries: dict[str, Binary], graph: Graph, target: Target,
                       python_json: dict[str, Any] | None = None) -> Requirements:
    native = _native(binaries)
    system, missing = _libraries(graph, native)
    out = Requirements(
        platform=target.platform, target_triple=target.target_triple,
        machines=sorted({str(b.machine) for b in native.values()}),
        system_libraries=system, missing_libraries=missing,
        glibc_max_allowed=rules.GLIBC_MAX_BY_TRIPLE.get(target.target_triple or ""))
    elves = {p: b for p, b in native.items() if b.format == "elf"}
    if elves:
        _linux(elves, target, out)
    pes = {p: b for p, b in native.items() if b.format == "pe"}
    if pes:
        _windows(pes, graph, out)
    machos = {p: b for p, b in native.items() if b.format == "macho"}
    if machos:
        _macos(machos, python_json, out)
    return out


def _linux(binaries: dict[str, Binary], target: Target, out: Requirements) -> None:
    elves = {p: b.elf for p, b in binaries.items() if b.elf is not None}
    glibc = {p: e.glibc_max for p, e in elves.items() if e.glibc_max}
    if glibc:
        top = max(glibc.values(), key=version_key)
        out.min_glibc = top
        out.min_glibc_needed_by = sorted(p for p, v in glibc.items() if v == top)
        out.glibc_symbols = {p: elves[p].glibc_symbols for p in out.min_glibc_needed_by}
        out.distros = [Distro(**d) for d in rules.oldest_distros(top)]
    others: dict[str, VersionNeed] = {}
    unversioned: dict[str, list[str]] = {}
    for path, e in sorted(elves.items()):
        for names in e.version_needs.values():
            for name in names:
                parsed = split_version(name)
                if parsed is None:
                    unversioned.setdefault(name, []).append(path)
                    continue
                prefix, version = parsed
                if prefix == "GLIBC":
                    continue
                text = ".".join(map(str, version))
                entry = others.setdefault(prefix, VersionNeed(text))
                if version_key(text) > version_key(entry.max):
                    entry.max, entry.needed_by = text, []
                if text == entry.max and path not in entry.needed_by:
                    entry.needed_by.append(path)
    out.other_version_needs = others
    out.unversioned_needs = {k: sorted(set(v)) for k, v in unversioned.items()}
    libcs = {e.libc for e in elves.values()}
    triple = target.target_triple or ""
    if "musl" in libcs or triple.endswith("-musl"):
        out.libc = "musl"
        static = all(e.static for e in elves.values())
        out.musl = Musl("static" if static else "dynamic")
    elif "glibc" in libcs:
        out.libc = "glibc"
    elif all(e.static for e in elves.values()):
        out.libc = "none"
    levels = [e.isa_level for e in elves.values() if e.isa_level]
    arch = triple.split("-", 1)[0]
    triple_level = int(arch[-1]) if arch.startswith("x86_64_v") and arch[-1].isdigit() else None
    out.isa_level = max(levels + ([triple_level] if triple_level else []), default=None)


def _windows(binaries: dict[str, Binary], graph: Graph, out: Requirements) -> None:
    pes = {p: b.pe for p, b in binaries.items() if b.pe is not None}
    runtime: dict[str, dict[str, Any]] = {}
    crt: set[str] = set()
    for edge in graph.edges:
        if edge.from_ not in pes:
            continue
        name = edge.name
        if rules.MSVC_RUNTIME.match(name):
            entry = runtime.setdefault(name.lower(), {"name": name, "paths": set(), "bundled": True})
            if edge.to:
                entry["paths"].add(edge.to)
            else:
                entry["bundled"] = False
        elif rules.UCRT.match(name):
            crt.add(name.lower())
    if runtime:
        out.msvc_runtime = MsvcRuntime(
            needed=sorted(e["name"] for e in runtime.values()),
            bundled=all(e["bundled"] for e in runtime.values()),
            bundled_paths=sorted(p for e in runtime.values() for p in e["paths"]),
            not_bundled=sorted(e["name"] for e in runtime.values() if not e["bundled"]))
    out.ucrt = Ucrt(needed=bool(crt), dlls=sorted(crt)) if crt else None
    header = {p: pe.os_version or "0.0" for p, pe in pes.items()}
    top_header = max(header.values(), key=version_key)
    api_min, api_reason = None, None
    for edge in graph.edges:
        need = rules.API_SET_MIN_WINDOWS.get(edge.name.lower())
        if edge.from_ in pes and need and (api_min is None or version_key(need) > version_key(api_min)):
            api_min, api_reason = need, edge.name
    minimum = max([top_header] + ([api_min] if api_min else []), key=version_key)
    subsystems: dict[str, int] = {}
    for pe in pes.values():
        if pe.type == "exe":
            subsystems[pe.subsystem or "?"] = subsystems.get(pe.subsystem or "?", 0) + 1
    out.min_windows = minimum
    out.windows = WindowsInfo(
        name=rules.WINDOWS_VERSIONS.get(minimum, f"Windows NT {minimum}"),
        header_os_version=top_header,
        header_needed_by=sorted(p for p, v in header.items() if v == top_header)[:20],
        api_set_minimum=api_min, api_set_reason=api_reason, executables_by_subsystem=subsystems,
        note="PE header versions are linker defaults, not a tested minimum")


def _macos(binaries: dict[str, Binary], python_json: dict[str, Any] | None, out: Requirements) -> None:
    machos = {p: b.macho for p, b in binaries.items() if b.macho is not None}
    minos = {p: m.minos for p, m in machos.items() if m.minos}
    sdks = [m.sdk for m in machos.values() if m.sdk]
    if minos:
        top = max(minos.values(), key=version_key)
        out.min_macos = top
        needed_by = sorted(p for p, v in minos.items() if v == top)
    else:
        needed_by = []
    out.macos = MacosInfo(
        needed_by=needed_by,
        sdk=max(sdks, key=version_key) if sdks else None,
        deployment_target=(python_json or {}).get("apple_sdk_deployment_target"),
        frameworks=sorted({e.name for e in out.system_libraries if ".framework/" in e.name}))


# ---------------------------------------------------------------------------------- host
_HOST_ARCH = {"amd64": "x86_64", "x86_64": "x86_64", "arm64": "aarch64", "aarch64": "aarch64", "x86": "i686",
              "i386": "i686", "i686": "i686", "armv7l": "armv7", "ppc64le": "ppc64le", "s390x": "s390x",
              "riscv64": "riscv64"}


#: CPU flags (as /proc/cpuinfo names them) each x86-64 micro-architecture level adds.
_ISA_FLAGS = {2: {"cx16", "lahf_lm", "popcnt", "sse4_1", "sse4_2", "ssse3"},
              3: {"avx", "avx2", "bmi1", "bmi2", "f16c", "fma", "abm", "movbe"},
              4: {"avx512f", "avx512bw", "avx512cd", "avx512dq", "avx512vl"}}


def x86_64_level(flags: set[str]) -> int:
    """The highest x86-64 level (1-4) whose CPU flags are all present."""
    level = 1
    for candidate in (2, 3, 4):
        if not _ISA_FLAGS[candidate] <= flags:
            break
        level = candidate
    return level


def _cpu_flags() -> set[str] | None:
    try:
        with open("/proc/cpuinfo", encoding="utf-8", errors="replace") as fh:
            for line in fh:
                if line.startswith("flags"):
                    return set(line.split(":", 1)[1].split())
    except OSError:
        return None
    return None


def host_info() -> Host:
    """The running machine: platform, architecture, libc / OS version."""
    system = "windows" if sys.platform.startswith("win") else "macos" if sys.platform == "darwin" else \
        "linux" if sys.platform.startswith("linux") else sys.platform
    machine = _platform.machine().lower()
    info = Host(system, _HOST_ARCH.get(machine, machine))
    if system == "linux":
        try:
            libc = os.confstr("CS_GNU_LIBC_VERSION") or ""
        except (ValueError, OSError, AttributeError):
            libc = ""
        if libc.startswith("glibc "):
            info.glibc = libc.split()[1]
        flags = _cpu_flags() if info.arch == "x86_64" else None
        if flags:
            info.isa_level = x86_64_level(flags)
    elif system == "macos":
        info.os_version = _platform.mac_ver()[0] or None
    elif system == "windows":
        v = sys.getwindowsversion()  # type: ignore[attr-defined,unused-ignore]
        info.os_version = f"{v.major}.{v.minor}"
    return info


#: Error findings that stop the interpreter from starting, whatever the machine.
_BLOCKING = ("missing-interpreter", "missing-library", "unreadable-binary", "wrong-machine", "glibc-in-musl",
             "archive-incomplete")


def _blocking_reasons(findings: list[Finding], requirements: Requirements) -> list[str]:
    reasons: list[str] = []
    for f in findings:
        code, paths = f.code, f.paths
        if f.severity != "error" or code not in _BLOCKING:
            continue
        if code == "missing-library" and requirements.missing_libraries:
            continue  # already said from the requirements
        if code == "missing-interpreter":
            reasons.append("the interpreter is missing from the archive"
                           + (f" ({paths[0]} is a dangling link)" if paths else ""))
        elif code == "unreadable-binary":
            shown = ", ".join(paths[:2]) + (f" and {len(paths) - 2} more" if len(paths) > 2 else "")
            reasons.append(f"unreadable binary: {shown}" if paths else "a binary cannot be read")
        elif code == "wrong-machine":
            reasons.append(f"{len(paths) or 'some'} core {'binary is' if len(paths) == 1 else 'binaries are'} "
                           "built for another machine")
        elif code == "archive-incomplete":
            reasons.append("the archive is damaged (it could not be read to the end)")
        elif code == "glibc-in-musl":
            reasons.append("a musl build that needs glibc")
        else:
            reasons.append(f.message or code)
    return reasons


def host_check(requirements: Requirements, host: Host | None = None, findings: list[Finding] | None = None,
               interpreters: list[str] | None = None, native_binaries: int | None = None) -> Host:
    """Would the distribution run here? The host (``host``, default this machine) with ``runs``
    (True, False or None: unknown) and the reasons.

    With ``findings`` (the binaries' findings), error findings that stop the interpreter
    (missing interpreter or libraries, unreadable or wrong-machine binaries) make it no. With
    ``interpreters`` (the native interpreter paths found), none found makes it no, or unknown
    when ``native_binaries`` is 0 (nothing to run)."""
    base = host or host_info()
    host = Host(base.platform, base.arch, base.glibc, base.os_version, base.isa_level)
    reasons: list[str] = []
    runs: bool | None = True
    platform = requirements.platform
    if platform is None:
        runs = None
        reasons.append("the target platform is unknown")
    elif platform != host.platform:
        runs = False
        reasons.append(f"built for {platform}, this machine runs {host.platform}")
    else:
        machines = [m for m in requirements.machines if m != "None"]
        arch_ok = not machines or host.arch in machines or (host.arch == "x86_64" and machines == ["i686"])
        if not arch_ok:
            runs = False
            reasons.append(f"built for {', '.join(machines)}, this machine is {host.arch}")
        need = requirements.min_glibc
        if platform == "linux" and requirements.libc == "glibc":
            if host.glibc is None:
                runs = None if runs else runs
                reasons.append("this machine's glibc version is unknown (musl?)")
            elif need and version_key(host.glibc) < version_key(need):
                runs = False
                reasons.append(f"needs glibc {need}, this machine has {host.glibc}")
        if platform == "macos" and requirements.min_macos and host.os_version and \
                version_key(host.os_version) < version_key(requirements.min_macos):
            runs = False
            reasons.append(f"needs macOS {requirements.min_macos}, this machine has {host.os_version}")
        if platform == "windows" and requirements.min_windows and host.os_version and \
                version_key(host.os_version) < version_key(requirements.min_windows):
            runs = False
            reasons.append(f"needs Windows {requirements.min_windows}, this machine has {host.os_version}")
        if requirements.missing_libraries:
            runs = False
            n = len(requirements.missing_libraries)
            reasons.append(f"{n} {'library is' if n == 1 else 'libraries are'} missing from the archive")
        level = requirements.isa_level or 0
        if level > 1 and host.arch == "x86_64":
            if host.isa_level is None:
                reasons.append(f"needs x86-64-v{level} (not checked against this CPU)")
            elif host.isa_level < level:
                runs = False
                reasons.append(f"needs x86-64-v{level}, this CPU is x86-64-v{host.isa_level}")
    blocking = _blocking_reasons(findings or [], requirements)
    if blocking:
        runs = False
        reasons.extend(blocking)
    if interpreters is not None and not interpreters:
        if native_binaries == 0:
            runs = None if runs else runs
            reasons.append("nothing to run: no native binaries for the target")
        elif not any(r.startswith("the interpreter is missing") for r in reasons):
            runs = False
            reasons.append("no Python interpreter executable was found")
    host.runs, host.reasons = runs, reasons
    return host
