import numpy as np
import pytest

from kneetrack.kinematics import analyze_keypoints
from kneetrack.kinematics.events import StanceEvents
from kneetrack.kinematics.metrics import StanceMetrics, _interp_at, normalise_stance
from kneetrack.kinematics.stance import StanceRecord

from .helpers import ALL_TRIALS, TRIALS_60, trial_view

FRONTAL_TOL = {"fppa_peak_deg": 2.0, "hip_adduction_peak_deg": 2.0, "pelvic_drop_peak_deg": 1.5}
SAGITTAL = ("knee_flexion_ic_deg", "shank_angle_ic_deg", "foot_strike_angle_deg")


def _pairs(result, truth, metric, leg):
    out = []
    for s in truth["stances"]:
        if s["leg"] != leg or s.get(metric) is None:
            continue
        c = [e for e in result.stances if e["leg"] == leg and e.get(metric) is not None
             and np.isfinite(e[metric]) and abs(e["contact_s"] - s["contact_s"]) < 0.1]
        if c:
            out.append((c[0][metric], s[metric]))
    return np.array(out)


@pytest.mark.parametrize("name", [n for n in ALL_TRIALS if trial_view(n) in ("front", "rear")])
def test_frontal_metrics_against_truth(load_trial, name):
    kp, truth = load_trial(name)
    res = analyze_keypoints(kp)
    for metric, tol in FRONTAL_TOL.items():
        for leg in ("left", "right"):
            p = _pairs(res, truth, metric, leg)
            assert len(p) >= 0.9 * sum(1 for s in truth["stances"] if s["leg"] == leg)
            assert p[:, 0].mean() == pytest.approx(p[:, 1].mean(), abs=tol), (metric, leg)
            # Per-stance agreement, not only on average.
            assert np.sqrt(np.mean((p[:, 0] - p[:, 1]) ** 2)) < 2 * tol
    # The truth flag is the sign of the ankle's offset; the engine calls a foot within
    # 0.05 hip widths (~0.8 cm here) of the midline "on the line", so the flags are
    # compared where the truth is at least 1 cm from the midline, and a foot within
    # 0.3 cm of it must never be called a crossover.
    pairs = [(s, e) for s in truth["stances"] for e in res.stances
             if e["leg"] == s["leg"] and e["crossover"] is not None
             and abs(e["contact_s"] - s["contact_s"]) < 0.1]
    agree = [e["crossover"] == s["crossover"] for s, e in pairs
             if abs(s["ankle_lateral_offset_m"]) >= 0.01]
    assert len(agree) >= 0.6 * len(pairs) and np.mean(agree) >= 0.95
    assert not any(e["crossover"] for s, e in pairs if abs(s["ankle_lateral_offset_m"]) < 0.003)


@pytest.mark.parametrize("name", [n for n in ALL_TRIALS if trial_view(n).startswith("side")])
def test_at_contact_side_angles_against_truth(load_trial, name):
    kp, truth = load_trial(name)
    res = analyze_keypoints(kp)
    for metric in SAGITTAL:
        for leg in ("left", "right"):
            p = _pairs(res, truth, metric, leg)
            assert len(p) >= 0.9 * sum(1 for s in truth["stances"] if s["leg"] == leg)
            assert p[:, 0].mean() == pytest.approx(p[:, 1].mean(), abs=4.0), (metric, leg)
            assert np.sqrt(np.mean((p[:, 0] - p[:, 1]) ** 2)) < 4.0


def test_foot_strike_class_rearfoot_runner(load_trial):
    kp, truth = load_trial("hamner2010_s02_60fps_side-right")
    res = analyze_keypoints(kp)
    classes = [s["foot_strike"] for s in res.stances if s["foot_strike"]]
    assert classes.count("rearfoot") >= 0.9 * len(classes)
    assert {s["foot_strike"] for s in truth["stances"]} == {"rearfoot"}


def test_values_at_contact_are_interpolated_not_nearest_frame():
    t = np.arange(10) / 60.0
    y = 6.0 * np.arange(10)                  # 6 deg per frame
    assert _interp_at(t, y, t[3] + 0.4 / 60) == pytest.approx(20.4)
    assert np.isnan(_interp_at(t, y, -1.0))


def test_stance_curves_have_101_points_and_known_shape():
    t = np.arange(200) / 100.0
    series = {"time_s": t}
    for leg in ("left", "right"):
        series[f"{leg}_fppa_deg"] = 10 * np.sin(np.pi * (t - 0.5) / 0.3)   # half-sine in stance
        series[f"{leg}_hip_adduction_deg"] = np.full_like(t, 5.0)
        series[f"{leg}_pelvic_drop_deg"] = np.full_like(t, 2.0)
        series[f"{leg}_ankle_lateral_offset_px"] = np.full_like(t, -3.0)
    series["hip_width_px"] = np.full_like(t, 60.0)
    ev = [StanceEvents("left", 0.5, 0.8, 0.65, 5.0)]
    sm = StanceMetrics("front").calculate(series, ev)
    rec = sm.stances_[0]
    assert rec["fppa_peak_deg"] == pytest.approx(10.0, abs=0.1)
    assert rec["hip_adduction_peak_deg"] == pytest.approx(5.0)
    assert rec["crossover"] is True and rec["on_midline"] is False
    curve = np.array(sm.curves_["left"]["fppa_deg"][0])
    assert curve.shape == (101,)
    assert curve[50] == pytest.approx(10.0, abs=0.05) and abs(curve[0]) < 0.05
    assert sm.curves_["right"]["fppa_deg"] == []


@pytest.mark.parametrize(("offset_px", "crossover", "on_line"), [
    (-9.0, True, False), (-2.9, False, True), (0.0, False, True), (2.9, False, True),
    (9.0, False, False)])
def test_crossover_has_an_on_the_line_band(offset_px, crossover, on_line):
    t = np.arange(200) / 100.0
    series = {"time_s": t, "hip_width_px": np.full_like(t, 60.0)}
    for leg in ("left", "right"):
        for c in ("fppa_deg", "hip_adduction_deg", "pelvic_drop_deg"):
            series[f"{leg}_{c}"] = np.zeros_like(t)
        series[f"{leg}_ankle_lateral_offset_px"] = np.full_like(t, offset_px)
    ev = [StanceEvents("left", 0.5, 0.8, 0.65, 5.0)]
    rec = StanceMetrics("front", crossover_tolerance_hip_widths=0.05).calculate(
        series, ev).stances_[0]
    assert (rec["crossover"], rec["on_midline"]) == (crossover, on_line)


def test_normalise_stance_keeps_gaps_missing():
    t = np.arange(100) / 100.0
    y = t.copy()
    y[40:60] = np.nan
    out = normalise_stance(t, y, 0.2, 0.8)
    assert np.isnan(out[50]) and np.isfinite(out[0]) and np.isfinite(out[-1])
    assert out[0] == pytest.approx(0.2)


@pytest.mark.parametrize("name", TRIALS_60[:2])
def test_series_cover_the_clip(load_trial, name):
    kp, _ = load_trial(name)
    res = analyze_keypoints(kp)
    for key in ("time_s", "left_fppa_deg", "right_fppa_deg", "left_hip_adduction_deg",
                "right_hip_adduction_deg", "left_pelvic_drop_deg", "right_pelvic_drop_deg"):
        assert res.series[key].shape == (kp.n_frames,)
    np.testing.assert_allclose(res.series["left_pelvic_drop_deg"],
                               -res.series["right_pelvic_drop_deg"])


@pytest.mark.parametrize("name", ["hamner2010_s02_60fps_side-right",
                                  "fukuchi2017_rbds001_t35_60fps_side-left"])
def test_at_contact_angles_at_30fps(load_trial, name):
    # Every other frame: 30 fps. The foot moves far between frames at contact; cleaning
    # must not mistake that for outliers, and the filter must not flatten the angles.
    kp, truth = load_trial(name)
    half = kp.replace(xy=kp.xy[::2], confidence=kp.confidence[::2], time_s=kp.time_s[::2],
                      fps=30.0)
    res = analyze_keypoints(half)
    rejected = [p for p in res.keypoints.provenance if p.step == "reject_outliers"][0]
    assert rejected.params["points_rejected"] == 0
    for metric in SAGITTAL:
        for leg in ("left", "right"):
            p = _pairs(res, truth, metric, leg)
            assert p[:, 0].mean() == pytest.approx(p[:, 1].mean(), abs=1.5), (metric, leg)


def test_stance_metrics_builds_typed_records_in_contract_order():
    t = np.arange(200) / 100.0
    series = {"time_s": t, "hip_width_px": np.full_like(t, 60.0)}
    for leg in ("left", "right"):
        for c in ("fppa_deg", "hip_adduction_deg", "pelvic_drop_deg"):
            series[f"{leg}_{c}"] = np.full_like(t, 4.0)
        series[f"{leg}_ankle_lateral_offset_px"] = np.full_like(t, 6.0)
    ev = [StanceEvents("left", 0.5, 0.8, 0.65, 5.0)]
    rec = StanceMetrics("rear").calculate(series, ev).stances_[0]
    assert isinstance(rec, StanceRecord)
    assert rec.fppa_peak_deg == pytest.approx(4.0) and rec.crossover is False
    assert rec.ankle_lateral_offset_hip_widths == pytest.approx(0.1)
    assert list(rec.to_dict()) == [
        "leg", "contact_s", "toe_off_s", "contact_uncertainty_ms", "contact_cues_ms", "complete",
        "fppa_peak_deg", "hip_adduction_peak_deg", "pelvic_drop_peak_deg", "crossover",
        "foot_strike_angle_deg", "foot_strike", "shank_angle_ic_deg", "knee_flexion_ic_deg",
        "ankle_lateral_offset_px", "ankle_lateral_offset_hip_widths", "on_midline"]
    assert rec.foot_strike is None and rec.knee_flexion_ic_deg is None  # not a side view
