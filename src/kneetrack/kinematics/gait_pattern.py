"""Gait-pattern and body-proportion measures for the plausibility gate.

Plain functions over cleaned keypoints: how much the pelvis bounces, whether
it is lowest (running) or highest (walking) at mid-stance, how the body's
image size changes, and ratios of the body that no pose changes (hip width,
trunk length, shank-length spread), and the pelvis's fall in flight
(:func:`flight_gravity`), which gives the clip's time scale.
:mod:`kneetrack.kinematics.plausibility` judges them.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

from kneetrack.core.peaks import find_peaks
from kneetrack.core.views import SAGITTAL_VIEWS
from kneetrack.keypoints import Keypoints
from kneetrack.kinematics.filtering import butter_lowpass, nanmean_rows
from kneetrack.kinematics.identity import leg_scale_px

#: Standard gravity (m/s²).
G_MS2 = 9.80665


def _foot_y(kp: Keypoints, leg: str) -> NDArray[Any]:
    cols = [kp[f"{leg}_{p}"][:, 1] for p in ("ankle", "heel", "toe") if kp.has(f"{leg}_{p}")]
    return nanmean_rows(np.stack(cols))


def _seg_len(kp: Keypoints, a: str, b: str) -> NDArray[Any]:
    if not (kp.has(a) and kp.has(b)):
        return np.full(kp.n_frames, np.nan)
    return np.asarray(np.hypot(*(kp[b] - kp[a]).T))


def leg_length_px(kp: Keypoints) -> float:
    """Median thigh + shank length of the better-tracked leg (px; NaN if unknown)."""
    best = float("nan")
    for side in ("left", "right"):
        total = (_seg_len(kp, f"{side}_hip", f"{side}_knee")
                 + _seg_len(kp, f"{side}_knee", f"{side}_ankle"))
        if np.isfinite(total).any():
            best = float(np.nanmax([best, float(np.nanpercentile(total, 75))]))
    return best


def _side_midstances(kp: Keypoints, tt_idx: NDArray[Any], pel_x: NDArray[Any], d: NDArray[Any], *,
                     cutoff_hz: float) -> NDArray[Any]:
    """Side views: frames where a foot passes under the pelvis while it is the lower foot.

    ``pel_x`` and ``d`` (left − right foot image row) are gap-free over the
    frames ``tt_idx``; returns indices into them.
    """
    out: list[int] = []
    t = np.asarray(kp.time_s, dtype=float)
    for sign, leg in ((1.0, "left"), (-1.0, "right")):
        if not kp.has(f"{leg}_ankle"):
            continue
        ax = kp[f"{leg}_ankle"][:, 0]
        ok = np.isfinite(ax)
        if ok.sum() < 10:
            continue
        h = np.interp(t[tt_idx], t[ok], ax[ok]) - pel_x
        h = butter_lowpass(h, cutoff_hz=cutoff_hz, fs_hz=kp.fps)
        cross = np.flatnonzero(np.sign(h[:-1]) != np.sign(h[1:]))
        out += [int(i) for i in cross if sign * d[i] > 0]    # this foot is the lower one
    return np.array(sorted(out), dtype=int)


def gait_pattern(kp: Keypoints, *, cadence_spm: float | None,
                 view: str | None = None) -> dict[str, float | None]:
    """Measures of a bouncing (running) vs a vaulting (walking) gait.

    Parameters
    ----------
    kp : Keypoints
        Cleaned keypoints.
    cadence_spm : float or None
        The detected cadence (sets the step length of the search).
    view : str, optional
        Side views find mid-stance where the lower foot passes under the
        pelvis; other views where the feet's image heights differ most.

    Returns
    -------
    dict
        ``vertical_oscillation`` (5–95 % range of the detrended mid-hip height
        / leg length), ``midstance_drop`` (mean detrended mid-hip image row at
        mid-stance / leg length: + = pelvis lowest at mid-stance, as in
        running; − = highest, as in walking) and ``scale_change`` (90th / 10th
        percentile of the body's size in the image: well above 1 when the
        runner approaches or recedes). ``None`` where unknown.

    Notes
    -----
    Mid-stance is taken from the feet, not from the contact detector, whose
    timing comes from the pelvis: the comparison would be circular. The
    stance/step ratio (flight) is not used for the same reason. From the side,
    the feet's height difference peaks with the swing foot's highest point,
    which drifts away from mid-stance with cadence; the foot passing under the
    pelvis does not.
    """
    out: dict[str, float | None] = {"vertical_oscillation": None, "midstance_drop": None,
                                    "scale_change": None}
    scale = leg_scale_px(kp)
    scale = scale[np.isfinite(scale)]
    if scale.size >= 10:
        out["scale_change"] = float(np.percentile(scale, 90) / np.percentile(scale, 10))
    if not cadence_spm or not np.isfinite(cadence_spm) or cadence_spm <= 0:
        return out
    step_s = 60.0 / cadence_spm
    leg = leg_length_px(kp)
    hips = [kp[m] for m in ("left_hip", "right_hip") if kp.has(m)]
    if not hips or not np.isfinite(leg) or leg <= 0:
        return out
    t = np.asarray(kp.time_s, dtype=float)
    pel_y = nanmean_rows(np.stack([h[:, 1] for h in hips]))
    d = _foot_y(kp, "left") - _foot_y(kp, "right")
    ok = np.isfinite(pel_y) & np.isfinite(d)
    if ok.sum() < max(10, 3 * step_s * kp.fps):
        return out
    # one evenly sampled, gap-free series: interpolate over short gaps, keep the tracked span
    lo, hi = np.flatnonzero(ok)[[0, -1]]
    tt = t[lo:hi + 1]
    py = np.interp(tt, t[ok], pel_y[ok])
    dd = np.interp(tt, t[ok], d[ok])
    fs = kp.fps
    dd = butter_lowpass(dd - np.median(dd), cutoff_hz=min(2.5 / step_s, 0.4 * fs), fs_hz=fs)
    # detrend the pelvis over one stride (walking toward the camera, a panning camera)
    w = max(3, int(round(2 * step_s * fs)))
    trend = np.convolve(np.pad(py, (w // 2, w - 1 - w // 2), mode="edge"), np.ones(w) / w,
                        mode="valid")
    yd = py - trend
    out["vertical_oscillation"] = float(np.percentile(yd, 95) - np.percentile(yd, 5)) / leg
    if view in SAGITTAL_VIEWS:
        pel_x = nanmean_rows(np.stack([h[:, 0] for h in hips]))
        okx = np.isfinite(pel_x)
        px = np.interp(tt, t[okx], pel_x[okx])
        peaks = _side_midstances(kp, np.arange(lo, hi + 1), px, dd,
                                 cutoff_hz=min(2.5 / step_s, 0.4 * fs))
    else:
        dist = max(1, int(round(0.6 * step_s * fs)))
        peaks, _ = find_peaks(np.abs(dd), distance=dist, prominence=0.25 * float(np.std(dd)))
    if peaks.size >= 3:
        out["midstance_drop"] = float(np.mean(yd[peaks])) / leg
    return out


def pelvis_low_phase(kp: Keypoints, contacts_s: list[float], *,
                     min_steps: int = 4) -> float | None:
    """When in the step the pelvis is lowest: a fraction of the step after each contact.

    Running bounces: the pelvis is lowest at mid-stance, a third to half of a
    step after contact (on the shared runners and the spring-mass runners,
    0.31-0.41). Walking vaults over a stiff leg: the pelvis is highest at
    mid-stance and lowest in double support, just after contact (synthetic
    walkers: 0.11-0.17). The phase is that of the step-frequency component of
    the mid-hip's image height over the steps between consecutive contacts
    (each step's mean removed, so a runner approaching or receding does not
    move it). It needs only the contact times, which come from the feet, and
    holds in every view, the front included, where a foot's image row cannot
    tell height from distance. Time-scale free: a slowed clip keeps its phase.

    Returns
    -------
    float or None
        Phase in [0, 1), ``None`` with fewer than ``min_steps`` usable steps.
    """
    hips = [kp[m][:, 1] for m in ("left_hip", "right_hip") if kp.has(m)]
    c = np.sort(np.array([x for x in contacts_s if np.isfinite(x)]))
    if not hips or c.size < min_steps + 1:
        return None
    py = nanmean_rows(np.stack(hips))
    t = np.asarray(kp.time_s, dtype=float)
    step = float(np.median(np.diff(c)))
    z = 0j
    n = 0
    for a, b in zip(c[:-1], c[1:], strict=False):
        sel = (t >= a) & (t < b) & np.isfinite(py)
        if b - a > 1.5 * step or sel.sum() < 3:
            continue                      # a missed contact or a tracking gap
        ph = (t[sel] - a) / (b - a)
        y = py[sel] - float(np.mean(py[sel]))        # image rows: + = lower
        z += complex(np.mean(y * np.exp(-2j * np.pi * ph)))
        n += 1
    if n < min_steps or z == 0:
        return None
    return float((-np.angle(z) / (2 * np.pi)) % 1.0)


def body_proportions(kp: Keypoints) -> dict[str, float | None]:
    """Ratios of the body that do not depend on the pose: hip width, trunk, shank spread.

    Returns
    -------
    dict
        ``hip_width_legs`` (median hip-joint distance / leg length),
        ``trunk_legs`` (mid-shoulder to mid-hip / leg length) and
        ``shank_spread`` (90th / 10th percentile of the shank length).
    """
    leg = leg_length_px(kp)
    out: dict[str, float | None] = {"hip_width_legs": None, "trunk_legs": None,
                                    "shank_spread": None}
    if not np.isfinite(leg) or leg <= 0:
        return out
    hw = _seg_len(kp, "left_hip", "right_hip")
    if np.isfinite(hw).any():
        out["hip_width_legs"] = float(np.nanmedian(hw)) / leg
    if all(kp.has(m) for m in ("left_shoulder", "right_shoulder", "left_hip", "right_hip")):
        ms = 0.5 * (kp["left_shoulder"] + kp["right_shoulder"])
        mh = 0.5 * (kp["left_hip"] + kp["right_hip"])
        trunk = np.hypot(*(ms - mh).T)
        if np.isfinite(trunk).sum() >= 5:
            out["trunk_legs"] = float(np.nanmedian(trunk)) / leg
    sh = np.concatenate([_seg_len(kp, f"{s}_knee", f"{s}_ankle") for s in ("left", "right")])
    sh = sh[np.isfinite(sh) & (sh > 0)]
    if sh.size >= 10:
        out["shank_spread"] = float(np.percentile(sh, 90) / np.percentile(sh, 10))
    return out


def flight_gravity(kp: Keypoints, contacts_s: list[float], toe_offs_s: list[float], *,
                   leg_length_m: float, min_flights: int = 4,
                   min_frames_per_flight: int = 3) -> dict[str, float | None]:
    """The pelvis's downward acceleration in flight, in m/s²: the clip's own time scale.

    In flight nothing holds the body up: its centre falls with g. Each flight
    (a toe-off to the other foot's contact) gives a stretch of the mid-hip's
    image height; one parabola curvature shared by all flights (each with its
    own height and vertical speed) is fitted by least squares, in px/s², and
    converted to metres with the runner's own leg length in the image (thigh
    + shank, :func:`leg_length_px`) against a population leg length. A clip
    slowed ``k``-fold shows about ``g / k²``; played faster, ``g k²``.

    Parameters
    ----------
    kp : Keypoints
        Cleaned keypoints.
    contacts_s, toe_offs_s : list of float
        Contact and toe-off of each stance (same order; NaN where missing).
    leg_length_m : float
        Population hip-to-ankle length (m) that maps pixels to metres.
    min_flights, min_frames_per_flight : int
        Fewer flights with at least this many frames (short flights of slow
        runners at 30 fps, walking): not judged.

    Returns
    -------
    dict
        ``flight_gravity_ms2`` (``None`` when not judged) and ``flights`` (used).

    Notes
    -----
    The pelvis is not the centre of mass, and the leg length varies between
    people (±10 %); on the shared treadmill runners the estimate reads 9.4-11.6
    m/s² at real speed and 2.3-2.8 m/s² slowed twofold, so the gate's limit
    (half of g) separates real time from a twofold slow-motion with a wide margin.
    """
    out: dict[str, float | None] = {"flight_gravity_ms2": None, "flights": 0.0}
    leg = leg_length_px(kp)
    hips = [kp[m][:, 1] for m in ("left_hip", "right_hip") if kp.has(m)]
    if not hips or not np.isfinite(leg) or leg <= 0:
        return out
    py = nanmean_rows(np.stack(hips))
    t = np.asarray(kp.time_s, dtype=float)
    ev = sorted((c, o) for c, o in zip(contacts_s, toe_offs_s, strict=True) if np.isfinite(c))
    if len(ev) < 2:
        return out
    step = float(np.median(np.diff([c for c, _ in ev])))
    rows: list[tuple[int, float]] = []
    ys: list[float] = []
    for (c0, to), (c1, _o) in zip(ev[:-1], ev[1:], strict=False):
        if not (np.isfinite(to) and c0 < to < c1) or c1 - c0 > 1.6 * step:
            continue                  # no flight, or a missed step in between
        sel = np.flatnonzero((t >= to) & (t <= c1) & np.isfinite(py))
        if sel.size < min_frames_per_flight:
            continue
        k = len({r[0] for r in rows})
        mid = 0.5 * (to + c1)
        rows += [(k, float(t[i] - mid)) for i in sel]
        ys += [float(py[i]) for i in sel]
    n = len({r[0] for r in rows})
    out["flights"] = float(n)
    if n < min_flights:
        return out
    # y = a tau^2 / 2 + b_k tau + c_k (image rows grow downward: falling is a > 0)
    a_mat = np.zeros((len(rows), 1 + 2 * n))
    for r, (k, tau) in enumerate(rows):
        a_mat[r, 0] = 0.5 * tau * tau
        a_mat[r, 1 + 2 * k] = 1.0
        a_mat[r, 2 + 2 * k] = tau
    sol, *_ = np.linalg.lstsq(a_mat, np.asarray(ys), rcond=None)
    out["flight_gravity_ms2"] = float(sol[0]) / leg * leg_length_m
    return out
