"""Engines configured for safe concurrent use.

SQLite: WAL journal (readers never block the writer), foreign keys on, a busy
timeout, ``synchronous=NORMAL`` (durable at each WAL checkpoint; a crash never
corrupts), and every transaction opened with ``BEGIN IMMEDIATE`` so that two
processes writing at once queue on the busy timeout instead of failing with
"database is locked" on a read→write upgrade.

PostgreSQL: psycopg 3, pre-ping, READ COMMITTED (row inserts of different
processes never conflict).
"""

from __future__ import annotations

import sqlite3
import time

from sqlalchemy import event
from sqlalchemy.engine import URL, Engine, create_engine
from sqlalchemy.pool import NullPool

from kneetrack.errors import SettingsError

BUSY_TIMEOUT_MS = 30_000


def _set_wal(cur: sqlite3.Cursor) -> None:
    """Switch to WAL, waiting while another process does the same.

    Changing the journal mode needs an exclusive lock and SQLite reports
    "database is locked" at once, without its busy handler, when several processes
    open a new database together; so wait and retry, up to the busy timeout.
    """
    deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
    delay = 0.01
    while True:
        try:
            cur.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as err:
            if "locked" not in str(err) or time.monotonic() > deadline:
                raise
            time.sleep(delay)
            delay = min(delay * 2, 0.2)


def _sqlite_engine(url: URL) -> Engine:
    engine = create_engine(
        url,
        poolclass=NullPool,
        connect_args={"timeout": BUSY_TIMEOUT_MS / 1000, "isolation_level": None},
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record) -> None:  # noqa: ANN001
        cur = dbapi_conn.cursor()
        cur.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        _set_wal(cur)
        cur.execute("PRAGMA synchronous = NORMAL")
        cur.execute("PRAGMA foreign_keys = ON")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn) -> None:  # noqa: ANN001
        conn.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


def make_engine(url: URL) -> Engine:
    """An engine for ``url`` (``sqlite`` or ``postgresql+psycopg``)."""
    backend = url.get_backend_name()
    if backend == "sqlite":
        return _sqlite_engine(url)
    if backend == "postgresql":
        try:
            import psycopg  # noqa: F401
        except ImportError:
            raise SettingsError(
                "PostgreSQL needs the psycopg driver: pip install 'kneetrack[postgres]'"
            ) from None
        return create_engine(url, pool_pre_ping=True, pool_size=2, max_overflow=2)
    raise SettingsError(f"unsupported database backend {backend!r}")
