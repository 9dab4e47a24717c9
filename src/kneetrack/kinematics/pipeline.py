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

from kneetrack.io.timing import rate_note, rate_source
from kneetrack.keypoints import Keypoints
from kneetrack.kinematics.cleaning import clean_keypoints
from kneetrack.kinematics.events import LEGS, ContactDetector, StanceEvents
from kneetrack.kinematics.findings import evaluate_findings, load_thresholds
from kneetrack.kinematics.identity import keep_one_identity
from kneetrack.kinematics.metrics import StanceMetrics, compute_series
from kneetrack.kinematics.plausibility import (
    METRIC_CURVES,
    GateInputs,
    PlausibilityGate,
    apply_bounds,
    failed_block,
    load_plausibility,
)
from kneetrack.kinematics.summary import mark_withheld, reject_outlier_stances, summarize
from kneetrack.kinematics.view import VIEWS, ViewDetector

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
    stances : list of dict
        Contract stance records (complete or not; incomplete ones have no peaks).
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

    view: str | None
    keypoints: Keypoints
    view_confidence: float = 0.0
    detected_view: str | None = None
    series: dict[str, np.ndarray] = field(default_factory=dict)
    events: list[StanceEvents] = field(default_factory=list)
    contacts: dict[str, np.ndarray] = field(default_factory=dict)
    toe_offs: dict[str, np.ndarray] = field(default_factory=dict)
    stances: list[dict[str, Any]] = field(default_factory=list)
    curves: dict[str, Any] = field(default_factory=dict)
    summary: dict[str, Any] = field(default_factory=dict)
    findings: list[dict[str, Any]] = field(default_factory=list)
    cadence_spm: float | None = None
    quality: dict[str, Any] = field(default_factory=dict)
    plausibility: dict[str, Any] = field(default_factory=dict)

    def to_contract(self) -> dict[str, Any]:
        """The ``analysis.json`` fields this engine owns, strict-JSON safe (NaN → ``None``)."""
        stances = [s for s in self.stances
                   if s.get("contact_s") is not None and math.isfinite(s["contact_s"])]
        out = json_safe({
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
    return arr.tolist()


def _round_record(rec: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in rec.items():
        if isinstance(v, float) and math.isfinite(v):
            out[k] = round(v, 4 if k.endswith("_s") else 2)
        else:
            out[k] = v
    return out


def _empty(kp: Keypoints, view: str | None, notes: list[str],
           view_conf: float = 0.0, detected: str | None = None) -> KinematicsResult:
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


def analyze_keypoints(kp: Keypoints, *, view: str | None = None) -> KinematicsResult:
    """Analyse one clip's keypoints: clean → view → events → metrics → summary → findings.

    Parameters
    ----------
    kp : Keypoints
        Raw keypoints from a pose backend or importer.
    view : str, optional
        ``front``, ``rear``, ``side-left`` or ``side-right``; overrides the
        detected view (a warning is added when the keypoints disagree).

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
        return _analyze(kp, view=view)


def _analyze(kp: Keypoints, *, view: str | None) -> KinematicsResult:
    """Identity → clean → view → events → metrics → bounds → gate → summary → findings."""
    th = load_thresholds()
    limits = load_plausibility()
    notes: list[str] = []
    raw = kp
    fps_min = float(th.get("min_fps", 60))
    if kp.fps < fps_min:
        notes.append(f"frame rate {kp.fps:.0f} fps is below {fps_min:.0f} fps: contact "
                        f"timing is coarse (one frame = {1000 / kp.fps:.0f} ms)")
    missing = [m for m in _REQUIRED if not kp.has(m) or not np.isfinite(kp[m]).any()]
    if missing:
        notes.append("no hip/knee/ankle keypoints for: " + ", ".join(missing)
                        + "; nothing could be measured")
        return _empty(kp, view, notes)
    if kp.n_frames < max(10, int(0.5 * kp.fps)):
        notes.append(f"clip too short ({kp.n_frames} frames) to find steps")
        return _empty(kp, view, notes)

    # One person throughout: frames where the skeleton jumped to someone else are blanked.
    ident = keep_one_identity(kp, **limits["identity"])
    kp = ident.keypoints
    # The view is detected on lightly cleaned keypoints (medians resist swaps); the full
    # cleaning then uses the view to choose its swap-repair cues.
    det = ViewDetector().detect(clean_keypoints(kp, repair=False, filter_signal=False))
    detected, vconf = det.view_, det.confidence_
    if view is None:
        use_view = detected
        if use_view is None:
            notes.append("the camera view could not be determined; give --view")
            return _empty(clean_keypoints(kp), None, notes)
        if vconf < 0.5:
            notes.append(f"view detected as {detected} with low confidence ({vconf:.2f}); "
                            "give --view if this is wrong")
    else:
        if view not in VIEWS:
            from kneetrack.errors import SettingsError

            raise SettingsError(f"unknown view {view!r}; choose one of {', '.join(VIEWS)}")
        use_view = view
        if detected is not None and detected != view and vconf >= 0.5:
            notes.append(f"the given view is {view} but the keypoints look like {detected} "
                            f"(confidence {vconf:.2f})")

    clean = clean_keypoints(kp, view=use_view)
    events = ContactDetector(use_view).detect(clean)
    series = compute_series(clean, use_view)
    fs = th.get("foot_strike", {})
    sm = StanceMetrics(use_view, crossover_tolerance_hip_widths=float(
        limits["crossover"]["tolerance_hip_widths"]), foot_strike_thresholds={
        "rearfoot_min_deg": float(fs.get("rearfoot_min_deg", 8.0)),
        "forefoot_max_deg": float(fs.get("forefoot_max_deg", -1.6))}).calculate(
            series, events.stances_)
    # Physiological bounds first (impossible values must not steer the outlier rejection).
    withheld = apply_bounds(sm.stances_, limits["bounds"],
                            max_withheld_fraction=float(limits["max_withheld_fraction"]))
    n_rejected = reject_outlier_stances(sm.stances_, view=use_view)
    if n_rejected:
        notes.append(f"{n_rejected} per-step value(s) far from the runner's other steps were "
                        "left out (likely a tracking error); see 'rejected' in the stances")
    gate = PlausibilityGate(limits).judge(GateInputs(
        keypoints=clean,
        contacts_s=[s.contact_s for s in events.stances_],
        toe_offs_s=[s.toe_off_s for s in events.stances_],
        cadence_spm=events.cadence_spm_, view=use_view, identity=ident,
        rate_note=rate_note(raw)))
    if not gate.passed_:
        gate.withhold_all(sm.stances_, "the clip did not pass the plausibility check")
    elif not gate.angles_ok_:
        gate.withhold_all(sm.stances_, "impossible body proportions (wrong aspect ratio?)")
    family = "frontal" if use_view in ("front", "rear") else "sagittal"
    withheld = _withheld_metrics(sm.stances_, withheld, family=family)
    cadence = events.cadence_spm_ if gate.passed_ else None
    duration = kp.duration_s
    summary = summarize(sm.stances_, view=use_view, duration_s=duration,
                        sdd_deg={k: v for k, v in
                                 th.get("smallest_detectable_difference_deg", {}).items()
                                 if isinstance(v, int | float)})
    mark_withheld(summary, withheld)
    findings = (evaluate_findings(sm.stances_, summary, view=use_view, cadence_spm=cadence,
                                  duration_s=duration, thresholds=th, withheld=withheld)
                if gate.passed_ else [])
    notes.extend(gate.notes_)
    for leg, metrics in withheld.items():
        if gate.passed_ and gate.angles_ok_:
            notes.extend(f"{leg}: {reason}" for reason in metrics.values())
    if not gate.angles_ok_ and gate.passed_:
        notes.append("impossible body proportions: every angle was withheld (is the video "
                     "stretched to a wrong aspect ratio?)")
    held_metrics = {m for metrics in withheld.values() for m in metrics}
    withheld_codes = [r["code"] for r in th["rules"] if r["metric"] in held_metrics]
    for key in ("asymmetry", "fatigue_drift"):
        rule = th.get(key) or {}
        withheld_codes += [rule["code_prefix"] + m.replace("_peak_deg", "")
                           for m in rule.get("metrics", []) if m in held_metrics]

    note = rate_note(raw)
    if note:
        notes.append(note)
    # Tracking is judged over the kept person's span (what lies outside is another person).
    kept = np.flatnonzero(ident.kept_mask)
    tracked = (kp.slice_frames(int(kept[0]), int(kept[-1]) + 1).tracked_fraction()
               if ident.split and kept.size else kp.tracked_fraction())
    if (view is None and vconf < 0.5) or tracked < 0.6:
        # A doubtful view or a poorly tracked runner: keep the findings, say they are weak.
        for f in findings:
            f["reliable"] = False
    steps = {leg: int(sum(1 for s in events.stances_ if s.leg == leg and s.complete))
             for leg in LEGS}
    min_steps = int(th.get("min_stances_per_side", 7))
    if min(steps.values()) < min_steps:
        notes.append(f"only {steps['left']} left and {steps['right']} right complete stances; "
                        f"at least {min_steps} per side are needed for stable averages "
                        "(Dingenen et al. 2018)")
    if tracked < 0.8:
        notes.append(f"the legs were tracked in only {100 * tracked:.0f} % of frames")
    unc = [s.contact_uncertainty_ms for s in events.stances_
           if np.isfinite(s.contact_uncertainty_ms)]
    if use_view == "rear":
        notes.append("rear view: foot contacts are timed from pelvis motion; timing is less "
                        "certain than from the front or side")
    if use_view in ("side-left", "side-right"):
        far = "left" if use_view == "side-right" else "right"
        notes.append(f"side view: the {far} leg is on the far side of the camera; its values "
                        "are less reliable (often hidden in video)")

    curves: dict[str, Any] = {"percent_stance": list(range(sm.curve_points))}
    hidden = {leg: {METRIC_CURVES[m] for m in withheld.get(leg, {})} for leg in LEGS}
    for leg in LEGS:
        curves[leg] = {c: [] if c in hidden[leg] else _rounded_rows(sm.curves_[leg].get(c, []))
                       for c in _CONTRACT_CURVES[family]}

    res = KinematicsResult(view=use_view, keypoints=clean, view_confidence=vconf,
                           detected_view=detected)
    res.series = series
    res.events = events.stances_
    res.contacts = events.contacts_
    res.toe_offs = events.toe_offs_
    res.stances = sm.stances_
    res.curves = curves
    res.summary = summary
    res.findings = findings
    res.cadence_spm = cadence
    res.plausibility = gate.to_dict(cadence_spm=events.cadence_spm_, withheld=withheld,
                                    withheld_findings=withheld_codes)
    res.plausibility["identity"] = ident.to_dict()
    res.plausibility["rate"] = rate_source(raw)
    res.quality = {
        "tracked_fraction": round(tracked, 4),
        "steps_per_side": steps,
        "fps": round(kp.fps, 3),
        "view_confidence": round(vconf, 3),
        "detected_view": detected,
        "view_cues": det.cues_,
        "contact_uncertainty_ms": round(float(np.median(unc)), 1) if unc else None,
        "warnings": notes,
    }
    if not events.stances_:
        notes.append("no running steps were found in the keypoints")
    return res


def _withheld_metrics(stances: list[dict[str, Any]], by_bounds: dict[str, dict[str, str]], *,
                      family: str) -> dict[str, dict[str, str]]:
    """``{leg: {metric: reason}}`` for every metric of the view not reported for a leg."""
    from kneetrack.kinematics.summary import metrics_for_view

    out = {leg: dict(by_bounds.get(leg, {})) for leg in LEGS}
    view = "front" if family == "frontal" else "side-right"
    for leg in LEGS:
        for m in metrics_for_view(view):
            if m in out[leg]:
                continue
            reasons = [s["withheld"][m]["reason"] for s in stances
                       if s["leg"] == leg and m in (s.get("withheld") or {})]
            left = [s for s in stances if s["leg"] == leg and s.get(m) is not None]
            if reasons and not left:
                out[leg][m] = reasons[0]
    return {leg: m for leg, m in out.items() if m}
