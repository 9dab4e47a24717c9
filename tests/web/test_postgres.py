"""The web app on PostgreSQL: accounts, the rate limit, sessions and isolation.

Needs ``KNEETRACK_TEST_PG_URL`` (``source .ci/start-postgres.sh``); skipped
without it outside CI, a failure in CI (as the store's own PostgreSQL tests).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI

from kneetrack.store import Store, open_store
from kneetrack.web import accounts, auth
from kneetrack.web.app import create_app
from kneetrack.web.settings import WebSettings

from .conftest import PASSWORD, Browser, add_athlete_with_data, add_owner
from .test_isolation import _try_all, _upload_and_job

pytestmark = pytest.mark.postgres


def _admin() -> Any:
    url = os.environ.get("KNEETRACK_TEST_PG_URL")
    if not url:
        if os.environ.get("CI"):
            pytest.fail("PostgreSQL is required in CI: KNEETRACK_TEST_PG_URL is not set")
        pytest.skip("KNEETRACK_TEST_PG_URL is not set (source .ci/start-postgres.sh)")
    import psycopg
    from sqlalchemy.engine import make_url

    u = make_url(url)
    try:
        conn = psycopg.connect(host=u.host, port=u.port or 5432, user=u.username,
                               password=u.password, dbname=u.database, autocommit=True,
                               connect_timeout=5)
    except psycopg.OperationalError as err:
        if os.environ.get("CI"):
            raise
        pytest.skip(f"no PostgreSQL server: {err}")
    return u, conn


@pytest.fixture
def pg_store(tmp_path: Path) -> Iterator[Store]:
    u, conn = _admin()
    name = f"kt_web_{uuid.uuid4().hex[:10]}"
    conn.execute(f'CREATE DATABASE "{name}"')
    st = open_store(u.set(database=name).render_as_string(hide_password=False),
                    artefacts=tmp_path / "art")
    try:
        yield st
    finally:
        st.close()
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.close()


@pytest.fixture
def pg_app(pg_store: Store) -> FastAPI:
    return create_app(WebSettings(), store=pg_store)    # key generated and kept in the database


def test_accounts_sessions_and_rate_limit_on_postgresql(pg_app: FastAPI,
                                                        pg_store: Store) -> None:
    b = Browser(pg_app)
    b.get("/setup")
    r = b.post("/setup", {"email": "pg@clinic.test", "name": "Pat", "password": PASSWORD,
                          "password2": PASSWORD}, follow_redirects=False)
    assert r.status_code == 303
    old = b.client.cookies[auth.SESSION_COOKIE]
    b.refresh_token()
    assert b.post("/logout", follow_redirects=False).status_code == 303
    assert auth.session_identity(pg_store, old) is None
    c = Browser(pg_app)
    c.get("/login")
    for _ in range(5):
        assert c.post("/login", {"email": "pg@clinic.test", "password": "nope nope nope"}
                      ).status_code == 401
    assert c.post("/login", {"email": "pg@clinic.test", "password": PASSWORD}
                  ).status_code == 429
    # A second app on the same database (another worker) signs CSRF tokens with the same key.
    other = create_app(WebSettings(), store=pg_store)
    assert other.state.kt.signer.issue("n", 1) == pg_app.state.kt.signer.issue("n", 1)


def test_isolation_on_postgresql(pg_app: FastAPI, pg_store: Store,
                                 analysis_folder: Path, tmp_path: Path) -> None:
    owner = add_owner(pg_store)
    x = add_athlete_with_data(pg_store, owner, "Pg First", analysis_folder)
    from kneetrack.web import services

    athlete = services.athlete_by_id(pg_store, x)
    assert athlete is not None
    upload_id, job_id = _upload_and_job(pg_store, x, tmp_path)
    ids = {"athlete_id": x, "analysis_id": services.analyses(pg_store, athlete)[0].id,
           "relative": "report.html", "upload_id": upload_id, "job_id": job_id}
    second = accounts.create_clinician(pg_store, email="two@pg.test", name="Two",
                                       password=PASSWORD)
    b = Browser(pg_app)
    assert b.login("two@pg.test").status_code == 303
    wrong = _try_all(pg_app, b, ids, bearer=accounts.new_api_token(pg_store, second))
    assert not wrong, "\n".join(wrong)
    assert services.athlete_by_id(pg_store, x) is not None
