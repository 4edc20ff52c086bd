"""The typed model and its one codec: plain data out, the same model back."""

from __future__ import annotations

import json

from distscope.tui.model.binaries import Binary, Dylib, ElfDetails, Hardening, MachODetails, PeDetails
from distscope.tui.model.codec import from_plain, to_plain
from distscope.tui.model.findings import Finding, finding, sort_findings, unique_findings
from distscope.tui.model.graph import Edge, Graph, Node
from distscope.tui.model.report import BinaryAnalysis
from distscope.tui.model.requirements import Host, Requirements, SystemLibrary


def test_finding_is_built_in_one_place():
    f = finding("error", "missing-library", "x", ["b", "a", "b"])
    assert f == Finding("error", "missing-library", "x", ("a", "b"))
    assert to_plain(f) == {"severity": "error", "code": "missing-library", "message": "x", "paths": ["a", "b"]}
    assert from_plain(Finding, to_plain(f)) == f


def test_findings_sort_errors_first_and_unique():
    found = [finding("info", "b", "m"), finding("error", "z", "m"), finding("warning", "a", "m"),
             finding("error", "z", "m", ["p"])]
    assert [f.severity for f in sort_findings(found)] == ["error", "error", "warning", "info"]
    assert [f.code for f in unique_findings(found)] == ["z", "a", "b"]
    assert unique_findings(found)[0].paths == ()  # the first of equal findings is kept


def test_binary_flattens_its_format_details_in_contract_order():
    elf = Binary("lib/x.so", "elf", native=True, needs=["libc.so.6"], machine="x86_64", role="library",
                 details=ElfDetails(64, "little", "dyn", needed=["libc.so.6"], hardening=Hardening(relro=True)),
                 size=10, foreign_arch=False, runtime=True)
    plain = to_plain(elf)
    assert list(plain)[:8] == ["path", "format", "native", "needs", "machine", "role", "bits", "endian"]
    assert list(plain)[-4:] == ["hardening", "size", "foreign_arch", "runtime"]
    assert "error" not in plain and "truncated" not in plain and "exported_count" not in plain
    assert from_plain(Binary, plain) == elf
    broken = Binary("a.dll", "pe", error="unreadable PE", size=3, truncated=True)
    assert list(to_plain(broken)) == ["path", "format", "native", "needs", "machine", "role", "error", "size",
                                     "truncated", "runtime"]
    assert from_plain(Binary, to_plain(broken)) == broken
    pe = Binary("a.exe", "pe", details=PeDetails(64, "exe", "console", "6.0", "6.0", ["K.dll"]))
    macho = Binary("b", "macho", details=MachODetails(False, ["x86_64"], "dylib", None,
                                                       [Dylib("/usr/lib/libSystem.B.dylib", "load", "1.0.0", "1.0.0")],
                                                       [], "10.9", None, None, [], True, False))
    for b in (pe, macho):
        assert from_plain(Binary, json.loads(json.dumps(to_plain(b)))) == b


def test_edge_key_from_and_optional_keys():
    edge = Edge("a", "libb.so", None, "system", "RUNPATH", allowed_by="rule")
    assert list(to_plain(edge)) == ["from", "name", "to", "status", "via", "allowed_by"]
    graph = Graph({"a": Node("elf", True, True, "library", ["libb.so"])}, [edge], [], ["a"], {"libb.so": ["a"]})
    assert from_plain(Graph, to_plain(graph)) == graph


def test_analysis_round_trips_through_json():
    req = Requirements("linux", "x86_64-unknown-linux-gnu",
                       system_libraries=[SystemLibrary("libc.so.6", "system", ["a"], True, "rule")])
    analysis = BinaryAnalysis(requirements=req, findings=[finding("info", "c", "m")])
    back = from_plain(BinaryAnalysis, json.loads(json.dumps(to_plain(analysis))))
    assert back == analysis
    assert "host" not in to_plain(req)
    req.host = Host("linux", "x86_64", runs=True)
    assert to_plain(req)["host"]["runs"] is True
