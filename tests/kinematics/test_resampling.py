"""Frame times: even time grids for variable-frame-rate keypoints (kinematics.resampling)."""

import numpy as np
import pytest

from kneetrack.keypoints import Keypoints
from kneetrack.kinematics.resampling import (
    resample_to_times,
    resample_uniform,
    timing_error_frames,
    typical_interval_s,
    uniform_grid,
)


def _kp(t, f=lambda t: 100 * t):
    t = np.asarray(t, dtype=float)
    return Keypoints.from_arrays({"left_hip": np.column_stack([f(t), 2 * f(t)])}, fps=60,
                                 time_s=t)


def test_even_clips_are_left_alone():
    t = np.arange(120) / 60
    kp = _kp(t)
    assert timing_error_frames(t) == pytest.approx(0.0, abs=1e-9)
    assert resample_uniform(kp) is kp


def test_typical_interval_ignores_dropped_frames_and_slow_stretches():
    t = np.concatenate([np.arange(300) / 60, 5 + np.arange(100) / 30])
    assert typical_interval_s(t) == pytest.approx(1 / 60)
    jitter = np.arange(400) / 60 + np.random.default_rng(0).normal(0, 0.002, 400)
    assert typical_interval_s(np.sort(jitter)) == pytest.approx(1 / 60, rel=0.05)


def test_grid_keeps_frame_count_without_drops_and_adds_dropped_frames():
    rng = np.random.default_rng(1)
    t = np.arange(100) / 60 + rng.uniform(-0.003, 0.003, 100)
    t[0] = 0.0
    grid, fps = uniform_grid(t)
    assert grid.size == 100 and grid[0] == t[0] and grid[-1] == pytest.approx(t[-1])
    assert np.allclose(np.diff(grid), np.diff(grid)[0])
    dropped = np.delete(t, [30, 31, 60])
    grid2, fps2 = uniform_grid(dropped)
    assert grid2.size == 100 and fps2 == pytest.approx(fps)


def test_resample_to_times_interpolates_in_time():
    t = np.array([0.0, 0.02, 0.03, 0.07, 0.08])
    kp = _kp(t)
    out = resample_to_times(kp, np.array([0.0, 0.01, 0.03, 0.05, 0.08]))
    assert np.allclose(out["left_hip"][:, 0], [0.0, 1.0, 3.0, 5.0, 8.0])
    assert np.allclose(out.time_s, [0.0, 0.01, 0.03, 0.05, 0.08])
    # frame times hit exactly give the frame's own values and confidence
    conf = kp.confidence.copy()
    conf[2] = 0.5
    out = resample_to_times(kp.replace(confidence=conf), t)
    assert np.array_equal(out.xy, kp.xy) and out.confidence[2, 0] == 0.5


def test_resample_to_times_gaps_and_confidence():
    t = np.arange(20) / 60.0
    t = np.delete(t, [5, 6, 7, 12])          # three frames dropped, then one
    xy = np.column_stack([100 * t, 0 * t])
    xy[14] = np.nan                          # a missing point (frame 18)
    kp = Keypoints.from_arrays({"left_hip": xy}, fps=60, time_s=t)
    grid = np.arange(20) / 60.0
    out = resample_to_times(kp, grid, max_gap_s=0.1)
    x, c = out["left_hip"][:, 0], out.conf("left_hip")
    assert np.allclose(x[5:8], 100 * grid[5:8])     # 4 intervals = 67 ms: bridged ...
    assert (c[5:8] == 0).all()                      # ... but not observed (> 2 dropped)
    assert x[12] == pytest.approx(100 * grid[12]) and c[12] > 0   # one dropped: observed
    assert np.isnan(x[18]) and np.isfinite(x[[17, 19]]).all()
    between = resample_to_times(kp, np.array([17.5, 18.5]) / 60)["left_hip"][:, 0]
    assert np.isnan(between).all()                  # either side of the missing point
    short = resample_to_times(kp, grid, max_gap_s=0.04)
    assert np.isnan(short["left_hip"][5:8, 0]).all()   # a 50 ms hole > 40 ms stays missing


def test_resample_uniform_records_provenance():
    rng = np.random.default_rng(2)
    t = np.sort(np.arange(200) / 60 + rng.uniform(-0.004, 0.004, 200))
    t -= t[0]
    t = np.delete(t, [50, 120, 121])
    kp = _kp(t, lambda t: 50 * np.sin(2 * np.pi * t))
    out = resample_uniform(kp)
    step = out.provenance[-1]
    assert step.step == "resample_uniform"
    assert step.params["frames_in"] == 197 and step.params["frames_out"] == 200
    assert step.params["frames_added"] == 3
    assert out.fps == pytest.approx(60.0, rel=0.01)
    assert timing_error_frames(out.time_s) < 1e-6
    assert np.nanmax(np.abs(out["left_hip"][:, 0] - 50 * np.sin(2 * np.pi * out.time_s))) < 0.5
