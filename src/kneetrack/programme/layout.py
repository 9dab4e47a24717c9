"""Layout helpers of a programme: phases, their goals, cadence targets, list mixing, minutes."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from kneetrack.knowledge.schema import Knowledge

PHASE_GOALS = {
    "foundation": (
        "Wake up and build endurance in the hip, trunk and foot muscles; learn the knee line."
    ),
    "strength": "Add load: more sets, stronger bands or weights, first single-leg work.",
    "integration": "Single-leg strength and control that carries into running.",
}
#: What each phase adds when the plan retrains the step rate.
CADENCE_GOALS = {
    "foundation": "Start +5 % cadence.",
    "strength": "Keep retraining your step.",
    "integration": "+10 % cadence; fade the feedback.",
}
#: A runner with no contributing factor gets a short maintenance plan.
MAINTENANCE_WEEKS = 4
MAINTENANCE_GOAL = (
    "Maintenance: nothing stood out, so this is a short, balanced hip, trunk and calf routine "
    "to keep what you have."
)


def phase_goal(phase: str, cadence: bool, maintenance: bool) -> str:
    """The goal line of a phase; cadence is promised only when the plan retrains it."""
    if maintenance:
        return MAINTENANCE_GOAL
    return PHASE_GOALS[phase] + (" " + CADENCE_GOALS[phase] if cadence else "")


def phase_weeks(n_weeks: int, share: dict[str, float]) -> list[str]:
    """The phase of each week (1-based order) for a plan of ``n_weeks``."""
    n_found = max(1, round(n_weeks * share["foundation"]))
    n_str = max(1, round(n_weeks * share["strength"]))
    n_int = max(1, n_weeks - n_found - n_str)
    n_found = n_weeks - n_str - n_int
    return ["foundation"] * n_found + ["strength"] * n_str + ["integration"] * n_int


def cadence_targets(cadence_spm: float | None, kb: Knowledge) -> list[dict[str, Any]]:
    """Metronome targets (+5 %, +10 % of the runner's own cadence) by phase."""
    steps = []
    for step in kb.retraining.cadence_steps:
        bpm = (
            None
            if cadence_spm is None
            else round(cadence_spm * (1 + step.cadence_increase_pct / 100))
        )
        steps.append(
            {
                "phase": step.phase,
                "increase_pct": step.cadence_increase_pct,
                "bpm": bpm,
                "text": step.text,
            }
        )
    return steps


def rotate(items: Sequence[str], k: int) -> list[str]:
    """``items`` started ``k`` places further on (wrapping round)."""
    if not items:
        return []
    k %= len(items)
    return [*items[k:], *items[:k]]


def round_robin(lists: Sequence[Sequence[str]]) -> list[str]:
    """The first of each list, then the second of each, ... (no repeats)."""
    out: list[str] = []
    longest = max((len(x) for x in lists), default=0)
    for i in range(longest):
        for lst in lists:
            if i < len(lst) and lst[i] not in out:
                out.append(lst[i])
    return out


def complete_cause(cause: dict[str, Any], kb: Knowledge) -> dict[str, Any]:
    """Fill a cause's name, summary and wording from the knowledge base when missing."""
    rule = kb.causes.get(str(cause.get("code")))
    out = dict(cause)
    out.setdefault("name", rule.name if rule else str(cause.get("code")))
    out.setdefault("summary", rule.summary.strip() if rule else "")
    out.setdefault("confidence", 0.0)
    if "confidence_label" not in out:
        conf = float(out["confidence"])
        out["confidence_label"] = "high" if conf >= 0.6 else "moderate" if conf >= 0.35 else "low"
    out.setdefault("evidence", [])
    out.setdefault("not_assessed", [])
    return out


def estimate_minutes(items: list[dict[str, Any]]) -> int:
    """Rough session length: work plus rest, a few seconds per rep."""
    total_s = 0.0
    for it in items:
        sides = 2 if it.get("per_side") else 1
        if "duration_min" in it:
            total_s += it["duration_min"] * 60
            continue
        work = it.get("reps", 0) * 4 if "reps" in it else it.get("hold_s", 0)
        total_s += it["sets"] * (work * sides + (it.get("rest_s") or 0))
    return max(5, int(round(total_s / 60 / 5) * 5))


def cue_list(
    codes: set[str], cadence: list[dict[str, Any]], kb: Knowledge
) -> list[dict[str, Any]]:
    """The form cues of the suggested causes (and the ``always`` ones), bpm filled in."""
    bpm5 = next((t["bpm"] for t in cadence if t["increase_pct"] == 5), None)
    bpm10 = next((t["bpm"] for t in cadence if t["increase_pct"] == 10), None)
    wanted: list[str] = []
    for cause in kb.causes.values():
        if cause.code in codes:
            wanted.extend(c for c in cause.cues if c not in wanted)
    wanted.extend(c.id for c in kb.cues.values() if c.always and c.id not in wanted)
    out = []
    for cue_id in wanted:
        cue = kb.cues[cue_id]
        text = cue.text.format(
            bpm5=bpm5 if bpm5 else "(your cadence × 1.05)",
            bpm10=bpm10 if bpm10 else "(your cadence × 1.10)",
        )
        out.append({"id": cue.id, "text": text, "why": cue.why, "source": cue.source})
    return out


def progression_text(kb: Knowledge) -> dict[str, Any]:
    """The progress / hold / regress / refer rules in words, from ``rules.yaml``."""
    p = kb.rules.progression
    return {
        "order": list(p.order),
        "progress_when": (
            f"every strength session of the week was done in full (at least "
            f"{p.adherence_full_pct:g} % of its sets × reps logged; runs do not count), "
            f"pain ≤ {p.pain_regress_above:g}/10 and effort (RPE) ≤ {p.rpe_progress_max:g}/10"
        ),
        "hold_when": (
            f"a strength session was missed or only partly done, or effort was RPE "
            f"{p.rpe_progress_max + 1:g}"
        ),
        "regress_when": (
            f"pain > {p.pain_regress_above:g}/10, pain rose by {p.pain_rise_points:g}+ points "
            f"from last week, or effort above RPE {p.rpe_regress_above:g}"
        ),
        "refer_when": (
            f"pain above {p.pain_regress_above:g}/10 for two weeks running, a retest that is "
            "clearly worse, or no measurable change after a full block of "
            f"{kb.rules.no_change_referral_after_weeks} weeks with at least "
            f"{kb.rules.good_adherence_pct:g} % of the strength work done (a smaller change "
            "before that means 'no measurable change yet': keep going)"
        ),
        "ceiling": (
            f"no exercise and no session grows by more than {p.max_weekly_growth_pct:g} % a week "
            "(or one step of the ladder); after any adjustment the later weeks are rebuilt "
            "from the adjusted week"
        ),
        "source": p.source,
    }
