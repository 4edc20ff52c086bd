"""Toolchain: the compilers and linkers that built the distribution, and how to relink it."""

from __future__ import annotations

from dataclasses import dataclass, field

from distscope.tui.model.distribution import ObjectFileFormat
from distscope.tui.model.findings import Finding


@dataclass(slots=True)
class Producer:
    """One compiler/linker identification, counted over the members it was found in."""

    tool: str
    version: str | None
    role: str  #: compiler or linker
    source: str  #: where it was read (comment, rich-header, bitcode, ...)
    area: str  #: install, build, vendored
    count: int
    example: str  #: one member it was found in
    detail: str | None = None


@dataclass(slots=True)
class ToolLabels:
    compilers: list[str] = field(default_factory=list)
    linkers: list[str] = field(default_factory=list)


@dataclass(slots=True)
class ToolchainBuild:
    compilers: list[str] = field(default_factory=list)
    objects: dict[str, int] = field(default_factory=dict)
    llvm_bitcode_versions: list[str] = field(default_factory=list)
    msvc_ltcg_toolsets: list[str] = field(default_factory=list)


@dataclass(slots=True)
class Toolchain:
    details: dict[str, str] = field(default_factory=dict)
    compilers: list[str] = field(default_factory=list)
    linkers: list[str] = field(default_factory=list)
    binaries: ToolLabels = field(default_factory=ToolLabels)
    vendored: ToolLabels = field(default_factory=ToolLabels)
    relinkable_objects: dict[str, int] = field(default_factory=dict)
    build: ToolchainBuild = field(default_factory=ToolchainBuild)
    object_file_format: ObjectFileFormat | None = None
    producers: list[Producer] = field(default_factory=list)
    advice: list[str] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)


@dataclass(slots=True)
class ToolchainScan:
    """The toolchain analyser's result."""

    producers: list[Producer] = field(default_factory=list)
    #: "area:kind" -> objects counted
    objects: dict[str, int] = field(default_factory=dict)
    comments: dict[str, int] = field(default_factory=dict)
