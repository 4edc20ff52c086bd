"""A :class:`~distscope.tui.model.diff.DistributionDiff` as text, markdown or JSON: the summary a
reviewer reads first, then each category in detail. Text from the archives goes through
:func:`distscope.tui.safetext.visible` (every text and markdown line does); JSON keeps exact values.
"""

from __future__ import annotations

import json
from typing import NamedTuple

from distscope.tui.model.codec import to_plain
from distscope.tui.model.diff import (
    Change, DistributionDiff, FolderSummary, MemberChange, MembersDiff, Side, Value,
)
from distscope.tui.safetext import visible

#: Folders listed in text and markdown before "N more" (all of them are in JSON).
FOLDERS_SHOWN = 20

Lines = list[str]

_LABELS = {
    "python_version": "Python", "target_triple": "target", "platform": "platform", "layout": "layout",
    "flavour": "flavour", "build_options": "build options", "debug": "debug build",
    "freethreaded": "free-threaded", "libpython_link_mode": "libpython link mode",
    "python_abi_tag": "ABI tag", "extensions_source": "extension modules listed from", "machines": "machines", "libc": "libc", "min_glibc": "minimum glibc",
    "musl": "musl", "isa_level": "x86-64 ISA level", "min_macos": "minimum macOS",
    "min_windows": "minimum Windows", "msvc_runtime": "MSVC runtime", "gpl_free": "GPL-free",
    "type": "type", "size": "size", "mode": "mode", "link": "link", "content": "content",
}


def value(v: Value) -> str:
    if v is None:
        return "none"
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, list):
        return ", ".join(v) if v else "none"
    if isinstance(v, int):
        return f"{v:,}"
    return str(v)


def change_text(c: Change) -> str:
    return f"{_LABELS.get(c.field, c.field)} {value(c.old)} -> {value(c.new)}"


def _bytes(n: int, signed: bool = False) -> str:
    """``n`` bytes for a reader (``1.1 MiB``); ``signed``: with its sign (a change)."""
    sign = ("+" if n > 0 else "-" if n < 0 else "±") if signed else ""
    if abs(n) < 1024:
        return f"{sign}{abs(n):,} B"
    size, unit = abs(n) / 1024, "KiB"
    for bigger in ("MiB", "GiB"):
        if size < 1024:
            break
        size, unit = size / 1024, bigger
    return f"{sign}{size:,.1f} {unit}"


def _count(n: int, word: str) -> str:
    return f"{n:,} {word}{'' if n == 1 else 's'}"


def _side(label: str, s: Side) -> str:
    facts = [f for f in (f"Python {s.python_version}" if s.python_version else None, s.target_triple, s.layout,
                         _count(s.members, "member")) if f]
    return f"{label}: {s.path} ({', '.join(facts)})"


# -- the summary ---------------------------------------------------------------------------------
def summary_lines(d: DistributionDiff) -> Lines:
    """One line per category: what a reviewer needs first."""
    out: Lines = []
    py = d.python
    if py:
        parts = [change_text(c) for c in py.changes if c.field in ("python_version", "platform", "target_triple",
                                                                      "build_options", "layout")]
        if py.extensions_added or py.extensions_removed:
            parts.append(f"extension modules +{len(py.extensions_added)} -{len(py.extensions_removed)}")
        others = len(py.changes) - sum(1 for c in py.changes if c.field in (
            "python_version", "platform", "target_triple", "build_options", "layout"))
        if others:
            parts.append(f"{others} more")
        out.append("Python: " + "; ".join(parts))
    else:
        out.append("Python: unchanged")
    if d.components is None:
        out.append("Components: not compared (no component inventory)")
    elif d.components:
        shown = [_component_short(c) for c in d.components if c.kind == "changed"][:6]
        counts = [f"{sum(1 for c in d.components if c.kind == k)} {k}" for k in ("changed", "added", "removed")]
        out.append("Components: " + ", ".join(counts) + (": " + "; ".join(shown) if shown else ""))
    else:
        out.append("Components: unchanged")
    r = d.requirements
    if r:
        parts = [change_text(c) for c in r.changes if c.field != "platform"]
        lib = r.system_libraries
        if lib:
            parts.append(f"system libraries +{sum(c.kind == 'added' for c in lib)} "
                         f"-{sum(c.kind == 'removed' for c in lib)}")
        missing = r.missing_libraries
        if missing:
            parts.append(f"newly missing {sum(c.kind == 'added' for c in missing)}, "
                         f"no longer missing {sum(c.kind == 'removed' for c in missing)}")
        out.append("Requirements: " + ("; ".join(parts) or "platform changed"))
    else:
        out.append("Requirements: unchanged")
    f = d.findings
    if f:
        sev = [_count(n, word) for n, word in ((sum(x.severity == s for x in f.new), w) for s, w in (
            ("error", "error"), ("warning", "warning"), ("info", "note"))) if n]
        out.append(f"Findings: {len(f.new)} new" + (f" ({', '.join(sev)})" if sev else "")
                   + f", {len(f.resolved)} resolved" + (f", {len(f.changed)} changed" if f.changed else ""))
    else:
        out.append("Findings: unchanged")
    lic = d.licences
    if lic:
        parts = []
        if lic.gpl_free is not None:
            parts.append("GPL verdict " + ("now GPL-free" if lic.gpl_free.new else "NO LONGER GPL-free"))
        if lic.gpl_added:
            parts.append("GPL now in " + ", ".join(lic.gpl_added))
        if lic.components:
            tally = [(sum(c.kind == k for c in lic.components), k) for k in ("changed", "added", "removed")]
            parts.append("licence components " + ", ".join(f"{n} {k}" for n, k in tally if n))
        out.append("Licences: " + "; ".join(parts))
    else:
        out.append("Licences: unchanged")
    m = d.members
    line = (f"Members: {m.added:,} added ({_bytes(m.added_bytes)}), {m.removed:,} removed "
            f"({_bytes(m.removed_bytes)}), {m.changed:,} changed ({_bytes(m.changed_bytes, True)}), "
            f"{m.unchanged:,} unchanged")
    if m.matched_by_role:
        line += f"; {m.matched_by_role:,} met by role under another path"
    out.append(line)
    return out


def _component_short(c) -> str:
    return f"{c.name} {c.old_version or '?'} -> {c.new_version or '?'}"


# -- the details -----------------------------------------------------------------------------------
def python_lines(d: DistributionDiff) -> Lines:
    out = [f"  {change_text(c)}" for c in d.python.changes]
    if d.python.extensions_added:
        out.append("  extension modules added: " + ", ".join(d.python.extensions_added))
    if d.python.extensions_removed:
        out.append("  extension modules removed: " + ", ".join(d.python.extensions_removed))
    return out


def component_lines(d: DistributionDiff) -> Lines:
    if d.components is None:
        return ["  not compared: no component inventory"]
    out = []
    for c in d.components:
        where = f"  ({c.evidence})" if c.evidence else ""
        if c.kind == "changed":
            out.append(f"  {c.name} {c.old_version or 'version unknown'} -> {c.new_version or 'version unknown'}{where}")
        elif c.kind == "added":
            out.append(f"  + {c.name} {c.new_version or '(version unknown)'}{where}")
        else:
            out.append(f"  - {c.name} {c.old_version or '(version unknown)'}{where}")
    return out


def _needed(paths, limit: int = 3) -> str:
    paths = list(paths)
    if not paths:
        return ""
    more = f" and {len(paths) - limit} more" if len(paths) > limit else ""
    return " (needed by " + ", ".join(paths[:limit]) + more + ")"


def requirement_lines(d: DistributionDiff) -> Lines:
    r = d.requirements
    out = [f"  {change_text(c)}" for c in r.changes]
    for path in r.min_glibc_needed_by:
        symbols = r.min_glibc_symbols.get(path) or []
        out.append(f"    driven by {path}" + (f": {', '.join(symbols[:5])}" if symbols else ""))
    for c in r.system_libraries:
        out.append(f"  system library {'+' if c.kind == 'added' else '-'} {c.name}{_needed(c.needed_by)}")
    for c in r.missing_libraries:
        word = "newly missing" if c.kind == "added" else "no longer missing"
        out.append(f"  {word}: {c.name}{_needed(c.needed_by)}")
    return out


def finding_lines(d: DistributionDiff) -> Lines:
    out = []
    for label, items in (("new", d.findings.new), ("resolved", d.findings.resolved)):
        for f in items:
            out.append(f"  {label} {f.severity} {f.code}: {f.message}")
    for c in d.findings.changed:
        out.append(f"  changed {c.new.severity} {c.new.code}: {c.new.message}")
        out.append(f"      was: {c.old.message}")
    return out


def licence_lines(d: DistributionDiff) -> Lines:
    lic = d.licences
    out = []
    if lic.gpl_free is not None:
        out.append(f"  GPL-free: {value(lic.gpl_free.old)} -> {value(lic.gpl_free.new)}")
    for name in lic.gpl_added:
        out.append(f"  GPL code now in: {name}")
    for name in lic.gpl_removed:
        out.append(f"  GPL code no longer in: {name}")
    for c in lic.components:
        gpl = lambda flag: " [GPL]" if flag else ""  # noqa: E731
        if c.kind == "added":
            out.append(f"  + {c.component}: {', '.join(c.new) or 'no licence identified'}{gpl(c.new_gpl)}")
        elif c.kind == "removed":
            out.append(f"  - {c.component}: {', '.join(c.old) or 'no licence identified'}{gpl(c.old_gpl)}")
        else:
            out.append(f"  {c.component}: {', '.join(c.old) or 'none'}{gpl(c.old_gpl)} -> "
                       f"{', '.join(c.new) or 'none'}{gpl(c.new_gpl)}")
    return out


def folder_row(f: FolderSummary) -> list[str]:
    return [f.folder, f"+{f.added:,}" if f.added else "", _bytes(f.added_bytes) if f.added else "",
            f"-{f.removed:,}" if f.removed else "", _bytes(f.removed_bytes) if f.removed else "",
            f"~{f.changed:,}" if f.changed else "", _bytes(f.changed_bytes, True) if f.changed else ""]


def folder_lines(m: MembersDiff, limit: int | None = FOLDERS_SHOWN) -> Lines:
    rows = [folder_row(f) for f in (m.folders if limit is None else m.folders[:limit])]
    if not rows:
        return []
    widths = [max(len(r[i]) for r in rows) for i in range(7)]
    out = ["  " + "  ".join(c.rjust(w) if i else c.ljust(w) for i, (c, w) in enumerate(zip(r, widths))).rstrip()
           for r in rows]
    if limit is not None and len(m.folders) > limit:
        out.append(f"  ... {len(m.folders) - limit:,} more folders (--format json has them all)")
    return out


def member_line(c: MemberChange) -> str:
    if c.kind == "added":
        return f"  + {c.new_path} ({c.type}, {_bytes(c.new_size or 0)})"
    if c.kind == "removed":
        return f"  - {c.old_path} ({c.type}, {_bytes(c.old_size or 0)})"
    where = c.new_path if c.old_path == c.new_path else f"{c.old_path} -> {c.new_path}"
    return f"  ~ {where}: " + "; ".join(change_text(x) for x in c.changes)


def to_text(d: DistributionDiff, members: bool = False) -> str:
    """The diff for a terminal or a CI log: the summary first, then each category, one fact a
    line (not wrapped, so that each can be found with grep)."""
    head = [_side("old", d.old), _side("new", d.new)]
    if d.by_role:
        head.append("(the two lay out their paths differently: members, libraries and findings met by role, "
                    "e.g. lib/python3.12/x meets lib/python3.13/x)")
    blocks = [head, ["Summary", *("  " + s for s in summary_lines(d))]]
    for title, lines in (("Python", python_lines(d)), ("Components", component_lines(d)),
                         ("Requirements", requirement_lines(d)), ("Findings", finding_lines(d)),
                         ("Licences", licence_lines(d)),
                         ("Members by folder (added, removed, changed)", folder_lines(d.members))):
        if lines:
            blocks.append([title, *lines])
    if members and d.members.members:
        blocks.append(["Members", *map(member_line, d.members.members)])
    elif d.members.members:
        blocks.append([f"({d.members.added + d.members.removed + d.members.changed:,} members differ: "
                       "--members lists each one)"])
    if d.notes:
        blocks.append(["Notes", *("  " + n for n in d.notes)])
    return "\n\n".join("\n".join(visible(line) for line in block) for block in blocks) + "\n"


# -- markdown --------------------------------------------------------------------------------------
_MD_SPECIAL = str.maketrans({c: "\\" + c for c in "\\`*_[]<|#"})


def _cell(text: str, item: bool = True) -> str:
    """Archive text made inert for markdown: visible, its markup characters escaped (a name
    like ``_ctypes_test`` must not turn into emphasis), a leading ``+``/``-`` not a list."""
    text = visible(text).translate(_MD_SPECIAL)
    return "\\" + text if item and text[:1] in ("+", "-") else text


def _table(header: list[str], rows: list[list[str]]) -> Lines:
    return ["| " + " | ".join(header) + " |", "|" + "---|" * len(header),
            *("| " + " | ".join(_cell(c, item=False) for c in r) + " |" for r in rows)]


def to_markdown(d: DistributionDiff, members: bool = False) -> str:
    out = ["# Diff of two distributions", "", f"- {_cell(_side('old', d.old))}", f"- {_cell(_side('new', d.new))}"]
    if d.by_role:
        out.append("- paths met by role (different Python versions or layouts)")
    out += ["", "## Summary", "", *(f"- {_cell(s)}" for s in summary_lines(d))]

    def section(title: str, lines: Lines) -> None:
        if lines:
            out.extend(["", f"## {title}", "", *(f"- {_cell(line.strip())}" for line in lines)])

    section("Python", python_lines(d))
    section("Components", component_lines(d))
    section("Requirements", requirement_lines(d))
    section("Findings", finding_lines(d))
    section("Licences", licence_lines(d))
    if d.members.folders:
        out += ["", "## Members by folder", "",
                *_table(["folder", "added", "bytes", "removed", "bytes", "changed", "bytes"],
                        [folder_row(f) for f in d.members.folders[:FOLDERS_SHOWN]])]
        if len(d.members.folders) > FOLDERS_SHOWN:
            out += ["", f"{len(d.members.folders) - FOLDERS_SHOWN:,} more folders in the JSON output."]
    if members and d.members.members:
        section("Members", [member_line(c) for c in d.members.members])
    section("Notes", d.notes)
    return "\n".join(out) + "\n"


def to_json(d: DistributionDiff, members: bool = False) -> str:
    """The JSON contract; the list of every differing member only with ``members`` (else null)."""
    plain = to_plain(d)
    plain["differs"] = d.differs()
    if not members:
        plain["members"]["members"] = None
    return json.dumps(plain, indent=2) + "\n"


# -- rows for the app's Diff screen ------------------------------------------------------------
class Row(NamedTuple):
    """One line of a category in the app: a mark (+ - ~), what, old, new, and the member to go
    to (None: nothing to go to)."""

    mark: str
    what: str
    old: str
    new: str
    path: str | None = None


def category_rows(d: DistributionDiff) -> dict[str, list[Row]]:
    """The diff as rows per category (Summary first), raw archive text (escape it to draw it)."""
    marks = {"added": "+", "removed": "-", "changed": "~"}
    rows: dict[str, list[Row]] = {"summary": [Row("", line.partition(": ")[0], "", line.partition(": ")[2])
                                              for line in summary_lines(d)]}
    rows["python"] = [Row("~", _LABELS.get(c.field, c.field), value(c.old), value(c.new)) for c in d.python.changes]
    rows["python"] += [Row("+", "extension module", "", n) for n in d.python.extensions_added]
    rows["python"] += [Row("-", "extension module", n, "") for n in d.python.extensions_removed]
    rows["components"] = [Row(marks[c.kind], c.name, c.old_version or ("" if c.kind == "added" else "unknown"),
                              c.new_version or ("" if c.kind == "removed" else "unknown"), c.evidence)
                          for c in d.components or []]
    r = d.requirements
    req = [Row("~", _LABELS.get(c.field, c.field), value(c.old), value(c.new)) for c in r.changes]
    req += [Row("", "minimum glibc driven by", "", f"{p}: {', '.join(r.min_glibc_symbols.get(p) or [])}", p)
            for p in r.min_glibc_needed_by]
    req += [Row(marks[c.kind], f"system library {c.name}", "", ", ".join(c.needed_by[:3]),
                c.needed_by[0] if c.needed_by else None) for c in r.system_libraries]
    req += [Row(marks[c.kind], f"{'newly' if c.kind == 'added' else 'no longer'} missing {c.name}", "",
                ", ".join(c.needed_by[:3]), c.needed_by[0] if c.needed_by and c.kind == "added" else None)
            for c in r.missing_libraries]
    rows["requirements"] = req
    rows["findings"] = [Row("+", f"{f.severity} {f.code}", "", f.message, f.paths[0] if f.paths else None)
                        for f in d.findings.new]
    rows["findings"] += [Row("-", f"{f.severity} {f.code}", f.message, "") for f in d.findings.resolved]
    rows["findings"] += [Row("~", f"{c.new.severity} {c.new.code}", c.old.message, c.new.message,
                             c.new.paths[0] if c.new.paths else None) for c in d.findings.changed]
    lic = d.licences
    rows["licences"] = ([Row("~", "GPL-free", value(lic.gpl_free.old), value(lic.gpl_free.new))]
                        if lic.gpl_free is not None else [])
    rows["licences"] += [Row("+", f"GPL code in {n}", "", "") for n in lic.gpl_added]
    rows["licences"] += [Row("-", f"GPL code in {n}", "", "") for n in lic.gpl_removed]
    rows["licences"] += [Row(marks[c.kind], c.component, ", ".join(c.old) + (" [GPL]" if c.old_gpl else ""),
                             ", ".join(c.new) + (" [GPL]" if c.new_gpl else "")) for c in lic.components]
    members = [Row("", f"{f.folder}/", f"-{f.removed:,} ({_bytes(f.removed_bytes)})" if f.removed else "",
                   " ".join(x for x in (f"+{f.added:,} ({_bytes(f.added_bytes)})" if f.added else "",
                                        f"~{f.changed:,} ({_bytes(f.changed_bytes, True)})" if f.changed else "")
                            if x)) for f in d.members.folders]
    for c in d.members.members:
        detail = "; ".join(change_text(x) for x in c.changes) if c.kind == "changed" else c.type
        members.append(Row(marks[c.kind], c.path, _bytes(c.old_size) if c.old_size is not None else "",
                           detail if c.kind == "changed" else (_bytes(c.new_size) if c.new_size is not None else ""),
                           c.new_path or c.old_path))
    rows["members"] = members
    return rows
