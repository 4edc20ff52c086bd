"""The analysers that ride every pass, and the modules that add report sections."""

from __future__ import annotations

from distscope.tui.analysis.base import Analyser

#: ``name: version`` of every analyser :func:`default_analysers` returns. A cache hit is checked
#: against this table, so it needs no analyser import (pefile alone takes ~10 ms).
#: tests/test_cache.py asserts that it equals the classes' own: bump a version in both places.
ANALYSER_VERSIONS: dict[str, int] = {
    "classify": 1, "binaries": 9, "pythonjson": 2, "distribution": 1, "licenses": 4, "toolchain": 3,
    "components": 1,
}


def default_analysers() -> list[Analyser]:
    """Fresh instances of every analyser distscope runs on an archive."""
    from distscope.tui.analysis.classify import Classifier

    from distscope.tui.analysis.binaries import BinaryAnalyser

    analysers: list[Analyser] = [Classifier(), BinaryAnalyser()]
    from distscope.tui.meta.distribution import VersionSources
    from distscope.tui.meta.licenses import LicenseFiles
    from distscope.tui.meta.pythonjson import PythonJsonAnalyser
    from distscope.tui.meta.components import ComponentScan
    from distscope.tui.meta.toolchain import ToolchainScan

    analysers += [PythonJsonAnalyser(), VersionSources(), LicenseFiles(), ToolchainScan(), ComponentScan()]
    return analysers


def section_modules() -> list[str]:
    """Modules whose import registers report sections (see distscope.tui.report.register_section)."""
    return ["distscope.tui.meta.sections", "distscope.tui.analysis.sections", "distscope.tui.meta.components_section"]
