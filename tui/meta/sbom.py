"""SBOM export of a component inventory: CycloneDX 1.6 JSON (built with cyclonedx-python-lib)
and SPDX 2.3 JSON (built with spdx-tools), package URLs from packageurl-python.

The libraries are the optional ``sbom`` extra and are imported only here, when an SBOM is asked
for. Output is deterministic: the CycloneDX serial number is a UUID derived from the archive's
SHA-256, and the one timestamp SPDX requires is ``SOURCE_DATE_EPOCH`` when set, else the newest
member time in the archive (``now=True`` uses the clock instead), so two runs diff clean.
"""

from __future__ import annotations

import datetime
import os
import re
import uuid
from typing import Any

from distscope.tui.model.components import Component, Inventory

INSTALL_HINT = "the SBOM export needs its libraries: pip install 'distscope[sbom]'"
PBS_REPOSITORY = ("astral-sh", "python-build-standalone")
TOOL = "distscope"


class MissingLibraries(ImportError):
    """cyclonedx-python-lib, spdx-tools or packageurl-python is not installed."""


def _require() -> None:
    try:
        import cyclonedx  # noqa: F401
        import packageurl  # noqa: F401
        import spdx_tools  # noqa: F401
    except ImportError as exc:
        raise MissingLibraries(f"{INSTALL_HINT} ({exc.name} is missing)") from exc


# -- what both formats share ------------------------------------------------------------------
def archive_name(inventory: Inventory) -> str:
    return inventory.archive.replace("\\", "/").rsplit("/", 1)[-1]


def purl_of(component: Component) -> str:
    """The package URL of ``component`` (the one its SBOM states, else made here)."""
    from packageurl import PackageURL

    if component.purl:
        return component.purl
    if component.kind == "python-package":
        return PackageURL(type="pypi", name=re.sub(r"[-_.]+", "-", component.name).lower(),
                          version=component.version).to_string()
    # (``vendored:numpy/libgfortran`` and ``sbom:ruff/regex`` are named by their last part)
    name = component.id.rsplit("/", 1)[-1] if ":" in component.id else component.id
    return PackageURL(type="generic", name=name, version=component.version).to_string()


def distribution_purl(inventory: Inventory) -> str | None:
    """``pkg:github/astral-sh/python-build-standalone@TAG`` when the file name names a release."""
    from packageurl import PackageURL

    if not inventory.release_tag:
        return None
    return PackageURL(type="github", namespace=PBS_REPOSITORY[0], name=PBS_REPOSITORY[1],
                      version=inventory.release_tag).to_string()


def ref_of(component: Component) -> str:
    return f"{component.id}@{component.version or 'unknown'}"


def component_loads(inventory: Inventory) -> dict[str, list[str]]:
    """Component ref -> refs of the components it loads: a binary carrying A loads a binary
    carrying B."""
    carriers: dict[str, set[str]] = {}
    for c in inventory.components:
        for path in c.contained_in:
            carriers.setdefault(path, set()).add(ref_of(c))
    out: dict[str, set[str]] = {}
    for source, targets in inventory.loads.items():
        for target in targets:
            for a in carriers.get(source, ()):
                for b in carriers.get(target, ()):
                    if a != b:
                        out.setdefault(a, set()).add(b)
    return {a: sorted(b) for a, b in sorted(out.items())}


def file_loads(inventory: Inventory) -> dict[str, list[str]]:
    """Hashed carrying file -> the hashed carrying files it loads."""
    out = {source: [t for t in targets if t in inventory.files]
           for source, targets in inventory.loads.items() if source in inventory.files}
    return {source: targets for source, targets in out.items() if targets}


def created_time(index: Any, now: bool = False) -> datetime.datetime:
    """The document's time: the clock if asked, else SOURCE_DATE_EPOCH, else the newest member time."""
    if now:
        return datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "")
    if epoch.isdigit():
        seconds = int(epoch)
    else:
        seconds = max((int(getattr(m, "mtime", 0) or 0) for m in getattr(index, "members", [])), default=0)
    return datetime.datetime.fromtimestamp(seconds, datetime.timezone.utc)


# -- CycloneDX --------------------------------------------------------------------------------
def cyclonedx_json(inventory: Inventory, created: datetime.datetime | None = None) -> str:
    """The inventory as a CycloneDX 1.6 JSON document (no timestamp unless ``created`` is given)."""
    _require()
    from cyclonedx.model import HashAlgorithm, HashType, Property
    from cyclonedx.model.bom import Bom, BomMetaData
    from cyclonedx.model.component import Component as CdxComponent
    from cyclonedx.model.component import ComponentType
    from cyclonedx.model.component_evidence import ComponentEvidence, Occurrence
    from cyclonedx.model.license import LicenseExpression
    from cyclonedx.output.json import JsonV1Dot6
    from packageurl import PackageURL

    name = archive_name(inventory)
    root_purl = distribution_purl(inventory)
    root = CdxComponent(
        name=name, type=ComponentType.APPLICATION, bom_ref="distribution",
        purl=PackageURL.from_string(root_purl) if root_purl else None,
        hashes=[HashType(alg=HashAlgorithm.SHA_256, content=inventory.archive_sha256)]
        if inventory.archive_sha256 else None,
        properties=[Property(name="distscope:target_triple", value=inventory.target_triple)]
        if inventory.target_triple else None)
    metadata = BomMetaData(component=root)
    # None leaves the timestamp out (the constructor would stamp the clock; the setter takes None).
    metadata.timestamp = created  # type: ignore[assignment]
    bom = Bom(serial_number=_serial(inventory), metadata=metadata)
    refs: dict[str, CdxComponent] = {}
    for c in inventory.components:
        if ref_of(c) in refs:
            continue
        props = [Property(name="distscope:kind", value=c.kind)]
        if c.version_note:
            props.append(Property(name="distscope:version_note", value=c.version_note))
        if c.package:
            props.append(Property(name="distscope:package", value=c.package))
        props += [Property(name="distscope:loaded_by", value=p) for p in c.loaded_by]
        # (each with its own bom-ref: the library would make random ones and sort by them)
        occurrences = [Occurrence(bom_ref=f"{ref_of(c)}#{p}", location=p) for p in c.contained_in] or \
            [Occurrence(bom_ref=f"{ref_of(c)}#{e.path}", location=e.path,
                        additional_context=f"{e.method}: {e.detail}") for e in c.evidence[:1]]
        hashes = [HashType(alg=HashAlgorithm.SHA_256, content=inventory.files[c.contained_in[0]].sha256)] \
            if len(c.contained_in) == 1 and c.contained_in[0] in inventory.files else None
        component = CdxComponent(
            name=c.name, version=c.version, bom_ref=ref_of(c),
            type=ComponentType.APPLICATION if c.kind == "interpreter" else ComponentType.LIBRARY,
            purl=PackageURL.from_string(purl_of(c)), hashes=hashes,
            licenses=[LicenseExpression(c.licence)] if c.licence else None,
            evidence=ComponentEvidence(occurrences=occurrences), properties=props)
        refs[ref_of(c)] = component
        bom.components.add(component)
    files: dict[str, CdxComponent] = {}
    for path, f in inventory.files.items():
        files[path] = CdxComponent(
            name=path, type=ComponentType.FILE, bom_ref=f"file:{path}",
            hashes=[HashType(alg=HashAlgorithm.SHA_256, content=f.sha256),
                    HashType(alg=HashAlgorithm.SHA_1, content=f.sha1)])
        bom.components.add(files[path])
    bom.register_dependency(root, list(refs.values()))
    loads = component_loads(inventory)
    for ref, component in refs.items():
        bom.register_dependency(component, [refs[r] for r in loads.get(ref, []) if r in refs])
    loading = file_loads(inventory)
    for path, file_component in files.items():
        bom.register_dependency(file_component, [files[t] for t in loading.get(path, [])])
    text = JsonV1Dot6(bom).output_as_string(indent=2)
    return text if text.endswith("\n") else text + "\n"


def _serial(inventory: Inventory) -> uuid.UUID:
    seed = inventory.archive_sha256 or archive_name(inventory)
    return uuid.uuid5(uuid.NAMESPACE_URL, f"distscope:cyclonedx:{seed}")


def validate_cyclonedx(text: str) -> None:
    """Raise ValueError unless ``text`` is valid against the official CycloneDX 1.6 schema."""
    from cyclonedx.schema import SchemaVersion
    from cyclonedx.validation.json import JsonStrictValidator

    error = JsonStrictValidator(SchemaVersion.V1_6).validate_str(text)
    if error is not None:
        raise ValueError(f"CycloneDX schema: {error}")


# -- SPDX -------------------------------------------------------------------------------------
def _spdx_ids() -> Any:
    """A function giving each text its own SPDX id (letters, digits, ``.`` and ``-`` only)."""
    used: dict[str, str] = {}
    taken: set[str] = set()

    def spdx_id(text: str) -> str:
        if text not in used:
            base = "SPDXRef-" + re.sub(r"[^A-Za-z0-9.-]+", "-", text).strip("-")
            candidate, n = base, 1
            while candidate in taken:
                n += 1
                candidate = f"{base}-{n}"
            used[text] = candidate
            taken.add(candidate)
        return used[text]
    return spdx_id


def spdx_document(inventory: Inventory, created: datetime.datetime) -> Any:
    """The inventory as an spdx-tools Document (SPDX 2.3)."""
    _require()
    from spdx_tools.spdx.model import (
        Actor, ActorType, Checksum, ChecksumAlgorithm, CreationInfo, Document, ExternalPackageRef,
        ExternalPackageRefCategory, File, Package, Relationship, RelationshipType, SpdxNoAssertion)
    from spdx_tools.spdx.parser.jsonlikedict.license_expression_parser import LicenseExpressionParser

    licences = LicenseExpressionParser()
    _spdx_id = _spdx_ids()
    name = archive_name(inventory)
    namespace = f"https://spdx.org/spdxdocs/distscope/{re.sub(r'[^A-Za-z0-9._-]+', '-', name)}-" \
                f"{inventory.archive_sha256 or 'unhashed'}"
    info = CreationInfo(spdx_version="SPDX-2.3", spdx_id="SPDXRef-DOCUMENT", name=f"{name} components",
                        document_namespace=namespace, creators=[Actor(ActorType.TOOL, TOOL)], created=created)
    root_purl = distribution_purl(inventory)
    root = Package(
        spdx_id="SPDXRef-distribution", name=name, download_location=SpdxNoAssertion(), files_analyzed=False,
        checksums=[Checksum(ChecksumAlgorithm.SHA256, inventory.archive_sha256)] if inventory.archive_sha256 else [],
        external_references=[ExternalPackageRef(ExternalPackageRefCategory.PACKAGE_MANAGER, "purl", root_purl)]
        if root_purl else [])
    packages, relationships = [root], [Relationship("SPDXRef-DOCUMENT", RelationshipType.DESCRIBES, root.spdx_id)]
    ids: dict[str, str] = {}
    for c in inventory.components:
        ref = ref_of(c)
        if ref in ids:
            continue
        ids[ref] = _spdx_id(f"component-{ref}")
        licence = _licence(licences, c.licence)
        packages.append(Package(
            spdx_id=ids[ref], name=c.name, version=c.version, download_location=SpdxNoAssertion(),
            files_analyzed=False, license_concluded=SpdxNoAssertion(),
            license_declared=licence if licence is not None else SpdxNoAssertion(),
            comment="; ".join(x for x in (
                f"kind: {c.kind}", c.version_note, f"licence from {c.licence_source}" if c.licence_source else "",
                f"evidence: {c.evidence[0].method} {c.evidence[0].detail!r} "
                f"in {c.evidence[0].path}" if c.evidence else "") if x),
            external_references=[ExternalPackageRef(ExternalPackageRefCategory.PACKAGE_MANAGER, "purl",
                                                    purl_of(c))]))
        relationships.append(Relationship(root.spdx_id, RelationshipType.CONTAINS, ids[ref]))
    files: list[File] = []
    file_ids: dict[str, str] = {}
    for path, f in inventory.files.items():
        file_ids[path] = _spdx_id(f"file-{path}")
        files.append(File(name=f"./{path}", spdx_id=file_ids[path],
                          checksums=[Checksum(ChecksumAlgorithm.SHA1, f.sha1),
                                     Checksum(ChecksumAlgorithm.SHA256, f.sha256)]))
        # (SPDX lets only a "files analyzed" package contain files, and the distribution package
        # lists only the carrying files, so a file is tied to the components it contains instead)
    for c in inventory.components:
        for path in c.contained_in:
            if path in file_ids:
                relationships.append(Relationship(file_ids[path], RelationshipType.CONTAINS, ids[ref_of(c)]))
    for path, targets in file_loads(inventory).items():
        relationships += [Relationship(file_ids[path], RelationshipType.DYNAMIC_LINK, file_ids[t]) for t in targets]
    for ref, targets in component_loads(inventory).items():
        relationships += [Relationship(ids[ref], RelationshipType.DEPENDS_ON, ids[t]) for t in targets if t in ids]
    return Document(creation_info=info, packages=packages, files=files, relationships=relationships)


def _licence(parser: Any, expression: str | None) -> Any:
    if not expression:
        return None
    try:
        return parser.parse_license_expression(expression)
    except Exception:  # (an SBOM's licence that is no SPDX expression: not asserted)
        return None


def spdx_json(inventory: Inventory, created: datetime.datetime) -> str:
    """The inventory as an SPDX 2.3 JSON document (validated by spdx-tools as it is written)."""
    import io
    import json

    from spdx_tools.spdx.jsonschema.document_converter import DocumentConverter

    document = spdx_document(inventory, created)
    errors = validate_spdx(document)
    if errors:
        raise ValueError("SPDX validation: " + "; ".join(errors[:5]))
    converted = DocumentConverter().convert(document)
    out = io.StringIO()
    json.dump(converted, out, indent=2, sort_keys=False)
    return out.getvalue() + "\n"


def validate_spdx(document: Any) -> list[str]:
    """spdx-tools' validation messages for ``document`` (empty: valid SPDX 2.3)."""
    from spdx_tools.spdx.validation.document_validator import validate_full_spdx_document

    return [m.validation_message for m in validate_full_spdx_document(document, "SPDX-2.3")]
