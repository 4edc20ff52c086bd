"""Shared fixtures and helpers: where the real python-build-standalone archives are (when
present), model objects as the contract's plain data, process tuning on."""

from __future__ import annotations

from pathlib import Path

import pytest

DISTRIBUTIONS = Path(__file__).resolve().parent.parent.parent / "shared" / "distributions"
REAL = {
    "windows": "pbs-windows-x86_64-cp311-full.tar.zst",
    "linux": "pbs-linux-x86_64-gnu-cp313-install_only.tar.zst",
    "macos": "pbs-macos-x86_64-cp312-install_only.tar.zst",
}


def real_archive(which: str) -> Path:
    """The path of a real archive ('windows', 'linux', 'macos'); skips the test when absent."""
    path = DISTRIBUTIONS / REAL[which]
    if not path.is_file():
        pytest.skip(f"real archive {REAL[which]} not present (../shared/distributions)")
    return path


@pytest.fixture(autouse=True)
def _isolated_cache(tmp_path_factory, monkeypatch):
    """Every test gets its own cache folder, so no test reads another's cache."""
    monkeypatch.setenv("DISTSCOPE_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))


def plain(value):
    """A model object as plain data (the JSON contract's keys): tests assert on the contract."""
    from distscope.tui.model.codec import to_plain

    return to_plain(value)


def host_check(requirements: dict, host: dict | None = None, findings: list | None = None, **kwargs) -> dict:
    """``requirements.host_check`` over the contract's plain shapes (tests write them as dicts)."""
    from distscope.tui.analysis.requirements import host_check as check
    from distscope.tui.model.codec import from_plain
    from distscope.tui.model.findings import Finding
    from distscope.tui.model.requirements import Host, Requirements

    req = from_plain(Requirements, {"platform": None, "target_triple": None, **requirements})
    return plain(check(req, from_plain(Host, host) if host is not None else None,
                       None if findings is None else [from_plain(Finding, f) for f in findings], **kwargs))


@pytest.fixture
def tuned():
    """Process tuning on, as the command and the app switch it on (off again afterwards)."""
    from distscope.tui import gcpause

    gcpause.enable()
    yield
    gcpause.enable(False)


@pytest.fixture
def demo(tmp_path):
    """The built-in demo distribution, written afresh for one test."""
    from distscope.tui.demo import build_demo

    return build_demo(tmp_path / "demo.tar.zst")
