from __future__ import annotations

import itertools

import pytest
from assessment_builders import analysis, finding
from hypothesis import given, settings
from hypothesis import strategies as st

from kneetrack.assessment import ReferralCheck
from kneetrack.screening.schema import parse_screening


def check(symptoms=None, ana=None, **blocks):
    scr = parse_screening({"schema": "kneetrack.screening/1", "symptoms": symptoms or {}, **blocks})
    return ReferralCheck().check(scr, ana).referral_


URGENT = [
    {"fever": True, "swelling": True},
    {"locking": True},
    {"sudden_large_swelling": True},
    {"cannot_bear_weight": True},
    {"pain_at_night": True},
    {"pain_at_rest": True},
    {"after_trauma": True, "bony_tenderness": True},
    {"after_trauma": True, "cannot_flex_90": True},
]


@pytest.mark.parametrize("symptoms", URGENT)
def test_urgent_red_flags_always_give_urgent_referral(symptoms):
    ref = check(symptoms)
    assert ref["needed"] and ref["urgency"] == "urgent"
    assert ref["to"] and ref["reasons"]


def test_urgent_wins_over_any_soon_flag_combination():
    soon = [{"giving_way": True}, {"pain_weeks": 10}, {"pain_worst_0_10": 8}, {"swelling": True}]
    for urgent, extra in itertools.product(URGENT, soon):
        ref = check({**extra, **urgent})
        assert ref["urgency"] == "urgent"
        assert ref["flags"][0]["urgency"] == "urgent"  # urgent reasons come first


def test_trauma_with_age_55_is_urgent_and_without_signs_is_soon():
    assert check({"after_trauma": True}, athlete={"age_years": 60})["urgency"] == "urgent"
    assert check({"after_trauma": True}, athlete={"age_years": 30})["urgency"] == "soon"


@pytest.mark.parametrize(
    "symptoms",
    [{"pain_weeks": 10}, {"giving_way": True}, {"pain_worst_0_10": 7}, {"swelling": True}],
)
def test_soon_flags(symptoms):
    ref = check(symptoms)
    assert ref["urgency"] == "soon" and "physical therapist" in ref["to"]


def test_severe_collapse_and_marked_asymmetry_from_analysis():
    ref = check({}, analysis(finding("hip_adduction", severity="severe")))
    assert ref["urgency"] == "soon"
    ref = check({}, analysis(finding("asymmetry_fppa", leg=None, severity="severe")))
    assert ref["urgency"] == "soon" and any("differently" in r for r in ref["reasons"])


def test_training_load_jump_with_pain_suggests_coach():
    ref = check({"pain_worst_0_10": 3}, training={"recent_increase_pct": 50})
    assert "running coach" in ref["to"]


def test_no_flags_no_referral(neutral_screening, neutral_analysis):
    ref = ReferralCheck().check(neutral_screening, neutral_analysis).referral_
    assert ref == {"needed": False, "urgency": "none", "to": [], "reasons": [], "flags": []}


def test_missing_screening_means_no_referral():
    assert ReferralCheck().check(None, None).referral_["urgency"] == "none"


BOOL_FIELDS = [
    "pain_at_rest",
    "pain_at_night",
    "swelling",
    "sudden_large_swelling",
    "locking",
    "giving_way",
    "after_trauma",
    "fever",
    "cannot_bear_weight",
    "bony_tenderness",
    "cannot_flex_90",
]


def urgent_oracle(s: dict, age: int | None) -> bool:
    """The issue's urgent list, written independently of referral.yaml."""
    ottawa = (
        s.get("cannot_bear_weight")
        or s.get("bony_tenderness")
        or s.get("cannot_flex_90")
        or (age is not None and age >= 55)
    )
    return bool(
        (s.get("fever") and (s.get("swelling") or s.get("sudden_large_swelling")))
        or s.get("locking")
        or s.get("sudden_large_swelling")
        or s.get("cannot_bear_weight")
        or s.get("pain_at_night")
        or s.get("pain_at_rest")
        or (s.get("after_trauma") and ottawa)
    )


@given(
    flags=st.dictionaries(st.sampled_from(BOOL_FIELDS), st.booleans()),
    pain=st.none() | st.integers(0, 10),
    weeks=st.none() | st.integers(0, 30),
    age=st.none() | st.integers(16, 80),
)
@settings(max_examples=150, deadline=None)
def test_urgent_iff_an_urgent_red_flag(flags, pain, weeks, age):
    symptoms = dict(flags)
    if pain is not None:
        symptoms["pain_worst_0_10"] = pain
    if weeks is not None:
        symptoms["pain_weeks"] = weeks
    ref = check(symptoms, athlete={"age_years": age} if age is not None else {})
    assert (ref["urgency"] == "urgent") == urgent_oracle(flags, age)
    assert ref["needed"] == bool(ref["reasons"])
