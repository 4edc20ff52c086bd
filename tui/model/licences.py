"""Licences: components, their SPDX ids and licence files, and the GPL verdict."""

from __future__ import annotations

from dataclasses import dataclass, field

from distscope.tui.model.codec import OMIT
from distscope.tui.model.findings import Finding


@dataclass(slots=True)
class Component:
    name: str
    kind: str  #: cpython, extension, package
    source: str  #: PYTHON.json or discovered
    licenses: list[str] = field(default_factory=list)
    declared: list[str] = field(default_factory=list)
    detected: list[str] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    public_domain: bool = False
    gpl: bool = False


@dataclass(frozen=True, slots=True)
class GplEvidence:
    component: str
    evidence: str


@dataclass(slots=True)
class LicenceFile:
    path: str
    size: int
    spdx: list[str] = field(default_factory=list)
    component: str | None = None
    refers_to: str | None = field(default=None, metadata=OMIT)


@dataclass(slots=True)
class Licences:
    source: str | None  #: PYTHON.json, discovered or None
    components: list[Component] = field(default_factory=list)
    spdx: list[str] = field(default_factory=list)
    gpl: list[GplEvidence] = field(default_factory=list)
    gpl_free: bool = True
    complete: bool = True
    statement: str = ""
    files: list[LicenceFile] = field(default_factory=list)
    root: str = ""
    repository_license_files: list[str] = field(default_factory=list)
    unidentified: list[str] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)


@dataclass(slots=True)
class FoundLicenceFile:
    """A licence text met during the pass."""

    path: str
    size: int
    spdx: list[str] = field(default_factory=list)
    text: str | None = None  #: None: beyond the budget for kept texts
    truncated: bool = False


@dataclass(slots=True)
class LicenceScan:
    """The licence-file analyser's result."""

    files: list[FoundLicenceFile] = field(default_factory=list)
    text_bytes: int = 0
    #: readline/_gdbm/_dbm modules -> the libraries they need
    module_needs: dict[str, list[str]] = field(default_factory=dict)
