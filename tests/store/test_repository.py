from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from kneetrack.app.athletes import (
    athlete_record,
    delete_athlete,
    export_athlete,
    store_analysis,
    store_programme,
    store_screening,
)
from kneetrack.errors import InputError
from kneetrack.store import Athlete, Store, WorkoutLog, open_store
from kneetrack.store.admin import backup, restore

from .factories import make_analysis, make_programme, write_analysis_folder

D0 = dt.date(2026, 3, 2)


def test_athletes_are_unique_by_name_ignoring_case_and_spaces(store: Store) -> None:
    a = store.add_athlete(
        Athlete("Ana  Ruiz", sex="female", birth_year=1991, height_cm=168, dominant_leg="right")
    )
    assert a.id is not None and a.uid and a.name == "Ana Ruiz"
    with pytest.raises(InputError, match="already exists"):
        store.add_athlete(Athlete("ana ruiz"))
    assert store.get_athlete(" ANA RUIZ ").id == a.id
    assert [x.name for x in store.list_athletes()] == ["Ana Ruiz"]
    with pytest.raises(InputError, match="no athlete"):
        store.get_athlete("Bob")


@pytest.mark.parametrize(
    "facts", [{"sex": "x"}, {"birth_year": 1850}, {"height_cm": 20.0}, {"dominant_leg": "both"}]
)
def test_invalid_athlete_facts_are_rejected(store: Store, facts: dict) -> None:
    with pytest.raises(InputError):
        store.add_athlete(Athlete("Cy", **facts))
    assert store.list_athletes() == []


def test_analysis_summary_metrics_and_artefacts(store: Store, tmp_path: Path) -> None:
    store.add_athlete(Athlete("Ana"))
    folder = write_analysis_folder(
        tmp_path / "run1", make_analysis(fppa=(12.0, 8.0), cadence=166.0)
    )
    a = store_analysis(store, "Ana", folder, recorded_on=D0)
    m = a.metric("fppa_peak_deg", "left")
    assert m is not None and m.mean == pytest.approx(12.0) and m.n == 8
    assert m.sd == pytest.approx(1.195, abs=1e-3)  # SPREAD repeated twice
    assert a.metric("pelvic_drop_peak_deg", "right").mean == pytest.approx(4.0)
    assert a.cadence_spm == pytest.approx(166.0) and a.view == "front" and a.kind == "video"
    assert a.artefact_dir is not None and a.artefact_dir.is_relative_to(store.artefacts.root)
    assert (a.artefact_dir / "analysis.json").is_file()
    assert (a.artefact_dir / "plots" / "fppa.svg").is_file()
    # The first analysis is a baseline; the second of the same view is linked as its retest.
    b = store_analysis(
        store, "Ana", make_analysis(fppa=(3.0, 7.0)), recorded_on=D0 + dt.timedelta(28)
    )
    assert b.artefact_dir is None
    side = store_analysis(store, "Ana", make_analysis(view="side-right"), recorded_on=D0)
    links = store.list_retests(a.athlete_id)
    assert [(r.baseline_id, r.followup_id) for r in links] == [(a.id, b.id)]
    assert side.id not in {r.followup_id for r in links}


def test_rejects_non_analysis_documents(store: Store, tmp_path: Path) -> None:
    store.add_athlete(Athlete("Ana"))
    p = tmp_path / "x.json"
    p.write_text('{"schema": "kneetrack.programme/1"}')
    with pytest.raises(InputError, match="not an analysis"):
        store_analysis(store, "Ana", p)
    p.write_text("{not json")
    with pytest.raises(InputError, match="not valid JSON"):
        store_analysis(store, "Ana", p)
    assert store.count_rows()["analysis"] == 0
    assert not any(store.artefacts.root.rglob("analysis.json"))


def test_programme_weeks_and_versions(store: Store) -> None:
    store.add_athlete(Athlete("Ana"))
    p = store_programme(store, "Ana", make_programme(D0, weeks=10))
    assert p.start_date == D0 and len(p.weeks) == 10
    assert p.weeks[0].planned_sessions == 3 and p.weeks[4].phase == "strength"
    assert p.weeks[3].planned_sessions == 3  # the week-4 retest filming is not a logged session
    assert p.weeks[3].start_date == D0 + dt.timedelta(days=21)
    assert p.week_of(D0 + dt.timedelta(days=15)) == 3
    p2 = store.add_programme(
        p.athlete_id, p.data, start_date=p.start_date, weeks=p.weeks, parent_id=p.id,
        decision="hold", reasons=["pain 4/10"]
    )
    assert store.active_programme(p.athlete_id).id == p2.id
    assert store.active_programme(p.athlete_id).reasons == ("pain 4/10",)
    with pytest.raises(InputError, match="no weeks"):
        store_programme(store, "Ana", {"schema": "kneetrack.programme/1", "weeks": []})


def test_logs_are_validated_and_stored_all_or_nothing(store: Store) -> None:
    a = store.add_athlete(Athlete("Ana"))
    ok = WorkoutLog(a.id, D0, "glute_bridge", sets=3, reps=12, rpe=6, pain=1)
    bad = WorkoutLog(a.id, D0, "side_plank", sets=2, hold_s=30, rpe=11)
    with pytest.raises(InputError, match="RPE"):
        store.add_logs([ok, bad])
    assert store.list_logs(a.id) == []
    for wrong in (dict(pain=-1), dict(pain=10.5), dict(sets=-1), dict(exercise_id=" ")):
        kwargs = dict(athlete_id=a.id, performed_on=D0, exercise_id="x") | wrong
        with pytest.raises(InputError):
            store.add_logs([WorkoutLog(**kwargs)])
    with pytest.raises(InputError, match="future"):
        store.add_logs([WorkoutLog(a.id, dt.date.today() + dt.timedelta(days=5), "x")])
    saved = store.add_logs([ok])
    assert saved[0].id is not None and store.list_logs(a.id)[0].reps == 12


def test_screening_is_validated(store: Store) -> None:
    store.add_athlete(Athlete("Ana"))
    s = store_screening(
        store,
        "Ana",
        {
            "schema": "kneetrack.screening/1",
            "date": "2026-03-01",
            "symptoms": {"pain_worst_0_10": 4},
        },
    )
    assert s.taken_on == dt.date(2026, 3, 1) and s.data["symptoms"]["pain_worst_0_10"] == 4
    with pytest.raises(InputError):
        store_screening(store, "Ana", {"symptoms": {"pain_worst_0_10": 14}})


def _fill(store: Store, tmp_path: Path, name: str = "Ana") -> Athlete:
    a = store.add_athlete(Athlete(name, notes="left knee"))
    store_analysis(
        store, name, write_analysis_folder(tmp_path / f"{name}-a1", make_analysis()), recorded_on=D0
    )
    store_analysis(
        store,
        name,
        write_analysis_folder(tmp_path / f"{name}-a2", make_analysis()),
        recorded_on=D0 + dt.timedelta(28),
    )
    store_screening(store, name, {"symptoms": {"pain_worst_0_10": 3}}, taken_on=D0)
    p = store_programme(store, name, make_programme(D0, weeks=4))
    store.add_programme(a.id, p.data, start_date=p.start_date, weeks=p.weeks, parent_id=p.id,
                        decision="progress", reasons=["ok"])
    store.add_logs(
        [WorkoutLog(a.id, D0, "glute_bridge", sets=2, reps=12, rpe=5, pain=2, programme_id=p.id)]
    )
    return a


def test_export_then_delete_leaves_no_trace(store: Store, tmp_path: Path) -> None:
    ana = _fill(store, tmp_path, "Ana")
    bob = _fill(store, tmp_path, "Bob")
    zip_path = export_athlete(store, "Ana", tmp_path / "export")
    import json
    import zipfile

    with zipfile.ZipFile(zip_path) as zf:
        rec = json.loads(zf.read("athlete.json"))
        names = zf.namelist()
    assert rec["athlete"]["name"] == "Ana" and len(rec["analyses"]) == 2
    assert len(rec["programmes"]) == 2 and len(rec["logs"]) == 1 and len(rec["retests"]) == 1
    assert sum(n.endswith("analysis.json") for n in names) == 2
    assert all(bob.uid not in n for n in names)
    before_bob = store.count_rows(bob.id)
    removed = delete_athlete(store, "Ana")
    assert removed["analysis"] == 2 and removed["programme_week"] == 8
    assert all(v == 0 for v in store.count_rows(ana.id).values())
    assert not store.artefacts.athlete_dir(ana.uid).exists()
    assert store.find_athlete("Ana") is None
    assert store.count_rows(bob.id) == before_bob
    assert store.artefacts.athlete_dir(bob.uid).is_dir()
    assert store.integrity_ok()


def test_backup_restores_rows_and_files_into_another_database(store: Store, tmp_path: Path) -> None:
    _fill(store, tmp_path)
    before = athlete_record(store, "Ana")
    z = backup(store, tmp_path / "b.zip")
    with pytest.raises(InputError, match="not empty"):
        restore(store, z)
    # Into a fresh SQLite database elsewhere (also crosses backends when the source is PostgreSQL).
    other = open_store(str(tmp_path / "other" / "k.db"))
    try:
        counts = restore(other, z)
        assert counts["analysis"] == 2 and counts["workout_log"] == 1
        after = athlete_record(other, "Ana")
        for key in ("athlete", "analyses", "programmes", "logs", "retests", "screenings"):
            assert after[key] == before[key], key
        for an in other.list_analyses(other.get_athlete("Ana").id):
            assert (an.artefact_dir / "analysis.json").is_file()
        # New rows after a restore get fresh ids (sequences were reset).
        c = other.add_athlete(Athlete("Cleo"))
        assert c.id > other.get_athlete("Ana").id
    finally:
        other.close()
    # Replace in place.
    store.add_athlete(Athlete("Dan"))
    restore(store, z, replace=True)
    assert [a.name for a in store.list_athletes()] == ["Ana"]
    store.add_athlete(Athlete("Eve"))
