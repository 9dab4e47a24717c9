"""Issue 16 point 6: pytest-timeout is configured, so a hung test fails instead of hanging CI."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def test_the_suite_runs_under_a_timeout(request: pytest.FixtureRequest) -> None:
    assert request.config.pluginmanager.hasplugin("timeout")
    assert 60 <= float(request.config.getini("timeout")) <= 900
    assert request.config.getini("timeout_func_only") is True


def test_a_hung_test_fails_with_the_project_settings(tmp_path: Path) -> None:
    """A test that sleeps past the (shortened) limit is failed by the project's own config."""
    hung = tmp_path / "test_hung.py"
    hung.write_text("import time\n\ndef test_hangs():\n    time.sleep(60)\n")
    res = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
         "-c", str(REPO / "pyproject.toml"), "--rootdir", str(tmp_path),
         "-o", "timeout=2", str(hung)],
        capture_output=True, text=True, timeout=50, cwd=tmp_path,
    )
    assert res.returncode == 1, res.stdout[-2000:]
    assert "Timeout" in res.stdout + res.stderr and "1 failed" in res.stdout
