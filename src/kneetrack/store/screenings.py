"""Screenings: one ``screening.json`` document per date."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from sqlalchemy import select

from kneetrack.errors import InputError
from kneetrack.store.base import StoreBase, as_utc
from kneetrack.store.domain import Screening
from kneetrack.store.orm import ScreeningRow


def _screening(r: ScreeningRow) -> Screening:
    return Screening(
        athlete_id=r.athlete_id,
        taken_on=r.taken_on,
        data=r.data,
        id=r.id,
        created_at=as_utc(r.created_at),
    )


class ScreeningRecords(StoreBase):
    """The screening methods of :class:`~kneetrack.store.repository.Store`."""

    def add_screening(
        self, athlete_id: int, data: Mapping[str, Any], *, taken_on: dt.date | None = None
    ) -> Screening:
        """Store one ``screening.json`` dict."""
        day = taken_on
        if day is None and data.get("date"):
            try:
                day = dt.date.fromisoformat(str(data["date"])[:10])
            except ValueError:
                raise InputError(f"screening date is not a date: {data['date']!r}") from None
        self._athlete_row_facts(athlete_id)
        with self.transaction() as s:
            row = ScreeningRow(
                athlete_id=athlete_id, taken_on=day or dt.date.today(), data=dict(data)
            )
            s.add(row)
            s.flush()
            return _screening(row)

    def list_screenings(self, athlete_id: int) -> list[Screening]:
        """An athlete's screenings in date order."""
        with self._sessions() as s:
            return [
                _screening(r)
                for r in s.scalars(
                    select(ScreeningRow)
                    .where(ScreeningRow.athlete_id == athlete_id)
                    .order_by(ScreeningRow.taken_on, ScreeningRow.id)
                )
            ]
