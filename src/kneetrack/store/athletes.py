"""Athletes: add, find, list and delete (rows first, then every file of theirs)."""

from __future__ import annotations

import uuid

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError

from kneetrack.errors import InputError
from kneetrack.store.base import StoreBase, as_utc
from kneetrack.store.domain import Athlete
from kneetrack.store.orm import (
    AnalysisMetricRow,
    AnalysisRow,
    AthleteRow,
    ProgrammeRow,
    ProgrammeWeekRow,
    RetestRow,
    ScreeningRow,
    WorkoutLogRow,
)


def _athlete(r: AthleteRow) -> Athlete:
    return Athlete(
        name=r.name,
        sex=r.sex,
        birth_year=r.birth_year,
        height_cm=r.height_cm,
        dominant_leg=r.dominant_leg,
        notes=r.notes,
        id=r.id,
        uid=r.uid,
        created_at=as_utc(r.created_at),
    )


class AthleteRecords(StoreBase):
    """The athlete methods of :class:`~kneetrack.store.repository.Store`."""

    def add_athlete(self, athlete: Athlete) -> Athlete:
        """Add a new athlete; the name must be new (case is ignored)."""
        a = athlete.validated()
        row = AthleteRow(
            uid=uuid.uuid4().hex,
            name=a.name,
            name_key=a.name.casefold(),
            sex=a.sex,
            birth_year=a.birth_year,
            height_cm=a.height_cm,
            dominant_leg=a.dominant_leg,
            notes=a.notes,
        )
        try:
            with self.transaction() as s:
                s.add(row)
                s.flush()
                return _athlete(row)
        except IntegrityError:
            raise InputError(f"an athlete named {a.name!r} already exists") from None

    def find_athlete(self, name: str) -> Athlete | None:
        """The athlete called ``name`` (case ignored), or ``None``."""
        key = " ".join(name.split()).casefold()
        with self._sessions() as s:
            row = s.scalar(select(AthleteRow).where(AthleteRow.name_key == key))
            return _athlete(row) if row else None

    def get_athlete(self, name: str) -> Athlete:
        """The athlete called ``name``; :class:`InputError` if there is none."""
        a = self.find_athlete(name)
        if a is None:
            raise InputError(f"no athlete named {name!r} (see `kneetrack athlete list`)")
        return a

    def list_athletes(self) -> list[Athlete]:
        """All athletes by name."""
        with self._sessions() as s:
            return [
                _athlete(r) for r in s.scalars(select(AthleteRow).order_by(AthleteRow.name_key))
            ]

    def delete_athlete(self, athlete_id: int) -> None:
        """Delete an athlete's rows (one transaction) and then all their files.

        Files go after the rows, so a delete cut short never leaves rows without
        their files; folders of athletes whose rows are gone (such a cut-short
        delete) are swept away here too.
        """
        with self.transaction() as s:
            row = s.get(AthleteRow, athlete_id)
            if row is None:
                raise InputError(f"no athlete with id {athlete_id}")
            uid = row.uid
            folders = [f for f in s.scalars(
                select(AnalysisRow.artefact_dir).where(AnalysisRow.athlete_id == athlete_id))
                if f]
            # Children first, explicitly, so the result does not depend on ON DELETE support.
            analysis_ids = select(AnalysisRow.id).where(AnalysisRow.athlete_id == athlete_id)
            programme_ids = select(ProgrammeRow.id).where(ProgrammeRow.athlete_id == athlete_id)
            s.execute(delete(RetestRow).where(RetestRow.athlete_id == athlete_id))
            s.execute(delete(WorkoutLogRow).where(WorkoutLogRow.athlete_id == athlete_id))
            s.execute(
                delete(ProgrammeWeekRow).where(ProgrammeWeekRow.programme_id.in_(programme_ids))
            )
            s.execute(
                update(ProgrammeRow)
                .where(ProgrammeRow.athlete_id == athlete_id)
                .values(parent_id=None)
            )
            s.execute(delete(ProgrammeRow).where(ProgrammeRow.athlete_id == athlete_id))
            s.execute(
                delete(AnalysisMetricRow).where(AnalysisMetricRow.analysis_id.in_(analysis_ids))
            )
            s.execute(delete(AnalysisRow).where(AnalysisRow.athlete_id == athlete_id))
            s.execute(delete(ScreeningRow).where(ScreeningRow.athlete_id == athlete_id))
            s.execute(delete(AthleteRow).where(AthleteRow.id == athlete_id))
        self.artefacts.remove_athlete(uid, folders)
        with self._sessions() as s:
            known = set(s.scalars(select(AthleteRow.uid)))
        self.artefacts.sweep_athletes(known)
