"""Single-leg squat (and step-down) analysis from front-view 2D keypoints.

The runner stands on one leg facing the camera and squats several times; then
the other leg. :class:`SingleLegSquatAnalysis` finds which leg is standing
(the free foot is lifted), detects each repetition from the descent of the
stance hip, takes the frame of peak knee flexion (the lowest hip position) and
measures there the frontal plane projection angle (FPPA), hip adduction,
contralateral pelvic drop, lateral trunk lean and the depth. Per leg it
reports the mean and SD over the repetitions, and it checks the recording:
enough repetitions, the whole body in frame, a front view.
"""

from __future__ import annotations

import warnings
from dataclasses import asdict, dataclass
from typing import Any, Self, cast

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from kneetrack.core.arrays import BoolArray, FloatArray, IntArray, LabelArray
from kneetrack.core.peaks import find_peaks
from kneetrack.core.views import FRONTAL_VIEWS, View, parse_view
from kneetrack.errors import InputError, SettingsError
from kneetrack.keypoints import Keypoints
from kneetrack.kinematics import cleaners
from kneetrack.kinematics.angles import fppa_deg, hip_adduction_deg, pelvic_drop_deg, trunk_lean_deg
from kneetrack.kinematics.pipeline import json_safe

LEGS = ("left", "right")
_REQUIRED = ("left_hip", "right_hip", "left_knee", "right_knee", "left_ankle", "right_ankle")
_BODY = _REQUIRED + ("left_shoulder", "right_shoulder")
_METRICS = ("fppa_deg", "hip_adduction_deg", "pelvic_drop_deg", "trunk_lean_deg",
            "depth_fraction", "knee_flexion_est_deg")


@dataclass(frozen=True)
class SquatRep:
    """One repetition on one leg; angles are taken at peak knee flexion.

    Attributes
    ----------
    leg : str
        Stance leg, ``"left"`` or ``"right"``.
    start_s, peak_s, end_s : float
        Start (standing), peak knee flexion (lowest hip) and end, in seconds
        from the first frame; ``peak_s`` is refined between frames.
    peak_frame : int
        Frame nearest to ``peak_s``.
    fppa_deg : float
        Frontal plane projection angle; positive = knee medial of the hip–ankle line.
    hip_adduction_deg : float
        Femur against the perpendicular of the hip–hip line; positive = knee towards the midline.
    pelvic_drop_deg : float
        Tilt of the hip–hip line; positive = the free leg's hip is lower.
    trunk_lean_deg : float or None
        Mid-hip→mid-shoulder line to the vertical; positive = towards the stance leg.
    depth_fraction : float
        Descent of the stance hip from standing, as a fraction of the standing leg length.
    knee_flexion_est_deg : float
        Knee flexion estimated from ``depth_fraction`` (two equal segments,
        hip kept over the ankle); a rough guide to depth, not a measurement.
    """

    leg: str
    start_s: float
    peak_s: float
    end_s: float
    peak_frame: int
    fppa_deg: float
    hip_adduction_deg: float
    pelvic_drop_deg: float
    trunk_lean_deg: float | None
    depth_fraction: float
    knee_flexion_est_deg: float

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-friendly dict with values rounded for people."""
        out: dict[str, Any] = {}
        for k, v in asdict(self).items():
            if isinstance(v, float):
                v = round(v, 3 if k.endswith("_s") or k == "depth_fraction" else 2) \
                    if np.isfinite(v) else None
            out[k] = v
        return out


def _rolling_nanmedian(x: FloatArray, half: int) -> FloatArray:
    """Running median over ``2 * half + 1`` frames along axis 0, ignoring missing frames."""
    padded = np.pad(x, [(half, half)] + [(0, 0)] * (x.ndim - 1), mode="edge")
    windows = sliding_window_view(padded, 2 * half + 1, axis=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)      # all-missing windows stay NaN
        return np.asarray(np.nanmedian(windows, axis=-1))


def _repair_swaps_slow(raw: FloatArray, names: list[str], *, half: int) -> tuple[FloatArray, int]:
    """Undo short left/right label swaps of hips, knees and ankles in a slow movement.

    Each label is compared with the running median of both labels' tracks
    over ``2 * half + 1`` frames (a swap shorter than ``half`` frames does not
    move the median): where the crossed assignment fits the medians better by
    more than the legs' separation, the labels are exchanged. Where both labels
    sit on one spot although the legs are apart (a pose estimator drawing both
    legs in the same place), both become missing.

    The running engine's :func:`kneetrack.kinematics.cleaning.repair_swaps`
    keys frontal views on the image order of knees and ankles against the
    hips, so it cannot see a swap of the hips themselves; a squat is slow
    enough for a running median to. (A cue for the shared swap-repair module.)
    """
    out = raw.copy()
    count = 0
    for part in ("hip", "knee", "ankle"):
        left, right = f"left_{part}", f"right_{part}"
        if left not in names or right not in names:
            continue
        il, ir = names.index(left), names.index(right)
        lt, rt = out[:, il].copy(), out[:, ir].copy()
        ml, mr = _rolling_nanmedian(lt, half), _rolling_nanmedian(rt, half)

        def d(a: FloatArray, b: FloatArray) -> FloatArray:
            return cast(FloatArray, np.hypot(*(a - b).T))

        sep = d(ml, mr)
        with np.errstate(invalid="ignore"):
            swap = (d(lt, ml) + d(rt, mr)) - (d(lt, mr) + d(rt, ml)) > sep
            merged = d(lt, rt) < 0.25 * sep
        swap = np.nan_to_num(swap, nan=False).astype(bool)
        merged = np.nan_to_num(merged, nan=False).astype(bool)
        out[swap, il], out[swap, ir] = rt[swap], lt[swap]
        out[merged, il] = np.nan
        out[merged, ir] = np.nan
        count += int(swap.sum())
    return out, count


def _label_runs(labels: LabelArray | IntArray | FloatArray) -> list[tuple[int, int, str]]:
    """Runs of equal labels as (start, stop, label)."""
    out: list[tuple[int, int, str]] = []
    start = 0
    for i in range(1, len(labels) + 1):
        if i == len(labels) or labels[i] != labels[start]:
            out.append((start, i, str(labels[start])))
            start = i
    return out


def _impossible_switches(stance: LabelArray, *, gap: int) -> BoolArray:
    """Frames of stances that switch legs with less than ``gap`` frames of double stance between.

    Of two such neighbouring stances the shorter one is returned (its labels are the
    suspect ones).
    """
    flip = np.zeros(len(stance), dtype=bool)
    runs = [r for r in _label_runs(stance) if r[2] != ""]
    for (a0, b0, l0), (a1, b1, l1) in zip(runs, runs[1:], strict=False):
        if l0 != l1 and a1 - b0 < gap:
            if b0 - a0 < b1 - a1:
                flip[a0:b0] = True
            else:
                flip[a1:b1] = True
    return flip


def _stats(values: list[float]) -> dict[str, float | None]:
    v = np.asarray([x for x in values if x is not None and np.isfinite(x)], dtype=float)
    if v.size == 0:
        return {"mean": None, "sd": None, "min": None, "max": None}
    return {"mean": round(float(v.mean()), 2),
            "sd": round(float(v.std(ddof=1)), 2) if v.size > 1 else None,
            "min": round(float(v.min()), 2), "max": round(float(v.max()), 2)}


class SingleLegSquatAnalysis:
    """Repetitions and frontal-plane angles of a single-leg squat or step-down.

    Parameters
    ----------
    leg : {"auto", "left", "right"}
        Stance leg. ``"auto"`` finds it frame by frame from which foot is
        lifted, so one clip may hold both legs' sets; a fixed leg analyses the
        whole clip as that leg (e.g. a step-down with the other foot hanging low).
    view : {"front", "rear"}
        Where the camera stood; the squat is meant to be filmed from the front.
    min_reps : int
        Fewer repetitions on a leg than this gives a quality warning.
    min_depth_leg_fraction : float
        Smallest hip descent, as a fraction of leg length, that counts as a repetition.
    min_rep_duration_s : float
        Shortest time between two repetitions' bottoms.
    foot_lift_leg_fraction : float
        How much higher (fraction of leg length) the free ankle must be than the
        stance ankle for a frame to count as single-leg stance.
    min_stance_duration_s : float
        Shorter single-leg stances are ignored (a step, a wobble).
    lowpass_cutoff_hz : float
        Zero-phase Butterworth cutoff applied to the coordinates before the
        angles are measured (squats are slow; this removes pose jitter).
    peak_fit_depth_fraction : float
        The angles are read from a quadratic fitted over the frames whose
        depth is within this fraction of the rep's range from the bottom
        (0 = the single bottom instant).
    max_gap_s : float
        Missing stretches up to this long are interpolated.
    swap_window_s : float
        Window of the running median that left/right label swaps (shorter than
        half of it) are detected against; 0 turns the repair off.
    min_confidence : float
        Points below this confidence are treated as missing.
    frame_margin_fraction : float
        Markers closer than this fraction of the image size to its edge count
        as out of frame.

    Attributes
    ----------
    reps_ : list of SquatRep
        Repetitions found, in time order.
    summary_ : dict
        Per leg: ``n_reps`` and mean/SD/min/max of every metric; plus
        ``asymmetry`` (left minus right means) when both legs were measured.
    stance_leg_ : ndarray of str, shape (frames,)
        ``"left"``, ``"right"`` or ``""`` (both feet down / unknown) per frame.
    quality_ : dict
        ``in_frame_fraction``, ``hip_width_leg_fraction``, ``mirrored`` and the
        frame rate used for the checks.
    warnings_ : list of str
        Plain-words problems with the recording.

    Notes
    -----
    FPPA at the point of peak knee flexion as in Herrington (2014) and Munro
    et al. (2012); peak knee flexion is taken as the lowest position of the
    stance hip, which a front camera sees well (knee flexion itself it does not).
    """

    def __init__(
        self,
        *,
        leg: str = "auto",
        view: View | str = View.FRONT,
        min_reps: int = 3,
        min_depth_leg_fraction: float = 0.04,
        min_rep_duration_s: float = 0.6,
        foot_lift_leg_fraction: float = 0.05,
        min_stance_duration_s: float = 1.0,
        lowpass_cutoff_hz: float = 4.0,
        peak_fit_depth_fraction: float = 0.25,
        max_gap_s: float = 0.25,
        swap_window_s: float = 1.0,
        min_confidence: float = 0.3,
        frame_margin_fraction: float = 0.005,
    ) -> None:
        self.leg = leg
        self.view = view
        self.min_reps = min_reps
        self.min_depth_leg_fraction = min_depth_leg_fraction
        self.min_rep_duration_s = min_rep_duration_s
        self.foot_lift_leg_fraction = foot_lift_leg_fraction
        self.min_stance_duration_s = min_stance_duration_s
        self.lowpass_cutoff_hz = lowpass_cutoff_hz
        self.peak_fit_depth_fraction = peak_fit_depth_fraction
        self.max_gap_s = max_gap_s
        self.swap_window_s = swap_window_s
        self.min_confidence = min_confidence
        self.frame_margin_fraction = frame_margin_fraction

    # ------------------------------------------------------------------ checks
    def _check_settings(self) -> None:
        if self.leg not in ("auto",) + LEGS:
            raise SettingsError(f"leg must be auto, left or right, got {self.leg!r}")
        parse_view(self.view, allowed=FRONTAL_VIEWS, what="squat view (front or rear)")
        if self.min_reps < 1:
            raise SettingsError("min_reps must be at least 1")
        if not 0 < self.min_depth_leg_fraction < 1:
            raise SettingsError("min_depth_leg_fraction must be between 0 and 1")

    # ------------------------------------------------------------------ action
    def analyze(self, keypoints: Keypoints) -> Self:
        """Find the repetitions in ``keypoints`` and measure them; returns ``self``."""
        self._check_settings()
        kp = keypoints
        missing = [m for m in _REQUIRED if not kp.has(m) or np.isnan(kp[m]).all()]
        if missing:
            raise InputError("the squat needs hips, knees and ankles; missing: "
                             + ", ".join(missing))
        warnings: list[str] = []
        if kp.fps < 25:
            warnings.append(f"the frame rate is low ({kp.fps:.0f} fps); film at 30 fps or more")
        # Clean: low confidence out, label swaps undone, short gaps bridged, low-passed.
        names = [m for m in _BODY if kp.has(m)]
        body = cleaners.LowConfidenceRejection(self.min_confidence).clean(
            kp.with_markers(names)).keypoints_
        raw, repaired = self._repair(body.xy.copy(), names, kp.fps)
        P = self._smooth(body, raw)
        leg_len = self._leg_lengths(P)
        scale = float(np.mean(list(leg_len.values())))
        # Which leg stands when; labels made to agree with it.
        stance = self._stance_legs(P, scale, kp.fps, kp.n_frames)
        if self.leg == "auto" and self.swap_window_s > 0:
            raw, k = self._relabel(raw, names, stance, scale, kp.fps)
            if k:
                repaired += k
                P = self._smooth(body, raw)
                stance = self._stance_legs(P, scale, kp.fps, kp.n_frames)
        # Measure each repetition of each stance, then check the recording.
        reps: list[SquatRep] = []
        for a, b, lg in _label_runs(stance):
            if lg != "":
                reps.extend(self._reps_in(P, lg, a, b, leg_len[lg], kp.time_s))
        self.stance_leg_ = stance
        self.reps_ = reps
        self.quality_ = self._quality(kp, P, scale, reps, warnings)
        self.quality_["label_swaps_repaired_frames"] = repaired
        self.summary_ = self._summary(reps)
        self.warnings_ = warnings + self._rep_warnings(reps)
        return self

    def _repair(self, raw: FloatArray, names: list[str], fs: float) -> tuple[FloatArray, int]:
        """Undo left/right label swaps (two passes); return the coordinates and frames repaired."""
        repaired = 0
        if self.swap_window_s > 0:
            half = int(round(self.swap_window_s * fs / 2))
            for _ in range(2):          # a second pass uses medians cleaned by the first
                raw, k = _repair_swaps_slow(raw, names, half=half)
                repaired += k
        return raw, repaired

    @staticmethod
    def _leg_lengths(P: dict[str, FloatArray]) -> dict[str, float]:
        """Standing hip–ankle length of each leg (90th percentile), pixels."""
        leg_len = {}
        for lg in LEGS:
            d = np.linalg.norm(P[f"{lg}_hip"] - P[f"{lg}_ankle"], axis=1)
            leg_len[lg] = float(np.nanpercentile(d, 90)) if np.isfinite(d).any() else np.nan
        if not all(np.isfinite(v) and v > 0 for v in leg_len.values()):
            raise InputError("the legs were not tracked well enough to measure a squat")
        return leg_len

    def _rep_warnings(self, reps: list[SquatRep]) -> list[str]:
        out = []
        for lg in LEGS:
            k = self.summary_[lg]["n_reps"]
            if 0 < k < self.min_reps:
                out.append(f"only {k} repetition(s) on the {lg} leg; "
                           f"do at least {self.min_reps} for a reliable average")
        if not reps:
            out.append("no single-leg squat repetitions were found")
        return out

    # --------------------------------------------------------------- internals
    def _relabel(self, raw: FloatArray, names: list[str], stance: LabelArray, scale: float,
                 fs: float) -> tuple[FloatArray, int]:
        """Make labels agree with the stance legs.

        The standing ankle is the lower one, and each knee sits over its own ankle.
        """
        raw = raw.copy()
        il, ir = names.index("left_ankle"), names.index("right_ankle")
        # The standing leg cannot change without both feet down for a moment: a direct
        # switch means the ankles' labels are crossed in the shorter stance.
        flip = _impossible_switches(stance, gap=int(round(0.3 * fs)))
        fixed = stance.copy()
        for a, b, lab in _label_runs(flip.astype(int).astype(str)):
            if lab == "1":
                fixed[a:b] = "right" if stance[a] == "left" else "left"
        lift = (raw[:, il, 1] - raw[:, ir, 1]) / scale
        thr = self.foot_lift_leg_fraction
        with np.errstate(invalid="ignore"):
            flip = ((fixed == "left") & (lift < -thr)) | ((fixed == "right") & (lift > thr))
        raw[flip, il], raw[flip, ir] = raw[flip, ir].copy(), raw[flip, il].copy()
        count = int(flip.sum())
        kl, kr = names.index("left_knee"), names.index("right_knee")
        xs = raw[:, [kl, kr, il, ir], 0]
        keep = np.abs(xs[:, 0] - xs[:, 2]) + np.abs(xs[:, 1] - xs[:, 3])
        cross = np.abs(xs[:, 0] - xs[:, 3]) + np.abs(xs[:, 1] - xs[:, 2])
        with np.errstate(invalid="ignore"):
            knees = cross < 0.5 * keep
        raw[knees, kl], raw[knees, kr] = raw[knees, kr].copy(), raw[knees, kl].copy()
        return raw, count + int(knees.sum())

    def _smooth(self, body: Keypoints, raw: FloatArray) -> dict[str, FloatArray]:
        """Bridge short gaps and low-pass ``raw`` (the coordinates of ``body``'s markers)."""
        chain = cleaners.CleaningChain([
            cleaners.GapFilling(self.max_gap_s),
            cleaners.ButterworthLowpass(min(self.lowpass_cutoff_hz, 0.4 * body.fps))])
        kp = chain.clean(body.replace(xy=raw)).keypoints_
        return {m: kp.xy[:, i] for i, m in enumerate(kp.markers)}

    def _stance_legs(self, P: dict[str, FloatArray], scale: float, fs: float, n: int) -> LabelArray:
        out = np.full(n, "", dtype=object)
        if self.leg != "auto":
            ok = np.isfinite(P[f"{self.leg}_hip"][:, 1])
            out[ok] = self.leg
            return out
        # Image y points down: the stance (lower) ankle has the larger row.
        lift = (P["left_ankle"][:, 1] - P["right_ankle"][:, 1]) / scale
        thr = self.foot_lift_leg_fraction
        out[lift > thr] = "left"
        out[lift < -thr] = "right"
        # Drop short stances (a wobble, a left/right label swap), bridge short dropouts
        # inside one leg's stance, then drop what is still too short.
        min_len = int(round(self.min_stance_duration_s * fs))
        for a, b, lab in _label_runs(out):
            if lab != "" and b - a < min_len:
                out[a:b] = ""
        runs = _label_runs(out)
        bridge = int(round(1.0 * fs))
        for k in range(1, len(runs) - 1):
            a, b, lab = runs[k]
            if lab == "" and b - a <= bridge and runs[k - 1][2] == runs[k + 1][2] != "":
                out[a:b] = runs[k - 1][2]
        for a, b, lab in _label_runs(out):
            if lab != "" and b - a < min_len:
                out[a:b] = ""
        return out

    def _reps_in(self, P: dict[str, FloatArray], leg: str, a: int, b: int, leg_len: float,
                 time_s: FloatArray) -> list[SquatRep]:
        other = "right" if leg == "left" else "left"
        depth = P[f"{leg}_hip"][a:b, 1] / leg_len        # grows as the hip goes down
        if np.isnan(depth).all() or b - a < 5:
            return []
        base = np.nanmin(depth)
        sig = np.where(np.isfinite(depth), depth, base)
        fs = 1.0 / float(np.median(np.diff(time_s))) if len(time_s) > 1 else 1.0
        peaks, _ = find_peaks(sig, prominence=self.min_depth_leg_fraction,
                              distance=max(1, int(round(self.min_rep_duration_s * fs))))
        reps = []
        bounds = [0, *peaks.tolist(), len(sig) - 1]
        for k, p in enumerate(peaks):
            lo = bounds[k] + int(np.argmin(sig[bounds[k]:p + 1]))
            hi = p + int(np.argmin(sig[p:bounds[k + 2] + 1]))
            standing = max(sig[lo], sig[hi])
            frac = self._vertex(sig, p, lo, hi, standing)
            i = a + p
            bottom = float(np.interp(p + frac, np.arange(len(sig)), sig))
            depth_frac = bottom - standing if np.isfinite(standing) else float("nan")
            w0, w1 = self._window(sig, p, lo, hi, standing, self.peak_fit_depth_fraction)
            ang = self._angles_at(P, leg, other, i, frac, (a + w0, a + w1))
            if not np.isfinite(ang["fppa_deg"]):
                continue
            knee_est = float(np.degrees(2 * np.arccos(np.clip(1 - depth_frac, -1, 1))))
            t_peak = float(np.interp(i + frac, np.arange(len(time_s)), time_s))
            reps.append(SquatRep(
                leg=leg, start_s=float(time_s[a + lo]), peak_s=t_peak, end_s=float(time_s[a + hi]),
                peak_frame=int(round(i + frac)), depth_fraction=depth_frac,
                knee_flexion_est_deg=knee_est, **ang))
        return reps

    @staticmethod
    def _vertex(sig: FloatArray, p: int, lo: int, hi: int, standing: float) -> float:
        """Sub-frame offset of the bottom: a parabola through the deepest third of the rep."""
        a, b = SingleLegSquatAnalysis._window(sig, p, lo, hi, standing, 1.0 / 3.0)
        if b - a < 2:
            return 0.0
        x = np.arange(a, b + 1) - p
        c2, c1, _ = np.polyfit(x, sig[a:b + 1], 2)
        if c2 >= 0:
            return 0.0
        return float(np.clip(-c1 / (2 * c2), a - p, b - p))

    @staticmethod
    def _window(sig: FloatArray, p: int, lo: int, hi: int, standing: float,
                fraction: float) -> tuple[int, int]:
        """Frames around the bottom whose depth is within ``fraction`` of the rep's range."""
        level = sig[p] - fraction * (sig[p] - standing)
        a = p
        while a > lo and sig[a - 1] >= level:
            a -= 1
        b = p
        while b < hi and sig[b + 1] >= level:
            b += 1
        return a, b

    def _angles_at(self, P: dict[str, FloatArray], leg: str, other: str, i: int,
                   frac: float, window: tuple[int, int]) -> dict[str, Any]:
        pos = i + frac
        values = self._angles_point(P, leg, other, pos)
        w0, w1 = window
        if w1 - w0 + 1 < 5:
            return values
        # Local quadratic fit of each angle over the bottom of the rep, read at the bottom:
        # averages the pose noise without the flattening a plain mean would cause.
        idx = np.arange(w0, w1 + 1)
        series = self._angles_series(P, leg, other, idx)
        for k, y in series.items():
            ok = np.isfinite(y)
            if ok.sum() >= 5:
                coef = np.polyfit(idx[ok] - pos, y[ok], 2)
                values[k] = float(coef[-1])
        return values

    @staticmethod
    def _angles_series(P: dict[str, FloatArray], leg: str, other: str,
                       idx: IntArray | FloatArray) -> dict[str, FloatArray]:
        hip, ohip = P[f"{leg}_hip"][idx], P[f"{other}_hip"][idx]
        knee, ankle = P[f"{leg}_knee"][idx], P[f"{leg}_ankle"][idx]
        out = {
            "fppa_deg": fppa_deg(hip, knee, ankle, other_hip=ohip),
            "hip_adduction_deg": hip_adduction_deg(hip, knee, other_hip=ohip),
            "pelvic_drop_deg": pelvic_drop_deg(hip, ohip),
        }
        if f"{leg}_shoulder" in P and f"{other}_shoulder" in P:
            out["trunk_lean_deg"] = trunk_lean_deg(hip, ohip, P[f"{leg}_shoulder"][idx],
                                                   P[f"{other}_shoulder"][idx])
        return out

    def _angles_point(self, P: dict[str, FloatArray], leg: str, other: str,
                      pos: float) -> dict[str, Any]:

        def at(m: str) -> FloatArray:
            lo = int(np.clip(np.floor(pos), 0, len(P[m]) - 1))
            hi = min(lo + 1, len(P[m]) - 1)
            w = pos - lo
            return cast(FloatArray, (1 - w) * P[m][lo] + w * P[m][hi])

        hip, ohip = at(f"{leg}_hip"), at(f"{other}_hip")
        knee, ankle = at(f"{leg}_knee"), at(f"{leg}_ankle")
        lean: float | None = None
        if f"{leg}_shoulder" in P and f"{other}_shoulder" in P:
            v = float(trunk_lean_deg(hip, ohip, at(f"{leg}_shoulder"), at(f"{other}_shoulder")))
            lean = v if np.isfinite(v) else None
        return {
            "fppa_deg": float(fppa_deg(hip, knee, ankle, other_hip=ohip)),
            "hip_adduction_deg": float(hip_adduction_deg(hip, knee, other_hip=ohip)),
            "pelvic_drop_deg": float(pelvic_drop_deg(hip, ohip)),
            "trunk_lean_deg": lean,
        }

    def _quality(self, kp: Keypoints, P: dict[str, FloatArray], scale: float,
                 reps: list[SquatRep], warnings: list[str]) -> dict[str, Any]:
        frames = np.zeros(kp.n_frames, dtype=bool)
        for r in reps:
            frames[(kp.time_s >= r.start_s) & (kp.time_s <= r.end_s)] = True
        if not frames.any():
            frames[:] = True
        names = [m for m in _BODY if kp.has(m)]
        cols = [kp.index(m) for m in names]
        xy = kp.xy[frames][:, cols]
        conf = kp.confidence[frames][:, cols]
        ok = np.isfinite(xy).all(axis=2) & (conf >= self.min_confidence)
        if kp.image_size is not None:
            w, h = kp.image_size
            mx, my = self.frame_margin_fraction * w, self.frame_margin_fraction * h
            with np.errstate(invalid="ignore"):
                ok &= (xy[..., 0] >= mx) & (xy[..., 0] <= w - mx)
                ok &= (xy[..., 1] >= my) & (xy[..., 1] <= h - my)
        in_frame = float(ok.all(axis=1).mean())
        if in_frame < 0.95:
            warnings.append(f"part of the body was out of frame or hidden in "
                            f"{100 * (1 - in_frame):.0f}% of the squat frames; "
                            "step back so head to feet stay in view")
        dx = P["left_hip"][:, 0] - P["right_hip"][:, 0]
        width = float(np.nanmedian(np.abs(dx))) / scale
        if width < 0.1:
            warnings.append("the hips overlap in the image: this looks like a side view; "
                            "film the squat from the front")
        # Front view: the runner's left hip appears on the image's right.
        left_on_right = float(np.nanmedian(dx)) > 0
        expected = parse_view(self.view) is View.FRONT
        mirrored = width >= 0.1 and left_on_right != expected
        if mirrored:
            warnings.append("left and right look swapped for a front view (a mirrored selfie "
                            "video, or filmed from behind?); check which leg is which")
        return {"in_frame_fraction": round(in_frame, 3), "hip_width_leg_fraction": round(width, 3),
                "mirrored": bool(mirrored), "fps": round(kp.fps, 3)}

    def _summary(self, reps: list[SquatRep]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for lg in LEGS:
            mine = [r for r in reps if r.leg == lg]
            entry: dict[str, Any] = {"n_reps": len(mine)}
            for m in _METRICS:
                entry[m] = _stats([getattr(r, m) for r in mine])
            out[lg] = entry
        if out["left"]["n_reps"] and out["right"]["n_reps"]:
            out["asymmetry"] = {
                f"{m}_left_minus_right": round(out["left"][m]["mean"] - out["right"][m]["mean"], 2)
                for m in ("fppa_deg", "hip_adduction_deg", "pelvic_drop_deg")
                if out["left"][m]["mean"] is not None and out["right"][m]["mean"] is not None
            }
        return out

    # ------------------------------------------------------------------ output
    def to_dict(self) -> dict[str, Any]:
        """Results as the ``squat_video`` block of ``screening.json``."""
        out: dict[str, Any] = json_safe({
            "method": "single-leg squat, angles at peak knee flexion (lowest stance hip)",
            "view": self.view,
            "reps": [r.to_dict() for r in self.reps_],
            "summary": self.summary_,
            "quality": self.quality_,
            "warnings": list(self.warnings_),
        })
        return out
