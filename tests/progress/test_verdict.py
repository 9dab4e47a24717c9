from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kneetrack.progress.metrics import MetricSummary, summarise_analysis
from kneetrack.progress.verdict import (
    IMPROVED,
    NO_REAL_CHANGE,
    NOT_MEASURED,
    WORSE,
    LoggedExercise,
    PlannedSession,
    adherence,
    classify_change,
    compare_analyses,
    load_thresholds,
    pain_trend,
    planned_sessions,
    retest_summary,
)

START = dt.date(2026, 3, 2)


def test_thresholds_carry_the_published_sdds_with_sources() -> None:
    th = load_thresholds()
    assert th.metrics["fppa_peak_deg"].sdd == 8.0 and "Munro" in th.metrics["fppa_peak_deg"].source
    assert th.metrics["pelvic_drop_peak_deg"].sdd == 2.7
    assert th.metrics["hip_adduction_peak_deg"].sdd == 3.0
    assert "Dingenen" in th.metrics["hip_adduction_peak_deg"].source
    assert th.metrics["cadence_spm"].better == "higher"
    assert all(r.source for r in th.metrics.values())


@pytest.mark.parametrize(
    "change, sdd, better, expected",
    [
        (-8.0, 8.0, "lower", IMPROVED),
        (-7.99, 8.0, "lower", NO_REAL_CHANGE),
        (3.0, 3.0, "lower", WORSE),
        (2.6, 2.7, "lower", NO_REAL_CHANGE),
        (6.0, 5.0, "higher", IMPROVED),
        (-6.0, 5.0, "higher", WORSE),
        (0.0, 2.7, "lower", NO_REAL_CHANGE),
        (float("nan"), 3.0, "lower", NOT_MEASURED),
    ],
)
def test_classify_change(change: float, sdd: float, better: str, expected: str) -> None:
    assert classify_change(change, sdd=sdd, better=better) == expected


def _ms(metric: str, leg: str | None, mean: float | None, n: int = 10) -> MetricSummary:
    return MetricSummary(metric, leg, mean, 1.0, n if mean is not None else 0, None)


def test_compare_real_change_vs_within_error() -> None:
    base = [
        _ms("fppa_peak_deg", "left", 14.0),
        _ms("hip_adduction_peak_deg", "left", 13.0),
        _ms("pelvic_drop_peak_deg", "left", 6.0),
        _ms("cadence_spm", None, 164.0),
        _ms("fppa_peak_deg", "right", None),
    ]
    foll = [
        _ms("fppa_peak_deg", "left", 10.0),
        _ms("hip_adduction_peak_deg", "left", 8.5),
        _ms("pelvic_drop_peak_deg", "left", 9.0, n=4),
        _ms("cadence_spm", None, 165.0),
        _ms("fppa_peak_deg", "right", 5.0),
    ]
    got = {(c.metric, c.leg): c for c in compare_analyses(base, foll)}
    assert got[("fppa_peak_deg", "left")].verdict == NO_REAL_CHANGE
    assert got[("fppa_peak_deg", "left")].change == pytest.approx(-4.0)
    assert got[("hip_adduction_peak_deg", "left")].verdict == IMPROVED
    assert got[("pelvic_drop_peak_deg", "left")].verdict == WORSE
    assert "fewer than 7 steps" in got[("pelvic_drop_peak_deg", "left")].warning
    assert got[("cadence_spm", None)].verdict == NO_REAL_CHANGE
    assert got[("fppa_peak_deg", "right")].verdict == NOT_MEASURED
    s = retest_summary(list(got.values()))
    assert s["real_change"] and s["real_improvement"]
    assert s["improved"] == ["hip_adduction_peak_deg:left"]
    assert s["worse"] == ["pelvic_drop_peak_deg:left"]


def test_summarise_from_stances_skips_nulls_and_falls_back_to_summary() -> None:
    a = {
        "schema": "kneetrack.analysis/1",
        "cadence_spm": 170.0,
        "stances": [
            {"leg": "left", "fppa_peak_deg": 10.0, "hip_adduction_peak_deg": None},
            {"leg": "left", "fppa_peak_deg": 14.0, "hip_adduction_peak_deg": 9.0},
            {"leg": "right", "fppa_peak_deg": float("nan")},
        ],
    }
    got = {(m.metric, m.leg): m for m in summarise_analysis(a)}
    assert got[("fppa_peak_deg", "left")].mean == 12.0 and got[("fppa_peak_deg", "left")].n == 2
    assert got[("fppa_peak_deg", "left")].sd == pytest.approx(2.828, abs=1e-3)
    assert got[("hip_adduction_peak_deg", "left")].n == 1
    assert got[("fppa_peak_deg", "right")].mean is None
    assert got[("cadence_spm", None)].mean == 170.0
    b = {
        "schema": "kneetrack.analysis/1",
        "summary": {
            "left": {"stances": 9, "fppa_peak_deg": {"mean": 11.0, "sd": 2.0, "max": 15.0}}
        },
    }
    got = {(m.metric, m.leg): m for m in summarise_analysis(b)}
    assert got[("fppa_peak_deg", "left")] == MetricSummary(
        "fppa_peak_deg", "left", 11.0, 2.0, 9, 15.0
    )
    assert got[("cadence_spm", None)].mean is None


def _plan(weeks: int = 2) -> dict:
    out = []
    for w in range(1, weeks + 1):
        mon = START + dt.timedelta(days=7 * (w - 1))
        out.append(
            {
                "week": w,
                "sessions": [
                    {
                        "date": mon.isoformat(),
                        "kind": "strength",
                        "items": [{"exercise_id": "bridge"}, {"exercise_id": "clam"}],
                    },
                    {
                        "date": mon.isoformat(),
                        "kind": "mobility",
                        "items": [{"exercise_id": "calf"}],
                    },
                    {
                        "date": (mon + dt.timedelta(days=3)).isoformat(),
                        "kind": "strength",
                        "items": [{"exercise_id": "bridge"}, {"exercise_id": "clam"}],
                    },
                ],
            }
        )
    return {"weeks": out}


def test_adherence_matches_sessions_by_exercises_within_the_week() -> None:
    sessions = planned_sessions(_plan(), START)
    assert len(sessions) == 6 and isinstance(sessions[0], PlannedSession)
    logs = [
        # week 1: strength + mobility on Monday (two sessions, same day), strength moved to Friday
        LoggedExercise(START, "bridge"),
        LoggedExercise(START, "clam"),
        LoggedExercise(START, "calf"),
        LoggedExercise(START + dt.timedelta(days=4), "clam"),
        # week 2: only the mobility session
        LoggedExercise(START + dt.timedelta(days=8), "calf"),
    ]
    rep = adherence(sessions, logs, start=START, as_of=START + dt.timedelta(days=13))
    assert [(w.week, w.planned, w.done) for w in rep.weeks] == [(1, 3, 3), (2, 3, 1)]
    assert rep.pct == pytest.approx(66.7) and rep.good is False
    # Sessions not due yet are not counted; a log cannot count twice.
    early = adherence(sessions, logs[:2], start=START, as_of=START)
    assert (early.planned, early.done) == (2, 1)


def test_pain_trend_flare_rising_persistent() -> None:
    def logs(weekly_max: list[float]) -> list[LoggedExercise]:
        return [
            LoggedExercise(START + dt.timedelta(days=7 * i + d), "x", pain=p if d == 0 else 0.0)
            for i, p in enumerate(weekly_max)
            for d in (0, 2)
        ]

    flare = pain_trend(logs([1, 2, 6]), start=START)
    assert flare.trend == "rising" and flare.flare_weeks == (3,) and not flare.persistent
    assert flare.last_max == 6
    settled = pain_trend(logs([1, 2, 6, 2, 1]), start=START)
    assert settled.trend == "stable" and settled.flare_weeks == (3,)
    falling = pain_trend(logs([1, 2, 6, 2]), start=START)
    assert falling.trend == "falling"
    persistent = pain_trend(logs([2, 4, 5, 5]), start=START)
    assert persistent.persistent and persistent.slope_per_week > 0
    assert pain_trend([], start=START).trend == "no data"


def test_describe_changes_in_plain_words() -> None:
    from kneetrack.progress.verdict import MetricChange, describe_changes

    changes = [
        MetricChange("hip_adduction_peak_deg", "left", 13.0, 8.5, -4.5, 3.0, IMPROVED),
        MetricChange("hip_adduction_peak_deg", "right", 9.0, 5.5, -3.5, 3.0, IMPROVED),
        MetricChange("pelvic_drop_peak_deg", "left", 5.0, 8.0, 3.0, 2.7, WORSE),
        MetricChange("fppa_peak_deg", "left", 14.0, 10.0, -4.0, 8.0, NO_REAL_CHANGE),
        MetricChange("cadence_spm", None, 164.0, 165.0, 1.0, 5.0, NO_REAL_CHANGE),
    ]
    text = describe_changes(changes)
    assert text.startswith(
        "Real change: hip adduction improved (left −4.5, right −3.5 deg); "
        "contralateral pelvic drop worse (left +3.0 deg)."
    )
    assert text.endswith("Within measurement error: knee FPPA (valgus), cadence.")
    assert describe_changes([]) == "Nothing comparable was measured in both analyses."


@settings(max_examples=200, deadline=None)
@given(
    base=st.floats(-30, 30),
    delta=st.floats(-20, 20),
    shift=st.floats(-10, 10),
    metric=st.sampled_from(
        ["fppa_peak_deg", "hip_adduction_peak_deg", "pelvic_drop_peak_deg", "cadence_spm"]
    ),
)
def test_verdict_properties(base: float, delta: float, shift: float, metric: str) -> None:
    leg = None if metric == "cadence_spm" else "left"

    def verdict(b: float, f: float) -> str:
        return compare_analyses([_ms(metric, leg, b)], [_ms(metric, leg, f)])[0].verdict

    v = verdict(base, base + delta)
    # Only the difference matters, not where the runner started (up to float rounding).
    if abs(abs(delta) - load_thresholds().metrics[metric].sdd) > 1e-3:
        assert verdict(base + shift, base + shift + delta) == v
    # Swapping baseline and follow-up swaps improved and worse; "no real change" stays.
    swapped = {IMPROVED: WORSE, WORSE: IMPROVED, NO_REAL_CHANGE: NO_REAL_CHANGE}[v]
    assert verdict(base + delta, base) == swapped
    # A change smaller than the SDD is never real.
    if abs(delta) < load_thresholds().metrics[metric].sdd - 1e-3:
        assert v == NO_REAL_CHANGE


def _strength_and_runs() -> dict:
    def day(k: int) -> str:
        return (START + dt.timedelta(days=k)).isoformat()

    strength = [
        {"date": day(k), "kind": "strength",
         "items": [{"exercise_id": "hip_thrust", "block": "main", "sets": 3, "reps": 10}]}
        for k in (0, 2, 4)
    ]
    runs = [
        {"date": day(k), "kind": "run",
         "items": [{"exercise_id": "easy_run", "block": "main", "sets": 1, "duration_min": 20}]}
        for k in (1, 3, 5)
    ]
    return {"weeks": [{"week": 1, "sessions": strength + runs}]}


def test_run_only_logs_are_not_strength_adherence() -> None:
    sessions = planned_sessions(_strength_and_runs(), START)
    runs = [LoggedExercise(START + dt.timedelta(days=k), "easy_run") for k in (1, 3, 5)]
    rep = adherence(sessions, runs, start=START, as_of=START + dt.timedelta(days=6))
    assert rep.weeks[0].strength_planned == 3
    assert rep.strength_pct == 0.0 and rep.good is False
    assert rep.pct == 50.0  # the runs themselves were done


def test_strength_adherence_counts_logged_sets_and_reps() -> None:
    sessions = planned_sessions(_strength_and_runs(), START)
    logs = [
        LoggedExercise(START, "hip_thrust", sets=3, reps=10),
        LoggedExercise(START + dt.timedelta(days=2), "hip_thrust", sets=2, reps=8),
        LoggedExercise(START + dt.timedelta(days=4), "hip_thrust", sets=3, reps=10),
    ]
    rep = adherence(sessions, logs, start=START, as_of=START + dt.timedelta(days=6))
    # 1 + 16/30 + 1 of 3 sessions
    assert rep.strength_pct == pytest.approx(100 * (2 + 16 / 30) / 3, abs=0.1)
