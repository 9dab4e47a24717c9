"""Workout logs: the exercises of one session, stored together and once."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from kneetrack.errors import InputError
from kneetrack.store.base import StoreBase, as_utc
from kneetrack.store.domain import WorkoutLog
from kneetrack.store.idempotent import find_same_session
from kneetrack.store.orm import WorkoutLogRow


def _log(r: WorkoutLogRow) -> WorkoutLog:
    return WorkoutLog(
        athlete_id=r.athlete_id,
        performed_on=r.performed_on,
        exercise_id=r.exercise_id,
        sets=r.sets,
        reps=r.reps,
        hold_s=r.hold_s,
        load=r.load,
        rpe=r.rpe,
        pain=r.pain,
        note=r.note,
        programme_id=r.programme_id,
        id=r.id,
        created_at=as_utc(r.created_at),
    )


class LogRecords(StoreBase):
    """The workout-log methods of :class:`~kneetrack.store.repository.Store`."""

    def add_logs(self, logs: Sequence[WorkoutLog]) -> list[WorkoutLog]:
        """Store the exercises of one session together (all or none)."""
        checked = [lg.validated() for lg in logs]
        if not checked:
            raise InputError("nothing to log")
        with self.transaction() as s:
            same = find_same_session(s, checked)
            if same is not None:  # the same session, logged already: store it once
                return [_log(r) for r in same]
            rows = [
                WorkoutLogRow(
                    athlete_id=lg.athlete_id,
                    programme_id=lg.programme_id,
                    performed_on=lg.performed_on,
                    exercise_id=lg.exercise_id.strip(),
                    sets=lg.sets,
                    reps=lg.reps,
                    hold_s=lg.hold_s,
                    load=lg.load,
                    rpe=lg.rpe,
                    pain=lg.pain,
                    note=lg.note,
                )
                for lg in checked
            ]
            s.add_all(rows)
            try:
                s.flush()
            except IntegrityError:
                raise InputError("log refers to an unknown athlete or programme") from None
            return [_log(r) for r in rows]

    def list_logs(
        self, athlete_id: int, *, since: dt.date | None = None, until: dt.date | None = None
    ) -> list[WorkoutLog]:
        """An athlete's workout logs in date order."""
        with self._sessions() as s:
            q = select(WorkoutLogRow).where(WorkoutLogRow.athlete_id == athlete_id)
            if since is not None:
                q = q.where(WorkoutLogRow.performed_on >= since)
            if until is not None:
                q = q.where(WorkoutLogRow.performed_on <= until)
            return [
                _log(r) for r in s.scalars(q.order_by(WorkoutLogRow.performed_on, WorkoutLogRow.id))
            ]
