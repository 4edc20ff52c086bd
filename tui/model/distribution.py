"""The distribution summary: layout, versions, target, build options, extension modules."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from distscope.tui.model.findings import Finding


@dataclass(frozen=True, slots=True)
class ObjectFileFormat:
    """PYTHON.json's ``object_file_format`` (``elf``, ``coff``, ``llvm-bitcode:22.1.1`` ...)."""

    raw: str
    format: str
    version: str | None
    llvm_version: str | None


@dataclass(slots=True)
class Crt:
    """``crt_features`` read as facts."""

    libc: str | None = None
    glibc_max: str | None = None
    musl_version: str | None = None
    vcruntime: str | None = None
    static: bool = False


@dataclass(slots=True)
class AppleSdk:
    canonical_name: str | None = None
    platform: str | None = None
    version: str | None = None
    deployment_target: str | None = None


@dataclass(slots=True)
class Link:
    name: str
    system: bool
    framework: bool
    path: str | None


@dataclass(slots=True)
class Extension:
    """One extension module of PYTHON.json's build_info (its default candidate), or one found
    in lib-dynload."""

    name: str
    in_core: bool | None
    shared_lib: str | None
    static_lib: str | None
    required: bool | None
    links: list[Link] = field(default_factory=list)
    licenses: list[str] | None = None
    license_paths: list[str] = field(default_factory=list)
    license_public_domain: bool | None = None
    variant: str | None = None
    variants: list[str] = field(default_factory=list)
    objs: int = 0


@dataclass(frozen=True, slots=True)
class ExtensionCounts:
    total: int = 0
    in_core: int = 0
    shared_lib: int = 0
    static: int = 0
    required: int = 0


@dataclass(slots=True)
class Distribution:
    layout: str  #: full, install_only, install_only_stripped, unknown
    pbs: bool  #: looks like a python-build-standalone distribution
    root: str
    file_name: str
    release_tag: str | None = None
    flavour: str | None = None
    #: what the file name says (python_version, release_tag, target_triple, layout, ...)
    name: dict[str, Any] | None = None
    python_json: str | None = None  #: its member path
    format_version: int | None = None
    python_version: str | None = None
    python_version_source: str | None = None
    python_tag: str | None = None
    target_triple: str | None = None
    target_source: str | None = None
    build_options: str | None = None
    build_options_source: str | None = None
    debug: bool = False
    freethreaded: bool = False
    python_abi_tag: str | None = None
    python_platform_tag: str | None = None
    libpython_link_mode: str | None = None
    crt_features: list[str] = field(default_factory=list)
    crt: Crt = field(default_factory=Crt)
    apple_sdk: AppleSdk | None = None
    python_exe: str | None = None
    python_paths: dict[str, str] | None = None
    python_exe_member: str | None = None
    python_extension_module_loading: list[str] | None = None
    python_symbol_visibility: str | None = None
    object_file_format: ObjectFileFormat | None = None
    libpython: str | None = None
    core_links: list[str] = field(default_factory=list)
    #: bundled MSVC runtime DLLs ([]: none bundled; None: not a Windows build)
    msvc_runtime: list[str] | None = None
    extensions_source: str | None = None
    extensions: list[Extension] = field(default_factory=list)
    extension_counts: ExtensionCounts = field(default_factory=ExtensionCounts)
    sysconfig: dict[str, Any] | None = None
    findings: list[Finding] = field(default_factory=list)
    #: set by the report (from the triple, else the binaries)
    platform: str | None = None
    arch: str | None = None


@dataclass(slots=True)
class PythonJson:
    """The PYTHON.json reader's result: the document and what is wrong with it."""

    path: str | None = None
    data: dict[str, Any] | None = None
    format_version: int | None = None
    first_member: bool | None = None
    findings: list[Finding] = field(default_factory=list)


@dataclass(slots=True)
class VersionSources:
    """What patchlevel.h and the sysconfig data say, for archives without PYTHON.json."""

    patchlevel: dict[str, Any] | None = None
    sysconfig: dict[str, Any] | None = None
