"""Compare two analysed distributions: typed reports (and component inventories) in, one
:class:`~distscope.tui.model.diff.DistributionDiff` out. No Textual, no output: the renderers and
the app's Diff screen take it from here.

Names that carry the Python version or a package version (``libpython3.12.dylib`` in a missing
library, ``tk8.6`` as a licence component, paths in a finding's message) are compared by role,
as member paths are (:mod:`distscope.tui.diff.roles`), so a 3.12 -> 3.13 upgrade does not show
every one of them as removed and added again.
"""

from __future__ import annotations

import re
from typing import Iterable, Mapping, Sequence

from distscope.tui.archive.members import Member
from distscope.tui.diff.members import Layout, diff_members
from distscope.tui.diff.roles import is_windows_layout, python_minor
from distscope.tui.model.diff import (
    Change, ComponentChange, DistributionDiff, FindingChange, FindingsDiff, LibraryChange, LicenceChange, LicencesDiff,
    PythonDiff, RequirementsDiff, Side, Value,
)
from distscope.tui.model.components import Component
from distscope.tui.model.findings import Finding, sort_findings
from distscope.tui.model.licences import Licences
from distscope.tui.model.report import Report
from distscope.tui.model.requirements import Requirements


class Analysed:
    """One side of a diff: its members, its typed report, its component inventory (None: not
    known) and the SHA-256 of the members that have one (the inventory's carrier files)."""

    def __init__(self, members: Sequence[Member], report: Report,
                 components: Sequence[Component] | None = None,
                 hashes: Mapping[str, str] | None = None) -> None:
        self.members = members
        self.report = report
        self.components = components
        self.hashes = dict(hashes or {})
        dist = report.distribution
        paths = [m.path for m in members]
        self.layout = Layout(python_minor(paths, dist.python_version if dist else None),
                             is_windows_layout(paths))

    def side(self) -> Side:
        r, dist = self.report, self.report.distribution
        return Side(r.archive.path, r.archive.sha256, dist.python_version if dist else None,
                    dist.target_triple if dist else r.verdict.target_triple, r.verdict.platform,
                    dist.layout if dist else None, r.archive.members, r.archive.complete)

    def name_key(self, name: str) -> str:
        """A library name or message with this side's version tags replaced."""
        return self.layout.mapper.link_key(name)


def compare(old: Analysed, new: Analysed) -> DistributionDiff:
    """Everything that differs from ``old`` to ``new``."""
    result = DistributionDiff(old=old.side(), new=new.side())
    result.by_role = (old.layout.minor != new.layout.minor or old.layout.windows != new.layout.windows
                      or result.old.layout != result.new.layout)
    if result.old.platform and result.new.platform and result.old.platform != result.new.platform:
        result.notes.append(f"platforms differ ({result.old.platform} -> {result.new.platform}): the "
                            "requirements and system libraries are those of two different systems, and "
                            "platform-specific members, modules and findings show as added and removed")
    result.python = diff_python(old.report, new.report)
    if old.components is None or new.components is None:
        result.notes.append("components: no component inventory for "
                            + ("either side" if old.components is None and new.components is None
                               else "the old side" if old.components is None else "the new side"))
    else:
        result.components = diff_components(old.components, new.components)
    result.requirements = diff_requirements(old.report.requirements, new.report.requirements, old, new)
    result.findings = diff_findings(old.report.findings, new.report.findings, old, new)
    result.licences = diff_licences(old.report.licenses, new.report.licenses)
    result.members = diff_members(old.members, new.members, old.layout, new.layout,
                                  old_hashes=old.hashes, new_hashes=new.hashes)
    hashed = result.members.hashed
    result.notes.append("members: compared by type, size, mode and link target (the index keeps no hash per "
                        "member)" + (f"; content by SHA-256 for the {hashed:,} member{'' if hashed == 1 else 's'} both sides hashed"
                                     if hashed else ""))
    for side, label in ((result.old, "old"), (result.new, "new")):
        if not side.complete:
            result.notes.append(f"the {label} archive is incomplete: its diff covers what could be read")
    return result


def _change(name: str, old: Value, new: Value, changes: list[Change]) -> None:
    if old != new:
        changes.append(Change(name, old, new))


# -- Python ----------------------------------------------------------------------------------
_DIST_FIELDS = ("python_version", "target_triple", "layout", "flavour", "build_options", "debug",
                "freethreaded", "libpython_link_mode", "python_abi_tag")


def diff_python(old: Report, new: Report) -> PythonDiff:
    out = PythonDiff()
    a, b = old.distribution, new.distribution
    _change("platform", old.verdict.platform, new.verdict.platform, out.changes)
    for name in _DIST_FIELDS:
        _change(name, getattr(a, name, None) if a else None, getattr(b, name, None) if b else None, out.changes)
    old_ext = {e.name: e for e in a.extensions} if a else {}
    new_ext = {e.name: e for e in b.extensions} if b else {}
    old_source, new_source = (a.extensions_source if a else None), (b.extensions_source if b else None)
    if old_source != new_source and old_source and new_source:
        # One side lists every module (PYTHON.json's build_info), the other only the files it
        # found (lib-dynload): compare what both can see, the modules built as their own file.
        _change("extensions_source", old_source, new_source, out.changes)
        old_ext = {n: e for n, e in old_ext.items() if e.shared_lib}
        new_ext = {n: e for n, e in new_ext.items() if e.shared_lib}
    out.extensions_added = sorted(new_ext.keys() - old_ext.keys())
    out.extensions_removed = sorted(old_ext.keys() - new_ext.keys())
    return out


# -- components ------------------------------------------------------------------------------
def _evidence(component: Component) -> str | None:
    """The member a component was found in: the first evidence stating its version, else any."""
    stating = [e for e in component.evidence if e.version] or component.evidence
    return stating[0].path if stating else None


def diff_components(old: Iterable[Component], new: Iterable[Component]) -> list[ComponentChange]:
    """Components added, removed or at another version, by the inventory's stable id
    (``openssl``, ``pypi:numpy``). A component at several versions on one side (two OpenSSLs)
    compares as its set of versions."""
    def by_id(items: Iterable[Component]) -> dict[str, list[Component]]:
        out: dict[str, list[Component]] = {}
        for c in items:
            out.setdefault(c.id, []).append(c)
        return out

    def versions(items: list[Component]) -> str | None:
        found = sorted({c.version for c in items if c.version})
        return ", ".join(found) or None

    before, after = by_id(old), by_id(new)
    changes: list[ComponentChange] = []
    for key in sorted(before.keys() | after.keys()):
        x, y = before.get(key), after.get(key)
        if x is None and y is not None:
            changes.append(ComponentChange(y[0].name, "added", None, versions(y), _evidence(y[0])))
        elif y is None and x is not None:
            changes.append(ComponentChange(x[0].name, "removed", versions(x), None, _evidence(x[0])))
        elif x is not None and y is not None and {c.version for c in x} != {c.version for c in y}:
            changes.append(ComponentChange(y[0].name, "changed", versions(x), versions(y),
                                           _evidence(y[0]) or _evidence(x[0])))
    return changes


# -- requirements ----------------------------------------------------------------------------
def _libraries(old: Mapping[str, tuple[str, list[str]]], new: Mapping[str, tuple[str, list[str]]]
               ) -> list[LibraryChange]:
    out = [LibraryChange(new[k][0], "added", tuple(new[k][1])) for k in new.keys() - old.keys()]
    out += [LibraryChange(old[k][0], "removed", tuple(old[k][1])) for k in old.keys() - new.keys()]
    return sorted(out, key=lambda c: (c.kind != "added", c.name))


def diff_requirements(old: Requirements | None, new: Requirements | None,
                      old_side: Analysed, new_side: Analysed) -> RequirementsDiff:
    out = RequirementsDiff()
    a, b = old or Requirements(None, None), new or Requirements(None, None)
    _change("platform", a.platform, b.platform, out.changes)
    _change("machines", sorted(a.machines), sorted(b.machines), out.changes)
    _change("libc", a.libc, b.libc, out.changes)
    _change("min_glibc", a.min_glibc, b.min_glibc, out.changes)
    _change("musl", a.musl.linkage if a.musl else None, b.musl.linkage if b.musl else None, out.changes)
    _change("isa_level", a.isa_level, b.isa_level, out.changes)
    _change("min_macos", a.min_macos, b.min_macos, out.changes)
    _change("min_windows", a.min_windows, b.min_windows, out.changes)
    _change("msvc_runtime", sorted(a.msvc_runtime.needed) if a.msvc_runtime else None,
            sorted(b.msvc_runtime.needed) if b.msvc_runtime else None, out.changes)
    if a.min_glibc != b.min_glibc and b.min_glibc:
        out.min_glibc_needed_by = list(b.min_glibc_needed_by)
        out.min_glibc_symbols = {p: list(s) for p, s in b.glibc_symbols.items() if p in b.min_glibc_needed_by}
    out.system_libraries = _libraries(
        {old_side.name_key(s.name): (s.name, s.needed_by) for s in a.system_libraries},
        {new_side.name_key(s.name): (s.name, s.needed_by) for s in b.system_libraries})
    out.missing_libraries = _libraries(
        {old_side.name_key(m.name): (m.name, m.needed_by) for m in a.missing_libraries},
        {new_side.name_key(m.name): (m.name, m.needed_by) for m in b.missing_libraries})
    return out


# -- findings --------------------------------------------------------------------------------
_NUMBERS = re.compile(r"\d[\d.,]*")


def diff_findings(old: Iterable[Finding], new: Iterable[Finding], old_side: Analysed,
                  new_side: Analysed) -> FindingsDiff:
    """Findings new in ``new`` and resolved since ``old``, matched on severity, code and message
    (its version tags replaced, so that a finding about ``libpython3.12`` meets the one about
    ``libpython3.13``); of the rest, two whose messages differ only in their numbers ("8 binaries",
    "9 binaries") are one changed finding."""
    def keyed(items: Iterable[Finding], side: Analysed) -> dict[tuple[str, str, str], Finding]:
        return {(f.severity, f.code, side.name_key(f.message)): f for f in items}

    before, after = keyed(old, old_side), keyed(new, new_side)
    added = {k: f for k, f in after.items() if k not in before}
    gone = {k: f for k, f in before.items() if k not in after}
    shapes: dict[tuple[str, str, str], list[tuple[str, str, str]]] = {}
    for k in gone:
        shapes.setdefault((k[0], k[1], _NUMBERS.sub("#", k[2])), []).append(k)
    changed: list[FindingChange] = []
    for k in list(added):
        twins = shapes.get((k[0], k[1], _NUMBERS.sub("#", k[2])))
        if twins:
            changed.append(FindingChange(gone.pop(twins.pop(0)), added.pop(k)))
    return FindingsDiff(new=sort_findings(added.values()), resolved=sort_findings(gone.values()),
                        changed=sorted(changed, key=lambda c: (c.new.severity, c.new.code, c.new.message)))


# -- licences --------------------------------------------------------------------------------
_VERSIONED_NAME = re.compile(r"^([A-Za-z][A-Za-z_-]*?)\d+(?:\.\d+)+$")


def _licence_key(name: str) -> str:
    """A licence component's name without a version it carries (``tk8.6`` is ``tk``)."""
    return _VERSIONED_NAME.sub(r"\1", name).lower()


def diff_licences(old: Licences | None, new: Licences | None) -> LicencesDiff:
    out = LicencesDiff()
    a, b = old or Licences(None), new or Licences(None)
    before = {_licence_key(c.name): c for c in a.components}
    after = {_licence_key(c.name): c for c in b.components}
    for key in sorted(before.keys() | after.keys()):
        x, y = before.get(key), after.get(key)
        if x is None and y is not None:
            out.components.append(LicenceChange(y.name, "added", new=tuple(y.licenses), new_gpl=y.gpl))
        elif y is None and x is not None:
            out.components.append(LicenceChange(x.name, "removed", old=tuple(x.licenses), old_gpl=x.gpl))
        elif x is not None and y is not None and (sorted(x.licenses) != sorted(y.licenses) or x.gpl != y.gpl):
            out.components.append(LicenceChange(y.name, "changed", tuple(x.licenses), tuple(y.licenses),
                                                x.gpl, y.gpl))
    if a.gpl_free != b.gpl_free:
        out.gpl_free = Change("gpl_free", a.gpl_free, b.gpl_free)
    old_gpl = {g.component for g in a.gpl}
    new_gpl = {g.component for g in b.gpl}
    out.gpl_added = sorted(new_gpl - old_gpl)
    out.gpl_removed = sorted(old_gpl - new_gpl)
    return out
