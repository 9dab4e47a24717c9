"""Fuzzed JSON inputs: screening answers, screening files, programmes and workout logs.

Issue 16 point 4: each document is a valid one with one value replaced by any
JSON value (or deleted), or any JSON at all. It is accepted, or refused with one
line that names the file and the field that was changed. Bounded by the ``ci``
profile (fixed seed); ``make fuzz`` runs longer.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kneetrack.errors import InputError

from .helpers import check_rejection, json_values, mutated, write_json

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
SCREENING = json.loads((EXAMPLES / "neutral_runner" / "screening.json").read_text())
PROGRAMME = json.loads((EXAMPLES / "hip_weakness_pelvic_drop" / "programme.json").read_text())
# keep the fuzzed programme small: its first two weeks
PROGRAMME = {**PROGRAMME, "weeks": PROGRAMME["weeks"][:2]}
ANSWERS = {"pain_worst_0_10": 2, "weekly_km": 30, "sex": "female", "has_pain": True,
           "tests": {"side_plank_s": {"left": 40, "right": 45}}}
LOG_ENTRIES = [{"exercise_id": "glute_bridge", "sets": 3, "reps": 12, "load": "red band",
                "rpe": 6, "pain": 1, "note": "ok"},
               {"exercise_id": "side_plank", "sets": 2, "hold_s": 30.0}]


def _in_file(name: str, data) -> Path:
    d = Path(tempfile.mkdtemp())
    return write_json(d / name, data)


@pytest.fixture(scope="module")
def answers_ok():
    from kneetrack.app.screen import load_answers

    # the unfuzzed documents are accepted
    load_answers(_in_file("answers.json", ANSWERS))
    load_answers(_in_file("answers.json", SCREENING))
    return load_answers


@given(mutated(ANSWERS) | mutated(SCREENING))
def test_fuzzed_answers_file(answers_ok, case):
    data, field = case
    p = _in_file("answers.json", data)
    check_rejection(lambda: answers_ok(p), path=p, field=field)


@given(mutated(SCREENING))
def test_fuzzed_screening_file(case):
    from kneetrack.screening.schema import load_screening

    data, field = case
    p = _in_file("screening.json", data)
    check_rejection(lambda: load_screening(p), path=p, field=field)


@pytest.fixture(scope="module")
def athlete_store(tmp_path_factory):
    from kneetrack.store import Athlete, open_store

    root = tmp_path_factory.mktemp("store")
    store = open_store(f"sqlite:///{root / 'kt.db'}", artefacts=root / "artefacts")
    store.add_athlete(Athlete("Fuzz"))
    yield store
    store.close()


@given(mutated(PROGRAMME))
def test_fuzzed_programme_file(athlete_store, case):
    from kneetrack.app.athletes import store_programme
    from kneetrack.app.progress import log_session

    data, field = case
    p = _in_file("programme.json", data)
    prog = check_rejection(lambda: store_programme(athlete_store, "Fuzz", p), path=p,
                           field=field)
    if prog is not None:
        # what was accepted can be read back and logged against
        assert athlete_store.active_programme(prog.athlete_id).id == prog.id
        log_session(athlete_store, "Fuzz", [{"exercise_id": "glute_bridge", "sets": 1}])
        from kneetrack.app.progress import planned_items_near

        planned_items_near(athlete_store, "Fuzz", prog.start_date or
                           __import__("datetime").date.today())


@given(json_values)
def test_any_json_as_a_programme_file(athlete_store, value):
    from kneetrack.app.athletes import store_programme

    p = _in_file("programme.json", value)
    check_rejection(lambda: store_programme(athlete_store, "Fuzz", p), path=p)


@given(mutated(LOG_ENTRIES) | st.tuples(json_values, st.none()))
def test_fuzzed_workout_log_entries(athlete_store, case):
    """Workout logs come as JSON objects (from the web app or an import): no file, the field."""
    from kneetrack.app.progress import log_session

    entries, field = case
    before = len(athlete_store.list_logs(athlete_store.get_athlete("Fuzz").id))
    try:
        logs = log_session(athlete_store, "Fuzz", entries)
    except InputError as err:
        msg = str(err)
        assert msg and "\n" not in msg
        keys = [str(k) for k in (field or ()) if isinstance(k, str)]
        if keys:
            assert any(k in msg for k in keys), msg
        after = len(athlete_store.list_logs(athlete_store.get_athlete("Fuzz").id))
        assert after == before  # a refused session stores nothing
    else:
        assert len(logs) == len(entries)
