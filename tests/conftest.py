"""Shared fixtures: where the real python-build-standalone archives are, when present."""

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
