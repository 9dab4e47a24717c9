"""``app.progress.progress_report``: the whole ``kneetrack progress`` use case without the CLI."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from kneetrack.app.athletes import add_athlete, open_db, store_analysis, store_programme
from kneetrack.app.progress import default_plot_path, log_session, progress_report
from store.factories import make_analysis, make_programme  # tests/ is on sys.path

START = dt.date(2026, 3, 2)


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.delenv("KNEETRACK_DB", raising=False)
    monkeypatch.delenv("KNEETRACK_ARTEFACTS", raising=False)
    path = str(tmp_path / "club.db")
    with open_db(path) as st:
        add_athlete(st, "Maya Lind")
        store_analysis(st, "Maya Lind", make_analysis(), recorded_on=START - dt.timedelta(days=1))
        store_analysis(st, "Maya Lind", make_analysis(hip_adduction=(7.0, 5.0)),
                       recorded_on=START + dt.timedelta(days=27))
        store_programme(st, "Maya Lind", make_programme(START, weeks=4))
    return path


def test_report_has_advice_labels_and_writes_the_plot(db: str, tmp_path: Path) -> None:
    plot = tmp_path / "trend.svg"
    with open_db(db) as st:
        rep = progress_report(st, "Maya Lind", as_of=START + dt.timedelta(days=27), plot=plot)
    assert len(rep.retests) == 1 and len(rep.advice) == 1
    assert rep.advice[0].startswith("Real change: hip adduction improved")
    assert "Within measurement error" in rep.advice[0]
    assert all(c.metric in rep.metric_labels for c in rep.retests[0].changes)
    assert rep.metric_labels["hip_adduction_peak_deg"][1] == "deg"
    assert rep.plot_path == plot and plot.read_text().lstrip().startswith("<?xml")
    assert rep.retest_advice is None and rep.pain_advice is None


def test_no_plot_unless_asked(db: str, tmp_path: Path) -> None:
    with open_db(db) as st:
        rep = progress_report(st, "Maya Lind")
    assert rep.plot_path is None and not list(tmp_path.glob("*.png"))


def test_default_plot_is_named_after_the_stored_name(db: str, tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    with open_db(db) as st:
        rep = progress_report(st, "maya lind", plot=True)      # names match case-insensitively
    assert rep.plot_path == Path("Maya_Lind-progress.png") and rep.plot_path.is_file()


def test_default_plot_path_is_a_safe_file_name() -> None:
    assert default_plot_path("Maya Lind") == Path("Maya_Lind-progress.png")
    assert default_plot_path("../..") == Path("athlete-progress.png")


def test_advice_for_a_single_analysis_and_persistent_pain(tmp_path: Path) -> None:
    with open_db(str(tmp_path / "one.db")) as st:
        add_athlete(st, "Ana")
        store_analysis(st, "Ana", make_analysis(), recorded_on=START - dt.timedelta(days=1))
        store_programme(st, "Ana", make_programme(START, weeks=4))
        for day, pain in ((1, 5.0), (8, 6.0)):            # weeks 1 and 2, above 3/10
            log_session(st, "Ana", [{"exercise_id": "glute_bridge", "sets": 3, "reps": 10,
                                     "pain": pain}], performed_on=START + dt.timedelta(days=day))
        rep = progress_report(st, "Ana", as_of=START + dt.timedelta(days=13))
    assert rep.retest_advice == (
        "one analysis per view so far: re-film after 4 weeks to see a change")
    assert rep.pain_advice == "persistent above 3/10: see a physical therapist"
