"""What every part of the store shares: the engine, sessions, one transaction per write."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, Self

from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from kneetrack.errors import InputError
from kneetrack.store.artefacts import ArtefactStore
from kneetrack.store.config import StoreLocation
from kneetrack.store.orm import AthleteRow


def as_utc(v: dt.datetime | None) -> dt.datetime | None:
    """``v`` with UTC attached when the database returned it naive (SQLite does)."""
    if v is not None and v.tzinfo is None:
        return v.replace(tzinfo=dt.UTC)
    return v


class StoreBase:
    """A database engine, its sessions and the artefact folder (the parts every record type uses).

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

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A session inside one transaction, committed on success, rolled back on error."""
        with self._sessions() as session, session.begin():
            yield session

    def close(self) -> None:
        """Release the database connections."""
        self.engine.dispose()

    def __enter__(self) -> Self:
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

    def _athlete_row_facts(self, athlete_id: int) -> dict[str, Any]:
        """The athlete's ``uid`` and ``name``; :class:`InputError` if there is no such athlete."""
        with self._sessions() as s:
            row = s.get(AthleteRow, athlete_id)
            if row is None:
                raise InputError(f"no athlete with id {athlete_id}")
            return {"uid": row.uid, "name": row.name}
