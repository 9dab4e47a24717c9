"""The synthetic runner: its truth matches what was asked, its geometry is physical."""

from __future__ import annotations

import numpy as np
import pytest
from kneetrack_synthetic import angles2d
from kneetrack_synthetic.camera import Camera
from kneetrack_synthetic.runner import RunnerParams, simulate_runner, with_leg

from kneetrack.errors import SettingsError
from kneetrack.keypoints import Keypoints

VIEWS = ("front", "rear", "side-right", "side-left")


def far_camera(view: str) -> Camera:
    """A nearly orthographic camera: perspective errors become negligible."""
    return Camera(view, distance_m=300.0, focal_px=1400.0 * 300.0 / 3.5, target_height_m=0.8,
                  height_m=0.8)


@pytest.fixture(scope="module")
def asym_motion():
    params = RunnerParams.make(
        fppa_peak_deg=(12.0, 4.0), hip_adduction_peak_deg=(13.0, 9.0),
        pelvic_drop_peak_deg=(6.5, 2.5), foot_angle_ic_deg=(14.0, -6.0),
        shank_angle_ic_deg=(9.0, 3.0), knee_flexion_ic_deg=(14.0, 22.0),
        stance_sd_deg=0.0, step_time_cv=0.0,
    )
    return simulate_runner(params, duration_s=6.0, fps=60, seed=3)


def _leg_values(truth, leg, key):
    return np.array([s[key] for s in truth["stances"] if s["leg"] == leg], dtype=float)


# ----------------------------------------------------------------- events and timing
def test_events_are_exact_and_alternate(asym_motion):
    m = asym_motion
    for leg in ("left", "right"):
        ic, to = m.contacts_s[leg], m.toe_offs_s[leg]
        assert ic.size >= 6
        assert np.all(to > ic)
        # stance time = duty factor x stride time (no variability requested)
        stride = 120.0 / m.params.cadence_spm
        np.testing.assert_allclose(to - ic, m.params.duty_factor * stride, rtol=1e-9)
        np.testing.assert_allclose(np.diff(ic), stride, rtol=1e-9)
    all_ic = np.sort(np.concatenate([m.contacts_s["left"], m.contacts_s["right"]]))
    legs = ["left" if x in m.contacts_s["left"] else "right" for x in all_ic]
    assert all(a != b for a, b in zip(legs, legs[1:], strict=False))


def test_truth_cadence_matches_request():
    m = simulate_runner(RunnerParams.make(cadence_spm=182.0), duration_s=8.0, fps=60, seed=1)
    truth = m.truth(Camera("side-right"))
    assert truth["cadence_spm"] == pytest.approx(182.0, abs=1.5)


def test_stance_foot_flat_on_moving_ground_and_swing_foot_above(asym_motion):
    m = asym_motion
    p = m.params
    t = m.time_s
    for leg in ("left", "right"):
        for ic, to in zip(m.contacts_s[leg], m.toe_offs_s[leg], strict=True):
            flat = (t > ic + 0.3 * (to - ic)) & (t < ic + 0.5 * (to - ic))
            heel = m.positions[f"{leg}_heel"][flat]
            toe = m.positions[f"{leg}_toe"][flat]
            np.testing.assert_allclose(heel[:, 2], p.heel_marker_height_m, atol=0.003)
            np.testing.assert_allclose(toe[:, 2], p.toe_marker_height_m, atol=0.003)
            # treadmill: the foot is carried backwards at belt speed
            vx = np.diff(heel[:, 0]) / np.diff(t[flat])
            np.testing.assert_allclose(vx, -p.speed_ms, rtol=0.02)
        # no marker goes through the ground; the swing foot is clearly lifted mid-swing
        for part in ("heel", "toe", "ankle"):
            assert np.nanmin(m.positions[f"{leg}_{part}"][:, 2]) > 0.0
        for to, ic in zip(m.toe_offs_s[leg][:-1], m.contacts_s[leg][1:], strict=True):
            mid = (t > to + 0.3 * (ic - to)) & (t < to + 0.6 * (ic - to))
            assert np.all(m.positions[f"{leg}_toe"][mid, 2] > 0.08)


@pytest.mark.parametrize("kwargs", [
    {"speed_ms": 4.5, "cadence_spm": 180.0, "duty_factor": 0.3},
    {"foot_angle_ic_deg": -10.0, "knee_flexion_ic_deg": 25.0, "shank_angle_ic_deg": 0.0},
    {"speed_ms": 2.5, "cadence_spm": 160.0, "duty_factor": 0.42, "step_width_m": -0.08},
])
def test_feet_grounded_and_pelvis_realistic_across_variants(kwargs):
    m = simulate_runner(RunnerParams.make(stance_sd_deg=0.0, **kwargs), duration_s=4.0, fps=120,
                        seed=4)
    t = m.time_s
    pelvis_z = 0.5 * (m.positions["left_hip"][:, 2] + m.positions["right_hip"][:, 2])
    for leg in ("left", "right"):
        assert np.nanmin(m.positions[f"{leg}_toe"][:, 2]) > 0.0
        for ic, to in zip(m.contacts_s[leg], m.toe_offs_s[leg], strict=True):
            flat = (t > ic + 0.3 * (to - ic)) & (t < ic + 0.5 * (to - ic))
            np.testing.assert_allclose(m.positions[f"{leg}_heel"][flat, 2],
                                       m.params.heel_marker_height_m, atol=0.003)
            # the pelvis is lowest during stance, well after contact and before toe-off
            during = (t >= ic) & (t <= to)
            i_low = np.argmin(pelvis_z[during])
            assert 0.2 < i_low / during.sum() < 0.8
    # the knee stays flexed during stance (never locked straight) and bends most in swing
    hip, knee, ankle = (m.positions[f"left_{j}"][:, [0, 2]] for j in ("hip", "knee", "ankle"))
    flex = (angles2d.segment_to_vertical_deg(hip * [1, -1], knee * [1, -1], forward_sign=1)
            - angles2d.segment_to_vertical_deg(knee * [1, -1], ankle * [1, -1], forward_sign=1))
    stance = np.zeros(t.size, bool)
    for ic, to in zip(m.contacts_s["left"], m.toe_offs_s["left"], strict=True):
        stance |= (t >= ic) & (t <= to)
    assert flex[stance].min() > 5.0
    assert 25.0 < flex[stance].max() < 65.0
    assert flex[~stance].max() > 70.0


def test_segment_lengths_in_sagittal_plane(asym_motion):
    m = asym_motion
    for leg in ("left", "right"):
        hip, knee, ankle = (m.positions[f"{leg}_{j}"][:, [0, 2]] for j in ("hip", "knee", "ankle"))
        np.testing.assert_allclose(np.linalg.norm(knee - hip, axis=1), m.params.thigh_m, atol=1e-6)
        np.testing.assert_allclose(np.linalg.norm(ankle - knee, axis=1), m.params.shank_m,
                                   atol=1e-6)


def test_heel_lower_than_toe_at_rearfoot_contact(asym_motion):
    at = asym_motion.positions_at(asym_motion.contacts_s["left"])       # rearfoot (+14 deg)
    assert np.all(at["left_heel"][:, 2] < at["left_toe"][:, 2])
    at = asym_motion.positions_at(asym_motion.contacts_s["right"])      # forefoot (-6 deg)
    assert np.all(at["right_heel"][:, 2] > at["right_toe"][:, 2])


def test_overground_crosses_the_side_view():
    params = RunnerParams.make(treadmill=False, speed_ms=4.0)
    m = simulate_runner(params, duration_s=2.0, fps=60, seed=0)
    pelvis_x = 0.5 * (m.positions["left_hip"][:, 0] + m.positions["right_hip"][:, 0])
    assert pelvis_x[0] == pytest.approx(-4.0, abs=0.01)
    assert pelvis_x[-1] == pytest.approx(4.0 - 4.0 / 60, abs=0.01)
    kp = m.project(Camera("side-right"))
    hip_col = kp["right_hip"][:, 0]
    ok = ~np.isnan(hip_col)
    assert 0.2 < ok.mean() < 0.9                      # enters and leaves the image
    assert np.all(np.diff(hip_col[ok]) > 0)          # moving to the image right
    # stance foot stands still on the ground overground
    leg_ic, leg_to = m.contacts_s["left"][0], m.toe_offs_s["left"][0]
    span = leg_to - leg_ic
    flat = (m.time_s > leg_ic + 0.3 * span) & (m.time_s < leg_ic + 0.5 * span)
    heel_x = m.positions["left_heel"][flat, 0]
    assert np.ptp(heel_x) < 0.003
    # the truth flags the stances filmed inside the frame
    truth = m.truth(Camera("side-right"))
    flags = [s["in_view"] for s in truth["stances"]]
    assert any(flags) and not all(flags)
    for s in truth["stances"]:
        i = int(np.searchsorted(m.time_s, s["contact_s"]))
        if s["in_view"]:
            assert np.isfinite(kp["left_hip"][i]).all()


# ----------------------------------------------------------------- truth versus request
@pytest.mark.parametrize("view", ["front", "rear"])
def test_frontal_truth_equals_request_orthographic(asym_motion, view):
    truth = asym_motion.truth(far_camera(view))
    for leg, fppa, ha, drop in (("left", 12.0, 13.0, 6.5), ("right", 4.0, 9.0, 2.5)):
        np.testing.assert_allclose(_leg_values(truth, leg, "fppa_peak_deg"), fppa, atol=0.2)
        np.testing.assert_allclose(_leg_values(truth, leg, "hip_adduction_peak_deg"), ha, atol=0.2)
        np.testing.assert_allclose(_leg_values(truth, leg, "pelvic_drop_peak_deg"), drop, atol=0.1)
        assert _leg_values(truth, leg, "shank_angle_ic_deg").size  # present, None -> nan
        assert np.all(np.isnan(_leg_values(truth, leg, "shank_angle_ic_deg")))


@pytest.mark.parametrize("view", ["front", "rear"])
def test_frontal_truth_close_to_request_through_perspective(asym_motion, view):
    truth = asym_motion.truth(Camera(view))
    for leg, fppa, ha, drop in (("left", 12.0, 13.0, 6.5), ("right", 4.0, 9.0, 2.5)):
        np.testing.assert_allclose(_leg_values(truth, leg, "pelvic_drop_peak_deg"), drop, atol=0.5)
        np.testing.assert_allclose(_leg_values(truth, leg, "fppa_peak_deg"), fppa, atol=1.5)
        np.testing.assert_allclose(_leg_values(truth, leg, "hip_adduction_peak_deg"), ha, atol=1.0)


@pytest.mark.parametrize("view", ["side-right", "side-left"])
def test_side_truth_equals_request(asym_motion, view):
    for cam, tol in ((far_camera(view), 0.05), (Camera(view), 1.0)):
        truth = asym_motion.truth(cam)
        for leg, fsa, shank, knee, strike in (("left", 14.0, 9.0, 14.0, "rearfoot"),
                                              ("right", -6.0, 3.0, 22.0, "forefoot")):
            np.testing.assert_allclose(_leg_values(truth, leg, "foot_strike_angle_deg"), fsa,
                                       atol=tol)
            np.testing.assert_allclose(_leg_values(truth, leg, "shank_angle_ic_deg"), shank,
                                       atol=tol)
            np.testing.assert_allclose(_leg_values(truth, leg, "knee_flexion_ic_deg"), knee,
                                       atol=tol)
            assert {s["foot_strike"] for s in truth["stances"] if s["leg"] == leg} == {strike}
            assert np.all(np.isnan(_leg_values(truth, leg, "fppa_peak_deg")))


def test_foot_strike_is_judged_relative_to_the_flat_foot():
    # toe marker 3 cm higher than the heel marker: the flat foot already looks "toes up"
    params = RunnerParams.make(foot_angle_ic_deg=3.0, toe_marker_height_m=0.055,
                               stance_sd_deg=0.0)
    truth = simulate_runner(params, duration_s=3.0, seed=0).truth(Camera("side-right"))
    st = truth["stances"]
    assert all(s["foot_strike_angle_deg"] > 8.0 for s in st)     # raw image angle looks rearfoot
    assert all(s["foot_strike"] == "midfoot" for s in st)        # but relative to flat it is not
    np.testing.assert_allclose([s["foot_pitch_ic_rel_flat_deg"] for s in st], 3.0, atol=0.6)


@pytest.mark.parametrize("step_width, crossover", [(0.10, False), (-0.06, True)])
def test_step_width_and_crossover(step_width, crossover):
    params = RunnerParams.make(step_width_m=step_width, stance_sd_deg=0.0)
    m = simulate_runner(params, duration_s=3.0, seed=0)
    for view in ("front", "rear"):
        truth = m.truth(Camera(view))
        assert {s["crossover"] for s in truth["stances"]} == {crossover}
    at = m.positions_at(m.contacts_s["left"])
    np.testing.assert_allclose(at["left_ankle"][:, 1],
                               step_width / 2, atol=1e-9)


def test_fatigue_drift_grows_linearly():
    params = RunnerParams.make(fppa_peak_deg=4.0, drift={"fppa_peak_deg": 6.0},
                               stance_sd_deg=0.0)
    m = simulate_runner(params, duration_s=12.0, seed=2)
    truth = m.truth(far_camera("front"))
    ic = _leg_values(truth, "left", "contact_s")
    fppa = _leg_values(truth, "left", "fppa_peak_deg")
    slope, intercept = np.polyfit(ic, fppa, 1)
    assert slope == pytest.approx(6.0 / 12.0, rel=0.05)
    assert intercept == pytest.approx(4.0, abs=0.2)


# ----------------------------------------------------------------- projection sanity
def test_front_view_mirror_and_side_direction(asym_motion):
    front = asym_motion.project(Camera("front"))
    rear = asym_motion.project(Camera("rear"))
    assert np.all(front["left_hip"][:, 0] > front["right_hip"][:, 0])   # left leg on image right
    assert np.all(rear["left_hip"][:, 0] < rear["right_hip"][:, 0])
    for view, sign in (("side-right", 1.0), ("side-left", -1.0)):
        kp = asym_motion.project(Camera(view))
        # the runner faces the image right in side-right: the toe is ahead of the heel
        flat_ahead = sign * (kp["left_toe"][:, 0] - kp["left_heel"][:, 0])
        assert np.median(flat_ahead) > 0
    # head above hips above ankles in every view
    for view in VIEWS:
        kp = asym_motion.project(Camera(view))
        assert np.all(kp["nose"][:, 1] < kp["left_hip"][:, 1])
        assert np.all(kp["left_hip"][:, 1] < kp["left_ankle"][:, 1])


def test_keypoints_have_canonical_names_and_times():
    m = simulate_runner(RunnerParams.make(arms=True), duration_s=2.0, fps=120, seed=0)
    kp = m.to_keypoints(Camera("front"), noise_px=0.0, seed=0)
    assert isinstance(kp, Keypoints)
    for name in ("nose", "left_shoulder", "right_hip", "left_knee", "right_ankle", "left_heel",
                 "right_toe", "left_elbow", "right_wrist"):
        assert kp.has(name)
    assert kp.fps == 120.0 and kp.n_frames == 240
    assert kp.image_size == (1920, 1080)
    np.testing.assert_allclose(kp.time_s, np.arange(240) / 120.0)


def test_variable_frame_rate():
    m = simulate_runner(RunnerParams(), duration_s=2.0, fps=30, seed=0, frame_jitter_ms=4.0)
    dt = np.diff(m.time_s)
    assert np.all(dt > 0)
    assert dt.std() > 0.002
    kp = m.to_keypoints(Camera("side-left"), seed=1)
    np.testing.assert_array_equal(kp.time_s, m.time_s)


# ----------------------------------------------------------------- corruption
def test_noise_level_and_reproducibility():
    m = simulate_runner(RunnerParams(), duration_s=3.0, seed=5)
    cam = Camera("front")
    clean = m.project(cam)
    a = m.to_keypoints(cam, noise_px=1.5, seed=11)
    b = m.to_keypoints(cam, noise_px=1.5, seed=11)
    c = m.to_keypoints(cam, noise_px=1.5, seed=12)
    np.testing.assert_array_equal(a.xy, b.xy)
    assert not np.allclose(a.xy, c.xy)
    resid = (a.xy - clean.xy).ravel()
    assert np.nanstd(resid) == pytest.approx(1.5, rel=0.05)
    # the motion itself is reproducible from its seed
    m2 = simulate_runner(RunnerParams(), duration_s=3.0, seed=5)
    np.testing.assert_array_equal(m.positions["left_knee"], m2.positions["left_knee"])
    m3 = simulate_runner(RunnerParams(), duration_s=3.0, seed=6)
    assert not np.allclose(m.positions["left_knee"], m3.positions["left_knee"])


def test_dropouts_remove_frames_and_lower_neighbour_confidence():
    m = simulate_runner(RunnerParams(), duration_s=10.0, seed=1)
    kp, report = m.to_keypoints_with_report(Camera("front"), dropout=0.1, seed=3)
    missing = np.isnan(kp.xy).all(axis=(1, 2))
    np.testing.assert_array_equal(np.flatnonzero(missing), report.dropped_frames)
    assert missing.mean() == pytest.approx(0.1, abs=0.01)
    assert np.all(kp.confidence[missing] == 0)
    neighbours = np.zeros(kp.n_frames, bool)
    neighbours[np.clip(report.dropped_frames + 1, 0, kp.n_frames - 1)] = True
    neighbours &= ~missing
    assert kp.confidence[neighbours].mean() < 0.7 < kp.confidence[~missing & ~neighbours].mean()


def test_swaps_exchange_labels_as_reported():
    m = simulate_runner(RunnerParams(), duration_s=20.0, seed=1)
    cam = Camera("side-right")
    clean = m.project(cam)
    kp, report = m.to_keypoints_with_report(cam, noise_px=0.0, swap_rate_hz=1.0, seed=4)
    assert 8 <= len(report.swaps) <= 35
    kinds = {s.kind for s in report.swaps}
    assert kinds == {"leg", "foot"}
    lengths = np.array([s.stop - s.start for s in report.swaps])
    assert lengths.min() >= 1 and lengths.max() <= 26
    for s in report.swaps:
        sl = slice(s.start, s.stop)
        np.testing.assert_allclose(kp["left_ankle"][sl], clean["right_ankle"][sl])
        if s.kind == "foot":
            np.testing.assert_allclose(kp["left_knee"][sl], clean["left_knee"][sl])
        else:
            np.testing.assert_allclose(kp["left_knee"][sl], clean["right_knee"][sl])
    untouched = ~report.swapped_mask(kp.n_frames)
    np.testing.assert_allclose(kp["left_toe"][untouched], clean["left_toe"][untouched])
    assert kp.provenance[-1].step == "synthetic_corruption"


# ----------------------------------------------------------------- validation
@pytest.mark.parametrize("kwargs", [
    {"cadence_spm": 20.0}, {"duty_factor": 0.7}, {"fppa_peak_deg": 80.0},
    {"knee_flexion_ic_deg": -5.0}, {"drift": {"nonsense": 1.0}},
])
def test_bad_parameters_raise_settings_error(kwargs):
    with pytest.raises(SettingsError):
        simulate_runner(RunnerParams.make(**kwargs), duration_s=2.0)


def test_bad_clip_settings_raise():
    with pytest.raises(SettingsError):
        simulate_runner(RunnerParams(), duration_s=2.0, fps=500)
    with pytest.raises(SettingsError):
        RunnerParams.make(not_a_field=1)
    with pytest.raises(SettingsError):
        simulate_runner(RunnerParams(), duration_s=2.0).to_keypoints(Camera("front"), dropout=2.0)


def test_with_leg_changes_one_leg():
    p = with_leg(RunnerParams(), "right", fppa_peak_deg=15.0)
    assert p.right.fppa_peak_deg == 15.0
    assert p.left.fppa_peak_deg == RunnerParams().left.fppa_peak_deg


def test_angles2d_definitions_on_simple_shapes():
    hip, other = np.array([100.0, 100.0]), np.array([0.0, 100.0])       # medial = image left
    knee_med, ankle = np.array([90.0, 200.0]), np.array([100.0, 300.0])
    assert angles2d.fppa_deg(hip, knee_med, ankle, other) > 0
    assert angles2d.fppa_deg(hip, np.array([110.0, 200.0]), ankle, other) < 0
    assert angles2d.hip_adduction_deg(hip, np.array([100.0 - 10.0, 200.0]), other) == \
        pytest.approx(np.degrees(np.arctan(0.1)))
    # other hip lower in the image (larger row) -> positive drop
    assert angles2d.pelvic_drop_deg(hip, np.array([0.0, 110.0])) == pytest.approx(
        np.degrees(np.arctan(0.1)))
    # side view facing right: toes higher (smaller row) -> positive foot angle
    assert angles2d.foot_angle_deg(np.array([0.0, 10.0]), np.array([10.0, 0.0]),
                                   forward_sign=1) == pytest.approx(45.0)
    assert angles2d.segment_to_vertical_deg(np.array([0.0, 0.0]), np.array([1.0, 1.0]),
                                            forward_sign=-1) == pytest.approx(-45.0)


def test_merges_snaps_and_foot_glitches_as_reported():
    m = simulate_runner(RunnerParams(), duration_s=20.0, seed=2)
    cam = Camera("side-right")
    clean = m.project(cam)
    kp, report = m.to_keypoints_with_report(cam, noise_px=0.0, merge_fraction=0.05,
                                            snap_fraction=0.03, foot_glitch_fraction=0.04,
                                            seed=9)
    kinds = {g.kind for g in report.glitches}
    assert {"merge", "snap"} <= kinds
    assert kinds & {"toe_behind_heel", "foot_short", "foot_long", "heel_above_ankle"}
    n = kp.n_frames
    merged = sum(g.stop - g.start for g in report.glitches if g.kind == "merge")
    assert merged == pytest.approx(0.05 * n, rel=0.25)
    for g in report.glitches:
        sl = slice(g.start, g.stop)
        if g.kind in ("merge", "snap"):
            assert g.leg == "left"                              # the hidden leg in side-right
        if g.kind == "merge":
            np.testing.assert_allclose(kp["left_ankle"][sl], clean["right_ankle"][sl], atol=10)
            np.testing.assert_allclose(kp["left_hip"][sl], clean["left_hip"][sl])
        elif g.kind == "snap":
            assert np.ptp(kp["left_knee"][sl, 0]) < 10         # a still object
        elif g.kind == "toe_behind_heel":
            heel, toe = kp[f"{g.leg}_heel"][sl], kp[f"{g.leg}_toe"][sl]
            assert np.all(toe[:, 0] < heel[:, 0])               # runner faces image right
        elif g.kind in ("foot_short", "foot_long"):
            length = np.linalg.norm(kp[f"{g.leg}_toe"][sl] - kp[f"{g.leg}_heel"][sl], axis=1)
            true = np.linalg.norm(clean[f"{g.leg}_toe"][sl] - clean[f"{g.leg}_heel"][sl], axis=1)
            assert np.all(length < 0.65 * true) if g.kind == "foot_short" else \
                np.all(length > 1.45 * true)
        else:
            assert np.all(kp[f"{g.leg}_heel"][sl, 1] < kp[f"{g.leg}_ankle"][sl, 1])
    # frames outside every glitch keep their clean positions
    bad = np.zeros(n, bool)
    for g in report.glitches:
        bad[g.start:g.stop] = True
    np.testing.assert_allclose(kp["left_knee"][~bad], clean["left_knee"][~bad])


def test_drift_that_leaves_the_valid_range_is_refused():
    params = RunnerParams.make(knee_flexion_ic_deg=20.0, drift={"knee_flexion_ic_deg": -30.0})
    with pytest.raises(SettingsError, match="drift"):
        simulate_runner(params, duration_s=10.0, seed=0)


def test_pelvic_sway_is_bounded_and_truth_reports_the_geometry():
    # a crossover runner asked for little hip adduction cannot get it with a realistic sway
    params = RunnerParams.make(step_width_m=-0.08, hip_adduction_peak_deg=6.0, stance_sd_deg=0.0,
                               pelvis_sway_max_m=0.04)
    m = simulate_runner(params, duration_s=4.0, fps=120, seed=1)
    mid_y = 0.5 * (m.positions["left_hip"][:, 1] + m.positions["right_hip"][:, 1])
    assert np.abs(mid_y).max() <= 0.04 + 1e-9
    truth = m.truth(far_camera("front"))
    assert all(s["crossover"] for s in truth["stances"])
    assert min(s["hip_adduction_peak_deg"] for s in truth["stances"]) > 8.0


def test_hip_adduction_left_to_the_geometry_by_default():
    for step_width, expected in ((0.08, (5.0, 11.0)), (-0.06, (9.0, 16.0))):
        params = RunnerParams.make(step_width_m=step_width, stance_sd_deg=0.0)
        assert params.left.hip_adduction_peak_deg is None
        m = simulate_runner(params, duration_s=4.0, fps=60, seed=1)
        mid_y = 0.5 * (m.positions["left_hip"][:, 1] + m.positions["right_hip"][:, 1])
        np.testing.assert_allclose(mid_y, 0.0, atol=1e-3)          # no sideways shift
        truth = m.truth(far_camera("front"))
        ha = [s["hip_adduction_peak_deg"] for s in truth["stances"]]
        assert expected[0] < min(ha) and max(ha) < expected[1]
        assert truth["stances"][0]["model"]["hip_adduction_peak_deg"] is None
    with pytest.raises(SettingsError, match="drift"):
        simulate_runner(RunnerParams.make(drift={"hip_adduction_peak_deg": 2.0}), duration_s=2)
