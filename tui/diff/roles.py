"""Member paths by role: the key under which a member of one distribution meets its counterpart
in another, so that ``lib/python3.12/os.py`` meets ``lib/python3.13/os.py``, ``libpython3.12.so``
meets ``libpython3.13.so``, ``python312.dll`` meets ``python313.dll`` and ``_ssl.cpython-312-darwin.so``
meets ``_ssl.cpython-313-x86_64-linux-gnu.so``.

A role key is the path with the side's Python version and platform tags replaced by placeholders
(``{X.Y}``, ``{XY}``, ``{ext}`` ...), the full layout's ``install/`` folder dropped and the Windows
``Lib/``, ``DLLs/``, ``include/`` and ``tcl/`` folders put where POSIX builds keep them. Linear in
the members: a folder's key is made once per folder, and a pattern is tried on a member's name
only when the name holds the pattern's fixed text.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Iterable

#: ``lib/python3.12/``, ``include/python3.13t/``, ``libpython3.12.so``, ``python3.12-config``
_DOTTED = re.compile(r"python(3\.\d{1,2})")
#: ``python312.dll``, ``python311.lib``
_JOINED = re.compile(r"(?:^|/)python(3\d{1,2})(?:_d)?\.(?:dll|lib|pdb)$")

#: Platform tags, the same whatever the version: extension-module suffixes, bytecode caches,
#: the sysconfig data module and the config folder.
_PLATFORM = [
    (re.compile(r"\.cpython-3\d+[a-z]*-[^/]*\.so$"), ".{ext}", ".cpython-"),
    (re.compile(r"\.cp3\d+-win[^/]*\.pyd$"), ".{ext}", ".pyd"),
    (re.compile(r"\.abi3\.so$"), ".{ext}", ".abi3."),
    (re.compile(r"\.pyd$"), ".{ext}", ".pyd"),
    (re.compile(r"\.cpython-3\d+[a-z]*((?:\.opt-\d)?\.pyc)$"), r".{pyc}\1", ".pyc"),
    (re.compile(r"/_sysconfigdata_[^/]*\.py$"), "/_sysconfigdata_{platform}.py", "_sysconfigdata_"),
    (re.compile(r"/_sysconfig_vars_[^/]*\.json$"), "/_sysconfig_vars_{platform}.json", "_sysconfig_vars_"),
    (re.compile(r"/config-3\.\d+[a-z]*-[^/]*(/|$)"), r"/config-{X.Y}-{platform}\1", "/config-3."),
]
#: A folder named by its package's version (``tcl8.6``, ``itcl4.2.4``, ``thread2.8.9``): the same
#: role whatever the version.
_VERSIONED_FOLDER = (re.compile(r"(?<=/)([A-Za-z]+)\d+(?:\.\d+)+(?=/|$)"), r"\1{v}", ".")
_VERSIONED_NAME = re.compile(r"[A-Za-z]+\d+(?:\.\d+)+$").match
#: The full layout's install tree, as install_only builds lay it out.
_LAYOUT = [
    (re.compile(r"^([^/]+)/install(?=/|$)"), r"\1"),
]
#: Windows folders where POSIX builds keep the same things (used for Windows layouts only).
_WINDOWS = [
    (re.compile(r"^([^/]+/)Lib(?=/|$)"), r"\1lib/python{X.Y}"),
    (re.compile(r"^([^/]+/)DLLs/([^/]+\.\{ext\})$"), r"\1lib/python{X.Y}/lib-dynload/\2"),
    (re.compile(r"^([^/]+/)include(?=/|$)"), r"\1include/python{X.Y}"),
    (re.compile(r"^([^/]+/)tcl(?=/|$)"), r"\1lib"),
]
_WINDOWS_LAYOUT = re.compile(r"^[^/]+/(?:install/)?Lib/")


def is_windows_layout(paths: Iterable[str]) -> bool:
    """Whether the paths are laid out as a Windows CPython (``Lib/``, not ``lib/pythonX.Y/``)."""
    return any(_WINDOWS_LAYOUT.match(p) for p in paths)


def python_minor(paths: Iterable[str], hint: str | None = None) -> str | None:
    """The ``X.Y`` Python version a distribution's paths are laid out for: ``hint`` (a version
    such as ``3.12.11``) when given, else the most common one the paths name."""
    if hint:
        parts = hint.split(".")
        if len(parts) >= 2 and parts[0].isdigit() and parts[1].isdigit():
            return f"{parts[0]}.{parts[1]}"
    votes: Counter = Counter()
    for path in paths:
        if "python3" not in path:
            continue
        m = _DOTTED.search(path)
        if m:
            votes[m.group(1)] += 1
            continue
        m = _JOINED.search(path)
        if m:
            votes[f"3.{m.group(1)[1:]}"] += 1
    return votes.most_common(1)[0][0] if votes else None


class RoleMapper:
    """Role keys for the paths of one distribution laid out for Python ``minor`` (``X.Y``)."""

    def __init__(self, minor: str | None, windows: bool = False) -> None:
        self.minor = minor
        self._windows = _WINDOWS if windows else []
        #: (pattern, replacement, a substring the text must hold for the pattern to be tried)
        subs: list[tuple[re.Pattern[str], str, str]] = []
        if minor:
            major, _, mi = minor.partition(".")
            dotted, joined = re.escape(minor), re.escape(major + mi)
            subs.append((re.compile(rf"(?<![0-9.]){dotted}(?![0-9]|\.[0-9])"), "{X.Y}", minor))
            subs.append((re.compile(rf"((?:^|/|[a-z_-])(?:python|cpython-|cp|py)){joined}(?![0-9])"), r"\1{XY}",
                         major + mi))
        self._subs = _PLATFORM + subs + [_VERSIONED_FOLDER]

        self._dirs: dict[str, str] = {}

    def key(self, path: str) -> str:
        """The role key of ``path``. Its folder's key is worked out once per folder; a pattern is
        tried on the name only when the name holds the pattern's fixed text."""
        if "/install" in path:
            for pattern, repl in _LAYOUT:
                path = pattern.sub(repl, path, count=1)
        folder, sep, name = path.rpartition("/")
        key = self._dirs.get(folder)
        if key is None:
            key = self._dirs[folder] = self._apply(folder + "/")[:-1] if folder else folder
        name = self._apply_name(name)
        path = key + sep + name
        for pattern, repl in self._windows:
            path = pattern.sub(repl, path, count=1)
        return path

    def _apply_name(self, name: str) -> str:
        """The substitutions on a member's own name (the folder rule only when the name looks
        like ``tcl8.6``: a regular expression per member costs more than the check)."""
        text = "/" + name
        for pattern, repl, needle in self._subs[:-1]:
            if needle in text:
                text = pattern.sub(repl, text)
        if _VERSIONED_NAME(text, 1):
            text = _VERSIONED_FOLDER[0].sub(_VERSIONED_FOLDER[1], text)
        return text[1:]

    def _apply(self, text: str) -> str:
        for pattern, repl, needle in self._subs:
            if needle in text:
                text = pattern.sub(repl, text)
        return text

    def link_key(self, target: str) -> str:
        """A symlink target with the version replaced (``python3 -> python3.12`` is the same
        link as ``python3 -> python3.13``)."""
        return self._apply(target)


def role_keys(paths: list[str], minor: str | None, windows: bool = False) -> list[str]:
    """The role key of each path (in order). Two paths of one side that would share a key keep
    their own path as key (the first one keeps the role key)."""
    mapper = RoleMapper(minor, windows)
    keys = [mapper.key(p) for p in paths]
    seen: set[str] = set()
    for i, k in enumerate(keys):
        if k in seen:
            keys[i] = paths[i]
        seen.add(k)
    return keys
