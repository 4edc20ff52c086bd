"""Iterate the members of an ``ar`` archive (``.a``, ``.lib``) held in memory, possibly cut short."""

from __future__ import annotations

from typing import Iterator

from distscope.tui.archive.segments import ByteSource, Segments, as_segments

MAGIC = b"!<arch>\n"
_HEADER = 60


def members(data: ByteSource, limit: int = 100_000) -> Iterator[tuple[str, ByteSource, bool]]:
    """(name, content, complete) for each real member (symbol tables and the long-name table
    are skipped). Stops quietly at damage or at the end of ``data``. The content is ``bytes``
    for ``bytes`` data, and uncopied :class:`Segments` for Segments."""
    src = as_segments(data)
    copy = not isinstance(data, Segments)
    if not src.startswith(MAGIC):
        return
    pos, names, count, size_all = len(MAGIC), b"", 0, len(src)
    while pos + _HEADER <= size_all and count < limit:
        header = src.read(pos, _HEADER)
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
        pos = start + size + (size & 1)
        if raw_name in (b"/", b"/SYM64/", b"__.SYMDEF", b"__.SYMDEF SORTED"):
            continue
        body = src.sub(start, size)
        complete = len(body) == size
        if raw_name == b"//":
            names = body.tobytes()
            continue
        name = raw_name
        if raw_name.startswith(b"#1/"):  # BSD: the name follows the header
            try:
                length = int(raw_name[3:])
            except ValueError:
                return
            name, body = body.read(0, length).rstrip(b"\x00"), body.sub(length, len(body))
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
        yield name_text, body.tobytes() if copy else body, complete
        if not complete:
            return
