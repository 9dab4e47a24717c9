"""Screening and analysis inputs that used to be ignored now reach the causes and referral."""

from __future__ import annotations

import datetime as dt

from assessment_builders import analysis

from kneetrack.app.plan import make_plan
from kneetrack.assessment import CauseInference
from kneetrack.assessment.facts import build_facts
from kneetrack.assessment.referral import ReferralCheck
from kneetrack.knowledge import load_knowledge
from kneetrack.screening.schema import parse_screening

KB = load_knowledge()
START = dt.date(2026, 12, 7)


def screen(**blocks):
    return parse_screening({"schema": "kneetrack.screening/1", **blocks})


def test_severe_single_leg_squat_collapse_gives_a_cause_and_a_referral():
    s = screen(tests={"single_leg_squat_fppa_deg": {"left": 36.0, "right": 12.0}})
    neutral = analysis()
    inf = CauseInference().infer(neutral, s)
    hip = next(c for c in inf.causes_ if c["code"] == "hip_abductor_weakness")
    assert any("severe inward knee collapse" in e for e in hip["evidence"])
    assert hip["side"] == "left"
    ref = ReferralCheck().check(s, neutral).referral_
    assert ref["needed"] and ref["urgency"] == "soon"
    assert "severe_squat_collapse" in {f["id"] for f in ref["flags"]}
    res = make_plan(neutral, s, start=START)
    assert res.programme["causes"] and res.programme["referral"]["needed"]


def test_moderate_squat_collapse_alone_is_not_referred():
    s = screen(tests={"single_leg_squat_fppa_deg": {"left": 18.0, "right": 12.0}})
    ref = ReferralCheck().check(s, analysis()).referral_
    assert "severe_squat_collapse" not in {f["id"] for f in ref["flags"]}


def test_abductor_asymmetry_with_itb_pain_suggests_hip_weakness():
    s = screen(
        athlete={"sex": "male", "age_years": 30},
        symptoms={"pain_locations": ["lateral_knee"]},
        tests={
            "hip_abduction_nm_per_kg": {"left": 1.55, "right": 2.1},  # 26 % weaker left
            "thomas_test_deg": {"left": 0.0, "right": -2.0},
        },
    )
    res = make_plan(analysis(), s, start=START)
    codes = [c["code"] for c in res.causes]
    assert "hip_abductor_weakness" in codes and "hip_mobility" in codes
    hip = next(c for c in res.causes if c["code"] == "hip_abductor_weakness")
    assert hip["side"] == "left"
    use = res.programme["screening_use"]
    asym = next(u for u in use if u["topic"] == "hip_abduction_strength" and u["leg"] is None)
    assert hip["name"] in asym["used_by"]


def test_flagged_external_rotation_weakness_is_used_or_explained():
    s = screen(tests={"hip_external_rotation_nm_per_kg": {"left": 0.28, "right": 0.30}})
    res = make_plan(analysis(), s, start=START)
    er = [u for u in res.programme["screening_use"] if u["topic"].startswith("hip_external")]
    assert len(er) == 2
    for u in er:
        assert u["used_by"] or u["why_not"]
    assert "not enough" in er[0]["why_not"]
    # with a hip finding it is used as evidence
    with_drop = analysis(
        {"code": "contralateral_pelvic_drop", "leg": "left", "value": 7.5, "threshold": 5.0,
         "severity": "moderate"}
    )
    res = make_plan(with_drop, s, start=START)
    er = [u for u in res.programme["screening_use"] if u["topic"].startswith("hip_external")]
    assert all(u["used_by"] for u in er)


def test_every_flagged_value_is_accounted_for():
    s = screen(
        symptoms={"pain_worst_0_10": 8},
        training={"recent_increase_pct": 50},
        shoes={"km": 1200},
        tests={
            "knee_to_wall_cm": {"left": 7, "right": 11},
            "side_plank_s": {"left": 20, "right": 40},
            "single_leg_squat_fppa_deg": {"left": 30, "right": 10},
            "navicular_drop_mm": {"left": 13, "right": 8},
            "ober_test_deg": {"left": -10, "right": -25},
            "hip_internal_rotation_deg": {"left": 20, "right": 35},
        },
    )
    res = make_plan(analysis(), s, start=START)
    use = res.programme["screening_use"]
    assert len(use) >= 8
    assert all(u["used_by"] or u["why_not"] for u in use)
    pain = next(u for u in use if u["topic"] == "pain")
    assert "referral to a professional" in pain["used_by"]


def test_tight_adductors_are_a_hip_mobility_cause():
    s = screen(tests={"hip_abduction_range_deg": {"left": 24, "right": 35}})
    res = make_plan(analysis(), s, start=START)
    hip = next(c for c in res.causes if c["code"] == "hip_mobility")
    assert "adductors" in hip["name"]
    ids = {
        i["exercise_id"] for w in res.programme["weeks"] for x in w["sessions"] for i in x["items"]
    }
    assert "adductor_rockback" in ids


def test_quadriceps_dominance_is_front_to_back_not_left_right():
    s = screen(
        athlete={"equipment": ["band", "dumbbell"]},
        tests={"hamstring_quadriceps_ratio": {"left": 0.5, "right": 0.52}},
    )
    res = make_plan(analysis(), s, start=START)
    codes = [c["code"] for c in res.causes]
    assert codes[0] == "quadriceps_dominance" and "muscle_imbalance" not in codes
    first = [
        i["exercise_id"]
        for x in res.programme["weeks"][0]["sessions"]
        for i in x["items"]
        if i["block"] == "main"
    ]
    assert "banded_deadlift" in first  # prescribed, not only as a pain regression
    assert any(c["id"] == "hip_hinge" for c in res.programme["cues"])


def stance(leg: str, **kw) -> dict:
    return {"leg": leg, "contact_s": 0.0, "toe_off_s": 0.2, **kw}


def test_narrow_step_width_is_derived_from_stances():
    stances = [
        stance(leg, ankle_lateral_offset_hip_widths=0.04 + 0.01 * (k % 3), crossover=False)
        for k in range(6)
        for leg in ("left", "right")
    ]
    ana = {**analysis(), "stances": stances}
    facts = build_facts(ana, None, KB)
    codes = [f["code"] for f in facts.findings]
    assert codes.count("narrow_step_width") == 2
    inf = CauseInference().infer(ana, None)
    assert "narrow_step_crossover" in {c["code"] for c in inf.causes_}
    # a usual step width (0.2 hip widths) or a crossover is not a narrow step
    usual = [stance("left", ankle_lateral_offset_hip_widths=0.2, crossover=False)] * 6
    assert not build_facts({**analysis(), "stances": usual}, None, KB).findings
    crossing = [stance("left", ankle_lateral_offset_hip_widths=0.05, crossover=True)] * 6
    assert "narrow_step_width" not in {
        f["code"] for f in build_facts({**analysis(), "stances": crossing}, None, KB).findings
    }


def test_rearfoot_strike_overstride_is_derived_from_side_view_stances():
    heel = [
        stance("right", foot_strike="rearfoot", shank_angle_ic_deg=11.0 + k % 2)
        for k in range(8)
    ]
    ana = {**analysis(view="side-right"), "stances": heel}
    facts = build_facts(ana, None, KB)
    found = [f for f in facts.findings if f["code"] == "rearfoot_strike_overstride"]
    assert len(found) == 1 and found[0]["leg"] == "right"
    inf = CauseInference().infer(ana, None)
    over = next(c for c in inf.rejected_ + inf.suggested_detail_ if c["code"] == "overstriding")
    assert any("heel" in e for e in over["evidence"])
    mid = [stance("right", foot_strike="midfoot", shank_angle_ic_deg=11.0)] * 8
    assert not build_facts({**analysis(view="side-right"), "stances": mid}, None, KB).findings


def test_new_tests_are_read_by_the_screening_summary_and_used_by_causes():
    s = screen(
        athlete={"equipment": ["band", "dumbbell"]},
        tests={"hip_abduction_range_deg": {"left": 24, "right": 41},
               "hamstring_quadriceps_ratio": {"left": 0.5, "right": 0.7}},
    )
    res = make_plan(analysis(), s, start=START)
    use = {(u["topic"], u["leg"]): u for u in res.programme["screening_use"]}
    assert set(use) == {("hip_abduction_range", "left"), ("hamstring_quadriceps_ratio", "left")}
    assert any("hip mobility" in n.lower() for n in use[("hip_abduction_range", "left")]["used_by"])
    assert any("Quadriceps" in n for n in use[("hamstring_quadriceps_ratio", "left")]["used_by"])
