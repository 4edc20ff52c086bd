"""The report aggregate: every section of the analysis of one archive, and the analysis results
the binaries analyser hands to it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from distscope.tui.model.archive import ArchiveSummary
from distscope.tui.model.binaries import Binary, Target
from distscope.tui.model.components import Inventory
from distscope.tui.model.distribution import Distribution
from distscope.tui.model.findings import Finding
from distscope.tui.model.graph import Graph
from distscope.tui.model.licences import Licences
from distscope.tui.model.requirements import Requirements
from distscope.tui.model.toolchain import Toolchain

#: JSON schema version of the report; bump on incompatible changes.
REPORT_VERSION = 1

Status = Literal["ok", "warnings", "errors"]


@dataclass(slots=True)
class BinaryAnalysis:
    """The binaries analyser's result: every binary, the graph, the requirements and findings."""

    target: Target = field(default_factory=Target)
    #: the PYTHON.json keys this analysis uses (None: no readable PYTHON.json)
    python_json: dict[str, Any] | None = None
    binaries: dict[str, Binary] = field(default_factory=dict)
    graph: Graph = field(default_factory=Graph)
    requirements: Requirements | None = None
    findings: list[Finding] = field(default_factory=list)


@dataclass(slots=True)
class Verdict:
    status: Status
    errors: int
    warnings: int
    infos: int
    target_triple: str | None
    platform: str | None
    headline: str
    requirements: str | None  #: the one-line requirements summary
    top_problems: list[str] = field(default_factory=list)
    runs_here: bool | None = None


@dataclass(slots=True, kw_only=True)
class Report:
    """The whole analysis of one archive (the JSON contract, typed; fields in the contract's
    key order)."""

    report_version: int = REPORT_VERSION
    verdict: Verdict
    findings: list[Finding]
    archive: ArchiveSummary
    distribution: Distribution | None
    licenses: Licences | None
    toolchain: Toolchain | None
    requirements: Requirements | None
    dependencies: Graph | None
    binaries: list[Binary]
    components: Inventory | None = None
