"""The demo: the whole pipeline on the bundled sample runner."""

from __future__ import annotations

from pathlib import Path

from kneetrack.app.analyze import analyze_file
from kneetrack.samples import sample_path

SAMPLE = "runner_front_60fps.trc"
SAMPLE_SCREENING = "screening_example.json"


def run_demo(out: str | Path) -> Path:
    """Analyse the bundled sample into ``out``, write its plan and report, return that folder."""
    from kneetrack.app.plan import make_plan
    from kneetrack.screening.schema import load_screening

    folder = Path(out)
    result = analyze_file(sample_path(SAMPLE), out_dir=folder, view=None)
    make_plan(result.analysis, load_screening(sample_path(SAMPLE_SCREENING)), out_dir=folder)
    from kneetrack.app.report import rebuild_report

    rebuild_report(folder)  # again, now with the programme's causes and plan in the report
    return folder
