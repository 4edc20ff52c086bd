"""User-facing errors: each carries a one-line message and an exit code."""

from __future__ import annotations

import sys

from distscope.tui.safetext import visible

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_BAD_INPUT = 2


class DistscopeError(Exception):
    """An error the user caused or can fix; shown as one line, never a traceback."""

    exit_code = EXIT_BAD_INPUT

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotAnArchive(DistscopeError):
    """The input is not a (compressed) tar archive."""


class CorruptArchive(DistscopeError):
    """The archive is truncated or damaged; what was read before the damage is kept."""

    def __init__(self, message: str, offset: int, last_good: str | None) -> None:
        where = f"at byte {offset:,} of the tar stream"
        after = f", after member {last_good!r}" if last_good else ", before the first member"
        super().__init__(f"{message} {where}{after}")
        self.offset = offset
        self.last_good = last_good


class MemberNotFound(DistscopeError):
    """A member path asked for is not in the archive."""


def complain(message: str, prefix: str = "distscope: ") -> None:
    """Print a one-line message on stderr, archive text in it made inert (see safetext)."""
    print(f"{prefix}{visible(message)}", file=sys.stderr)
