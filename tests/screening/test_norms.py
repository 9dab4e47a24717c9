import pytest

from kneetrack.errors import SettingsError
from kneetrack.screening.norms import (
    foot_posture_category,
    hip_abduction_norm,
    interpret,
    load_thresholds,
    red_flags,
)
from kneetrack.screening.schema import parse_screening


def _notes(doc, topic):
    return [n for n in interpret(parse_screening(doc)) if n.topic == topic]


def _status(notes, leg):
    return {n.status for n in notes if n.leg == leg}


def test_every_threshold_block_has_a_source():
    th = load_thresholds()
    for key, block in th.items():
        if isinstance(block, dict):
            assert any(k.endswith("source") for k in block) or "fppa_deg" in block, key
    assert th["single_leg_squat"]["fppa_deg"]["controls"]["mean"] == 8.4
    assert th["single_leg_squat"]["fppa_deg"]["patellofemoral_pain"]["mean"] == 16.8


@pytest.mark.parametrize("left, right, flagged, asym", [
    (12.0, 12.5, set(), False),
    (9.9, 12.0, {"left"}, True),
    (10.0, 11.4, set(), False),
    (10.0, 11.5, set(), True),
])
def test_knee_to_wall(left, right, flagged, asym):
    notes = _notes({"tests": {"knee_to_wall_cm": {"left": left, "right": right}}}, "knee_to_wall")
    assert {n.leg for n in notes if n.status == "flag" and n.leg} == flagged
    assert any(n.leg is None and n.status == "flag" for n in notes) == asym


def test_side_plank_norms_by_sex_and_asymmetry():
    doc = {"athlete": {"sex": "male"}, "tests": {"side_plank_s": {"left": 60, "right": 100}}}
    notes = _notes(doc, "side_plank")
    assert _status(notes, "left") == {"flag"}            # 60 < 99 - 37
    assert _status(notes, "right") == {"ok"}
    assert any(n.leg is None and "40%" in n.text for n in notes)
    women = _notes({"tests": {"side_plank_s": {"left": 50, "right": 51}}}, "side_plank")
    assert _status(women, "left") == {"ok"} and not any(n.leg is None for n in women)
    assert "sex not given" in women[0].text


def test_hip_abduction_equation_ramskov():
    assert hip_abduction_norm(age_years=40, sex="male") == (pytest.approx(1.615), 0.354)
    assert hip_abduction_norm(age_years=None, sex="female") == (1.41, 0.33)
    assert hip_abduction_norm(age_years=30, sex=None) is None
    doc = {"athlete": {"sex": "female", "age_years": 30},
           "tests": {"hip_abduction_nm_per_kg": {"left": 1.0, "right": 1.2}}}
    notes = _notes(doc, "hip_abduction_strength")
    assert _status(notes, "left") == {"flag"}            # < 1.45 - 0.354
    assert _status(notes, "right") == {"ok"}
    assert any(n.leg is None for n in notes)             # 17 % weaker
    unknown = _notes({"tests": {"hip_abduction_nm_per_kg": {"left": 1.0}}},
                     "hip_abduction_strength")
    assert _status(unknown, "left") == {"info"}


@pytest.mark.parametrize("score, label", [(-12, "highly supinated"), (-5, "highly supinated"),
                                          (-1, "supinated"), (0, "normal"), (5, "normal"),
                                          (6, "pronated"), (10, "highly pronated")])
def test_foot_posture_categories(score, label):
    assert foot_posture_category(score) == label


def test_foot_posture_out_of_range():
    with pytest.raises(SettingsError):
        foot_posture_category(13)


def test_navicular_drop_bands():
    notes = _notes({"tests": {"navicular_drop_mm": {"left": 11, "right": 3}}}, "navicular_drop")
    assert _status(notes, "left") == {"flag"}
    assert _status(notes, "right") == {"info"}
    ok = _notes({"tests": {"navicular_drop_mm": {"left": 7}}}, "navicular_drop")
    assert _status(ok, "left") == {"ok"}


def test_squat_fppa_against_herrington_and_side_difference():
    notes = _notes({"tests": {"single_leg_squat_fppa_deg": {"left": 17.0, "right": 7.0}}},
                   "single_leg_squat")
    assert _status(notes, "left") == {"flag"}
    assert _status(notes, "right") == {"ok"}
    assert any(n.leg is None and n.status == "flag" for n in notes)   # 10 deg >= SDD 8
    small = _notes({"tests": {"single_leg_squat_fppa_deg": {"left": 13.0, "right": 7.0}}},
                   "single_leg_squat")
    assert not any(n.leg is None for n in small)


def test_squat_video_depth_and_warnings_become_info():
    video = {"summary": {"left": {"n_reps": 5, "knee_flexion_est_deg": {"mean": 30.0},
                                  "trunk_lean_deg": {"mean": 8.0},
                                  "pelvic_drop_deg": {"mean": 2.0}},
                         "right": {"n_reps": 0}},
             "warnings": ["only 2 repetition(s) on the right leg"]}
    notes = _notes({"squat_video": video}, "single_leg_squat")
    texts = " ".join(n.text for n in notes)
    assert "shallow" in texts and "trunk leans 8 deg" in texts and "only 2 repetition" in texts
    assert "pelvis drops" not in texts


def test_shoes_training_pain():
    assert {n.status for n in _notes({"shoes": {"km": 900}}, "shoes")} == {"flag"}
    assert {n.status for n in _notes({"shoes": {"km": 600}}, "shoes")} == {"info"}
    assert {n.status for n in _notes({"shoes": {"km": 100}}, "shoes")} == {"ok"}
    assert {n.status for n in _notes({"training": {"recent_increase_pct": 40}},
                                     "training_load")} == {"flag"}
    assert {n.status for n in _notes({"training": {"recent_increase_pct": 10}},
                                     "training_load")} == {"ok"}
    pain = _notes({"symptoms": {"pain_worst_0_10": 8, "pain_weeks": 10}}, "pain")
    assert {n.status for n in pain} == {"flag", "info"}


def test_empty_screening_has_no_notes_and_no_flags():
    s = parse_screening({})
    assert interpret(s) == []
    assert red_flags(s) == []


@pytest.mark.parametrize("symptoms, urgency", [
    ({"fever": True, "swelling": True}, "urgent"),
    ({"fever": True}, None),
    ({"locking": True}, "urgent"),
    ({"cannot_bear_weight": True}, "urgent"),
    ({"sudden_large_swelling": True}, "urgent"),
    ({"after_trauma": True, "bony_tenderness": True}, "urgent"),
    ({"after_trauma": True}, "soon"),
    ({"pain_at_night": True}, "urgent"),
    ({"giving_way": True}, "soon"),
    ({"swelling": False, "locking": False}, None),
])
def test_red_flags(symptoms, urgency):
    flags = red_flags(parse_screening({"symptoms": symptoms}))
    if urgency is None:
        assert flags == []
    else:
        assert flags[0].urgency == urgency
