"""Programmes: versions of an athlete's ``programme.json`` with their weeks (newest: active)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from kneetrack.errors import InputError
from kneetrack.store.base import StoreBase, as_utc
from kneetrack.store.domain import Programme, ProgrammeWeek
from kneetrack.store.orm import ProgrammeRow, ProgrammeWeekRow


class ProgrammeRecords(StoreBase):
    """The programme methods of :class:`~kneetrack.store.repository.Store`."""

    def _programme(self, s: Session, r: ProgrammeRow) -> Programme:
        weeks = s.scalars(
            select(ProgrammeWeekRow)
            .where(ProgrammeWeekRow.programme_id == r.id)
            .order_by(ProgrammeWeekRow.week)
        )
        return Programme(
            athlete_id=r.athlete_id,
            data=r.data,
            start_date=r.start_date,
            weeks=tuple(
                ProgrammeWeek(w.week, w.phase, w.start_date, w.planned_sessions) for w in weeks
            ),
            analysis_id=r.analysis_id,
            parent_id=r.parent_id,
            decision=r.decision,
            reasons=tuple(r.reasons or ()),
            id=r.id,
            created_at=as_utc(r.created_at),
        )

    def add_programme(
        self,
        athlete_id: int,
        data: Mapping[str, Any],
        *,
        start_date: dt.date | None,
        weeks: Sequence[ProgrammeWeek],
        analysis_id: int | None = None,
        parent_id: int | None = None,
        decision: str | None = None,
        reasons: Sequence[str] = (),
    ) -> Programme:
        """Store a ``programme.json`` dict as the athlete's newest (active) programme.

        Parameters
        ----------
        athlete_id
            The athlete it belongs to.
        data
            The ``programme.json`` document, stored as given.
        start_date, weeks
            Its first day and its weeks, read from ``data`` by the caller
            (:func:`kneetrack.app.records.record_programme`).
        analysis_id, parent_id
            The analysis it was made from; the version it replaces.
        decision, reasons
            Why it changed from ``parent_id`` (an adapted week).
        """
        if not weeks:
            raise InputError("programme has no weeks")
        numbers = [w.week for w in weeks]
        if len(set(numbers)) != len(numbers):
            raise InputError(f"programme weeks appear twice: {sorted(numbers)}")
        start = start_date
        self._athlete_row_facts(athlete_id)
        with self.transaction() as s:
            row = ProgrammeRow(
                athlete_id=athlete_id,
                analysis_id=analysis_id,
                parent_id=parent_id,
                start_date=start,
                decision=decision,
                reasons=list(reasons),
                data=dict(data),
            )
            s.add(row)
            s.flush()
            s.add_all(
                ProgrammeWeekRow(
                    programme_id=row.id,
                    week=w.week,
                    phase=w.phase,
                    start_date=w.start_date,
                    planned_sessions=w.planned_sessions,
                )
                for w in weeks
            )
            s.flush()
            return self._programme(s, row)

    def active_programme(self, athlete_id: int) -> Programme | None:
        """The athlete's newest programme version."""
        with self._sessions() as s:
            row = s.scalar(
                select(ProgrammeRow)
                .where(ProgrammeRow.athlete_id == athlete_id)
                .order_by(ProgrammeRow.id.desc())
                .limit(1)
            )
            return self._programme(s, row) if row else None

    def list_programmes(self, athlete_id: int) -> list[Programme]:
        """All versions of the athlete's programmes, oldest first."""
        with self._sessions() as s:
            rows = s.scalars(
                select(ProgrammeRow)
                .where(ProgrammeRow.athlete_id == athlete_id)
                .order_by(ProgrammeRow.id)
            ).all()
            return [self._programme(s, r) for r in rows]
