"""Helpers for the kinematics tests: trial names, contact matching, pose-failure injection."""

from __future__ import annotations

import numpy as np

from kneetrack.keypoints import Keypoints

TRIALS_60 = [
    "fukuchi2017_rbds001_t35_60fps_front", "fukuchi2017_rbds001_t35_60fps_rear",
    "fukuchi2017_rbds001_t35_60fps_side-left", "fukuchi2017_rbds001_t35_60fps_side-right",
    "hamner2010_s02_60fps_front", "hamner2010_s02_60fps_rear",
    "hamner2010_s02_60fps_side-left", "hamner2010_s02_60fps_side-right",
]
TRIALS_150 = [
    "fukuchi2017_rbds001_t35_150fps_front", "fukuchi2017_rbds001_t35_150fps_rear",
    "fukuchi2017_rbds001_t35_150fps_side-left", "fukuchi2017_rbds001_t35_150fps_side-right",
]
ALL_TRIALS = TRIALS_60 + TRIALS_150


def trial_view(name: str) -> str:
    return name.rsplit("_", 1)[1]


def match_contacts(est: dict[str, np.ndarray], truth: dict, *, tol_s: float = 0.1):
    """Match estimated contacts to force-plate contacts per leg.

    Returns (errors_ms, found_fraction, spurious_fraction).
    """
    errors, found, total, spurious, n_est = [], 0, 0, 0, 0
    for leg in ("left", "right"):
        t_true = np.array([s["contact_s"] for s in truth["stances"] if s["leg"] == leg])
        t_est = np.asarray(est[leg], dtype=float)
        n_est += t_est.size
        for tc in t_true:
            total += 1
            if t_est.size and np.min(np.abs(t_est - tc)) < tol_s:
                found += 1
                errors.append(1000 * (t_est[np.argmin(np.abs(t_est - tc))] - tc))
        spurious += int(sum(1 for e in t_est if t_true.size == 0
                            or np.min(np.abs(t_true - e)) >= tol_s))
    return np.array(errors), found / max(total, 1), spurious / max(n_est, 1)


def corrupt(kp: Keypoints, rng: np.random.Generator, *, noise_px: float = 3.0,
            swaps_per_s: float = 1.0, dropout: float = 0.05) -> Keypoints:
    """Add BlazePose-like failures: jitter, short L/R swaps (often the foot only), dropouts."""
    xy = kp.xy.copy()
    names = kp.markers
    n = len(xy)
    xy += rng.normal(0.0, noise_px, xy.shape)
    for _ in range(int(swaps_per_s * kp.duration_s)):
        start = int(rng.integers(0, n - 30))
        length = int(rng.choice([1, 2, 3, 4, 8, 15, 24]))
        parts = ["ankle", "heel", "toe"] if rng.random() < 0.5 else ["knee", "ankle", "heel", "toe"]
        for p in parts:
            i, j = names.index(f"left_{p}"), names.index(f"right_{p}")
            seg = slice(start, start + length)
            xy[seg, i], xy[seg, j] = xy[seg, j].copy(), xy[seg, i].copy()
    xy[rng.random((n, len(names))) < dropout] = np.nan
    conf = np.where(np.isnan(xy[..., 0]), 0.0, 0.9)
    return kp.replace(xy=xy, confidence=conf, step="test_corrupt",
                      params={"noise_px": noise_px, "swaps_per_s": swaps_per_s})
