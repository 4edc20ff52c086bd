"""What a distribution needs from the machine it runs on, and whether this host provides it."""

from __future__ import annotations

from dataclasses import dataclass, field

from distscope.tui.model.codec import OMIT


@dataclass(slots=True)
class SystemLibrary:
    name: str
    status: str  #: system, unexpected or virtual
    needed_by: list[str] = field(default_factory=list)
    allowed: bool = False
    allowed_by: str | None = field(default=None, metadata=OMIT)


@dataclass(slots=True)
class MissingLibrary:
    name: str
    needed_by: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Distro:
    family: str
    release: str | None


@dataclass(slots=True)
class VersionNeed:
    max: str
    needed_by: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Musl:
    linkage: str  #: static or dynamic


@dataclass(slots=True)
class MsvcRuntime:
    needed: list[str]
    bundled: bool
    bundled_paths: list[str]
    not_bundled: list[str]


@dataclass(slots=True)
class Ucrt:
    needed: bool
    dlls: list[str]


@dataclass(slots=True)
class WindowsInfo:
    name: str
    header_os_version: str
    header_needed_by: list[str]
    api_set_minimum: str | None
    api_set_reason: str | None
    executables_by_subsystem: dict[str, int]
    note: str


@dataclass(slots=True)
class MacosInfo:
    needed_by: list[str]
    sdk: str | None
    deployment_target: str | None
    frameworks: list[str]


@dataclass(slots=True)
class Host:
    """The running machine, and whether the distribution would run on it."""

    platform: str
    arch: str
    glibc: str | None = None
    os_version: str | None = None
    isa_level: int | None = field(default=None, metadata=OMIT)
    runs: bool | None = None
    reasons: list[str] = field(default_factory=list)


@dataclass(slots=True)
class Requirements:
    platform: str | None
    target_triple: str | None
    machines: list[str] = field(default_factory=list)
    system_libraries: list[SystemLibrary] = field(default_factory=list)
    missing_libraries: list[MissingLibrary] = field(default_factory=list)
    # Linux
    libc: str | None = None  #: glibc, musl, none
    min_glibc: str | None = None
    min_glibc_needed_by: list[str] = field(default_factory=list)
    glibc_symbols: dict[str, list[str]] = field(default_factory=dict)
    glibc_max_allowed: str | None = None
    distros: list[Distro] = field(default_factory=list)
    other_version_needs: dict[str, VersionNeed] = field(default_factory=dict)
    unversioned_needs: dict[str, list[str]] = field(default_factory=dict)
    musl: Musl | None = None
    isa_level: int | None = None
    # Windows
    msvc_runtime: MsvcRuntime | None = None
    ucrt: Ucrt | None = None
    min_windows: str | None = None
    windows: WindowsInfo | None = None
    # macOS
    min_macos: str | None = None
    macos: MacosInfo | None = None
    #: filled in by the report (this machine), never cached
    host: Host | None = field(default=None, metadata=OMIT)
