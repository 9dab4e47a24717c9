"""Recognise work that is already stored, so that running a command again stores it once.

A command killed after its transaction committed but before it said so is run
again by its user; these checks make that second run find the first one's rows
instead of adding the same analysis or the same session twice.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from kneetrack.store.domain import WorkoutLog
from kneetrack.store.orm import AnalysisRow, WorkoutLogRow


def _canon(v: Any) -> str:
    return json.dumps(v, sort_keys=True, default=str, allow_nan=True)


def find_same_analysis(s: Session, athlete_id: int, summary: Mapping[str, Any], *,
                       day: dt.date, view: Any, source_path: Any,
                       cadence_spm: float | None) -> AnalysisRow | None:
    """The athlete's analysis of the same clip, on the same day, with the same results."""
    rows = s.scalars(select(AnalysisRow).where(
        AnalysisRow.athlete_id == athlete_id, AnalysisRow.recorded_on == day,
        AnalysisRow.view == view, AnalysisRow.source_path == source_path,
        AnalysisRow.cadence_spm.is_(None) if cadence_spm is None
        else AnalysisRow.cadence_spm == cadence_spm))
    want = _canon(dict(summary))
    return next((r for r in rows if _canon(r.summary or {}) == want), None)


def _log_key(athlete_id: int, day: dt.date, v: Any) -> tuple[Any, ...]:
    return (athlete_id, day, str(v.exercise_id).strip(), v.sets, v.reps,
            None if v.hold_s is None else float(v.hold_s), v.load,
            None if v.rpe is None else float(v.rpe), None if v.pain is None else float(v.pain),
            v.note)


def find_same_session(s: Session, logs: Sequence[WorkoutLog]) -> list[WorkoutLogRow] | None:
    """The stored rows of a session identical to ``logs`` (same athlete, day and entries)."""
    first = logs[0]
    if any(lg.athlete_id != first.athlete_id or lg.performed_on != first.performed_on
           for lg in logs):
        return None
    rows = list(s.scalars(select(WorkoutLogRow).where(
        WorkoutLogRow.athlete_id == first.athlete_id,
        WorkoutLogRow.performed_on == first.performed_on).order_by(WorkoutLogRow.id)))
    want = Counter(_log_key(lg.athlete_id, lg.performed_on, lg) for lg in logs)
    have = Counter(_log_key(r.athlete_id, r.performed_on, r) for r in rows)
    if not all(have[k] >= n for k, n in want.items()):
        return None
    out: list[WorkoutLogRow] = []
    left = Counter(want)
    for r in rows:
        k = _log_key(r.athlete_id, r.performed_on, r)
        if left[k] > 0:
            out.append(r)
            left[k] -= 1
    return out
