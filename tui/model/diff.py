"""The diff of two distributions: what changed between an OLD and a NEW archive, by category.

Made by :func:`distscope.tui.diff.compare.compare`; rendered as text, markdown or JSON at the edge
(:mod:`distscope.tui.diff.render`). The JSON contract is :func:`distscope.tui.model.codec.to_plain`
of a :class:`DistributionDiff`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal, Union

from distscope.tui.model.findings import Finding

#: JSON schema version of the diff; bump on incompatible changes.
DIFF_VERSION = 1

Kind = Literal["added", "removed", "changed"]
Value = Union[str, int, bool, list[str], None]

#: The categories of a diff, in the order a reviewer reads them (``--fail-on`` names them).
CATEGORIES: tuple[str, ...] = ("python", "components", "requirements", "findings", "licences", "members")


@dataclass(frozen=True, slots=True)
class Change:
    """One value that differs: ``old`` -> ``new`` (None: absent on that side)."""

    field: str
    old: Value
    new: Value


@dataclass(frozen=True, slots=True)
class Side:
    """What identifies one of the two archives."""

    path: str
    sha256: str | None
    python_version: str | None
    target_triple: str | None
    platform: str | None
    layout: str | None
    members: int
    complete: bool


@dataclass(frozen=True, slots=True)
class ComponentChange:
    """A bundled component added, removed, or at another version (None: version not found)."""

    name: str
    kind: Kind
    old_version: str | None = None
    new_version: str | None = None
    #: the member it was found in (the new side's, else the old side's)
    evidence: str | None = None


@dataclass(frozen=True, slots=True)
class LibraryChange:
    """A library that a distribution needs from the system (or misses), added or removed."""

    name: str
    kind: Kind
    #: the members that need it (on the side where it is present)
    needed_by: tuple[str, ...] = ()


@dataclass(slots=True)
class RequirementsDiff:
    #: platform, libc, min_glibc, min_macos, min_windows, machines, msvc_runtime ...
    changes: list[Change] = field(default_factory=list)
    #: when the minimum glibc changed: the new side's binaries driving it, and the symbols
    min_glibc_needed_by: list[str] = field(default_factory=list)
    min_glibc_symbols: dict[str, list[str]] = field(default_factory=dict)
    system_libraries: list[LibraryChange] = field(default_factory=list)
    #: added: newly missing from the archive; removed: no longer missing
    missing_libraries: list[LibraryChange] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.changes or self.system_libraries or self.missing_libraries)


@dataclass(frozen=True, slots=True)
class FindingChange:
    """A finding on both sides whose message differs only in its numbers ("8 binaries" -> "9")."""

    old: Finding
    new: Finding


@dataclass(slots=True)
class FindingsDiff:
    new: list[Finding] = field(default_factory=list)
    resolved: list[Finding] = field(default_factory=list)
    changed: list[FindingChange] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.new or self.resolved or self.changed)


@dataclass(frozen=True, slots=True)
class LicenceChange:
    """A licence component added, removed, or under other SPDX ids / GPL status."""

    component: str
    kind: Kind
    old: tuple[str, ...] = ()
    new: tuple[str, ...] = ()
    old_gpl: bool = False
    new_gpl: bool = False


@dataclass(slots=True)
class LicencesDiff:
    components: list[LicenceChange] = field(default_factory=list)
    #: the GPL verdict (``gpl_free``) when it changed
    gpl_free: Change | None = None
    #: components now carrying GPL code, and those no longer
    gpl_added: list[str] = field(default_factory=list)
    gpl_removed: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.components or self.gpl_free or self.gpl_added or self.gpl_removed)


@dataclass(frozen=True, slots=True)
class MemberChange:
    """One member added, removed or changed. Old and new paths differ when they met by role
    (``lib/python3.12/os.py`` and ``lib/python3.13/os.py``)."""

    kind: Kind
    old_path: str | None
    new_path: str | None
    type: str  #: file, directory, symlink, hardlink or other (the new side's when present)
    old_size: int | None = None
    new_size: int | None = None
    #: for changed members: which of type, size, mode, link, content differ
    changes: tuple[Change, ...] = ()

    @property
    def path(self) -> str:
        """The path to show and go to: the new side's when present."""
        return self.new_path or self.old_path or ""


@dataclass(slots=True)
class FolderSummary:
    """Members added, removed and changed under one folder, with their bytes."""

    folder: str
    added: int = 0
    added_bytes: int = 0
    removed: int = 0
    removed_bytes: int = 0
    changed: int = 0
    #: the change in bytes of the changed members (new size minus old size)
    changed_bytes: int = 0


@dataclass(slots=True)
class MembersDiff:
    old_members: int = 0
    new_members: int = 0
    #: members that met a counterpart; of those, how many met under another path (by role)
    matched: int = 0
    matched_by_role: int = 0
    unchanged: int = 0
    added: int = 0
    removed: int = 0
    changed: int = 0
    added_bytes: int = 0
    removed_bytes: int = 0
    changed_bytes: int = 0
    #: how content was compared: "size" (type, size, mode and link target only: the index keeps
    #: no hash per member) or "sha256" (also by hash, for the ``hashed`` members)
    content: str = "size"
    #: members whose content was compared by SHA-256 (both sides had one)
    hashed: int = 0
    folders: list[FolderSummary] = field(default_factory=list)
    #: every added, removed and changed member, by path
    members: list[MemberChange] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.added or self.removed or self.changed)


@dataclass(slots=True)
class PythonDiff:
    #: python_version, target_triple, platform, layout, build_options, libpython_link_mode ...
    changes: list[Change] = field(default_factory=list)
    extensions_added: list[str] = field(default_factory=list)
    extensions_removed: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.changes or self.extensions_added or self.extensions_removed)


@dataclass(slots=True, kw_only=True)
class DistributionDiff:
    """Everything that differs between two distributions (the JSON contract, typed)."""

    diff_version: int = DIFF_VERSION
    old: Side
    new: Side
    #: the two lay out their paths for different Python versions or platforms: members met by role
    by_role: bool = False
    #: what could not be compared, and why ("components: no inventory on either side")
    notes: list[str] = field(default_factory=list)
    python: PythonDiff = field(default_factory=PythonDiff)
    #: None: no component inventory to compare
    components: list[ComponentChange] | None = None
    requirements: RequirementsDiff = field(default_factory=RequirementsDiff)
    findings: FindingsDiff = field(default_factory=FindingsDiff)
    licences: LicencesDiff = field(default_factory=LicencesDiff)
    members: MembersDiff = field(default_factory=MembersDiff)

    def differs(self) -> list[str]:
        """The categories (of :data:`CATEGORIES`) in which the two differ."""
        return [c for c in CATEGORIES if getattr(self, c)]
