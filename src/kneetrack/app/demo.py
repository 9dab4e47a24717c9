"""The demo: the whole pipeline on the bundled sample runner."""

from __future__ import annotations

from pathlib import Path

from kneetrack.app.analyze import analyze_file
from kneetrack.samples import sample_path

SAMPLE = "runner_front_60fps.trc"


def run_demo(out: str | Path) -> Path:
    """Analyse the bundled sample into ``out`` and return that folder."""
    folder = Path(out)
    analyze_file(sample_path(SAMPLE), out_dir=folder, view=None)
    return folder
