"""PYTHON.json: find it during the pass, parse it leniently, and keep the raw document.

The result (``index.results["pythonjson"]``) is plain data::

    {"path": "python/PYTHON.json" | None, "data": {...} | None, "format_version": int | None,
     "first_member": bool, "findings": [{severity, code, message, paths}]}

``data`` is the parsed document exactly as written (None when absent or unreadable); everything
derived from it lives in :mod:`tui.meta.distribution`.
"""

from __future__ import annotations

import json
from typing import Any

from tui.analysis.base import Analyser

#: A PYTHON.json larger than this is not plausible (real ones are 50-300 KB).
MAX_SIZE = 16 << 20
KNOWN_VERSIONS = range(0, 9)


def finding(severity: str, code: str, message: str, paths: list[str] | None = None) -> dict:
    """One entry of a result's ``findings`` list (the convention the findings section gathers)."""
    return {"severity": severity, "code": code, "message": message, "paths": list(paths or [])}


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


def parse(raw: bytes, path: str = "PYTHON.json") -> tuple[dict | None, list[dict]]:
    """Parse a PYTHON.json document: (data or None, findings). Never raises."""
    findings: list[dict] = []
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
    return data, findings


class PythonJsonAnalyser(Analyser):
    """Reads the distribution's PYTHON.json as it streams past."""

    name = "pythonjson"
    version = 1

    def __init__(self) -> None:
        self.path: str | None = None
        self.data: dict | None = None
        self.findings: list[dict] = []
        self.first_member = False
        self._extra: list[str] = []
        self._seen_files = 0

    def want(self, member, head: bytes) -> int:
        self._seen_files += 1
        if not is_python_json(member.path):
            return 0
        if self.path is not None:
            self._extra.append(member.path)
            return 0
        self.path = member.path
        self.first_member = self._seen_files == 1
        if member.size > MAX_SIZE:
            self.findings.append(finding("error", "pythonjson-too-large",
                                         f"PYTHON.json is {member.size:,} bytes; not read", [member.path]))
            return 0
        return MAX_SIZE

    def feed(self, member, data: bytes, complete: bool) -> None:
        if member.path != self.path:
            return
        if not complete:
            self.findings.append(finding("error", "pythonjson-truncated",
                                         "PYTHON.json is cut short (archive damaged?)", [member.path]))
        self.data, found = parse(data, member.path)
        self.findings.extend(found)

    def finish(self, index) -> None:
        if self.path is not None and not self.first_member:
            self.findings.append(finding("info", "pythonjson-not-first",
                                         "PYTHON.json is not the first member of the archive "
                                         "(python-build-standalone always writes it first)", [self.path]))
        if self._extra:
            self.findings.append(finding("warning", "pythonjson-duplicate",
                                         f"more than one PYTHON.json; read {self.path}", self._extra))

    def result(self) -> dict:
        return {"path": self.path, "data": self.data, "format_version": format_version(self.data),
                "first_member": self.first_member, "findings": self.findings}
