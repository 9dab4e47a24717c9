"""The week-on-week volume ceiling: no exercise and no session jumps in load.

Every strength session of a week is compared with the same session (A with A,
B with B) of the week before:

* an exercise that was there last week (same ``slot``) may grow by at most
  ``max_weekly_growth_pct`` of its volume, or by one step of the progression
  ladder (:func:`~kneetrack.programme.dosage.progress_item`) — whichever is more;
* the session as a whole may grow by at most ``max_weekly_growth_pct``. New
  exercises (a new phase) are shrunk to fit; if even their smallest dose does
  not fit, the new phase is postponed and last week's exercises take one step.

The generator applies it to the whole plan and the adapter re-applies it to
every week after an adaptation (progress, hold, regress or refer), so a plan
never jumps back up after a deload. Runs are capped the same way on their
longest run. Volumes are those of :func:`~kneetrack.programme.dosage.item_volume`
(sets × reps × sides × resistance × difficulty), so moving to a harder exercise
counts as more load.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

from kneetrack.knowledge.schema import Knowledge
from kneetrack.programme.dosage import LOADING_KINDS, item_volume, progress_item

#: Fewest reps / shortest hold a shrunk new exercise is given.
MIN_REPS = 5
MIN_HOLD_S = 10
_EPS = 1e-6


def slot_of(item: dict[str, Any]) -> str:
    """The exercise position an item fills (kept through progressions and regressions)."""
    return str(item.get("slot") or item["exercise_id"])


def is_loading(item: dict[str, Any]) -> bool:
    """Main-block strength, core or foot work (what the ceiling counts)."""
    return item.get("block") == "main" and item.get("kind") in LOADING_KINDS


def session_volume(session: dict[str, Any], kb: Knowledge) -> float:
    """Loading volume of one session."""
    return sum(item_volume(i, kb) for i in session.get("items", []))


def strength_sessions(week: dict[str, Any]) -> list[dict[str, Any]]:
    """The week's strength sessions in order (A, B, C)."""
    return [s for s in week.get("sessions", []) if s.get("kind") == "strength"]


def one_step(
    item: dict[str, Any], level: str, kb: Knowledge, equipment: Iterable[str], taken: set[str]
) -> dict[str, Any]:
    """``item`` with one step of progressive overload, keeping its slot."""
    new = progress_item(item, level, kb, equipment=equipment, taken=taken)
    new["slot"] = slot_of(item)
    new["block"] = item.get("block", "main")
    return new


def allowed_volume(
    prev: dict[str, Any], level: str, kb: Knowledge, equipment: Iterable[str], growth: float
) -> float:
    """Most volume an exercise may have this week given last week's ``prev``."""
    step = one_step(prev, level, kb, equipment, set())
    return max(item_volume(prev, kb) * (1 + growth), item_volume(step, kb))


def _shrink(item: dict[str, Any]) -> bool:
    """Take one small step of dose off a new item; False when it is at its minimum."""
    if item["sets"] > 1:
        item["sets"] -= 1
    elif "reps" in item and item["reps"] > MIN_REPS:
        item["reps"] -= 1
    elif "hold_s" in item and item["hold_s"] > MIN_HOLD_S:
        item["hold_s"] = max(MIN_HOLD_S, item["hold_s"] - 5)
    else:
        return False
    return True


def cap_session(
    prev: dict[str, Any],
    session: dict[str, Any],
    level: str,
    kb: Knowledge,
    equipment: Iterable[str],
    growth: float,
) -> str | None:
    """Cap ``session`` (in place) against last week's ``prev``; returns a note when it changed."""
    equipment = list(equipment)
    prev_main = [i for i in prev.get("items", []) if is_loading(i)]
    prev_total = sum(item_volume(i, kb) for i in prev_main)
    by_slot = {slot_of(i): i for i in prev_main}
    by_id = {i["exercise_id"]: i for i in prev_main}
    items = [dict(i) for i in session.get("items", [])]
    taken = {i["exercise_id"] for i in items}
    matched: dict[int, dict[str, Any]] = {}
    new_idx: list[int] = []
    note = None
    for k, item in enumerate(items):
        if not is_loading(item):
            continue
        pi = by_slot.get(slot_of(item)) or by_id.get(item["exercise_id"])
        if pi is None:
            new_idx.append(k)
            continue
        matched[k] = pi
        if item_volume(item, kb) > allowed_volume(pi, level, kb, equipment, growth) + _EPS:
            items[k] = one_step(pi, level, kb, equipment, taken - {item["exercise_id"]})
            note = "capped"
    if prev_total <= 0:
        session["items"] = items
        return note
    limit = prev_total * (1 + growth)

    def total() -> float:
        return sum(item_volume(i, kb) for i in items)

    # 1. shrink the new exercises, biggest first
    while total() > limit + _EPS and new_idx:
        k = max(new_idx, key=lambda j: item_volume(items[j], kb))
        if not _shrink(items[k]):
            new_idx.remove(k)
        note = "capped"
    # 2. hold progressed exercises at last week's dose, biggest jump first
    jumps = sorted(
        matched, key=lambda j: item_volume(items[j], kb) - item_volume(matched[j], kb), reverse=True
    )
    for k in jumps:
        if total() <= limit + _EPS:
            break
        if item_volume(items[k], kb) > item_volume(matched[k], kb) + _EPS:
            items[k] = {**matched[k], "slot": slot_of(matched[k])}
            note = "capped"
    if total() > limit + _EPS:
        # 3. the new phase does not fit yet: keep last week's exercises, one step up at most
        kept = [i for i in items if not is_loading(i)]
        rebuilt = []
        ids = {i["exercise_id"] for i in prev_main}
        for pi in prev_main:
            step = one_step(pi, level, kb, equipment, ids - {pi["exercise_id"]})
            rebuilt.append(step)
        for k, pi in enumerate(prev_main):
            if sum(item_volume(i, kb) for i in rebuilt) <= limit + _EPS:
                break
            rebuilt[k] = {**pi, "slot": slot_of(pi)}
        items = [*kept, *rebuilt]
        note = "postponed"
    session["items"] = items
    return note


def cap_runs(prev_week: dict[str, Any], week: dict[str, Any], growth: float) -> None:
    """No run of ``week`` is longer than last week's longest run plus ``growth``."""
    prev_runs = [
        i.get("duration_min")
        for s in prev_week.get("sessions", [])
        if s.get("kind") == "run"
        for i in s.get("items", [])
        if i.get("duration_min") is not None and i.get("block") == "main"
    ]
    if not prev_runs:
        return
    cap = math.ceil(max(prev_runs) * (1 + growth))
    for s in week.get("sessions", []):
        if s.get("kind") != "run":
            continue
        for i in s.get("items", []):
            if i.get("block") == "main" and i.get("duration_min", 0) > cap:
                i["duration_min"] = cap


def rebase_weeks(
    weeks: list[dict[str, Any]],
    from_index: int,
    level: str,
    kb: Knowledge,
    equipment: Iterable[str],
) -> None:
    """Apply the ceiling to every week from ``from_index`` on (in place), each against the last.

    The first week (``from_index`` 0) has nothing to compare with and is left as it is.
    """
    growth = kb.rules.progression.max_weekly_growth_pct / 100.0
    equipment = list(equipment)
    for w in range(max(1, from_index), len(weeks)):
        prev_s = strength_sessions(weeks[w - 1])
        notes = []
        for k, session in enumerate(strength_sessions(weeks[w])):
            if not prev_s:
                break
            note = cap_session(prev_s[k % len(prev_s)], session, level, kb, equipment, growth)
            if note:
                notes.append(note)
        for session in weeks[w].get("sessions", []):
            if session.get("kind") == "strength":
                from kneetrack.programme.layout import estimate_minutes

                session["duration_min"] = estimate_minutes(session["items"])
        cap_runs(weeks[w - 1], weeks[w], growth)
        if "postponed" in notes:
            weeks[w]["load_note"] = (
                "The new exercises wait a week or more: last week's load is rebuilt first "
                f"(no exercise grows more than {growth * 100:.0f} % or one step a week)."
            )
        else:
            weeks[w].pop("load_note", None)
