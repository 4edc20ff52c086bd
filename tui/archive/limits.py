"""The limits that keep a hostile archive from taking unbounded memory or time.

One object, :data:`LIMITS`, read by the pass, the member reader and extract; the command line
raises them (``--max-window``, ``--max-members``) for one run with :func:`configured`, and the
environment (``DISTSCOPE_MAX_WINDOW``, ``DISTSCOPE_MAX_MEMBERS``) sets the defaults.
"""

from __future__ import annotations

import os
from contextlib import contextmanager
from typing import Iterator

#: Largest zstd window / xz dictionary decoded by default: what python-build-standalone needs,
#: and what the ``zstd`` tool accepts without ``--long`` / ``--memory``.
DEFAULT_MAX_WINDOW = 128 << 20
#: Members of one archive (python-build-standalone archives hold 2,000-70,000).
DEFAULT_MAX_MEMBERS = 500_000


def _env_int(name: str, default: int) -> int:
    try:
        return parse_size(os.environ[name])
    except (KeyError, ValueError):
        return default


def parse_size(text: str) -> int:
    """``"512M"``, ``"2G"``, ``"1048576"`` -> bytes (K/M/G are powers of 1024). Raises ValueError."""
    text = text.strip().upper().removesuffix("B").removesuffix("I")
    scale = {"K": 1 << 10, "M": 1 << 20, "G": 1 << 30}.get(text[-1:], 1)
    number = text[:-1] if scale > 1 else text
    value = int(number) * scale
    if value <= 0:
        raise ValueError(f"not a positive size: {text!r}")
    return value


class Limits:
    """The current limits (see the module docstring)."""

    def __init__(self) -> None:
        self.max_window = _env_int("DISTSCOPE_MAX_WINDOW", DEFAULT_MAX_WINDOW)
        self.max_members = _env_int("DISTSCOPE_MAX_MEMBERS", DEFAULT_MAX_MEMBERS)

    def as_dict(self) -> dict[str, int]:
        return {"max_window": self.max_window, "max_members": self.max_members}


LIMITS = Limits()


@contextmanager
def configured(**values: int | None) -> Iterator[Limits]:
    """Set some limits (None keeps the current one) for the duration of a ``with`` block."""
    saved = LIMITS.as_dict()
    try:
        for name, value in values.items():
            if value is not None:
                setattr(LIMITS, name, int(value))
        yield LIMITS
    finally:
        for name, value in saved.items():
            setattr(LIMITS, name, value)


def window_message(declared: int, what: str = "zstd window") -> str:
    """The one-line refusal of a window or dictionary above the limit."""
    return (f"the archive declares a {_mib(declared)} {what}, above the {_mib(LIMITS.max_window)} limit "
            f"(raise it with --max-window, e.g. --max-window {max(declared, 1 << 20) >> 20}M)")


def members_message() -> str:
    return (f"more than {LIMITS.max_members:,} members (refusing to index more; "
            f"raise the limit with --max-members)")


def _mib(n: int) -> str:
    return f"{n / (1 << 20):,.0f} MiB" if n >= 1 << 20 else f"{n:,} bytes"
