"""Iterate the members of an ``ar`` archive (``.a``, ``.lib``) held in memory, possibly cut short."""

from __future__ import annotations

from typing import Iterator

MAGIC = b"!<arch>\n"
_HEADER = 60


def members(data: bytes, limit: int = 100_000) -> Iterator[tuple[str, bytes, bool]]:
    """(name, content, complete) for each real member (symbol tables and the long-name table
    are skipped). Stops quietly at damage or at the end of ``data``."""
    if not data.startswith(MAGIC):
        return
    pos, names, count = len(MAGIC), b"", 0
    while pos + _HEADER <= len(data) and count < limit:
        header = data[pos:pos + _HEADER]
        if header[58:60] != b"`\n":
            return
        raw_name = header[:16].rstrip(b" ")
        try:
            size = int(header[48:58].strip() or b"0")
        except ValueError:
            return
        if size < 0:
            return
        start = pos + _HEADER
        body = data[start:start + size]
        complete = len(body) == size
        pos = start + size + (size & 1)
        if raw_name in (b"/", b"/SYM64/", b"__.SYMDEF", b"__.SYMDEF SORTED"):
            continue
        if raw_name == b"//":
            names = body
            continue
        name = raw_name
        if raw_name.startswith(b"#1/"):  # BSD: the name follows the header
            try:
                length = int(raw_name[3:])
            except ValueError:
                return
            name, body = body[:length].rstrip(b"\x00"), body[length:]
            if name.startswith(b"__.SYMDEF"):
                continue
        elif raw_name.startswith(b"/") and raw_name[1:].isdigit():  # GNU/COFF long name
            offset = int(raw_name[1:])
            end = names.find(b"\n", offset)
            end2 = names.find(b"\x00", offset)
            ends = [e for e in (end, end2) if e >= 0]
            name = names[offset:min(ends) if ends else len(names)]
        name_text = name.decode("utf-8", "replace").rstrip("/")
        count += 1
        yield name_text, body, complete
        if not complete:
            return
