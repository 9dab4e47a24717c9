"""Running a command again after it was killed stores its work once (issue 16 point 5)."""

from __future__ import annotations

import datetime as dt

from kneetrack.app.athletes import add_athlete, store_analysis
from kneetrack.app.progress import log_session

from .factories import make_analysis, write_analysis_folder

DAY = dt.date(2026, 3, 2)


def test_same_analysis_stored_twice_is_one_row(store, tmp_path):
    add_athlete(store, "Ana")
    folder = write_analysis_folder(tmp_path / "a", make_analysis())
    first = store_analysis(store, "Ana", folder, recorded_on=DAY)
    again = store_analysis(store, "Ana", folder, recorded_on=DAY)
    assert again.id == first.id
    assert store.count_rows()["analysis"] == 1
    assert len(list((store.artefacts.root / "athletes").rglob("analysis.json"))) == 1
    # another day, or other results, is another analysis
    store_analysis(store, "Ana", folder, recorded_on=DAY + dt.timedelta(days=7))
    other = write_analysis_folder(tmp_path / "b", make_analysis(cadence=170.0))
    store_analysis(store, "Ana", other, recorded_on=DAY)
    assert store.count_rows()["analysis"] == 3


def test_same_session_logged_twice_is_stored_once(store):
    add_athlete(store, "Ana")
    session = [{"exercise_id": "glute_bridge", "sets": 3, "reps": 12, "rpe": 6.0},
               {"exercise_id": "side_plank", "sets": 2, "hold_s": 30.0}]
    first = log_session(store, "Ana", session, performed_on=DAY)
    again = log_session(store, "Ana", session, performed_on=DAY)
    assert [lg.id for lg in again] == [lg.id for lg in first]
    assert store.count_rows()["workout_log"] == 2
    # a different session the same day, or the same one another day, is stored
    log_session(store, "Ana", [{**session[0], "reps": 10}], performed_on=DAY)
    log_session(store, "Ana", session, performed_on=DAY + dt.timedelta(days=1))
    assert store.count_rows()["workout_log"] == 5
