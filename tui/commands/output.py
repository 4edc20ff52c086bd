"""Archive text on its way to a terminal: made inert at the edge (see :mod:`distscope.tui.safetext`).

Text and markdown renderings are built from :func:`inert` copies of the data (so a newline inside
a member name cannot fake a line of the report), and what is written is passed through
:func:`~distscope.tui.safetext.visible` once more, so the guarantee holds whatever the renderers
do. JSON output keeps the exact values.
"""

from __future__ import annotations

import dataclasses
import sys
from typing import Any

from distscope.tui.safetext import visible


def inert(value: Any) -> Any:
    """A copy of ``value`` (model objects, dicts, lists, tuples, strings) with every string, keys
    included, passed through :func:`visible`; other values are kept."""
    kind = type(value)
    if kind is str:
        return visible(value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.replace(value, **{f.name: inert(getattr(value, f.name))
                                             for f in dataclasses.fields(value) if f.init})
    if kind is dict:
        return {inert(k): inert(v) for k, v in value.items()}
    if kind is list or kind is tuple:
        return kind(inert(v) for v in value)
    return value


def write(text: str, keep: str = "\n") -> None:
    """Write rendered text to standard output, control characters (but ``keep``) escaped."""
    sys.stdout.write(visible(text, keep))
