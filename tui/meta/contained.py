"""Libraries compiled into the distribution's binaries (the component inventory's native
components: Berkeley DB in ``_dbm``, OpenSSL, SQLite, Tcl/Tk, ncurses...) matched with the
licence texts that cover them, so the licences section lists them even when no licence file
mentions them, and says it is incomplete when one has no text.

The inventory is read through :class:`ContainedLike`, the few fields used here, so this module
does not depend on how the inventory is built.
"""

from __future__ import annotations

import fnmatch
import posixpath
import re
from typing import Any, Iterable, NamedTuple, Protocol, Sequence

#: Inventory kinds that are libraries inside the distribution's binaries.
NATIVE = ("library", "vendored-library")


class ContainedLike(Protocol):
    """What this module reads of an inventory component."""

    @property
    def id(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def kind(self) -> str: ...
    @property
    def version(self) -> str | None: ...
    @property
    def licence(self) -> str | None: ...
    @property
    def licence_source(self) -> str: ...
    @property
    def contained_in(self) -> list[str]: ...


_ALNUM = re.compile(r"[^a-z0-9]+")


def _keys(component: ContainedLike) -> list[str]:
    """Names a licence file or text would use for the component (``bdb``, ``berkeley db``)."""
    keys = {component.id.rsplit("/", 1)[-1].split(":")[-1].lower(), component.name.lower()}
    keys |= {k.split(" (")[0] for k in keys} | {k for name in keys for k in re.findall(r"\(([^)]+)\)", name)}
    return sorted(k for k in keys if len(k) >= 2)


class _Text(NamedTuple):
    path: str
    spdx: list[str]
    words: str  #: the path's words, lower case, one space apart
    base: str  #: the same of the file name alone
    head: str  #: the start of the text, lower case
    #: a bundle's sections: (``Files:`` patterns, the ``License:`` expression or None)
    sections: list[tuple[list[str], str | None]]


_SECTION = re.compile(r"^Name[ \t]*:.*?(?=^Name[ \t]*:|\Z)", re.M | re.S)
_FILES = re.compile(r"^Files[ \t]*:[ \t]*(.+)$", re.M)
_LICENSE = re.compile(r"^License[ \t]*:[ \t]*(\S.*?)[ \t]*$", re.M)


def _sections(text: str) -> list[tuple[list[str], str | None]]:
    """The ``Name:`` sections of a wheel's licence bundle, as the files they cover and their licence."""
    if "Files:" not in text:
        return []
    out = []
    for m in _SECTION.finditer(text):
        block = m.group(0)
        globs = [g.strip(",") for line in _FILES.findall(block) for g in line.split() if g.strip(",")]
        licence = _LICENSE.search(block)
        if globs:
            out.append((globs, licence.group(1) if licence else None))
    return out


def _bundled(path: str, sections: list[tuple[list[str], str | None]]) -> tuple[bool, str | None]:
    """Whether a bundle section's ``Files:`` covers ``path`` (``numpy.libs/libquadmath*.so``
    matching ``.../numpy.libs/libquadmath-96973f99.so.0.0.0``), and that section's licence."""
    for globs, licence in sections:
        for glob in globs:
            if fnmatch.fnmatchcase(path, "*/" + glob) or fnmatch.fnmatchcase(path, "*/" + glob + ".*"):
                return True, licence
    return False, None


def _pattern(keys: list[str]) -> re.Pattern[str]:
    """A key as a whole word of a path (digits may follow: ``tk`` in ``tk8.6``)."""
    words = [re.escape(_ALNUM.sub(" ", k).strip()) for k in keys]
    return re.compile(rf"(?<![a-z0-9])(?:{'|'.join(w for w in words if w)})(?![a-z])")


def contained(components: Iterable[ContainedLike], files: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """One entry per native component: name, version, licence (and where that came from), the
    binaries it is in, and the licence files that cover it (by the component's name in the file's
    path or, for names of four letters or more, at the top of its text; its own licence and its
    name in the file name first); ``missing_text`` when there is none."""
    texts = [_Text(f["path"], f.get("spdx") or [], _ALNUM.sub(" ", f["path"].lower()),
                   _ALNUM.sub(" ", posixpath.basename(f["path"]).lower()), (f.get("text") or "")[:8000].lower(),
                   _sections(f.get("text") or ""))
             for f in files]
    out = []
    for c in components:
        if c.kind not in NATIVE or not c.contained_in:
            continue
        keys = _keys(c)
        pattern = _pattern(keys)
        long_keys = [k for k in keys if len(k) > 3]
        licence, source = c.licence, c.licence_source
        covering, in_bundle = [], set()
        for t in texts:
            bundled, declared = _bundled(c.contained_in[0], t.sections) if t.sections else (False, None)
            if bundled:
                covering.append(t)
                in_bundle.add(t.path)
                if licence is None and declared:  # (the bundle's License: line for that file)
                    licence, source = declared, f"License: line of {t.path}"
            elif pattern.search(t.words) or any(k in t.head for k in long_keys):
                covering.append(t)
        # (a bundle section naming its file first, then texts of its own licence, then its name)
        covering.sort(key=lambda t: (t.path not in in_bundle, licence not in t.spdx, not pattern.search(t.base)))
        out.append({"name": c.name, "version": c.version, "licence": licence,
                    "licence_source": source, "contained_in": list(c.contained_in),
                    "licence_files": [t.path for t in covering], "missing_text": not covering})
    return out


def statement(entries: list[dict[str, Any]]) -> str:
    """A sentence on the contained libraries without a licence text ("" when every one has one)."""
    missing = [e for e in entries if e["missing_text"]]
    if not missing:
        return ""
    names = "; ".join(f"{e['name']}{' ' + e['version'] if e['version'] else ''} "
                      f"({e['licence'] or 'licence unknown'}) in {posixpath.basename(e['contained_in'][0])}"
                      for e in missing)
    return f" No licence text in the archive for libraries compiled into its binaries: {names}."
