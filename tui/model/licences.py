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
    declared: list[str] = field(default_factory=list)  #: SPDX expressions the component declares
    detected: list[str] = field(default_factory=list)  #: SPDX expressions its licence texts are
    files: list[str] = field(default_factory=list)
    public_domain: bool = False
    gpl: bool = False
    #: where ``declared`` comes from: "PYTHON.json", "<path>: METADATA License-Expression", ...
    declared_from: str = ""
    #: ``License:`` lines of bundled libraries' sections in its licence files ("EXPR (section)")
    bundled_declared: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class LicencePart:
    """One part of a licence file and what it is (``exception:ID`` for an exception text)."""

    lines: list[int]  #: first and last line, 1-based
    section: str  #: a bundle's Name: section, or the part's heading
    spdx: list[str] = field(default_factory=list)
    how: str = ""  #: "text 0.97", "contains X 0.95", "notice", "standard notice", ...
    bundle: str = ""  #: the bundle's Name: section holding the part ("" outside one)


@dataclass(frozen=True, slots=True)
class DeclaredLicence:
    """A ``License:`` line inside a licence file, with the section it heads."""

    section: str
    expression: str


@dataclass(frozen=True, slots=True)
class GplExemption:
    """GPL text that does not encumber: it carries a runtime-library exception."""

    component: str
    section: str
    expression: str  #: "GPL-3.0-or-later WITH GCC-exception-3.1"
    evidence: str  #: the file, lines and section
    reason: str


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
    parts: list[LicencePart] = field(default_factory=list)
    declared: list[DeclaredLicence] = field(default_factory=list)
    refers_to: list[str] | None = field(default=None, metadata=OMIT)


@dataclass(slots=True)
class ContainedLibrary:
    """A library compiled into the distribution's binaries (from the component inventory) and the
    licence texts in the archive that cover it."""

    name: str
    version: str | None
    licence: str | None  #: SPDX expression (None: unknown)
    licence_source: str  #: PYTHON.json, METADATA, well-known...
    contained_in: list[str] = field(default_factory=list)
    licence_files: list[str] = field(default_factory=list)
    missing_text: bool = False  #: no licence text covers it: the licences section is not complete


@dataclass(slots=True)
class Licences:
    source: str | None  #: PYTHON.json, discovered or None
    components: list[Component] = field(default_factory=list)
    spdx: list[str] = field(default_factory=list)
    gpl: list[GplEvidence] = field(default_factory=list)
    gpl_exempt: list[GplExemption] = field(default_factory=list)
    gpl_free: bool = True
    complete: bool = True
    statement: str = ""
    files: list[LicenceFile] = field(default_factory=list)
    root: str = ""
    repository_license_files: list[str] = field(default_factory=list)
    unidentified: list[str] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    contained: list[ContainedLibrary] = field(default_factory=list)


@dataclass(slots=True)
class FoundLicenceFile:
    """A licence text met during the pass."""

    path: str
    size: int
    spdx: list[str] = field(default_factory=list)
    parts: list[LicencePart] = field(default_factory=list)
    declared: list[DeclaredLicence] = field(default_factory=list)
    text: str | None = None  #: None: beyond the budget for kept texts
    truncated: bool = False


@dataclass(frozen=True, slots=True)
class PackageMetadata:
    """The licence fields of a wheel's ``*.dist-info/METADATA`` header."""

    path: str
    name: str = ""
    version: str = ""
    license_expression: str | None = None  #: PEP 639
    license: str | None = None  #: the ``License`` field's first line
    classifiers: list[str] = field(default_factory=list)  #: after "License ::"


@dataclass(slots=True)
class LicenceScan:
    """The licence-file analyser's result."""

    files: list[FoundLicenceFile] = field(default_factory=list)
    text_bytes: int = 0
    #: readline/_gdbm/_dbm modules -> the libraries they need
    module_needs: dict[str, list[str]] = field(default_factory=dict)
    metadata: list[PackageMetadata] = field(default_factory=list)
