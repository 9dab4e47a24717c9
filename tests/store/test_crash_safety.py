"""Kill ``analyze --athlete``, ``log`` and ``plan --next-week`` at random points, then restart.

Issue 16 point 5, on SQLite and PostgreSQL. Each command is run once cleanly to
count its crash points (SQL statements, commits, renames, fsyncs, copies,
unlinks; see ``tests/crash_points.py``); then, for kill points drawn with a fixed
seed, it is killed there (SIGKILL, its whole process group), the store and the
files are checked (nothing half-written, nothing saved lost), and the same
command is run again, as its user would, to the end: the job is then stored
exactly once.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import sys
from pathlib import Path
from typing import Any

import pytest

from kneetrack.store import Athlete, Store, open_store

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from crash_points import draw_points, forkable, kills, run_cli  # noqa: E402

pytestmark = [pytest.mark.skipif(not forkable(), reason="needs fork"),
              pytest.mark.timeout(600)]

REPO = Path(__file__).resolve().parents[2]
DAY = "2026-03-02"


def _files(folder: Path) -> set[str]:
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*")
            if p.is_file() and ".kneetrack-tmp-" not in p.as_posix()}


@pytest.fixture
def clip(tmp_path: Path) -> Path:
    """A 5-second front-view clip (the packaged sample, cut short: a faster analysis)."""
    from kneetrack.io.load import load_keypoints
    from kneetrack.io.trc import write_trc
    from kneetrack.samples import sample_path

    kp = load_keypoints(sample_path("runner_front_60fps.trc"))
    return write_trc(kp.slice_frames(0, 300), tmp_path / "clip.trc")


def _quick_plots() -> None:
    """In the child: two tiny plots instead of matplotlib's (2 s of pure drawing, no I/O).

    The plots are still written as files, so the kill points are the same kinds.
    """
    import kneetrack.report.html as html
    from kneetrack.report.plots import data_uri

    svg = "<svg xmlns='http://www.w3.org/2000/svg' width='10' height='10'/>"

    def render_plots(analysis: Any) -> list[dict[str, Any]]:
        return [{"id": n, "title": n, "caption": "", "svg": svg,
                 "src": data_uri(svg, "image/svg+xml"), "width": 10, "height": 10}
                for n in ("cadence", "fppa")]

    html.render_plots = render_plots  # type: ignore[assignment]


def _open(db_url: str, root: Path) -> Store:
    return open_store(db_url, artefacts=root)


def _kill_loop(argv_for: Any, setup: Any, check_after_kill: Any, check_done: Any, *,
               seed: int, n: int, env: dict[str, str], before: Any = None) -> list[int]:
    """Dry run, then kill at ``n`` drawn points; restart after each. Returns the points."""
    setup("dry")
    clean = run_cli(argv_for("dry"), env=env, before=before)
    assert not clean.killed and clean.exit_code == 0
    check_done("dry")
    points = draw_points(clean.points, n, seed=seed)
    for k, point in enumerate(points):
        tag = f"k{k}"
        setup(tag)
        res = run_cli(argv_for(tag), kill_at=point, env=env, before=before)
        assert res.killed, f"not killed at point {point} of {clean.points}"
        check_after_kill(tag)
        again = run_cli(argv_for(tag), env=env, before=before)
        assert not again.killed and again.exit_code == 0, f"restart after point {point} failed"
        check_done(tag)
    return points


def test_analyze_athlete_killed_anywhere(db_url: str, artefact_root: Path, tmp_path: Path,
                                         clip: Path) -> None:
    env = {"KNEETRACK_ARTEFACTS": str(artefact_root)}
    ref: dict[str, Any] = {}

    def argv(tag: str) -> list[str]:
        return ["analyze", str(clip), "--out", str(tmp_path / f"out-{tag}"), "-q",
                "--athlete", f"A-{tag}", "--db", db_url]

    def setup(tag: str) -> None:
        with _open(db_url, artefact_root) as st:
            st.add_athlete(Athlete(f"A-{tag}"))

    def stored(tag: str) -> tuple[Store, list[Any]]:
        st = _open(db_url, artefact_root)
        a = st.get_athlete(f"A-{tag}")
        return st, st.list_analyses(a.id)

    def check_after_kill(tag: str) -> None:
        st, analyses = stored(tag)
        with st:
            assert st.integrity_ok()
            assert len(analyses) <= 1
            for an in analyses:  # a stored analysis is whole: its rows and its files
                assert len(an.metrics) == ref["metrics"]
                assert _files(an.artefact_dir) == ref["files"]
                json.loads((an.artefact_dir / "analysis.json").read_text())
        out = tmp_path / f"out-{tag}"
        if (out / "analysis.json").exists():  # a finished folder is complete
            assert _files(out) == ref["files"]
            json.loads((out / "analysis.json").read_text())

    def check_done(tag: str) -> None:
        st, analyses = stored(tag)
        with st:
            assert len(analyses) == 1, "the analysis is stored exactly once"
            an = analyses[0]
            if not ref:
                ref["metrics"] = len(an.metrics)
                ref["files"] = _files(an.artefact_dir)
                assert {"analysis.json", "report.html", "keypoints.trc"} <= ref["files"]
            assert len(an.metrics) == ref["metrics"]
            assert _files(an.artefact_dir) == ref["files"]
        out = tmp_path / f"out-{tag}"
        assert _files(out) == ref["files"]
        assert not list(out.glob(".kneetrack-tmp-*"))

    _kill_loop(argv, setup, check_after_kill, check_done, seed=16, n=kills(8), env=env,
               before=_quick_plots)


def test_log_killed_anywhere(db_url: str, artefact_root: Path) -> None:
    env = {"KNEETRACK_ARTEFACTS": str(artefact_root)}

    def argv(tag: str) -> list[str]:
        return ["log", "-a", f"L-{tag}", "-e", "glute_bridge", "--sets", "3", "--reps", "12",
                "--rpe", "6", "--pain", "1", "--note", "felt fine", "--date", DAY,
                "--db", db_url]

    def setup(tag: str) -> None:
        with _open(db_url, artefact_root) as st:
            st.add_athlete(Athlete(f"L-{tag}"))

    def logs(tag: str) -> list[Any]:
        with _open(db_url, artefact_root) as st:
            assert st.integrity_ok()
            return st.list_logs(st.get_athlete(f"L-{tag}").id)

    def check_after_kill(tag: str) -> None:
        got = logs(tag)
        assert len(got) <= 1
        for lg in got:
            assert (lg.exercise_id, lg.sets, lg.reps, lg.rpe, lg.pain, lg.note) == \
                ("glute_bridge", 3, 12, 6.0, 1.0, "felt fine")

    def check_done(tag: str) -> None:
        got = logs(tag)
        assert len(got) == 1, "the session is stored exactly once"
        assert got[0].performed_on == dt.date.fromisoformat(DAY)

    _kill_loop(argv, setup, check_after_kill, check_done, seed=17, n=kills(10), env=env)


def _programme(start: dt.date) -> dict[str, Any]:
    prog = json.loads((REPO / "examples" / "hip_weakness_pelvic_drop" / "programme.json")
                      .read_text())
    prog["settings"]["start"] = start.isoformat()
    return prog


def test_plan_next_week_killed_anywhere(db_url: str, artefact_root: Path) -> None:
    from kneetrack.app.athletes import store_programme
    from kneetrack.app.progress import log_session

    env = {"KNEETRACK_ARTEFACTS": str(artefact_root)}
    start = dt.date.today() - dt.timedelta(days=8)
    ref: dict[str, Any] = {}

    def argv(tag: str) -> list[str]:
        return ["plan", "--athlete", f"P-{tag}", "--next-week", "--db", db_url]

    def setup(tag: str) -> None:
        with _open(db_url, artefact_root) as st:
            st.add_athlete(Athlete(f"P-{tag}"))
            store_programme(st, f"P-{tag}", _programme(start))
            log_session(st, f"P-{tag}", [{"exercise_id": "glute_bridge", "sets": 3, "reps": 12,
                                         "rpe": 5, "pain": 0}],
                        performed_on=start + dt.timedelta(days=1))

    def versions(tag: str) -> list[Any]:
        with _open(db_url, artefact_root) as st:
            assert st.integrity_ok()
            a = st.get_athlete(f"P-{tag}")
            progs = st.list_programmes(a.id)
            assert st.active_programme(a.id).id == progs[-1].id
            return progs

    def whole(progs: list[Any]) -> None:
        first = progs[0]
        for p in progs[1:]:  # every adapted version is whole: decision, parent, all weeks
            assert p.parent_id is not None and p.decision in ("progress", "hold", "regress",
                                                              "refer")
            assert len(p.weeks) == len(first.weeks) == ref["weeks"]

    def check_after_kill(tag: str) -> None:
        progs = versions(tag)
        assert len(progs) in (1, 2)
        whole(progs)

    def check_done(tag: str) -> None:
        progs = versions(tag)
        if not ref:
            ref["weeks"] = len(progs[0].weeks)
        assert len(progs) == 2, "the week is adapted exactly once"
        whole(progs)

    _kill_loop(argv, setup, check_after_kill, check_done, seed=18, n=kills(10), env=env)


def test_plan_next_week_run_twice_is_stored_once(store: Store) -> None:
    from kneetrack.app.athletes import store_programme
    from kneetrack.app.progress import adapt_next_week

    store.add_athlete(Athlete("Twice"))
    store_programme(store, "Twice", _programme(dt.date.today() - dt.timedelta(days=8)))
    first = adapt_next_week(store, "Twice")
    again = adapt_next_week(store, "Twice")
    assert len(store.list_programmes(store.get_athlete("Twice").id)) == 2
    assert not first.reused and again.reused
    assert again.programme.id == first.programme.id
    assert (again.decision, again.reasons, again.week) == (first.decision, first.reasons,
                                                           first.week)


def _log(store: Store, name: str, day: dt.date, pain: float) -> None:
    from kneetrack.app.progress import log_session

    log_session(store, name, [{"exercise_id": "glute_bridge", "sets": 3, "reps": 12,
                               "rpe": 5, "pain": pain}], performed_on=day)


def test_more_logs_in_the_same_week_redo_it_from_the_version_before(store: Store) -> None:
    """A week is never adapted on top of its own adaptation: new inputs redo it from its parent."""
    from kneetrack.app.athletes import store_programme
    from kneetrack.app.progress import adapt_next_week

    from .factories import make_programme

    start = dt.date(2026, 3, 2)  # a Monday
    sunday = start + dt.timedelta(days=6)
    store.add_athlete(Athlete("Redo"))
    store_programme(store, "Redo", make_programme(start, weeks=6))
    _log(store, "Redo", start, pain=1)
    first = adapt_next_week(store, "Redo", as_of=sunday)
    _log(store, "Redo", start + dt.timedelta(days=4), pain=7)  # same week, a painful session
    redo = adapt_next_week(store, "Redo", as_of=sunday)
    progs = store.list_programmes(store.get_athlete("Redo").id)
    assert [p.id for p in progs] == [progs[0].id, first.programme.id, redo.programme.id]
    assert (first.decision, redo.decision) == ("hold", "regress") and not redo.reused
    assert redo.programme.parent_id == first.programme.id  # one line of versions
    # Made from the version before the first adaptation: one adaptation record, not two.
    assert len(redo.programme.data["adaptations"]) == 1
    assert redo.programme.data["adapted_from"]["week"] == 1
    assert adapt_next_week(store, "Redo", as_of=sunday).reused  # and that one is final
    _log(store, "Redo", start + dt.timedelta(days=7), pain=1)  # week 2: adapt on top of it
    later = adapt_next_week(store, "Redo", as_of=sunday + dt.timedelta(days=7))
    assert later.programme.parent_id == redo.programme.id and not later.reused
    assert [a["week"] for a in later.programme.data["adaptations"]] == [1, 2]


def test_kill_points_are_reproducible() -> None:
    assert draw_points(100, 5, seed=16) == draw_points(100, 5, seed=16)
    assert draw_points(3, 10, seed=1) == [1, 2, 3]
    assert shutil.which("true") is None or draw_points(50, 5, seed=1) != draw_points(50, 5, seed=2)
