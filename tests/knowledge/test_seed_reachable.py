"""Every seed item is reachable: each exercise, cue, drill, footwear and orthotics item and
referral trigger of the knowledge base shows up in the plan (or referral) of some screening
or analysis input — prescribed in a session, not only as an easier or harder version."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import Any

import pytest

from kneetrack.app.plan import make_plan
from kneetrack.assessment.facts import build_facts
from kneetrack.knowledge import load_knowledge
from kneetrack.screening.schema import parse_screening

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "assessment"))
from assessment_builders import analysis, finding  # noqa: E402

KB = load_knowledge()
START = dt.date(2026, 12, 7)
BAND_DB = {"equipment": ["band", "dumbbell"]}


def scr(**blocks: Any):
    return parse_screening({"schema": "kneetrack.screening/1", **blocks})


def stances_narrow() -> list[dict]:
    return [
        {"leg": leg, "ankle_lateral_offset_hip_widths": 0.05, "crossover": False}
        for leg in ("left", "right")
        for _ in range(6)
    ]


def stances_heel() -> list[dict]:
    return [{"leg": "left", "foot_strike": "rearfoot", "shank_angle_ic_deg": 13.0}] * 8


#: (name, analysis, screening) — runners that between them reach every seed item.
SCENARIOS = [
    ("hip weakness, band + dumbbell",
     analysis(finding("contralateral_pelvic_drop"), finding("hip_adduction")),
     scr(athlete=BAND_DB)),
    ("hip weakness, no equipment",
     analysis(finding("contralateral_pelvic_drop"), finding("hip_adduction")), scr()),
    ("core control, long band",
     analysis(finding("contralateral_pelvic_drop")),
     scr(athlete={"equipment": ["long_band"]}, tests={"side_plank_s": {"left": 25, "right": 30}})),
    ("crossover", analysis(finding("crossover")), scr()),
    ("narrow step, no cadence measured",
     {**analysis(cadence=None), "stances": stances_narrow()}, scr()),
    ("overstride, low cadence",
     analysis(finding("overstride"), finding("low_cadence", leg=None), view="side-right",
              cadence=150), scr(athlete={"equipment": ["band", "metronome"]})),
    ("heel strike far ahead", {**analysis(view="side-left", cadence=158),
                               "stances": stances_heel()}, scr()),
    ("stiff ankle, pronated foot, old minimalist shoes",
     analysis(),
     scr(tests={"knee_to_wall_cm": {"left": 6, "right": 9},
                "navicular_drop_mm": {"left": 13, "right": 12}},
         shoes={"type": "minimalist", "km": 900, "age_months": 24}, training={"runs_per_week": 5})),
    ("fatigue and a training jump",
     analysis(finding("fatigue_drift_fppa")),
     scr(training={"recent_increase_pct": 40}, symptoms={"pain_worst_0_10": 3})),
    ("quadriceps dominance",
     analysis(), scr(tests={"hamstring_quadriceps_ratio": {"left": 0.45, "right": 0.5}},
                     athlete=BAND_DB)),
    ("tight adductors", analysis(),
     scr(tests={"hip_abduction_range_deg": {"left": 22, "right": 25}})),
    ("left-right difference",
     analysis(finding("asymmetry_fppa", leg=None)),
     scr(tests={"side_plank_s": {"left": 25, "right": 40}})),
    ("severe squat collapse", analysis(),
     scr(tests={"single_leg_squat_fppa_deg": {"left": 36, "right": 12}})),
    ("severe collapse in running",
     analysis(finding("dynamic_knee_valgus", severity="severe"),
              finding("asymmetry_hip_adduction", leg=None, severity="severe")), scr()),
]
#: One screening per red flag (the symptoms that trigger it).
RED_FLAG_SYMPTOMS = {
    "hot_swollen_fever": {"fever": True, "swelling": True},
    "locking": {"locking": True},
    "sudden_large_swelling": {"sudden_large_swelling": True},
    "cannot_bear_weight": {"cannot_bear_weight": True},
    "night_or_rest_pain": {"pain_at_night": True},
    "trauma_ottawa": {"after_trauma": True, "bony_tenderness": True},
    "trauma_no_ottawa": {"after_trauma": True},
    "giving_way": {"giving_way": True},
    "swelling": {"swelling": True},
    "persistent_pain": {"pain_weeks": 10},
    "severe_pain": {"pain_worst_0_10": 8},
}

#: The seed items the review named as missing (issue 14, defect 8), by where they show.
NAMED_SEED_ITEMS = {
    "exercise": {"adductor_rockback", "lateral_walk_no_band", "banded_deadlift"},
    "cause": {"hip_mobility", "quadriceps_dominance"},
    "finding": {"narrow_step_width", "rearfoot_strike_overstride"},
    "footwear": {"running_store_gait_analysis", "orthotics_podiatrist"},
}


@pytest.fixture(scope="module")
def reached() -> dict[str, set[str]]:
    out: dict[str, set[str]] = {k: set() for k in ("exercise", "cue", "footwear", "flag",
                                                   "cause", "finding")}
    for _name, ana, s in SCENARIOS:
        res = make_plan(ana, s, start=START, weeks=12)
        prog = res.programme
        for w in prog["weeks"]:
            for session in w["sessions"]:
                out["exercise"] |= {i["exercise_id"] for i in session["items"]}
        out["cue"] |= {c["id"] for c in prog["cues"]}
        out["footwear"] |= {f["id"] for f in prog["footwear"]}
        out["flag"] |= {f["id"] for f in res.referral["flags"]}
        out["cause"] |= {c["code"] for c in res.causes}
        out["finding"] |= {f["code"] for f in build_facts(ana, s, KB).findings}
    for flag, symptoms in RED_FLAG_SYMPTOMS.items():
        res = make_plan(analysis(), scr(symptoms=symptoms), start=START)
        out["flag"] |= {f["id"] for f in res.referral["flags"]}
        assert flag in out["flag"], flag
    return out


def test_every_exercise_and_drill_is_prescribed_somewhere(reached):
    assert sorted(set(KB.exercises) - reached["exercise"]) == []


def test_every_cue_is_given_somewhere(reached):
    assert sorted(set(KB.cues) - reached["cue"]) == []


def test_every_footwear_and_orthotics_item_is_given_somewhere(reached):
    assert sorted({f.id for f in KB.footwear} - reached["footwear"]) == []


def test_every_referral_trigger_fires_somewhere(reached):
    assert sorted({f.id for f in KB.red_flags} - reached["flag"]) == []


def test_every_cause_is_suggested_somewhere(reached):
    assert sorted(set(KB.causes) - reached["cause"]) == []


def test_named_seed_items_are_reachable(reached):
    for kind, items in NAMED_SEED_ITEMS.items():
        assert items <= reached[kind], (kind, items - reached[kind])


def test_drills_of_the_retraining_protocol_are_in_run_warmups(reached):
    assert set(KB.retraining.drills) <= reached["exercise"]
