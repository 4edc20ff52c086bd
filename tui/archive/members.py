"""The tar member record kept by the index."""

from __future__ import annotations

import posixpath
from typing import NamedTuple

FILE, DIRECTORY, SYMLINK, HARDLINK, OTHER = "file", "directory", "symlink", "hardlink", "other"


def normalize(name: str) -> str:
    """The lookup path of a member name: no leading ``./`` or ``/``, no trailing ``/``."""
    path = name.rstrip("/")
    # Fast path: nothing for normpath to do (the common case, by far).
    if path and path[0] not in "./" and "//" not in path and (
            "/." not in path or "/./" not in path and "/../" not in path and not path.endswith(("/.", "/.."))):
        return path
    path = name
    while path.startswith("./"):
        path = path[2:]
    path = path.strip("/")
    return posixpath.normpath(path) if path else ""


class Member(NamedTuple):
    """One tar member, as recorded by the streaming index. A named tuple: tens of thousands
    are made per archive (by the scan and by the cache), and a tuple is the cheapest to make."""

    name: str  #: exactly as stored (what ``tar -t`` prints)
    path: str  #: normalized lookup path
    type: str  #: file, directory, symlink, hardlink or other
    size: int
    mode: int
    mtime: int
    uid: int
    gid: int
    uname: str
    gname: str
    linkname: str  #: symlink or hardlink target, else ""
    header_offset: int  #: offset of the first header block in the decompressed stream
    data_offset: int  #: offset of the member's data in the decompressed stream
    kind: str = ""  #: content class of a file member (elf, pe, text, ...) when analysers rode the pass
    typeflag: str = "0"

    @property
    def is_file(self) -> bool:
        return self.type == FILE

    def to_row(self) -> list[object]:
        """A compact list for the cache."""
        return list(self)
