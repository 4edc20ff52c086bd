"""The archive section: what was read and how much of it."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class ArchiveSummary:
    path: str
    compression: str
    compressed_bytes: int
    sha256: str | None
    #: where the SHA-256 comes from: "read" (this pass hashed the file), "cache" (an earlier pass
    #: did; the entry was checked, not the whole file) or "verified" (re-hashed with --verify)
    sha256_source: str
    members: int
    files: int
    directories: int
    symlinks: int
    hardlinks: int
    uncompressed_bytes: int
    file_bytes: int
    complete: bool
    error: str | None
    #: content kind (elf, pe, macho, static-lib, ...) -> file members of that kind
    kinds: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class ContentKinds:
    """The content classifier's result: file members per content kind."""

    kinds: dict[str, int] = field(default_factory=dict)
