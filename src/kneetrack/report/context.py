"""Turn an ``analysis.json`` dict (and ``programme.json`` when present) into what the report shows.

Everything a person reads in the report is decided here, as plain data, so
the HTML and PDF templates only lay it out. Every section tolerates missing
data: a metric the view cannot measure is shown as "not measured from this
view", never as a crash or a zero.

This module assembles the sections; :mod:`kneetrack.report.values` reads the
numbers, :mod:`kneetrack.report.verdict` writes the verdict and
:mod:`kneetrack.report.programme_summary` summarises the programme.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

from kneetrack.report.content import metric_reference, quality_limits, report_content
from kneetrack.report.gate import gate_confidence, gate_section
from kneetrack.report.programme_summary import programme_section, referral_section
from kneetrack.report.values import (
    LEGS,
    SIDE_VIEWS,
    VIEW_TEXT,
    as_finite,
    band_of,
    band_text,
    drift_of,
    fmt_deg,
    humanize,
    leg_stances,
    leg_stats,
    mode_text,
    severity_rank,
    text_of,
)
from kneetrack.report.verdict import verdict_section


# ----------------------------------------------------------------------------- sections
def _steps_per_leg(analysis: Mapping[str, Any]) -> dict[str, int]:
    out = {}
    per_side = (analysis.get("quality") or {}).get("steps_per_side")
    if isinstance(per_side, Mapping) and all(as_finite(per_side.get(leg)) is not None
                                             for leg in LEGS):
        return {leg: int(per_side[leg]) for leg in LEGS}
    for leg in LEGS:
        summ = (analysis.get("summary") or {}).get(leg) or {}
        n = as_finite(summ.get("stances")) if isinstance(summ, Mapping) else None
        out[leg] = int(n) if n is not None else len(leg_stances(analysis, leg))
    return out


def quality_section(analysis: Mapping[str, Any]) -> dict[str, Any]:
    """Quality warnings (from the analysis plus the report's own checks) and a confidence level."""
    cfg = dict(report_content()["quality"])
    cfg.update(quality_limits())
    quality = analysis.get("quality") or {}
    inp = analysis.get("input") or {}
    warnings = [text_of(w) for w in (quality.get("warnings") or []) if w]
    lower = " ".join(warnings).lower()
    reasons: list[str] = []
    level = 3  # 3 high, 2 moderate, 1 low

    steps = _steps_per_leg(analysis)
    min_steps = int(cfg["min_steps_per_side"])
    fewest = min(steps.values())
    if fewest < min_steps:
        level = min(level, 1 if fewest < 3 else 2)
        side = min(steps, key=lambda leg: steps[leg])
        reasons.append(f"{fewest} step{'s' if fewest != 1 else ''} on the {side} side "
                       f"(at least {min_steps} per side give a stable average)")
        if "step" not in lower and "stance" not in lower:
            warnings.append(f"Only {steps['left']} left and {steps['right']} right steps were "
                            f"found; film at least {min_steps} steps per side (about 10 s of "
                            "running) for a stable average.")
    fps = as_finite(inp.get("fps"))
    if fps is not None and fps <= 0:
        fps = None
    min_fps = float(cfg["min_fps_for_timing"])
    if fps is not None and fps < min_fps:
        level = min(level, 2)
        reasons.append(f"{fps:.0f} fps video (timing of foot contact is ±1 frame = "
                       f"{1000 / fps:.0f} ms)")
        if "fps" not in lower and "frame rate" not in lower:
            warnings.append(f"The video has {fps:.0f} frames per second; film at {min_fps:.0f} fps "
                            "or more (slow-motion mode) for exact foot-contact timing.")
    tracked = as_finite(quality.get("tracked_fraction"))
    if tracked is not None and tracked < float(cfg["min_tracked_fraction"]):
        level = min(level, 1 if tracked < 0.7 else 2)
        reasons.append(f"the legs were tracked in {tracked:.0%} of frames")
        if "track" not in lower:
            warnings.append(f"The legs were found in only {tracked:.0%} of frames; keep the whole "
                            "runner in the picture, well lit, with the camera still.")
    view = analysis.get("view")
    view_conf = as_finite(quality.get("view_confidence"))
    if view_conf is not None and view_conf < 0.6:
        level = min(level, 2)
        reasons.append(f"the camera view was uncertain ({view_conf:.0%})")
    if view in SIDE_VIEWS:
        reasons.append("a side view cannot measure knee valgus")
        if "view" not in lower:
            warnings.append("This clip was filmed from the side: knee valgus, hip adduction and "
                            "pelvic drop need a video from the front or from behind.")
    if view is None:
        level = min(level, 1)
        reasons.append("the camera view could not be determined")
    gate_cap, gate_reasons = gate_confidence(analysis)
    if gate_cap is not None:
        level = min(level, gate_cap)
        reasons[:0] = gate_reasons
    if warnings and level == 3:
        level = 2
    if not reasons and level == 3:
        reasons.append(f"{steps['left']} left and {steps['right']} right steps, "
                       f"{fps:.0f} fps" if fps is not None else "enough steps per side")
    words = {3: "high", 2: "moderate", 1: "low"}
    return {"level": words[level], "reasons": reasons, "warnings": warnings,
            "steps": steps, "tracked_fraction": tracked, "fps": fps}


def numbers_section(analysis: Mapping[str, Any]) -> dict[str, Any]:
    """Per-leg key numbers with spread, measurement error and norm bands."""
    content = report_content()
    rows = []
    not_measured = []
    for metric, cfg in content["metrics"].items():
        ref = metric_reference(metric)
        sdd = ref["sdd"]
        stats = {leg: leg_stats(analysis, leg, metric) for leg in LEGS}
        if all(v is None for v in stats.values()):
            not_measured.append(cfg["label"])
            continue
        cells: dict[str, dict[str, Any]] = {}
        for leg in LEGS:
            st = stats[leg]
            if st is None:
                cells[leg] = {"measured": False}
                continue
            sd = st["sd"]
            cells[leg] = {
                "measured": True,
                "mean": fmt_deg(st["mean"]),
                "sd": fmt_deg(sd) if math.isfinite(sd) else "–",
                "max": fmt_deg(st["max"]),
                "n": st["n"],
                "band": band_of(st["mean"], ref),
                "mean_value": st["mean"],
            }
        asym = None
        if stats["left"] and stats["right"]:
            diff = stats["left"]["mean"] - stats["right"]["mean"]
            asym = {"value": fmt_deg(abs(diff)),
                    "side": "left" if diff > 0 else "right",
                    "real": sdd is not None and abs(diff) > sdd}
        drift = {leg: drift_of(analysis, leg, metric) for leg in LEGS}
        rows.append({
            "metric": metric, "label": cfg["label"], "what": cfg["what"], "cells": cells,
            "band": band_text(ref), "sdd": fmt_deg(sdd) if sdd is not None else None,
            "asymmetry": asym,
            "drift": {leg: (fmt_deg(d) if d is None else f"{d:+.1f}°") for leg, d in drift.items()},
            "drift_real": {leg: d is not None and sdd is not None and abs(d) > sdd
                           for leg, d in drift.items()},
        })
    extra = []
    for leg in LEGS:
        leg_st = leg_stances(analysis, leg)
        cross = [s.get("crossover") for s in leg_st if s.get("crossover") is not None]
        strikes = [str(s.get("foot_strike")) for s in leg_st if s.get("foot_strike")]
        extra.append({
            "leg": leg,
            "crossover": f"{sum(bool(c) for c in cross)} of {len(cross)} steps" if cross else None,
            "foot_strike": mode_text(strikes),
        })
    cadence = as_finite(analysis.get("cadence_spm"))
    if (analysis.get("plausibility") or {}).get("passed") is False:
        not_measured = []  # nothing was measured: the gate section says why, not the view
    return {"rows": rows, "not_measured": not_measured, "extra": extra,
            "has_crossover": any(e["crossover"] for e in extra),
            "has_foot_strike": any(e["foot_strike"] for e in extra),
            "cadence": f"{cadence:.0f} steps/min" if cadence is not None else None,
            "cadence_what": content["cadence"]["what"]}


def findings_section(analysis: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Findings in plain words, most serious first."""
    out: list[dict[str, Any]] = []
    for f in analysis.get("findings") or []:
        if not isinstance(f, Mapping):
            continue
        value, thr = as_finite(f.get("value")), as_finite(f.get("threshold"))
        text = f.get("text") or humanize(str(f.get("code", "finding")))
        detail = []
        if value is not None:
            detail.append(f"measured {value:.3g}")
        if thr is not None:
            detail.append(f"threshold {thr:.3g}")
        if f.get("reliable") is False:
            detail.append("less reliable: few steps or poor tracking")
        out.append({"code": f.get("code"), "leg": f.get("leg"), "text": str(text),
                    "severity": str(f.get("severity") or "moderate").lower(),
                    "rank": severity_rank(f), "weight": as_finite(f.get("weight")) or 1.0,
                    "detail": ", ".join(detail), "source": str(f.get("source") or "")})
    out.sort(key=lambda f: (-f["rank"], -f["weight"]))
    return out


def explainer_section(numbers: Mapping[str, Any], analysis: Mapping[str, Any]) -> dict[str, Any]:
    """The "what is knee valgus" section, tied to the runner's own numbers."""
    ex = report_content()["explainer"]
    mine = []
    for row in numbers["rows"]:
        if row["metric"] not in ("fppa_peak_deg", "hip_adduction_peak_deg", "pelvic_drop_peak_deg"):
            continue
        parts = [f"{leg} {row['cells'][leg]['mean']}" for leg in LEGS
                 if row["cells"][leg].get("measured")]
        text = f"{row['label']}: {' and '.join(parts)} on average ({row['band']})"
        if row["sdd"]:
            text += (f"; a change of less than {row['sdd']} between two videos is within "
                     "measurement error")
        mine.append(text + ".")
    if not mine:
        seen = VIEW_TEXT.get(str(analysis.get("view")), "from an undetermined view")
        mine.append(f"This clip was filmed {seen}, so these angles were not measured.")
    return {"title": ex["title"], "paragraphs": ex["paragraphs"], "mine": mine}


def sources_section(numbers: Mapping[str, Any]) -> list[str]:
    """Literature behind the bands and the measurement error shown."""
    content = report_content()
    shown = {r["metric"] for r in numbers["rows"]}
    out: list[str] = []
    for metric, cfg in content["metrics"].items():
        if metric in shown:
            out.extend(cfg["sources"])
    out.extend(content["cadence"]["sources"])
    out.extend(content["quality"]["sources"])
    return list(dict.fromkeys(out))


def build_context(analysis: Mapping[str, Any], *, programme: Mapping[str, Any] | None = None,
                  plots: Sequence[Mapping[str, Any]] = (), video: str | None = None,
                  strips: Sequence[Mapping[str, Any]] = (),
                  exports: Sequence[Mapping[str, str]] = (),
                  generated: str | None = None) -> dict[str, Any]:
    """Assemble the template context for one report.

    Parameters
    ----------
    analysis
        The ``analysis.json`` dict (schema ``kneetrack.analysis/1``).
    programme
        The ``programme.json`` dict, when the folder has one.
    plots
        ``{"id", "title", "caption", "src"}`` per plot (``src`` a data URI).
    video
        Relative link to the annotated video, if one was written.
    strips
        Side-view contact-frame strips (``{"title", "caption", "src"}``).
    exports
        ``{"name", "href", "what"}`` per exported file in the folder.
    generated
        Date/time text shown in the header.
    """
    inp = analysis.get("input") or {}
    quality = quality_section(analysis)
    numbers = numbers_section(analysis)
    findings = findings_section(analysis)
    prog = programme_section(programme)
    referral = referral_section(analysis, programme)
    verdict = verdict_section(analysis, findings, quality, numbers, prog, referral)
    path = str(inp.get("path") or "")
    name = path.replace("\\", "/").rsplit("/", 1)[-1] if path else "clip"
    fps = as_finite(inp.get("fps"))
    dur = as_finite(inp.get("duration_s"))
    software = analysis.get("software") or {}
    return {
        "title": f"Running report — {name}",
        "clip": {"name": name, "kind": inp.get("kind"),
                 "fps": f"{fps:.0f} fps" if fps else "–",
                 "duration": f"{dur:.1f} s" if dur else "–",
                 "frames": inp.get("frames"),
                 "size": (f"{inp['width']}×{inp['height']}"
                          if inp.get("width") and inp.get("height") else None),
                 "view": VIEW_TEXT.get(str(analysis.get("view")), "view not determined")},
        "generated": generated,
        "software": f"{software.get('name', 'kneetrack')} {software.get('version', '')}".strip(),
        "verdict": verdict,
        "gate": gate_section(analysis),
        "quality": quality,
        "numbers": numbers,
        "findings": findings,
        "programme": prog,
        "referral": referral,
        "explainer": explainer_section(numbers, analysis),
        "plots": list(plots),
        "strips": list(strips),
        "video": video,
        "video_size": ((inp.get("width"), inp.get("height"))
                       if inp.get("width") and inp.get("height") else None),
        "exports": list(exports),
        "sources": sources_section(numbers),
        "provenance": processing_step_names(analysis, video=video is not None),
    }


def processing_step_names(analysis: Mapping[str, Any], *, video: bool = False) -> list[str]:
    """Every processing step recorded in ``analysis["provenance"]``, in words, then the report's.

    Examples
    --------
    >>> processing_step_names({"provenance": [{"step": "pose"}, {"step": "repair_swaps"}]})
    ['pose', 'repair swaps', 'report']
    """
    names = [str(p.get("step")).replace("_", " ") for p in (analysis.get("provenance") or [])
             if isinstance(p, Mapping) and p.get("step")]
    return [*names, *(["annotated video"] if video else []), "report"]
