"""Which platform a distribution is for: from PYTHON.json, else the file name, else its binaries."""

from __future__ import annotations

import os
import re
from collections import Counter
from typing import Any

from distscope.tui.analysis.rules import RECOGNIZED_TRIPLES
from distscope.tui.model.binaries import Binary, Target

_FORMAT_PLATFORM = {"elf": "linux", "pe": "windows", "macho": "macos"}
PLATFORM_FORMAT = {v: k for k, v in _FORMAT_PLATFORM.items()}
_TRIPLE = re.compile(r"(?<![A-Za-z0-9])([a-z0-9_]+-(?:unknown-linux-(?:gnu\w*|musl\w*)|pc-windows-msvc|apple-darwin))"
                     r"(?![A-Za-z0-9])")
_OLD_OS = {"linux": "linux", "windows": "windows", "macos": "macos", "darwin": "macos"}
_MACHO_ARCH = {"arm64": "aarch64"}
#: The recognised triples, longest first: the first one a file name holds wins.
_TRIPLES_LONGEST_FIRST = sorted(RECOGNIZED_TRIPLES, key=len, reverse=True)
_INTERPRETER_NAME = re.compile(r"^pythonw?(\d+(\.\d+)?[dt]{0,2})?(\.exe)?$").match


def platform_of(triple: str | None) -> str | None:
    """"linux", "windows" or "macos" for a target triple (None when unknown)."""
    if not triple:
        return None
    if "-linux" in triple:
        return "linux"
    if "-windows" in triple:
        return "windows"
    if "-darwin" in triple or "-apple" in triple:
        return "macos"
    return None


def arch_of(triple: str | None) -> str | None:
    """The architecture of a triple, without the x86-64 ISA level (x86_64_v3 -> x86_64)."""
    if not triple:
        return None
    arch = triple.split("-", 1)[0]
    return "x86_64" if arch.startswith("x86_64") else arch


def triple_from_name(name: str) -> str | None:
    """The target triple in a PBS archive name (``cpython-3.12.7+20241016-x86_64-...``)."""
    base = os.path.basename(name)
    for triple in _TRIPLES_LONGEST_FIRST:
        # (The substring test first: a pattern is compiled only for a triple the name holds.)
        if triple in base and re.search(rf"(?<![A-Za-z0-9_]){re.escape(triple)}(?![A-Za-z0-9])", base):
            return triple
    match = _TRIPLE.search(base)
    return match.group(1) if match else None


def triple_from_binaries(binaries: dict[str, Binary]) -> str | None:
    """A triple guessed from the binaries: the interpreter's format (else the commonest
    format), its commonest machine, and its libc."""
    readable = {p: b for p, b in binaries.items() if not b.error and b.format in _FORMAT_PLATFORM}
    if not readable:
        return None
    interpreters = [b for p, b in readable.items() if _looks_like_interpreter(p, b)]
    fmt = Counter(b.format for b in (interpreters or readable.values())).most_common(1)[0][0]
    chosen = [b for b in readable.values() if b.format == fmt]
    arch = Counter(str(b.machine) for b in chosen).most_common(1)[0][0]
    arch = _MACHO_ARCH.get(arch, arch)
    if fmt == "pe":
        return f"{arch}-pc-windows-msvc"
    if fmt == "macho":
        return f"{arch}-apple-darwin"
    musl = any(b.elf is not None and b.elf.libc == "musl" for b in chosen)
    if arch == "armv7":
        return f"armv7-unknown-linux-{'musleabihf' if musl else 'gnueabihf'}"
    return f"{arch}-unknown-linux-{'musl' if musl else 'gnu'}"


def _looks_like_interpreter(path: str, binary: Binary) -> bool:
    name = path.rsplit("/", 1)[-1].lower()
    kind = binary.details.type if binary.details is not None else None
    return bool(_INTERPRETER_NAME(name)) and kind in ("exec", "dyn", "exe", "execute") \
        and "/lib/" not in f"/{path.lower()}"


def _from_python_json(data: Any) -> str | None:
    if not isinstance(data, dict):
        return None
    triple = data.get("target_triple")
    if isinstance(triple, str) and triple.strip():
        return triple.strip()
    # Format versions before 5 had os and arch instead.
    os_name, arch = data.get("os"), data.get("arch")
    if isinstance(os_name, str) and isinstance(arch, str):
        platform = _OLD_OS.get(os_name.lower())
        if platform == "linux":
            return f"{arch}-unknown-linux-gnu"
        if platform == "windows":
            return f"{arch}-pc-windows-msvc"
        if platform == "macos":
            return f"{arch}-apple-darwin"
    return None


def detect_target(archive_path: str, *, python_json: Any = None,
                  binaries: dict[str, Binary] | None = None) -> Target:
    """The target of a distribution, from (in order) its PYTHON.json (``python_json``), its
    file name (``archive_path``), its native binaries."""
    triple: str | None = _from_python_json(python_json)
    source: str | None = "PYTHON.json"
    if not triple:
        triple, source = triple_from_name(str(archive_path or "")), "file name"
    if not triple:
        triple, source = triple_from_binaries(binaries or {}), "binaries"
    if not triple:
        source = None
    return Target(triple, platform_of(triple), arch_of(triple), source)
