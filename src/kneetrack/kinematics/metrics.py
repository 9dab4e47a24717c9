"""Per-frame angle series and per-stance metrics, as the ``analysis.json`` contract defines.

Series (``compute_series``) are whole-clip arrays, one value per frame, computed
from cleaned, low-passed keypoints. Names and signs:

- ``{leg}_fppa_deg`` — frontal plane projection angle, + = knee medial (valgus).
- ``{leg}_hip_adduction_deg`` — femur vs downward perpendicular of the hip line,
  + = knee toward the midline.
- ``{leg}_pelvic_drop_deg`` — tilt of the hip line *for that leg as stance
  leg*: + = the **opposite** hip lower. ``right_pelvic_drop_deg`` is
  ``-left_pelvic_drop_deg``.
- ``{leg}_ankle_lateral_offset_px`` — ankle distance from the mid-hip
  vertical, + = lateral (away from the midline).
- ``{leg}_knee_flexion_deg`` (side views) — 0 = straight.
- ``{leg}_shank_angle_deg`` (side) — shank to vertical, + = ankle ahead of knee.
- ``{leg}_foot_angle_deg`` (side) — heel→toe line to the horizontal, + = toes up.

Frames whose thigh, shank or foot length is implausible (a leftover label
swap, a glitch) give NaN, not a wild angle (:func:`plausible_leg`).

Per-stance peaks (``StanceMetrics``) are the **maximum of the low-passed
signal** over the stance (contact to toe-off): the 12 Hz zero-lag filter removes
the frame-to-frame jitter whose maximum would otherwise bias peaks upward.
Values *at contact* are interpolated to the contact instant with a cubic
through the four surrounding frames (:func:`_interp_at`), and only when the two
frames around contact were observed rather than gap-filled.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

from kneetrack.core.views import FRONTAL_VIEWS, SAGITTAL_VIEWS, View
from kneetrack.keypoints import Keypoints
from kneetrack.kinematics.angles import (
    foot_angle_deg,
    fppa_deg,
    hip_adduction_deg,
    knee_flexion_deg,
    pelvic_drop_deg,
    shank_angle_deg,
)
from kneetrack.kinematics.events import LEGS, StanceEvents
from kneetrack.kinematics.stance import StanceRecord
from kneetrack.kinematics.thresholds import FootStrikeThresholds

FRONTAL_METRICS = ("fppa_peak_deg", "hip_adduction_peak_deg", "pelvic_drop_peak_deg")
SAGITTAL_METRICS = ("foot_strike_angle_deg", "shank_angle_ic_deg", "knee_flexion_ic_deg")
#: Curves kept per stance (0–100 % of stance) per view family.
FRONTAL_CURVES = ("fppa_deg", "hip_adduction_deg", "pelvic_drop_deg")
SAGITTAL_CURVES = ("knee_flexion_deg", "shank_angle_deg", "foot_angle_deg")

_OTHER = {"left": "right", "right": "left"}


def _pt(kp: Keypoints, name: str) -> NDArray[Any]:
    return kp[name] if kp.has(name) else np.full((kp.n_frames, 2), np.nan)


#: Physiological range of the values at contact in running (deg); outside it the
#: keypoints were wrong (e.g. a hidden far leg drawn onto the background) and the value
#: is moved to the stance's ``rejected`` dict.
PLAUSIBLE_AT_CONTACT = {
    "shank_angle_ic_deg": (-30.0, 45.0),
    "knee_flexion_ic_deg": (0.0, 60.0),
    "foot_strike_angle_deg": (-45.0, 50.0),
}

#: Plausible segment length relative to the clip's 90th-percentile length ("full
#: length"): (shortest, longest). Side views see the segments at nearly full length;
#: frontal views foreshorten the shank to almost nothing in swing, so there only the
#: thigh has a lower bound.
_THIGH_RANGE = {"frontal": (0.6, 1.3), "sagittal": (0.75, 1.25)}
_SHANK_RANGE = {"frontal": (0.0, 1.3), "sagittal": (0.75, 1.25)}
_FOOT_RANGE = (0.6, 1.4)


def _rel_length(a: NDArray[Any], b: NDArray[Any]) -> NDArray[Any]:
    d = np.hypot(*(b - a).T)
    if not np.isfinite(d).any():
        return np.asarray(d)
    ref = np.nanpercentile(d, 90)
    with np.errstate(all="ignore"):
        return np.asarray(d / ref)


def plausible_leg(kp: Keypoints, leg: str, *, frontal: bool) -> dict[str, NDArray[Any]]:
    """Frames where the leg's keypoints are anatomically plausible.

    The thigh (hip–knee), shank (knee–ankle) and, in side views, the foot
    (heel–toe) must keep a length within the ranges above relative to their
    full length in the clip. A leftover left/right swap or a glitch that drew a
    point on something else breaks a segment length; such frames give no angle
    (NaN) rather than a wild value (FIELD_NOTES: gate foot metrics on geometry,
    not on visibility).

    Returns
    -------
    dict
        ``{"leg": bool array, "foot": bool array}`` (frames,).
    """
    fam = "frontal" if frontal else "sagittal"
    hip, knee, ankle = (_pt(kp, f"{leg}_{p}") for p in ("hip", "knee", "ankle"))
    thigh, shank = _rel_length(hip, knee), _rel_length(knee, ankle)
    (t0, t1), (s0, s1) = _THIGH_RANGE[fam], _SHANK_RANGE[fam]
    with np.errstate(invalid="ignore"):
        good = (thigh > t0) & (thigh < t1) & (shank >= s0) & (shank < s1)
        if frontal:
            return {"leg": good, "foot": good}
        foot = _rel_length(_pt(kp, f"{leg}_heel"), _pt(kp, f"{leg}_toe"))
        foot_ok = good & (foot > _FOOT_RANGE[0]) & (foot < _FOOT_RANGE[1])
    return {"leg": good, "foot": foot_ok}


def compute_series(kp: Keypoints, view: str) -> dict[str, NDArray[Any]]:
    """Per-frame angle series for the whole clip (see module docstring for names and signs).

    Parameters
    ----------
    kp : Keypoints
        Cleaned, low-passed keypoints.
    view : str
        ``front``, ``rear``, ``side-left`` or ``side-right``; frontal views give
        the frontal-plane series, side views the sagittal ones.

    Returns
    -------
    dict of str to ndarray
        ``time_s`` plus one (frames,) array per series.
    """
    s: dict[str, NDArray[Any]] = {"time_s": np.asarray(kp.time_s, dtype=float)}
    frontal = view in FRONTAL_VIEWS
    if frontal or view in SAGITTAL_VIEWS:
        ok = {leg: plausible_leg(kp, leg, frontal=frontal) for leg in LEGS}
    if frontal:
        # Front view: the left leg appears on the image's right, so its midline is image -x.
        medial = {leg: View(view).medial_sign(leg) for leg in LEGS}
        hips = {leg: _pt(kp, f"{leg}_hip") for leg in LEGS}
        mid = 0.5 * (hips["left"] + hips["right"])
        for leg in LEGS:
            hip, knee, ankle = hips[leg], _pt(kp, f"{leg}_knee"), _pt(kp, f"{leg}_ankle")
            good = ok[leg]["leg"]
            s[f"{leg}_fppa_deg"] = np.where(
                good, fppa_deg(hip, knee, ankle, medial_sign=medial[leg]), np.nan)
            s[f"{leg}_hip_adduction_deg"] = np.where(
                good, hip_adduction_deg(hip, knee, hips[_OTHER[leg]]), np.nan)
            s[f"{leg}_pelvic_drop_deg"] = pelvic_drop_deg(hip, hips[_OTHER[leg]])
            s[f"{leg}_ankle_lateral_offset_px"] = np.where(
                good, -medial[leg] * (ankle[:, 0] - mid[:, 0]), np.nan)
        s["hip_width_px"] = np.abs(hips["left"][:, 0] - hips["right"][:, 0])
    elif view in SAGITTAL_VIEWS:
        fwd = View(view).forward_sign
        for leg in LEGS:
            # Frames where the leg and foot were seen (not gap-filled): values *at* an
            # instant come only from observed frames.
            cols = [kp.index(f"{leg}_{p}") for p in ("hip", "knee", "ankle", "heel", "toe")
                    if kp.has(f"{leg}_{p}")]
            s[f"{leg}_observed"] = (kp.confidence[:, cols] > 0).all(axis=1)
            hip, knee, ankle = (_pt(kp, f"{leg}_{p}") for p in ("hip", "knee", "ankle"))
            good, foot_ok = ok[leg]["leg"], ok[leg]["foot"]
            s[f"{leg}_knee_flexion_deg"] = np.where(good, knee_flexion_deg(hip, knee, ankle),
                                                    np.nan)
            s[f"{leg}_shank_angle_deg"] = np.where(
                good, shank_angle_deg(knee, ankle, forward_sign=fwd), np.nan)
            heel, toe = _pt(kp, f"{leg}_heel"), _pt(kp, f"{leg}_toe")
            s[f"{leg}_heel_y_px"], s[f"{leg}_toe_y_px"] = heel[:, 1].copy(), toe[:, 1].copy()
            s[f"{leg}_foot_length_px"] = np.hypot(*(toe - heel).T)
            s[f"{leg}_foot_angle_deg"] = np.where(
                foot_ok & (fwd * (toe[:, 0] - heel[:, 0]) > 0),   # toes ahead of the heel
                foot_angle_deg(heel, toe, forward_sign=fwd), np.nan)
    return s


def _interp_at(time_s: NDArray[Any], y: NDArray[Any], t: float) -> float:
    """Value of ``y`` at time ``t``, between frames.

    A cubic through the four surrounding frames (falling back to a straight
    line at the clip's edges or next to a gap). Angles near contact change by
    several degrees per frame and have extremes between frames (the knee is
    straightest, the shank most forward just before contact), which a straight
    line between the two neighbouring frames flattens, most at 30 fps.
    NaN if ``t`` is outside the clip or a neighbour is missing.
    """
    n = len(time_s)
    if not np.isfinite(t) or t < time_s[0] or t > time_s[-1] or n < 2:
        return float("nan")
    i = int(np.clip(np.searchsorted(time_s, t), 1, n - 1))
    t0, t1 = time_s[i - 1], time_s[i]
    y0, y1 = y[i - 1], y[i]
    if not (np.isfinite(y0) and np.isfinite(y1)):
        return float("nan")
    linear = float(y0 + (y1 - y0) * (t - t0) / (t1 - t0))
    if i < 2 or i > n - 2:
        return linear
    ts = time_s[i - 2:i + 2]
    ys = y[i - 2:i + 2]
    if not np.all(np.isfinite(ys)):
        return linear
    # Lagrange cubic through four samples (times may be uneven on phones).
    tt = [float(v) for v in ts]
    yy = [float(v) for v in ys]
    val = 0.0
    for j in range(4):
        w = 1.0
        for k in range(4):
            if k != j:
                w *= (t - tt[k]) / (tt[j] - tt[k])
        val += yy[j] * w
    return val


def _flat_foot_angle(series: dict[str, NDArray[Any]], leg: str, ev: StanceEvents, *,
                     tol_fraction: float = 0.1) -> float:
    """Image foot angle while the foot is flat on the ground during one stance.

    Flat = frames where both the heel and the toe are within ``tol_fraction``
    of the foot length of their lowest image position in this stance (both on
    the ground). Falls back to the median over 15–40 % of stance when no frame
    qualifies. The heel and toe landmarks do not sit at the same height, so the
    flat foot's image angle is rarely 0°; foot strike is judged relative to it.
    """
    t = series["time_s"]
    w = _window(t, ev.contact_s, ev.toe_off_s)
    fa = series[f"{leg}_foot_angle_deg"][w]
    hy = series.get(f"{leg}_heel_y_px")
    ty = series.get(f"{leg}_toe_y_px")
    if hy is not None and ty is not None:
        h, o, fl = hy[w], ty[w], series[f"{leg}_foot_length_px"][w]
        ok = np.isfinite(h) & np.isfinite(o) & np.isfinite(fa) & np.isfinite(fl)
        if ok.any():
            h, o, a = h[ok], o[ok], fa[ok]
            tol = tol_fraction * float(np.median(fl[ok]))
            flat = (h >= h.max() - tol) & (o >= o.max() - tol)
            if flat.any():
                return float(np.median(a[flat]))
    dur = ev.toe_off_s - ev.contact_s
    mid = series[f"{leg}_foot_angle_deg"][_window(t, ev.contact_s + 0.15 * dur,
                                                   ev.contact_s + 0.4 * dur)]
    mid = mid[np.isfinite(mid)]
    return float(np.median(mid)) if mid.size else float("nan")


def _observed_at(time_s: NDArray[Any], observed: NDArray[Any] | None, t: float) -> bool:
    """Whether the two frames around ``t`` were observed (not gap-filled)."""
    if observed is None:
        return True
    i = int(np.clip(np.searchsorted(time_s, t), 1, len(time_s) - 1))
    return bool(observed[i - 1] and observed[i])


def _window(time_s: NDArray[Any], t0: float, t1: float) -> slice:
    return slice(int(np.searchsorted(time_s, t0)), int(np.searchsorted(time_s, t1, side="right")))


def _nanmax(x: NDArray[Any], *, min_valid: float = 0.5) -> float:
    """Maximum when at least ``min_valid`` of the samples are present, else NaN."""
    if x.size == 0:
        return float("nan")
    ok = np.isfinite(x)
    if ok.mean() < min_valid:
        return float("nan")
    return float(np.max(x[ok]))


def _nanmean(x: NDArray[Any], *, min_valid: float = 0.5) -> float:
    if x.size == 0:
        return float("nan")
    ok = np.isfinite(x)
    if ok.mean() < min_valid:
        return float("nan")
    return float(np.mean(x[ok]))


def _crossover(offset_hip_widths: float, *, tolerance: float) -> tuple[bool | None, bool | None]:
    """``(crossover, on_midline)`` from the ankle's lateral offset in hip widths.

    Across the midline by more than ``tolerance`` = crossover; within
    ``tolerance`` of it = on the line (not a crossover); ``(None, None)`` when
    the offset is unknown.

    Examples
    --------
    >>> _crossover(-0.3, tolerance=0.1), _crossover(0.02, tolerance=0.1)
    ((True, False), (False, True))
    """
    if not np.isfinite(offset_hip_widths):
        return None, None
    return (bool(offset_hip_widths < -tolerance),
            bool(abs(offset_hip_widths) <= tolerance))


def normalise_stances(time_s: NDArray[Any], y: NDArray[Any], t0: NDArray[Any], t1: NDArray[Any],
                      *, points: int = 101) -> NDArray[Any]:
    """Resample ``y`` between each ``t0[k]`` and ``t1[k]`` onto ``points`` even instants.

    Vectorised over stances: returns ``(len(t0), points)``; a grid point whose
    neighbouring samples are missing is NaN (gaps are not bridged), as is every
    point of a stance with a non-finite or non-positive duration.
    """
    t0 = np.asarray(t0, dtype=float)
    t1 = np.asarray(t1, dtype=float)
    out = np.full((t0.size, points), np.nan)
    ok = np.isfinite(y)
    good = np.isfinite(t0) & np.isfinite(t1) & (t1 > t0)
    if ok.sum() < 2 or not good.any():
        return out
    grid = t0[good, None] + (t1 - t0)[good, None] * np.linspace(0.0, 1.0, points)[None, :]
    vals = np.interp(grid.ravel(), time_s[ok], y[ok], left=np.nan, right=np.nan)
    vals = vals.reshape(grid.shape)
    idx = np.clip(np.searchsorted(time_s, grid), 1, len(time_s) - 1)
    vals[~(ok[idx] & ok[idx - 1])] = np.nan
    out[good] = vals
    return out


def normalise_stance(time_s: NDArray[Any], y: NDArray[Any], t0: float, t1: float,
                     *, points: int = 101) -> NDArray[Any]:
    """Resample ``y`` between ``t0`` and ``t1`` onto ``points`` even instants (0–100 %)."""
    return np.asarray(normalise_stances(time_s, y, np.array([t0]), np.array([t1]),
                                        points=points)[0])


class StanceMetrics:
    """Measure every stance found by the event detector.

    Parameters
    ----------
    view : str
        ``front``, ``rear``, ``side-left`` or ``side-right``.
    crossover_tolerance_hip_widths : float
        Width of the "on the line" band, in hip widths: a stance is a crossover
        when the ankle's mean lateral offset from the mid-hip vertical during
        stance is below ``-crossover_tolerance_hip_widths`` hip widths (across
        the midline). Within the band (``|offset|`` up to the tolerance) the foot
        lands on the line: ``crossover`` is false and ``on_midline`` true. A
        ``0`` band makes the flag the sign of the offset, a coin flip for a foot
        that lands on the midline itself; the pipeline passes the value of the
        plausibility thresholds file (``crossover.tolerance_hip_widths``).
    curve_points : int
        Samples per normalised stance curve (101 = every 1 %).
    foot_strike_thresholds : dict, optional
        ``{"rearfoot_min_deg", "forefoot_max_deg"}`` for the foot angle at
        contact relative to flat; default :class:`~kneetrack.kinematics.thresholds.
        FootStrikeThresholds` (Altman & Davis 2012; the pipeline passes the values
        of the thresholds file).

    Attributes
    ----------
    stances_ : list of StanceRecord
        One record per stance with the contract fields (``leg``, ``contact_s``,
        ``toe_off_s``, the view's metrics, ``null`` for the others) plus
        ``contact_uncertainty_ms``, ``contact_cues_ms`` (each cue's contact
        estimate relative to the combined one), ``complete`` and, by view,
        ``ankle_lateral_offset_px`` / ``near_camera`` / ``foot_pitch_rel_flat_deg``.
    curves_ : dict
        ``{"left": {curve: [[points] per stance]}, "right": {...}}`` for
        complete stances.

    Notes
    -----
    Foot strike is classified from the foot angle at contact *relative to the
    same foot's angle while flat on the ground in that stance*
    (:func:`_flat_foot_angle`), because heel and toe landmarks do not sit at
    the same height; thresholds come from the thresholds file (Altman & Davis
    2012).
    """

    def __init__(self, view: str, *, crossover_tolerance_hip_widths: float = 0.0,
                 curve_points: int = 101, foot_strike_thresholds: dict[str, float] | None = None
                 ) -> None:
        self.view = view
        self.crossover_tolerance_hip_widths = crossover_tolerance_hip_widths
        self.curve_points = curve_points
        self.foot_strike_thresholds = foot_strike_thresholds

    def calculate(self, series: dict[str, NDArray[Any]],
                  events: list[StanceEvents]) -> StanceMetrics:
        """Compute per-stance metrics from ``series`` and ``events``; return ``self``."""
        t = series["time_s"]
        frontal = self.view in FRONTAL_VIEWS
        sagittal = self.view in SAGITTAL_VIEWS
        fs = self.foot_strike_thresholds or FootStrikeThresholds().to_dict()
        curve_names = FRONTAL_CURVES if frontal else SAGITTAL_CURVES if sagittal else ()
        self.stances_: list[StanceRecord] = []
        self.curves_: dict[str, dict[str, list[list[float]]]] = {
            leg: {c: [] for c in curve_names} for leg in LEGS}
        near_leg = View(self.view).near_leg if self.view in tuple(View) else None
        for ev in events:
            leg = ev.leg
            rec = StanceRecord(leg, ev.contact_s, ev.toe_off_s,
                               contact_uncertainty_ms=ev.contact_uncertainty_ms,
                               contact_cues_ms=dict(ev.cues_ms), complete=ev.complete)
            if frontal and ev.complete:
                w = _window(t, ev.contact_s, ev.toe_off_s)
                rec.fppa_peak_deg = _nanmax(series[f"{leg}_fppa_deg"][w])
                rec.hip_adduction_peak_deg = _nanmax(series[f"{leg}_hip_adduction_deg"][w])
                rec.pelvic_drop_peak_deg = _nanmax(series[f"{leg}_pelvic_drop_deg"][w])
                off = _nanmean(series[f"{leg}_ankle_lateral_offset_px"][w])
                hw = _nanmean(series["hip_width_px"][w])
                rec["ankle_lateral_offset_px"] = off
                rel = off / hw if np.isfinite(hw) and hw > 0 else float("nan")
                rec["ankle_lateral_offset_hip_widths"] = rel if np.isfinite(rel) else None
                rec.crossover, rec["on_midline"] = _crossover(
                    rel, tolerance=self.crossover_tolerance_hip_widths)
            if sagittal and np.isfinite(ev.contact_s):
                rec["near_camera"] = leg == near_leg
                seen = _observed_at(t, series.get(f"{leg}_observed"), ev.contact_s)
                rec["observed_at_contact"] = seen
                tc = ev.contact_s if seen else float("nan")
                rec.knee_flexion_ic_deg = _interp_at(t, series[f"{leg}_knee_flexion_deg"], tc)
                rec.shank_angle_ic_deg = _interp_at(t, series[f"{leg}_shank_angle_deg"], tc)
                fa = series[f"{leg}_foot_angle_deg"]
                fa_ic = _interp_at(t, fa, tc)
                rec.foot_strike_angle_deg = fa_ic
                flat = _flat_foot_angle(series, leg, ev) if ev.complete else float("nan")
                if not np.isfinite(flat):
                    flat = _interp_at(t, fa, ev.midstance_s)
                rel = fa_ic - flat
                rec["foot_pitch_rel_flat_deg"] = rel
                if np.isfinite(rel):
                    rec.foot_strike = ("rearfoot" if rel > fs["rearfoot_min_deg"] else
                                          "forefoot" if rel < fs["forefoot_max_deg"] else
                                          "midfoot")
            for key, (lo_deg, hi_deg) in PLAUSIBLE_AT_CONTACT.items():
                v = rec.get(key)
                if v is not None and np.isfinite(v) and not lo_deg <= v <= hi_deg:
                    rec.setdefault("rejected", {})[key] = v
                    rec[key] = None
                    if key == "foot_strike_angle_deg":
                        rec.foot_strike = None
            self.stances_.append(rec)
        for leg in LEGS:
            done = [ev for ev in events if ev.leg == leg and ev.complete]
            if not done:
                continue
            t0 = np.array([ev.contact_s for ev in done])
            t1 = np.array([ev.toe_off_s for ev in done])
            for c in curve_names:
                y = series.get(f"{leg}_{c}")
                if y is not None:
                    self.curves_[leg][c] = normalise_stances(
                        t, y, t0, t1, points=self.curve_points).tolist()
        return self
