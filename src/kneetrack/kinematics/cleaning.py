"""Cleaning of raw pose-estimator keypoints before any measurement.

Steps (each recorded in :attr:`Keypoints.provenance`):

1. ``reject_low_confidence`` — points below a confidence floor become missing.
2. ``repair_swaps`` — left/right label swaps of the same body part are
   undone (BlazePose swaps legs 0.25–3×/s in running video; most swaps last
   1–26 frames, often the foot only): image order of the legs in frontal
   views, trajectory continuity and segment consistency in side views (see
   :func:`repair_swaps`).
3. ``reject_outliers`` — isolated jumps (a point far from the running median
   of its neighbours) become missing.
4. ``fill_gaps`` — gaps up to ``max_gap_s`` are linearly interpolated (their
   confidence stays 0: not observed); longer gaps stay missing.
5. ``lowpass`` — zero-lag Butterworth (:mod:`kneetrack.kinematics.filtering`).
"""

from __future__ import annotations

import numpy as np
from scipy.ndimage import median_filter

from kneetrack.keypoints import Keypoints
from kneetrack.kinematics.filtering import butter_lowpass, default_cutoff_hz
from kneetrack.kinematics.swaps import SIDED_PARTS, body_scale_px, repair_swaps

__all__ = ["SIDED_PARTS", "body_scale_px", "clean_keypoints", "fill_gaps", "lowpass",
           "reject_low_confidence", "reject_outliers", "repair_swaps"]

def reject_low_confidence(kp: Keypoints, *, min_confidence: float = 0.3) -> Keypoints:
    """Mark points whose confidence is below ``min_confidence`` as missing."""
    low = (kp.confidence < min_confidence) & ~np.isnan(kp.xy[..., 0])
    xy = kp.xy.copy()
    xy[low] = np.nan
    return kp.replace(xy=xy, step="reject_low_confidence",
                      params={"min_confidence": min_confidence, "points_rejected": int(low.sum())})


def reject_outliers(kp: Keypoints, *, window_s: float = 0.07, k_mad: float = 6.0,
                    min_fraction: float = 0.05) -> Keypoints:
    """Mark isolated jumps as missing.

    A point is an outlier when it is further from the running median of its
    neighbourhood (``window_s``, at least 3 frames, odd) than ``k_mad`` robust
    standard deviations of that marker's residuals *and* than ``min_fraction``
    of the body scale. Below 60 fps the floor grows with the frame interval:
    a foot landing at 30 fps legitimately moves far from its neighbours' median.
    """
    window_frames = max(3, int(round(window_s * kp.fps)) | 1)
    if kp.n_frames < window_frames:
        return kp.replace(step="reject_outliers", params={"points_rejected": 0})
    scale = body_scale_px(kp)
    floor = min_fraction * scale if np.isfinite(scale) else 10.0
    floor *= max(1.0, 60.0 / kp.fps) ** 2
    xy = kp.xy.copy()
    filled = _interp_all(xy, max_gap=kp.n_frames)
    med = median_filter(np.nan_to_num(filled), size=(window_frames, 1, 1), mode="nearest")
    res = np.hypot(*(xy - med).transpose(2, 0, 1))
    with np.errstate(invalid="ignore"):
        mad = np.nanmedian(res, axis=0) * 1.4826
        bad = (res > np.maximum(k_mad * mad, floor)[None, :])
    bad &= ~np.isnan(res)
    xy[bad] = np.nan
    return kp.replace(xy=xy, step="reject_outliers",
                      params={"window_frames": window_frames, "k_mad": k_mad,
                              "min_px": round(float(floor), 2), "points_rejected": int(bad.sum())})


def _interp_all(xy: np.ndarray, *, max_gap: int) -> np.ndarray:
    """Linearly interpolate NaN gaps of at most ``max_gap`` frames (per marker, per axis)."""
    out = xy.copy()
    n = xy.shape[0]
    idx = np.arange(n)
    for j in range(xy.shape[1]):
        valid = ~np.isnan(xy[:, j, 0])
        if valid.all() or valid.sum() < 2:
            continue
        vi = np.flatnonzero(valid)
        # Length of the gap each missing frame belongs to.
        nxt = np.searchsorted(vi, idx)
        inside = (nxt > 0) & (nxt < len(vi)) & ~valid
        gap_len = np.zeros(n, dtype=int)
        gap_len[inside] = vi[nxt[inside]] - vi[nxt[inside] - 1] - 1
        fill = inside & (gap_len <= max_gap)
        for c in range(2):
            out[fill, j, c] = np.interp(idx[fill], vi, xy[vi, j, c])
    return out


def fill_gaps(kp: Keypoints, *, max_gap_s: float = 0.1) -> Keypoints:
    """Linearly interpolate gaps up to ``max_gap_s``; longer gaps stay missing."""
    max_gap = max(1, int(round(max_gap_s * kp.fps)))
    before = np.isnan(kp.xy[..., 0]).sum()
    xy = _interp_all(kp.xy, max_gap=max_gap)
    # Filled points keep confidence 0: they were not observed (metrics at an instant
    # avoid them, see kneetrack.kinematics.metrics).
    conf = np.where(np.isnan(kp.xy[..., 0]) & ~np.isnan(xy[..., 0]), 0.0, kp.confidence)
    after = np.isnan(xy[..., 0]).sum()
    return kp.replace(xy=xy, confidence=conf, step="fill_gaps",
                      params={"max_gap_s": max_gap_s, "points_filled": int(before - after)})


def lowpass(kp: Keypoints, *, cutoff_hz: float | None = None, order: int = 2) -> Keypoints:
    """Zero-lag Butterworth low-pass of every trajectory (cut-off from fps when ``None``)."""
    fc = default_cutoff_hz(kp.fps) if cutoff_hz is None else float(cutoff_hz)
    xy = butter_lowpass(kp.xy, cutoff_hz=fc, fs_hz=kp.fps, order=order, axis=0)
    return kp.replace(xy=xy, step="lowpass",
                      params={"filter": "butterworth zero-lag (filtfilt)", "order": order,
                              "cutoff_hz": round(fc, 3)})


def clean_keypoints(kp: Keypoints, *, view: str | None = None, min_confidence: float = 0.3,
                    max_gap_s: float = 0.1, cutoff_hz: float | None = None, repair: bool = True,
                    filter_signal: bool = True) -> Keypoints:
    """Run the full cleaning chain (see module docstring) and return new keypoints.

    ``view`` (if known) selects the swap-repair cues (:func:`repair_swaps`).
    """
    out = reject_low_confidence(kp, min_confidence=min_confidence)
    if repair:
        out = repair_swaps(out, view=view)
    out = reject_outliers(out)
    out = fill_gaps(out, max_gap_s=max_gap_s)
    if filter_signal:
        out = lowpass(out, cutoff_hz=cutoff_hz)
    return out
