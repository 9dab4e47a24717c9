"""Fixtures: a fresh store on SQLite and on PostgreSQL for every test.

PostgreSQL comes from ``KNEETRACK_TEST_PG_URL`` (``.ci/start-postgres.sh``
starts one and exports it). Outside CI a missing server skips the PostgreSQL
cases and says so; in CI (``CI`` set) it is a failure.
"""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from kneetrack.store import Store, open_store

PG_ENV = "KNEETRACK_TEST_PG_URL"


def _pg_admin_url() -> str:
    url = os.environ.get(PG_ENV)
    reason = None
    if not url:
        reason = f"{PG_ENV} is not set (run `source .ci/start-postgres.sh`)"
    else:
        try:
            import psycopg
            from sqlalchemy.engine import make_url

            u = make_url(url)
            with psycopg.connect(
                host=u.host,
                port=u.port or 5432,
                user=u.username,
                password=u.password,
                dbname=u.database,
                connect_timeout=5,
            ):
                pass
        except Exception as err:  # noqa: BLE001 - any connection failure means "no server"
            reason = f"no PostgreSQL server at {PG_ENV}: {err.__class__.__name__}: {err}"
    if reason:
        if os.environ.get("CI"):
            pytest.fail(f"PostgreSQL is required in CI: {reason}")
        pytest.skip(f"PostgreSQL store tests skipped (not in CI): {reason}")
    return url  # type: ignore[return-value]


@pytest.fixture(scope="session")
def pg_admin_url() -> str:
    """URL of the test PostgreSQL database (skips or fails when absent, see module doc)."""
    return _pg_admin_url()


def _fresh_pg_database(admin_url: str) -> tuple[str, str]:
    import psycopg
    from sqlalchemy.engine import make_url

    u = make_url(admin_url)
    name = f"kt_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(
        host=u.host,
        port=u.port or 5432,
        user=u.username,
        password=u.password,
        dbname=u.database,
        autocommit=True,
    ) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return u.set(database=name).render_as_string(hide_password=False), name


def _drop_pg_database(admin_url: str, name: str) -> None:
    import psycopg
    from sqlalchemy.engine import make_url

    u = make_url(admin_url)
    with psycopg.connect(
        host=u.host,
        port=u.port or 5432,
        user=u.username,
        password=u.password,
        dbname=u.database,
        autocommit=True,
    ) as conn:
        # FORCE cannot end a backend of another role (an autovacuum worker on a database
        # that the crash tests just filled): wait for it a little, then leave the database.
        for attempt in range(10):
            try:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
                return
            except psycopg.errors.InsufficientPrivilege:
                time.sleep(0.3 * (attempt + 1))


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A URL of an empty database on each backend."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'kneetrack.db'}"
        return
    admin = request.getfixturevalue("pg_admin_url")
    url, name = _fresh_pg_database(admin)
    try:
        yield url
    finally:
        _drop_pg_database(admin, name)


@pytest.fixture
def artefact_root(tmp_path: Path) -> Path:
    """The store's artefact folder."""
    return tmp_path / "artefacts"


@pytest.fixture
def store(db_url: str, artefact_root: Path) -> Iterator[Store]:
    """An open, empty store."""
    s = open_store(db_url, artefacts=artefact_root)
    try:
        yield s
    finally:
        s.close()
