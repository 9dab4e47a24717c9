"""The report's one-screen verdict: what we saw, how sure we are, what to do first."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from kneetrack.report.content import report_content
from kneetrack.report.gate import gate_section
from kneetrack.report.values import LEGS, VIEW_TEXT


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
