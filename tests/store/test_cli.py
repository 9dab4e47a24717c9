"""The store commands end to end through the CLI (SQLite; PostgreSQL is covered by the services)."""

from __future__ import annotations

import datetime as dt
import json
import zipfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kneetrack.cli.main import _register, app, main
from kneetrack.store import open_store

from .factories import make_analysis, make_programme, write_analysis_folder

START = dt.date(2026, 3, 2)


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.delenv("KNEETRACK_DB", raising=False)
    monkeypatch.delenv("KNEETRACK_ARTEFACTS", raising=False)
    monkeypatch.setenv("COLUMNS", "200")  # rich tables on one line each
    return str(tmp_path / "club.db")


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_athlete_lifecycle(db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        capsys,
        "athlete",
        "add",
        "Maya Lind",
        "--sex",
        "female",
        "--birth-year",
        "1992",
        "--dominant-leg",
        "right",
        "--db",
        db,
    )
    assert code == 0 and "added athlete 'Maya Lind'" in out
    code, _, err = run(capsys, "athlete", "add", "maya lind", "--db", db)
    assert code == 2 and "already exists" in err and "Traceback" not in err
    code, _, err = run(capsys, "athlete", "add", "Kid", "--birth-year", "1700", "--db", db)
    assert code == 2 and "birth year" in err

    folder = write_analysis_folder(tmp_path / "a1", make_analysis())
    with open_store(db) as st:
        from kneetrack.app.athletes import store_analysis, store_programme

        store_analysis(st, "Maya Lind", folder, recorded_on=START - dt.timedelta(days=1))
        store_analysis(
            st,
            "Maya Lind",
            make_analysis(hip_adduction=(7.0, 5.0)),
            recorded_on=START + dt.timedelta(days=27),
        )
        store_programme(st, "Maya Lind", make_programme(START, weeks=4))

    code, out, _ = run(
        capsys,
        "log",
        "--athlete",
        "Maya Lind",
        "-e",
        "glute_bridge",
        "--sets",
        "3",
        "--reps",
        "12",
        "--rpe",
        "6",
        "--pain",
        "5",
        "--date",
        "2026-03-02",
        "--db",
        db,
    )
    assert code == 0 and "logged 1 exercise" in out and "pain above 3/10" in out
    code, _, err = run(capsys, "log", "-a", "Maya Lind", "-e", "x", "--rpe", "12", "--db", db)
    assert code == 2 and "rpe must be a number from 1 to 10, got 12.0" in err
    code, _, err = run(capsys, "log", "-a", "Nobody", "-e", "x", "--db", db)
    assert code == 2 and "no athlete named 'Nobody'" in err

    code, out, _ = run(capsys, "athlete", "list", "--db", db)
    assert code == 0 and "Maya Lind" in out
    code, out, _ = run(capsys, "athlete", "show", "Maya Lind", "--json", "--db", db)
    rec = json.loads(out)
    assert len(rec["analyses"]) == 2 and rec["logs"][0]["exercise_id"] == "glute_bridge"

    plot = tmp_path / "trend.svg"
    code, out, _ = run(
        capsys,
        "progress",
        "--athlete",
        "maya lind",
        "--plot",
        str(plot),
        "--as-of",
        "2026-03-29",
        "--db",
        db,
    )
    assert code == 0, out
    assert "improved" in out and "no real change" in out and "adherence" in out
    assert plot.is_file() and plot.read_text().lstrip().startswith("<?xml")

    zip_path = tmp_path / "maya.zip"
    code, out, _ = run(capsys, "athlete", "export", "Maya Lind", "-o", str(zip_path), "--db", db)
    assert code == 0 and zipfile.is_zipfile(zip_path)
    code, out, _ = run(capsys, "athlete", "delete", "Maya Lind", "--yes", "--db", db)
    assert code == 0 and "deleted Maya Lind" in out
    code, out, _ = run(capsys, "athlete", "list", "--db", db)
    assert "no athletes yet" in out
    assert not any(p.is_file() for p in (tmp_path / "club-artefacts").rglob("*"))


def test_interactive_log_follows_the_planned_session(db: str) -> None:
    with open_store(db) as st:
        from kneetrack.app.athletes import add_athlete, store_programme

        add_athlete(st, "Ana")
        store_programme(st, "Ana", make_programme(START, weeks=2))
    _register()
    # Strength session: clamshell done as planned, bridge skipped, side plank 2 x 25 s.
    answers = "\n".join(["y", "", "", "", "n", "y", "2", "25", "", "6", "2", "felt fine"]) + "\n"
    res = CliRunner().invoke(
        app, ["log", "-a", "Ana", "--date", START.isoformat(), "--db", db], input=answers
    )
    assert res.exit_code == 0, res.output
    with open_store(db) as st:
        logs = st.list_logs(st.get_athlete("Ana").id)
    assert [(lg.exercise_id, lg.sets, lg.reps, lg.hold_s) for lg in logs] == [
        ("banded_clamshell", 2, 12, None),
        ("side_plank", 2, None, 25.0),
    ]
    assert {(lg.rpe, lg.pain, lg.note) for lg in logs} == {(6.0, 2.0, "felt fine")}
    assert all(lg.programme_id is not None for lg in logs)


def test_db_backup_restore_upgrade(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run(capsys, "athlete", "add", "Ana", "--db", db)
    run(
        capsys,
        "log",
        "-a",
        "Ana",
        "-e",
        "glute_bridge",
        "--sets",
        "2",
        "--date",
        "2026-03-02",
        "--db",
        db,
    )
    code, out, _ = run(capsys, "db", "backup", str(tmp_path / "b.zip"), "--db", db)
    assert code == 0 and "1 athletes" in out
    code, out, _ = run(capsys, "db", "upgrade", "--db", db)
    assert code == 0 and "up to date" in out
    other = str(tmp_path / "other.db")
    code, out, _ = run(capsys, "db", "restore", str(tmp_path / "b.zip"), "--db", other)
    assert code == 0 and "1 athlete" in out and "1 workout_log" in out
    code, _, err = run(capsys, "db", "restore", str(tmp_path / "b.zip"), "--db", other)
    assert code == 2 and "--replace" in err
    code, _, err = run(capsys, "db", "restore", str(tmp_path / "missing.zip"), "--db", other)
    assert code == 2 and "not found" in err
    code, _, err = run(
        capsys, "db", "backup", str(tmp_path / "none.zip"), "--db", str(tmp_path / "nope.db")
    )
    assert code == 2 and "no database" in err


def test_analyze_and_plan_store_results_and_next_week_adapts(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pytest.importorskip("kneetrack.app.plan", reason="plan command not installed")
    from kneetrack.samples import sample_path

    sample = str(sample_path("runner_front_60fps.trc"))
    code, _, err = run(
        capsys, "analyze", sample, "-o", str(tmp_path / "a"), "-q", "--athlete", "Ana", "--db", db
    )
    assert code == 2 and "no athlete named 'Ana'" in err
    assert not (tmp_path / "a").exists()  # refused before any work
    run(capsys, "athlete", "add", "Ana", "--db", db)
    code, out, err = run(
        capsys, "analyze", sample, "-o", str(tmp_path / "a"), "-q", "--athlete", "Ana", "--db", db
    )
    assert code == 0, err
    assert "stored in Ana's history" in out
    code, out, err = run(
        capsys,
        "plan",
        "-a",
        str(tmp_path / "a"),
        "-o",
        str(tmp_path / "plan"),
        "--start",
        START.isoformat(),
        "--weeks",
        "8",
        "--athlete",
        "Ana",
        "--db",
        db,
    )
    assert code == 0, err
    assert "stored the programme in Ana's history (8 weeks from 2026-03-02)" in out
    with open_store(db) as st:
        a = st.get_athlete("Ana")
        prog = st.active_programme(a.id)
        analyses = st.list_analyses(a.id)
        assert prog is not None and prog.analysis_id == analyses[0].id
        assert (analyses[0].artefact_dir / "keypoints.trc").is_file()
        first_week = prog.data["weeks"][0]
    # Log every strength session of week 1 pain-free, then adapt.
    for s in first_week["sessions"]:
        if s["kind"] != "strength":
            continue
        for it in s["items"]:
            code, _, err = run(
                capsys,
                "log",
                "-a",
                "Ana",
                "-e",
                it["exercise_id"],
                "--sets",
                "2",
                "--rpe",
                "5",
                "--pain",
                "1",
                "--date",
                s["date"],
                "--db",
                db,
            )
            assert code == 0, err
    code, out, err = run(
        capsys, "plan", "--athlete", "Ana", "--next-week", "-o", str(tmp_path / "plan2"), "--db", db
    )
    assert code == 0, err
    assert "week 2: progress" in out
    assert (tmp_path / "plan2" / "programme.json").is_file()
    with open_store(db) as st:
        versions = st.list_programmes(st.get_athlete("Ana").id)
    assert [v.decision for v in versions] == [None, "progress"]
    code, _, err = run(capsys, "plan", "--next-week", "--db", db)
    assert code == 2 and "--athlete" in err
