"""Text from an archive made inert before it reaches a terminal.

Member names, link targets, PYTHON.json fields, ELF strings and licence texts are untrusted: an
ESC or OSC sequence in one of them would be run by the terminal (set the clipboard, the title,
clear the screen). :func:`visible` shows every such character as a visible escape instead, the
way ``ls`` and GNU ``tar -t`` do. Use it at the edge, on what is printed or drawn; JSON output
keeps exact values.
"""

from __future__ import annotations

__all__ = ["visible"]


def _escape(ch: str) -> str:
    code = ord(ch)
    if 0xDC80 <= code <= 0xDCFF:  # an undecodable byte kept by surrogateescape
        return f"\\x{code - 0xDC00:02x}"
    if code < 0x100:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


def visible(text: str, keep: str = "") -> str:
    """``text`` with every non-printable character (C0 and C1 controls, DEL, format characters
    such as bidirectional overrides, line separators, lone surrogates) written as a ``\\xNN`` or
    ``\\uNNNN`` escape; characters in ``keep`` (say ``"\\n\\t"`` for a multi-line text) stay."""
    if text.isprintable():
        return text
    return "".join(ch if ch.isprintable() or ch in keep else _escape(ch) for ch in text)
