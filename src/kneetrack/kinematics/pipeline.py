"""Entry point of the kinematics engine: keypoints in, the ``analysis.json`` fields out.

``analyze_keypoints`` runs: one identity → clean → view → gait events →
per-stance metrics → physiological bounds → plausibility gate → summary →
findings. It never raises on short, empty or badly tracked clips: it returns a
result whose ``quality.warnings`` say what is missing and whose
``plausibility`` block says whether the clip could be judged at all. A clip
that fails the gate keeps its steps' timing but has no cadence, no metric
values (all moved to each stance's ``withheld``) and no findings.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from kneetrack.core.arrays import FloatArray
from kneetrack.core.views import View, parse_view
from kneetrack.io.timing import rate_note, rate_source
from kneetrack.keypoints import Keypoints
from kneetrack.kinematics.cleaners import (
    ButterworthLowpass,
    LowConfidenceRejection,
    running_chain,
)
from kneetrack.kinematics.events import LEGS, ContactDetector, StanceEvents
from kneetrack.kinematics.findings import evaluate_findings
from kneetrack.kinematics.identity import IdentityResult, keep_one_identity
from kneetrack.kinematics.metrics import StanceMetrics, compute_series
from kneetrack.kinematics.plausibility import (
    METRIC_CURVES,
    GateInputs,
    PlausibilityGate,
    apply_bounds,
    failed_block,
)
from kneetrack.kinematics.stance import StanceRecord
from kneetrack.kinematics.summary import mark_withheld, reject_outlier_stances, summarize
from kneetrack.kinematics.thresholds import CleaningSettings, Thresholds
from kneetrack.kinematics.view import ViewDetector

_REQUIRED = ("left_hip", "right_hip", "left_knee", "right_knee", "left_ankle", "right_ankle")
#: Curves written to analysis.json per view family (names without the leg prefix).
_CONTRACT_CURVES = {
    "frontal": ("fppa_deg", "hip_adduction_deg", "pelvic_drop_deg"),
    "sagittal": ("knee_flexion_deg", "shank_angle_deg", "foot_angle_deg"),
}


@dataclass
class KinematicsResult:
    """What the engine found in one clip.

    Attributes
    ----------
    view : str or None
        The view used for the analysis (given or detected).
    view_confidence : float
        Confidence of the detected view, 0..1 (detector's value even when the
        view was given).
    detected_view : str or None
        What the detector saw.
    keypoints : Keypoints
        Cleaned, low-passed keypoints (provenance lists every step).
    series : dict of str to ndarray
        Per-frame arrays for the whole clip: ``time_s`` and, for frontal views,
        ``{leg}_fppa_deg``, ``{leg}_hip_adduction_deg``, ``{leg}_pelvic_drop_deg``
        (+ = the hip opposite *that* leg lower), ``{leg}_ankle_lateral_offset_px``,
        ``hip_width_px``; for side views ``{leg}_knee_flexion_deg``,
        ``{leg}_shank_angle_deg``, ``{leg}_foot_angle_deg``. See
        :mod:`kneetrack.kinematics.metrics`.
    events : list of StanceEvents
        Every stance's contact / toe-off / uncertainty.
    contacts, toe_offs : dict
        ``{"left": ndarray, "right": ndarray}`` event times (s).
    stances : list of StanceRecord
        Contract stance records (complete or not; incomplete ones have no peaks);
        ``to_dict()`` gives each one's ``analysis.json`` fields.
    curves : dict
        ``{"percent_stance": [...], "left": {...}, "right": {...}}``.
    summary : dict
        Per-leg statistics, asymmetry and fatigue drift.
    findings : list of dict
        Threshold findings (none from a withheld metric; none at all when the
        clip failed the plausibility gate).
    cadence_spm : float or None
        Steps per minute (``None`` when the clip failed the gate).
    plausibility : dict
        The gate's verdict: ``passed``, ``checks``, ``reasons``, ``refilm``,
        ``notes``, ``measured`` (the cadence as detected, even when withheld),
        ``withheld`` (``{leg: {metric: reason}}``) and ``withheld_findings``.
    quality : dict
        ``tracked_fraction``, ``steps_per_side``, ``fps``, ``view_confidence``,
        ``contact_uncertainty_ms`` (median), ``warnings``.
    """

    view: View | None
    keypoints: Keypoints
    view_confidence: float = 0.0
    detected_view: View | None = None
    series: dict[str, FloatArray] = field(default_factory=dict)
    events: list[StanceEvents] = field(default_factory=list)
    contacts: dict[str, FloatArray] = field(default_factory=dict)
    toe_offs: dict[str, FloatArray] = field(default_factory=dict)
    stances: list[StanceRecord] = field(default_factory=list)
    curves: dict[str, Any] = field(default_factory=dict)
    summary: dict[str, Any] = field(default_factory=dict)
    findings: list[dict[str, Any]] = field(default_factory=list)
    cadence_spm: float | None = None
    quality: dict[str, Any] = field(default_factory=dict)
    plausibility: dict[str, Any] = field(default_factory=dict)

    def to_contract(self) -> dict[str, Any]:
        """The ``analysis.json`` fields this engine owns, strict-JSON safe (NaN → ``None``)."""
        stances = [s.to_dict() for s in self.stances if math.isfinite(s.contact_s)]
        out: dict[str, Any] = json_safe({
            "view": self.view,
            "view_confidence": round(self.view_confidence, 3),
            "quality": self.quality,
            "cadence_spm": None if self.cadence_spm is None else round(self.cadence_spm, 2),
            "stances": [_round_record(s) for s in stances],
            "summary": self.summary,
            "findings": self.findings,
            "plausibility": self.plausibility,
        })
        # Curves are already JSON-safe (rounded, NaN → None) when built.
        out["curves"] = self.curves
        return out


def json_safe(obj: Any) -> Any:
    """Recursively convert numpy types to Python and non-finite floats to ``None``."""
    if isinstance(obj, dict):
        return {str(k): json_safe(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [json_safe(v) for v in obj]
    if isinstance(obj, np.ndarray):
        return [json_safe(v) for v in obj.tolist()]
    if isinstance(obj, bool | np.bool_):
        return bool(obj)
    if isinstance(obj, int | np.integer):
        return int(obj)
    if isinstance(obj, float | np.floating):
        f = float(obj)
        return f if math.isfinite(f) else None
    return obj


def _rounded_rows(rows: list[list[float]]) -> list[list[float | None]]:
    """Round curves to 0.01 and turn NaN into ``None`` (vectorised)."""
    if not rows:
        return []
    arr = np.round(np.asarray(rows, dtype=float), 2).astype(object)
    arr[np.isnan(np.asarray(rows, dtype=float))] = None
    rounded: list[list[float | None]] = arr.tolist()
    return rounded


def _round_record(rec: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in rec.items():
        if isinstance(v, float) and math.isfinite(v):
            out[k] = round(v, 4 if k.endswith("_s") else 2)
        else:
            out[k] = v
    return out


def _empty(kp: Keypoints, view: View | None, notes: list[str],
           view_conf: float = 0.0, detected: View | None = None) -> KinematicsResult:
    res = KinematicsResult(view=view, keypoints=kp, view_confidence=view_conf,
                           detected_view=detected)
    res.series = {"time_s": np.asarray(kp.time_s, dtype=float)}
    res.contacts = {leg: np.array([]) for leg in LEGS}
    res.toe_offs = {leg: np.array([]) for leg in LEGS}
    res.summary = {"left": {"stances": 0}, "right": {"stances": 0}, "asymmetry": {},
                   "fatigue_drift": {}}
    res.curves = {"percent_stance": list(range(101)), "left": {}, "right": {}}
    res.quality = {"tracked_fraction": round(kp.tracked_fraction(), 4),
                   "steps_per_side": {"left": 0, "right": 0}, "fps": round(kp.fps, 3),
                   "view_confidence": round(view_conf, 3), "warnings": notes}
    res.plausibility = failed_block(
        f"could not measure because {notes[-1]}" if notes else "could not measure this clip")
    return res


def analyze_keypoints(kp: Keypoints, *, view: View | str | None = None,
                      thresholds: Thresholds | None = None,
                      cutoff_hz: float | None = None) -> KinematicsResult:
    """Analyse one clip's keypoints: clean → view → events → metrics → summary → findings.

    Parameters
    ----------
    kp : Keypoints
        Raw keypoints from a pose backend or importer.
    view : str, optional
        ``front``, ``rear``, ``side-left`` or ``side-right``; overrides the
        detected view (a warning is added when the keypoints disagree).
    thresholds : Thresholds, optional
        Limits, finding rules, gate limits and cleaning settings, loaded once by
        the caller (default: the packaged files, :meth:`Thresholds.packaged`).
        The engine reads no file itself.
    cutoff_hz : float, optional
        Low-pass cut-off of the keypoint filter; overrides ``thresholds.cleaning.cutoff_hz``
        (``None``: keep it, by default chosen from the frame rate).

    Returns
    -------
    KinematicsResult
        See its attributes; ``to_contract()`` gives the ``analysis.json`` fields.
    """
    with warnings.catch_warnings():
        # Every stage is NaN-aware; numpy's all-NaN notices on empty windows are expected.
        warnings.filterwarnings("ignore", message="All-NaN slice", category=RuntimeWarning)
        warnings.filterwarnings("ignore", message="Mean of empty slice",
                                category=RuntimeWarning)
        th = (thresholds if thresholds is not None else Thresholds.packaged()).with_cutoff(
            cutoff_hz)
        return _analyze(kp, view=parse_view(view), th=th)


@dataclass(frozen=True)
class _ViewChoice:
    """The view the analysis uses, what the detector saw and how sure it was."""

    view: View | None
    detected: View | None
    confidence: float
    cues: dict[str, float]


@dataclass
class _Measured:
    """Gait events, per-frame series and per-stance metrics of one clip, bounds applied."""

    events: ContactDetector
    series: dict[str, FloatArray]
    metrics: StanceMetrics
    out_of_bounds: dict[str, dict[str, str]]


def _analyze(kp: Keypoints, *, view: View | None, th: Thresholds) -> KinematicsResult:
    """Identity → view → clean (once) → measure → gate → summary → findings → quality."""
    raw = kp
    notes = _input_notes(kp, th)
    if _unmeasurable(kp, notes):
        return _empty(kp, view, notes)
    # One person throughout: frames where the skeleton jumped to someone else are blanked.
    ident = keep_one_identity(kp, **th.plausibility["identity"])
    kp = ident.keypoints
    choice = _choose_view(kp, view, notes, min_confidence=th.cleaning.min_confidence)
    clean = _clean(kp, choice.view, th.cleaning)
    if choice.view is None:
        return _empty(clean, None, notes)
    use_view = choice.view
    m = _measure(clean, use_view, th, notes)
    gate = _judge(th.plausibility, clean, m.events, use_view, ident, raw, m.metrics)
    # Every stage that edits stances in place has run (the records StanceMetrics built).
    stances = m.metrics.stances_
    withheld = _withheld_metrics(stances, m.out_of_bounds, view=use_view)
    cadence = m.events.cadence_spm_ if gate.passed_ else None
    summary = summarize(stances, view=use_view, duration_s=kp.duration_s, sdd_deg=th.sdd_deg)
    mark_withheld(summary, withheld)
    findings = (evaluate_findings(stances, summary, view=use_view, cadence_spm=cadence,
                                  duration_s=kp.duration_s, thresholds=th.running,
                                  withheld=withheld)
                if gate.passed_ else [])
    notes.extend(_gate_notes(gate, withheld))
    note = rate_note(raw)
    if note:
        notes.append(note)
    tracked = _tracked_fraction(kp, ident)
    if (view is None and choice.confidence < 0.5) or tracked < 0.6:
        # A doubtful view or a poorly tracked runner: keep the findings, say they are weak.
        for f in findings:
            f["reliable"] = False
    steps = {leg: int(sum(1 for s in m.events.stances_ if s.leg == leg and s.complete))
             for leg in LEGS}
    notes.extend(_coverage_notes(steps, tracked, use_view, th))

    res = KinematicsResult(view=use_view, keypoints=clean, view_confidence=choice.confidence,
                           detected_view=choice.detected, series=m.series,
                           events=m.events.stances_, contacts=m.events.contacts_,
                           toe_offs=m.events.toe_offs_, stances=stances,
                           curves=_contract_curves(m.metrics, withheld, use_view),
                           summary=summary, findings=findings, cadence_spm=cadence)
    res.plausibility = gate.to_dict(cadence_spm=m.events.cadence_spm_, withheld=withheld,
                                    withheld_findings=_withheld_finding_codes(th, withheld))
    res.plausibility["identity"] = ident.to_dict()
    res.plausibility["rate"] = rate_source(raw)
    res.quality = _quality(kp, m.events, choice, tracked, steps, notes)
    if not m.events.stances_:
        notes.append("no running steps were found in the keypoints")
    return res


def _clean(kp: Keypoints, view: View | None, settings: CleaningSettings) -> Keypoints:
    """Run the cleaning chain once, its swap repair chosen by the view."""
    chain = running_chain(view, min_confidence=settings.min_confidence,
                          max_gap_s=settings.max_gap_s,
                          lowpass=ButterworthLowpass(settings.cutoff_hz))
    return chain.clean(kp).keypoints_


def _measure(clean: Keypoints, view: View, th: Thresholds, notes: list[str]) -> _Measured:
    """Events, series and stance metrics; values outside physiological bounds withheld.

    Physiological bounds come first: impossible values must not steer the
    rejection of steps far from the runner's other steps, which follows.
    """
    events = ContactDetector(view).detect(clean)
    series = compute_series(clean, view)
    sm = _stance_metrics(series, events, view, th)
    limits = th.plausibility
    out_of_bounds = apply_bounds(sm.stances_, limits["bounds"],
                                 max_withheld_fraction=float(limits["max_withheld_fraction"]))
    n_rejected = reject_outlier_stances(sm.stances_, view=view)
    if n_rejected:
        notes.append(f"{n_rejected} per-step value(s) far from the runner's other steps were "
                     "left out (likely a tracking error); see 'rejected' in the stances")
    return _Measured(events, series, sm, out_of_bounds)


def _quality(kp: Keypoints, events: ContactDetector, choice: _ViewChoice, tracked: float,
             steps: dict[str, int], notes: list[str]) -> dict[str, Any]:
    """The ``quality`` block: tracking, steps, frame rate, view, contact timing, warnings."""
    unc = [s.contact_uncertainty_ms for s in events.stances_
           if np.isfinite(s.contact_uncertainty_ms)]
    return {
        "tracked_fraction": round(tracked, 4),
        "steps_per_side": steps,
        "fps": round(kp.fps, 3),
        "view_confidence": round(choice.confidence, 3),
        "detected_view": choice.detected,
        "view_cues": choice.cues,
        "contact_uncertainty_ms": round(float(np.median(unc)), 1) if unc else None,
        "warnings": notes,
    }


def _input_notes(kp: Keypoints, th: Thresholds) -> list[str]:
    """Warnings about the input itself (a frame rate too low for contact timing)."""
    fps_min = th.min_fps
    if kp.fps < fps_min:
        return [f"frame rate {kp.fps:.0f} fps is below {fps_min:.0f} fps: contact "
                f"timing is coarse (one frame = {1000 / kp.fps:.0f} ms)"]
    return []


def _unmeasurable(kp: Keypoints, notes: list[str]) -> bool:
    """Whether nothing can be measured (no legs, too short); says why in ``notes``."""
    missing = [m for m in _REQUIRED if not kp.has(m) or not np.isfinite(kp[m]).any()]
    if missing:
        notes.append("no hip/knee/ankle keypoints for: " + ", ".join(missing)
                     + "; nothing could be measured")
        return True
    if kp.n_frames < max(10, int(0.5 * kp.fps)):
        notes.append(f"clip too short ({kp.n_frames} frames) to find steps")
        return True
    return False


def _choose_view(kp: Keypoints, given: View | None, notes: list[str], *,
                 min_confidence: float) -> _ViewChoice:
    """Detect the view; use the given one if any; note doubts in ``notes``.

    The detector takes medians over the clip, which resist label swaps and
    outliers, so it reads the keypoints with only their low-confidence points
    removed; the cleaning chain then runs once, with the view choosing its
    swap-repair cues.
    """
    det = ViewDetector().detect(LowConfidenceRejection(min_confidence).clean(kp).keypoints_)
    detected, vconf = det.view_, det.confidence_
    if given is None:
        if detected is None:
            notes.append("the camera view could not be determined; give --view")
        elif vconf < 0.5:
            notes.append(f"view detected as {detected} with low confidence ({vconf:.2f}); "
                         "give --view if this is wrong")
        return _ViewChoice(detected, detected, vconf, det.cues_)
    if detected is not None and detected != given and vconf >= 0.5:
        notes.append(f"the given view is {given} but the keypoints look like {detected} "
                     f"(confidence {vconf:.2f})")
    return _ViewChoice(given, detected, vconf, det.cues_)


def _stance_metrics(series: dict[str, FloatArray], events: ContactDetector, view: View,
                    th: Thresholds) -> StanceMetrics:
    """Per-stance metrics, foot strike classified with the thresholds file's limits."""
    return StanceMetrics(
        view, foot_strike_thresholds=th.foot_strike.to_dict(),
        crossover_tolerance_hip_widths=float(
            th.plausibility["crossover"]["tolerance_hip_widths"])).calculate(
        series, events.stances_)


def _judge(limits: dict[str, Any], clean: Keypoints, events: ContactDetector, view: View,
           ident: IdentityResult, raw: Keypoints, sm: StanceMetrics) -> PlausibilityGate:
    """Run the plausibility gate; withhold every value of a clip that fails it."""
    gate = PlausibilityGate(limits).judge(GateInputs(
        keypoints=clean,
        contacts_s=[s.contact_s for s in events.stances_],
        toe_offs_s=[s.toe_off_s for s in events.stances_],
        cadence_spm=events.cadence_spm_, view=view, identity=ident,
        rate_note=rate_note(raw)))
    if not gate.passed_:
        gate.withhold_all(sm.stances_, "the clip did not pass the plausibility check")
    elif not gate.angles_ok_:
        gate.withhold_all(sm.stances_, "impossible body proportions (wrong aspect ratio?)")
    return gate


def _gate_notes(gate: PlausibilityGate, withheld: dict[str, dict[str, str]]) -> list[str]:
    """The gate's own notes, then why each withheld metric was withheld."""
    notes = list(gate.notes_)
    if gate.passed_ and gate.angles_ok_:
        for leg, metrics in withheld.items():
            notes.extend(f"{leg}: {reason}" for reason in metrics.values())
    if not gate.angles_ok_ and gate.passed_:
        notes.append("impossible body proportions: every angle was withheld (is the video "
                     "stretched to a wrong aspect ratio?)")
    return notes


def _withheld_finding_codes(th: Thresholds,
                            withheld: dict[str, dict[str, str]]) -> list[str]:
    """Codes of the findings that a withheld metric could have raised."""
    held_metrics = {m for metrics in withheld.values() for m in metrics}
    codes = [r["code"] for r in th.running["rules"] if r["metric"] in held_metrics]
    for key in ("asymmetry", "fatigue_drift"):
        rule = th.running.get(key) or {}
        codes += [rule["code_prefix"] + m.replace("_peak_deg", "")
                  for m in rule.get("metrics", []) if m in held_metrics]
    return codes


def _tracked_fraction(kp: Keypoints, ident: IdentityResult) -> float:
    """Tracked fraction over the kept person's span (what lies outside is another person)."""
    kept = np.flatnonzero(ident.kept_mask)
    if ident.split and kept.size:
        return kp.slice_frames(int(kept[0]), int(kept[-1]) + 1).tracked_fraction()
    return kp.tracked_fraction()


def _coverage_notes(steps: dict[str, int], tracked: float, view: View,
                    th: Thresholds) -> list[str]:
    """Warnings about how much was seen: steps per side, tracking, the view's limits."""
    notes: list[str] = []
    min_steps = th.min_stances_per_side
    if min(steps.values()) < min_steps:
        notes.append(f"only {steps['left']} left and {steps['right']} right complete stances; "
                     f"at least {min_steps} per side are needed for stable averages "
                     "(Dingenen et al. 2018)")
    if tracked < 0.8:
        notes.append(f"the legs were tracked in only {100 * tracked:.0f} % of frames")
    if view is View.REAR:
        notes.append("rear view: foot contacts are timed from pelvis motion; timing is less "
                     "certain than from the front or side")
    if view.sagittal:
        notes.append(f"side view: the {view.far_leg} leg is on the far side of the camera; "
                     "its values are less reliable (often hidden in video)")
    return notes


def _contract_curves(sm: StanceMetrics, withheld: dict[str, dict[str, str]],
                     view: View) -> dict[str, Any]:
    """The view family's stance-normalised curves; a withheld metric's curve is empty."""
    curves: dict[str, Any] = {"percent_stance": list(range(sm.curve_points))}
    hidden = {leg: {METRIC_CURVES[m] for m in withheld.get(leg, {})} for leg in LEGS}
    for leg in LEGS:
        curves[leg] = {c: [] if c in hidden[leg] else _rounded_rows(sm.curves_[leg].get(c, []))
                       for c in _CONTRACT_CURVES[view.family]}
    return curves


def _withheld_metrics(stances: list[StanceRecord], by_bounds: dict[str, dict[str, str]], *,
                      view: View) -> dict[str, dict[str, str]]:
    """``{leg: {metric: reason}}`` for every metric of the view not reported for a leg."""
    from kneetrack.kinematics.summary import metrics_for_view

    out = {leg: dict(by_bounds.get(leg, {})) for leg in LEGS}
    for leg in LEGS:
        for m in metrics_for_view(view):
            if m in out[leg]:
                continue
            reasons = [s.withheld[m]["reason"] for s in stances
                       if s.leg == leg and m in s.withheld]
            left = [s for s in stances if s.leg == leg and s.get(m) is not None]
            if reasons and not left:
                out[leg][m] = reasons[0]
    return {leg: m for leg, m in out.items() if m}
