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

#: Body parts that exist on both sides and can be swapped by a pose estimator.
SIDED_PARTS = ("hip", "knee", "ankle", "heel", "toe", "small_toe")


def body_scale_px(kp: Keypoints) -> float:
    """A robust size of the person in pixels: median hip–ankle distance (NaN if unknown)."""
    d = []
    for side in ("left", "right"):
        if kp.has(f"{side}_hip") and kp.has(f"{side}_ankle"):
            d.append(np.hypot(*(kp[f"{side}_ankle"] - kp[f"{side}_hip"]).T))
    if not d:
        return float("nan")
    all_d = np.concatenate(d)
    all_d = all_d[np.isfinite(all_d)]
    return float(np.median(all_d)) if all_d.size else float("nan")


def reject_low_confidence(kp: Keypoints, *, min_confidence: float = 0.3) -> Keypoints:
    """Mark points whose confidence is below ``min_confidence`` as missing."""
    low = (kp.confidence < min_confidence) & ~np.isnan(kp.xy[..., 0])
    xy = kp.xy.copy()
    xy[low] = np.nan
    return kp.replace(xy=xy, step="reject_low_confidence",
                      params={"min_confidence": min_confidence, "points_rejected": int(low.sum())})


def _swap_state(a: np.ndarray, b: np.ndarray, *, ratio: float, min_px: float,
                max_frames: int) -> np.ndarray:
    """Boolean per frame: labels of ``a``/``b`` (frames, 2) are crossed there."""
    n = a.shape[0]
    state = np.zeros(n, dtype=bool)
    if n < 3:
        return state
    # One-frame swaps first (the commonest): the crossed labels sit much better on the
    # midpoint of the neighbouring frames. Fixed here, they cannot spoil the velocity
    # prediction that finds longer swaps below.
    ma = np.full_like(a, np.nan)
    mb = np.full_like(b, np.nan)
    ma[1:-1] = 0.5 * (a[:-2] + a[2:])
    mb[1:-1] = 0.5 * (b[:-2] + b[2:])
    d_keep = np.hypot(*(a - ma).T) + np.hypot(*(b - mb).T)
    d_cross = np.hypot(*(a - mb).T) + np.hypot(*(b - ma).T)
    with np.errstate(invalid="ignore"):
        single = np.nan_to_num((d_cross < ratio * d_keep) & (d_keep > min_px),
                               nan=False).astype(bool)
    if single.any():
        a, b = a.copy(), b.copy()
        a[single], b[single] = b[single].copy(), a[single].copy()
        state |= single
    # Constant-velocity prediction from the two previous frames (falls back to the previous one).
    pa = np.full_like(a, np.nan)
    pb = np.full_like(b, np.nan)
    pa[2:] = 2 * a[1:-1] - a[:-2]
    pb[2:] = 2 * b[1:-1] - b[:-2]
    pa[1:] = np.where(np.isnan(pa[1:]), a[:-1], pa[1:])
    pb[1:] = np.where(np.isnan(pb[1:]), b[:-1], pb[1:])

    def dist(x: np.ndarray, y: np.ndarray) -> np.ndarray:
        return np.hypot(*(x - y).T)

    keep = dist(a, pa) + dist(b, pb)
    cross = dist(a, pb) + dist(b, pa)
    with np.errstate(invalid="ignore"):
        event = np.nan_to_num((cross < ratio * keep) & (keep > min_px),
                              nan=False).astype(bool)
    idx = np.flatnonzero(event)
    # Pair events: a swap at i and its undo at j (j - i <= max_frames).
    k = 0
    while k < len(idx) - 1:
        i, j = idx[k], idx[k + 1]
        if j - i <= max_frames:
            state[i:j] ^= True
            k += 2
        else:
            k += 1
    return state


def _swap_rows(xy: np.ndarray, conf: np.ndarray, il: int, ir: int, rows: np.ndarray) -> None:
    xy[rows, il], xy[rows, ir] = xy[rows, ir].copy(), xy[rows, il].copy()
    conf[rows, il], conf[rows, ir] = conf[rows, ir].copy(), conf[rows, il].copy()


def _dist(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.hypot(*(a - b).T)


def repair_swaps(kp: Keypoints, *, view: str | None = None, max_swap_s: float = 0.5,
                 ratio: float = 0.5, min_jump_fraction: float = 0.08,
                 order_margin_fraction: float = 0.25) -> Keypoints:
    """Undo left/right label swaps, part by part.

    Three cues, strongest first:

    - **Frontal views** (``front``/``rear``): the knees and ankles keep their
      left/right order in the image. A part whose left–right image order is opposite to the
      hips' order, by more than ``order_margin_fraction`` of the hip width, is
      swapped back. (Crossover runners bring the feet *to* the midline, not
      past the other foot.)
    - **Continuity** (knees in side views, or any view when unknown): a frame
      where the crossed assignment continues both trajectories much better
      (``ratio``) than the labelled one starts a swap; the next such frame
      within ``max_swap_s`` ends it.
    - **Segment consistency**: in side views an ankle belongs to the knee whose
      shank length it keeps; a heel belongs to the nearer ankle, and so does a
      toe in side views (in frontal views toes may point across the midline
      and hide behind the foot, so they follow their heel); the better
      assignment must win by 4 % of the body scale, so noise does not flip it. This catches the
      foot-only swaps that leave the knee labelled correctly.

    Parameters
    ----------
    kp : Keypoints
        Input keypoints.
    view : str, optional
        Camera view if known; selects the cues.
    max_swap_s : float
        Longest swap that the continuity cue repairs.
    ratio : float
        Crossed/labelled error ratio that marks a swap (continuity and segment cues).
    min_jump_fraction : float
        Ignore frames whose labelled error is below this fraction of the body
        scale (hip–ankle distance).
    order_margin_fraction : float
        Frontal views: how far past each other (fraction of hip width) two
        points must be to count as swapped.
    """
    scale = body_scale_px(kp)
    min_px = (min_jump_fraction * scale) if np.isfinite(scale) else 10.0
    max_frames = max(1, int(round(max_swap_s * kp.fps)))
    xy = kp.xy.copy()
    conf = kp.confidence.copy()
    repaired: dict[str, int] = {}

    def cols(part: str) -> tuple[int, int] | None:
        left, right = f"left_{part}", f"right_{part}"
        if kp.has(left) and kp.has(right):
            return kp.index(left), kp.index(right)
        return None

    hips = cols("hip")
    if view in ("front", "rear") and hips is not None:
        hip_dx = xy[:, hips[0], 0] - xy[:, hips[1], 0]
        with np.errstate(all="ignore"):
            hip_sign = np.sign(np.nanmedian(hip_dx))
        hip_w = float(np.nanmedian(np.abs(hip_dx))) if np.isfinite(hip_dx).any() else 0.0
        margin = order_margin_fraction * hip_w
        for part in ("knee", "ankle"):
            c = cols(part)
            if c is None or hip_sign == 0:
                continue
            dx = (xy[:, c[0], 0] - xy[:, c[1], 0]) * hip_sign
            with np.errstate(invalid="ignore"):
                rows = dx < -margin
            if rows.any():
                _swap_rows(xy, conf, c[0], c[1], rows)
                repaired[part] = int(rows.sum())
    else:
        parts = ("hip", "knee") if view in ("side-left", "side-right") else SIDED_PARTS
        for part in parts:
            c = cols(part)
            if c is None:
                continue
            state = _swap_state(xy[:, c[0]], xy[:, c[1]], ratio=ratio, min_px=min_px,
                                max_frames=max_frames)
            if state.any():
                _swap_rows(xy, conf, c[0], c[1], state)
                repaired[part] = int(state.sum())
        knees, ankles = cols("knee"), cols("ankle")
        if view in ("side-left", "side-right") and knees is not None and ankles is not None:
            kl, kr = xy[:, knees[0]], xy[:, knees[1]]
            al, ar = xy[:, ankles[0]], xy[:, ankles[1]]
            shank = np.nanmedian(np.concatenate([_dist(kl, al), _dist(kr, ar)]))
            keep = np.abs(_dist(kl, al) - shank) + np.abs(_dist(kr, ar) - shank)
            cross = np.abs(_dist(kl, ar) - shank) + np.abs(_dist(kr, al) - shank)
            with np.errstate(invalid="ignore"):
                rows = (cross < ratio * keep) & (keep > 0.15 * shank)
            if rows.any():
                _swap_rows(xy, conf, ankles[0], ankles[1], rows)
                repaired["ankle_vs_knee"] = int(rows.sum())
    # Heels and toes belong to the nearer ankle (in every view: feet may point across
    # the midline, so their image order is no cue).
    ankles = cols("ankle")
    foot_margin = max(0.04 * scale, 6.0) if np.isfinite(scale) else 6.0
    heel_rows: np.ndarray | None = None
    for part in ("heel", "toe", "small_toe"):
        c = cols(part)
        if c is None or ankles is None:
            continue
        al, ar = xy[:, ankles[0]], xy[:, ankles[1]]
        pl, pr = xy[:, c[0]], xy[:, c[1]]
        if view in ("front", "rear") and part != "heel" and heel_rows is not None:
            # Toes may point across the midline in frontal views (and hide behind the
            # foot from the rear): they follow the heel's decision.
            rows = heel_rows
        else:
            keep = _dist(pl, al) + _dist(pr, ar)
            cross = _dist(pl, ar) + _dist(pr, al)
            with np.errstate(invalid="ignore"):
                rows = (keep - cross) > foot_margin
        if part == "heel":
            heel_rows = rows
        if rows.any():
            _swap_rows(xy, conf, c[0], c[1], rows)
            repaired[f"{part}_vs_ankle"] = int(rows.sum())
    return kp.replace(xy=xy, confidence=conf, step="repair_swaps",
                      params={"view": view, "max_swap_s": max_swap_s, "ratio": ratio,
                              "min_jump_px": round(float(min_px), 2),
                              "frames_repaired": repaired})


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
