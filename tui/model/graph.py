"""The shared-library dependency graph: each needed name resolved inside the archive the way
the platform's loader would, or classified."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from distscope.tui.model.codec import KEY, OMIT

EdgeStatus = Literal["bundled", "system", "unexpected", "missing", "virtual"]
BUNDLED: EdgeStatus = "bundled"  #: found in the archive
SYSTEM: EdgeStatus = "system"  #: an allowed system library
UNEXPECTED: EdgeStatus = "unexpected"  #: a system library the rules do not allow
MISSING: EdgeStatus = "missing"  #: the distribution should contain it
VIRTUAL: EdgeStatus = "virtual"  #: a Windows API set
STATUSES: tuple[EdgeStatus, ...] = (BUNDLED, SYSTEM, UNEXPECTED, MISSING, VIRTUAL)


@dataclass(slots=True)
class Edge:
    from_: str = field(metadata=KEY("from"))
    name: str
    to: str | None
    status: EdgeStatus
    via: str
    #: found by SONAME or file name, not on the loader's search path
    off_path: bool = field(default=False, metadata=OMIT)
    #: the rule allowing a system library
    allowed_by: str | None = field(default=None, metadata=OMIT)
    #: an API set the rules allow (virtual edges only)
    allowed: bool | None = field(default=None, metadata=OMIT)
    #: highest allowed compatibility version (Mach-O system libraries)
    max_compat: str | None = field(default=None, metadata=OMIT)


@dataclass(slots=True)
class Node:
    format: str | None
    native: bool
    runtime: bool
    role: str | None
    needs: list[str] = field(default_factory=list)
    needed_by: list[str] = field(default_factory=list)
    error: str | None = None


@dataclass(slots=True)
class Graph:
    nodes: dict[str, Node] = field(default_factory=dict)
    edges: list[Edge] = field(default_factory=list)
    #: the interpreter executables, shallowest first
    roots: list[str] = field(default_factory=list)
    #: other runtime binaries nothing in the archive loads
    top_level: list[str] = field(default_factory=list)
    #: archive path or unresolved name -> the paths that need it
    reverse: dict[str, list[str]] = field(default_factory=dict)

    def edges_from(self) -> dict[str, list[Edge]]:
        """The edges grouped by the binary that needs them, in needed order."""
        out: dict[str, list[Edge]] = {}
        for edge in self.edges:
            out.setdefault(edge.from_, []).append(edge)
        return out
