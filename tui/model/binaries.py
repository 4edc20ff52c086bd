"""Native binaries (ELF, PE, Mach-O): what each one is and what it needs.

A :class:`Binary` holds the fields every format shares and, in ``details``, the per-format ones
(:class:`ElfDetails`, :class:`PeDetails`, :class:`MachODetails`); in the JSON contract they are
one flat object per binary.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal, Union

from distscope.tui.model.codec import FLATTEN, OMIT

Format = Literal["elf", "pe", "macho"]
Role = Literal["interpreter", "executable", "extension", "library"]


@dataclass(slots=True)
class Hardening:
    gnu_stack: bool = False
    exec_stack: bool = False
    relro: bool = False
    bind_now: bool = False
    textrel: bool = False
    wx_load: bool = False


@dataclass(slots=True)
class ElfDetails:
    bits: int
    endian: str
    type: str
    interpreter: str | None = None
    soname: str | None = None
    needed: list[str] = field(default_factory=list)
    rpath: list[str] = field(default_factory=list)
    runpath: list[str] = field(default_factory=list)
    #: needed library -> symbol versions it is needed at (GLIBC_2.17, ...)
    version_needs: dict[str, list[str]] = field(default_factory=dict)
    glibc_max: str | None = None
    #: undefined symbols needing ``glibc_max`` (the first 40)
    glibc_symbols: list[str] = field(default_factory=list)
    banned_symbols: list[str] = field(default_factory=list)
    isa_level: int | None = None
    comment: list[str] = field(default_factory=list)
    static: bool = True
    libc: str | None = None
    exported_dependency_symbols: list[str] = field(default_factory=list)
    exports_python_api: list[str] = field(default_factory=list)
    hardening: Hardening = field(default_factory=Hardening)
    #: exported dynamic symbols (None: no .dynsym)
    exported_count: int | None = field(default=None, metadata=OMIT)


@dataclass(slots=True)
class PeDetails:
    bits: int
    type: Literal["exe", "dll"]
    subsystem: str
    os_version: str
    subsystem_version: str
    imports: list[str] = field(default_factory=list)
    delay_imports: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Dylib:
    name: str
    kind: str  #: load, weak, reexport, lazy, upward
    compat: str
    current: str


@dataclass(frozen=True, slots=True)
class BuildTool:
    tool: str
    version: str


@dataclass(slots=True)
class MachOSlice:
    """One image of a (possibly fat) Mach-O file."""

    cpu: str
    bits: int
    filetype: str
    twolevel: bool
    install_name: str | None = None
    dylibs: list[Dylib] = field(default_factory=list)
    rpaths: list[str] = field(default_factory=list)
    minos: str | None = None
    sdk: str | None = None
    platform: str | None = None
    tools: list[BuildTool] = field(default_factory=list)
    signed: bool = False


@dataclass(slots=True)
class MachODetails:
    fat: bool
    arches: list[str]
    type: str
    install_name: str | None
    dylibs: list[Dylib]
    rpaths: list[str]
    minos: str | None
    sdk: str | None
    platform: str | None
    tools: list[BuildTool]
    twolevel: bool
    signed: bool
    #: every slice of a fat file (None for a thin one)
    slices: list[MachOSlice] | None = None


Details = Union[ElfDetails, PeDetails, MachODetails]
_DETAILS: dict[str, type] = {"elf": ElfDetails, "pe": PeDetails, "macho": MachODetails}


def _details_class(plain: dict[str, Any]) -> type | None:
    return None if "error" in plain else _DETAILS.get(plain.get("format") or "")


@dataclass(slots=True)
class Binary:
    """One native binary of the archive."""

    path: str
    format: Format
    #: the target platform's format and architecture
    native: bool = False
    needs: list[str] = field(default_factory=list)
    machine: str | None = None
    role: Role | None = None
    #: why it could not be read (then ``details`` is None)
    error: str | None = field(default=None, metadata=OMIT)
    details: Details | None = field(default=None, metadata=FLATTEN(_details_class))
    size: int = 0
    #: cut short (archive damaged, or beyond the per-member buffer)
    truncated: bool = field(default=False, metadata=OMIT)
    #: the target's format but another architecture (None: no target platform known)
    foreign_arch: bool | None = field(default=None, metadata=OMIT)
    #: native and part of the runnable tree (not under a full archive's build/)
    runtime: bool = False
    #: what the per-binary budget left unread (a hostile binary: see analysis.elf's limits)
    not_analysed: list[str] = field(default_factory=list, metadata=OMIT)

    @property
    def elf(self) -> ElfDetails | None:
        return self.details if isinstance(self.details, ElfDetails) else None

    @property
    def pe(self) -> PeDetails | None:
        return self.details if isinstance(self.details, PeDetails) else None

    @property
    def macho(self) -> MachODetails | None:
        return self.details if isinstance(self.details, MachODetails) else None

    @property
    def usable(self) -> bool:
        """Part of the runnable distribution and readable."""
        return self.runtime and not self.error


@dataclass(frozen=True, slots=True)
class Target:
    """The platform a distribution is for, and where that was learnt."""

    target_triple: str | None = None
    platform: str | None = None
    arch: str | None = None
    source: str | None = None
