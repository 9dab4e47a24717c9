"""Doses follow the tests; the week has rest; sessions vary; the page shows this week first."""

from __future__ import annotations

import datetime as dt

import pytest

from kneetrack.app.plan import make_plan
from kneetrack.knowledge import load_knowledge
from kneetrack.programme import generate_programme
from kneetrack.programme.writers import dose_text, render_html, render_ics
from kneetrack.screening.schema import parse_screening

KB = load_knowledge()
START = dt.date(2026, 12, 7)


def items(prog: dict, ex_id: str) -> list[tuple[int, dict]]:
    return [
        (w["week"], i)
        for w in prog["weeks"]
        for s in w["sessions"]
        for i in s["items"]
        if i["exercise_id"] == ex_id
    ]


def test_side_plank_starts_from_the_tested_hold():
    prog = generate_programme(
        [{"code": "core_control", "confidence": 0.7}],
        weeks=8,
        start=START,
        tests={"side_plank_s": {"left": 25, "right": 31}},
    )
    found = items(prog, "side_plank")
    assert found, "side plank is prescribed"
    first_week = min(w for w, _ in found)
    assert all(i["hold_s"] <= 25 and i["sets"] <= 3 for w, i in found if w == first_week)
    # and it grows from there by at most one 5 s step a week
    by_week = {w: max(i["hold_s"] for v, i in found if v == w) for w, _ in found}
    weeks = sorted(by_week)
    for a, b in zip(weeks, weeks[1:], strict=False):
        assert by_week[b] - by_week[a] <= 5 * (b - a)


def test_untested_runner_keeps_the_textbook_hold():
    prog = generate_programme([{"code": "core_control", "confidence": 0.7}], weeks=8, start=START)
    assert max(i["hold_s"] for _, i in items(prog, "side_plank")) > 25


def test_primary_ankle_cause_gets_short_daily_mobility():
    prog = generate_programme(
        [{"code": "ankle_dorsiflexion_limit", "confidence": 0.8}], weeks=8, start=START
    )
    for week in prog["weeks"]:
        mob = [s for s in week["sessions"] if s["kind"] == "mobility"]
        assert len({s["date"] for s in mob}) == 7
        assert all(s["duration_min"] <= 10 for s in mob)
        assert all(
            "knee_to_wall_mobilisation" in {i["exercise_id"] for i in s["items"]} for s in mob
        )
    # a secondary ankle cause does not
    other = generate_programme(
        [
            {"code": "hip_abductor_weakness", "confidence": 0.8},
            {"code": "ankle_dorsiflexion_limit", "confidence": 0.5},
        ],
        weeks=8,
        start=START,
    )
    assert sum(s["kind"] == "mobility" for s in other["weeks"][0]["sessions"]) == 1


def test_weaker_side_is_named_and_gets_an_extra_set():
    analysis = {
        "schema": "kneetrack.analysis/1",
        "view": "front",
        "cadence_spm": 168.0,
        "summary": {},
        "findings": [
            {"code": "contralateral_pelvic_drop", "leg": "left", "value": 8.0,
             "threshold": 5.0, "severity": "moderate"},
        ],
    }
    screening = parse_screening(
        {"tests": {"hip_abduction_nm_per_kg": {"left": 1.1, "right": 1.5}}}
    )
    res = make_plan(analysis, screening, start=START, equipment=["band"])
    hip = next(c for c in res.programme["causes"] if c["code"] == "hip_abductor_weakness")
    assert hip["side"] == "left"
    assert res.programme["weaker_side"] == "left"
    extra = [i for _, i in items(res.programme, "banded_clamshell")]
    assert extra and all(i["extra_sets_side"] == "left" for i in extra)
    assert "+1 set on the left" in dose_text(extra[0])
    html = render_html(res.programme)
    assert "mainly the left leg" in html


@pytest.mark.parametrize("per_week", [2, 3])
@pytest.mark.parametrize("runs", [2, 3])
def test_week_has_a_rest_day_and_no_back_to_back_strength(per_week, runs):
    prog = generate_programme(
        [{"code": "hip_abductor_weakness", "confidence": 0.7}],
        weeks=8,
        sessions_per_week=per_week,
        runs_per_week=runs,
        start=START,
    )
    strength_days = sorted(
        dt.date.fromisoformat(s["date"])
        for w in prog["weeks"]
        for s in w["sessions"]
        if s["kind"] == "strength"
    )
    gaps = [(b - a).days for a, b in zip(strength_days, strength_days[1:], strict=False)]
    assert min(gaps) >= 2
    run_days = set()
    for w in prog["weeks"]:
        busy = {s["date"] for s in w["sessions"] if s["kind"] in ("strength", "run", "retest")}
        assert len(busy) <= 6
        run_days |= {s["date"] for s in w["sessions"] if s["kind"] == "run"}
    # the retest filming goes with a run, never on a rest day
    retests = {s["date"] for w in prog["weeks"] for s in w["sessions"] if s["kind"] == "retest"}
    assert retests and retests <= run_days
    assert set(prog["retest"]["dates"]) == retests
    assert not any("two days between" in a for a in prog["advice"])


def test_strength_sessions_vary_around_the_same_causes():
    causes = [
        {"code": "hip_abductor_weakness", "confidence": 0.7},
        {"code": "core_control", "confidence": 0.5},
    ]
    prog = generate_programme(causes, weeks=8, sessions_per_week=3, start=START)
    for week in prog["weeks"]:
        mains = [
            tuple(sorted(i["exercise_id"] for i in s["items"] if i["block"] == "main"))
            for s in week["sessions"]
            if s["kind"] == "strength"
        ]
        assert len(set(mains)) >= 2, f"week {week['week']}: A, B and C are identical"
        for main in mains:
            for c in causes:
                assert any(c["code"] in KB.exercises[e].addresses for e in main), (c, main)


def test_programme_page_opens_with_this_week_and_the_stop_rule(hip_programme):
    html = render_html(hip_programme, today=START + dt.timedelta(days=9))
    this_week = html.index('id="this-week"')
    assert this_week < html.index("What we found and why")
    assert this_week < html.index("How the plan works")
    assert "This week — week 2" in html
    assert "· today" in html
    n_sessions = sum(len(w["sessions"]) for w in hip_programme["weeks"])
    week2 = len(hip_programme["weeks"][1]["sessions"])
    assert html.count("Stop: pain above 3/10, or worse the next morning") == n_sessions + week2
    assert "Rest day" in html


def test_every_calendar_event_has_the_stop_rule(hip_programme):
    import icalendar

    events = icalendar.Calendar.from_ical(render_ics(hip_programme)).walk("VEVENT")
    assert events and all("worse the next morning" in str(e["description"]) for e in events)


def test_maintenance_plan_when_nothing_stands_out():
    prog = generate_programme([], weeks=8, start=START, cadence_spm=170.0)
    assert prog["kind"] == "maintenance"
    assert len(prog["weeks"]) == 4
    assert prog["settings"]["weeks"] == 4
    assert not prog["cadence"]["retraining"]
    assert not any("cadence" in p["goal"] for p in prog["phases"])


def test_cadence_goal_only_when_retrained():
    prog = generate_programme(
        [{"code": "low_cadence", "confidence": 0.6}], weeks=8, start=START, cadence_spm=150.0
    )
    assert any("+5 % cadence" in p["goal"] for p in prog["phases"])


def test_on_hold_page_does_not_promise_a_plan():
    prog = generate_programme(
        [{"code": "hip_abductor_weakness", "confidence": 0.7}],
        weeks=8,
        start=START,
        referral={"needed": True, "urgency": "urgent", "to": ["doctor"], "reasons": ["locking"]},
    )
    html = render_html(prog)
    assert "on hold" in html
    assert "The plan below" not in html
    assert "8 weeks" not in html and "3 strength sessions" not in html
