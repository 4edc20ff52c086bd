"""PYTHON.json: find it during the pass, parse it leniently, and keep the raw document.

The result is a :class:`~distscope.tui.model.distribution.PythonJson`: its ``data`` is the parsed
document exactly as written (None when absent or unreadable); everything derived from it lives
in :mod:`distscope.tui.meta.distribution`.
"""

from __future__ import annotations

import json
from typing import Any

from distscope.tui.archive.index import ArchiveIndex
from distscope.tui.archive.members import DIRECTORY, FILE, Member
from distscope.tui.archive.plugin import Analyser, Interest
from distscope.tui.model.distribution import PythonJson
from distscope.tui.model.findings import Finding, finding

#: A PYTHON.json larger than this is not plausible (real ones are 50-300 KB).
MAX_SIZE = 16 << 20
KNOWN_VERSIONS = range(0, 9)


def is_python_json(path: str) -> bool:
    """``PYTHON.json`` at the top level or one folder down (``python/PYTHON.json``)."""
    parts = path.split("/")
    return parts[-1] == "PYTHON.json" and len(parts) <= 2


def format_version(data: Any) -> int | None:
    """The ``version`` field as an int (PBS writes it as a string, ``"8"``), or None."""
    if not isinstance(data, dict):
        return None
    value = data.get("version")
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return None


def str_list(value: Any) -> list[str] | None:
    """A PYTHON.json list-of-strings field, read leniently: a lone string is one item (never its
    letters), non-string items are dropped; None when absent or neither a list nor a string."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [x for x in value if isinstance(x, str)]
    return None


def dict_list(value: Any) -> list[dict]:
    """A list-of-objects field (``links``, extension candidates): a lone object is one item,
    anything but objects is dropped."""
    if isinstance(value, dict):
        return [value]
    return [x for x in value if isinstance(x, dict)] if isinstance(value, list) else []


#: Top-level fields that are lists of strings.
_STR_LISTS = ("licenses", "crt_features", "python_extension_module_loading", "tcl_library_paths")
#: Per-candidate fields of build_info.extensions that are lists of strings.
_CANDIDATE_STR_LISTS = ("licenses", "license_paths")


def _shape(value: Any, field: str, want: str) -> str | None:
    """What is wrong with one field's shape (None: nothing). ``want``: str-list, dict-list or str."""
    if value is None:
        return None
    if want == "str":
        return None if isinstance(value, str) else f"{field} is a JSON {_json_type(value)}, not a string; ignored"
    item = str if want == "str-list" else dict
    if isinstance(value, item):
        return (f"{field} is a single {'string' if item is str else 'object'}, not a list; "
                "read as a list of one")
    if not isinstance(value, list):
        return f"{field} is a JSON {_json_type(value)}, not a list; ignored"
    bad = sum(1 for x in value if not isinstance(x, item))
    if bad:
        return f"{field} has {bad} item(s) that are not {'strings' if item is str else 'objects'}; ignored"
    return None


def _json_type(value: Any) -> str:
    return {dict: "object", list: "array", str: "string", bool: "boolean", int: "number",
            float: "number"}.get(type(value), "null" if value is None else type(value).__name__)


def shape_findings(data: dict[str, Any], path: str = "PYTHON.json") -> list[Finding]:
    """``pythonjson-field`` findings for fields of the wrong JSON type (strings where lists
    belong, non-string items), which the readers then take leniently."""
    problems: list[str | None] = [_shape(data.get(k), k, "str-list") for k in _STR_LISTS]
    lpath = data.get("license_path")
    if isinstance(lpath, list):
        problems.append("license_path is a list, not a string; each string in it read as a path")
    else:
        problems.append(_shape(lpath, "license_path", "str"))
    build_info = data.get("build_info") if isinstance(data.get("build_info"), dict) else {}
    core = build_info.get("core")
    if isinstance(core, dict):
        problems.append(_shape(core.get("links"), "build_info.core.links", "dict-list"))
    extensions = build_info.get("extensions")
    if extensions is not None and not isinstance(extensions, dict):
        problems.append(f"build_info.extensions is a JSON {_json_type(extensions)}, not an object; ignored")
    for name, candidates in sorted(extensions.items()) if isinstance(extensions, dict) else []:
        where = f"build_info.extensions.{name}"
        problems.append(_shape(candidates, where, "dict-list"))
        for i, candidate in enumerate(dict_list(candidates)):
            at = f"{where}[{i}]" if isinstance(candidates, list) else where
            problems += [_shape(candidate.get(k), f"{at}.{k}", "str-list") for k in _CANDIDATE_STR_LISTS]
            problems.append(_shape(candidate.get("links"), f"{at}.links", "dict-list"))
            if "license_path" in candidate and "license_paths" not in candidate:
                problems.append(_shape(candidate.get("license_path"), f"{at}.license_path", "str-list"))
    return [finding("warning", "pythonjson-field", f"PYTHON.json {p}", [path]) for p in problems if p]


def parse(raw: bytes, path: str = "PYTHON.json") -> tuple[dict[str, Any] | None, list[Finding]]:
    """Parse a PYTHON.json document: (data or None, findings). Never raises."""
    findings: list[Finding] = []
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        text = raw.decode("utf-8", "replace")
        findings.append(finding("warning", "pythonjson-encoding",
                                f"PYTHON.json is not valid UTF-8 (byte {exc.start}); decoded with replacements",
                                [path]))
    try:
        data = json.loads(text)
    except (ValueError, RecursionError) as exc:
        findings.append(finding("error", "pythonjson-malformed", f"PYTHON.json is not valid JSON: {exc}", [path]))
        return None, findings
    if not isinstance(data, dict):
        findings.append(finding("error", "pythonjson-malformed",
                                f"PYTHON.json is a JSON {type(data).__name__}, not an object", [path]))
        return None, findings
    version = format_version(data)
    if version is None:
        findings.append(finding("warning", "pythonjson-version",
                                f"PYTHON.json has no readable format version ({data.get('version')!r})", [path]))
    elif version not in KNOWN_VERSIONS:
        findings.append(finding("info", "pythonjson-version",
                                f"PYTHON.json format version {version} is newer than distscope knows (8); "
                                "reading it leniently", [path]))
    if version is not None and version >= 5 and not isinstance(data.get("target_triple"), str):
        findings.append(finding("warning", "pythonjson-field", "PYTHON.json has no target_triple", [path]))
    if "build_info" in data and not isinstance(data.get("build_info"), dict):
        findings.append(finding("warning", "pythonjson-field", "PYTHON.json build_info is not an object", [path]))
    findings += shape_findings(data, path)
    return data, findings


class PythonJsonAnalyser(Analyser):
    """Reads the distribution's PYTHON.json as it streams past."""

    name = "pythonjson"
    version = 2
    interest = Interest(suffixes=("PYTHON.json",))

    def __init__(self) -> None:
        self.path: str | None = None
        self.data: dict[str, Any] | None = None
        self.findings: list[Finding] = []
        self.first_member = False
        self._extra: list[str] = []

    def want(self, member: Member, head: bytes) -> int:
        if not member.path.endswith("PYTHON.json") or not is_python_json(member.path):
            return 0
        if self.path is not None:
            self._extra.append(member.path)
            return 0
        self.path = member.path
        if member.size > MAX_SIZE:
            self.findings.append(finding("error", "pythonjson-too-large",
                                         f"PYTHON.json is {member.size:,} bytes; not read", [member.path]))
            return 0
        return MAX_SIZE

    def feed(self, member: Member, data: bytes, complete: bool) -> None:
        if member.path != self.path:
            return
        if not complete:
            self.findings.append(finding("error", "pythonjson-truncated",
                                         "PYTHON.json is cut short (archive damaged?)", [member.path]))
        self.data, found = parse(data, member.path)
        self.findings.extend(found)

    def finish(self, index: ArchiveIndex) -> None:
        members = getattr(index, "members", None)
        if self.path is not None and members:
            # PBS writes PYTHON.json as the very first member; folder entries that a repacking
            # tool adds before it say nothing, so only other members before it are named.
            before = []
            for member in members:
                if member.path == self.path:
                    break
                if member.type != DIRECTORY:
                    before.append(member)
            self.first_member = not before
            if before:
                named = ", ".join(f"{m.path} ({m.size:,} bytes)" if m.type == FILE else
                                  f"{m.path} ({m.type})" for m in before[:3])
                more = f" and {len(before) - 3:,} more" if len(before) > 3 else ""
                self.findings.append(finding(
                    "info", "pythonjson-not-first",
                    f"PYTHON.json is not the first member: {named}{more} "
                    f"{'comes' if len(before) == 1 else 'come'} before it (folder entries aside); "
                    "python-build-standalone writes it first, so the archive was repacked or recovered",
                    [self.path] + [m.path for m in before[:3]], ordered=True))
        if self._extra:
            self.findings.append(finding("warning", "pythonjson-duplicate",
                                         f"more than one PYTHON.json; read {self.path}", self._extra, ordered=True))

    def result(self) -> PythonJson:
        return PythonJson(self.path, self.data, format_version(self.data), self.first_member, self.findings)
