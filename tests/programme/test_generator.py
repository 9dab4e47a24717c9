from __future__ import annotations

import datetime as dt

import pytest

from kneetrack.errors import SettingsError
from kneetrack.knowledge import load_knowledge
from kneetrack.programme import generate_programme
from kneetrack.programme.dosage import (
    available,
    make_item,
    progress_item,
    regress_item,
    week_volume,
)
from kneetrack.programme.generator import phase_weeks

KB = load_knowledge()
START = dt.date(2026, 12, 7)
ALL_EQUIPMENT = ["band", "long_band", "dumbbell", "metronome"]


def strength_items(week: dict) -> list[dict]:
    return [
        i
        for s in week["sessions"]
        if s["kind"] == "strength"
        for i in s["items"]
        if i["block"] == "main"
    ]


@pytest.mark.parametrize("code", sorted(KB.causes))
@pytest.mark.parametrize("level", ["beginner", "advanced"])
@pytest.mark.parametrize("equipment", [[], ALL_EQUIPMENT])
def test_weekly_volume_rises_for_every_cause(code, level, equipment):
    prog = generate_programme(
        [{"code": code, "confidence": 0.6}],
        weeks=12,
        level=level,
        equipment=equipment,
        start=START,
        cadence_spm=160,
    )
    vols = [week_volume(w, KB) for w in prog["weeks"]]
    assert all(b >= a for a, b in zip(vols, vols[1:], strict=False)), vols
    assert vols[-1] > 1.5 * vols[0]
    # it rises strictly over the first weeks of the plan
    assert vols[1] > vols[0] and vols[2] > vols[1]


def test_every_exercise_in_a_plan_exists_and_fits_the_equipment():
    for equipment in ([], ["band"], ALL_EQUIPMENT):
        prog = generate_programme(
            [{"code": c, "confidence": 0.5} for c in KB.causes],
            weeks=8,
            equipment=equipment,
            start=START,
            cadence_spm=165,
        )
        for week in prog["weeks"]:
            for s in week["sessions"]:
                for item in s["items"]:
                    ex = KB.exercises[item["exercise_id"]]
                    assert available(ex, equipment), (ex.id, equipment)
                    assert sum(k in item for k in ("reps", "hold_s", "duration_min")) == 1


def test_structure_phases_sessions_and_dates():
    prog = generate_programme(
        [{"code": "hip_abductor_weakness", "confidence": 0.7}],
        weeks=9,
        sessions_per_week=2,
        start=START,
        cadence_spm=160,
    )
    assert prog["schema"] == "kneetrack.programme/1"
    assert [w["week"] for w in prog["weeks"]] == list(range(1, 10))
    assert [w["phase"] for w in prog["weeks"]] == ["foundation"] * 3 + ["strength"] * 3 + [
        "integration"
    ] * 3
    for w in prog["weeks"]:
        kinds = [s["kind"] for s in w["sessions"]]
        assert kinds.count("strength") == 2
        assert kinds.count("run") >= 1 and kinds.count("mobility") >= 1
        lo = START + dt.timedelta(days=7 * (w["week"] - 1))
        for s in w["sessions"]:
            assert lo <= dt.date.fromisoformat(s["date"]) < lo + dt.timedelta(days=7)
        strength = [s for s in w["sessions"] if s["kind"] == "strength"]
        assert all(any(i["block"] == "warm-up" for i in s["items"]) for s in strength)
    retests = [s["date"] for w in prog["weeks"] for s in w["sessions"] if s["kind"] == "retest"]
    assert retests == prog["retest"]["dates"]
    assert len(retests) == 3  # weeks 4, 8 and the last week
    assert prog["retest"]["sdd_deg"]["fppa_peak_deg"] == 8.0


def test_cadence_steps_are_five_then_ten_percent_of_own_rate():
    prog = generate_programme(
        [{"code": "low_cadence", "confidence": 0.6}], weeks=8, start=START, cadence_spm=160
    )
    runs = [
        (w["phase"], i)
        for w in prog["weeks"]
        for s in w["sessions"]
        if s["kind"] == "run"
        for i in s["items"]
        if i["exercise_id"] == "cadence_run"
    ]
    assert runs
    assert {i["bpm"] for p, i in runs if p == "foundation"} == {168}
    assert {i["bpm"] for p, i in runs if p == "integration"} == {176}
    feedback = [i["feedback"] for p, i in runs if p == "foundation"]
    assert feedback[0] == "full"
    cue = next(c for c in prog["cues"] if c["id"] == "cadence_increase")
    assert "168" in cue["text"] and "176" in cue["text"]


def test_crossover_gets_wide_step_running():
    prog = generate_programme(
        [{"code": "narrow_step_crossover", "confidence": 0.6}], weeks=6, start=START
    )
    ids = {i["exercise_id"] for w in prog["weeks"] for s in w["sessions"] for i in s["items"]}
    assert "wide_step_run" in ids
    assert any(c["id"] == "wider_step" for c in prog["cues"])


def test_causes_drive_exercise_choice():
    ankle = generate_programme(
        [{"code": "ankle_dorsiflexion_limit", "confidence": 0.7}], weeks=8, start=START
    )
    ids = {i["exercise_id"] for w in ankle["weeks"] for s in w["sessions"] for i in s["items"]}
    assert {"knee_to_wall_mobilisation", "wall_calf_stretch_soleus"} <= ids
    hip = generate_programme(
        [{"code": "hip_abductor_weakness", "confidence": 0.7}],
        weeks=8,
        equipment=["band"],
        start=START,
    )
    first = {i["exercise_id"] for i in strength_items(hip["weeks"][0])}
    assert "banded_clamshell" in first


def test_no_band_substitutes_bodyweight_versions():
    prog = generate_programme(
        [{"code": "hip_abductor_weakness", "confidence": 0.7}], weeks=8, equipment=[], start=START
    )
    first = {i["exercise_id"] for i in strength_items(prog["weeks"][0])}
    assert "side_lying_clamshell" in first and "banded_clamshell" not in first


def test_urgent_referral_holds_back_loading():
    ref = {
        "needed": True,
        "urgency": "urgent",
        "to": ["emergency department"],
        "reasons": ["fever"],
    }
    prog = generate_programme(
        [{"code": "hip_abductor_weakness", "confidence": 0.7}], weeks=8, start=START, referral=ref
    )
    assert prog["status"] == "on_hold"
    assert prog["weeks"] == [] and prog["retest"]["dates"] == []
    assert prog["referral"]["urgency"] == "urgent"


@pytest.mark.parametrize(
    ("kwargs", "msg"),
    [
        ({"weeks": 2}, "weeks"),
        ({"weeks": 30}, "weeks"),
        ({"sessions_per_week": 5}, "sessions"),
        ({"level": "elite"}, "level"),
        ({"equipment": ["treadmill"]}, "equipment"),
    ],
)
def test_bad_settings(kwargs, msg):
    with pytest.raises(SettingsError, match=msg):
        generate_programme([], start=START, **kwargs)


def test_phase_split():
    assert (
        phase_weeks(8, KB.rules.phase_share)
        == ["foundation"] * 3 + ["strength"] * 3 + ["integration"] * 2
    )
    for n in range(4, 17):
        phases = phase_weeks(n, KB.rules.phase_share)
        assert len(phases) == n
        assert phases == sorted(phases, key=["foundation", "strength", "integration"].index)
        assert all(phases.count(p) >= 1 for p in ("foundation", "strength", "integration"))


def test_progression_order_reps_sets_resistance_single_leg():
    ex = KB.exercises["banded_clamshell"]
    item = make_item(ex, "beginner", KB, equipment=["band"])
    seen = []
    for _ in range(12):
        nxt = progress_item(item, "beginner", KB, equipment=["band"])
        if (
            nxt["reps"] != item["reps"]
            and nxt["sets"] == item["sets"]
            and nxt["load"] == item["load"]
        ):
            seen.append("reps")
        elif nxt["sets"] != item["sets"]:
            seen.append("sets")
        elif nxt["load"] != item["load"]:
            seen.append("resistance")
        item = nxt
    first = [seen.index(s) for s in ("reps", "sets", "resistance")]
    assert first == sorted(first)
    bridge = make_item(KB.exercises["glute_bridge"], "beginner", KB)
    path = []
    for _ in range(12):
        bridge = progress_item(bridge, "beginner", KB, taken={"hip_thrust"})
        if bridge["exercise_id"] not in path:
            path.append(bridge["exercise_id"])
    assert path == ["glute_bridge", "single_leg_glute_bridge", "single_leg_hip_thrust"]


def test_regression_reduces_and_painful_exercise_swaps():
    item = make_item(KB.exercises["banded_clamshell"], "intermediate", KB, equipment=["band"])
    easier = regress_item(item, "intermediate", KB, equipment=["band"])
    assert easier["sets"] < item["sets"] and easier["reps"] < item["reps"]
    swapped = regress_item(item, "intermediate", KB, equipment=["band"], painful=True)
    assert swapped["exercise_id"] == "side_lying_clamshell"


@pytest.mark.parametrize(("runs", "weeks_for_eight"), [(3, 3), (2, 4)])
def test_retraining_runs_follow_runs_per_week(runs, weeks_for_eight):
    prog = generate_programme(
        [{"code": "low_cadence", "confidence": 0.6}],
        weeks=8,
        start=START,
        cadence_spm=160,
        runs_per_week=runs,
        sessions_per_week=2,
    )
    for w in prog["weeks"]:
        assert sum(s["kind"] == "run" for s in w["sessions"]) == runs
    notes = [
        s["note"]
        for w in prog["weeks"][:weeks_for_eight]
        for s in w["sessions"]
        if s["kind"] == "run"
    ]
    assert any(n.startswith("Retraining run 8:") for n in notes)
