"""Libraries compiled into the distribution's binaries (the component inventory's native
components: Berkeley DB in ``_dbm``, OpenSSL, SQLite, Tcl/Tk, ncurses...) matched with the
licence texts that cover them, so the licences section lists them even when no licence file
mentions them, and says it is incomplete when one has no text.

The inventory is read through :class:`ContainedLike`, the few fields used here, so this module
does not depend on how the inventory is built.
"""

from __future__ import annotations

import posixpath
import re
from typing import Iterable, Protocol, Sequence

#: Inventory kinds that are libraries inside the distribution's binaries.
NATIVE = ("library", "vendored-library")


class ContainedLike(Protocol):
    """What this module reads of an inventory component."""

    id: str
    name: str
    kind: str
    version: str | None
    licence: str | None
    licence_source: str
    contained_in: list[str]


_ALNUM = re.compile(r"[^a-z0-9]+")


def _keys(component: ContainedLike) -> list[str]:
    """Names a licence file or text would use for the component (``bdb``, ``berkeley db``)."""
    keys = {component.id.rsplit("/", 1)[-1].split(":")[-1].lower(), component.name.lower()}
    keys |= {k.split(" (")[0] for k in keys} | {k for name in keys for k in re.findall(r"\(([^)]+)\)", name)}
    return sorted(k for k in keys if len(k) >= 2)


def _covers(keys: list[str], path: str, text: str | None) -> bool:
    name = _ALNUM.sub(" ", path.lower())
    head = (text or "")[:8000].lower()
    for key in keys:
        k = _ALNUM.sub(" ", key).strip()
        if re.search(rf"(?<![a-z0-9]){re.escape(k)}(?![a-z])", name) or (k and len(k) > 3 and k in head):
            return True
    return False


def contained(components: Iterable[ContainedLike], files: Sequence[dict]) -> list[dict]:
    """One entry per native component: name, version, licence (and where that came from), the
    binaries it is in, and the licence files that cover it (by the component's name in the file
    name or at the top of its text); ``missing_text`` when there is none."""
    out = []
    for c in components:
        if c.kind not in NATIVE or not c.contained_in:
            continue
        keys = _keys(c)
        covering = [f for f in files if _covers(keys, f["path"], f.get("text"))]
        # (the texts of the component's own licence first: OpenSSL 3's Apache text before 1.1's)
        covering.sort(key=lambda f: (c.licence not in (f.get("spdx") or []),
                                     not _covers(keys, posixpath.basename(f["path"]), None)))
        texts = [f["path"] for f in covering]
        out.append({"name": c.name, "version": c.version, "licence": c.licence,
                    "licence_source": c.licence_source, "contained_in": list(c.contained_in),
                    "licence_files": texts, "missing_text": not texts})
    return out


def statement(entries: list[dict]) -> str:
    """A sentence on the contained libraries without a licence text ("" when every one has one)."""
    missing = [e for e in entries if e["missing_text"]]
    if not missing:
        return ""
    names = "; ".join(f"{e['name']}{' ' + e['version'] if e['version'] else ''} "
                      f"({e['licence'] or 'licence unknown'}) in {posixpath.basename(e['contained_in'][0])}"
                      for e in missing)
    return f" No licence text in the archive for libraries compiled into its binaries: {names}."
