"""``distscope sbom``: CycloneDX 1.6 and SPDX 2.3 documents, each validated by its own library
against the official schema, with package URLs, hashes and dependencies; byte-identical runs."""

from __future__ import annotations

import hashlib
import json

import pytest

from distscope.tui.cli import main
from tests.archives import entry, write_archive
from tests.conftest import real_archive
from tests.component_fixtures import SBOM, elf_with, fixture_entries, fixture_entries_by_name

pytest.importorskip("cyclonedx")
pytest.importorskip("spdx_tools")
pytest.importorskip("packageurl")

NAME = "cpython-3.12.7+20241016-x86_64-unknown-linux-gnu-install_only.tar.zst"


def sbom(archive, fmt: str, tmp_path, name: str = "out.json", *extra: str) -> str:
    out = tmp_path / name
    assert main(["--no-cache", "sbom", str(archive), "--format", fmt, "-o", str(out), *extra]) == 0
    return out.read_text()


def validate_cyclonedx(text: str) -> None:
    from cyclonedx.schema import SchemaVersion
    from cyclonedx.validation.json import JsonStrictValidator

    assert JsonStrictValidator(SchemaVersion.V1_6).validate_str(text) is None


def validate_spdx(path) -> None:
    from spdx_tools.spdx.parser.parse_anything import parse_file
    from spdx_tools.spdx.validation.document_validator import validate_full_spdx_document

    assert validate_full_spdx_document(parse_file(str(path)), "SPDX-2.3") == []


@pytest.fixture
def archive(tmp_path):
    entries = fixture_entries() + [
        entry("python/lib/python3.12/lib-dynload/_ssl.cpython-312-x86_64-linux-gnu.so",
              elf_with(b"\0_ssl\0")),
    ]
    return write_archive(tmp_path / NAME, entries)


def test_cyclonedx(archive, tmp_path):
    text = sbom(archive, "cyclonedx", tmp_path)
    validate_cyclonedx(text)
    doc = json.loads(text)
    assert doc["specVersion"] == "1.6" and "timestamp" not in doc["metadata"]
    root = doc["metadata"]["component"]
    assert root["purl"] == "pkg:github/astral-sh/python-build-standalone@20241016"
    assert root["hashes"] == [{"alg": "SHA-256", "content": hashlib.sha256(archive.read_bytes()).hexdigest()}]
    by_ref = {c["bom-ref"]: c for c in doc["components"]}
    openssl = by_ref["openssl@3.0.15"]
    assert openssl["purl"] == "pkg:generic/openssl@3.0.15"
    assert openssl["licenses"] == [{"expression": "Apache-2.0"}]
    assert [o["location"] for o in openssl["evidence"]["occurrences"]] == ["python/lib/libcrypto.so.3"]
    crypto = dict(fixture_entries_by_name())["python/lib/libcrypto.so.3"]
    assert openssl["hashes"] == [{"alg": "SHA-256", "content": hashlib.sha256(crypto).hexdigest()}]
    assert by_ref["pypi:numpy@2.4.6"]["purl"] == "pkg:pypi/numpy@2.4.6"
    assert by_ref["sbom:crypto/openssl@4.0.0"]["purl"] == SBOM["components"][0]["purl"]
    files = {c["name"]: c for c in doc["components"] if c["type"] == "file"}
    assert "python/lib/libcrypto.so.3" in files
    deps = {d["ref"]: d.get("dependsOn", []) for d in doc["dependencies"]}
    assert "openssl@3.0.15" in deps["distribution"]


def test_spdx(archive, tmp_path):
    text = sbom(archive, "spdx", tmp_path)
    validate_spdx(tmp_path / "out.json")
    doc = json.loads(text)
    assert doc["spdxVersion"] == "SPDX-2.3"
    assert doc["creationInfo"]["created"] == "2024-01-01T00:00:00Z"  # the members' time, not the clock
    packages = {p["name"]: p for p in doc["packages"]}
    root = packages[NAME]
    assert root["checksums"] == [{"algorithm": "SHA256", "checksumValue": hashlib.sha256(archive.read_bytes()).hexdigest()}]
    assert root["externalRefs"][0]["referenceLocator"] == "pkg:github/astral-sh/python-build-standalone@20241016"
    numpy = packages["numpy"]
    assert numpy["licenseDeclared"] == "BSD-3-Clause"
    assert numpy["externalRefs"][0]["referenceLocator"] == "pkg:pypi/numpy@2.4.6"
    files = {f["fileName"]: f for f in doc["files"]}
    crypto = dict(fixture_entries_by_name())["python/lib/libcrypto.so.3"]
    assert {c["algorithm"]: c["checksumValue"] for c in files["./python/lib/libcrypto.so.3"]["checksums"]} == {
        "SHA1": hashlib.sha1(crypto).hexdigest(), "SHA256": hashlib.sha256(crypto).hexdigest()}
    kinds = {r["relationshipType"] for r in doc["relationships"]}
    assert {"DESCRIBES", "CONTAINS"} <= kinds


@pytest.mark.parametrize("fmt", ["cyclonedx", "spdx"])
def test_two_runs_diff_clean(archive, tmp_path, fmt):
    assert sbom(archive, fmt, tmp_path, "a.json") == sbom(archive, fmt, tmp_path, "b.json")


def test_now_stamps_the_clock(archive, tmp_path):
    doc = json.loads(sbom(archive, "cyclonedx", tmp_path, "a.json", "--now"))
    assert doc["metadata"]["timestamp"].startswith("20")


def test_missing_libraries_say_how_to_install(archive, monkeypatch, capsys):
    import builtins

    real_import = builtins.__import__

    def fake_import(name, *args, **kwargs):
        if name.startswith("spdx_tools"):
            raise ImportError("no spdx_tools", name="spdx_tools")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", fake_import)
    assert main(["--no-cache", "sbom", str(archive)]) == 2
    assert "pip install 'distscope[sbom]'" in capsys.readouterr().err


def test_real_windows_dependencies(tmp_path):
    archive = real_archive("windows")
    doc = json.loads(sbom(archive, "cyclonedx", tmp_path))
    validate_cyclonedx(json.dumps(doc))
    deps = {d["ref"]: d.get("dependsOn", []) for d in doc["dependencies"]}
    # _ssl.pyd loads libssl-3-x64.dll (the graph's edge, as dumpbin /dependents shows)
    assert "file:python/install/DLLs/libssl-3-x64.dll" in deps["file:python/install/DLLs/_ssl.pyd"]
    assert "openssl@3.0.13" in deps["cpython@3.11.9"]
    sbom(archive, "spdx", tmp_path, "w.spdx.json")
    validate_spdx(tmp_path / "w.spdx.json")



def test_package_urls():
    from distscope.tui.meta.sbom import purl_of
    from distscope.tui.model.components import Component

    def purl(id_, name, kind, version, purl=None):
        return purl_of(Component(id=id_, name=name, kind=kind, version=version, purl=purl))

    assert purl("openssl", "OpenSSL", "library", "3.0.15") == "pkg:generic/openssl@3.0.15"
    assert purl("pypi:numpy", "NumPy", "python-package", "2.4.6") == "pkg:pypi/numpy@2.4.6"
    assert purl("pypi:typing-extensions", "typing_extensions", "python-package", "4.12") == \
        "pkg:pypi/typing-extensions@4.12"
    assert purl("vendored:numpy/libgfortran", "libgfortran", "vendored-library", None) == "pkg:generic/libgfortran"
    assert purl("sbom:ruff/regex", "regex", "vendored-library", "1.11", "pkg:cargo/regex@1.11") == \
        "pkg:cargo/regex@1.11"
    assert purl("sbom:x/zlib", "zlib", "vendored-library", "1.3") == "pkg:generic/zlib@1.3"
