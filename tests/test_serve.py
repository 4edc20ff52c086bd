"""`distscope serve` end to end in headless Chromium (optional: needs Debian's chromium, the
serve extra and playwright). Runs scripts/serve_e2e.py: keys, a screenshot, the browser killed,
the session's app process gone within seconds, serve stopped by SIGTERM."""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = shutil.which("chromium")


@pytest.mark.skipif(CHROMIUM is None or importlib.util.find_spec("playwright") is None
                    or importlib.util.find_spec("textual_serve") is None,
                    reason="needs chromium, playwright and textual-serve")
def test_serve_sessions_end_when_the_browser_dies(tmp_path):
    shot = tmp_path / "serve.png"
    out = subprocess.run([sys.executable, str(ROOT / "scripts" / "serve_e2e.py"), "--chromium", CHROMIUM,
                          "--screenshot", str(shot)], capture_output=True, text=True, timeout=180)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "ok: the session's app process is gone" in out.stdout
    assert "ok: serve stopped on SIGTERM" in out.stdout
    assert shot.stat().st_size > 10_000
