"""Findings: a problem or a note with a severity, a stable code, a message and the paths concerned."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Literal

Severity = Literal["error", "warning", "info"]
#: The one severity order: errors first.
SEVERITIES: tuple[Severity, ...] = ("error", "warning", "info")
_RANK = {s: i for i, s in enumerate(SEVERITIES)}
#: Paths kept per finding (a finding about thousands of members names the first ones).
MAX_PATHS = 200


@dataclass(frozen=True, slots=True)
class Finding:
    severity: Severity
    code: str
    message: str
    paths: tuple[str, ...] = ()


def finding(severity: Severity, code: str, message: str, paths: Iterable[str] = (),
            ordered: bool = False) -> Finding:
    """The one way to make a finding: paths de-duplicated, sorted (``ordered``: kept in the
    order given, when it says something, like the subject first) and capped."""
    unique = list(dict.fromkeys(paths)) if ordered else sorted(set(paths))
    return Finding(severity, code, message, tuple(unique[:MAX_PATHS]))


def sort_findings(findings: Iterable[Finding]) -> list[Finding]:
    """Errors first, then warnings, then notes; by code and message within a severity."""
    return sorted(findings, key=lambda f: (_RANK.get(f.severity, len(_RANK)), f.code, f.message))


def unique_findings(findings: Iterable[Finding]) -> list[Finding]:
    """Each (severity, code, message) once, the first one kept, sorted."""
    seen: dict[tuple[str, str, str], Finding] = {}
    for f in findings:
        seen.setdefault((f.severity, f.code, f.message), f)
    return sort_findings(seen.values())
