"""What the report says about the plausibility gate (``analysis.json`` → ``plausibility``).

A clip that failed the gate gets a report that says what was wrong and how to
film again, and nothing else from the clip; a clip that passed with withheld
metrics or a cut-out person says so, and the confidence statement is capped
accordingly (:func:`gate_confidence`). Analyses written before the gate
existed have no ``plausibility`` block: nothing is shown and nothing capped.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

#: Readable names of the gate's checks.
CHECK_LABELS = {
    "analysable": "Legs tracked",
    "one_person": "One person throughout",
    "steps": "Enough steps",
    "regular_steps": "Regular steps",
    "vertical_oscillation": "Running bounce",
    "running_pattern": "Running, not walking",
    "cadence": "Cadence in real time",
    "body_proportions": "Body proportions",
}
_METRIC_LABELS = {
    "fppa_peak_deg": "knee angle (FPPA)", "hip_adduction_peak_deg": "hip adduction",
    "pelvic_drop_peak_deg": "pelvic drop", "shank_angle_ic_deg": "shank angle at contact",
    "knee_flexion_ic_deg": "knee bend at contact", "foot_strike_angle_deg": "foot angle",
}


def _gate(analysis: Mapping[str, Any]) -> Mapping[str, Any] | None:
    gate = analysis.get("plausibility")
    return gate if isinstance(gate, Mapping) and "passed" in gate else None


def _value_text(value: Any) -> str:
    if isinstance(value, bool) or value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.3g}"
    if isinstance(value, Mapping):
        return ", ".join(f"{k.replace('_', ' ')} {v:.2f}" for k, v in value.items()
                         if isinstance(v, int | float))
    return str(value)


def rate_text(analysis: Mapping[str, Any]) -> str | None:
    """One sentence on where the frame rate came from, when it was not read from the file."""
    inp = analysis.get("input") or {}
    src, fps = inp.get("fps_source"), inp.get("fps")
    fps_text = f"{fps:g} fps" if isinstance(fps, int | float) else "an unknown rate"
    if src == "assumed":
        return (f"The frame rate was assumed ({fps_text}): the file stores none. If the video "
                "was filmed at another rate, analyse it again with --fps.")
    if src == "given":
        return f"The frame rate {fps_text} was given with --fps."
    if src == "speed_factor":
        return (f"The clip was re-timed with --speed-factor {inp.get('speed_factor'):g} "
                f"({fps_text} in real time).")
    return None


def gate_section(analysis: Mapping[str, Any]) -> dict[str, Any] | None:
    """The report's gate box: verdict, reasons, how to re-film, every check, withheld metrics.

    ``None`` for analyses without a ``plausibility`` block.
    """
    gate = _gate(analysis)
    if gate is None:
        return None
    checks = []
    for c in gate.get("checks") or []:
        if not isinstance(c, Mapping):
            continue
        passed = c.get("passed")
        checks.append({"label": CHECK_LABELS.get(str(c.get("code")), str(c.get("code"))),
                       "status": "ok" if passed is True else "fail" if passed is False
                       else "unknown",
                       "text": str(c.get("text") or ""), "value": _value_text(c.get("value")),
                       "expected": str(c.get("expected") or "")})
    withheld = []
    for leg, metrics in (gate.get("withheld") or {}).items():
        if not isinstance(metrics, Mapping):
            continue
        for metric, reason in metrics.items():
            withheld.append({"leg": leg, "metric": _METRIC_LABELS.get(metric, metric),
                             "reason": str(reason)})
    measured = gate.get("measured") or {}
    passed = bool(gate.get("passed"))
    cadence = measured.get("cadence_spm")
    return {
        "passed": passed,
        "headline": ("This clip shows one person running steadily" if passed else
                     "We could not measure this clip"),
        "reasons": [str(r) for r in gate.get("reasons") or []],
        "refilm": [str(r) for r in gate.get("refilm") or []],
        "notes": [str(n) for n in gate.get("notes") or []],
        "checks": checks,
        "withheld": [] if not passed else withheld,
        "measured_cadence": (f"{cadence:.0f} steps/min as detected, not used"
                             if not passed and isinstance(cadence, int | float) else None),
        "rate": rate_text(analysis),
    }


def gate_confidence(analysis: Mapping[str, Any]) -> tuple[int | None, list[str]]:
    """Highest confidence level the gate allows (3 high, 2 moderate, 1 low) and why.

    ``(None, [])`` when the gate has nothing to say (passed cleanly, or absent).
    """
    gate = _gate(analysis)
    if gate is None:
        return None, []
    if gate.get("passed") is False:
        return 1, ["the clip did not pass the plausibility check: "
                   + "; ".join(str(r) for r in gate.get("reasons") or [])]
    cap: int | None = None
    reasons = []
    for c in gate.get("checks") or []:
        if isinstance(c, Mapping) and c.get("code") == "body_proportions" \
                and c.get("passed") is False:
            cap = 1
            reasons.append("impossible body proportions (is the video stretched?): every "
                           "angle was withheld")
    withheld = gate.get("withheld") or {}
    if any(withheld.values()) if isinstance(withheld, Mapping) else False:
        cap = min(cap or 2, 2)
        names = sorted({str(_METRIC_LABELS.get(str(m), m)) for ms in withheld.values()
                        if isinstance(ms, Mapping) for m in ms})
        reasons.append("not reported because implausible: " + ", ".join(names))
    if (gate.get("identity") or {}).get("split"):
        cap = min(cap or 2, 2)
        reasons.append("part of the clip showed someone or something else and was cut out")
    if (analysis.get("input") or {}).get("fps_source") == "assumed":
        cap = min(cap or 2, 2)
        reasons.append("the frame rate was assumed, not read from the file")
    return cap, reasons


#: Per-frame series (without the leg prefix) behind each per-step metric.
_SERIES_OF = {
    "fppa_peak_deg": ("fppa_deg",), "hip_adduction_peak_deg": ("hip_adduction_deg",),
    "pelvic_drop_peak_deg": ("pelvic_drop_deg",), "shank_angle_ic_deg": ("shank_angle_deg",),
    "knee_flexion_ic_deg": ("knee_flexion_deg",), "foot_strike_angle_deg": ("foot_angle_deg",),
}


def shown_series(analysis: Mapping[str, Any], series: Mapping[str, Any]) -> dict[str, Any]:
    """The per-frame angle series the report may show (live angles, OpenSim export).

    A clip that failed the gate, or whose body proportions were impossible,
    shows none (``time_s`` only); a metric withheld for a leg drops that leg's
    series. Analyses without a gate block keep everything.
    """
    gate = _gate(analysis)
    out = dict(series)
    if gate is None:
        return out
    broken = gate.get("passed") is False or any(
        isinstance(c, Mapping) and c.get("code") == "body_proportions" and c.get("passed") is False
        for c in gate.get("checks") or [])
    if broken:
        return {k: v for k, v in out.items() if not k.endswith("_deg")}
    for leg, metrics in (gate.get("withheld") or {}).items():
        for metric in metrics if isinstance(metrics, Mapping) else ():
            for name in _SERIES_OF.get(str(metric), ()):
                out.pop(f"{leg}_{name}", None)
    return out
