"""Root-cause inference: evaluate the transparent rules of ``causes.yaml``.

Each rule adds up the weight of its evidence lines that fired (scaled by the
finding's severity). A cause is suggested when that score reaches the rule's
``min_score`` and one of its key evidence lines fired. The result says which
evidence fired, in plain words with the measured value, and which tests were
missing — so a runner can read *why* each cause was suggested.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from kneetrack.assessment.facts import Facts, build_facts, check_condition, describe
from kneetrack.knowledge import load_knowledge
from kneetrack.knowledge.schema import CauseRule, Knowledge
from kneetrack.screening.schema import Screening

CONFIDENCE_LABELS = ((0.6, "high"), (0.35, "moderate"), (0.0, "low"))


def confidence_label(confidence: float) -> str:
    """``high`` (≥ 0.6), ``moderate`` (≥ 0.35) or ``low``."""
    return next(label for lo, label in CONFIDENCE_LABELS if confidence >= lo)


#: Per-leg tests where a LOWER value is the worse side (strength, holds, range).
_LOWER_IS_WORSE = (
    "knee_to_wall_cm",
    "side_plank_s",
    "_nm_per_kg",
    "hip_internal_rotation_deg",
    "hip_abduction_range_deg",
    "hamstring_quadriceps_ratio",
)


def fact_side(info: Mapping[str, Any], facts: Facts) -> str | None:
    """The leg a per-leg fact condition points at (the weaker / more collapsing side)."""
    name = str(info.get("fact") or "")
    base, _, stat = name.rpartition(".")
    if stat not in ("min", "max", "diff", "diff_pct", "left", "right"):
        return None
    if stat in ("left", "right"):
        return stat
    left, right = facts.get(f"{base}.left"), facts.get(f"{base}.right")
    if not isinstance(left, int | float) or not isinstance(right, int | float) or left == right:
        return None
    lower = "left" if left < right else "right"
    higher = "right" if lower == "left" else "left"
    if stat == "min":
        return lower
    if stat == "max":
        return higher
    return lower if any(k in base for k in _LOWER_IS_WORSE) else higher


def evaluate_rule(rule: CauseRule, facts: Facts, kb: Knowledge) -> dict[str, Any]:
    """Evaluate one cause rule; returns score, confidence, fired evidence and unknowns."""
    total = sum(e.weight for e in rule.evidence if not e.extra)
    score = 0.0
    fired_idx: list[int] = []
    evidence: list[str] = []
    details: list[dict[str, Any]] = []
    missing: list[str] = []
    for i, ev in enumerate(rule.evidence):
        ok, info = check_condition(ev.when, facts, kb)
        if ok:
            factor = 1.0
            if "finding" in info:
                severity = str(info["finding"].get("severity"))
                factors: dict[str, float] = {str(k): v for k, v in kb.severity_factor.items()}
                factor = factors.get(severity, 1.0)
            score += ev.weight * factor
            fired_idx.append(i)
            line = f"{describe(info)} — {ev.because}"
            evidence.append(line)
            details.append(
                {
                    "line": line,
                    "weight": ev.weight,
                    "factor": factor,
                    "leg": info.get("finding", {}).get("leg") or fact_side(info, facts),
                    "fact": info.get("fact"),
                }
            )
        elif ok is None and ev.needs and ev.needs not in missing:
            missing.append(ev.needs)
    confidence = min(1.0, score / total) if total else 0.0
    key_fired = not rule.requires_any or any(i in fired_idx for i in rule.requires_any)
    legs = {d["leg"] for d in details if d["leg"] in ("left", "right")}
    return {
        "code": rule.code,
        "name": rule.name,
        "side": legs.pop() if len(legs) == 1 else None,
        "fired": bool(score >= rule.min_score and key_fired),
        "score": round(score, 3),
        "confidence": round(confidence, 2),
        "confidence_label": confidence_label(confidence),
        "evidence": evidence,
        "evidence_detail": details,
        "not_assessed": missing,
        "summary": rule.summary.strip(),
        "source": rule.source.strip(),
    }


class CauseInference:
    """Suggest contributing causes of knee valgus from an analysis and a screening.

    Parameters
    ----------
    min_confidence
        Causes whose confidence is below this are not suggested even when their
        rule fired (0 keeps every fired cause).
    knowledge
        Knowledge base to use (default: the packaged one).

    Attributes
    ----------
    causes_
        Suggested causes, most confident first: ``{code, name, confidence,
        confidence_label, evidence, not_assessed, summary, source}``.
    rejected_
        Every other rule with its score (for transparency).
    suggested_detail_
        The suggested causes with ``evidence_detail`` (which fact or finding each
        evidence line read, and its leg).
    facts_
        The facts the rules were evaluated on.

    Notes
    -----
    The rules, weights and their literature live in ``knowledge/causes.yaml``.
    Findings are associated with the causes; this is not a diagnosis.
    """

    def __init__(self, *, min_confidence: float = 0.0, knowledge: Knowledge | None = None) -> None:
        self.min_confidence = min_confidence
        self.knowledge = knowledge

    def infer(
        self, analysis: Mapping[str, Any] | None = None, screening: Screening | None = None
    ) -> CauseInference:
        """Evaluate every rule on ``analysis`` (dict) and ``screening``; returns ``self``."""
        kb = self.knowledge or load_knowledge()
        facts = build_facts(analysis, screening, kb)
        results = [evaluate_rule(rule, facts, kb) for rule in kb.causes.values()]
        keep = [r for r in results if r["fired"] and r["confidence"] >= self.min_confidence]
        keep.sort(key=lambda r: (-r["confidence"], -r["score"]))
        self.causes_ = [
            {k: v for k, v in r.items() if k not in ("fired", "evidence_detail")} for r in keep
        ]
        self.rejected_ = [r for r in results if r not in keep]
        self.suggested_detail_ = keep
        self.facts_ = facts
        return self
