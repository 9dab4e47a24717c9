"""Cleaning of raw pose-estimator keypoints before any measurement: the step functions.

:mod:`kneetrack.kinematics.cleaners` wraps each step as an object and chains
them (:func:`~kneetrack.kinematics.cleaners.running_chain`). Steps (each
recorded in :attr:`Keypoints.provenance`):

1. ``reject_low_confidence`` — points below a confidence floor become missing.
2. ``repair_swaps`` — left/right label swaps of the same body part are
   undone (BlazePose swaps legs 0.25–3×/s in running video; most swaps last
   1–26 frames, often the foot only): identity tracking of each leg in frontal
   views, where feet may really cross the midline
   (:mod:`kneetrack.kinematics.swaps`), trajectory continuity and segment
   consistency in side views.
3. ``reject_outliers`` — isolated jumps (a point far from the running median
   of its neighbours) become missing.
4. ``resample_uniform`` — only for uneven frame times (variable frame rate,
   dropped frames): the keypoints move onto an evenly spaced time grid
   (:mod:`kneetrack.kinematics.resampling`); later steps and stages then see
   even frames whose ``time_s`` and ``fps`` are the grid's.
5. ``fill_gaps`` — gaps up to ``max_gap_s`` are linearly interpolated in time
   (their confidence stays 0: not observed); longer gaps stay missing.
6. ``lowpass`` — zero-lag Butterworth (:mod:`kneetrack.kinematics.filtering`),
   on an even time grid.

Everything that spans time (gap lengths, filter cut-offs, swap continuity) is
measured in seconds from the frame times, not in frames.
"""

from __future__ import annotations

import numpy as np
from scipy.ndimage import median_filter

from kneetrack.core.arrays import FloatArray
from kneetrack.keypoints import Keypoints
from kneetrack.kinematics.filtering import butter_lowpass, default_cutoff_hz
from kneetrack.kinematics.resampling import (
    resample_to_times,
    resample_uniform,
    timing_error_frames,
    typical_interval_s,
    uniform_grid,
)
from kneetrack.kinematics.swaps import SIDED_PARTS, body_scale_px, repair_swaps

__all__ = ["EVEN_FRAMES_TOLERANCE", "SIDED_PARTS", "body_scale_px",
           "fill_gaps", "lowpass", "reject_low_confidence", "reject_outliers", "repair_swaps",
           "resample_uniform"]

#: Frame times within this fraction of a frame from even spacing count as even.
EVEN_FRAMES_TOLERANCE = 0.01


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
    With uneven frame times (variable frame rate) the window is counted in the
    clip's typical frame interval and the floor follows each frame's own
    intervals (a stretch at half rate gets the 30 fps floor).
    """
    even = timing_error_frames(kp.time_s) <= EVEN_FRAMES_TOLERANCE
    rate = kp.fps if even or kp.n_frames < 3 else 1.0 / typical_interval_s(kp.time_s)
    window_frames = max(3, int(round(window_s * rate)) | 1)
    if kp.n_frames < window_frames:
        return kp.replace(step="reject_outliers", params={"points_rejected": 0})
    scale = body_scale_px(kp)
    floor0 = min_fraction * scale if np.isfinite(scale) else 10.0
    if even:
        floor = np.full(kp.n_frames, floor0 * max(1.0, 60.0 / kp.fps) ** 2)
    else:
        dt = np.diff(kp.time_s)
        local = np.maximum(np.concatenate([[dt[0]], dt]), np.concatenate([dt, [dt[-1]]]))
        floor = floor0 * np.maximum(1.0, 60.0 * local) ** 2
    xy = kp.xy.copy()
    filled = _interp_all(xy, kp.time_s, max_gap_s=np.inf)
    med = median_filter(np.nan_to_num(filled), size=(window_frames, 1, 1), mode="nearest")
    res = np.hypot(*(xy - med).transpose(2, 0, 1))
    with np.errstate(invalid="ignore"):
        mad = np.nanmedian(res, axis=0) * 1.4826
        bad = res > np.maximum(k_mad * mad[None, :], floor[:, None])
    bad &= ~np.isnan(res)
    xy[bad] = np.nan
    return kp.replace(xy=xy, step="reject_outliers",
                      params={"window_frames": window_frames, "k_mad": k_mad,
                              "min_px": round(float(np.min(floor)), 2),
                              "points_rejected": int(bad.sum())})


def _interp_all(xy: FloatArray, time_s: FloatArray, *, max_gap_s: float) -> FloatArray:
    """Linearly interpolate, in time, NaN gaps of at most ``max_gap_s`` (per marker, per axis).

    A gap's length is the time it leaves unobserved: the interval between the
    frames around it less one typical frame interval. Up to half a frame of
    rounding is allowed, and a single missing frame is always bridged, so on
    evenly spaced frames this is "at most ``round(max_gap_s * fps)`` frames".
    """
    out = xy.copy()
    n = xy.shape[0]
    t = np.asarray(time_s, dtype=float)
    step = typical_interval_s(t) if n > 1 else 1.0
    limit = max(max_gap_s + 0.49 * step, step) + 1e-9
    idx = np.arange(n)
    for j in range(xy.shape[1]):
        valid = ~np.isnan(xy[:, j, 0])
        if valid.all() or valid.sum() < 2:
            continue
        vi = np.flatnonzero(valid)
        # The gap each missing frame belongs to: the valid frames around it.
        nxt = np.searchsorted(vi, idx)
        inside = (nxt > 0) & (nxt < len(vi)) & ~valid
        span = np.zeros(n)
        span[inside] = t[vi[nxt[inside]]] - t[vi[nxt[inside] - 1]] - step
        fill = inside & (span <= limit)
        for c in range(2):
            out[fill, j, c] = np.interp(t[fill], t[vi], xy[vi, j, c])
    return out


def fill_gaps(kp: Keypoints, *, max_gap_s: float = 0.1) -> Keypoints:
    """Linearly interpolate, in time, gaps up to ``max_gap_s``; longer gaps stay missing."""
    before = np.isnan(kp.xy[..., 0]).sum()
    xy = _interp_all(kp.xy, kp.time_s, max_gap_s=max_gap_s)
    # Filled points keep confidence 0: they were not observed (metrics at an instant
    # avoid them, see kneetrack.kinematics.metrics).
    conf = np.where(np.isnan(kp.xy[..., 0]) & ~np.isnan(xy[..., 0]), 0.0, kp.confidence)
    after = np.isnan(xy[..., 0]).sum()
    return kp.replace(xy=xy, confidence=conf, step="fill_gaps",
                      params={"max_gap_s": max_gap_s, "points_filled": int(before - after),
                              "in": "time"})


def lowpass(kp: Keypoints, *, cutoff_hz: float | None = None, order: int = 2) -> Keypoints:
    """Zero-lag Butterworth low-pass of every trajectory (cut-off from fps when ``None``).

    The filter needs evenly spaced samples: keypoints with uneven frame times are
    resampled onto an even time grid (:func:`~kneetrack.kinematics.resampling.uniform_grid`),
    filtered there and interpolated back to their own frame times.
    """
    params: dict[str, object] = {"filter": "butterworth zero-lag (filtfilt)", "order": order}
    if timing_error_frames(kp.time_s) <= EVEN_FRAMES_TOLERANCE or kp.n_frames < 3:
        fc = default_cutoff_hz(kp.fps) if cutoff_hz is None else float(cutoff_hz)
        xy = butter_lowpass(kp.xy, cutoff_hz=fc, fs_hz=kp.fps, order=order, axis=0)
    else:
        grid, fs = uniform_grid(kp.time_s)
        on_grid = resample_to_times(kp, grid, fps=fs)
        fc = default_cutoff_hz(fs) if cutoff_hz is None else float(cutoff_hz)
        smooth = on_grid.replace(xy=butter_lowpass(on_grid.xy, cutoff_hz=fc, fs_hz=fs,
                                                   order=order, axis=0))
        back = resample_to_times(smooth, kp.time_s).xy
        # next to a gap the grid has no neighbour on one side: keep the point unfiltered
        xy = np.where(np.isnan(back) & ~np.isnan(kp.xy), kp.xy, back)
        params["time_grid_fps"] = round(fs, 4)
    params["cutoff_hz"] = round(fc, 3)
    return kp.replace(xy=xy, step="lowpass", params=params)

