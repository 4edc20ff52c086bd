"""The component inventory: what a distribution bundles, by name and version, and the evidence
each was found by (a file and the string, symbol or field in it).

A version is only ever one that some evidence states; where none does, ``version`` is None and
``version_note`` says why. The SBOM export and the diff of two distributions read this model.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from distscope.tui.model.codec import OMIT

#: interpreter (CPython), library (a native library the build bundles), python-package
#: (a dist-info in site-packages), vendored-library (a wheel's ``*.libs/`` or ``.dylibs/`` copy)
ComponentKind = Literal["interpreter", "library", "python-package", "vendored-library"]

#: How a piece of evidence was read:
#: string (a version string inside a binary), build-path (a source path compiled into a binary),
#: header (a ``#define`` in a C header), pkg-config (a ``.pc`` file), field (a PYTHON.json key),
#: script (a Tcl ``package require``/``package ifneeded`` line), metadata (a dist-info METADATA
#: header), sbom (a PEP 770 SBOM in a dist-info), file-name (a library's file name)
EvidenceMethod = Literal["string", "build-path", "header", "pkg-config", "field", "script", "metadata",
                         "sbom", "file-name"]


@dataclass(frozen=True, slots=True)
class Evidence:
    """One reason to believe a component is there: ``detail`` (the text as found) in ``path``."""

    path: str
    method: EvidenceMethod
    detail: str
    version: str | None = None  #: the version this evidence states (None: presence only)


@dataclass(frozen=True, slots=True)
class CarrierFile:
    """A file that carries a component (a binary it is compiled into), with its hashes."""

    path: str
    size: int
    sha256: str
    sha1: str


@dataclass(slots=True)
class Component:
    """One component at one version (two versions of a library are two components)."""

    id: str  #: stable key: ``openssl``, ``pypi:numpy``, ``vendored:numpy.libs/libgfortran``
    name: str  #: display name: ``OpenSSL``, ``numpy``
    kind: ComponentKind
    version: str | None
    version_note: str = ""  #: why there is no version (or what disagreed); "" when found
    licence: str | None = None  #: SPDX licence expression (None: unknown)
    licence_source: str = ""  #: PYTHON.json, METADATA, sbom, well-known
    purl: str | None = None
    evidence: list[Evidence] = field(default_factory=list)
    #: binaries the component is compiled into (archive paths)
    contained_in: list[str] = field(default_factory=list)
    #: binaries that load one of ``contained_in`` (from the dependency graph)
    loaded_by: list[str] = field(default_factory=list)
    #: the package a vendored library came with, or a site-packages package's dist-info folder
    package: str | None = field(default=None, metadata=OMIT)


@dataclass(slots=True)
class Inventory:
    """Every component found in one archive."""

    archive: str  #: the archive's path as opened
    archive_sha256: str | None
    #: the python-build-standalone release the file name names (``20240107``), when it does
    release_tag: str | None = None
    target_triple: str | None = None
    components: list[Component] = field(default_factory=list)
    #: path -> hashes of every carrying file (the files in ``contained_in``)
    files: dict[str, CarrierFile] = field(default_factory=dict)
    #: carrying file -> the carrying files it loads (the dependency graph's edges between them)
    loads: dict[str, list[str]] = field(default_factory=dict)
    #: what the inventory could not look at (e.g. binaries cut short), for the reader
    notes: list[str] = field(default_factory=list)

    def get(self, component_id: str) -> list[Component]:
        """The components with ``id`` (more than one when versions differ)."""
        return [c for c in self.components if c.id == component_id]


# -- what the pass finds (the components analyser's result, cached) ---------------------------
@dataclass(frozen=True, slots=True)
class Found:
    """One piece of evidence as the pass found it, for the library ``component`` (an id of
    :data:`distscope.tui.meta.fingerprints.LIBRARIES`)."""

    component: str
    path: str
    method: EvidenceMethod
    detail: str
    version: str | None = None
    note: str = field(default="", metadata=OMIT)  #: why a found library has no version


@dataclass(frozen=True, slots=True)
class FoundPackage:
    """A dist-info METADATA's headers."""

    path: str
    name: str
    version: str | None
    license_expression: str | None = None
    license: str | None = None
    classifiers: list[str] = field(default_factory=list)  #: the ``License ::`` ones


@dataclass(frozen=True, slots=True)
class FoundSbomComponent:
    """A component listed by a PEP 770 SBOM in a wheel's dist-info."""

    path: str
    package: str
    name: str
    version: str | None
    purl: str | None
    licence: str | None
    format: str  #: CycloneDX or SPDX


@dataclass(frozen=True, slots=True)
class FoundVendored:
    """A library a wheel vendors (in ``*.libs/`` or ``.dylibs/``)."""

    path: str
    package: str
    name: str


@dataclass(slots=True)
class ComponentScan:
    """Everything the components analyser saw during the pass; :func:`build_inventory
    <distscope.tui.meta.inventory.build_inventory>` makes the :class:`Inventory` from it."""

    evidence: list[Found] = field(default_factory=list)
    files: dict[str, CarrierFile] = field(default_factory=dict)  #: every searched binary, hashed
    packages: list[FoundPackage] = field(default_factory=list)
    sbom_components: list[FoundSbomComponent] = field(default_factory=list)
    vendored: list[FoundVendored] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    #: library -> binaries searched for it (so that "no version string in X" can be said)
    searched: dict[str, list[str]] = field(default_factory=dict)
