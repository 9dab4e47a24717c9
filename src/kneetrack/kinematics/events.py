"""Gait events from 2D keypoints: initial contact and toe-off of each leg.

Method
------
1. **Steps and legs.** The vertical image distance between the two ankles
   (feet) swings once per stride: the stance foot is on the ground, the swing
   foot is lifted, so the stance foot is the lower one in every view. Its
   extremes mark mid-stance of the left (max) and right (min) leg. Legs
   alternate: the labelling is the cheapest path (Viterbi) where disagreeing
   with a step's evidence costs that evidence and breaking the alternation
   costs ``leg_repeat_cost``, so a leftover label swap cannot flip one step's
   leg, and an extra or missed step shifts the alternation once instead of
   flipping every later leg. The median time between these extremes is the runner's
   own step time; every window and delay below is a fraction of it.
2. **Contact: the foot leads** (cues in :mod:`kneetrack.kinematics.event_cues`).

   - *side views*: the heel's forward image position relative to the pelvis
     peaks in late swing and then falls back at the ground's speed; contact
     is where its velocity has come half-way to the stance velocity measured
     in the same stance (a foot-velocity method; no delay, no pixel or speed
     constant).
   - *front view*: the landing part of the foot (heel for a rearfoot strike,
     toes for a forefoot strike: whichever turns first) has an image row that
     turns at contact (it moves down while the foot descends and approaches
     the camera, up as the stance foot is carried away).
   - *all views, second opinion and rear-view cue*: the mid-hip's downward and
     upward image-velocity peaks, where the vertical force crosses body
     weight, converted to contact and toe-off with the sine-wave force model
     of running (Morin et al. 2005): the delay follows from the runner's own
     stance and step times (about 60 ms at 2 m/s, 30 ms at 5 m/s). From
     behind, descending and approaching the camera move the heel the same way
     in the image, so no foot cue is reliable there (FIELD_NOTES) and this
     cue carries the estimate.

   Where the view has a foot cue, contact = ``foot_weight`` (2/3) × foot cue
   + 1/3 × pelvis model. A foot cue further than
   ``max_cue_disagreement_steps`` step times from the pelvis cue is taken for a
   pose glitch and replaced by it. A residual offset
   ``contact_offset_steps`` (per view, in step times) can be calibrated; the
   benchmark (``benchmarks/kinematics_accuracy.py --loro``) fits it on all
   runners but the one it reports. ``contact_uncertainty_ms`` is half the
   disagreement of the two cues combined with a floor of
   ``min_uncertainty_steps`` step times. Handsaker et al. 2016 report ±15 ms
   as the best marker-based contact timing.
3. **Toe-off**: the pelvis's upward-velocity peak plus the sine-wave model's
   delay (the same one as at contact, by symmetry of the model); in side
   views averaged with the peak of knee extension (Fellin et al. 2010); from
   behind, 2:1 with the toe's image-row turn (the stance toe is carried
   toward the camera, down the image, until it lifts). A toe-off more than
   ``max_stance_steps`` step times after contact is discarded.
4. **Cadence** = 60 / mean time between consecutive contacts of alternate
   legs, leaving out steps that span a tracking gap.

All events are sub-frame: velocity crossings are interpolated linearly,
extremes with a parabola through three samples, on the frame timestamps.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any, NamedTuple

import numpy as np
from numpy.typing import NDArray

from kneetrack.core.peaks import find_peaks
from kneetrack.core.views import View
from kneetrack.keypoints import Keypoints
from kneetrack.kinematics import event_cues as cues
from kneetrack.kinematics.event_cues import parabolic_peak
from kneetrack.kinematics.filtering import butter_lowpass, nanmean_rows
from kneetrack.kinematics.step_sequence import (
    StanceEvents,
    alternating_labels,
    cadence_from_contacts,
    resolve_disagreements,
    settle_outlier_cues,
)

LEGS = ("left", "right")
__all__ = ["LEGS", "ContactDetector", "StanceEvents", "parabolic_peak"]


def _foot_y(kp: Keypoints, leg: str) -> NDArray[Any]:
    cols = [kp[f"{leg}_{p}"][:, 1] for p in ("ankle", "heel", "toe") if kp.has(f"{leg}_{p}")]
    return nanmean_rows(np.stack(cols))


def _marker(kp: Keypoints, name: str, fallback: str) -> NDArray[Any]:
    for m in (name, fallback):
        if kp.has(m) and np.isfinite(kp[m]).any():
            return kp[m]
    return np.full((kp.n_frames, 2), np.nan)


class _Window(NamedTuple):
    """Frame windows of one stance around its foot-height extreme ``m``."""

    m: int
    leg: str
    lo: int                  # contact search starts
    mid: int                 # contact search ends
    hi: int                  # toe-off search ends
    flat: tuple[int, int]    # mid-stance: foot flat, carried at the ground's speed


def _step_time(anchors: list[tuple[int, str]], t: NDArray[Any], fps: float
               ) -> tuple[float, float]:
    """The runner's step in frames and seconds (medians between anchors; 0.35 s with one)."""
    idx = np.array([a[0] for a in anchors])
    if idx.size < 2:
        return 0.35 * fps, 0.35
    return float(np.median(np.diff(idx))), float(np.median(np.diff(t[idx])))


def _stance_windows(anchors: list[tuple[int, str]], step_frames: float, n: int
                    ) -> list[_Window]:
    """Search windows of every stance, as fractions of its neighbouring steps."""
    out = []
    for k, (m, leg) in enumerate(anchors):
        prev = anchors[k - 1][0] if k > 0 else None
        nxt = anchors[k + 1][0] if k + 1 < len(anchors) else None
        before = (m - prev) if prev is not None else step_frames
        after = (nxt - m) if nxt is not None else step_frames
        # The foot-height extreme falls anywhere from just after contact (forefoot
        # strikers) to mid-stance: the contact window reaches a little past it.
        lo = max(int(np.floor(m - 0.65 * before)), 0)
        mid = min(int(np.ceil(m + 0.3 * after)), n - 1)
        hi = min(int(np.ceil(m + 0.8 * after)), n - 1)
        flat = (max(int(m - 0.2 * before), lo + 1), min(int(np.ceil(m + 0.1 * after)), n - 1))
        out.append(_Window(m, leg, lo, mid, hi, flat))
    return out


def _per_leg(stances: list[StanceEvents], attr: str) -> dict[str, NDArray[Any]]:
    """``{"left": times, "right": times}`` of one event (finite values only)."""
    out = {}
    for leg in LEGS:
        v = np.array([getattr(s, attr) for s in stances if s.leg == leg], dtype=float)
        out[leg] = v[np.isfinite(v)]
    return out


class ContactDetector:
    """Detect initial contacts and toe-offs of both legs.

    Parameters
    ----------
    view : str
        ``front``, ``rear``, ``side-left`` or ``side-right``.
    min_step_s : float
        Shortest plausible step (contact to opposite contact).
    anchor_cutoff_hz : float
        Low-pass cut-off for the foot-height difference that finds steps.
    pelvis_cutoff_hz : float
        Low-pass cut-off for the mid-hip vertical position.
    ground_speed_fraction : float
        Side views: contact when the heel has reached this fraction of its
        stance velocity (0.5 = half-way from its most forward point).
    contact_offset_steps : float or None
        Residual offset added to every contact, in step times (``None``: the
        per-view default of :attr:`CONTACT_OFFSET_STEPS`).
    foot_weight : float
        Weight of the foot cue against the pelvis model where the view has a
        foot cue (front, side): 2/3 = the foot leads, the pelvis is the second
        opinion.
    max_cue_disagreement_steps : float
        A foot cue further than this (in step times) from the pelvis cue is
        replaced by the pelvis cue.
    min_uncertainty_steps : dict, optional
        Floor of ``contact_uncertainty_ms`` per view, in step times.
    min_foot_lift_fraction : float
        Smallest swing of the foot-height difference, as a fraction of the
        hip–ankle distance, that counts as a step.
    leg_repeat_cost : float
        Cost, in steps' worth of evidence, of two steps in a row on the same leg
        when labelling legs (see :func:`_alternating_labels`). 10: with one
        left/right swap per second a lower cost (2.5–6) let swap evidence break
        the alternation on the synthetic stress clip.
    max_stance_steps : float
        Longest plausible stance, in step times (running: duty factor below
        0.6, so stance < 1.2 steps); a later toe-off is discarded.

    Attributes
    ----------
    stances_ : list of StanceEvents
        Every stance found, in time order (first and last may be incomplete).
    contacts_ : dict
        ``{"left": ndarray, "right": ndarray}`` contact times (s).
    toe_offs_ : dict
        ``{"left": ndarray, "right": ndarray}`` toe-off times (s).
    step_time_s_ : float
        Median time between consecutive contacts of alternate legs (NaN if < 2).
    cadence_spm_ : float or None
        Steps per minute, from consecutive contacts (``None`` if < 2 contacts).

    Notes
    -----
    See the module docstring for the method and its references.

    Examples
    --------
    >>> det = ContactDetector(View.FRONT).detect(kp)  # doctest: +SKIP
    >>> det.cadence_spm_  # doctest: +SKIP
    171.4
    """

    stances_: list[StanceEvents]
    contacts_: dict[str, NDArray[Any]]
    toe_offs_: dict[str, NDArray[Any]]
    step_time_s_: float
    cadence_spm_: float | None

    #: Residual contact offset per view in step times. 0 = none: the cues carry no fitted
    #: delay. ``benchmarks/kinematics_accuracy.py --loro`` shows what a fitted offset
    #: would change on held-out runners.
    CONTACT_OFFSET_STEPS: dict[str, float] = {v: 0.0 for v in View}

    def __init__(self, view: str, *, min_step_s: float = 0.2, anchor_cutoff_hz: float = 4.0,
                 pelvis_cutoff_hz: float = 6.0, ground_speed_fraction: float = 0.5,
                 contact_offset_steps: float | None = None, foot_weight: float = 2.0 / 3.0,
                 max_cue_disagreement_steps: float = 0.2,
                 min_uncertainty_steps: dict[str, float] | None = None,
                 min_foot_lift_fraction: float = 0.08, leg_repeat_cost: float = 10.0,
                 max_stance_steps: float = 1.2) -> None:
        self.view = view
        self.min_step_s = min_step_s
        self.anchor_cutoff_hz = anchor_cutoff_hz
        self.pelvis_cutoff_hz = pelvis_cutoff_hz
        self.ground_speed_fraction = ground_speed_fraction
        self.contact_offset_steps = (self.CONTACT_OFFSET_STEPS.get(view, 0.0)
                                     if contact_offset_steps is None else contact_offset_steps)
        self.foot_weight = foot_weight
        self.max_cue_disagreement_steps = max_cue_disagreement_steps
        self.min_uncertainty_steps = min_uncertainty_steps or {
            View.FRONT: 0.015, View.SIDE_RIGHT: 0.015, View.SIDE_LEFT: 0.015, View.REAR: 0.03}
        self.min_foot_lift_fraction = min_foot_lift_fraction
        self.leg_repeat_cost = leg_repeat_cost
        self.max_stance_steps = max_stance_steps

    # ------------------------------------------------------------------ anchors
    def _anchors(self, kp: Keypoints) -> list[tuple[int, str]]:
        fps = kp.fps
        d = _foot_y(kp, "left") - _foot_y(kp, "right")
        if np.sum(np.isfinite(d)) < max(10, int(0.5 * fps)):
            return []
        d = np.where(np.isnan(d), np.nanmedian(d), d)
        d = butter_lowpass(d, cutoff_hz=min(self.anchor_cutoff_hz, 0.4 * fps), fs_hz=fps)
        d = d - np.median(d)
        # A running swing foot rises well above the stance foot: demand a real fraction of
        # the leg length, so jitter in a still clip is not read as steps.
        leg_px = np.nanmedian(np.hypot(*(_marker(kp, "left_ankle", "right_ankle")
                                         - _marker(kp, "left_hip", "right_hip")).T))
        floor = self.min_foot_lift_fraction * leg_px if np.isfinite(leg_px) else 0.0
        prom = max(0.5 * float(np.std(d)), floor)
        dist = max(1, int(round(self.min_step_s * fps)))
        peaks, _ = find_peaks(np.abs(d), distance=dist, prominence=prom)
        if peaks.size == 0:
            return []
        # Legs alternate. Within each run of regular steps, pick the alternating labelling
        # that agrees with most steps' evidence (which foot is lower), so a left/right swap
        # left over from cleaning cannot flip a single step's leg.
        gaps = np.diff(peaks)
        med = float(np.median(gaps)) if gaps.size else float("inf")
        # A peak much closer to its neighbour than a step is a glitch: keep the larger.
        kept: list[int] = []
        for p in peaks:
            if kept and p - kept[-1] < 0.6 * med:
                if abs(d[p]) > abs(d[kept[-1]]):
                    kept[-1] = int(p)
                continue
            kept.append(int(p))
        peaks = np.array(kept, dtype=int)
        gaps = np.diff(peaks)
        breaks = np.flatnonzero(gaps > 1.6 * med) + 1
        out: list[tuple[int, str]] = []
        for run in np.split(np.arange(peaks.size), breaks):
            labels = alternating_labels(d[peaks[run]], repeat_cost=self.leg_repeat_cost)
            out += [(int(peaks[j]), leg) for j, leg in zip(run, labels, strict=True)]
        return out

    # --------------------------------------------------------------- detection
    def detect(self, kp: Keypoints) -> ContactDetector:
        """Detect events in cleaned, low-passed keypoints; return ``self``.

        Steps: steps and legs from the feet (:meth:`_anchors`), the runner's step
        time, each stance's search windows, the pelvis velocity, the contact and
        toe-off of every stance (:meth:`_stance_events`), the whole-clip rules
        (:mod:`kneetrack.kinematics.step_sequence`), the cadence, then the
        stance-length limit and the per-leg results.
        """
        self._reset()
        anchors = self._anchors(kp)
        if not anchors:
            return self
        t = np.asarray(kp.time_s, dtype=float)
        step_frames, step_s = _step_time(anchors, t, kp.fps)
        windows = _stance_windows(anchors, step_frames, kp.n_frames)
        pel, v_down = self._pelvis(kp, t)
        stances = self._stance_events(kp, t, windows, pel, v_down, step_s)
        stances = resolve_disagreements(stances, step_s)
        stances = settle_outlier_cues(stances, step_s, frame_s=float(np.median(np.diff(t))),
                                      foot_weight=self.foot_weight)
        self.step_time_s_, self.cadence_spm_ = cadence_from_contacts(stances)
        self.stances_ = self._limit_stance_length(stances)
        self.contacts_ = _per_leg(self.stances_, "contact_s")
        self.toe_offs_ = _per_leg(self.stances_, "toe_off_s")
        return self

    def _reset(self) -> None:
        """Empty results (what a clip without steps reports)."""
        self.stances_ = []
        self.contacts_ = {leg: np.array([]) for leg in LEGS}
        self.toe_offs_ = {leg: np.array([]) for leg in LEGS}
        self.step_time_s_ = float("nan")
        self.cadence_spm_ = None

    def _pelvis(self, kp: Keypoints, t: NDArray[Any]) -> tuple[NDArray[Any], NDArray[Any]]:
        """Mid-hip image position and its low-passed downward velocity (px/s, + = down).

        Long gaps stay NaN (cleaning filled the short ones): a velocity peak at a
        gap's edge is rejected by the cue functions.
        """
        lhip, rhip = _marker(kp, "left_hip", "mid_hip"), _marker(kp, "right_hip", "mid_hip")
        pel = nanmean_rows(np.stack([lhip, rhip]))
        pel_y = butter_lowpass(pel[:, 1], cutoff_hz=min(self.pelvis_cutoff_hz, 0.4 * kp.fps),
                               fs_hz=kp.fps)
        return pel, cues.velocity(pel_y, t)

    def _stance_events(self, kp: Keypoints, t: NDArray[Any], windows: list[_Window],
                       pel: NDArray[Any], v_down: NDArray[Any], step_s: float
                       ) -> list[StanceEvents]:
        """Contact and toe-off of every stance: the foot's cues and the pelvis model.

        The pelvis model's force-crossing delay is one per clip (the median of
        the stances' solved delays, :func:`~kneetrack.kinematics.event_cues.
        sine_wave_clip_delta_s`).
        """
        fwd = View(self.view).forward_sign if self.view in tuple(View) else 0.0
        foot = {leg: {p: _marker(kp, f"{leg}_{p}", f"{leg}_ankle") for p in ("heel", "toe")}
                for leg in LEGS}
        offset_s = self.contact_offset_steps * step_s
        peaks = [cues.pelvis_peaks(v_down, t, (w.lo, w.mid), (w.m, w.hi)) for w in windows]
        delta = cues.sine_wave_clip_delta_s(peaks, step_s)
        out = []
        for w, (t_dn, t_up) in zip(windows, peaks, strict=True):
            tc_pel, to_pel = t_dn - delta, t_up + delta
            tc_foot = self._foot_contact(foot[w.leg], pel, t, w.lo, w.mid, w.flat, fwd)
            tc, unc, cue_ms = self._fuse(tc_foot, tc_pel, step_s)
            if np.isfinite(tc):
                tc += offset_s
            to = self._toe_off(kp, w.leg, t, to_pel, (w.m, w.hi, w.flat), fwd,
                               foot[w.leg]["toe"][:, 1], step_s)
            if np.isfinite(tc) and np.isfinite(to) and to - tc < 0.05:
                to = float("nan")
            out.append(StanceEvents(leg=w.leg, contact_s=tc, toe_off_s=to,
                                    midstance_s=float(t[w.m]), contact_uncertainty_ms=unc,
                                    cues_ms=cue_ms))
        return out

    def _limit_stance_length(self, stances: list[StanceEvents]) -> list[StanceEvents]:
        """Drop toe-offs more than ``max_stance_steps`` step times after their contact.

        Running stance lasts less than ~1.2 steps (duty factor < 0.6): a later
        "toe-off" belongs to another step.
        """
        if not np.isfinite(self.step_time_s_):
            return stances
        limit = self.max_stance_steps * self.step_time_s_
        return [s if not (s.toe_off_s - s.contact_s > limit) else
                replace(s, toe_off_s=float("nan")) for s in stances]

    def _foot_contact(self, pts: dict[str, NDArray[Any]], pel: NDArray[Any], t: NDArray[Any],
                      lo: int, mid: int, flat: tuple[int, int], fwd: float) -> float:
        """The foot's own contact cue for this view (NaN where the view has none)."""
        if self.view == View.FRONT:
            # Whichever part of the foot lands first turns first: the heel for a
            # rearfoot strike, the toes for a forefoot strike.
            turns = [cues.image_row_turn(p[:, 1], lo, mid) for p in pts.values()]
            turns = [i for i in turns if np.isfinite(i)]
            return cues.at_time(t, min(turns)) if turns else float("nan")
        if fwd != 0:
            # only this stance's frames (one more each side for the central difference)
            s0, s1 = max(lo - 1, 0), min(max(mid, flat[1]) + 2, len(t))
            a, b = flat[0] - s0, flat[1] - s0
            tt = t[s0:s1]
            heel = fwd * pts["heel"][s0:s1, 0]
            rel = heel - fwd * pel[s0:s1, 0]
            # On a treadmill the ground is still in the image and carries the foot back:
            # the heel's own image motion is the cue. Overground the stance foot stands
            # still in the image and the cue is its motion relative to the pelvis.
            v_abs = np.nanmedian(cues.velocity(heel, tt)[a:b + 1])
            v_rel = np.nanmedian(cues.velocity(rel, tt)[a:b + 1])
            u = heel if v_abs < 0.5 * v_rel else rel
            i = cues.foot_joins_ground(u, tt, lo - s0, mid - s0, (a, b),
                                       fraction=self.ground_speed_fraction)
            return cues.at_time(t, s0 + i)
        return float("nan")

    def _toe_off(self, kp: Keypoints, leg: str, t: NDArray[Any], to_pel: float,
                 win: tuple[int, int, tuple[int, int]], fwd: float, toe_y: NDArray[Any],
                 step_s: float) -> float:
        """Toe-off from the foot's cue and the pelvis model.

        Side: knee-extension peak, 1:1; rear: the toe's image-row turn, front:
        the onset of the toe's lift, both ``foot_weight`` against the pelvis. A
        foot cue further than ``max_cue_disagreement_steps`` from the pelvis
        model is taken for a glitch and the pelvis model kept.
        """
        m, hi, flat = win
        if fwd != 0:
            i = cues.knee_extension_peak(kp[f"{leg}_hip"], kp[f"{leg}_knee"],
                                         kp[f"{leg}_ankle"], m, hi)
            w = 0.5     # the knee peak is a joint-angle proxy, not the foot itself
        elif self.view == View.REAR:
            # the stance toe is carried toward the camera (down the image) until it lifts
            i = cues.image_row_turn(toe_y, m, hi)
            w = self.foot_weight
        else:
            # the stance toe is carried away from the camera (up the image); lifted, it
            # speeds up: the onset of that rise, searched up to a step after mid-stance
            i = cues.lift_onset(toe_y, t, m, min(m + (hi - m) * 5 // 4, len(t) - 1))
            w = self.foot_weight
        to_foot = cues.at_time(t, i)
        if not np.isfinite(to_foot):
            return to_pel
        if not np.isfinite(to_pel):
            return to_foot
        if self.view == View.FRONT and (abs(to_foot - to_pel)
                                     > self.max_cue_disagreement_steps * step_s):
            return to_pel
        return w * to_foot + (1.0 - w) * to_pel

    def _fuse(self, tc_foot: float, tc_pel: float, step_s: float
              ) -> tuple[float, float, dict[str, float]]:
        """Foot cue and pelvis model, weighted ``foot_weight`` : 1 - ``foot_weight``."""
        floor = self.min_uncertainty_steps.get(self.view, 0.03) * step_s * 1000
        if not np.isfinite(tc_foot):
            if not np.isfinite(tc_pel):
                return float("nan"), float("nan"), {}
            return tc_pel, floor, {"pelvis": 0.0}
        if not np.isfinite(tc_pel):
            return tc_foot, floor, {"foot": 0.0}
        dis = (tc_pel - tc_foot) * 1000
        if abs(dis) > self.max_cue_disagreement_steps * step_s * 1000:
            # one cue is off by more than a runner can be (a pose glitch, a wrong pelvis
            # peak): keep both; the step rhythm decides in :meth:`_resolve`
            return tc_pel, float(abs(dis)), {"pelvis": 0.0, "foot": round(-dis, 1),
                                             "unresolved": 1.0}
        w = self.foot_weight
        tc = w * tc_foot + (1.0 - w) * tc_pel
        cue_ms = {"foot": round((tc_foot - tc) * 1000, 1), "pelvis": round((tc_pel - tc) * 1000, 1)}
        return tc, float(np.hypot(floor, 0.5 * dis)), cue_ms


