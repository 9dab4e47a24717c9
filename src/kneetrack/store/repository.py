"""The store: maps domain dataclasses to database rows, one transaction per write.

:class:`Store` gathers the record types, each in its own module —
:mod:`~kneetrack.store.athletes`, :mod:`~kneetrack.store.analyses`,
:mod:`~kneetrack.store.screenings`, :mod:`~kneetrack.store.programmes`,
:mod:`~kneetrack.store.logs` and :mod:`~kneetrack.store.backup` — and
:func:`open_store` opens one. The store keeps what it is given: what a document
means (summary metrics, a programme's weeks) is worked out by the caller
(:mod:`kneetrack.app.records`), so that the store imports no domain logic.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.exc import OperationalError

from kneetrack.errors import SettingsError
from kneetrack.store import migrate
from kneetrack.store.analyses import AnalysisRecords
from kneetrack.store.athletes import AthleteRecords
from kneetrack.store.backup import BACKUP_SCHEMA, BackupRecords
from kneetrack.store.config import resolve_location
from kneetrack.store.engine import make_engine
from kneetrack.store.logs import LogRecords
from kneetrack.store.programmes import ProgrammeRecords
from kneetrack.store.screenings import ScreeningRecords

__all__ = ["BACKUP_SCHEMA", "Store", "open_store"]


class Store(
    AthleteRecords,
    AnalysisRecords,
    ScreeningRecords,
    ProgrammeRecords,
    LogRecords,
    BackupRecords,
):
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
