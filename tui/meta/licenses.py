"""Licence texts and components: who is licensed how, and whether anything is GPL.

:class:`LicenseFiles` rides the pass and keeps every licence file's text (they are small; the
total kept is bounded) with what :func:`distscope.tui.meta.spdx.analyse` finds in it, part by
part (each distinct text once), and the licence fields of wheels' METADATA. :func:`summarize`
links them to the components PYTHON.json declares (CPython and each extension module), or,
without PYTHON.json, groups the files by the package they belong to; it sets what each component
declares beside what its texts are, gathers the GPL evidence (file, lines and section; binary and
library) and the GPL under runtime-library exceptions, and lists the libraries the component
inventory finds compiled into the binaries with the texts that cover them.
"""

from __future__ import annotations

import posixpath
import re
from typing import Any

from distscope.tui.analysis.elf import needed_libraries
from distscope.tui.archive.index import ArchiveIndex
from distscope.tui.archive.members import FILE, Member
from distscope.tui.archive.plugin import ALL, Analyser, Interest
from distscope.tui.meta.pythonjson import str_list
from distscope.tui.model.codec import from_plain, to_plain
from distscope.tui.model.components import Inventory
from distscope.tui.model.distribution import PythonJson
from distscope.tui.model.findings import Finding, finding
from distscope.tui.model.licences import Licences, LicenceScan
from distscope.tui.model.report import BinaryAnalysis
from distscope.tui.meta.contained import contained, statement as contained_statement
from distscope.tui.meta.coremeta import by_name, header_fields
from distscope.tui.meta.spdx import (analyse, base_ids, claims, identify, is_copyleft, is_gpl, is_gpl_family,
                                     runtime_exception)

#: Licence files are read whole up to this size.
MAX_FILE = 1 << 20
#: Texts kept in the (cached) result at most, in total; beyond it only ids are kept.
MAX_TEXT_TOTAL = 8 << 20

#: Licence files by name: LICENSE*, LICENCE*, COPYING*, NOTICE* (and license.terms, Tcl/Tk's).
_NAME = re.compile(r"^(licen[cs]es?|copying|notices?)(?:[._\-].*)?$", re.I)
_NOT_TEXT = re.compile(r"\.(py|pyc|pyo|pyi|h|c|cc|cpp|html?|so|dylib|dll|pyd|exe|lib|a|o|obj|gif|png|tcl|js)$", re.I)
_FOLDER = re.compile(r"(^|/)([^/]+\.dist-info/(licenses|license_files)|licenses)/", re.I)
#: Folders that say nothing about which component a licence file belongs to.
_GENERIC = {"demos", "doc", "docs", "licenses", "license", "share", "lib", "include", "install", "python",
            "lib64", "site-packages", "dist-packages", "src", "legal"}
_GPL_LIBS = re.compile(r"^lib(readline|gdbm|gdbm_compat)[.\-]", re.I)
#: Extension modules that link readline or gdbm when built against them.
_GPL_MODULES = re.compile(r"/(?:lib-dynload|DLLs)/(readline|_gdbm|_dbm)\.[^/]*(?:so|pyd)$")


def _named_license(path: str, size: int = 0) -> bool:
    base = posixpath.basename(path)
    if base.upper() == "COPYING.LIB":  # the LGPL's customary name
        return True
    if _NOT_TEXT.search(base) or size > MAX_FILE * 8:
        return False
    return base.lower() == "license.terms" or bool(_NAME.match(base))


def _in_license_folder(path: str, size: int = 0) -> bool:
    """Under a licences folder (``*.dist-info/licenses/``), whatever its name: a licence file only
    when its text looks like one (``AUTHORS.txt`` sits there too)."""
    base = posixpath.basename(path)
    if _NOT_TEXT.search(base) or size > MAX_FILE * 8:
        return False
    return bool(_FOLDER.search(path)) and "/_vendor/packaging/licenses/" not in path


def is_license_file(path: str, size: int = 0, text: str | bytes | None = None) -> bool:
    """A licence file: by its name (LICENSE*, LICENCE*, COPYING*, NOTICE*, license.terms), or a
    file in a licences folder whose ``text`` (when given) is identified as a licence."""
    if _named_license(path, size):
        return True
    return _in_license_folder(path, size) and text is not None and bool(identify(text))


#: A wheel's core metadata (its header is read for the licence it declares).
_METADATA = re.compile(r"(?:^|/)([^/]+)\.dist-info/METADATA$")
#: Bytes of a METADATA file read: the header fields come before the description.
METADATA_HEAD = 64 << 10


class LicenseFiles(Analyser):
    """Reads licence texts (and wheels' METADATA headers) as they stream past; identifies each
    distinct text once (by its SHA-256), on the analysis thread."""

    name = "licenses"
    version = 4
    interest = Interest(contains_folded=("licen", "copying", "notice", "/lib-dynload/", "/dlls/",
                                         ".dist-info/metadata"))

    def __init__(self) -> None:
        self.files: list[dict[str, Any]] = []
        self.metadata: list[dict[str, Any]] = []
        self.module_needs: dict[str, list[str]] = {}
        self._kept = 0
        self._seen: dict[bytes, dict[str, Any]] = {}  #: digest -> analysis (identical texts identified once)

    def want(self, member: Member, head: bytes) -> int:
        lower = member.path.lower()
        # Cheap rejection first: this runs for every member of the archive.
        if lower.endswith(".dist-info/metadata"):
            return METADATA_HEAD if _METADATA.search(member.path) else 0
        if not (lower.rpartition("/")[2].startswith(("licen", "copying", "notice"))
                or "licens" in lower or "/lib-dynload/" in lower or "/dlls/" in lower):
            return 0
        if _GPL_MODULES.search(member.path) and head.startswith(b"\x7fELF"):
            return ALL
        wanted = _named_license(member.path, member.size) or _in_license_folder(member.path, member.size)
        return MAX_FILE if wanted else 0

    def feed(self, member: Member, data: bytes, complete: bool) -> None:
        if data.startswith(b"\x7fELF"):
            self.module_needs[member.path] = needed_libraries(data)
            return
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            text = data.decode("latin-1")  # old licence files; never fails
        if member.path.endswith("/METADATA") and _METADATA.search(member.path):
            self.metadata.append({"path": member.path, **read_metadata(text)})
            return
        found = self._analysis(data, text)
        if not found["spdx"] and not _named_license(member.path, member.size):
            return  # in a licences folder but not a licence (AUTHORS.txt, a README)
        keep = self._kept + len(data) <= MAX_TEXT_TOTAL
        self._kept += len(data) if keep else 0
        self.files.append({"path": member.path, "size": member.size, "spdx": found["spdx"],
                           "parts": found["parts"], "declared": found["declared"],
                           "text": text if keep else None, "truncated": not complete})

    def _analysis(self, data: bytes, text: str) -> dict[str, Any]:
        import hashlib

        digest = hashlib.sha256(data).digest()
        found = self._seen.get(digest)
        if found is None:
            found = self._seen[digest] = analyse(text).as_dict()
        return found

    def result(self) -> LicenceScan:
        return from_plain(LicenceScan, {"files": self.files, "text_bytes": self._kept,
                                        "module_needs": self.module_needs, "metadata": self.metadata})


_CLASSIFIER_IDS = {
    "MIT License": "MIT", "MIT No Attribution License (MIT-0)": "MIT-0", "ISC License (ISCL)": "ISC",
    "Apache Software License": "Apache-2.0", "Mozilla Public License 2.0 (MPL 2.0)": "MPL-2.0",
    "Mozilla Public License 1.1 (MPL 1.1)": "MPL-1.1", "Python Software Foundation License": "PSF-2.0",
    "zlib/libpng License": "Zlib", "The Unlicense (Unlicense)": "Unlicense", "Public Domain": "LicenseRef-Public-Domain",
    "Boost Software License 1.0 (BSL-1.0)": "BSL-1.0", "Historical Permission Notice and Disclaimer (HPND)": "HPND",
    "University of Illinois/NCSA Open Source License": "NCSA", "CC0 1.0 Universal (CC0 1.0) Public Domain Dedication": "CC0-1.0",
    "GNU General Public License v2 (GPLv2)": "GPL-2.0-only", "GNU General Public License v2 or later (GPLv2+)": "GPL-2.0-or-later",
    "GNU General Public License v3 (GPLv3)": "GPL-3.0-only", "GNU General Public License v3 or later (GPLv3+)": "GPL-3.0-or-later",
    "GNU Lesser General Public License v2 (LGPLv2)": "LGPL-2.0-only",
    "GNU Lesser General Public License v2 or later (LGPLv2+)": "LGPL-2.0-or-later",
    "GNU Lesser General Public License v3 (LGPLv3)": "LGPL-3.0-only",
    "GNU Lesser General Public License v3 or later (LGPLv3+)": "LGPL-3.0-or-later",
    "GNU Affero General Public License v3": "AGPL-3.0-only",
    "GNU Affero General Public License v3 or later (AGPLv3+)": "AGPL-3.0-or-later",
    "BSD License": "LicenseRef-BSD",  # (which BSD licence the classifier does not say)
}


def read_metadata(text: str) -> dict[str, Any]:
    """The licence a wheel's METADATA header declares: ``License-Expression`` (PEP 639),
    ``License`` (its first line) and the ``License ::`` classifiers, with SPDX ids where the
    classifier names one."""
    fields = by_name(header_fields(text))

    def first(name: str) -> str:
        return (fields.get(name) or [""])[0]

    classifiers = [c.split("::", 1)[1].strip() for c in fields.get("classifier", [])
                   if c.strip().startswith("License ::")]
    licence = first("license").strip().splitlines()
    return {"name": first("name").strip(), "version": first("version").strip(),
            "license_expression": first("license-expression").strip() or None,
            "license": licence[0].strip()[:200] if licence else None,
            "classifiers": classifiers}


def declared_of(meta: dict[str, Any]) -> tuple[list[str], str]:
    """The SPDX expressions a METADATA header declares, and which field said so."""
    from distscope.tui.meta.spdx import looks_like_expression

    if meta.get("license_expression"):
        return [meta["license_expression"]], "METADATA License-Expression"
    if meta.get("license") and looks_like_expression(meta["license"]):
        return [meta["license"]], "METADATA License"
    ids = []
    for c in meta.get("classifiers") or []:
        spdx = _CLASSIFIER_IDS.get(c.rsplit("::", 1)[-1].strip())
        if spdx and spdx not in ids:
            ids.append(spdx)
    return ids, ("METADATA Classifier" if ids else "")


# -- grouping discovered files ----------------------------------------------------------------

_DIST_INFO = re.compile(r"(?:^|/)([A-Za-z0-9_.]+?)-([^/-]+)\.dist-info/(.*)$")
_SITE = re.compile(r"(?:^|/)(?:site|dist)-packages/(.*)$")
_VENDORED_SRC = re.compile(r"(?:licenses|license_files)/src/(.+)/[^/]+$").match
_REPOSITORY_LICENSE = re.compile(r"(?:install/)?licenses/LICENSE\.([^/]+?)(?:\.txt)?$").match
_STDLIB_FOLDER = re.compile(r"(install/)?(lib/python\d+\.\d+[a-z]*|Lib)?").fullmatch
_DRIVE = re.compile(r"^[A-Za-z]:").match


def component_of(path: str, root: str = "") -> str:
    """The package or component a discovered licence file belongs to."""
    rel = path[len(root) + 1:] if root and path.startswith(root + "/") else path
    match = _DIST_INFO.search(rel)
    if match:
        inner = match.group(3)
        src = _VENDORED_SRC(inner)
        if src:  # a vendored project's licence copied into the wheel's metadata
            return src.group(1)
        return match.group(1).replace("_", "-").lower()
    match = _REPOSITORY_LICENSE(rel)
    if match:
        return match.group(1)
    site = _SITE.search(rel)
    if site:
        folder = posixpath.dirname(site.group(1))
        return folder or posixpath.basename(site.group(1))
    folder = posixpath.dirname(rel)
    if _STDLIB_FOLDER(folder) or folder == "":
        return "CPython"
    parts = [p for p in folder.split("/") if p.lower() not in _GENERIC]
    return parts[-1] if parts else "CPython"


# -- the summary ------------------------------------------------------------------------------

def _root_of(index: ArchiveIndex) -> str:
    tops = {m.path.split("/", 1)[0] for m in index.members[:200] if "/" in m.path}
    return tops.pop() if len(tops) == 1 else ""


def _member(root: str, rel: str) -> str:
    return f"{root}/{rel}" if root else rel


def safe_relative(rel: str) -> str | None:
    """A PYTHON.json licence path, normalised (``./a//b`` -> ``a/b``); None when it is absolute
    or leaves the distribution (``/etc/passwd``, ``../x``, ``C:\\x``): never an archive member."""
    rel = rel.replace("\\", "/").strip()
    if not rel or rel.startswith("/") or _DRIVE(rel):
        return None
    norm = posixpath.normpath(rel)
    if norm in (".", "..") or norm.startswith("../"):
        return None
    return norm


def resolve_pointers(files: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Licence files that only point at others (packaging's ``LICENSE``: "either of the licenses
    found in LICENSE.APACHE or LICENSE.BSD"): path -> {"spdx": ids of the files named, "refers_to":
    their paths}. Only unidentified files naming a licence file of the same folder count."""
    by_folder: dict[str, list[dict[str, Any]]] = {}
    for f in files:
        by_folder.setdefault(posixpath.dirname(f["path"]), []).append(f)
    out: dict[str, dict[str, Any]] = {}
    for f in files:
        text = f.get("text")
        if f["spdx"] or not isinstance(text, str) or len(text) > 16 << 10:
            continue
        refers, ids = [], []
        folded = text.lower() if text.isascii() else None  #: for a cheap exact pre-test of ASCII names
        for other in by_folder[posixpath.dirname(f["path"])]:
            name = posixpath.basename(other["path"])
            if other is f or folded is not None and name.isascii() and name.lower() not in folded:
                continue  # (an ASCII name absent from an ASCII text, whatever the case: no pattern compiled)
            if not re.search(rf"(?<![\w.\-]){re.escape(name)}(?![\w\-])", text, re.I):
                continue
            refers.append(other["path"])
            ids += [x for x in other["spdx"] if x not in ids]
        if refers:
            out[f["path"]] = {"spdx": ids, "refers_to": refers}
    return out


def _binary_needs(index: ArchiveIndex) -> list[tuple[str, str]]:
    """(binary path, needed library) pairs from the binaries analysis, when there is one: ELF
    DT_NEEDED, PE imports, Mach-O dylibs (of every slice)."""
    analysis: BinaryAnalysis | None = index.results.get("binaries")
    pairs: list[tuple[str, str]] = []
    for path, b in (analysis.binaries if analysis is not None else {}).items():
        if b.elf is not None:
            pairs += [(path, name) for name in b.elf.needed]
        elif b.pe is not None:
            pairs += [(path, name) for name in b.pe.imports]
        elif b.macho is not None:
            pairs += [(path, d.name) for d in b.macho.dylibs]
            for s in b.macho.slices or []:
                pairs += [(path, d.name) for d in s.dylibs]
    return pairs


def _files_named_l(members: list[Member]) -> list[str]:
    """The paths of the file members whose name starts with "l" or "L", in archive order: the
    only ones :data:`_GPL_LIBS` can match (no other letter case-folds to "l")."""
    return [m.path for m in members if m.type == FILE and m.path.rpartition("/")[2][:1] in "lL"]


def gpl_evidence(index: ArchiveIndex, data: dict[str, Any] | None, extensions: list[dict[str, Any]], components: list[dict[str, Any]],
                 parts_of: dict[str, list[dict[str, Any]]] | None = None,
                 exempt: list[dict[str, Any]] | None = None, paths: dict[tuple[str, str], str] | None = None) -> list[dict[str, Any]]:
    """Every GPL-licensed component with what shows it: the PYTHON.json key, the binary and the
    library it links, or the licence file, its lines and section. GPL texts under a runtime-library
    exception go to ``exempt`` (with the reason) instead. ``paths`` gets the member each piece of
    evidence is in (PYTHON.json, the binary, the library, the licence file)."""
    found: list[dict[str, Any]] = []
    parts_of = parts_of or {}
    exempt = [] if exempt is None else exempt
    paths = {} if paths is None else paths
    pj_path = _pythonjson(index).path or "PYTHON.json"

    def add(component: str, evidence: str, path: str | None = None) -> None:
        found.append({"component": component, "evidence": evidence})
        member = path if path and index.get(path) is not None else None
        paths.setdefault((component, evidence), member or pj_path)

    if data:
        for spdx in str_list(data.get("licenses")) or []:  # a lone string is one id, not letters
            if is_gpl(spdx):
                add("CPython", f"PYTHON.json licenses: {spdx}")
        for ext in extensions:
            for spdx in ext.get("licenses") or []:
                if is_gpl(spdx):
                    add(ext["name"], f"PYTHON.json extension {ext['name']} licenses: {spdx}")
            links = {link["name"].lower() for link in ext.get("links") or []}
            for lib in ("readline", "gdbm", "gdbm_compat"):
                if lib in links:
                    add(ext["name"], f"PYTHON.json extension {ext['name']} links {lib}")
            if ext.get("variant") == "readline" or "readline" in (ext.get("variants") or []):
                add(ext["name"], f"PYTHON.json extension {ext['name']} has a readline variant")
    for ext in extensions:
        if ext["name"] == "_gdbm":
            add("_gdbm", f"extension module _gdbm present ({ext.get('shared_lib') or 'built in'})",
                ext.get("shared_lib") or None)
    needs = _binary_needs(index)
    module_needs = _scan(index).get("module_needs") or {}
    needs += [(path, lib) for path, libs in module_needs.items() for lib in libs or []]
    for path in _files_named_l(index.members):
        if _GPL_LIBS.match(posixpath.basename(path)):
            add(posixpath.basename(path), f"the archive ships {path}", path)
    for binary, needed in needs:
        if _GPL_LIBS.match(posixpath.basename(needed)):
            add(needed, f"{binary} needs {needed}", binary)
    for component in components:
        for path in component["files"]:
            for part, spdx, exception in claims(parts_of.get(path) or []):
                if not is_gpl_family(spdx):
                    continue
                where = f"{path} lines {part['lines'][0]}-{part['lines'][1]}" + (
                    f" ({part['section']})" if part.get("section") else "")
                how = f"; {part['how']}" if part.get("how") else ""
                if exception and runtime_exception(f"{spdx} WITH {exception}"):
                    exempt.append({"component": component["name"], "section": part.get("section") or "",
                                   "expression": f"{spdx} WITH {exception}",
                                   "evidence": f"{where} is {spdx}{how}; the section carries {exception}",
                                   "reason": runtime_exception(f"{spdx} WITH {exception}")})
                else:
                    add(component["name"], f"{where} is {spdx}{how}", path)
    seen, unique = set(), []
    for item in found:
        key = (item["component"], item["evidence"])
        if key not in seen:
            seen.add(key)
            unique.append(item)
    return unique


def summarize(index: ArchiveIndex, inventory: Inventory | None = None) -> Licences:
    """The licences section (the typed model, read by the codec from the summary's plain data);
    ``inventory``: the component inventory when the caller has built it already."""
    return from_plain(Licences, _summary(index, inventory))


def _pythonjson(index: ArchiveIndex) -> PythonJson:
    pj = index.results.get("pythonjson")
    if isinstance(pj, dict):  # (plain data: an older cache, a test)
        return from_plain(PythonJson, pj)
    return pj if isinstance(pj, PythonJson) else PythonJson()


def _scan(index: ArchiveIndex) -> dict[str, Any]:
    """The licence analyser's result as plain data (it is typed; plain in some tests)."""
    scan = index.results.get("licenses")
    if scan is None:
        return {}
    return scan if isinstance(scan, dict) else to_plain(scan)


def _summary(index: ArchiveIndex, inventory: Inventory | None = None) -> dict[str, Any]:
    """The licences section: components, files, GPL evidence (plain data)."""
    from distscope.tui.meta.distribution import extension_modules

    pj = _pythonjson(index)
    data = pj.data if isinstance(pj.data, dict) else None
    scanned = _scan(index)
    files = scanned.get("files") or []
    parts_of = {f["path"]: f.get("parts") or [] for f in files}
    pointers = resolve_pointers(files)
    ids_of = {f["path"]: (pointers[f["path"]]["spdx"] if f["path"] in pointers else f["spdx"]) or [] for f in files}
    by_path = {f["path"]: f for f in files}
    pj_path = pj.path or "PYTHON.json"
    root = _root_of(index)
    components: list[dict[str, Any]] = []
    findings: list[Any] = []  #: Finding objects
    claimed: set[str] = set()

    def linked(rel_paths: list[str], name: str) -> list[str]:
        out = []
        for raw in rel_paths:
            rel = safe_relative(raw)
            if rel is None:
                findings.append(finding("warning", "license-path-unsafe",
                                        f"{name}: licence path {raw!r} in PYTHON.json is not inside the "
                                        "distribution (absolute, empty or escaping with ..); not looked up "
                                        "in the archive", [pj_path]))
                continue
            path = _member(root, rel)
            if path in out:
                continue
            if path in by_path or index.get(path) is not None:
                out.append(path)
                claimed.add(path)
            else:
                findings.append(finding("warning", "license-file-missing",
                                        f"{name}: licence file {rel} named in PYTHON.json is not in the archive",
                                        [path]))
        return out

    def detected(paths: list[str]) -> list[str]:
        ids: list[str] = []
        for path in paths:
            for spdx in ids_of.get(path) or []:
                if spdx not in ids:
                    ids.append(spdx)
        return ids

    extensions = extension_modules(data) if data else []
    if data:
        declared = str_list(data.get("licenses")) or []  # a lone string is one id (a finding says so)
        paths = linked(str_list(data.get("license_path")) or [], "CPython")
        components.append({"name": "CPython", "kind": "cpython", "source": "PYTHON.json",
                           "licenses": declared or detected(paths), "declared": declared,
                           "detected": detected(paths), "files": paths, "public_domain": False})
        for ext in extensions:
            if ext["licenses"] is None and not ext["license_paths"]:
                continue  # part of CPython itself
            paths = linked(ext["license_paths"], ext["name"])
            declared = ext["licenses"] or []
            components.append({"name": ext["name"], "kind": "extension", "source": "PYTHON.json",
                               "licenses": declared or ([] if ext["license_public_domain"] else detected(paths)),
                               "declared": declared, "detected": detected(paths), "files": paths,
                               "public_domain": bool(ext["license_public_domain"])})
    groups: dict[str, list[str]] = {}
    folder_files: list[str] = []
    repository_licenses = _member(root, "licenses/")
    for f in files:
        if f["path"] in claimed:
            continue
        if data and f["path"].startswith(repository_licenses):
            folder_files.append(f["path"])  # a copy of every licence in the build repository, not proof
            continue
        groups.setdefault(component_of(f["path"], root), []).append(f["path"])
    for name in sorted(groups, key=lambda n: (n != "CPython", n.lower())):
        paths = groups[name]
        ids = detected(paths)
        existing = next((c for c in components if c["name"] == name), None)
        if existing is not None:
            existing["files"] += [p for p in paths if p not in existing["files"]]
            existing["detected"] = detected(existing["files"])
            continue
        components.append({"name": name, "kind": "cpython" if name == "CPython" else "package",
                           "source": "discovered", "licenses": ids, "declared": [], "detected": ids,
                           "files": paths, "public_domain": ids == ["LicenseRef-Public-Domain"]})
    _add_declared(components, scanned.get("metadata") or [], files, root)
    for component in components:
        if component["source"] == "discovered":
            component["files"].sort(key=_file_rank)
        component["gpl"] = any(is_gpl(x) for x in component["licenses"] + component["declared"])
    exempt: list[dict[str, Any]] = []
    evidence_paths: dict[tuple[str, str], str] = {}
    gpl = gpl_evidence(index, data, extensions or _dynload_extensions(index), components, parts_of, exempt,
                       evidence_paths)
    findings += _mismatches(components, pj_path)
    gpl_names = {g["component"] for g in gpl}
    for component in components:
        component["gpl"] = component["gpl"] or component["name"] in gpl_names
    unidentified = [f["path"] for f in files if not ids_of[f["path"]]]
    exempt_note = ""
    if exempt:
        exempt_note = " GPL code under a runtime-library exception, not encumbering: " + "; ".join(
            f"{e['component']}{' ' + e['section'] if e['section'] and e['section'] != e['component'] else ''} "
            f"({e['expression']}: {e['reason']})" for e in _unique(exempt, ("component", "expression", "section")))
    if gpl:
        statement = "GPL-encumbered: " + "; ".join(f"{g['component']} ({g['evidence']})" for g in gpl)
        # (the members that carry the evidence: not every file of a GPL component)
        findings.append(finding("warning", "license-gpl", statement,
                                sorted({evidence_paths[(g["component"], g["evidence"])] for g in gpl})))
    elif data or files:
        checks = ["no licence " + ("id in PYTHON.json" if data else "text") + " is GPL",
                  "no _gdbm extension module"]
        if data:
            checks.append("no extension links readline or gdbm")
        module_needs = scanned.get("module_needs") or {}
        if index.results.get("binaries") is not None:
            checks.append("no binary needs libreadline or libgdbm")
        elif module_needs:
            checks.append("no readline/_gdbm/_dbm module needs libreadline or libgdbm")
        else:
            checks.append("binaries not checked for libreadline/libgdbm")
        checks.append("no libreadline or libgdbm shipped")
        statement = "Not GPL-encumbered: " + ", ".join(checks) + "."
    else:
        statement = "No licence information found in this archive."
    statement += exempt_note
    static = _contained(index, files, inventory)
    statement += contained_statement(static)
    copyleft = [e for e in static if e["licence"] and is_copyleft(e["licence"]) and not is_gpl(e["licence"])]
    if copyleft:
        statement += " Copyleft, not GPL: " + "; ".join(
            f"{e['name']} ({e['licence']}) compiled into {', '.join(posixpath.basename(p) for p in e['contained_in'][:2])}"
            for e in copyleft) + "."
    for e in static:
        if e["missing_text"]:
            findings.append(finding("warning", "license-text-missing",
                                    f"{e['name']}{' ' + e['version'] if e['version'] else ''} is compiled into "
                                    f"{', '.join(e['contained_in'][:3])} ({e['licence'] or 'licence unknown'}, "
                                    f"{e['licence_source'] or 'no source'}), and no licence text in the archive "
                                    "covers it", e["contained_in"][:3]))
    if not index.complete:
        statement = f"Archive incomplete ({index.error or 'not read to the end'}); from what was read: " + statement
    all_ids = sorted({x for c in components for x in c["licenses"]})
    component_of_file: dict[str, str] = {}  #: path -> the first component listing it
    for c in components:
        for path in c["files"]:
            component_of_file.setdefault(path, c["name"])
    return {
        "source": "PYTHON.json" if data else ("discovered" if files else None),
        "components": components,
        "spdx": all_ids,
        "gpl": gpl,
        "gpl_exempt": _unique(exempt, ("component", "evidence")),
        "gpl_free": not gpl,
        "complete": bool(index.complete) and not any(e["missing_text"] for e in static),
        "statement": statement,
        "files": [{"path": f["path"], "size": f["size"], "spdx": ids_of[f["path"]],
                   "component": component_of_file.get(f["path"]),
                   "parts": f.get("parts") or [], "declared": f.get("declared") or [],
                   **({"refers_to": pointers[f["path"]]["refers_to"]} if f["path"] in pointers else {})} for f in files],
        "root": root,
        "repository_license_files": folder_files,
        "unidentified": unidentified,
        "findings": [to_plain(f) for f in findings],
        "contained": static,
    }


def _contained(index: ArchiveIndex, files: list[dict[str, Any]], inventory: Inventory | None = None
               ) -> list[dict[str, Any]]:
    """The native libraries the component inventory finds in the binaries, with their texts
    (none when the components analyser did not run)."""
    if "components" not in (index.results or {}):
        return []
    from distscope.tui.meta.inventory import build_inventory

    try:
        inventory = inventory or build_inventory(index)
    except Exception:  # (the inventory's own section reports its failure; the licences stand without it)
        return []
    return contained(inventory.components, files)


def _unique(items: list[dict[str, Any]], keys: tuple[str, ...]) -> list[dict[str, Any]]:
    seen, out = set(), []
    for item in items:
        key = tuple(item.get(k) for k in keys)
        if key not in seen:
            seen.add(key)
            out.append(item)
    return out


def _add_declared(components: list[dict[str, Any]], metadata: list[dict[str, Any]], files: list[dict[str, Any]], root: str) -> None:
    """What each discovered component declares: its wheel METADATA (License-Expression, License,
    classifiers) and the ``License:`` lines of its licence files' sections."""
    by_name = {c["name"]: c for c in components}
    for meta in metadata:
        component = by_name.get(component_of(meta["path"], root))
        if component is None or component["source"] != "discovered":
            continue
        ids, source = declared_of(meta)
        component["declared"] = ids
        component["declared_from"] = f"{meta['path']}: {source}" if source else meta["path"]
    for f in files:
        for item in f.get("declared") or []:
            for component in components:
                if f["path"] in component["files"]:
                    label = item["expression"] + (f" ({item['section']})" if item.get("section") else "")
                    component.setdefault("bundled_declared", [])
                    if label not in component["bundled_declared"]:
                        component["bundled_declared"].append(label)
    for component in components:
        component.setdefault("declared_from", "PYTHON.json" if component["source"] == "PYTHON.json" else "")
        component.setdefault("bundled_declared", [])


def _mismatches(components: list[dict[str, Any]], pj_path: str) -> list[Finding]:
    """A finding for each component whose declared licence and the licences found in its files
    differ: ids declared but not found, and found but not declared (with bundled libraries'
    own ``License:`` lines counted as declared)."""
    out = []
    for c in components:
        if not c["declared"] or not c["detected"]:
            continue
        declared = base_ids(c["declared"]) | base_ids([d.split(" (")[0] for d in c.get("bundled_declared") or []])
        detected = base_ids(c["detected"])
        bsd = "LicenseRef-BSD" in declared
        missing = sorted(x for x in declared - detected if not (x == "LicenseRef-BSD" and any(
            d.startswith(("BSD-", "0BSD")) for d in detected)))
        extra = sorted(x for x in detected - declared if not (bsd and x.startswith(("BSD-", "0BSD")))
                       and x != "LicenseRef-Public-Domain")
        if not missing and not extra:
            continue
        gpl = [x for x in c["detected"] if is_gpl(x) and base_ids([x]) & set(extra)]
        text = (f"{c['name']}: declared {' AND '.join(c['declared'])} ({c.get('declared_from') or c['source']}), "
                f"licence texts show {', '.join(c['detected'])}")
        if missing:
            text += f"; declared but no text found: {', '.join(missing)}"
        if extra:
            text += f"; found but not declared: {', '.join(extra)}"
        out.append(finding("warning" if gpl else "info", "license-declared-differs", text,
                           c["files"] or [pj_path]))
    return out


def _file_rank(path: str) -> tuple[Any, ...]:
    """Licence texts first, outside wheel metadata first."""
    base = posixpath.basename(path).lower()
    return (not base.startswith(("licen", "copying")), ".dist-info/" in path, path)


_DYNLOAD_EXTENSION = re.compile(r"/(?:lib-dynload|DLLs)/([A-Za-z0-9_]+)\.[^/]*(?:so|pyd)$").search
#: How the paths it matches end (``$`` also matches before a final newline), and their last characters.
_EXTENSION_TAILS = ("so", "pyd", "so\n", "pyd\n")
_EXTENSION_LAST = "od\n"


def _dynload_extensions(index: ArchiveIndex) -> list[dict[str, Any]]:
    """Extension modules of an install tree without PYTHON.json (names only)."""
    out: list[dict[str, Any]] = []
    for path in index.by_path:
        # (cheap tests first: the last character, one slice, rules out nearly every path)
        match = path[-1:] in _EXTENSION_LAST and path.endswith(_EXTENSION_TAILS) and _DYNLOAD_EXTENSION(path)
        if match:
            out.append({"name": match.group(1), "shared_lib": path, "licenses": None, "links": [],
                        "variants": [], "variant": None})
    return out


def text_of(index: ArchiveIndex, path: str) -> str | None:
    """The stored text of a licence file (None when it was not kept or is not a licence file)."""
    return licence_texts(index).get(path)


def licence_texts(index: ArchiveIndex) -> dict[str, str | None]:
    """The stored text of every licence file, by path (the first file of a path wins): one dict
    for callers that look up many (a scan per lookup is quadratic)."""
    scan: LicenceScan = index.results.get("licenses") or LicenceScan()
    return {f.path: f.text for f in reversed(scan.files)}
