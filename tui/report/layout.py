"""Text layout shared by the report's renderers: wrapping at 80 columns, markdown blocks and tables."""

from __future__ import annotations

import textwrap
from typing import Iterable

Lines = list[str]
#: Text output fits this many columns (read over SSH at 80x24); markdown and JSON are not wrapped.
WIDTH = 80


def wrap(text: str, indent: str = "", hang: str | None = None, width: int = WIDTH) -> Lines:
    """``text`` as lines of at most ``width`` columns, the first indented by ``indent``, the rest
    by ``hang`` (default: four more); paths and words longer than a line are never broken."""
    hang = indent + "    " if hang is None else hang
    if len(indent) + len(text) <= width:
        return [indent + text]
    return textwrap.wrap(text, width, initial_indent=indent, subsequent_indent=hang, break_long_words=False,
                         break_on_hyphens=False) or [indent.rstrip()]


def fit(lines: Lines, width: int = WIDTH) -> Lines:
    """Wrap each line longer than ``width`` with a hanging indent four past its own."""
    out: Lines = []
    for line in lines:
        if len(line) <= width:
            out.append(line)
        else:
            indent = line[:len(line) - len(line.lstrip())]
            out += wrap(line.strip(), indent, width=width)
    return out


def markdown_block(title: str, lines: Lines) -> Lines:
    """A markdown section holding ``lines`` as preformatted text (nothing when there are none)."""
    return [f"## {title}", "", "```", *lines, "```"] if lines else []


def markdown_table(header: list[str], rows: Iterable[Iterable[object]]) -> Lines:
    """A markdown table; ``|`` in any cell (member names may hold one) is escaped."""
    def row(cells: Iterable[object]) -> str:
        return "| " + " | ".join(str(c).replace("|", "\\|") for c in cells) + " |"

    head = "|" + "".join(f" {h} |" if h else " |" for h in header)
    return [head, "|" + "---|" * len(header), *map(row, rows)]
