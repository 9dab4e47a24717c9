"""Account for every flagged screening value: which cause used it, or why none did."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from kneetrack.screening.norms import Note

#: Screening note topic -> the fact the cause rules read it from.
TOPIC_FACTS = {
    "knee_to_wall": "tests.knee_to_wall_cm",
    "side_plank": "tests.side_plank_s",
    "single_leg_squat": "tests.single_leg_squat_fppa_deg",
    "hip_abduction_strength": "tests.hip_abduction_nm_per_kg",
    "hip_external_rotation_strength": "tests.hip_external_rotation_nm_per_kg",
    "thomas_test": "tests.thomas_test_deg",
    "ober_test": "tests.ober_test_deg",
    "hip_internal_rotation": "tests.hip_internal_rotation_deg",
    "hip_abduction_range": "tests.hip_abduction_range_deg",
    "hamstring_quadriceps_ratio": "tests.hamstring_quadriceps_ratio",
    "navicular_drop": "tests.navicular_drop_mm",
    "foot_posture_index": "tests.foot_posture_index",
    "shoes": "shoes.km",
    "training_load": "training.recent_increase_pct",
    "pain": "symptoms.pain_worst_0_10",
}
#: Topics handled by the referral check rather than by a cause.
REFERRAL_TOPICS = {"pain": "severe_pain", "single_leg_squat": "severe_squat_collapse"}


def _uses(result: Mapping[str, Any], fact: str) -> bool:
    return any(
        str(d.get("fact") or "").startswith(fact + ".") or d.get("fact") == fact
        for d in result.get("evidence_detail", [])
    )


def screening_use(
    notes: Iterable[Note],
    fired: Iterable[Mapping[str, Any]],
    rejected: Iterable[Mapping[str, Any]],
    referral: Mapping[str, Any] | None = None,
) -> list[dict[str, Any]]:
    """One line per flagged screening note: ``{topic, leg, text, used_by, why_not}``.

    ``fired`` and ``rejected`` are cause results with ``evidence_detail`` (the
    rule evaluations of :class:`~kneetrack.assessment.CauseInference`); a note is
    *used* by every suggested cause whose fired evidence reads its fact, and by
    the referral when a red flag on it fired. Otherwise ``why_not`` says why.
    """
    fired, rejected = list(fired), list(rejected)
    flags = {f.get("id") for f in (referral or {}).get("flags", [])}
    out = []
    for n in notes:
        if n.status != "flag":
            continue
        fact = TOPIC_FACTS.get(n.topic)
        used = [c["name"] for c in fired if fact and _uses(c, fact)]
        if REFERRAL_TOPICS.get(n.topic) in flags:
            used.append("referral to a professional")
        why = None
        if not used:
            near = [c for c in rejected if fact and _uses(c, fact)]
            if near:
                c = near[0]
                why = (
                    f"it counts towards “{c['name']}”, but on its own it is not enough "
                    f"(score {c['score']:.2f}; the rule needs more evidence, such as a hip "
                    "finding in the video or another weak test)"
                )
            elif fact is None:
                why = "no cause rule reads this value; it is shown for information"
            else:
                why = (
                    "the cause rules use a stricter cut-off for this value than the screening "
                    "summary, so it did not count as evidence here"
                )
        out.append(
            {"topic": n.topic, "leg": n.leg, "text": n.text, "used_by": used, "why_not": why}
        )
    return out
