"""The component inventory: which libraries and packages a distribution bundles, at which
version, and the evidence for each.

:class:`ComponentsAnalyser` rides the pass. It searches the read-only data of the binaries that
may carry a library (by file name: ``_ssl``, ``libcrypto``, ``sqlite3.dll``, libpython, the
interpreter, vendored ``*.libs/``) with ``bytes.find`` per piece of the content as it arrives,
hashes the binaries it finds something in, and reads headers, ``.pc`` files, Tcl scripts,
dist-info METADATA and PEP 770 SBOMs. Its result is plain evidence; :func:`build_inventory`
joins it with PYTHON.json, patchlevel.h and the dependency graph into the typed
:class:`~distscope.tui.model.components.Inventory` once the pass is done.
"""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any

from distscope.tui.archive.plugin import ALL, Analyser, Interest
from distscope.tui.archive.classify import NATIVE, STATIC_LIB
from distscope.tui.archive.segments import Segments, as_segments
from distscope.tui.meta import fingerprints as fp
from distscope.tui.meta.rodata import readonly_ranges
from distscope.tui.model.components import (
    CarrierFile, ComponentScan, Found, FoundPackage, FoundSbomComponent, FoundVendored)

#: Bytes searched at a time, and how far consecutive windows overlap (more than any match).
_WINDOW, _OVERLAP = 8 << 20, 512
#: Window around an anchor hit in which its pattern is tried.
_BEFORE, _AFTER = 96, 160
#: Hits of one anchor looked at per binary (an anchor that is everywhere costs no more).
_MAX_HITS = 64
_HEADER_LIMIT = 256 << 10
_METADATA_LIMIT = 256 << 10
_SBOM_LIMIT = 8 << 20
#: Components taken from one PEP 770 SBOM (a wheel's Rust SBOM lists a few hundred).
_MAX_SBOM_COMPONENTS = 5000
_TCL_SCRIPTS = ("/init.tcl", "/tk.tcl", "/pkgIndex.tcl", "/tclConfig.sh", "/tkConfig.sh")
_TCL_REQUIRE = re.compile(rb"package\s+(?:require\s+-exact|provide)\s+(tcl|tk)\s+(\d+\.\d+\.\d+)", re.I)
_TCL_IFNEEDED = re.compile(rb"package\s+ifneeded\s+(tix)\s+(\d+\.\d+(?:\.\d+)?)", re.I)
_TCL_CONFIG = re.compile(rb"^(TCL|TK)_VERSION='(\d+\.\d+)'.*?^\1_PATCH_LEVEL='([.\dab]+)'", re.M | re.S)
_PC_FIELD = re.compile(rb"^(Name|Version):\s*(.*?)\s*$", re.M)


class ComponentsAnalyser(Analyser):
    """Collects the evidence of bundled components during the pass (see the module docstring)."""

    name = "components"
    version = 1
    interest = Interest(kinds=frozenset((*NATIVE, STATIC_LIB)), suffixes=(
        ".h", ".pc", ".dist-info/METADATA", *_TCL_SCRIPTS), contains=(".dist-info/sboms/",))
    segments = True

    def __init__(self) -> None:
        self.evidence: list[dict] = []  #: {component, path, method, detail, version}
        self.files: dict[str, dict] = {}  #: carrier path -> {size, sha256, sha1}
        self.packages: list[dict] = []  #: dist-info METADATA
        self.sbom_components: list[dict] = []  #: from PEP 770 SBOMs
        self.vendored: list[dict] = []  #: {path, package, name}
        self.notes: list[str] = []
        #: library -> binaries searched for it (so that "no version string in X" can be said)
        self.searched: dict[str, list[str]] = {}
        self._plans: dict[str, tuple[str, ...]] = {}  #: binary path -> libraries to look for

    # -- the pass ---------------------------------------------------------------------------
    def want(self, member, head: bytes) -> int:
        path = member.path
        if member.kind in NATIVE or member.kind == STATIC_LIB:
            libraries = fp.carried(path)
            if not libraries and (member.kind == STATIC_LIB or not fp.cpython_part(path)):
                return 0
            self._plans[path] = libraries
            if ".libs/" in path or ".dylibs/" in path:
                self._vendored(path)
            return ALL
        base = path.rsplit("/", 1)[-1]
        if path.endswith(".dist-info/METADATA"):  # (read on the analysis thread, not here)
            return _METADATA_LIMIT
        if ".dist-info/sboms/" in path:
            return _SBOM_LIMIT if member.size <= _SBOM_LIMIT and base.endswith(".json") else 0
        if base in fp.HEADERS or base.endswith(".pc") or path.endswith(_TCL_SCRIPTS):
            if base == "version.h" and not path.endswith("lzma/version.h"):
                return 0
            return _HEADER_LIMIT
        return 0

    def feed(self, member, data, complete: bool) -> None:
        path = member.path
        if path in self._plans:
            self._binary(path, as_segments(data), self._plans.pop(path), complete, member.size)
            return
        raw = as_segments(data).tobytes()
        base = path.rsplit("/", 1)[-1]
        if path.endswith(".dist-info/METADATA"):
            self._metadata(path, raw)
        elif ".dist-info/sboms/" in path:
            self._sbom(path, raw)
        elif base.endswith(".pc"):
            self._pkg_config(path, base[:-3], raw)
        elif path.endswith(_TCL_SCRIPTS):
            self._tcl(path, raw)
        elif base in fp.HEADERS:
            self._header(path, base, raw)

    def scan_result(self) -> ComponentScan:
        """What the pass found, as the model."""
        return ComponentScan(
            evidence=[Found(e["component"], e["path"], e["method"], e["detail"], e.get("version"), e.get("note", ""))
                      for e in self.evidence],
            files={p: CarrierFile(p, f["size"], f["sha256"], f["sha1"]) for p, f in sorted(self.files.items())},
            packages=[FoundPackage(p["path"], p["name"], p["version"], p["license_expression"], p["license"],
                                   p["classifiers"])
                      for p in sorted(self.packages, key=lambda p: (p["name"].lower(), p["path"]))],
            sbom_components=[FoundSbomComponent(c["path"], c["package"], c["name"], c["version"], c["purl"],
                                                c["licence"], c["format"]) for c in self.sbom_components],
            vendored=[FoundVendored(v["path"], v["package"], v["name"]) for v in self.vendored],
            notes=list(self.notes), searched={k: sorted(v) for k, v in sorted(self.searched.items())})

    def result(self) -> ComponentScan:
        return self.scan_result()

    # -- binaries ---------------------------------------------------------------------------
    def _binary(self, path: str, data: Segments, libraries: tuple[str, ...], complete: bool, size: int) -> None:
        ranges = readonly_ranges(data) if data.startswith((b"\x7fELF", b"MZ", b"\xcf\xfa", b"\xce\xfa",
                                                           b"\xfe\xed", b"\xca\xfe")) else None
        # The read-only data (a small part of the file; all of it when its headers are unknown),
        # copied a window at a time so that no member is ever copied whole.
        spans = ranges or [(0, len(data))]
        patterns = [p for p in fp.BINARY_PATTERNS if p.component in libraries]
        if libraries is not fp.ALL:  # (everything is looked for in libpython: no news)
            for library in libraries:
                self.searched.setdefault(library, []).append(path)
        found: dict[tuple[str, str | None], dict] = {}
        sqlite_header = False
        for area in _windows(data, spans):
            for pattern, text, version in _search(area, patterns):
                if pattern.component == "sqlite" and pattern.method == "string":
                    sqlite_header = True
                    continue
                if pattern.component == "sqlite" and version:
                    version = fp.sqlite_autoconf(version)
                found.setdefault((pattern.component, version), {
                    "component": pattern.component, "path": path, "method": pattern.method,
                    "detail": text, "version": version})
        own = fp.dedicated(path)
        if own and not any(k[0] == own[0] and k[1] for k in found):
            library, pattern = own
            versions = sorted({m.group(1).decode() for area in _windows(data, spans) for m in pattern.finditer(area)})
            if len(versions) == 1:
                found[(library, versions[0])] = {
                    "component": library, "path": path, "method": "string", "version": versions[0],
                    "detail": f"{versions[0]} (the only bare version string in the library's own file)"}
        if sqlite_header:
            versions = sorted({m.group(1).decode() for area in _windows(data, spans)
                               for m in fp.SQLITE_VERSION.finditer(area)})
            if len(versions) == 1:
                found.setdefault(("sqlite", versions[0]), {
                    "component": "sqlite", "path": path, "method": "string",
                    "detail": f"{versions[0]} (SQLITE_VERSION, in a binary holding \"SQLite format 3\")",
                    "version": versions[0]})
            else:
                found.setdefault(("sqlite", None), {
                    "component": "sqlite", "path": path, "method": "string", "detail": "SQLite format 3",
                    "version": None,
                    "note": "several SQLite-like version strings" if versions else "no SQLITE_VERSION string"})
        part = fp.cpython_part(path) if data.startswith((b"\x7fELF", b"MZ", b"\xcf\xfa", b"\xce\xfa", b"\xfe\xed",
                                                         b"\xca\xfe")) else None
        if part and ("cpython", None) not in found and not any(k[0] == "cpython" for k in found):
            found[("cpython", None)] = {"component": "cpython", "path": path, "method": "file-name",
                                        "detail": f"{path.rsplit('/', 1)[-1]}: {part}", "version": None}
        self.evidence.extend(found.values())
        # Every binary searched is hashed: PYTHON.json may name it as a library's carrier
        # (libffi-8.dll holds no version string) and that is known only after the pass.
        if complete:
            sha256, sha1 = hashlib.sha256(), hashlib.sha1()
            for piece in data._pieces:  # (each piece once, on this analysis thread)
                sha256.update(piece)
                sha1.update(piece)
            self.files[path] = {"size": size, "sha256": sha256.hexdigest(), "sha1": sha1.hexdigest()}
        else:
            self.notes.append(f"{path}: only part of the file was read; not hashed")

    def _vendored(self, path: str) -> None:
        folder, _, base = path.rpartition("/")
        owner = folder.rsplit("/", 1)[-1]
        package = owner[:-len(".libs")] if owner.endswith(".libs") else (
            folder.rsplit("/", 2)[-2] if owner == ".dylibs" and folder.count("/") else owner)
        name = re.sub(r"(-[0-9a-f]{8})+(?=\.|$)", "", re.split(r"\.(?:so|dylib|dll)", base)[0])
        self.vendored.append({"path": path, "package": package, "name": name})

    # -- text files -------------------------------------------------------------------------
    def _header(self, path: str, base: str, raw: bytes) -> None:
        component, pattern = fp.HEADERS[base]
        match = pattern.search(raw)
        if match:
            version = ".".join(g.decode("ascii", "replace") for g in match.groups())
            self._add(component, path, "header", _line_of(raw, match.start(), match.end()), version)
        elif base in ("bzlib.h", "opensslv.h", "sqlite3.h", "zlib.h", "tcl.h", "tk.h", "expat.h", "ffi.h"):
            self._add(component, path, "header", base, None)

    def _pkg_config(self, path: str, base: str, raw: bytes) -> None:
        component = fp.pkg_config_library(base)
        if component is None:
            return
        fields = {k.decode(): v.decode("utf-8", "replace") for k, v in _PC_FIELD.findall(raw)}
        version = fields.get("Version") or None
        if version and not re.fullmatch(r"\d+(?:\.\d+)*[a-z]?", version):
            version = None
        self._add(component, path, "pkg-config", f"Version: {fields.get('Version', '')}".strip(), version)

    def _tcl(self, path: str, raw: bytes) -> None:
        if path.endswith("Config.sh"):
            for match in _TCL_CONFIG.finditer(raw):
                which, patch = match.group(1).decode().lower(), match.group(3).decode()
                version = match.group(2).decode() + patch if patch.startswith(".") else patch
                self._add(which, path, "script", f"{which.upper()}_VERSION / {which.upper()}_PATCH_LEVEL", version)
            return
        for regex in (_TCL_REQUIRE, _TCL_IFNEEDED):
            for match in regex.finditer(raw):
                self._add(match.group(1).decode().lower(), path, "script",
                          match.group(0).decode("ascii", "replace"), match.group(2).decode())
                break

    def _metadata(self, path: str, raw: bytes) -> None:
        """Read a METADATA's headers (up to the first blank line)."""
        end = raw.find(b"\n\n")
        text = raw[:end if end >= 0 else len(raw)].decode("utf-8", "replace")
        fields: dict[str, list[str]] = {}
        for line in text.splitlines():
            if ":" in line and not line[:1].isspace():
                key, _, value = line.partition(":")
                fields.setdefault(key.strip().lower(), []).append(value.strip())
        name = (fields.get("name") or [""])[0]
        if not name:
            return
        def first(key: str) -> str | None:
            return (fields.get(key) or [""])[0] or None

        self.packages.append({
            "path": path, "name": name, "version": first("version"),
            "license_expression": first("license-expression"), "license": first("license"),
            "classifiers": [c for c in fields.get("classifier", []) if c.startswith("License ::")],
        })

    def _sbom(self, path: str, raw: bytes) -> None:
        try:
            document = json.loads(raw)
        except (ValueError, RecursionError):
            self.notes.append(f"{path}: not JSON; SBOM not read")
            return
        package = path.split(".dist-info/")[0].rsplit("/", 1)[-1]
        package = re.sub(r"-\d.*$", "", package)
        items = _sbom_items(document)
        if len(items) > _MAX_SBOM_COMPONENTS:
            self.notes.append(f"{path}: {len(items):,} components; the first {_MAX_SBOM_COMPONENTS:,} are listed")
        for item in items[:_MAX_SBOM_COMPONENTS]:
            item.update(path=path, package=package)
            self.sbom_components.append(item)

    def _add(self, component: str, path: str, method: str, detail: str, version: str | None) -> None:
        self.evidence.append({"component": component, "path": path, "method": method, "detail": detail,
                              "version": version})


def _line_of(raw: bytes, start: int, end: int) -> str:
    begin = raw.rfind(b"\n", 0, start) + 1
    stop = raw.find(b"\n", end)
    return " ".join(raw[begin:stop if stop >= 0 else len(raw)].decode("utf-8", "replace").split())[:200]


def _windows(data: Segments, spans: list[tuple[int, int]]):
    """The bytes of ``spans`` in windows of at most :data:`_WINDOW` (plus an overlap, so that a
    string cut by a window's end is seen whole in the next)."""
    for offset, size in spans:
        for start in range(offset, offset + size, _WINDOW):
            yield data.read(start, min(_WINDOW + _OVERLAP, offset + size - start))


def _search(buf: bytes, patterns: list) -> list[tuple[Any, str, str | None]]:
    """(pattern, text found, version) for each pattern that matches in ``buf``: ``bytes.find``
    of the pattern's anchor, then its regular expression in a small window around each hit."""
    out = []
    find = buf.find
    for pattern in patterns:
        anchor, regex = pattern.anchor, pattern.regex
        at, hits = find(anchor), 0
        while at >= 0 and hits < _MAX_HITS:
            match = regex.search(buf, max(0, at - _BEFORE), at + _AFTER)
            if match:
                text = match.group(0).decode("latin-1").strip("\x00 \\/")
                version = match.group(1).decode("ascii") if regex.groups else None
                out.append((pattern, text, version))
                break
            hits += 1
            at = find(anchor, at + 1)
    return out


def _sbom_items(document: Any) -> list[dict]:
    """Components of a CycloneDX or SPDX JSON document: {name, version, purl, licence}."""
    out: list[dict] = []
    if not isinstance(document, dict):
        return out
    if document.get("bomFormat") == "CycloneDX":
        for c in document.get("components") or []:
            if not isinstance(c, dict) or not c.get("name"):
                continue
            licences = []
            for entry in c.get("licenses") or []:
                if isinstance(entry, dict):
                    if entry.get("expression"):
                        licences.append(str(entry["expression"]))
                    elif isinstance(entry.get("license"), dict) and entry["license"].get("id"):
                        licences.append(str(entry["license"]["id"]))
            out.append({"name": str(c["name"]), "version": _str(c.get("version")), "purl": _str(c.get("purl")),
                        "licence": " AND ".join(licences) or None, "format": "CycloneDX"})
    elif str(document.get("spdxVersion", "")).startswith("SPDX-"):
        for p in document.get("packages") or []:
            if not isinstance(p, dict) or not p.get("name"):
                continue
            purl = next((r.get("referenceLocator") for r in p.get("externalRefs") or []
                         if isinstance(r, dict) and r.get("referenceType") == "purl"), None)
            licence = p.get("licenseConcluded") or p.get("licenseDeclared")
            out.append({"name": str(p["name"]), "version": _str(p.get("versionInfo")), "purl": _str(purl),
                        "licence": licence if licence not in (None, "NOASSERTION", "NONE") else None,
                        "format": "SPDX"})
    return out


def _str(value: Any) -> str | None:
    return str(value) if value not in (None, "") else None
