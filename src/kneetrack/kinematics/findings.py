"""Findings: rules from ``knowledge/thresholds/running.yaml`` applied to a summary.

Every threshold, weight, source and sentence lives in the data file; this
module only evaluates them. A finding is::

    {"code", "leg", "value", "threshold", "severity", "text", "source", "weight", "n",
     "reliable"}

``reliable`` is false when fewer stances than ``min_stances_per_side`` back it
(the pipeline also clears it when the view is doubtful or the runner was
tracked in under 60 % of frames).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from kneetrack.kinematics.events import LEGS
from kneetrack.kinematics.stance import StanceRecord, as_stance_record
from kneetrack.kinematics.thresholds import load_running_thresholds

_SEVERITY_ORDER = ("mild", "moderate", "severe")
_LABELS = {"fppa_peak_deg": "Knee frontal plane projection angle",
           "hip_adduction_peak_deg": "Hip adduction",
           "pelvic_drop_peak_deg": "Contralateral pelvic drop"}


def load_thresholds() -> dict[str, Any]:
    """The packaged running thresholds (cached, read-only).

    Typed: :class:`kneetrack.kinematics.thresholds.Thresholds`.
    """
    return load_running_thresholds()


def _severity(value: float, tiers: Mapping[str, float]) -> tuple[str, float] | None:
    hit = None
    for name in _SEVERITY_ORDER:
        if name in tiers and value > float(tiers[name]):
            hit = (name, float(tiers[name]))
    return hit


def _clean(text: str) -> str:
    return " ".join(text.split())


def evaluate_findings(stances: Sequence[StanceRecord | Mapping[str, Any]],
                      summary: Mapping[str, Any], *,
                      view: str | None, cadence_spm: float | None, duration_s: float,
                      thresholds: Mapping[str, Any] | None = None,
                      withheld: Mapping[str, Mapping[str, str]] | None = None
                      ) -> list[dict[str, Any]]:
    """Apply the threshold rules; return the findings, most heavily weighted first.

    ``withheld`` (``{leg: {metric: reason}}``, from the plausibility gate) names
    metrics that are not reported for a leg: no finding is made from them, nor
    an asymmetry or drift finding that involves them. Stance values that are
    ``None`` (withheld one by one) are never read.
    """
    th = thresholds or load_thresholds()
    records = [as_stance_record(s) for s in stances]
    held = {leg: set((withheld or {}).get(leg, {})) for leg in LEGS}
    min_n = int(th["min_stances_per_side"])
    found: list[dict[str, Any]] = []
    for rule in th["rules"]:
        if view not in rule.get("views", []):
            continue
        metric = rule["metric"]
        for leg in LEGS:
            if metric in held[leg]:
                continue
            legs = [s for s in records if s.leg == leg and s.get(metric) is not None]
            if rule["statistic"] == "fraction_true":
                vals = [bool(s[metric]) for s in legs]
                value = float(np.mean(vals)) if vals else None
            else:
                arr = np.array([s[metric] for s in legs], dtype=float)
                arr = arr[np.isfinite(arr)]
                value = float(arr.mean()) if arr.size else None
                vals = list(arr)
            if value is None:
                continue
            sev = _severity(value, rule["tiers"])
            if sev is None:
                continue
            found.append({
                "code": rule["code"], "leg": leg, "value": value, "threshold": sev[1],
                "severity": sev[0],
                "text": _clean(rule["text"].format(leg=leg, value=value, threshold=sev[1],
                                                   value_pct=100 * value)),
                "source": _clean(rule["source"]), "weight": float(rule.get("weight", 1.0)),
                "n": len(vals), "reliable": len(vals) >= min_n,
            })
    cad = th.get("cadence")
    if cad and cadence_spm is not None and cadence_spm < float(cad["low_spm"]):
        lo, hi = cad["increase_pct"]
        found.append({
            "code": cad["code"], "leg": "both", "value": float(cadence_spm),
            "threshold": float(cad["low_spm"]), "severity": "mild",
            "text": _clean(cad["text"].format(value=cadence_spm,
                                              target_low=cadence_spm * (1 + lo / 100),
                                              target_high=cadence_spm * (1 + hi / 100))),
            "source": _clean(cad["source"]), "weight": float(cad.get("weight", 1.0)),
            "n": None, "reliable": True,
        })
    sdd = th.get("smallest_detectable_difference_deg", {})
    asym_rule = th.get("asymmetry")
    if asym_rule:
        for m in asym_rule["metrics"]:
            rec = summary.get("asymmetry", {}).get(m)
            if any(m in held[lg] for lg in LEGS):
                continue
            if not rec or m not in sdd or rec["abs_diff"] <= float(sdd[m]):
                continue
            leg = "left" if rec["diff"] > 0 else "right"
            n = min(summary[lg][m]["n"] for lg in LEGS)
            found.append({
                "code": asym_rule["code_prefix"] + m.replace("_peak_deg", ""), "leg": leg,
                "value": float(rec["abs_diff"]), "threshold": float(sdd[m]), "severity": "mild",
                "text": _clean(asym_rule["text"].format(
                    metric_label=_LABELS.get(m, m), value=rec["abs_diff"], left=rec["left"],
                    right=rec["right"], threshold=float(sdd[m]))),
                "source": _clean(str(sdd.get("source", asym_rule["source"]))),
                "weight": float(asym_rule.get("weight", 0.5)), "n": n, "reliable": n >= min_n,
            })
    drift_rule = th.get("fatigue_drift")
    if drift_rule and duration_s >= float(drift_rule.get("min_duration_s", 60)):
        for m in drift_rule["metrics"]:
            rec = summary.get("fatigue_drift", {}).get(m)
            if any(m in held[lg] for lg in LEGS):
                continue
            if not rec or m not in sdd or rec["change"] <= float(sdd[m]):
                continue
            found.append({
                "code": drift_rule["code_prefix"] + m.replace("_peak_deg", ""), "leg": "both",
                "value": float(rec["change"]), "threshold": float(sdd[m]), "severity": "mild",
                "text": _clean(drift_rule["text"].format(metric_label=_LABELS.get(m, m),
                                                         value=rec["change"])),
                "source": _clean(drift_rule["source"]),
                "weight": float(drift_rule.get("weight", 0.5)),
                "n": int(min(rec["n_first"], rec["n_last"])), "reliable": True,
            })
    rank = {s: i for i, s in enumerate(_SEVERITY_ORDER)}
    found.sort(key=lambda f: (-f["weight"] * (1 + rank.get(f["severity"], 0)), f["code"], f["leg"]))
    return found
