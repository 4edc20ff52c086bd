"""The header of a wheel's core metadata (``*.dist-info/METADATA``), read as ``email.parser`` reads it.

Core metadata is RFC 822-style (the packaging specification, PEP 566/643): ``Name: value``
fields, continuation lines starting with a space or tab, repeated fields (``Classifier``), the
description after the first blank line. The standard library's ``email.parser.HeaderParser``
reads it correctly but costs about 150 µs a file (a feed parser, a policy call per field); this
reader gives the same fields (the ``compat32`` policy's: names as written, values with their
continuation lines, leading blanks and the final line break removed) in about 30 µs, with two
regular expressions for the usual header and a line loop for the rest. The pass reads every
METADATA of a site-packages, on the analysis thread. ``tests/test_coremeta.py``
compares the two on every METADATA file of the running interpreter and on malformed headers.
"""

from __future__ import annotations

import re

#: A line and its break, as ``email.parser`` sees them (not ``str.splitlines``'s form feeds and
#: U+2028); at the end of the text, an empty line.
_LINE = re.compile(r"([^\r\n]*)(\r\n|\r|\n|\Z)")
#: A header of fields and their continuations only, each line ending in a line feed; and one
#: field of it: its name (printable ASCII but the colon) and its value, leading blanks left out.
_PLAIN = re.compile(r"(?:[!-9;-~]+:.*\n(?:[ \t].*\n)*)+")
_FIELD = re.compile(r"([!-9;-~]+):[ \t]*(.*(?:\n[ \t].*)*)\n")  # (each match starts where the last ended)


def header_fields(text: str) -> list[tuple[str, str]]:
    """(name, value) of every field of the header at the start of ``text``, in order.

    The header ends at the first empty line or the first line that is neither a field nor a
    continuation. As in ``email.parser``: a continuation with no field above it, a "From "
    envelope line and a line starting with a colon are dropped, and so are continuations after
    them."""
    stop = text.find("\n\n")
    head = text[:stop + 1] if stop >= 0 else text
    if "\r" not in head and _PLAIN.fullmatch(head):
        return _FIELD.findall(head)  # (nearly every METADATA: fields and continuations, line feeds only)
    fields: list[tuple[str, str]] = []
    name: str | None = None
    value: list[str] = []
    for line, end in map(re.Match.groups, _LINE.finditer(text)):  # (lazily: not the description)
        if not line:
            break  # an empty line ends the header, and so does the end of the text
        if line[0] in " \t":  # a continuation
            if name is not None:
                value.append(line + end)
            continue
        colon = line.find(":")
        key = line[:colon]
        field = colon >= 0 and key.isascii() and key.isprintable() and " " not in key
        if not field and not line.startswith("From "):
            break  # a line of text ends the header
        if name is not None:
            fields.append((name, "".join(value).rstrip("\r\n")))
        # (an envelope line, or a field without a name, is dropped with its continuations)
        name = key if field and colon else None
        value = [line[colon + 1:].lstrip(" \t") + end]
    if name is not None:
        fields.append((name, "".join(value).rstrip("\r\n")))
    return fields


def by_name(fields: list[tuple[str, str]]) -> dict[str, list[str]]:
    """The values of each field, by its name in lower case (``Message.get_all`` of any case)."""
    out: dict[str, list[str]] = {}
    for name, value in fields:
        out.setdefault(name.lower(), []).append(value)
    return out
