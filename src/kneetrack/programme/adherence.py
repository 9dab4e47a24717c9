"""Strength adherence from workout logs: per session type, counting the logged work.

A strength session is *done* when the logs of one day cover its main
exercises with at least ``adherence_full_pct`` (rules.yaml) of the planned
sets × reps (or sets × hold); less is *partial* (2 × 8 logged of a planned
3 × 10 is 53 %). Only logs of the session's own exercises count, so runs or
mobility logged on other days never stand in for strength work. A log without
sets and reps counts as the planned dose of that exercise.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from kneetrack.knowledge import load_knowledge
from kneetrack.programme.dosage import LOADING_KINDS


@dataclass(frozen=True)
class SessionDone:
    """How much of one planned strength session was logged."""

    title: str
    date: str
    share: float  # 0..1 of the planned work
    logged_on: dt.date | None
    detail: str  # e.g. "Banded clamshell 2 × 8 of 3 × 10"


def _work(sets: Any, reps: Any, hold: Any) -> float | None:
    try:
        n = float(sets) if sets is not None else None
        per = float(reps) if reps is not None else (float(hold) if hold is not None else None)
    except (TypeError, ValueError):
        return None
    if n is None or per is None:
        return None
    return max(0.0, n * per)


def _planned_items(session: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """Main loading items (an item without ``block``/``kind`` is main, of its exercise's kind)."""
    kb = load_knowledge()
    out = []
    for i in session.get("items", []):
        ex = kb.exercises.get(str(i.get("exercise_id")))
        kind = i.get("kind") or (ex.kind if ex is not None else "strength")
        if i.get("block", "main") == "main" and kind in LOADING_KINDS:
            out.append(i)
    return out


def _names(item: Mapping[str, Any]) -> set[str]:
    return {
        str(x)
        for x in (
            item.get("exercise_id"),
            item.get("slot"),
            item.get("progressed_from"),
            item.get("regressed_from"),
        )
        if x
    }


def _session_share(
    items: Sequence[Mapping[str, Any]], logs: Sequence[Mapping[str, Any]]
) -> tuple[float, list[str]]:
    if not items:
        return 0.0, []
    shares, notes = [], []
    for item in items:
        names = _names(item)
        mine = [g for g in logs if str(g.get("exercise_id")) in names]
        if not mine:
            shares.append(0.0)
            notes.append(f"{item.get('name', item['exercise_id'])} not logged")
            continue
        planned = _work(item.get("sets"), item.get("reps"), item.get("hold_s"))
        logged_parts = [_work(g.get("sets"), g.get("reps"), g.get("hold_s")) for g in mine]
        if planned is None or planned <= 0 or any(v is None for v in logged_parts):
            shares.append(1.0)
            continue
        logged = sum(v for v in logged_parts if v is not None)
        share = min(1.0, logged / planned)
        shares.append(share)
        if share < 1.0:
            g = mine[0]
            per = g.get("reps") if g.get("reps") is not None else f"{g.get('hold_s')} s"
            plan_per = item.get("reps") if "reps" in item else f"{item.get('hold_s')} s"
            notes.append(
                f"{item.get('name', item['exercise_id'])} {g.get('sets')} × {per} "
                f"of {item.get('sets')} × {plan_per}"
            )
    return sum(shares) / len(shares), notes


def strength_done(
    week: Mapping[str, Any], logs: Sequence[Mapping[str, Any]]
) -> list[SessionDone]:
    """Each planned strength session of ``week`` with the share of it that was logged.

    ``logs`` are the week's logs (``date`` as :class:`datetime.date`). The logs of
    one day are matched to one session (the best-covered one, nearest planned day
    first); each day serves one session.
    """
    sessions = [s for s in week.get("sessions", []) if s.get("kind") == "strength"]
    by_day: dict[dt.date, list[Mapping[str, Any]]] = {}
    for g in logs:
        by_day.setdefault(g["date"], []).append(g)
    free = dict(by_day)
    found: dict[int, tuple[float, dt.date | None, list[str]]] = {}
    # first the logs of each session's own day, then the best-covered other day
    for k, s in enumerate(sessions):
        day = dt.date.fromisoformat(str(s["date"])[:10])
        if day in free:
            share, notes = _session_share(_planned_items(s), free[day])
            if share > 0:
                found[k] = (share, day, notes)
                free.pop(day)
    for k, s in enumerate(sessions):
        if k in found:
            continue
        planned_day = dt.date.fromisoformat(str(s["date"])[:10])
        best: tuple[float, dt.date | None, list[str]] = (0.0, None, [])
        for day in sorted(free, key=lambda d: abs((d - planned_day).days)):
            share, notes = _session_share(_planned_items(s), free[day])
            if share > best[0] + 1e-9:
                best = (share, day, notes)
        if best[1] is not None:
            free.pop(best[1])
        found[k] = best
    out = []
    for k, s in enumerate(sessions):
        share, logged_on, notes = found[k]
        out.append(
            SessionDone(
                str(s.get("title", "strength")), str(s["date"]), share, logged_on,
                "; ".join(notes),
            )
        )
    return out


def block_adherence(
    weeks: Sequence[Mapping[str, Any]],
    logs: Sequence[Mapping[str, Any]],
    upto: int,
    bounds: Any,
) -> float | None:
    """Mean share (0..1) of the planned strength work logged in weeks ``0..upto`` (0-based).

    ``bounds(week)`` gives the week's ``(start, end)`` dates.
    """
    shares: list[float] = []
    for w in range(0, min(upto, len(weeks) - 1) + 1):
        lo, hi = bounds(weeks[w])
        done = strength_done(weeks[w], [g for g in logs if lo <= g["date"] < hi])
        shares.extend(d.share for d in done)
    return sum(shares) / len(shares) if shares else None
