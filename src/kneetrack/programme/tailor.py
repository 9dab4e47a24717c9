"""Tie doses to the runner's own tests: tested holds and the weaker side.

* A hold exercise whose test the runner did (the side-plank hold) starts at the
  tested hold, rounded down to 5 s, and grows from there under the weekly
  ceiling (:mod:`kneetrack.programme.ceiling`) — not at a textbook 30-60 s.
* When a cause is one-sided (the collapsing or weaker leg), per-side exercises
  that address it get one extra set on that side, and the side is named.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from kneetrack.knowledge.schema import Knowledge

#: Exercise -> (screening test, share of the tested hold it starts at).
TESTED_HOLDS = {
    "side_plank": ("side_plank_s", 1.0),
    "side_plank_leg_lift": ("side_plank_s", 0.6),
}
MIN_START_HOLD_S = 10
MAX_START_SETS = 3


def _min_side(value: Any) -> float | None:
    if isinstance(value, Mapping):
        sides = [float(v) for k, v in value.items() if k in ("left", "right") and v is not None]
        return min(sides) if sides else None
    return None


def tested_holds(tests: Mapping[str, Any] | None) -> dict[str, int]:
    """Starting hold (s) per exercise from the screening tests (shorter side decides)."""
    out: dict[str, int] = {}
    for ex_id, (test, share) in TESTED_HOLDS.items():
        held = _min_side((tests or {}).get(test))
        if held is not None:
            out[ex_id] = max(MIN_START_HOLD_S, int(held * share // 5 * 5))
    return out


def apply_tested_holds(weeks: Iterable[dict[str, Any]], holds: Mapping[str, int]) -> None:
    """Start each tested hold exercise (its first week in the plan) at the tested hold.

    A hold near the tested maximum starts with at most ``MAX_START_SETS`` sets.
    """
    seen: set[str] = set()
    for week in weeks:
        first_here = set()
        for session in week.get("sessions", []):
            for item in session.get("items", []):
                ex_id = item.get("exercise_id")
                if ex_id in holds and "hold_s" in item and ex_id not in seen:
                    item["hold_s"] = min(item["hold_s"], holds[ex_id])
                    if item["hold_s"] >= 0.8 * holds[ex_id]:
                        # a hold near the tested maximum: no more than 3 sets to start
                        item["sets"] = min(item["sets"], MAX_START_SETS)
                    item["from_test"] = f"starts from your tested hold ({holds[ex_id]} s)"
                    first_here.add(ex_id)
        seen |= first_here


def cause_side(causes: Iterable[Mapping[str, Any]]) -> dict[str, str]:
    """Cause code -> ``left``/``right`` for the causes whose evidence points at one side."""
    return {
        str(c["code"]): str(c["side"]) for c in causes if c.get("side") in ("left", "right")
    }


def tag_weaker_side(
    weeks: Iterable[dict[str, Any]], sides: Mapping[str, str], kb: Knowledge
) -> str | None:
    """Give per-side exercises of a one-sided cause an extra set on that side (in place).

    Returns the side that gets extra work (the side of the most confident one-sided
    cause; ``sides`` keeps that order) or ``None``.
    """
    if not sides:
        return None
    side = next(iter(sides.values()))
    codes = {c for c, s in sides.items() if s == side}
    for week in weeks:
        for session in week.get("sessions", []):
            if session.get("kind") != "strength":
                continue
            for item in session.get("items", []):
                ex = kb.exercises.get(item.get("exercise_id", ""))
                if (
                    ex is not None
                    and item.get("block") == "main"
                    and item.get("per_side")
                    and codes & set(ex.addresses)
                ):
                    item["extra_sets_side"] = side
                    item["extra_sets"] = 1
    return side
