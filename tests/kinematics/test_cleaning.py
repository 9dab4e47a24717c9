import numpy as np
import pytest

from kneetrack.keypoints import Keypoints
from kneetrack.kinematics.cleaners import clean_keypoints
from kneetrack.kinematics.cleaning import (
    fill_gaps,
    lowpass,
    reject_low_confidence,
    reject_outliers,
    repair_swaps,
)
from kneetrack.kinematics.filtering import butter_lowpass

from .helpers import TRIALS_60, trial_view


def _swap(kp: Keypoints, parts, start: int, length: int) -> Keypoints:
    xy = kp.xy.copy()
    for p in parts:
        i, j = kp.index(f"left_{p}"), kp.index(f"right_{p}")
        seg = slice(start, start + length)
        xy[seg, i], xy[seg, j] = xy[seg, j].copy(), xy[seg, i].copy()
    return kp.replace(xy=xy)


@pytest.mark.parametrize("name", TRIALS_60)
def test_swaps_are_repaired_on_real_runners(load_trial, name):
    kp, _ = load_trial(name)
    kp = kp.slice_frames(0, 600)
    bad = kp
    swaps = [(["ankle", "heel", "toe"], 40, 3), (["knee", "ankle", "heel", "toe"], 130, 12),
             (["heel", "toe"], 250, 2), (["ankle", "heel", "toe"], 400, 24)]
    for parts, start, length in swaps:
        bad = _swap(bad, parts, start, length)
    fixed = repair_swaps(bad, view=trial_view(name))
    cols = [kp.index(f"{s}_{p}") for s in ("left", "right") for p in ("knee", "ankle", "heel")]
    err_before = np.nanmax(np.abs(bad.xy[:, cols] - kp.xy[:, cols]))
    err_after = np.abs(fixed.xy[:, cols] - kp.xy[:, cols])
    assert err_before > 50
    # Every swapped frame is restored, except where the two points nearly coincide
    # (feet passing each other), where a wrong label costs little.
    wrong = (np.nanmax(err_after, axis=(1, 2)) > 20.0).sum()
    assert wrong <= 2, f"{wrong} frames still swapped"
    changed = (np.nanmax(np.abs(fixed.xy - bad.xy), axis=(1, 2)) > 1e-6).sum()
    assert changed <= 41 + 6   # 41 frames were swapped; few false repairs
    assert fixed.provenance[-1].step == "repair_swaps"


def test_clean_chain_logs_every_step_and_fills_short_gaps_only():
    n = 200
    t = np.arange(n) / 60
    def traj(k: int, side: str) -> np.ndarray:
        x = 500 + 50 * np.sin(2 * np.pi * t + k) + (100 if side == "left" else 0)
        return np.stack([x, 400 + 100 * k + 10 * np.cos(2 * np.pi * t)], axis=1)

    arrays = {f"{s}_{p}": traj(k, s)
              for k, p in enumerate(("hip", "knee", "ankle")) for s in ("left", "right")}
    arrays["left_knee"][50:53] = np.nan      # short gap: filled
    arrays["left_knee"][100:140] = np.nan    # long gap: kept
    kp = Keypoints.from_arrays(arrays, fps=60)
    out = clean_keypoints(kp)
    steps = [p.step for p in out.provenance]
    assert steps == ["reject_low_confidence", "repair_swaps", "reject_outliers", "fill_gaps",
                     "lowpass"]
    knee = out["left_knee"]
    assert np.isfinite(knee[50:53]).all()
    assert np.isnan(knee[100:140]).all()
    # Interpolated values lie on the true (smooth) curve.
    truth = kp["left_knee"].copy()
    assert np.allclose(fill_gaps(kp)["left_knee"][51], traj(1, "left")[51], atol=1.0)
    assert np.isnan(truth[51]).all()


def test_low_confidence_and_outliers_rejected():
    n = 120
    rng = np.random.default_rng(3)
    arrays = {m: np.array(v, float) + rng.normal(0, 1.0, (n, 2)) for m, v in {
        "left_hip": [600, 400], "right_hip": [500, 400], "left_knee": [600, 600],
        "right_knee": [500, 600], "left_ankle": [600, 800], "right_ankle": [500, 800]}.items()}
    arrays["left_ankle"][60] += [0, -150]                  # a single-frame jump
    conf = {m: np.ones(n) for m in arrays}
    conf["right_knee"][10:15] = 0.1
    kp = Keypoints.from_arrays(arrays, fps=60, confidence=conf)
    low = reject_low_confidence(kp, min_confidence=0.3)
    assert np.isnan(low["right_knee"][10:15]).all()
    assert low.provenance[-1].params["points_rejected"] == 5
    out = reject_outliers(kp)
    assert np.isnan(out["left_ankle"][60]).all()
    assert out.provenance[-1].params["points_rejected"] <= 3


def test_gap_length_is_measured_in_time():
    # 30 fps stretch in a 60 fps clip: three missing frames there leave 133 ms unobserved
    # (> 0.1 s: kept missing); three missing frames at 60 fps leave 67 ms (filled).
    t = np.concatenate([np.arange(60) / 60, 1.0 + np.arange(60) / 30])
    x = 100 * t
    xy = np.column_stack([x, x])
    xy[20:23] = np.nan
    xy[90:93] = np.nan
    kp = Keypoints.from_arrays({"left_knee": xy}, fps=60, time_s=t)
    out = fill_gaps(kp, max_gap_s=0.1)["left_knee"][:, 0]
    assert np.allclose(out[20:23], x[20:23])          # interpolated in time: exact on a line
    assert np.isnan(out[90:93]).all()


def test_lowpass_on_uneven_times_filters_in_time():
    # A 1.5 Hz sine sampled at uneven times (60 fps with 3 ms jitter and a half-rate
    # stretch): filtering on a time grid keeps it; filtering the samples as if they were
    # evenly spaced at 60 fps would distort it where the rate halves.
    rng = np.random.default_rng(4)
    t = np.concatenate([np.arange(240) / 60, 4.0 + np.arange(120) / 30, 8.0 + np.arange(120) / 60])
    t = t + rng.uniform(-0.003, 0.003, t.size)
    t.sort()
    x = 50 * np.sin(2 * np.pi * 1.5 * t)
    kp = Keypoints.from_arrays({"left_knee": np.column_stack([x, x])}, fps=60, time_s=t)
    out = lowpass(kp, cutoff_hz=6.0)
    assert out.n_frames == kp.n_frames and np.array_equal(out.time_s, kp.time_s)
    assert out.provenance[-1].params["time_grid_fps"] == pytest.approx(60.0, rel=0.02)
    inner = slice(20, -20)
    assert np.max(np.abs(out["left_knee"][inner, 0] - x[inner])) < 1.0
    # the same filter on the frame index flattens the half-rate stretch (3 Hz "seen" there)
    naive = butter_lowpass(x, cutoff_hz=6.0, fs_hz=60.0)
    assert np.max(np.abs(naive[inner] - x[inner])) > 3.0


def test_clean_chain_resamples_uneven_frames_only():
    n = 200
    t = np.arange(n) / 60
    arrays = {f"{s}_{p}": np.column_stack([500 + 50 * np.sin(2 * np.pi * t + k), 400 + 100 * k
                                           + 0 * t])
              for k, p in enumerate(("hip", "knee", "ankle")) for s in ("left", "right")}
    even = Keypoints.from_arrays(arrays, fps=60)
    assert "resample_uniform" not in [p.step for p in clean_keypoints(even).provenance]
    keep = np.ones(n, bool)
    keep[[40, 41, 100]] = False
    uneven = even.replace(xy=even.xy[keep], confidence=even.confidence[keep],
                          time_s=even.time_s[keep])
    out = clean_keypoints(uneven)
    assert [p.step for p in out.provenance][-4:] == ["reject_outliers", "resample_uniform",
                                                     "fill_gaps", "lowpass"]
    assert out.n_frames == n and np.allclose(out.time_s, t)
    assert np.allclose(out["left_knee"], clean_keypoints(even)["left_knee"], atol=0.5)


def test_outlier_floor_follows_each_frames_interval():
    # A side-view runner with a 4 s stretch at half rate (variable frame rate): feet move
    # twice as far between those frames, which is not a jump. A real jump is still caught.
    from kneetrack_synthetic.camera import Camera
    from kneetrack_synthetic.runner import RunnerParams, simulate_runner

    motion = simulate_runner(RunnerParams.make(), duration_s=10.0, fps=60.0, seed=3,
                             frame_jitter_ms=2.0)
    kp = motion.to_keypoints(Camera("side-right"), noise_px=1.5, seed=4)
    keep = np.ones(kp.n_frames, bool)
    keep[240:480:2] = False
    xy = kp.xy[keep].copy()
    i = kp.index("left_knee")
    xy[100, i] += [0, -150]                          # one real jump (60 fps part)
    xy[300, i] += [0, -150]                          # and one in the half-rate stretch
    vfr = kp.replace(xy=xy, confidence=kp.confidence[keep], time_s=kp.time_s[keep])
    out = reject_outliers(vfr)
    assert np.isnan(out["left_knee"][[100, 300]]).all()
    assert out.provenance[-1].params["points_rejected"] <= 4
