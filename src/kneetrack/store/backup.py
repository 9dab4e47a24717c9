"""Whole-database views: row counts, and the dialect-neutral dump and load behind backups."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from sqlalchemy import Date, DateTime, MetaData, Table, delete, func, inspect, select, text

from kneetrack.errors import InputError
from kneetrack.store import migrate
from kneetrack.store.base import StoreBase, as_utc
from kneetrack.store.orm import (
    TABLE_ORDER,
    WEB_TABLE_ORDER,
    WEB_TRANSIENT_TABLES,
    AnalysisRow,
    Base,
    ProgrammeRow,
)

BACKUP_SCHEMA = "kneetrack.backup/1"


class BackupRecords(StoreBase):
    """The counting, dump and load methods of :class:`~kneetrack.store.repository.Store`."""

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

    def dump(self) -> dict[str, Any]:
        """Every row of every table as JSON-friendly dicts (for backups)."""
        tables: dict[str, list[dict[str, Any]]] = {}
        with self.engine.connect() as conn:
            for name, table in _tables(conn, (*TABLE_ORDER, *WEB_TABLE_ORDER)):
                rows = conn.execute(select(table).order_by(*table.primary_key.columns)).mappings()
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
            backed_up = _tables(conn, (*TABLE_ORDER, *WEB_TABLE_ORDER))
            transient = _tables(conn, WEB_TRANSIENT_TABLES)
            existing = sum(
                conn.execute(select(func.count()).select_from(t)).scalar() or 0
                for _, t in backed_up
            )
            if existing and not replace:
                raise InputError(
                    "the database is not empty; restore with --replace to overwrite it"
                )
            for name, table in [*transient, *reversed(backed_up)]:
                if name == "programme":
                    conn.execute(table.update().values(parent_id=None))
                conn.execute(delete(table))
            for name, table in backed_up:
                rows = [_load_row(table, r) for r in tables.get(name) or []]
                if rows:
                    conn.execute(table.insert(), rows)
                counts[name] = len(rows)
            if conn.dialect.name == "postgresql":
                for name, table in backed_up:
                    if "id" not in table.c:
                        continue
                    conn.execute(
                        text(
                            f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                            f"COALESCE((SELECT MAX(id) FROM {name}), 0) + 1, false)"
                        )
                    )
        return counts


def _tables(conn: Any, names: tuple[str, ...]) -> list[tuple[str, Table]]:
    """``(name, table)`` for each of ``names`` the database has, in the given order.

    Tables the store has no class for (the web app's accounts, defined in
    ``kneetrack.web.models``, which the store must not import) are reflected.
    """
    present = set(inspect(conn).get_table_names())
    meta = MetaData()
    out = []
    for name in names:
        if name not in present:
            continue  # a database not yet migrated to the web revision
        table = Base.metadata.tables.get(name)
        out.append((name, table if table is not None else Table(name, meta, autoload_with=conn)))
    return out


def _dump_value(v: Any) -> Any:
    if isinstance(v, dt.datetime):
        return as_utc(v).isoformat()  # type: ignore[union-attr]
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
