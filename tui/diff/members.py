"""The member half of a diff: members added, removed and changed, met by role (see
:mod:`distscope.tui.diff.roles`), summarised by folder.

Content: the index keeps no per-member hash (hashing every member during the pass would cost the
pass its speed target), so two members whose type, size, mode and link target agree count as
unchanged, and a member counts as changed in content only where both sides carry a SHA-256 for it
(``hashes``: the files the component inventory hashed). :attr:`MembersDiff.content` says which.
"""

from __future__ import annotations

from typing import Iterable, Mapping

from distscope.tui.archive.members import FILE, HARDLINK, SYMLINK, Member
from distscope.tui.diff.roles import RoleMapper, role_keys
from distscope.tui.model.diff import Change, FolderSummary, MemberChange, MembersDiff

#: Folders are summarised this many path components deep (``python/share/terminfo``,
#: ``python/lib/tcl9.0``), one more inside the standard library (``python/lib/python3.13/json``).
FOLDER_DEPTH = 3


class Layout:
    """How one side lays out its paths: its Python ``X.Y`` and whether it is a Windows layout."""

    def __init__(self, minor: str | None, windows: bool = False) -> None:
        self.minor = minor
        self.windows = windows
        self.mapper = RoleMapper(minor, windows)


def _folder(path: str, depth: int) -> str:
    """The folder ``depth`` components deep that holds ``path`` (not counting a full layout's
    ``install/``, so that ``python/install/lib/python3.13/json`` is as deep as ``python/lib/python3.13/json``)."""
    parts = path.split("/")[:-1]
    extra = 1 if len(parts) > 1 and parts[1] == "install" else 0
    top = parts[1 + extra:3 + extra]
    if len(top) == 2 and top[0] == "lib" and top[1].startswith("python"):
        extra += 1  # (Windows keeps the same folders one level up, in Lib/)
    return "/".join(parts[:depth + extra]) or "."


def _compare(old: Member, new: Member, old_layout: Layout, new_layout: Layout,
             old_hash: str | None, new_hash: str | None) -> tuple[Change, ...]:
    changes: list[Change] = []
    if old.type != new.type:
        changes.append(Change("type", old.type, new.type))
    if old.size != new.size and FILE in (old.type, new.type):
        changes.append(Change("size", old.size, new.size))
    if old.mode & 0o7777 != new.mode & 0o7777 and old.type != SYMLINK and new.type != SYMLINK:
        changes.append(Change("mode", f"{old.mode & 0o7777:04o}", f"{new.mode & 0o7777:04o}"))
    if old.linkname != new.linkname and (old.type in (SYMLINK, HARDLINK) or new.type in (SYMLINK, HARDLINK)):
        if old.type == HARDLINK:
            same = old_layout.mapper.key(old.linkname) == new_layout.mapper.key(new.linkname)
        else:
            same = old_layout.mapper.link_key(old.linkname) == new_layout.mapper.link_key(new.linkname)
        if not same:
            changes.append(Change("link", old.linkname, new.linkname))
    if old_hash and new_hash and old_hash != new_hash:
        changes.append(Change("content", old_hash, new_hash))
    return tuple(changes)


def diff_members(old: Iterable[Member], new: Iterable[Member], old_layout: Layout, new_layout: Layout, *,
                 old_hashes: Mapping[str, str] | None = None, new_hashes: Mapping[str, str] | None = None,
                 depth: int = FOLDER_DEPTH) -> MembersDiff:
    """Members added, removed and changed from ``old`` to ``new``, by role."""
    old, new = list(old), list(new)
    old_hashes, new_hashes = old_hashes or {}, new_hashes or {}
    old_keys = role_keys([m.path for m in old], old_layout.minor, old_layout.windows)
    new_keys = role_keys([m.path for m in new], new_layout.minor, new_layout.windows)
    old_by_key = dict(zip(old_keys, old))
    result = MembersDiff(old_members=len(old), new_members=len(new))
    folders: dict[str, FolderSummary] = {}

    roles: dict[tuple[str, bool], str] = {}  # (folder, new side?) -> its role key, once per folder

    def summary(path: str, layout: Layout) -> FolderSummary:
        """The summary of the folder holding ``path``, met by role, shown as the side seen
        first names it (new members are visited first, so the new side's name wins)."""
        folder = _folder(path, depth)
        role = roles.get((folder, layout is new_layout))
        if role is None:
            role = roles[folder, layout is new_layout] = layout.mapper.key(folder)
        if role not in folders:
            folders[role] = FolderSummary(folder)
        return folders[role]

    changes: list[MemberChange] = []
    matched_keys: set[str] = set()
    for key, member in zip(new_keys, new):
        before = old_by_key.get(key)
        if before is None:
            changes.append(MemberChange("added", None, member.path, member.type, new_size=member.size))
            s = summary(member.path, new_layout)
            s.added += 1
            s.added_bytes += member.size
            result.added_bytes += member.size
            continue
        matched_keys.add(key)
        result.matched += 1
        if before.path != member.path:
            result.matched_by_role += 1
        old_hash, new_hash = old_hashes.get(before.path), new_hashes.get(member.path)
        if old_hash and new_hash:
            result.hashed += 1
        found = _compare(before, member, old_layout, new_layout, old_hash, new_hash)
        if not found:
            result.unchanged += 1
            continue
        changes.append(MemberChange("changed", before.path, member.path, member.type,
                                    old_size=before.size, new_size=member.size, changes=found))
        s = summary(member.path, new_layout)
        s.changed += 1
        s.changed_bytes += member.size - before.size
        result.changed_bytes += member.size - before.size
    for key, member in zip(old_keys, old):
        if key in matched_keys:
            continue
        changes.append(MemberChange("removed", member.path, None, member.type, old_size=member.size))
        s = summary(member.path, old_layout)
        s.removed += 1
        s.removed_bytes += member.size
        result.removed_bytes += member.size
    changes.sort(key=lambda c: c.path)
    result.members = changes
    result.added = sum(1 for c in changes if c.kind == "added")
    result.removed = sum(1 for c in changes if c.kind == "removed")
    result.changed = len(changes) - result.added - result.removed
    result.content = "sha256" if result.hashed else "size"
    result.folders = sorted(folders.values(), key=lambda f: (-(f.added + f.removed + f.changed), f.folder))
    return result
