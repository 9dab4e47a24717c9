"""The store: maps domain dataclasses to database rows, one transaction per write."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Date, DateTime, delete, func, select, text, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from kneetrack.errors import InputError, SettingsError
from kneetrack.io.documents import check_programme
from kneetrack.progress.metrics import MetricSummary, summarise_analysis
from kneetrack.progress.verdict import is_logged_session
from kneetrack.store import migrate
from kneetrack.store.artefacts import ArtefactStore
from kneetrack.store.config import StoreLocation, resolve_location
from kneetrack.store.domain import (
    Analysis,
    Athlete,
    Programme,
    ProgrammeWeek,
    Retest,
    Screening,
    WorkoutLog,
)
from kneetrack.store.engine import make_engine
from kneetrack.store.idempotent import find_same_analysis, find_same_session
from kneetrack.store.orm import (
    TABLE_ORDER,
    AnalysisMetricRow,
    AnalysisRow,
    AthleteRow,
    Base,
    ProgrammeRow,
    ProgrammeWeekRow,
    RetestRow,
    ScreeningRow,
    WorkoutLogRow,
)

BACKUP_SCHEMA = "kneetrack.backup/1"


def _as_utc(v: dt.datetime | None) -> dt.datetime | None:
    if v is not None and v.tzinfo is None:  # SQLite returns naive datetimes
        return v.replace(tzinfo=dt.UTC)
    return v


# ---------------------------------------------------------------- row <-> domain


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
        created_at=_as_utc(r.created_at),
    )


def _screening(r: ScreeningRow) -> Screening:
    return Screening(
        athlete_id=r.athlete_id,
        taken_on=r.taken_on,
        data=r.data,
        id=r.id,
        created_at=_as_utc(r.created_at),
    )


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
        created_at=_as_utc(r.created_at),
    )


def _retest(r: RetestRow) -> Retest:
    return Retest(
        athlete_id=r.athlete_id,
        baseline_id=r.baseline_id,
        followup_id=r.followup_id,
        id=r.id,
        created_at=_as_utc(r.created_at),
    )


def programme_start(data: Mapping[str, Any]) -> dt.date | None:
    """First day of a ``programme.json``: ``start`` if given, else its earliest session date."""
    raw = data.get("settings")
    settings: Mapping[str, Any] = raw if isinstance(raw, Mapping) else {}
    for where, key in ((data, "start"), (data, "start_date"), (settings, "start")):
        if where.get(key):
            try:
                return dt.date.fromisoformat(str(where[key])[:10])
            except ValueError:
                raise InputError(f"programme {key} is not a date: {where[key]!r}") from None
    dates = []
    for w in data.get("weeks") or []:
        for s in w.get("sessions") or []:
            try:
                dates.append(dt.date.fromisoformat(str(s.get("date"))[:10]))
            except ValueError:
                continue
    return min(dates) if dates else None


def programme_weeks(data: Mapping[str, Any], start: dt.date | None) -> list[ProgrammeWeek]:
    """The weeks of a ``programme.json`` with their planned session counts."""
    weeks = data.get("weeks")
    if not isinstance(weeks, list) or not weeks:
        raise InputError("programme has no weeks")
    out = []
    seen: set[int] = set()
    for i, w in enumerate(weeks, start=1):
        if not isinstance(w, Mapping):
            raise InputError(f"programme week {i} is not an object")
        n = int(w.get("week", i))
        if n in seen:
            raise InputError(f"programme week {n} appears twice")
        seen.add(n)
        wk_start = None if start is None else start + dt.timedelta(days=7 * (n - 1))
        if w.get("start"):
            try:
                wk_start = dt.date.fromisoformat(str(w["start"])[:10])
            except ValueError:
                raise InputError(f"week {n} start is not a date: {w['start']!r}") from None
        out.append(
            ProgrammeWeek(
                week=n,
                phase=w.get("phase"),
                start_date=wk_start,
                planned_sessions=sum(1 for x in w.get("sessions") or [] if is_logged_session(x)),
            )
        )
    return out


class Store:
    """A progress database and its artefact folder.

    Every public method that writes runs in one transaction: it either happens
    whole or not at all. Methods return domain dataclasses, never ORM rows.

    Parameters
    ----------
    engine
        A SQLAlchemy engine made by :func:`kneetrack.store.engine.make_engine`.
    location
        Where the database and artefacts live.
    """

    def __init__(self, engine: Engine, location: StoreLocation) -> None:
        self.engine = engine
        self.location = location
        self.artefacts = ArtefactStore(location.artefact_root)
        self._sessions = sessionmaker(engine, expire_on_commit=False)

    # ------------------------------------------------------------ plumbing

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A session inside one transaction, committed on success, rolled back on error."""
        with self._sessions() as session, session.begin():
            yield session

    def close(self) -> None:
        """Release the database connections."""
        self.engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def integrity_ok(self) -> bool:
        """Run the database's own consistency check (SQLite) and a foreign-key check."""
        if self.engine.dialect.name != "sqlite":
            with self.engine.connect() as conn:
                conn.execute(text("SELECT 1"))
            return True
        with self.engine.connect() as conn:
            ok = conn.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
            fk = conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
        return ok and not fk

    # ------------------------------------------------------------ athletes

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

    # ------------------------------------------------------------ analyses

    def _analysis(self, s: Session, r: AnalysisRow) -> Analysis:
        metrics = s.scalars(
            select(AnalysisMetricRow)
            .where(AnalysisMetricRow.analysis_id == r.id)
            .order_by(AnalysisMetricRow.id)
        )
        return Analysis(
            athlete_id=r.athlete_id,
            recorded_on=r.recorded_on,
            view=r.view,
            kind=r.kind,
            source_path=r.source_path,
            cadence_spm=r.cadence_spm,
            tracked_fraction=r.tracked_fraction,
            metrics=tuple(
                MetricSummary(m.metric, m.leg, m.mean, m.sd, m.n, m.max) for m in metrics
            ),
            summary=r.summary or {},
            artefact_dir=self.artefacts.resolve(r.artefact_dir),
            id=r.id,
            created_at=_as_utc(r.created_at),
        )

    def add_analysis(
        self,
        athlete_id: int,
        analysis: Mapping[str, Any],
        *,
        recorded_on: dt.date | None = None,
        artefact_src: Path | None = None,
        retest_of: int | str | None = "auto",
        in_transaction: Callable[[Session, Analysis], None] | None = None,
    ) -> Analysis:
        """Store one ``analysis.json`` dict with its summary metrics.

        Parameters
        ----------
        athlete_id
            The athlete it belongs to.
        analysis
            The ``analysis.json`` document.
        recorded_on
            Date of the run (default: today).
        artefact_src
            Analysis folder to copy into the managed artefact folder (``None``:
            store the summary only).
        retest_of
            ``"auto"`` links the analysis as a retest of the athlete's first
            analysis with the same view, if there is one; an id links it to
            that analysis; ``None`` links nothing.
        in_transaction
            Called with the session and the stored analysis inside the storing
            transaction (also when the same analysis was stored already), so a
            caller can record it atomically; raising rolls everything back.
        """
        metrics = summarise_analysis(analysis)
        inp = analysis.get("input") or {}
        quality = analysis.get("quality") or {}
        keep = {
            k: analysis.get(k)
            for k in ("summary", "findings", "quality", "software", "schema")
            if analysis.get(k) is not None
        }
        day = recorded_on or dt.date.today()
        athlete = self._athlete_row_facts(athlete_id)
        with self._sessions() as s:  # stored already (a rerun after a kill): keep that one
            same = find_same_analysis(
                s, athlete_id, keep, day=day, view=analysis.get("view"),
                source_path=inp.get("path"),
                cadence_spm=next(m.mean for m in metrics if m.metric == "cadence_spm"))
            if same is not None and in_transaction is None:
                return self._analysis(s, same)
        if same is not None:
            assert in_transaction is not None
            with self.transaction() as s:
                found = self._analysis(s, same)
                in_transaction(s, found)
                return found
        rel = (
            self.artefacts.copy_in(artefact_src, athlete["uid"])
            if artefact_src is not None
            else None
        )
        try:
            with self.transaction() as s:
                row = AnalysisRow(
                    athlete_id=athlete_id,
                    recorded_on=day,
                    view=analysis.get("view"),
                    kind=inp.get("kind"),
                    source_path=inp.get("path"),
                    cadence_spm=next(m.mean for m in metrics if m.metric == "cadence_spm"),
                    tracked_fraction=quality.get("tracked_fraction"),
                    summary=keep,
                    artefact_dir=rel,
                )
                s.add(row)
                s.flush()
                s.add_all(
                    AnalysisMetricRow(
                        analysis_id=row.id,
                        metric=m.metric,
                        leg=m.leg,
                        mean=m.mean,
                        sd=m.sd,
                        n=m.n,
                        max=m.max,
                    )
                    for m in metrics
                )
                baseline_id = self._retest_target(s, row, retest_of)
                if baseline_id is not None:
                    s.add(
                        RetestRow(
                            athlete_id=athlete_id, baseline_id=baseline_id, followup_id=row.id
                        )
                    )
                s.flush()
                stored = self._analysis(s, row)
                if in_transaction is not None:
                    in_transaction(s, stored)
                return stored
        except BaseException:
            self.artefacts.remove(rel)
            raise

    def _retest_target(
        self, s: Session, row: AnalysisRow, retest_of: int | str | None
    ) -> int | None:
        if retest_of is None:
            return None
        if retest_of == "auto":
            return s.scalar(
                select(AnalysisRow.id)
                .where(
                    AnalysisRow.athlete_id == row.athlete_id,
                    AnalysisRow.id != row.id,
                    AnalysisRow.view == row.view,
                    AnalysisRow.recorded_on <= row.recorded_on,
                )
                .order_by(AnalysisRow.recorded_on, AnalysisRow.id)
                .limit(1)
            )
        base = s.get(AnalysisRow, int(retest_of))
        if base is None or base.athlete_id != row.athlete_id:
            raise InputError(f"analysis {retest_of} is not one of this athlete's analyses")
        return base.id

    def _athlete_row_facts(self, athlete_id: int) -> dict[str, Any]:
        with self._sessions() as s:
            row = s.get(AthleteRow, athlete_id)
            if row is None:
                raise InputError(f"no athlete with id {athlete_id}")
            return {"uid": row.uid, "name": row.name}

    def list_analyses(self, athlete_id: int, *, view: str | None = None) -> list[Analysis]:
        """An athlete's analyses in date order (optionally of one view)."""
        with self._sessions() as s:
            q = select(AnalysisRow).where(AnalysisRow.athlete_id == athlete_id)
            if view is not None:
                q = q.where(AnalysisRow.view == view)
            rows = s.scalars(q.order_by(AnalysisRow.recorded_on, AnalysisRow.id)).all()
            return [self._analysis(s, r) for r in rows]

    def list_retests(self, athlete_id: int) -> list[Retest]:
        """An athlete's retest links."""
        with self._sessions() as s:
            return [
                _retest(r)
                for r in s.scalars(
                    select(RetestRow)
                    .where(RetestRow.athlete_id == athlete_id)
                    .order_by(RetestRow.id)
                )
            ]

    # ------------------------------------------------------------ screenings

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

    # ------------------------------------------------------------ programmes

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
            created_at=_as_utc(r.created_at),
        )

    def add_programme(
        self,
        athlete_id: int,
        data: Mapping[str, Any],
        *,
        analysis_id: int | None = None,
        parent_id: int | None = None,
        decision: str | None = None,
        reasons: Sequence[str] = (),
    ) -> Programme:
        """Store a ``programme.json`` dict as the athlete's newest (active) programme."""
        check_programme(data)
        start = programme_start(data)
        weeks = programme_weeks(data, start)
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

    # ------------------------------------------------------------ workout logs

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

    def count_rows(self, athlete_id: int | None = None) -> dict[str, int]:
        """Rows per table (of one athlete when given) — for checks and `db` commands."""
        out: dict[str, int] = {}
        with self._sessions() as s:
            for name in TABLE_ORDER:
                table = Base.metadata.tables[name]
                q = select(func.count()).select_from(table)
                if athlete_id is not None:
                    if "athlete_id" in table.c:
                        q = q.where(table.c.athlete_id == athlete_id)
                    elif name == "athlete":
                        q = q.where(table.c.id == athlete_id)
                    elif name == "analysis_metric":
                        q = q.where(
                            table.c.analysis_id.in_(
                                select(AnalysisRow.id).where(AnalysisRow.athlete_id == athlete_id)
                            )
                        )
                    elif name == "programme_week":
                        q = q.where(
                            table.c.programme_id.in_(
                                select(ProgrammeRow.id).where(ProgrammeRow.athlete_id == athlete_id)
                            )
                        )
                out[name] = int(s.scalar(q) or 0)
        return out

    # ------------------------------------------------------------ dump / load

    def dump(self) -> dict[str, Any]:
        """Every row of every table as JSON-friendly dicts (for backups)."""
        tables: dict[str, list[dict[str, Any]]] = {}
        with self.engine.connect() as conn:
            for name in TABLE_ORDER:
                table = Base.metadata.tables[name]
                rows = conn.execute(select(table).order_by(table.c.id)).mappings()
                tables[name] = [{k: _dump_value(v) for k, v in r.items()} for r in rows]
        return {
            "schema": BACKUP_SCHEMA,
            "revision": migrate.current_revision(self.engine),
            "created_at": dt.datetime.now(dt.UTC).isoformat(),
            "tables": tables,
        }

    def load(self, dump: Mapping[str, Any], *, replace: bool = False) -> dict[str, int]:
        """Load a :meth:`dump` into this database in one transaction.

        The database must be empty unless ``replace`` is true, in which case
        every existing row is deleted first (in the same transaction).
        """
        if dump.get("schema") != BACKUP_SCHEMA:
            raise InputError(f"not a kneetrack backup (schema {dump.get('schema')!r})")
        rev = dump.get("revision")
        if rev is not None and rev not in migrate.known_revisions():
            raise InputError(f"backup was made by a newer kneetrack (schema revision {rev})")
        tables = dump.get("tables") or {}
        counts: dict[str, int] = {}
        with self.engine.begin() as conn:
            existing = sum(
                conn.execute(select(func.count()).select_from(Base.metadata.tables[n])).scalar()
                or 0
                for n in TABLE_ORDER
            )
            if existing and not replace:
                raise InputError(
                    "the database is not empty; restore with --replace to overwrite it"
                )
            for name in reversed(TABLE_ORDER):
                if name == "programme":
                    conn.execute(Base.metadata.tables[name].update().values(parent_id=None))
                conn.execute(delete(Base.metadata.tables[name]))
            for name in TABLE_ORDER:
                table = Base.metadata.tables[name]
                rows = [_load_row(table, r) for r in tables.get(name) or []]
                if rows:
                    conn.execute(table.insert(), rows)
                counts[name] = len(rows)
            if conn.dialect.name == "postgresql":
                for name in TABLE_ORDER:
                    conn.execute(
                        text(
                            f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                            f"COALESCE((SELECT MAX(id) FROM {name}), 0) + 1, false)"
                        )
                    )
        return counts


def _dump_value(v: Any) -> Any:
    if isinstance(v, dt.datetime):
        return _as_utc(v).isoformat()  # type: ignore[union-attr]
    if isinstance(v, dt.date):
        return v.isoformat()
    return v


def _load_row(table: Any, row: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for col in table.c:
        if col.name not in row:
            continue  # a column added after the backup was made keeps its default
        v = row[col.name]
        if v is not None and isinstance(col.type, DateTime):
            v = dt.datetime.fromisoformat(v)
        elif v is not None and isinstance(col.type, Date):
            v = dt.date.fromisoformat(v)
        out[col.name] = v
    return out


def open_store(
    db: str | None = None, *, artefacts: str | Path | None = None, create: bool = True
) -> Store:
    """Open (and on first use create) the progress store.

    Parameters
    ----------
    db
        Database URL or SQLite file path; default ``KNEETRACK_DB`` or the user's
        data folder.
    artefacts
        Artefact folder; default beside a SQLite file (see :mod:`kneetrack.store.config`).
    create
        Create an empty database at the newest schema. An existing database at
        an older schema must be upgraded with ``kneetrack db upgrade``.
    """
    loc = resolve_location(db, artefacts=artefacts)
    if loc.sqlite_path is not None:
        if not loc.sqlite_path.exists() and not create:
            raise SettingsError(f"no database at {loc.sqlite_path}")
        loc.sqlite_path.parent.mkdir(parents=True, exist_ok=True)
    engine = make_engine(loc.url)
    try:
        current = migrate.current_revision(engine)
    except OperationalError as err:
        engine.dispose()
        raise SettingsError(f"cannot open database {loc.display()}: {err.orig}") from None
    head = migrate.head_revision()
    if current is None:
        if not create:
            engine.dispose()
            raise SettingsError(f"database {loc.display()} has no kneetrack schema")
        migrate.upgrade(engine)
    elif current != head:
        engine.dispose()
        if current in migrate.known_revisions():
            raise SettingsError(
                f"database {loc.display()} uses an older schema ({current}); "
                "run `kneetrack db upgrade` (it makes a backup first)"
            )
        raise SettingsError(
            f"database {loc.display()} was made by a newer kneetrack "
            f"(schema {current}); upgrade kneetrack"
        )
    return Store(engine, loc)
