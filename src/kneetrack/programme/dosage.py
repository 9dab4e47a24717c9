"""Programme items and their dose: build one, add load to it, take load off it.

A programme *item* is a plain dict (it is written to ``programme.json`` as is)::

    {"exercise_id": "banded_clamshell", "name": "Banded clamshell", "kind": "strength",
     "block": "main", "sets": 3, "reps": 15, "per_side": true, "tempo": "2-1-1",
     "rest_s": 45, "load": "light band", "cues": ["..."]}

It has exactly one of ``reps``, ``hold_s`` or ``duration_min``. The functions
here are pure: they return a new dict and never change their input.

Progressive overload follows the order in ``rules.yaml`` (reps → sets →
resistance → single-leg progression); regression takes one step back.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from kneetrack.knowledge.schema import Exercise, Knowledge

#: Equipment every runner is assumed to have (floor, wall, a chair, a stair).
ALWAYS_AVAILABLE = frozenset({"mat", "wall", "chair", "step"})
#: Kinds that count as loading work in volume and progression.
LOADING_KINDS = frozenset({"strength", "core", "foot"})
DOSE_KEYS = ("reps", "hold_s", "duration_min")


def available(ex: Exercise, equipment: Iterable[str]) -> bool:
    """True when every piece of equipment ``ex`` needs is in ``equipment`` (or always there)."""
    have = ALWAYS_AVAILABLE | set(equipment)
    return set(ex.equipment) <= have


def resolve_exercise(ex_id: str, kb: Knowledge, equipment: Iterable[str]) -> str | None:
    """Return ``ex_id`` or the closest substitute/regression the equipment allows (or ``None``)."""
    equipment = list(equipment)
    seen: set[str] = set()
    queue = [ex_id]
    while queue:
        cur = queue.pop(0)
        if cur in seen:
            continue
        seen.add(cur)
        ex = kb.exercises[cur]
        if available(ex, equipment):
            return cur
        queue.extend([*ex.substitutes, *ex.regressions])
    return None


def _ladder(ex: Exercise, kb: Knowledge, equipment: Iterable[str]) -> list[str] | None:
    rules = kb.rules.progression
    if ex.load_type in ("band", "long_band"):
        return list(rules.band_ladder)
    if ex.load_type == "dumbbell" and "dumbbell" in set(equipment):
        return list(rules.dumbbell_ladder)
    return None


def initial_load(ex: Exercise, kb: Knowledge, equipment: Iterable[str]) -> str | None:
    """Starting resistance: the first rung of the band/weight ladder, ``bodyweight`` or ``None``."""
    ladder = _ladder(ex, kb, equipment)
    if ladder:
        return ladder[0]
    return None if ex.load_type == "none" else "bodyweight"


def make_item(
    ex: Exercise,
    level: str,
    kb: Knowledge,
    *,
    equipment: Iterable[str] = (),
    block: str = "main",
    extra_sets: int = 0,
) -> dict[str, Any]:
    """A programme item for ``ex`` at the starting dose of ``level``."""
    dose = ex.dosage[level]  # type: ignore[index]
    max_sets = kb.rules.progression.max_sets[level]  # type: ignore[index]
    item: dict[str, Any] = {
        "exercise_id": ex.id,
        "name": ex.name,
        "kind": ex.kind,
        "block": block,
        "sets": min(max_sets, dose.sets + extra_sets) if ex.kind in LOADING_KINDS else dose.sets,
    }
    for key in DOSE_KEYS:
        value = getattr(dose, key)
        if value is not None:
            item[key] = value
    if ex.rep_unit and "reps" in item:
        item["unit"] = ex.rep_unit
    item["per_side"] = ex.per_side
    item["tempo"] = dose.tempo
    item["rest_s"] = dose.rest_s
    item["load"] = initial_load(ex, kb, equipment)
    item["cues"] = list(ex.form_points[:2])
    return item


def rep_max(ex: Exercise, level: str, kb: Knowledge) -> int:
    """Most reps per set before load is added another way."""
    return ex.rep_max or kb.rules.progression.rep_max[level]  # type: ignore[index]


def hold_max(ex: Exercise, level: str, kb: Knowledge) -> int:
    """Longest hold before a set is added."""
    return ex.hold_max_s or kb.rules.progression.hold_max_s[level]  # type: ignore[index]


def _single_leg_progression(
    ex: Exercise, kb: Knowledge, equipment: Iterable[str], taken: set[str]
) -> Exercise | None:
    for nxt in ex.progressions:
        cand = kb.exercises[nxt]
        if available(cand, equipment) and nxt not in taken:
            return cand
    return None


def progress_item(
    item: dict[str, Any],
    level: str,
    kb: Knowledge,
    *,
    equipment: Iterable[str] = (),
    taken: Iterable[str] = (),
) -> dict[str, Any]:
    """One step of progressive overload for ``item`` (a new dict).

    Strength, core and foot exercises: add reps (or hold time) up to the
    maximum, then a set up to the maximum, then resistance (band or weight
    ladder), then move to the exercise's progression (e.g. its single-leg
    version) at that exercise's starting dose. Mobility work lengthens holds
    up to the maximum; drills and runs are not changed here. ``taken`` lists
    exercise ids already in the session (a progression never duplicates one).
    """
    equipment = list(equipment)
    out = dict(item)
    ex = kb.exercises[item["exercise_id"]]
    rules = kb.rules.progression
    max_sets = rules.max_sets[level]  # type: ignore[index]
    if ex.kind in ("drill", "run"):
        return out
    if ex.kind == "mobility":
        if "hold_s" in out and out["hold_s"] < hold_max(ex, level, kb):
            out["hold_s"] = min(hold_max(ex, level, kb), out["hold_s"] + rules.hold_step_s)
        return out
    for step in rules.order:
        if step == "reps":
            if "reps" in out and out["reps"] < rep_max(ex, level, kb):
                out["reps"] = min(rep_max(ex, level, kb), out["reps"] + rules.reps_step)
                return out
            if "hold_s" in out and out["hold_s"] < hold_max(ex, level, kb):
                out["hold_s"] = min(hold_max(ex, level, kb), out["hold_s"] + rules.hold_step_s)
                return out
        elif step == "sets":
            if out["sets"] < max_sets:
                out["sets"] += 1
                return out
        elif step == "resistance":
            ladder = _ladder(ex, kb, equipment)
            if ladder and out.get("load") in ladder:
                i = ladder.index(out["load"])
                if i + 1 < len(ladder):
                    out["load"] = ladder[i + 1]
                    base = ex.dosage[level]  # type: ignore[index]
                    if "reps" in out and base.reps is not None:
                        out["reps"] = max(base.reps, rep_max(ex, level, kb) - rules.reps_step)
                    return out
        elif step == "single_leg":
            nxt = _single_leg_progression(ex, kb, equipment, set(taken))
            if nxt is not None:
                new = make_item(
                    nxt, level, kb, equipment=equipment, block=item.get("block", "main")
                )
                new["sets"] = max(new["sets"], min(out["sets"], max_sets))
                old_ladder, new_ladder = _ladder(ex, kb, equipment), _ladder(nxt, kb, equipment)
                if old_ladder and old_ladder == new_ladder and out.get("load") in old_ladder:
                    # A harder exercise keeps most of the resistance: one rung lighter.
                    new["load"] = old_ladder[max(0, old_ladder.index(out["load"]) - 1)]
                new["progressed_from"] = ex.id
                new["slot"] = item.get("slot", ex.id)
                _carry_side(item, new)
                return _fit_to(
                    _raise_to(new, item_volume(out, kb), level, kb),
                    item_volume(out, kb) * (1 + rules.max_weekly_growth_pct / 100.0),
                    kb,
                )
    return out


def _carry_side(old: dict[str, Any], new: dict[str, Any]) -> None:
    """Keep the weaker side's extra set when an item becomes another per-side exercise."""
    if old.get("extra_sets_side") and new.get("per_side"):
        new["extra_sets_side"] = old["extra_sets_side"]
        new["extra_sets"] = old.get("extra_sets", 1)


def _fit_to(item: dict[str, Any], ceiling: float, kb: Knowledge) -> dict[str, Any]:
    """Take reps/hold (then sets) off a just-progressed harder item until it is under ``ceiling``.

    A harder exercise counts as more load per rep, so stepping up to it keeps the
    week-on-week growth within the ceiling by starting with fewer reps.
    """
    for _ in range(60):
        if item_volume(item, kb) <= ceiling:
            break
        if "reps" in item and item["reps"] > 5:
            item["reps"] -= 1
        elif "hold_s" in item and item["hold_s"] > 10:
            item["hold_s"] = max(10, item["hold_s"] - 5)
        elif item["sets"] > 1:
            item["sets"] -= 1
        else:
            break
    return item


def _raise_to(item: dict[str, Any], target: float, level: str, kb: Knowledge) -> dict[str, Any]:
    """Add reps/hold (then sets) to a just-progressed item until its load reaches ``target``."""
    ex = kb.exercises[item["exercise_id"]]
    rules = kb.rules.progression
    for _ in range(40):
        if item_volume(item, kb) >= target:
            break
        if "reps" in item and item["reps"] < rep_max(ex, level, kb):
            item["reps"] = min(rep_max(ex, level, kb), item["reps"] + 1)
        elif "hold_s" in item and item["hold_s"] < hold_max(ex, level, kb):
            item["hold_s"] = min(hold_max(ex, level, kb), item["hold_s"] + rules.hold_step_s)
        elif item["sets"] < rules.max_sets[level]:  # type: ignore[index]
            item["sets"] += 1
        else:
            break
    return item


def regress_item(
    item: dict[str, Any],
    level: str,
    kb: Knowledge,
    *,
    equipment: Iterable[str] = (),
    painful: bool = False,
) -> dict[str, Any]:
    """Take load off ``item`` (a new dict).

    A painful exercise moves to its first available regression at that
    exercise's starting dose minus one set; otherwise the item loses one set
    (never below one) and a third of its reps or hold, and resistance drops
    one rung. Runs are shortened by a quarter.
    """
    equipment = list(equipment)
    ex = kb.exercises[item["exercise_id"]]
    out = dict(item)
    if ex.kind == "run":
        if "duration_min" in out:
            out["duration_min"] = max(10, round(out["duration_min"] * 0.75))
        return out
    if painful:
        for prev in ex.regressions:
            cand = kb.exercises[prev]
            if available(cand, equipment):
                new = make_item(
                    cand, level, kb, equipment=equipment, block=item.get("block", "main")
                )
                new["sets"] = max(1, new["sets"] - 1)
                new["regressed_from"] = ex.id
                new["slot"] = item.get("slot", ex.id)
                _carry_side(item, new)
                return new
    out["sets"] = max(1, out["sets"] - 1)
    if "reps" in out:
        out["reps"] = max(1, round(out["reps"] * 2 / 3))
    if "hold_s" in out:
        out["hold_s"] = max(10, round(out["hold_s"] * 2 / 3))
    ladder = _ladder(ex, kb, equipment)
    if ladder and out.get("load") in ladder:
        i = ladder.index(out["load"])
        out["load"] = ladder[max(0, i - 1)]
    return out


def load_factor(item: dict[str, Any], kb: Knowledge) -> float:
    """Relative resistance of an item: 1.0 at the first rung, +0.3 per rung."""
    load = item.get("load")
    rules = kb.rules.progression
    for ladder in (rules.band_ladder, rules.dumbbell_ladder):
        if load in ladder:
            return 1.0 + 0.3 * ladder.index(load)
    return 1.0


def difficulty(ex_id: str, kb: Knowledge) -> int:
    """Steps of regression below an exercise (0 = an entry-level exercise)."""
    ex = kb.exercises[ex_id]
    return 0 if not ex.regressions else 1 + max(difficulty(r, kb) for r in ex.regressions)


def item_volume(item: dict[str, Any], kb: Knowledge) -> float:
    """Training load of one loading item.

    sets × reps (a hold counts one rep per 3 s) × sides × resistance factor ×
    difficulty factor (+50 % per progression step above the entry exercise); an
    extra set on the weaker side counts once.
    """
    if item.get("kind") not in LOADING_KINDS or item.get("block") != "main":
        return 0.0
    per_set = item.get("reps")
    if per_set is None:
        per_set = item.get("hold_s", 0) / 3.0
    sides = 2 if item.get("per_side") else 1
    harder = 1.0 + 0.5 * difficulty(item["exercise_id"], kb)
    sets_x_sides = item["sets"] * sides + (item.get("extra_sets") or 0 if sides == 2 else 0)
    return float(sets_x_sides * per_set * load_factor(item, kb) * harder)


def week_volume(week: dict[str, Any], kb: Knowledge) -> float:
    """Total loading volume of one programme week (strength, core and foot work)."""
    return sum(item_volume(it, kb) for s in week.get("sessions", []) for it in s.get("items", []))
