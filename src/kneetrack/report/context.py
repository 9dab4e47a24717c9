"""Turn an ``analysis.json`` dict (and ``programme.json`` when present) into what the report shows.

Everything a person reads in the report is decided here, as plain data, so
the HTML and PDF templates only lay it out. Every section tolerates missing
data: a metric the view cannot measure is shown as "not measured from this
view", never as a crash or a zero.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from kneetrack.core.views import SAGITTAL_VIEWS
from kneetrack.report.content import metric_reference, quality_limits, report_content
from kneetrack.report.gate import gate_confidence, gate_section

LEGS = ("left", "right")

#: Findings severities, most serious first (unknown words rank as "moderate").
_SEVERITY_RANK = {"urgent": 5, "severe": 4, "high": 4, "marked": 4, "moderate": 3,
                  "mild": 2, "low": 2, "info": 1, "none": 0}

VIEW_TEXT = {
    "front": "from the front",
    "rear": "from behind",
    "side-left": "from the runner's left side",
    "side-right": "from the runner's right side",
}


# ----------------------------------------------------------------------------- helpers
def _num(value: Any) -> float | None:
    """``value`` as a finite float, or ``None``."""
    if isinstance(value, bool) or value is None:
        return None
    try:
        f = float(value)
    except (TypeError, ValueError):
        return None
    return f if math.isfinite(f) else None


def fmt_deg(value: Any, *, digits: int = 1) -> str:
    """Format an angle: ``12.1°``; ``–`` when missing.

    Examples
    --------
    >>> fmt_deg(12.06)
    '12.1°'
    >>> fmt_deg(None)
    '–'
    """
    v = _num(value)
    return "–" if v is None else f"{v:.{digits}f}°"


def humanize(code: str) -> str:
    """``hip_abductor_weakness`` → ``Hip abductor weakness``."""
    text = str(code).replace("_", " ").replace("-", " ").strip()
    return text[:1].upper() + text[1:]


def _text_of(item: Any) -> str:
    """Text of a warning/cue given as a string or a dict with ``text``/``message``."""
    if isinstance(item, Mapping):
        for key in ("text", "message", "cue", "advice", "description", "name", "code"):
            if item.get(key):
                return str(item[key])
        return ", ".join(f"{k}: {v}" for k, v in item.items())
    return str(item)


def leg_stances(analysis: Mapping[str, Any], leg: str) -> list[Mapping[str, Any]]:
    """The stances of one leg, in time order."""
    stances = [s for s in (analysis.get("stances") or []) if isinstance(s, Mapping)
               and s.get("leg") == leg]
    return sorted(stances, key=lambda s: _num(s.get("contact_s")) or 0.0)


def metric_values(analysis: Mapping[str, Any], leg: str, metric: str) -> np.ndarray:
    """Finite values of ``metric`` over one leg's stances."""
    vals = [_num(s.get(metric)) for s in leg_stances(analysis, leg)]
    return np.array([v for v in vals if v is not None], dtype=float)


def leg_stats(analysis: Mapping[str, Any], leg: str, metric: str) -> dict[str, float] | None:
    """Mean, SD, max and n of ``metric`` for one leg; ``None`` when not measured.

    The summary block of ``analysis.json`` is used when it has the metric (the
    engine may leave out stances it judged unreliable); otherwise the stances.
    """
    summary = ((analysis.get("summary") or {}).get(leg) or {}).get(metric)
    vals = metric_values(analysis, leg, metric)
    if isinstance(summary, Mapping) and _num(summary.get("mean")) is not None:
        n = _num(summary.get("n"))
        if n is None:
            n = float(len(vals))
        sd = _num(summary.get("sd"))
        mx = _num(summary.get("max"))
        return {"mean": float(summary["mean"]), "sd": sd if sd is not None else math.nan,
                "max": mx if mx is not None else (float(vals.max()) if vals.size else math.nan),
                "n": int(n)}
    if vals.size == 0:
        return None
    with np.errstate(all="ignore"):  # absurd values give inf, shown as "–"
        sd = float(vals.std(ddof=1)) if vals.size > 1 else math.nan
    return {"mean": float(vals.mean()), "sd": sd, "max": float(vals.max()), "n": int(vals.size)}


def band_of(value: float | None, ref: Mapping[str, Any]) -> str:
    """``typical`` or the severity tier (``mild``/``moderate``/``severe``) that ``value`` exceeds.

    ``none`` when the value or the tiers are missing. Tiers are the findings'
    own (:func:`kneetrack.report.content.metric_reference`), so a number's pill
    matches the finding it triggers.

    Examples
    --------
    >>> band_of(14.0, {"tiers": {"mild": 10.0, "moderate": 13.0, "severe": 18.0}})
    'moderate'
    """
    tiers = ref.get("tiers") or {}
    if value is None or not tiers:
        return "none"
    band = "typical"
    for name, thr in sorted(tiers.items(), key=lambda kv: kv[1]):
        if value > thr:
            band = name
    return band


def band_text(ref: Mapping[str, Any]) -> str:
    """One-line reference, e.g. ``typical ≤ 10°, severe > 18°``."""
    lo, hi = ref.get("typical_max"), ref.get("high_min")
    if lo is None:
        return "no reference range"
    text = f"typical ≤ {lo:g}°"
    if hi is not None and hi != lo:
        text += f", severe > {hi:g}°"
    return text


def severity_rank(finding: Mapping[str, Any]) -> int:
    """Rank of a finding's severity (higher = more serious)."""
    return _SEVERITY_RANK.get(str(finding.get("severity") or "moderate").lower(), 3)


def drift_of(analysis: Mapping[str, Any], leg: str, metric: str) -> float | None:
    """Change of a metric from the first to the last third of the clip (last − first)."""
    pts = [(_num(s.get("contact_s")), _num(s.get(metric))) for s in leg_stances(analysis, leg)]
    pts = [(t, v) for t, v in pts if t is not None and v is not None]
    if len(pts) < 6:
        return None
    t = np.array([p[0] for p in pts])
    v = np.array([p[1] for p in pts])
    lo, hi = t.min(), t.max()
    if hi - lo <= 0:
        return None
    first = v[t <= lo + (hi - lo) / 3]
    last = v[t >= hi - (hi - lo) / 3]
    if first.size < 2 or last.size < 2:
        return None
    return float(last.mean() - first.mean())


# ----------------------------------------------------------------------------- sections
def _steps_per_leg(analysis: Mapping[str, Any]) -> dict[str, int]:
    out = {}
    per_side = (analysis.get("quality") or {}).get("steps_per_side")
    if isinstance(per_side, Mapping) and all(_num(per_side.get(leg)) is not None for leg in LEGS):
        return {leg: int(per_side[leg]) for leg in LEGS}
    for leg in LEGS:
        summ = (analysis.get("summary") or {}).get(leg) or {}
        n = _num(summ.get("stances")) if isinstance(summ, Mapping) else None
        out[leg] = int(n) if n is not None else len(leg_stances(analysis, leg))
    return out


def quality_section(analysis: Mapping[str, Any]) -> dict[str, Any]:
    """Quality warnings (from the analysis plus the report's own checks) and a confidence level."""
    cfg = dict(report_content()["quality"])
    cfg.update(quality_limits())
    quality = analysis.get("quality") or {}
    inp = analysis.get("input") or {}
    warnings = [_text_of(w) for w in (quality.get("warnings") or []) if w]
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
    fps = _num(inp.get("fps"))
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
    tracked = _num(quality.get("tracked_fraction"))
    if tracked is not None and tracked < float(cfg["min_tracked_fraction"]):
        level = min(level, 1 if tracked < 0.7 else 2)
        reasons.append(f"the legs were tracked in {tracked:.0%} of frames")
        if "track" not in lower:
            warnings.append(f"The legs were found in only {tracked:.0%} of frames; keep the whole "
                            "runner in the picture, well lit, with the camera still.")
    view = analysis.get("view")
    view_conf = _num(quality.get("view_confidence"))
    if view_conf is not None and view_conf < 0.6:
        level = min(level, 2)
        reasons.append(f"the camera view was uncertain ({view_conf:.0%})")
    if view in SAGITTAL_VIEWS:
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
            "foot_strike": _mode_text(strikes),
        })
    cadence = _num(analysis.get("cadence_spm"))
    if (analysis.get("plausibility") or {}).get("passed") is False:
        not_measured = []  # nothing was measured: the gate section says why, not the view
    return {"rows": rows, "not_measured": not_measured, "extra": extra,
            "has_crossover": any(e["crossover"] for e in extra),
            "has_foot_strike": any(e["foot_strike"] for e in extra),
            "cadence": f"{cadence:.0f} steps/min" if cadence is not None else None,
            "cadence_what": content["cadence"]["what"]}


def _mode_text(values: Sequence[str]) -> str | None:
    if not values:
        return None
    uniq, counts = np.unique(np.array(values, dtype=object).astype(str), return_counts=True)
    order = np.argsort(-counts)
    return ", ".join(f"{uniq[i]} {counts[i]}/{len(values)}" for i in order)


def findings_section(analysis: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Findings in plain words, most serious first."""
    out: list[dict[str, Any]] = []
    for f in analysis.get("findings") or []:
        if not isinstance(f, Mapping):
            continue
        value, thr = _num(f.get("value")), _num(f.get("threshold"))
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
                    "rank": severity_rank(f), "weight": _num(f.get("weight")) or 1.0,
                    "detail": ", ".join(detail), "source": str(f.get("source") or "")})
    out.sort(key=lambda f: (-f["rank"], -f["weight"]))
    return out


def programme_section(programme: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """Likely causes, referral and a programme summary from ``programme.json``."""
    if not isinstance(programme, Mapping):
        return None
    causes: list[dict[str, Any]] = []
    for c in programme.get("causes") or []:
        if not isinstance(c, Mapping):
            continue
        conf = c.get("confidence")
        cnum = _num(conf)
        conf_text = f"{cnum:.0%}" if cnum is not None and cnum <= 1 else (str(conf) if conf else "")
        evidence = [_text_of(e) for e in (c.get("evidence") or [])]
        name = c.get("name") or c.get("title") or c.get("label")
        causes.append({"name": name or humanize(str(c.get("code", "cause"))),
                       "confidence": conf_text, "confidence_value": cnum or 0.0,
                       "evidence": evidence})
    causes.sort(key=lambda c: -c["confidence_value"])
    weeks = [w for w in (programme.get("weeks") or []) if isinstance(w, Mapping)]
    phases: list[dict[str, Any]] = []
    for w in weeks:
        phase = str(w.get("phase") or "programme")
        num = w.get("week")
        if phases and phases[-1]["phase"] == phase:
            phases[-1]["last"] = num
        else:
            phases.append({"phase": phase, "first": num, "last": num})
    first_week = None
    if weeks:
        sessions = []
        for s in weeks[0].get("sessions") or []:
            if not isinstance(s, Mapping):
                continue
            raw = [i for i in (s.get("items") or []) if isinstance(i, Mapping)]
            main = [i for i in raw if i.get("block") != "warm-up"] or raw
            sessions.append({"date": s.get("date"),
                             "kind": str(s.get("title") or humanize(str(s.get("kind") or ""))),
                             "type": str(s.get("kind") or ""),
                             "items": [_item_text(i) for i in main]})
        first_week = {"week": weeks[0].get("week", 1), "sessions": sessions}
    cues = [_text_of(c) for c in (programme.get("cues") or [])]
    footwear = programme.get("footwear")
    footwear_list = ([_text_of(x) for x in footwear] if isinstance(footwear, list)
                     else [_text_of(footwear)] if footwear else [])
    retest_text = _retest_text(programme.get("retest"))
    return {"causes": causes, "weeks": len(weeks), "phases": phases, "first_week": first_week,
            "cues": cues, "footwear": footwear_list, "retest": retest_text}


def _retest_text(retest: Any) -> str:
    """One sentence about when to film again."""
    if isinstance(retest, list):
        return "; ".join(_text_of(r) for r in retest)
    if not isinstance(retest, Mapping):
        return str(retest) if retest else ""
    if retest.get("text") or retest.get("description"):
        return _text_of(retest)
    parts = []
    every = _num(retest.get("every_weeks"))
    if every:
        parts.append(f"film again every {every:g} weeks")
    dates = retest.get("dates")
    if isinstance(dates, list) and dates:
        parts.append(f"next on {dates[0]}")
    text = ", ".join(parts)
    text = text[:1].upper() + text[1:] + "." if text else ""
    instructions = retest.get("instructions")
    if isinstance(instructions, list) and instructions:
        text += " " + " ".join(str(i) for i in instructions[:2])
    return text.strip()


def _item_text(item: Mapping[str, Any]) -> str:
    name = item.get("name") or humanize(str(item.get("exercise_id", "exercise")))
    dose = []
    sets, reps, hold = item.get("sets"), item.get("reps"), item.get("hold_s")
    minutes = _num(item.get("duration_min"))
    if sets and reps:
        dose.append(f"{sets} × {reps}")
    elif sets and hold:
        dose.append(f"{sets} × {hold} s hold")
    elif minutes:
        dose.append(f"{minutes:g} min")
    elif sets and _num(sets) != 1:
        dose.append(f"{sets} sets")
    if _num(item.get("bpm")):
        dose.append(f"metronome {item['bpm']} bpm")
    if item.get("load"):
        dose.append(str(item["load"]))
    return f"{name} ({', '.join(dose)})" if dose else str(name)


def referral_section(analysis: Mapping[str, Any],
                     programme: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """The referral box, when the programme (or the analysis) says a clinician should look."""
    ref = None
    if isinstance(programme, Mapping) and isinstance(programme.get("referral"), Mapping):
        ref = programme["referral"]
    elif isinstance(analysis.get("referral"), Mapping):
        ref = analysis["referral"]
    if not ref:
        return None
    urgency = str(ref.get("urgency") or "none").lower()
    if not ref.get("needed") and urgency in ("none", ""):
        return None
    to = ref.get("to")
    to_list = to if isinstance(to, list) else ([to] if to else [])
    to_text = ", ".join(_text_of(t) for t in to_list)
    return {"urgency": urgency, "urgent": urgency == "urgent", "to": to_text,
            "reasons": [_text_of(r) for r in (ref.get("reasons") or [])]}


def first_sentence(text: str) -> str:
    """The first sentence of a finding's text (the verdict shows only what was seen).

    Examples
    --------
    >>> first_sentence("Cadence is 150 steps/min. Raising it helps. More.")
    'Cadence is 150 steps/min.'
    """
    m = re.search(r"(?<=[.!?])\s+(?=[A-Z])", text)
    return text[:m.start()].strip() if m else text.strip()


def first_step_for(code: str, steps: Mapping[str, str]) -> str:
    """The content file's first step for a finding code (exact, then prefix, then default)."""
    if code in steps:
        return steps[code]
    for key, text in steps.items():
        if key.endswith("_") and code.startswith(key):
            return text
    return steps["default"]


def verdict_section(analysis: Mapping[str, Any], findings: list[dict[str, Any]],
                    quality: Mapping[str, Any], numbers: Mapping[str, Any],
                    programme: Mapping[str, Any] | None,
                    referral: Mapping[str, Any] | None) -> dict[str, Any]:
    """The one-screen verdict: what we saw, how sure we are, what to do first."""
    content = report_content()
    view = analysis.get("view")
    serious = [f for f in findings if f["rank"] >= 2]
    frontal_measured = any(r["metric"] in ("fppa_peak_deg", "hip_adduction_peak_deg")
                           for r in numbers["rows"])
    gate = gate_section(analysis)
    if gate is not None and not gate["passed"]:
        # Nothing from this clip: say what was wrong and how to film again, no advice.
        sure = {"high": "High", "moderate": "Moderate", "low": "Low"}[quality["level"]]
        return {"headline": gate["headline"], "points": gate["reasons"][:3],
                "status": "unknown", "confidence": sure,
                "confidence_level": quality["level"],
                "confidence_reasons": quality["reasons"],
                "first": gate["refilm"][0] if gate["refilm"] else
                "Film 10-20 s of steady running with the whole body in the picture.",
                "view_text": VIEW_TEXT.get(str(view), "from an undetermined view")}
    if serious:
        n = len(serious)
        headline = (f"We saw {n} pattern{'s' if n > 1 else ''} worth working on"
                    if n > 1 else "We saw one pattern worth working on")
        points = [first_sentence(f["text"]) for f in serious[:3]]
        if not frontal_measured:
            points.append("Knee valgus itself was not measured: that needs a video from the "
                          "front or from behind.")
        status = "attention"
    elif not frontal_measured:
        headline = "Knee valgus could not be measured from this clip"
        points = ["Film from the front or from behind to measure the knee and hip angles."]
        status = "unknown"
    else:
        headline = "No sign of knee valgus above the typical range"
        points = []
        for row in numbers["rows"][:2]:
            parts = [f"{leg} {row['cells'][leg]['mean']}" for leg in LEGS
                     if row["cells"][leg].get("measured")]
            points.append(f"{row['label']}: {', '.join(parts)} ({row['band']}).")
        status = "good"

    if referral and referral.get("urgent"):
        first = (f"See {referral['to'] or 'a clinician'} before any running or exercise changes: "
                 + "; ".join(referral["reasons"]))
    elif programme and programme.get("first_week") and programme["first_week"]["sessions"]:
        sessions = programme["first_week"]["sessions"]
        s = next((x for x in sessions if x.get("type") == "strength"), sessions[0])
        first = (f"Start week 1 of your {programme['weeks']}-week programme: "
                 f"{s['kind'] or 'first session'} — {', '.join(s['items'][:3])}.")
    else:
        steps = content["first_steps"]
        if serious:
            first = first_step_for(str(serious[0].get("code") or ""), steps)
        elif not frontal_measured:
            first = ("Film 10 seconds of running from the front or from behind, at 60 fps or "
                     "more, with the whole body in the picture.")
        else:
            first = steps["none"]
    sure = {"high": "High", "moderate": "Moderate", "low": "Low"}[quality["level"]]
    view_text = VIEW_TEXT.get(str(view), "from an undetermined view")
    return {"headline": headline, "points": points, "status": status,
            "confidence": sure, "confidence_level": quality["level"],
            "confidence_reasons": quality["reasons"], "first": first,
            "view_text": view_text}


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
    fps = _num(inp.get("fps"))
    dur = _num(inp.get("duration_s"))
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
