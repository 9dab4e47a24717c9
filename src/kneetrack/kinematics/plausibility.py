"""The plausibility gate: one person running steadily, in real time, or no finding.

Checked before any finding (limits, sources and re-filming advice live in
``knowledge/thresholds/plausibility.yaml``):

- **steps**: enough contacts to judge, at regular intervals (robust CV of the
  step times, share of steps near the median);
- **cadence** within 130–300 steps/min, judged in real seconds: the container's
  frame times, or the rate given with ``--fps`` / ``--speed-factor``;
- **pattern**: running is a bouncing gait, the pelvis lowest at mid-stance
  (the stance foot's lowest image point relative to the other foot: a cue from
  the feet, independent of the pelvis-based contact timing); walking vaults
  over the stance leg, the pelvis highest at mid-stance. A clip whose pattern
  is running-like but whose cadence is far too low was slowed down (a
  slow-motion recording played at normal speed): the gate says so and asks for
  ``--speed-factor`` / ``--fps`` instead of guessing. From the front the
  pattern cannot be judged (a foot's image row mixes height and distance), and
  a too-low cadence gets both explanations;
- **flight gravity**: in flight the body falls with g; the pelvis's
  downward acceleration in flight, scaled to metres by the runner's own leg
  length (:func:`~kneetrack.kinematics.gait_pattern.flight_gravity`), gives
  the clip's time scale. A clip slowed ``k``-fold shows about ``g / k²``: a
  slowed sprint whose cadence still looks like running (290 steps/min played
  at half speed reads 145) is caught here, and the gate asks for
  ``--speed-factor`` / ``--fps`` instead of guessing;
- **proportions**: body proportions no person has (a frame stretched by a wrong
  aspect ratio, a skeleton spanning two people) withhold every angle;
- **identity** (:mod:`kneetrack.kinematics.identity`) is applied before, and
  reported here.

The measures live in :mod:`kneetrack.kinematics.gait_pattern`, the ranges in
:mod:`kneetrack.kinematics.bounds`. Every per-step metric has a physiological
range (:func:`~kneetrack.kinematics.bounds.apply_bounds`): a
value outside it is moved to the stance's ``withheld`` dict with its reason; a
metric withheld on too many of a leg's steps is withheld for that leg
altogether. A clip that fails the gate has every metric withheld
(:meth:`PlausibilityGate.withhold_all`), no cadence and no findings.
"""

from __future__ import annotations

from collections.abc import Mapping, MutableMapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from kneetrack.core.views import FRONTAL_VIEWS, SAGITTAL_VIEWS, View
from kneetrack.keypoints import Keypoints
from kneetrack.kinematics.bounds import AUXILIARY_FIELDS, METRIC_CURVES, apply_bounds, withhold
from kneetrack.kinematics.gait_pattern import (
    G_MS2,
    body_proportions,
    flight_gravity,
    gait_pattern,
    pelvis_low_phase,
)
from kneetrack.kinematics.identity import IdentityResult
from kneetrack.kinematics.thresholds import load_plausibility_limits

__all__ = ["METRIC_CURVES", "Check", "GateInputs", "PlausibilityGate", "apply_bounds",
           "failed_block", "load_plausibility"]


def load_plausibility() -> dict[str, Any]:
    """The packaged gate limits and physiological ranges (cached, read-only)."""
    return load_plausibility_limits()


# --------------------------------------------------------------------------- the gate
@dataclass
class Check:
    """One gate check: ``passed`` is ``None`` when it could not be judged."""

    code: str
    passed: bool | None
    value: Any
    expected: str
    text: str

    def to_dict(self) -> dict[str, Any]:
        """JSON-friendly form."""
        value = round(self.value, 3) if isinstance(self.value, float) else self.value
        return {"code": self.code, "passed": self.passed, "value": value,
                "expected": self.expected, "text": self.text}


@dataclass
class GateInputs:
    """What the gate judges (all from one clip, after identity and cleaning).

    Attributes
    ----------
    keypoints : Keypoints
        Cleaned keypoints of the kept person.
    contacts_s : list of float
        Every contact time, both legs.
    cadence_spm : float or None
        Detected cadence.
    view : str or None
        The camera view.
    identity : IdentityResult or None
        What the identity split kept.
    rate_note : str or None
        Set when the frame rate was assumed rather than read (e.g. OpenPose JSON).
    toe_offs_s : list of float
        The toe-off of each stance, in the order of ``contacts_s`` (NaN where
        missing); empty: the flight-gravity check is not made.
    """

    keypoints: Keypoints
    contacts_s: list[float]
    cadence_spm: float | None
    view: str | None
    identity: IdentityResult | None = None
    rate_note: str | None = None
    toe_offs_s: list[float] = field(default_factory=list)


@dataclass
class PlausibilityGate:
    """Judge one clip; ``judge`` fills the attributes ending in ``_``.

    Parameters
    ----------
    limits : dict, optional
        The contents of ``plausibility.yaml`` (default: the packaged file).

    Attributes
    ----------
    passed_ : bool
        Whether the clip shows one person running steadily in real time.
    checks_ : list of Check
        Every check with its value and what was expected.
    reasons_ : list of str
        Why the clip failed (empty when it passed).
    refilm_ : list of str
        How to film again (or which option to give), one line per problem.
    notes_ : list of str
        What was done without failing the clip (identity split).
    angles_ok_ : bool
        False when the body's proportions are impossible: every angle is withheld.
    pattern_ : dict
        :func:`gait_pattern` measures, with ``flight_gravity_ms2`` and ``flights``
        (:func:`flight_gravity`).
    proportions_ : dict
        :func:`body_proportions` measures.
    slowed_factor_ : float or None
        When the clip looks slowed: cadence / typical running cadence (an
        estimate shown to the user, never applied).
    """

    limits: dict[str, Any] | None = None
    passed_: bool = field(default=False, init=False)
    checks_: list[Check] = field(default_factory=list, init=False)
    reasons_: list[str] = field(default_factory=list, init=False)
    refilm_: list[str] = field(default_factory=list, init=False)
    notes_: list[str] = field(default_factory=list, init=False)
    angles_ok_: bool = field(default=True, init=False)
    pattern_: dict[str, float | None] = field(default_factory=dict, init=False)
    proportions_: dict[str, float | None] = field(default_factory=dict, init=False)
    slowed_factor_: float | None = field(default=None, init=False)

    @property
    def cfg(self) -> dict[str, Any]:
        """The limits in use."""
        return self.limits or load_plausibility()

    def _refilm(self, *keys: str) -> None:
        for key in keys:
            text = " ".join(str(self.cfg["refilm"][key]).split())
            if text not in self.refilm_:
                self.refilm_.append(text)

    def _fail(self, reason: str, *refilm_keys: str) -> None:
        self.reasons_.append(reason)
        self._refilm(*refilm_keys)

    def judge(self, inp: GateInputs) -> PlausibilityGate:
        """Run every check on ``inp``; return ``self``."""
        cfg = self.cfg
        self.passed_, self.checks_, self.reasons_, self.refilm_ = True, [], [], []
        self.notes_ = list(inp.identity.notes) if inp.identity is not None else []
        self.slowed_factor_ = None
        self._check_identity(inp)
        enough = self._check_steps(inp, cfg["steps"])
        self.pattern_ = (gait_pattern(inp.keypoints, cadence_spm=inp.cadence_spm,
                                      view=inp.view) if enough else {})
        if enough:
            self.pattern_["pelvis_low_phase"] = pelvis_low_phase(inp.keypoints,
                                                                 list(inp.contacts_s))
        if enough:
            self._check_pattern_and_cadence(inp, cfg["cadence"], cfg["pattern"])
        self._check_proportions(inp, cfg["proportions"])
        if enough and inp.toe_offs_s and "flight" in cfg:
            self._check_flight_gravity(inp, cfg["flight"])
        self.passed_ = not self.reasons_
        return self

    # ----------------------------------------------------------------- checks
    def _check_identity(self, inp: GateInputs) -> None:
        ident = inp.identity
        if ident is None or not ident.segments:
            return
        self.checks_.append(Check(
            "one_person", not ident.split, len(ident.segments), "one consistent person",
            ident.notes[0] if ident.notes else "one person throughout the clip"))
        if ident.split:
            self._refilm("identity")

    def _check_steps(self, inp: GateInputs, cfg: Mapping[str, Any]) -> bool:
        contacts = np.sort(np.array([c for c in inp.contacts_s if np.isfinite(c)]))
        n_min = int(cfg["min_steps"])
        if contacts.size < n_min or inp.cadence_spm is None:
            msg = (f"only {contacts.size} step{'s' if contacts.size != 1 else ''} found: too few "
                   "to tell whether this is steady running")
            self.checks_.append(Check("steps", False, int(contacts.size), f"≥ {n_min} steps", msg))
            self._fail(msg, "too_few_steps")
            return False
        steps = np.diff(contacts)
        med = float(np.median(steps))
        steps = steps[steps < 1.6 * med]          # longer: a tracking gap, not a step
        cv = float(1.4826 * np.median(np.abs(steps - med)) / med) if steps.size else 0.0
        tol = float(cfg["regular_tolerance"])
        regular = float(np.mean(np.abs(steps - med) <= tol * med)) if steps.size else 0.0
        ok = cv <= float(cfg["max_step_time_cv"]) and regular >= float(cfg["min_regular_fraction"])
        text = (f"{contacts.size} steps; step times vary by {100 * cv:.0f} % and "
                f"{100 * regular:.0f} % lie within ±{100 * tol:.0f} % of the median")
        self.checks_.append(Check("regular_steps", ok, round(cv, 3),
                                  f"variation ≤ {100 * float(cfg['max_step_time_cv']):.0f} %",
                                  text))
        if not ok:
            self._fail("the steps are irregular (" + text + "): this is not steady running, or "
                       "the runner was not tracked well enough to find every step", "irregular")
        return True

    def _pattern(self, view: str | None) -> str:
        """``running``, ``walking`` or ``unclear``.

        From the pelvis height at mid-stance where the feet show mid-stance. From
        the front, a foot's image row mixes its height with its distance to the
        camera, and from behind the same happens when the runner moves away (the
        body's image size changes by more than ``max_scale_change_rear``): there
        the phase of the pelvis's lowest point after each (foot-derived) contact
        decides (:func:`~kneetrack.kinematics.gait_pattern.pelvis_low_phase`):
        mid-stance (running) or double support just after contact (walking). It
        also decides from behind when the pelvis height at mid-stance is unclear.
        """
        pat = self.cfg["pattern"]
        drop = self.pattern_.get("midstance_drop")
        change = self.pattern_.get("scale_change")
        limit = float(pat.get("max_scale_change_rear", 1.25))
        frontal_unclear = view == View.FRONT or (
            view == View.REAR and change is not None and change > limit)
        if drop is not None and not frontal_unclear and abs(drop) > 0.005:
            return "running" if drop > 0 else "walking"
        phase = self.pattern_.get("pelvis_low_phase")
        if phase is None or view not in FRONTAL_VIEWS or "low_phase_walking_max" not in pat:
            return "unclear"
        run_lo, run_hi = (float(v) for v in pat["low_phase_running"])
        if run_lo <= phase <= run_hi:
            return "running"
        return "walking" if phase <= float(pat["low_phase_walking_max"]) else "unclear"

    def _check_pattern_and_cadence(self, inp: GateInputs, cad: Mapping[str, Any],
                                   pat_cfg: Mapping[str, Any]) -> None:
        osc = self.pattern_.get("vertical_oscillation")
        min_osc = float(pat_cfg["min_vertical_oscillation"])
        bounce = None if osc is None else osc >= min_osc
        self.checks_.append(Check(
            "vertical_oscillation", bounce, osc, f"≥ {min_osc:g} leg lengths",
            "the pelvis bounces up and down with each step" if bounce else
            "the pelvis hardly moves up and down: no running bounce"))
        pattern = self._pattern(inp.view)
        drop = self.pattern_.get("midstance_drop")
        detail = []
        phase = self.pattern_.get("pelvis_low_phase")
        if pattern != "unclear" and inp.view in FRONTAL_VIEWS and phase is not None and (
                drop is None or inp.view == View.FRONT or pattern != ("running" if drop > 0
                                                                   else "walking")):
            detail.append(f"pelvis lowest {100 * phase:.0f} % of a step after contact: "
                          + ("mid-stance" if pattern == "running" else "double support"))
        elif drop is not None and pattern != "unclear":
            detail.append("pelvis lowest at mid-stance" if drop > 0 else
                          "pelvis highest at mid-stance")
        self.checks_.append(Check(
            "running_pattern", {"running": True, "walking": False}.get(pattern), pattern,
            "a bouncing gait (pelvis lowest at mid-stance)",
            f"{pattern} pattern" + (f" ({', '.join(detail)})" if detail else
                                    " (the pelvis's lowest point does not show mid-stance "
                                    "or double support)" if inp.view in FRONTAL_VIEWS
                                    else "")))
        lo, hi = float(cad["min_spm"]), float(cad["max_spm"])
        c = float(inp.cadence_spm) if inp.cadence_spm is not None else float("nan")
        in_range = lo <= c <= hi
        self.checks_.append(Check("cadence", in_range, round(c, 1),
                                  f"{lo:.0f}-{hi:.0f} steps/min", f"{c:.0f} steps/min"))
        rate = f" ({inp.rate_note})" if inp.rate_note else ""
        if bounce is False and not in_range:
            self._fail(f"{c:.0f} steps/min with no running bounce: this looks like walking or "
                       "standing, not running", "not_running")
        elif c < lo:
            factor = c / float(cad["typical_spm"])
            if pattern == "running":
                self.slowed_factor_ = round(factor, 2)
                self._fail(
                    f"the movement looks like running but only {c:.0f} steps/min in real "
                    f"time{rate}: the clip seems slowed down (about {factor:.2f}× real speed, "
                    "e.g. a slow-motion recording); give its real speed instead of guessing",
                    "slow_motion")
            elif pattern == "walking":
                self._fail(f"{c:.0f} steps/min with a walking pattern ({', '.join(detail)}): "
                           "this is walking, not running", "not_running")
            else:
                self.slowed_factor_ = round(factor, 2)
                self._fail(f"{c:.0f} steps/min is too slow for running{rate}: the person is "
                           "walking, or the clip was filmed in slow motion", "not_running",
                           "slow_motion")
        elif c > hi:
            self._fail(f"{c:.0f} steps/min is faster than any runner{rate}: the steps found "
                       "are not running steps, or the clip plays faster than real time",
                       "irregular", "slow_motion")
        elif pattern == "walking":
            self._fail(f"the movement looks like walking ({', '.join(detail)}), not running",
                       "not_running")
        elif bounce is False:
            self._fail("the pelvis hardly moves up and down: this does not look like running",
                       "not_running")

    def _check_flight_gravity(self, inp: GateInputs, cfg: Mapping[str, Any]) -> None:
        """A running clip whose body falls far slower than g in flight was slowed down."""
        fg = flight_gravity(inp.keypoints, list(inp.contacts_s), list(inp.toe_offs_s),
                            leg_length_m=float(cfg["leg_length_m"]),
                            min_flights=int(cfg["min_flights"]),
                            min_frames_per_flight=int(cfg["min_frames_per_flight"]))
        self.pattern_.update(fg)
        g = fg["flight_gravity_ms2"]
        lo = float(cfg["min_gravity_g"]) * G_MS2
        if g is None or not self.angles_ok_:
            why = ("the body's proportions, which give the length scale, are implausible"
                   if g is not None else
                   f"{int(fg['flights'] or 0)} flight phase(s) long enough to measure")
            self.checks_.append(Check("flight_gravity", None, None, f"≥ {lo:.1f} m/s² in flight",
                                      f"not judged: {why}"))
            return
        ok = g >= lo
        factor = float(np.sqrt(max(g, 0.0) / G_MS2))
        self.checks_.append(Check(
            "flight_gravity", ok, round(g, 2), f"≥ {lo:.1f} m/s² in flight (g = 9.8)",
            f"in flight the body falls at {g:.1f} m/s²" + ("" if ok else
                                                         f": about {factor:.2f}× real speed")))
        if ok or self.slowed_factor_ is not None:
            return                # passed, or already failed as slowed by its cadence
        rate = f" ({inp.rate_note})" if inp.rate_note else ""
        self.slowed_factor_ = round(factor, 2)
        self._fail(
            f"in flight the body falls at {g:.1f} m/s² instead of 9.8{rate}: the clip plays "
            f"slower than real time (about {factor:.2f}× real speed, e.g. a slow-motion "
            "recording); give its real speed instead of guessing", "slow_motion")

    def _check_proportions(self, inp: GateInputs, cfg: Mapping[str, Any]) -> None:
        self.proportions_ = body_proportions(inp.keypoints)
        p = self.proportions_
        problems = []
        hw = p.get("hip_width_legs")
        if inp.view in FRONTAL_VIEWS and hw is not None \
                and hw > float(cfg["max_hip_width_legs_frontal"]):
            problems.append(f"the hips are {hw:.2f} leg lengths apart (a person: under "
                            f"{float(cfg['max_hip_width_legs_frontal']):g})")
        tr = p.get("trunk_legs")
        tlo, thi = (float(v) for v in cfg["trunk_legs"])
        if tr is not None and not tlo <= tr <= thi:
            problems.append(f"the trunk is {tr:.2f} leg lengths long (a person: {tlo:g}-{thi:g})")
        sp = p.get("shank_spread")
        if inp.view in SAGITTAL_VIEWS and sp is not None \
                and sp > float(cfg["max_shank_length_spread_sagittal"]):
            problems.append(f"the shank's length changes {sp:.1f}-fold as it swings")
        self.angles_ok_ = not problems
        self.checks_.append(Check(
            "body_proportions", self.angles_ok_, {k: v if v is None else round(v, 3)
                                                  for k, v in p.items()},
            "the proportions of a person",
            "body proportions are plausible" if not problems else
            "impossible body proportions (" + "; ".join(problems) + "): is the video stretched "
            "to a wrong aspect ratio? Every angle is withheld"))
        if problems:
            self._refilm("proportions")

    # ----------------------------------------------------------------- outcome
    def withhold_all(self, stances: Sequence[MutableMapping[str, Any]], reason: str) -> None:
        """Withhold every metric of every stance (in place), with ``reason``."""
        for s in stances:
            for metric in METRIC_CURVES:
                if s.get(metric) is not None:
                    withhold(s, metric, reason)
            for name in AUXILIARY_FIELDS:
                if s.get(name) is not None:
                    s.setdefault("withheld", {})[name] = {"value": s[name], "reason": reason}
                    s[name] = None

    def to_dict(self, *, cadence_spm: float | None,
                withheld: Mapping[str, Mapping[str, str]],
                withheld_findings: Sequence[str]) -> dict[str, Any]:
        """The ``plausibility`` block of ``analysis.json``."""
        return {
            "passed": self.passed_,
            "checks": [c.to_dict() for c in self.checks_],
            "reasons": list(self.reasons_),
            "refilm": list(self.refilm_),
            "notes": list(self.notes_),
            "measured": {"cadence_spm": None if cadence_spm is None else round(cadence_spm, 2),
                         "slowed_factor_estimate": self.slowed_factor_},
            "withheld": {leg: dict(m) for leg, m in withheld.items()},
            "withheld_findings": sorted(set(withheld_findings)),
        }


def failed_block(reason: str, refilm_key: str = "too_few_steps") -> dict[str, Any]:
    """A ``plausibility`` block for a clip that could not be analysed at all."""
    cfg = load_plausibility()
    return {"passed": False,
            "checks": [Check("analysable", False, None, "legs tracked", reason).to_dict()],
            "reasons": [reason], "refilm": [" ".join(str(cfg["refilm"][refilm_key]).split())],
            "notes": [], "measured": {"cadence_spm": None, "slowed_factor_estimate": None},
            "withheld": {}, "withheld_findings": []}
