"""The plausibility gate: its decision on real and synthetic clips, and that no finding,
cause or summary is ever made from a withheld metric."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from kneetrack_synthetic.runner import synthetic_clip

from kneetrack.assessment.causes import CauseInference
from kneetrack.io.timing import retime
from kneetrack.keypoints import Keypoints
from kneetrack.kinematics import analyze_keypoints
from kneetrack.kinematics.findings import evaluate_findings, load_thresholds
from kneetrack.kinematics.gait_pattern import flight_gravity
from kneetrack.kinematics.identity import keep_one_identity
from kneetrack.kinematics.plausibility import apply_bounds, load_plausibility

from .helpers import trial_view

FRONTAL = ("fppa_peak_deg", "hip_adduction_peak_deg", "pelvic_drop_peak_deg")
SAGITTAL = ("shank_angle_ic_deg", "knee_flexion_ic_deg", "foot_strike_angle_deg")


def _contract(res):
    return json.loads(json.dumps(res.to_contract(), allow_nan=False))


def _rule_metric() -> dict[str, str]:
    return {r["code"]: r["metric"] for r in load_thresholds()["rules"]}


def assert_no_finding_from_withheld(c: dict) -> None:
    """No finding may rest on a metric the gate withheld (per leg), nor exist after a fail."""
    gate = c["plausibility"]
    if not gate["passed"]:
        assert c["findings"] == [] and c["cadence_spm"] is None
        for s in c["stances"]:
            for m in FRONTAL + SAGITTAL:
                assert s[m] is None
        return
    metric_of = _rule_metric()
    for f in c["findings"]:
        m = metric_of.get(f["code"])
        if m is not None:
            assert m not in gate["withheld"].get(f["leg"], {}), f
            assert f["code"] not in gate["withheld_findings"], f
        for prefix in ("asymmetry_", "fatigue_drift_"):
            if f["code"].startswith(prefix):
                assert f["code"] not in gate["withheld_findings"], f
    for leg, metrics in gate["withheld"].items():
        for m in metrics:
            assert c["summary"][leg][m]["mean"] is None and c["summary"][leg][m]["withheld"]
            assert all(s[m] is None for s in c["stances"] if s["leg"] == leg)


def _slowed(kp: Keypoints, factor: float) -> Keypoints:
    """A real clip played at ``factor`` of real speed: same frames, time stretched."""
    return kp.replace(time_s=kp.time_s / factor, fps=kp.fps * factor)


# ----------------------------------------------------------------------- good runners
@pytest.mark.parametrize("view", ["front", "rear", "side-right", "side-left"])
def test_synthetic_runner_passes(view):
    kp, truth = synthetic_clip(view, duration_s=10, fppa_peak_deg=(16.0, 6.0),
                               pelvic_drop_peak_deg=(8.0, 3.0), shank_angle_ic_deg=13.0)
    c = _contract(analyze_keypoints(kp))
    gate = c["plausibility"]
    assert gate["passed"] is True, gate["reasons"]
    assert gate["reasons"] == [] and gate["withheld"] == {}
    assert c["cadence_spm"] == pytest.approx(truth["cadence_spm"], abs=2)
    codes = {(f["code"], f["leg"]) for f in c["findings"]}
    if view in ("front", "rear"):
        assert ("dynamic_knee_valgus", "left") in codes
    else:
        assert any(code == "overstriding" for code, _ in codes)
    assert_no_finding_from_withheld(c)


@pytest.mark.parametrize("name", ["fukuchi2017_rbds001_t35_60fps_front",
                                  "hamner2010_s02_60fps_rear",
                                  "hamner2010_s02_60fps_side-right"])
def test_real_mocap_runners_pass(load_trial, name):
    kp, truth = load_trial(name)
    c = _contract(analyze_keypoints(kp))
    assert c["plausibility"]["passed"] is True, c["plausibility"]["reasons"]
    assert c["cadence_spm"] == pytest.approx(truth["cadence_spm"], abs=1.5)
    checks = {ch["code"]: ch for ch in c["plausibility"]["checks"]}
    assert checks["cadence"]["passed"] and checks["regular_steps"]["passed"]
    if trial_view(name) != "front":
        assert checks["running_pattern"]["value"] == "running"


# ----------------------------------------------------------------------- slow motion
@pytest.mark.parametrize("name", ["fukuchi2017_rbds001_t35_60fps_side-left",
                                  "hamner2010_s02_60fps_rear",
                                  "fukuchi2017_rbds001_t35_60fps_front"])
def test_slowed_clip_fails_then_passes_with_the_speed_factor(load_trial, name):
    kp, truth = load_trial(name)
    slow = _slowed(kp, 0.4)                    # 60 fps clip stored as 24 fps
    c = _contract(analyze_keypoints(slow))
    gate = c["plausibility"]
    assert gate["passed"] is False
    assert gate["measured"]["cadence_spm"] == pytest.approx(0.4 * truth["cadence_spm"], abs=2)
    assert "slow motion" in " ".join(gate["reasons"]) or "slowed" in " ".join(gate["reasons"])
    hint = " ".join(gate["refilm"])
    assert "--speed-factor" in hint and "--fps" in hint
    if trial_view(name) != "front":             # the pattern is judged: running, slowed
        assert gate["measured"]["slowed_factor_estimate"] == pytest.approx(0.4, abs=0.05)
        assert "seems slowed down" in gate["reasons"][0]
    assert_no_finding_from_withheld(c)
    assert not any(f["code"] == "low_cadence" for f in c["findings"])

    fixed = _contract(analyze_keypoints(retime(slow, speed_factor=0.4)))
    assert fixed["plausibility"]["passed"] is True, fixed["plausibility"]["reasons"]
    assert fixed["cadence_spm"] == pytest.approx(truth["cadence_spm"], abs=1.5)
    assert fixed["plausibility"]["rate"]["source"] == "speed_factor"
    same = _contract(analyze_keypoints(retime(slow, fps=kp.fps)))
    assert same["cadence_spm"] == pytest.approx(fixed["cadence_spm"], abs=1e-6)


# ----------------------------------------------------------------------- two people
def _splice(first: Keypoints, second: Keypoints, *, scale: float, shift_px: float) -> Keypoints:
    """``first`` then ``second`` (another runner: smaller and elsewhere in the image)."""
    common = [m for m in first.markers if m in second.markers]
    a, b = first.with_markers(common), second.with_markers(common)
    xy_b = b.xy.copy()
    centre = np.nanmean(xy_b[:, :, :], axis=(0, 1))
    xy_b = (xy_b - centre) * scale + centre + np.array([shift_px, 40.0])
    xy = np.concatenate([a.xy, xy_b])
    conf = np.concatenate([a.confidence, b.confidence])
    n = xy.shape[0]
    return Keypoints(xy=xy, confidence=conf, markers=a.markers, time_s=np.arange(n) / a.fps,
                     fps=a.fps, source="spliced")


@pytest.mark.parametrize("long_first", [True, False])
def test_switching_person_keeps_the_longest_segment(load_trial, long_first):
    a, truth = load_trial("fukuchi2017_rbds001_t35_60fps_rear")
    b, _ = load_trial("hamner2010_s02_60fps_rear")
    a = a.slice_frames(0, 900)                 # 15 s of the runner we should keep
    b = b.slice_frames(0, 420)                 # 7 s of someone else
    kp = (_splice(a, b, scale=0.6, shift_px=450) if long_first else
          _splice(b, a, scale=1 / 0.6, shift_px=-450))
    res = analyze_keypoints(kp)
    c = _contract(res)
    gate = c["plausibility"]
    ident = gate["identity"]
    assert ident["split"] and len(ident["segments"]) >= 2
    t0, t1 = ident["kept"]
    if long_first:
        assert t0 == pytest.approx(0.0, abs=0.05) and t1 == pytest.approx(15.0, abs=0.1)
    else:
        assert t0 == pytest.approx(7.0, abs=0.1) and t1 == pytest.approx(22.0, abs=0.1)
    assert any("jumped to another person" in n for n in gate["notes"])
    assert gate["passed"] is True, gate["reasons"]
    assert c["cadence_spm"] == pytest.approx(truth["cadence_spm"], abs=1.5)
    contacts = [s["contact_s"] for s in c["stances"]]
    assert min(contacts) >= t0 - 0.1 and max(contacts) <= t1 + 0.1
    assert_no_finding_from_withheld(c)


@pytest.mark.parametrize("name", ["hamner2010_s02_60fps_front",
                                  "fukuchi2017_rbds001_t35_60fps_rear"])
def test_short_glitch_is_cut_out_and_both_sides_kept(load_trial, name):
    kp, truth = load_trial(name)
    xy = kp.xy.copy()
    sl = slice(300, 330)                       # 0.5 s: a close-up shoe becomes a skeleton
    centre = np.nanmean(xy[sl], axis=1, keepdims=True)
    xy[sl] = (xy[sl] - centre) * 2.5 + centre + np.array([300.0, 150.0])
    c = _contract(analyze_keypoints(kp.replace(xy=xy)))
    gate = c["plausibility"]
    assert gate["identity"]["frames_cut"] == 30
    assert gate["identity"]["kept"][0] == pytest.approx(0.0, abs=0.05)
    assert gate["identity"]["kept"][1] == pytest.approx(kp.time_s[-1], abs=0.05)
    assert any("glitch" in n for n in gate["notes"])
    assert gate["passed"] is True
    assert c["cadence_spm"] == pytest.approx(truth["cadence_spm"], abs=1.5)


@pytest.mark.parametrize("name", ["hamner2010_s02_60fps_side-right", "hamner2010_s02_60fps_rear"])
def test_label_swaps_are_not_a_new_person(load_trial, name):
    kp, _ = load_trial(name)
    xy = kp.xy.copy()
    for start, parts in ((50, ("knee",)), (200, ("ankle", "heel", "toe")),
                         (350, ("knee", "ankle", "heel", "toe"))):
        for p in parts:
            i, j = kp.index(f"left_{p}"), kp.index(f"right_{p}")
            seg = slice(start, start + 12)
            xy[seg, i], xy[seg, j] = xy[seg, j].copy(), xy[seg, i].copy()
    res = keep_one_identity(kp.replace(xy=xy))
    assert res.frames_cut == 0 and not res.notes and len(res.segments) == 1


# ----------------------------------------------------------------------- walking, standing
def _walker(view: str, *, seed: int = 0) -> Keypoints:
    """A walking-like clip: 110 steps/min, low feet, pelvis highest at mid-stance."""
    kp, truth = synthetic_clip(view, duration_s=12, cadence_spm=110, duty_factor=0.48,
                               vertical_oscillation_m=0.0, swing_ankle_height_m=0.12,
                               speed_ms=1.4, seed=seed)
    mids = np.array(sorted(0.5 * (s["contact_s"] + s["toe_off_s"]) for s in truth["stances"]))
    leg_px = float(np.nanmedian(np.hypot(*(kp["left_ankle"] - kp["left_hip"]).T)))
    phase = np.interp(kp.time_s, mids, np.arange(mids.size))
    lift = 0.045 * leg_px * 0.5 * (1 + np.cos(2 * np.pi * phase))   # vaulting: up at mid-stance
    xy = kp.xy.copy()
    upper = [i for i, m in enumerate(kp.markers)
             if not any(p in m for p in ("knee", "ankle", "heel", "toe"))]
    xy[:, upper, 1] -= lift[:, None]
    return kp.replace(xy=xy)


@pytest.mark.parametrize("view", ["side-right", "rear", "front"])
def test_walking_fails(view):
    c = _contract(analyze_keypoints(_walker(view)))
    gate = c["plausibility"]
    assert gate["passed"] is False
    text = " ".join(gate["reasons"])
    assert "walking" in text
    if view != "front":
        assert "walking pattern" in text
    assert any("not walking or standing" in r for r in gate["refilm"])
    assert_no_finding_from_withheld(c)


def test_standing_fails():
    kp, _ = synthetic_clip("front", duration_s=1.0)
    still = np.repeat(kp.xy[:1], 600, axis=0)
    still = still + np.random.default_rng(3).normal(0.0, 1.0, still.shape)
    stand = Keypoints(xy=still, confidence=np.ones(still.shape[:2]), markers=kp.markers,
                      time_s=np.arange(600) / 60.0, fps=60.0)
    c = _contract(analyze_keypoints(stand))
    gate = c["plausibility"]
    assert gate["passed"] is False and c["findings"] == [] and c["cadence_spm"] is None
    assert gate["reasons"]


# ----------------------------------------------------------------------- impossible geometry
@pytest.mark.parametrize("name", ["hamner2010_s02_60fps_front",
                                  "hamner2010_s02_60fps_side-right"])
def test_stretched_frame_withholds_every_angle(load_trial, name):
    kp, truth = load_trial(name)
    xy = kp.xy.copy()
    xy[..., 0] = 3.0 * (xy[..., 0] - 960.0) + 960.0      # wrong aspect ratio: x stretched 3x
    c = _contract(analyze_keypoints(kp.replace(xy=xy)))
    gate = c["plausibility"]
    checks = {ch["code"]: ch for ch in gate["checks"]}
    assert checks["body_proportions"]["passed"] is False
    metrics = FRONTAL if trial_view(name) == "front" else SAGITTAL
    for leg in ("left", "right"):
        for m in metrics:
            assert m in gate["withheld"].get(leg, {}), (leg, m)
            assert c["summary"][leg][m]["mean"] is None
    angle_codes = {code for code, m in _rule_metric().items() if m in metrics}
    assert not angle_codes & {f["code"] for f in c["findings"]}
    assert angle_codes <= set(gate["withheld_findings"])
    assert not any(f["code"].startswith(("asymmetry_", "fatigue_drift_")) for f in c["findings"])
    assert c["cadence_spm"] == pytest.approx(truth["cadence_spm"], abs=1.5)  # time is fine
    assert_no_finding_from_withheld(c)
    # causes: the withheld findings are unknown, never evidence
    inf = CauseInference().infer(c)
    for cause in inf.causes_:
        for line in cause["evidence"]:
            assert "frontal plane" not in line and "pelvis drops" not in line
    assert "analysis.dynamic_knee_valgus.present" not in inf.facts_.values or \
        trial_view(name) != "front"


def test_failed_clip_gives_causes_no_facts(load_trial):
    kp, _ = load_trial("hamner2010_s02_60fps_front")
    c = _contract(analyze_keypoints(_slowed(kp, 0.4)))
    facts = CauseInference().infer(c).facts_
    assert not facts.has_analysis and facts.findings == []
    assert "cadence_spm" not in facts.values
    assert not any(k.startswith("analysis.") for k in facts.values)


# ----------------------------------------------------------------------- bounds (unit)
def test_bounds_withhold_single_values_and_whole_metrics():
    bounds = load_plausibility()["bounds"]
    stances = [{"leg": "left", "fppa_peak_deg": v, "hip_adduction_peak_deg": 10.0}
               for v in (10.0, 12.0, 132.0, 11.0, 9.0, 13.0, 10.0)]
    stances += [{"leg": "right", "fppa_peak_deg": v, "hip_adduction_peak_deg": 45.0}
                for v in (8.0, 9.0, 7.0, 10.0)]
    held = apply_bounds(stances, bounds, max_withheld_fraction=0.3)
    assert stances[2]["fppa_peak_deg"] is None
    assert stances[2]["withheld"]["fppa_peak_deg"]["value"] == 132.0
    assert "outside the physiological range" in stances[2]["withheld"]["fppa_peak_deg"]["reason"]
    assert [s["fppa_peak_deg"] for s in stances[:7] if s["fppa_peak_deg"] is not None] == \
        [10.0, 12.0, 11.0, 9.0, 13.0, 10.0]
    assert held == {"right": {"hip_adduction_peak_deg": held["right"]["hip_adduction_peak_deg"]}}
    assert all(s["hip_adduction_peak_deg"] is None for s in stances[7:])
    assert "4 of 4 right steps" in held["right"]["hip_adduction_peak_deg"]


def test_bounds_take_back_values_the_metric_stage_rejected():
    stances = [{"leg": "left", "shank_angle_ic_deg": None, "rejected": {"shank_angle_ic_deg": 60}},
               {"leg": "left", "shank_angle_ic_deg": 5.0}]
    apply_bounds(stances, {"shank_angle_ic_deg": {"range": [-20, 35], "label": "shank"}},
                 max_withheld_fraction=0.6)
    assert stances[0]["withheld"]["shank_angle_ic_deg"]["value"] == 60
    assert "rejected" not in stances[0]


def test_findings_skip_withheld_metrics():
    stances = [{"leg": leg, "fppa_peak_deg": 20.0, "hip_adduction_peak_deg": 20.0,
                "pelvic_drop_peak_deg": 3.0, "crossover": False}
               for leg in ("left", "right") for _ in range(8)]
    summary = {"left": {}, "right": {}, "asymmetry": {}, "fatigue_drift": {}}
    args = {"view": "front", "cadence_spm": 170.0, "duration_s": 10.0}
    both = {(f["code"], f["leg"]) for f in evaluate_findings(stances, summary, **args)}
    assert ("dynamic_knee_valgus", "left") in both and ("hip_adduction", "left") in both
    held = {(f["code"], f["leg"]) for f in evaluate_findings(
        stances, summary, **args, withheld={"left": {"fppa_peak_deg": "x"}})}
    assert ("dynamic_knee_valgus", "left") not in held
    assert ("dynamic_knee_valgus", "right") in held and ("hip_adduction", "left") in held


# ----------------------------------------------------------------------- flight gravity
SPRINT = Path(__file__).resolve().parent / "data" / "sprint_track_panning_keypoints.npz"


def _sprint() -> Keypoints:
    d = np.load(SPRINT)
    xy = d["xy"].astype(float)
    return Keypoints(xy=xy, confidence=np.isfinite(xy).all(axis=2).astype(float),
                     markers=tuple(str(m) for m in d["markers"]), time_s=d["time_s"],
                     fps=float(d["fps"]), source="test:sprint_track_panning")


def test_flight_gravity_recovers_g_from_free_flights():
    """Flights of a body falling at exactly g (plus 0.5 px noise) between stances."""
    fps, leg_px, leg_m, step, stance = 60.0, 300.0, 0.86, 0.30, 0.18
    t = np.arange(0, 8.0, 1 / fps)
    px_per_m = leg_px / leg_m
    phase = np.mod(t, step)
    flight = phase >= stance
    tau = phase - 0.5 * (stance + step)                     # 0 at mid-flight
    half = 0.5 * (step - stance)
    # image row (down = +): a parabola at g in flight, a dip in stance (0 at both ends)
    y = np.where(flight, 0.5 * 9.81 * px_per_m * (tau ** 2 - half ** 2),
                 0.04 * px_per_m * np.sin(np.pi * phase / stance))
    y = y + np.random.default_rng(0).normal(0, 0.5, t.size)
    xy = np.zeros((t.size, 6, 2))
    names = ("left_hip", "right_hip", "left_knee", "right_knee", "left_ankle", "right_ankle")
    for j, (dx, dy) in enumerate([(-20, 0), (20, 0), (-20, 150), (20, 150), (-20, 300),
                                  (20, 300)]):
        xy[:, j, 0], xy[:, j, 1] = 500 + dx, 300 + y + dy
    kp = Keypoints(xy=xy, confidence=np.ones(xy.shape[:2]), markers=names, time_s=t, fps=fps)
    contacts = list(np.arange(0, 8.0, step))
    toe_offs = [c + stance for c in contacts]
    fg = flight_gravity(kp, contacts, toe_offs, leg_length_m=leg_m)
    assert fg["flight_gravity_ms2"] == pytest.approx(9.81, rel=0.05)
    assert fg["flights"] >= 20
    slow = kp.replace(time_s=2 * t, fps=fps / 2)             # played at half speed: g / 4
    fg2 = flight_gravity(slow, [2 * c for c in contacts], [2 * o for o in toe_offs],
                         leg_length_m=leg_m)
    assert fg2["flight_gravity_ms2"] == pytest.approx(9.81 / 4, rel=0.05)
    short = flight_gravity(kp, contacts, [c + step - 0.02 for c in contacts], leg_length_m=leg_m)
    assert short["flight_gravity_ms2"] is None               # flights of 1-2 frames: not judged


@pytest.mark.parametrize("name", ["fukuchi2017_rbds001_t35_60fps_side-left",
                                  "hamner2010_s02_60fps_rear",
                                  "fukuchi2017_rbds001_t35_60fps_front"])
def test_real_runners_fall_with_g_in_flight(load_trial, name):
    kp, _ = load_trial(name)
    for factor, lo, hi in ((1.0, 0.7, 1.3), (0.5, 0.15, 0.4)):
        c = _contract(analyze_keypoints(_slowed(kp, factor)))
        fg = {ch["code"]: ch for ch in c["plausibility"]["checks"]}["flight_gravity"]
        assert lo * 9.81 <= fg["value"] <= hi * 9.81, (factor, fg)
        assert fg["passed"] is (factor == 1.0)


def test_slowed_sprint_is_caught_by_its_fall_in_flight():
    """A real sprint (~290 steps/min) played at half speed still has a running cadence
    (~145): only the body's fall in flight (g / 4) shows that it was slowed."""
    kp = _sprint()
    c = _contract(analyze_keypoints(kp))
    gate = c["plausibility"]
    assert gate["passed"] is True, gate["reasons"]
    assert 250 <= c["cadence_spm"] <= 300
    slow = _slowed(kp, 0.5)
    c2 = _contract(analyze_keypoints(slow))
    gate2 = c2["plausibility"]
    assert gate2["passed"] is False
    assert 130 <= gate2["measured"]["cadence_spm"] <= 150          # the cadence alone passes
    checks = {ch["code"]: ch for ch in gate2["checks"]}
    assert checks["cadence"]["passed"] is True
    assert checks["flight_gravity"]["passed"] is False
    assert "slower than real time" in " ".join(gate2["reasons"])
    hint = " ".join(gate2["refilm"])
    assert "--speed-factor" in hint and "--fps" in hint
    assert gate2["measured"]["slowed_factor_estimate"] < 0.7
    assert_no_finding_from_withheld(c2)
    fixed = _contract(analyze_keypoints(retime(slow, speed_factor=0.5)))
    assert fixed["plausibility"]["passed"] is True, fixed["plausibility"]["reasons"]


# ----------------------------------------------------------------------- walking from the front
def _model_clip(model, view: str, fps: float = 60.0):
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
    import loro_events

    run = model.simulate(12.0)
    tr = loro_events.Trial("m", "m", model.speed_ms, run.time_s, run.points, run.events, "model")
    return loro_events.make_case(tr, view, fps, seed=3)[0]


@pytest.mark.parametrize("view", ["front", "rear"])
@pytest.mark.parametrize(("speed", "duty"), [(1.0, 0.65), (1.4, 0.62), (2.2, 0.56)])
def test_frontal_walking_is_told_from_running(view, speed, duty):
    """Independent pendulum walkers (double support, pelvis highest at mid-stance): from the
    front the pelvis is lowest just after each contact, not at mid-stance. At 2.2 m/s the
    walk has a running cadence (~134 steps/min), so only the pattern refuses it."""
    from kneetrack_synthetic.spring_mass_runner import PendulumWalker

    c = _contract(analyze_keypoints(_model_clip(
        PendulumWalker(speed_ms=speed, duty_factor=duty, seed=2), view), view=view))
    gate = c["plausibility"]
    checks = {ch["code"]: ch for ch in gate["checks"]}
    assert checks["running_pattern"]["value"] == "walking", checks["running_pattern"]
    assert gate["passed"] is False
    assert "walking" in " ".join(gate["reasons"])
    if speed > 2.0:
        assert checks["cadence"]["passed"] is True        # the cadence alone would pass
    assert_no_finding_from_withheld(c)


@pytest.mark.parametrize("view", ["front", "rear"])
@pytest.mark.parametrize("speed", [2.0, 3.5, 5.0])
def test_frontal_running_pattern_on_independent_runners(view, speed):
    from kneetrack_synthetic.spring_mass_runner import SpringMassRunner

    c = _contract(analyze_keypoints(_model_clip(SpringMassRunner(speed_ms=speed, seed=4), view,
                                                fps=30.0), view=view))
    checks = {ch["code"]: ch for ch in c["plausibility"]["checks"]}
    assert checks["running_pattern"]["value"] == "running", checks["running_pattern"]
    assert c["plausibility"]["passed"] is True, c["plausibility"]["reasons"]


def test_slowed_runner_from_the_front_is_called_slowed_not_walking(load_trial):
    kp, _ = load_trial("fukuchi2017_rbds001_t35_60fps_front")
    gate = _contract(analyze_keypoints(_slowed(kp, 0.5)))["plausibility"]
    assert gate["passed"] is False
    assert "seems slowed down" in gate["reasons"][0]
