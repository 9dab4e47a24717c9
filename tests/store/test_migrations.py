from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text

from kneetrack.app.records import record_analysis
from kneetrack.errors import SettingsError
from kneetrack.store import migrate, open_store
from kneetrack.store.admin import upgrade_database
from kneetrack.store.config import resolve_location
from kneetrack.store.engine import make_engine
from kneetrack.store.orm import Base
from kneetrack.web import models as _web_models  # noqa: F401  (web tables share Base)

from .factories import make_analysis


def test_orm_matches_the_newest_revision(db_url: str, artefact_root: Path) -> None:
    st = open_store(db_url, artefacts=artefact_root)
    try:
        with st.engine.connect() as conn:
            ctx = MigrationContext.configure(conn, opts={"compare_type": True})
            assert compare_metadata(ctx, Base.metadata) == []
        assert migrate.current_revision(st.engine) == migrate.head_revision() == "0011"
    finally:
        st.close()


def test_upgrade_keeps_data_made_by_the_first_schema(db_url: str, artefact_root: Path) -> None:
    engine = make_engine(resolve_location(db_url).url)
    try:
        migrate.upgrade(engine, "0001")
        assert "retest" not in inspect(engine).get_table_names()
        now = dt.datetime(2026, 1, 5, 9, 0, tzinfo=dt.UTC)
        with engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO athlete (id, uid, name, name_key, created_at) "
                    "VALUES (1, 'u1', 'Old Timer', 'old timer', :now)"
                ),
                {"now": now},
            )
            conn.execute(
                text(
                    "INSERT INTO analysis (id, athlete_id, recorded_on, view, summary, created_at) "
                    "VALUES (1, 1, :d, 'front', '{}', :now)"
                ),
                {"d": dt.date(2026, 1, 5), "now": now},
            )
            conn.execute(
                text(
                    "INSERT INTO analysis_metric (analysis_id, metric, leg, mean, sd, n) "
                    "VALUES (1, 'fppa_peak_deg', 'left', 14.0, 2.0, 9)"
                )
            )
            conn.execute(
                text(
                    "INSERT INTO workout_log (athlete_id, performed_on, exercise_id, sets, reps, "
                    "pain, created_at) VALUES (1, :d, 'glute_bridge', 3, 12, 2, :now)"
                ),
                {"d": dt.date(2026, 1, 6), "now": now},
            )
            if conn.dialect.name == "postgresql":
                for t in ("athlete", "analysis"):
                    conn.execute(text(f"SELECT setval(pg_get_serial_sequence('{t}', 'id'), 1)"))
    finally:
        engine.dispose()

    with pytest.raises(SettingsError, match="older schema"):
        open_store(db_url, artefacts=artefact_root)
    res = upgrade_database(db_url, artefacts=artefact_root)
    assert (res.from_revision, res.to_revision) == ("0001", migrate.head_revision())
    if db_url.startswith("sqlite"):
        assert res.backup_path is not None and res.backup_path.is_file()
    st = open_store(db_url, artefacts=artefact_root)
    try:
        a = st.get_athlete("old timer")
        old = st.list_analyses(a.id)
        assert old[0].metric("fppa_peak_deg", "left").mean == 14.0
        assert st.list_logs(a.id)[0].exercise_id == "glute_bridge"
        new = record_analysis(st, a.id, make_analysis(fppa=(5.0, 5.0)),
                              recorded_on=dt.date(2026, 2, 2))
        assert [(r.baseline_id, r.followup_id) for r in st.list_retests(a.id)] == [(1, new.id)]
        assert st.integrity_ok()
    finally:
        st.close()
    assert upgrade_database(db_url, artefacts=artefact_root).backup_path is None  # already current


def test_downgrade_and_upgrade_round_trip(db_url: str) -> None:
    engine = make_engine(resolve_location(db_url).url)
    try:
        migrate.upgrade(engine)
        migrate.downgrade(engine, "0001")
        assert "retest" not in inspect(engine).get_table_names()
        migrate.upgrade(engine)
        assert "retest" in inspect(engine).get_table_names()
    finally:
        engine.dispose()


def test_database_from_a_newer_kneetrack_is_refused(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'k.db'}"
    open_store(url).close()
    engine = make_engine(resolve_location(url).url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    engine.dispose()
    with pytest.raises(SettingsError, match="newer kneetrack"):
        open_store(url)
