"""What the report says: numbers, bands, verdict, confidence, programme, referral."""

from __future__ import annotations

import math

import pytest

from kneetrack.report.content import metric_reference, report_content
from kneetrack.report.context import build_context, quality_section
from kneetrack.report.programme_summary import programme_section
from kneetrack.report.values import band_of, drift_of, fmt_deg, leg_stats

from .helpers import make_analysis

PROGRAMME = {
    "schema": "kneetrack.programme/1",
    "causes": [
        {"code": "core_weakness", "confidence": 0.4, "evidence": ["side plank 25 s"]},
        {"code": "hip_abductor_weakness", "confidence": 0.8,
         "evidence": ["contralateral pelvic drop 6.0° (left)", "FPPA 14° (left)"]},
    ],
    "referral": {"needed": False, "urgency": "none", "to": [], "reasons": []},
    "weeks": [
        {"week": 1, "phase": "foundation", "sessions": [
            {"date": "2026-12-01", "kind": "run", "title": "Easy run with drills",
             "items": [{"exercise_id": "a_skip", "name": "A-skip", "sets": 2, "reps": 10,
                        "block": "warm-up"}]},
            {"date": "2026-12-02", "kind": "strength", "title": "Strength A — foundation",
             "items": [{"exercise_id": "bird_dog", "name": "Bird-dog", "sets": 2, "reps": 8,
                        "block": "warm-up"},
                       {"exercise_id": "banded_clamshell", "name": "Banded clamshell",
                        "sets": 3, "reps": 12, "load": "light band"},
                       {"exercise_id": "side_plank", "name": "Side plank", "sets": 3,
                        "hold_s": 20}]}]},
        {"week": 2, "phase": "foundation", "sessions": []},
        {"week": 3, "phase": "strength", "sessions": []},
    ],
    "cues": [{"id": "knee_over_toes", "text": "Knee tracks over the 2nd-3rd toe."}],
    "footwear": [],
    "retest": {"every_weeks": 4, "dates": ["2026-12-28"],
               "instructions": ["Film from behind, 10 s, 60 fps."]},
}


def test_leg_stats_recover_known_means():
    a = make_analysis(fppa=(14.0, 6.0), hip=(11.0, 7.0), steps=9)
    left = leg_stats(a, "left", "fppa_peak_deg")
    right = leg_stats(a, "right", "hip_adduction_peak_deg")
    assert left["mean"] == pytest.approx(14.0)
    assert left["n"] == 9
    assert right["mean"] == pytest.approx(7.0)
    assert left["max"] == pytest.approx(15.5)


def test_leg_stats_prefer_summary_and_none_when_unmeasured():
    a = make_analysis(view="side-right")
    assert leg_stats(a, "left", "fppa_peak_deg") is None
    a = make_analysis()
    a["summary"] = {"left": {"fppa_peak_deg": {"mean": 20.0, "sd": None, "max": 22.0, "n": 3}}}
    st = leg_stats(a, "left", "fppa_peak_deg")
    assert st["mean"] == 20.0 and st["n"] == 3 and math.isnan(st["sd"])
    # A summary whose mean is None falls back to the stances.
    a["summary"] = {"left": {"fppa_peak_deg": {"mean": None, "sd": None, "max": None, "n": 0}}}
    assert leg_stats(a, "left", "fppa_peak_deg")["mean"] == pytest.approx(14.0)


@pytest.mark.parametrize(("value", "band"), [(4.0, "typical"), (10.0, "typical"),
                                              (12.0, "mild"), (15.0, "moderate"),
                                              (19.0, "severe"), (None, "none")])
def test_band_of_uses_the_findings_tiers(value, band):
    ref = {"tiers": {"mild": 10.0, "moderate": 13.0, "severe": 18.0}}
    assert band_of(value, ref) == band
    assert band_of(5.0, {"tiers": {}}) == "none"


def test_reference_comes_from_the_findings_thresholds():
    from kneetrack.kinematics.findings import load_thresholds

    data = load_thresholds()
    rule = next(r for r in data["rules"] if r["metric"] == "hip_adduction_peak_deg")
    ref = metric_reference("hip_adduction_peak_deg")
    assert ref["typical_max"] == min(rule["tiers"].values())
    assert ref["high_min"] == max(rule["tiers"].values())
    assert ref["sdd"] == data["smallest_detectable_difference_deg"]["hip_adduction_peak_deg"]
    assert metric_reference("knee_flexion_ic_deg") == {"tiers": {}, "typical_max": None,
                                                        "high_min": None, "sdd": None}


def test_pill_matches_the_finding_severity():
    """The engine's finding for a leg and the report's pill for its mean agree."""
    from kneetrack.kinematics.findings import load_thresholds

    rule = next(r for r in load_thresholds()["rules"] if r["metric"] == "fppa_peak_deg")
    tiers = rule["tiers"]
    for name, thr in tiers.items():
        a = make_analysis(fppa=(thr + 0.5, 2.0))
        row = next(r for r in build_context(a)["numbers"]["rows"]
                   if r["metric"] == "fppa_peak_deg")
        above = [n for n, t in tiers.items() if thr + 0.5 > t]
        assert row["cells"]["left"]["band"] == max(above, key=lambda n: tiers[n]), name


def test_fmt_deg():
    assert fmt_deg(3.14159) == "3.1°"
    assert fmt_deg(float("nan")) == "–"
    assert fmt_deg("x") == "–"


def test_drift_detects_rise_over_clip():
    a = make_analysis(steps=12, drift_left=9.0)
    d = drift_of(a, "left", "fppa_peak_deg")
    # peaks rise linearly by 3° (fixture spread) + 9° (drift) over the clip:
    # last third minus first third is about 2/3 of the 12° rise
    assert d == pytest.approx(8.0, abs=1.0)
    assert drift_of(a, "right", "fppa_peak_deg") == pytest.approx(2.0, abs=0.8)
    assert drift_of(make_analysis(steps=3), "left", "fppa_peak_deg") is None


def test_verdict_with_finding_and_good_quality():
    ctx = build_context(make_analysis())
    v = ctx["verdict"]
    assert v["status"] == "attention"
    assert "Left knee valgus" in v["points"][0]
    assert v["confidence"] == "High"
    # what to do first comes from the content file for this finding code
    assert v["first"] == report_content()["first_steps"]["dynamic_knee_valgus"]
    rows = {r["metric"]: r for r in ctx["numbers"]["rows"]}
    assert rows["fppa_peak_deg"]["cells"]["left"]["mean"] == "14.0°"
    assert rows["fppa_peak_deg"]["cells"]["left"]["band"] == band_of(
        14.0, metric_reference("fppa_peak_deg"))
    assert rows["fppa_peak_deg"]["cells"]["left"]["band"] not in ("typical", "none")
    assert rows["fppa_peak_deg"]["cells"]["right"]["band"] == "typical"
    # 8° between legs is not above the FPPA measurement error (8°); 4° hip adduction is (3°)
    assert rows["fppa_peak_deg"]["asymmetry"]["real"] is False
    assert rows["hip_adduction_peak_deg"]["asymmetry"]["real"] is True
    assert ctx["numbers"]["cadence"] == "172 steps/min"


def test_verdict_without_findings_says_so():
    ctx = build_context(make_analysis(fppa=(5.0, 4.0), hip=(6.0, 5.0), findings=False))
    assert ctx["verdict"]["status"] == "good"
    assert "No sign" in ctx["verdict"]["headline"]
    assert ctx["verdict"]["first"] == report_content()["first_steps"]["none"]


def test_side_view_says_not_measured_instead_of_numbers():
    ctx = build_context(make_analysis(view="side-left"))
    labels = [r["label"] for r in ctx["numbers"]["rows"]]
    assert "Knee angle (FPPA)" not in labels
    assert "Shank angle at contact" in labels
    assert "Knee angle (FPPA)" in ctx["numbers"]["not_measured"]
    assert ctx["verdict"]["status"] == "unknown"
    assert any("side" in w for w in ctx["quality"]["warnings"])
    assert "not measured" in ctx["explainer"]["mine"][0]


def test_quality_lowers_confidence_for_few_steps_low_fps_poor_tracking():
    q = quality_section(make_analysis(steps=10))
    assert q["level"] == "high" and not q["warnings"]
    q = quality_section(make_analysis(steps=5))
    assert q["level"] == "moderate"
    assert any("7" in w for w in q["warnings"])
    q = quality_section(make_analysis(steps=10, fps=30.0))
    assert q["level"] == "moderate" and any("60 fps" in w for w in q["warnings"])
    a = make_analysis(steps=2)
    a["quality"]["tracked_fraction"] = 0.5
    q = quality_section(a)
    assert q["level"] == "low" and any("50%" in w for w in q["warnings"])


def test_engine_warnings_are_not_duplicated():
    a = make_analysis(steps=4, fps=30.0)
    a["quality"]["warnings"] = ["frame rate 30 fps is below 60 fps",
                                "only 4 left and 4 right complete stances"]
    a["quality"]["steps_per_side"] = {"left": 4, "right": 4}
    q = quality_section(a)
    assert q["warnings"] == a["quality"]["warnings"]
    assert q["steps"] == {"left": 4, "right": 4}


def test_empty_analysis_does_not_crash():
    ctx = build_context({"schema": "kneetrack.analysis/1", "view": None, "stances": []})
    assert ctx["numbers"]["rows"] == []
    assert ctx["verdict"]["confidence"] == "Low"
    assert ctx["findings"] == []


def test_programme_summary():
    p = programme_section(PROGRAMME)
    assert [c["name"] for c in p["causes"]] == ["Hip abductor weakness", "Core weakness"]
    assert p["causes"][0]["confidence"] == "80%"
    assert p["phases"] == [{"phase": "foundation", "first": 1, "last": 2},
                           {"phase": "strength", "first": 3, "last": 3}]
    strength = p["first_week"]["sessions"][1]
    assert strength["items"] == ["Banded clamshell (3 × 12, light band)",
                                 "Side plank (3 × 20 s hold)"]
    assert p["retest"].startswith("Film again every 4 weeks, next on 2026-12-28.")
    ctx = build_context(make_analysis(), programme=PROGRAMME)
    assert ctx["verdict"]["first"].startswith("Start week 1 of your 3-week programme: Strength A")
    assert "Banded clamshell" in ctx["verdict"]["first"]
    assert ctx["referral"] is None


def test_urgent_referral_goes_first():
    prog = dict(PROGRAMME, referral={"needed": True, "urgency": "urgent",
                                     "to": ["sports medicine physician"],
                                     "reasons": ["knee locking"]}, weeks=[])
    ctx = build_context(make_analysis(), programme=prog)
    assert ctx["referral"]["urgent"]
    assert ctx["verdict"]["first"].startswith("See sports medicine physician")
    assert "knee locking" in ctx["verdict"]["first"]


def test_first_step_matches_code_prefixes():
    from kneetrack.report.verdict import first_step_for

    steps = report_content()["first_steps"]
    assert first_step_for("asymmetry_hip_adduction", steps) == steps["asymmetry_"]
    assert first_step_for("narrow_step_crossover", steps) == steps["narrow_step_crossover"]
    assert first_step_for("something_new", steps) == steps["default"]


def test_findings_sorted_by_severity_then_weight_and_unreliable_flagged():
    a = make_analysis()
    a["findings"] = [
        {"code": "asymmetry_x", "severity": "mild", "weight": 0.5, "text": "a"},
        {"code": "contralateral_pelvic_drop", "severity": "mild", "weight": 1.5, "text": "b",
         "reliable": False},
        {"code": "narrow_step_crossover", "severity": "moderate", "weight": 1.0, "text": "c"},
    ]
    ctx = build_context(a)
    assert [f["text"] for f in ctx["findings"]] == ["c", "b", "a"]
    assert "less reliable" in ctx["findings"][1]["detail"]


def test_verdict_shows_first_sentence_and_items_read_well():
    from kneetrack.report.programme_summary import item_text
    from kneetrack.report.verdict import first_sentence

    assert first_sentence("Pelvis drops 6.5 deg (above 5 deg). Drop is associated with pain.") \
        == "Pelvis drops 6.5 deg (above 5 deg)."
    assert first_sentence("No full stop") == "No full stop"
    assert item_text({"name": "Cadence run", "sets": 1, "duration_min": 20, "bpm": 180}) \
        == "Cadence run (20 min, metronome 180 bpm)"
    assert item_text({"name": "Walk", "sets": 1}) == "Walk"
