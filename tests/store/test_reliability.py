from __future__ import annotations

import multiprocessing
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from kneetrack.store import Athlete, Store, open_store

from . import _worker

WORKER = Path(_worker.__file__)


def test_two_processes_logging_at_once_lose_nothing(db_url: str, artefact_root: Path) -> None:
    with open_store(db_url, artefacts=artefact_root) as st:
        a = st.add_athlete(Athlete("Ana"))
    n = 120
    ctx = multiprocessing.get_context("spawn")
    go = ctx.Barrier(2)  # both writers start writing together
    procs = [
        ctx.Process(target=_worker.log_many, args=(db_url, str(artefact_root), "Ana", n, tag, go))
        for tag in ("p1", "p2")
    ]
    for p in procs:
        p.start()
    for p in procs:
        p.join(timeout=120)
        assert p.exitcode == 0, f"writer process failed with exit code {p.exitcode}"
    with open_store(db_url, artefacts=artefact_root) as st:
        notes = sorted(lg.note for lg in st.list_logs(a.id))
        assert len(notes) == 2 * n
        assert notes == sorted([f"p1-{i}" for i in range(n)] + [f"p2-{i}" for i in range(n)])
        assert st.integrity_ok()


def test_process_killed_mid_transaction_leaves_consistent_database(
    db_url: str, artefact_root: Path
) -> None:
    with open_store(db_url, artefacts=artefact_root) as st:
        a = st.add_athlete(Athlete("Ana"))
        before = st.count_rows()
    proc = subprocess.Popen(
        [sys.executable, str(WORKER), "bigtx", db_url, str(artefact_root), str(a.id), "20000"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        line = proc.stdout.readline() if proc.stdout else ""
        assert line.strip() == "MIDWAY", proc.stderr.read() if proc.stderr else ""
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == -signal.SIGKILL
    st: Store = open_store(db_url, artefacts=artefact_root)
    try:
        assert st.integrity_ok()
        assert st.count_rows() == before  # none of the 10,001 flushed rows survived
        # The database is writable again at once (no stale lock).
        st.add_athlete(Athlete("Bob"))
        assert {x.name for x in st.list_athletes()} == {"Ana", "Bob"}
    finally:
        st.close()
    if db_url.startswith("sqlite"):
        import sqlite3

        con = sqlite3.connect(db_url.removeprefix("sqlite:///"))
        try:
            assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            assert con.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
            assert con.execute("SELECT count(*) FROM workout_log").fetchone()[0] == 0
        finally:
            con.close()


@pytest.mark.parametrize("pragma, expected", [("foreign_keys", 1), ("journal_mode", "wal")])
def test_sqlite_connections_are_configured(tmp_path: Path, pragma: str, expected: object) -> None:
    with open_store(str(tmp_path / "k.db")) as st, st.engine.connect() as conn:
        assert conn.exec_driver_sql(f"PRAGMA {pragma}").scalar() == expected
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 10_000


def test_first_use_from_several_processes_creates_the_schema_once(
    db_url: str, artefact_root: Path
) -> None:
    ctx = multiprocessing.get_context("spawn")
    go = ctx.Barrier(3)
    procs = [
        ctx.Process(target=_worker.open_at_once, args=(db_url, str(artefact_root), go))
        for _ in range(3)
    ]
    for p in procs:
        p.start()
    for p in procs:
        p.join(timeout=120)
    assert [p.exitcode for p in procs] == [0, 0, 0]
    with open_store(db_url, artefacts=artefact_root) as st:
        assert st.add_athlete(Athlete("Ana")).id is not None
