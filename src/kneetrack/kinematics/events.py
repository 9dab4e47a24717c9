"""Gait events from 2D keypoints: initial contact and toe-off of each leg.

Method
------
1. **Steps and legs.** The vertical image distance between the two ankles
   (feet) swings once per stride: the stance foot is on the ground, the swing
   foot is lifted, so the stance foot is the lower one in every view. Its
   extremes mark mid-stance of the left (max) and right (min) leg. Legs
   alternate: within each run of regular steps the alternating labelling
   that agrees with most steps is used, so a leftover label swap cannot flip
   one step's leg.
2. **Contact.** Combined, calibrated cues within the window between the
   previous opposite mid-stance and this mid-stance:

   - *pelvis* (all views): the mid-hip point's downward image velocity peaks
     when the ground reaction force reaches body weight, a few tens of ms after
     initial contact (Cavagna's bouncing-ball model of running; the centre of
     mass falls until the vertical force exceeds body weight). Contact = that
     peak − ``pelvis_delay_ms``.
   - *front view*: the landing part of the foot (heel for a rearfoot strike,
     toes for a forefoot strike: whichever turns first) has an image row that
     turns at contact (it moves down while the foot descends and approaches the
     camera, up as the stance foot is carried away on a treadmill), a sub-frame
     turning point (FIELD_NOTES; cf. the coordinate methods of Zeni et al.
     2008). Overground toward the camera the stance foot stays put, there is
     no turning point, the cue disagrees with the pelvis and is dropped.
   - *side views*: the heel's most forward position relative to the pelvis
     (Zeni JA, Richards JG, Higginson JS 2008, Gait Posture 27:710–714), which
     precedes contact in running by ``zeni_delay_ms``.
   - *rear view*: descending and approaching the camera move the heel the same
     way, so no foot cue is reliable; the pelvis cue carries the estimate and
     the uncertainty says so.

   The contact window runs from 0.65 step before the foot-height extreme to
   0.3 step after it (forefoot strikers reach the extreme just after contact).
   Each cue is refined to a sub-frame instant with a parabola through the
   extreme sample and its neighbours (an extreme at the window's edge or next
   to a tracking gap is rejected); the cues are averaged with weights
   ``1/sd²``; a foot cue more than ``max_cue_disagreement_ms`` from the pelvis
   cue is dropped; ``contact_uncertainty_ms`` combines the cues' calibrated
   standard deviations with their disagreement (at least 10 ms from behind). Delays and SDs were
   calibrated against force plates (mocap2d: Fukuchi et al. 2017 RBDS001,
   Hamner et al. 2010 subject 2; 60 and 150 fps, 1.5 px noise) and are
   parameters of :class:`ContactDetector`. Handsaker et al. 2016 report
   ±15 ms as the best marker-based contact timing.
3. **Toe-off.** The mid-hip point's upward image velocity peaks late in stance
   as the vertical force falls below body weight; toe-off = that peak +
   ``toe_off_delay_ms``. In the rear view the toe's lowest image point (it is
   carried toward the camera until it lifts) is averaged in. A toe-off more
   than ``max_stance_steps`` step times after contact is discarded.
4. **Cadence** = 60 / mean time between consecutive contacts of alternate
   legs, leaving out steps that span a tracking gap.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np
from scipy.signal import find_peaks

from kneetrack.keypoints import Keypoints
from kneetrack.kinematics.filtering import butter_lowpass, nanmean_rows

LEGS = ("left", "right")


@dataclass(frozen=True)
class StanceEvents:
    """One stance of one leg.

    Attributes
    ----------
    leg : str
        ``left`` or ``right``.
    contact_s, toe_off_s : float
        Initial contact and toe-off, seconds from the first frame (NaN if
        outside the clip).
    midstance_s : float
        Time of the stance foot's lowest image point relative to the other foot.
    contact_uncertainty_ms : float
        One standard deviation of the contact time.
    cues_ms : dict
        Each contact cue's estimate relative to the combined one (ms).
    """

    leg: str
    contact_s: float
    toe_off_s: float
    midstance_s: float
    contact_uncertainty_ms: float
    cues_ms: dict[str, float] = field(default_factory=dict)

    @property
    def complete(self) -> bool:
        """Both events inside the clip."""
        return bool(np.isfinite(self.contact_s) and np.isfinite(self.toe_off_s))


def parabolic_peak(y: np.ndarray, i: int) -> float:
    """Sub-sample position of a maximum at index ``i`` (parabola through 3 samples).

    Examples
    --------
    >>> import numpy as np
    >>> round(parabolic_peak(-(np.arange(5) - 2.3) ** 2, 2), 3)
    2.3
    """
    if i <= 0 or i >= len(y) - 1:
        return float(i)
    a, b, c = y[i - 1], y[i], y[i + 1]
    den = a - 2 * b + c
    if not np.isfinite(den) or den >= 0:
        return float(i)
    return float(i + 0.5 * (a - c) / den)


def _window_peak(sig: np.ndarray, lo: int, hi: int) -> float:
    """Sub-frame index of the maximum of ``sig[lo:hi+1]`` (NaN if none or at the edge)."""
    lo, hi = max(lo, 0), min(hi, len(sig) - 1)
    if hi - lo < 2:
        return float("nan")
    seg = sig[lo:hi + 1]
    if np.all(np.isnan(seg)):
        return float("nan")
    i = int(np.nanargmax(seg))
    if i == 0 or i == len(seg) - 1 or np.isnan(seg[i - 1]) or np.isnan(seg[i + 1]):
        return float("nan")  # no turning point inside the window (or at the edge of a gap)
    return lo + parabolic_peak(seg, i)


def _at(time_s: np.ndarray, idx: float) -> float:
    """Time at a fractional frame index."""
    if not np.isfinite(idx):
        return float("nan")
    i = int(np.clip(np.floor(idx), 0, len(time_s) - 1))
    if i >= len(time_s) - 1:
        return float(time_s[-1])
    return float(time_s[i] + (idx - i) * (time_s[i + 1] - time_s[i]))


def _foot_y(kp: Keypoints, leg: str) -> np.ndarray:
    cols = [kp[f"{leg}_{p}"][:, 1] for p in ("ankle", "heel", "toe") if kp.has(f"{leg}_{p}")]
    return nanmean_rows(np.stack(cols))


def _marker(kp: Keypoints, name: str, fallback: str) -> np.ndarray:
    for m in (name, fallback):
        if kp.has(m) and np.isfinite(kp[m]).any():
            return kp[m]
    return np.full((kp.n_frames, 2), np.nan)


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
    pelvis_delay_ms : float
        Delay of the mid-hip downward-velocity peak after initial contact.
    pelvis_sd_ms : float
        Calibrated SD of the pelvis contact cue.
    heel_turn_delay_ms : float
        Front view: delay of contact after the heel's image turning point.
    heel_turn_sd_ms : float
        SD of that cue.
    zeni_delay_ms : float
        Side views: delay of contact after the heel's most forward position.
    zeni_sd_ms : float
        SD of that cue.
    toe_off_delay_ms : float
        Delay of toe-off after the mid-hip upward-velocity peak.
    max_cue_disagreement_ms : float
        When the foot cue disagrees with the pelvis cue by more than this, the
        foot cue is dropped (a pose-estimator glitch is more likely).
    min_foot_lift_fraction : float
        Smallest swing of the foot-height difference, as a fraction of the
        hip–ankle distance, that counts as a step.
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
    >>> det = ContactDetector("front").detect(kp)  # doctest: +SKIP
    >>> det.cadence_spm_  # doctest: +SKIP
    171.4
    """

    def __init__(self, view: str, *, min_step_s: float = 0.2, anchor_cutoff_hz: float = 4.0,
                 pelvis_cutoff_hz: float = 6.0, pelvis_delay_ms: float = 28.0,
                 pelvis_sd_ms: float = 5.0, heel_turn_delay_ms: float = 7.0,
                 heel_turn_sd_ms: float = 5.0, zeni_delay_ms: float = 22.0,
                 zeni_sd_ms: float = 8.0, toe_off_delay_ms: float = 40.0,
                 max_cue_disagreement_ms: float = 45.0,
                 min_foot_lift_fraction: float = 0.08,
                 max_stance_steps: float = 1.2) -> None:
        self.view = view
        self.max_stance_steps = max_stance_steps
        self.min_foot_lift_fraction = min_foot_lift_fraction
        self.min_step_s = min_step_s
        self.anchor_cutoff_hz = anchor_cutoff_hz
        self.pelvis_cutoff_hz = pelvis_cutoff_hz
        self.pelvis_delay_ms = pelvis_delay_ms
        self.pelvis_sd_ms = pelvis_sd_ms
        self.heel_turn_delay_ms = heel_turn_delay_ms
        self.heel_turn_sd_ms = heel_turn_sd_ms
        self.zeni_delay_ms = zeni_delay_ms
        self.zeni_sd_ms = zeni_sd_ms
        self.toe_off_delay_ms = toe_off_delay_ms
        self.max_cue_disagreement_ms = max_cue_disagreement_ms

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
        out: list[tuple[int, str, float]] = []
        for run in np.split(np.arange(peaks.size), breaks):
            votes = np.sign(d[peaks[run]])
            pattern = np.where(np.arange(run.size) % 2 == 0, 1.0, -1.0)
            first_left = float(np.sum(votes * pattern)) >= 0
            for k, j in enumerate(run):
                is_left = (k % 2 == 0) == first_left
                out.append((int(peaks[j]), "left" if is_left else "right", float(abs(d[peaks[j]]))))
        return [(i, leg) for i, leg, _ in out]

    # --------------------------------------------------------------- detection
    def detect(self, kp: Keypoints) -> ContactDetector:
        """Detect events in cleaned, low-passed keypoints; return ``self``."""
        fps = kp.fps
        t = kp.time_s
        self.stances_: list[StanceEvents] = []
        self.contacts_ = {leg: np.array([]) for leg in LEGS}
        self.toe_offs_ = {leg: np.array([]) for leg in LEGS}
        self.step_time_s_ = float("nan")
        self.cadence_spm_: float | None = None
        anchors = self._anchors(kp)
        if not anchors:
            return self
        gaps = np.diff([a[0] for a in anchors])
        step_frames = float(np.median(gaps)) if len(gaps) else 0.35 * fps

        lhip, rhip = _marker(kp, "left_hip", "mid_hip"), _marker(kp, "right_hip", "mid_hip")
        pel = nanmean_rows(np.stack([lhip, rhip]))
        # Long gaps stay NaN (cleaning filled the short ones): each tracked run is filtered
        # on its own and a velocity peak at a gap's edge is rejected.
        pel_y = butter_lowpass(pel[:, 1], cutoff_hz=min(self.pelvis_cutoff_hz, 0.4 * fps),
                               fs_hz=fps)
        v_pel = np.full(kp.n_frames, np.nan)
        if kp.n_frames > 2:
            v_pel[1:-1] = 0.5 * (pel_y[2:] - pel_y[:-2])
        fwd = {"side-right": 1.0, "side-left": -1.0}.get(self.view, 0.0)
        heels = {leg: _marker(kp, f"{leg}_heel", f"{leg}_ankle") for leg in LEGS}
        toes = {leg: _marker(kp, f"{leg}_toe", f"{leg}_ankle") for leg in LEGS}
        heel_forward = {leg: fwd * (heels[leg][:, 0] - pel[:, 0]) for leg in LEGS}

        def contact(leg: str, lo: int, hi: int) -> tuple[float, float, dict[str, float]]:
            cues: list[tuple[str, float, float]] = []
            ip = _window_peak(v_pel, lo, hi)
            if np.isfinite(ip):
                cues.append(("pelvis", _at(t, ip) - self.pelvis_delay_ms / 1000, self.pelvis_sd_ms))
            heel = heels[leg]
            if self.view == "front":
                # Whichever part of the foot lands first turns first: the heel for a
                # rearfoot strike, the toes for a forefoot strike.
                turns = [_window_peak(p[:, 1], lo, hi) for p in (heel, toes[leg])]
                turns = [i for i in turns if np.isfinite(i)]
                if turns:
                    cues.append(("foot_turn", _at(t, min(turns)) + self.heel_turn_delay_ms / 1000,
                                 self.heel_turn_sd_ms))
            elif fwd != 0:
                iz = _window_peak(heel_forward[leg], lo, hi)
                if np.isfinite(iz):
                    cues.append(("heel_forward", _at(t, iz) + self.zeni_delay_ms / 1000,
                                 self.zeni_sd_ms))
            if not cues:
                return float("nan"), float("nan"), {}
            if len(cues) > 1 and cues[0][0] == "pelvis":
                dis = abs(cues[1][1] - cues[0][1]) * 1000
                if dis > self.max_cue_disagreement_ms:
                    cues = cues[:1]
            w = np.array([1.0 / c[2] ** 2 for c in cues])
            vals = np.array([c[1] for c in cues])
            tc = float(np.sum(w * vals) / np.sum(w))
            sd = float(np.sqrt(1.0 / np.sum(w)))
            spread = float(np.max(np.abs(vals - tc)) * 1000) if len(cues) > 1 else 0.0
            unc = float(np.hypot(sd, spread))
            if len(cues) == 1 and self.view == "rear":
                unc = max(unc, 10.0)
            return tc, unc, {c[0]: round((c[1] - tc) * 1000, 1) for c in cues}

        def toe_off(leg: str, lo: int, hi: int) -> float:
            est: list[float] = []
            ip = _window_peak(-v_pel, lo, hi)
            if np.isfinite(ip):
                est.append(_at(t, ip) + self.toe_off_delay_ms / 1000)
            if self.view == "rear":
                toe = toes[leg]
                it = _window_peak(toe[:, 1], lo, hi)
                if np.isfinite(it):
                    est.append(_at(t, it))
            return float(np.mean(est)) if est else float("nan")

        n = kp.n_frames
        for k, (m, leg) in enumerate(anchors):
            prev = anchors[k - 1][0] if k > 0 else None
            nxt = anchors[k + 1][0] if k + 1 < len(anchors) else None
            step_before = (m - prev) if prev is not None else step_frames
            step_after = (nxt - m) if nxt is not None else step_frames
            # The foot-height extreme falls anywhere from just after contact (forefoot
            # strikers) to mid-stance: the contact window reaches a little past it.
            lo = int(np.floor(m - 0.65 * step_before))
            mid = int(np.ceil(m + 0.3 * step_after))
            hi = int(np.ceil(m + 0.8 * step_after))
            # Windows are clipped to the clip; a cue at the window edge is rejected.
            tc, unc, cues = contact(leg, max(lo, 0), min(mid, n - 1))
            to = toe_off(leg, m, min(hi, n - 1))
            if np.isfinite(tc) and np.isfinite(to) and to - tc < 0.05:
                to = float("nan")
            self.stances_.append(StanceEvents(leg=leg, contact_s=tc, toe_off_s=to,
                                              midstance_s=float(t[m]),
                                              contact_uncertainty_ms=unc, cues_ms=cues))
        for leg in LEGS:
            self.contacts_[leg] = np.array([s.contact_s for s in self.stances_
                                            if s.leg == leg and np.isfinite(s.contact_s)])
            self.toe_offs_[leg] = np.array([s.toe_off_s for s in self.stances_
                                            if s.leg == leg and np.isfinite(s.toe_off_s)])
        self.step_time_s_, self.cadence_spm_ = _cadence(self.stances_)
        if np.isfinite(self.step_time_s_):
            # Running stance lasts less than ~1.2 steps (duty factor < 0.6): a later
            # "toe-off" belongs to another step.
            limit = self.max_stance_steps * self.step_time_s_
            self.stances_ = [s if not (s.toe_off_s - s.contact_s > limit) else
                             replace(s, toe_off_s=float("nan")) for s in self.stances_]
        for leg in LEGS:
            self.toe_offs_[leg] = np.array([s.toe_off_s for s in self.stances_
                                            if s.leg == leg and np.isfinite(s.toe_off_s)])
        return self


def _cadence(stances: list[StanceEvents]) -> tuple[float, float | None]:
    """Median step time and cadence from consecutive alternate-leg contacts.

    Steps longer than 1.6 × the median step (a gap in tracking) are not counted.
    """
    tc = [(s.contact_s, s.leg) for s in stances if np.isfinite(s.contact_s)]
    steps = np.array([b[0] - a[0] for a, b in zip(tc[:-1], tc[1:], strict=True)
                      if a[1] != b[1]])
    if steps.size == 0:
        return float("nan"), None
    med = float(np.median(steps))
    good = steps[(steps > 0.5 * med) & (steps < 1.6 * med)]
    if good.size == 0:
        return med, None
    return med, float(60.0 / np.mean(good))
