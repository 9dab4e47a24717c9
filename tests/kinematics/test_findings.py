import pytest

from kneetrack.kinematics.findings import evaluate_findings, load_thresholds
from kneetrack.kinematics.summary import describe, summarize


def _stances(leg, n, **values):
    return [{"leg": leg, "contact_s": 1.0 + i, "toe_off_s": 1.25 + i, "complete": True,
             **values} for i in range(n)]


def test_thresholds_file_has_sources_and_tiers():
    th = load_thresholds()
    assert th["min_stances_per_side"] == 7 and th["min_fps"] == 60
    for rule in th["rules"]:
        assert rule["source"] and rule["text"] and rule["tiers"]
        assert "associated with" in rule["text"]
        tiers = [rule["tiers"][k] for k in ("mild", "moderate", "severe") if k in rule["tiers"]]
        assert tiers == sorted(tiers)
    weights = {r["code"]: r["weight"] for r in th["rules"]}
    assert weights["hip_adduction"] >= weights["dynamic_knee_valgus"]
    assert weights["contralateral_pelvic_drop"] >= weights["dynamic_knee_valgus"]


def test_severity_tiers_and_reliability():
    st = (_stances("left", 8, fppa_peak_deg=14.0, hip_adduction_peak_deg=16.0,
                   pelvic_drop_peak_deg=3.0, crossover=False)
          + _stances("right", 4, fppa_peak_deg=5.0, hip_adduction_peak_deg=8.0,
                     pelvic_drop_peak_deg=10.5, crossover=True))
    summary = summarize(st, view="front", duration_s=20.0,
                        sdd_deg={"fppa_peak_deg": 8.0, "hip_adduction_peak_deg": 3.0,
                                 "pelvic_drop_peak_deg": 2.7})
    found = {(f["code"], f["leg"]): f for f in evaluate_findings(
        st, summary, view="front", cadence_spm=172.0, duration_s=20.0)}
    assert found[("dynamic_knee_valgus", "left")]["severity"] == "moderate"
    assert found[("dynamic_knee_valgus", "left")]["threshold"] == 13.0
    assert found[("hip_adduction", "left")]["severity"] == "moderate"
    assert found[("contralateral_pelvic_drop", "right")]["severity"] == "severe"
    assert found[("contralateral_pelvic_drop", "right")]["reliable"] is False   # 4 stances
    assert found[("narrow_step_crossover", "right")]["value"] == 1.0
    assert ("dynamic_knee_valgus", "right") not in found
    assert ("low_cadence", "both") not in found
    assert found[("asymmetry_hip_adduction", "left")]["value"] == pytest.approx(8.0)
    assert ("asymmetry_fppa", "left") in found          # 9 deg > SDD 8 deg
    # Hip findings rank before the FPPA finding of the same severity.
    order = [f["code"] for f in evaluate_findings(st, summary, view="front", cadence_spm=None,
                                                  duration_s=20.0)]
    assert order.index("hip_adduction") < order.index("dynamic_knee_valgus")


def test_cadence_relative_to_own_rate_and_fatigue_drift():
    st = [{"leg": "left" if i % 2 else "right", "contact_s": float(i), "toe_off_s": i + 0.3,
           "complete": True, "hip_adduction_peak_deg": 8.0 + (4.0 if i >= 80 else 0.0)}
          for i in range(120)]
    summary = summarize(st, view="front", duration_s=120.0)
    drift = summary["fatigue_drift"]["hip_adduction_peak_deg"]
    assert drift["change"] == pytest.approx(4.0)
    found = evaluate_findings(st, summary, view="front", cadence_spm=150.0, duration_s=120.0)
    by_code = {f["code"]: f for f in found}
    cad = by_code["low_cadence"]
    assert "158-165 steps/min" in cad["text"]           # +5-10 % of 150, not 180
    assert by_code["fatigue_drift_hip_adduction"]["value"] == pytest.approx(4.0)


def test_side_view_rules_only_for_side_views():
    st = _stances("left", 8, shank_angle_ic_deg=13.0) + _stances("right", 8,
                                                                 shank_angle_ic_deg=4.0)
    summary = summarize(st, view="side-right", duration_s=20.0)
    found = evaluate_findings(st, summary, view="side-right", cadence_spm=175.0,
                              duration_s=20.0)
    assert [(f["code"], f["leg"], f["severity"]) for f in found] == [
        ("overstriding", "left", "moderate")]
    assert evaluate_findings(st, summary, view="front", cadence_spm=175.0,
                             duration_s=20.0) == []


def test_describe_handles_empty_and_single():
    import numpy as np

    assert describe(np.array([])) == {"mean": None, "sd": None, "max": None, "n": 0,
                                      "ci95": None}
    assert describe(np.array([3.0]))["sd"] is None
    d = describe(np.array([10.0, 12.0, 14.0, 16.0]))
    # t(0.975, 3) = 3.182; SD = 2.582; half-width = 3.182 * 2.582 / 2 = 4.108
    assert d["ci95"] == pytest.approx(4.108, abs=0.01)


def test_outlier_stance_values_are_set_aside():
    from kneetrack.kinematics.summary import reject_outlier_stances

    st = _stances("left", 10, shank_angle_ic_deg=6.0, knee_flexion_ic_deg=15.0,
                  foot_strike_angle_deg=12.0)
    for i, s in enumerate(st):
        s["shank_angle_ic_deg"] += 0.3 * (i % 3)
    st[4]["shank_angle_ic_deg"] = -55.0          # a step measured on the wrong leg
    n = reject_outlier_stances(st, view="side-right")
    assert n == 1
    assert st[4]["shank_angle_ic_deg"] is None
    assert st[4]["rejected"] == {"shank_angle_ic_deg": -55.0}
    summary = summarize(st, view="side-right", duration_s=20.0)
    assert summary["left"]["shank_angle_ic_deg"]["n"] == 9
    assert summary["left"]["shank_angle_ic_deg"]["mean"] == pytest.approx(6.3, abs=0.05)
