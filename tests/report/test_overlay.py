"""The overlay plan: keypoints, stances and angles turned into what each frame shows."""

from __future__ import annotations

import numpy as np
import pytest

from kneetrack.keypoints import Keypoints
from kneetrack.report.overlay import (
    frame_series,
    head_region,
    head_regions,
    hold_faces,
    nearest_rows,
    peak_valgus_frame,
    plan_overlay,
)


def test_face_region_from_head_points_and_fallback():
    n = 3
    pts = {"left_shoulder": (120.0, 100.0), "right_shoulder": (80.0, 100.0),
           "left_hip": (115.0, 200.0), "right_hip": (85.0, 200.0),
           "left_knee": (115.0, 260.0), "right_knee": (85.0, 260.0),
           "left_ankle": (115.0, 320.0), "right_ankle": (85.0, 320.0)}
    arrays = {m: np.tile(np.array(p), (n, 1)) for m, p in pts.items()}
    arrays["nose"] = np.array([[100.0, 50.0], [np.nan, np.nan], [np.nan, np.nan]])
    kp = Keypoints.from_arrays(arrays, fps=30)
    x, y, r = head_region(kp, 0)
    assert (x, y) == (100.0, 50.0)
    assert r >= 0.33 * 100  # at least a third of the torso length
    x, y, r = head_region(kp, 1)  # no face points: above the shoulders
    assert x == pytest.approx(100.0) and y < 100.0


def test_frame_series_resamples_by_time():
    s = {"time_s": np.arange(10) / 10.0, "left_fppa_deg": np.arange(10.0), "hip_width_px": [1] * 10}
    out = frame_series(s, np.array([0.0, 0.31, 0.5, 5.0]))
    assert "hip_width_px" not in out
    np.testing.assert_array_equal(out["left_fppa_deg"][:3], [0.0, 3.0, 5.0])
    assert np.isnan(out["left_fppa_deg"][3])  # far outside the series


def test_peak_falls_back_to_hip_adduction():
    t = np.arange(20) / 10.0
    values = {"left_hip_adduction_deg": np.where(np.arange(20) == 7, 12.0, 3.0)}
    analysis = {"stances": [{"leg": "left", "contact_s": 0.5, "toe_off_s": 0.9,
                             "fppa_peak_deg": None, "hip_adduction_peak_deg": 12.0}]}
    assert peak_valgus_frame(analysis, values, t) == (7, "left", "hip_adduction_deg", 12.0)
    assert peak_valgus_frame({"stances": []}, values, t) is None


def test_nearest_rows_within_tolerance():
    t = np.arange(5) / 10.0
    got = nearest_rows(t, np.array([0.0, 0.13, 0.17, 0.45, -0.03]), tol_s=0.04)
    np.testing.assert_array_equal(got, [0, 1, 2, -1, 0])
    assert (nearest_rows(np.array([]), np.array([0.1]), tol_s=1) == -1).all()


def test_face_disc_is_held_briefly_when_points_drop_out():
    faces = np.full((10, 3), np.nan)
    faces[2] = (50, 40, 12)
    t = np.arange(10) / 10.0
    held = hold_faces(faces, t, 0.25)
    np.testing.assert_array_equal(held[2:5], [(50, 40, 12)] * 3)
    assert np.isnan(held[[0, 1, 5, 9]]).all()


def _kp(n: int = 30, fps: float = 30.0) -> Keypoints:
    pts = {"nose": (100, 40), "left_eye": (104, 36), "right_eye": (96, 36),
           "left_shoulder": (120, 80), "right_shoulder": (80, 80),
           "left_hip": (115, 160), "right_hip": (85, 160), "left_knee": (115, 220),
           "right_knee": (85, 220), "left_ankle": (115, 280), "right_ankle": (85, 280)}
    return Keypoints.from_arrays({m: np.tile(np.array(p, float), (n, 1)) for m, p in pts.items()},
                                 fps=fps, image_size=(200, 320))


def test_head_regions_match_the_single_frame_rule():
    kp = _kp(3)
    regs = head_regions(kp)
    assert regs.shape == (3, 3)
    np.testing.assert_allclose(regs[0], head_region(kp, 0))
    assert regs[0, 2] >= 0.33 * 80  # a third of the torso length at least


def test_plan_maps_frames_scales_and_flags_stances_and_peak():
    kp = _kp(30)
    t = np.arange(30) / 30.0
    fppa = np.full(30, 4.0)
    fppa[12] = 14.0
    series = {"time_s": t, "left_fppa_deg": fppa, "right_hip_adduction_deg": np.full(30, 7.0)}
    analysis = {"stances": [{"leg": "left", "contact_s": 10 / 30, "toe_off_s": 20 / 30,
                             "fppa_peak_deg": 14.0}]}
    plan = plan_overlay(kp, analysis, series, t, scale=0.5, fps=30, highlight_s=0.05)
    assert plan.n == 30 and plan.xy.shape == (30, len(kp.markers), 2)
    knee = kp.markers.index("left_knee")
    np.testing.assert_allclose(plan.xy[0, knee], (57.5, 110.0))
    assert plan.stance[:, 0].sum() == 11 and not plan.stance[:, 1].any()
    assert np.flatnonzero(plan.contact[:, 0]).tolist() == [10]
    assert plan.peak_info[:3] == (12, "left", "fppa_deg")
    assert np.flatnonzero(plan.peak == 2).tolist() == [12]
    assert set(np.flatnonzero(plan.peak).tolist()) == {11, 12, 13}
    assert [k for k, _ in plan.shown] == ["fppa_deg", "hip_adduction_deg"]
    assert np.isfinite(plan.face).all()
    part = plan.take(10, 20)
    assert part.first == 10 and part.n == 10 and part.peak[2] == 2


def test_plan_of_a_longer_video_matches_frames_by_time():
    kp = _kp(20)
    frame_t = np.arange(30) / 30.0  # the video goes on after the keypoints end
    plan = plan_overlay(kp, {}, None, frame_t, scale=1.0, fps=30, blur_faces=False)
    assert plan.n == 30
    assert np.isfinite(plan.xy[:20]).all() and np.isnan(plan.xy[21:]).all()
    assert np.isnan(plan.time_s[25]) and np.isnan(plan.face).all()
    assert plan.peak_info is None and not plan.peak.any()
