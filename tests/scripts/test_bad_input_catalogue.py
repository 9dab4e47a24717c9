"""Issue 16 acceptance: docs/bad_input.md is the catalogue as it runs now, and every case is clean.

``scripts/bad_input_catalogue.py --check`` runs each bad input in a real
``python -m kneetrack`` process and fails on a traceback, an exit code 0, a
message of more than one line, or a table that differs from the committed one.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.timeout(900)
def test_bad_input_table_is_current_and_every_case_is_one_line() -> None:
    res = subprocess.run(
        [sys.executable, str(REPO / "scripts" / "bad_input_catalogue.py"), "--check"],
        capture_output=True, text=True, timeout=850, cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO / "src")},
    )
    assert res.returncode == 0, (res.stdout + res.stderr)[-3000:]
    found = re.search(r"(\d+) cases, 0 not a clean one-line error", res.stdout)
    assert found and int(found.group(1)) >= 24, res.stdout[-3000:]
