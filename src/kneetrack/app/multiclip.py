"""One assessment from several clips: a frontal (front or rear) clip and a side clip of one run.

A runner often films the same run twice: from behind (or in front) and from
the side. Each clip is measured on its own (:func:`kneetrack.app.measure.measure_clip`:
its own keypoints, cleaning, events and plausibility gate); then
:func:`combine_clips` makes one ``analysis.json`` of them:

- the frontal metrics (FPPA, hip adduction, pelvic drop, crossover) come from
  the frontal clip, the sagittal ones (foot strike, shank angle, knee flexion)
  from the side clip — each clip's stances keep its own metrics and say which
  clip they are from (``clip``, 1-based);
- the cadences are cross-checked: more than :data:`CADENCE_TOLERANCE_SPM`
  apart and the clips are probably of different speeds (a warning says so);
- the existing fields keep their meaning: ``view`` and ``input`` are the
  frontal clip's (the clip that measures the headline metric), ``cadence_spm``
  is the clips' mean when they agree, else the side clip's; ``clips`` lists
  every clip (``docs/multi-clip.md``).

The plausibility gate still applies per clip: a clip that fails it contributes
no metric, finding or cadence, and the combined analysis says why.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from kneetrack.app.measure import (
    SCHEMA,
    AnalysisOutcome,
    ClipAnalysis,
    ProgressCallback,
    measure_clip,
    request_thresholds,
    write_outputs,
)
from kneetrack.app.requests import AnalyzeRequest
from kneetrack.core.views import FRONTAL_VIEWS, SAGITTAL_VIEWS
from kneetrack.errors import InputError, SettingsError

if TYPE_CHECKING:
    from kneetrack.pose.backend import PoseBackend

#: Largest cadence difference (steps/min) between the clips of one run. Step rate varies by
#: about 1–2 % (2–3 spm) between bouts at one speed; a larger gap means another speed.
CADENCE_TOLERANCE_SPM = 3.0
FRONTAL = "frontal"
SAGITTAL = "sagittal"
LEGS = ("left", "right")


def family_of(view: str | None) -> str | None:
    """``frontal`` for front/rear, ``sagittal`` for the side views, ``None`` otherwise.

    Examples
    --------
    >>> family_of("rear"), family_of("side-left"), family_of(None)
    ('frontal', 'sagittal', None)
    """
    if view in FRONTAL_VIEWS:
        return FRONTAL
    if view in SAGITTAL_VIEWS:
        return SAGITTAL
    return None


@dataclass(frozen=True)
class Roles:
    """The clips of a combined analysis by role, and their order as given (0-based)."""

    frontal: ClipAnalysis
    sagittal: ClipAnalysis
    frontal_index: int
    sagittal_index: int


def check_given_views(request: AnalyzeRequest) -> None:
    """Refuse, before any pose run, two clips given the same view family."""
    families = [family_of(c.view) for c in request.clips]
    if len(families) == 2 and families[0] is not None and families[0] == families[1]:
        raise SettingsError(
            f"both clips are {families[0]} views ({request.clips[0].view}, "
            f"{request.clips[1].view}): give one front or rear clip and one side clip")


def assign_roles(clips: Sequence[ClipAnalysis]) -> Roles:
    """Which clip is frontal and which is sagittal, from each clip's (given or detected) view.

    Raises
    ------
    InputError
        A clip's view could not be determined, or both clips have the same family.
    """
    if len(clips) != 2:
        raise SettingsError(f"a combined analysis needs two clips, got {len(clips)}")
    families = [family_of(c.kinematics.view) for c in clips]
    for c, fam in zip(clips, families, strict=True):
        if fam is None:
            raise InputError(f"{c.clip.path}: the camera view could not be determined; give "
                             "--view for each clip (e.g. --view rear --view side-right)")
    if families[0] == families[1]:
        views = ", ".join(str(c.kinematics.view) for c in clips)
        raise InputError(f"both clips look like {families[0]} views ({views}): give one front "
                         "or rear clip and one side clip (or --view for each)")
    f = families.index(FRONTAL)
    s = 1 - f
    return Roles(frontal=clips[f], sagittal=clips[s], frontal_index=f, sagittal_index=s)


def cadence_check(cadences: Sequence[float | None], *,
                  tolerance_spm: float = CADENCE_TOLERANCE_SPM) -> dict[str, Any]:
    """Cross-check the clips' cadences (steps/min; ``None`` = not measured).

    Returns
    -------
    dict
        ``clips_spm`` (as given), ``difference_spm`` (largest minus smallest of
        the measured ones, ``None`` with fewer than two), ``tolerance_spm`` and
        ``consistent`` (``None`` when it cannot be judged).

    Examples
    --------
    >>> cadence_check([170.2, 171.9])["consistent"]
    True
    >>> c = cadence_check([170.0, 181.5])
    >>> c["consistent"], c["difference_spm"]
    (False, 11.5)
    >>> cadence_check([170.0, None])["consistent"] is None
    True
    """
    measured = [float(c) for c in cadences if c is not None]
    diff = round(max(measured) - min(measured), 2) if len(measured) >= 2 else None
    return {"clips_spm": [None if c is None else round(float(c), 2) for c in cadences],
            "difference_spm": diff, "tolerance_spm": tolerance_spm,
            "consistent": None if diff is None else bool(diff <= tolerance_spm)}


def analyze_clips(request: AnalyzeRequest, *, progress: ProgressCallback | None = None,
                  backend: PoseBackend | None = None) -> AnalysisOutcome:
    """Measure each clip of ``request``, combine them into one analysis, write the folder.

    The frontal clip comes first in the outcome's ``clips`` (its keypoints are
    ``keypoints.trc``, the side clip's ``keypoints-2.trc``).
    """
    check_given_views(request)
    th = request_thresholds(request.cutoff_hz)  # loaded once, handed to every clip
    measured = [measure_clip(c, thresholds=th, workers=request.workers,
                             progress=progress, backend=backend) for c in request.clips]
    roles = assign_roles(measured)
    outcome = AnalysisOutcome(analysis=combine_clips(roles),
                              keypoints=roles.frontal.keypoints,
                              kinematics=roles.frontal.kinematics,
                              clips=(roles.frontal, roles.sagittal))
    if request.out_dir is not None:
        write_outputs(outcome, request.out_dir, report=request.report, workers=request.workers)
    return outcome


def combine_clips(roles: Roles) -> dict[str, Any]:
    """The one ``analysis.json`` dict of a frontal and a side clip (see the module notes)."""
    fa, sa = roles.frontal.analysis, roles.sagittal.analysis
    parts = _parts(roles)
    check = cadence_check([p["analysis"].get("cadence_spm") for p in _given_order(parts)])
    analysis: dict[str, Any] = {
        "schema": SCHEMA,
        "software": fa.get("software"),
        "input": fa.get("input"),
        "view": fa.get("view"),
        "view_confidence": fa.get("view_confidence"),
        "quality": _quality(parts, check),
        "cadence_spm": _cadence(fa.get("cadence_spm"), sa.get("cadence_spm"), check),
        "cadence_check": check,
        "stances": [{**s, "clip": p["index"] + 1} for p in parts
                    for s in p["analysis"].get("stances") or []],
        "summary": _summary(fa.get("summary") or {}, sa.get("summary") or {}),
        "findings": _findings([fa.get("findings") or [], sa.get("findings") or []]),
        "plausibility": _plausibility(parts),
        "curves": _curves(fa.get("curves") or {}, sa.get("curves") or {}),
        "clips": [_clip_entry(p) for p in _given_order(parts)],
        "provenance": [{**step, "clip": p["index"] + 1} for p in parts
                       for step in p["analysis"].get("provenance") or []],
    }
    return analysis


def _parts(roles: Roles) -> list[dict[str, Any]]:
    """Frontal first: ``role``, ``index`` (as given, 0-based), the clip's analysis, its file."""
    return [{"role": FRONTAL, "index": roles.frontal_index, "analysis": roles.frontal.analysis,
             "keypoints_file": "keypoints.trc"},
            {"role": SAGITTAL, "index": roles.sagittal_index, "analysis": roles.sagittal.analysis,
             "keypoints_file": "keypoints-2.trc"}]


def _given_order(parts: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted(parts, key=lambda p: int(p["index"]))


def _label(part: dict[str, Any]) -> str:
    return f"{part['analysis'].get('view') or part['role']} clip"


def _cadence(frontal: float | None, sagittal: float | None,
             check: dict[str, Any]) -> float | None:
    """The clips' mean when they agree; else the side clip's (side views time contacts best)."""
    if check["consistent"] and frontal is not None and sagittal is not None:
        return round((frontal + sagittal) / 2.0, 2)
    return sagittal if sagittal is not None else frontal


def _quality(parts: list[dict[str, Any]], check: dict[str, Any]) -> dict[str, Any]:
    """The worst of the clips' quality figures; every clip's warnings, labelled."""
    qs = [p["analysis"].get("quality") or {} for p in parts]

    def worst(key: str, pick: Any = min) -> Any:
        vals = [q.get(key) for q in qs if isinstance(q.get(key), int | float)]
        return pick(vals) if vals else None

    steps = {leg: min((int((q.get("steps_per_side") or {}).get(leg) or 0) for q in qs),
                      default=0) for leg in LEGS}
    warnings = [f"{_label(p)}: {w}" for p, q in zip(parts, qs, strict=True)
                for w in q.get("warnings") or []]
    if check["consistent"] is False:
        clip_spm = " and ".join(f"{c:.1f}" for c in check["clips_spm"] if c is not None)
        warnings.insert(0, f"the clips' cadences differ by {check['difference_spm']:.1f} steps/min "
                           f"({clip_spm}; more than {check['tolerance_spm']:g}): they are "
                           "probably of different runs or speeds, so the frontal and side "
                           "metrics may not describe the same running")
    frontal_q = qs[0]
    return {"tracked_fraction": worst("tracked_fraction"), "steps_per_side": steps,
            "fps": worst("fps"), "view_confidence": frontal_q.get("view_confidence"),
            "detected_view": frontal_q.get("detected_view"),
            "contact_uncertainty_ms": worst("contact_uncertainty_ms", max),
            "warnings": warnings}


def _summary(frontal: dict[str, Any], sagittal: dict[str, Any]) -> dict[str, Any]:
    """Per leg the frontal clip's frontal metrics and the side clip's sagittal ones."""
    out: dict[str, Any] = {}
    for leg in LEGS:
        f, s = dict(frontal.get(leg) or {}), dict(sagittal.get(leg) or {})
        n = int(f.pop("stances", 0) or 0) + int(s.pop("stances", 0) or 0)
        out[leg] = {"stances": n, **f, **s}
    for key in ("asymmetry", "fatigue_drift"):
        out[key] = {**(frontal.get(key) or {}), **(sagittal.get(key) or {})}
    return out


def _findings(groups: list[list[dict[str, Any]]]) -> list[dict[str, Any]]:
    """The clips' findings, one per code and leg (the frontal clip's first)."""
    seen: set[tuple[Any, Any]] = set()
    out: list[dict[str, Any]] = []
    for group in groups:
        for f in group:
            key = (f.get("code"), f.get("leg"))
            if key not in seen:
                seen.add(key)
                out.append(f)
    return out


def _plausibility(parts: list[dict[str, Any]]) -> dict[str, Any]:
    """Passed when any clip passed; a failed clip's reasons become notes (or the reasons)."""
    gates = [dict(p["analysis"].get("plausibility") or {}) for p in parts]
    ok = [g for g in gates if g.get("passed")]
    out = dict(ok[0] if ok else gates[0])
    out["passed"] = bool(ok)
    withheld: dict[str, dict[str, str]] = {}
    for g in gates:
        for leg, metrics in (g.get("withheld") or {}).items():
            withheld.setdefault(leg, {}).update(metrics)
    out["withheld"] = withheld
    out["withheld_findings"] = sorted({c for g in gates for c in g.get("withheld_findings") or []})
    failed = [(p, g) for p, g in zip(parts, gates, strict=True) if not g.get("passed")]
    if ok:
        out["notes"] = list(out.get("notes") or []) + [
            f"the {_label(p)} did not pass the plausibility check, so its metrics are left "
            f"out: {'; '.join(g.get('reasons') or ['not measurable'])}" for p, g in failed]
    else:
        out["reasons"] = [f"{_label(p)}: {r}" for p, g in failed for r in g.get("reasons") or []]
        out["refilm"] = list(dict.fromkeys(t for _, g in failed for t in g.get("refilm") or []))
    out["clips"] = [{"clip": p["index"] + 1, "passed": bool(g.get("passed"))}
                    for p, g in zip(parts, gates, strict=True)]
    return out


def _curves(frontal: dict[str, Any], sagittal: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {"percent_stance": frontal.get("percent_stance")
                           or sagittal.get("percent_stance") or []}
    for leg in LEGS:
        out[leg] = {**(frontal.get(leg) or {}), **(sagittal.get(leg) or {})}
    return out


def _clip_entry(part: dict[str, Any]) -> dict[str, Any]:
    a = part["analysis"]
    q = a.get("quality") or {}
    g = a.get("plausibility") or {}
    return {"index": part["index"] + 1, "role": part["role"], "view": a.get("view"),
            "view_confidence": a.get("view_confidence"), "detected_view": q.get("detected_view"),
            "input": a.get("input"), "cadence_spm": a.get("cadence_spm"),
            "stances": len(a.get("stances") or []),
            "quality": {"tracked_fraction": q.get("tracked_fraction"),
                        "steps_per_side": q.get("steps_per_side"), "fps": q.get("fps"),
                        "warnings": list(q.get("warnings") or [])},
            "plausibility": {"passed": g.get("passed"), "reasons": list(g.get("reasons") or [])},
            "keypoints_file": part["keypoints_file"]}
