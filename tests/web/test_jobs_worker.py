"""The worker and the job-runner adapter, in process, with a fake engine (no pose, no video)."""

from __future__ import annotations

import datetime as dt
import json
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest

from kneetrack.batch.jobs import Job, Outcome
from kneetrack.store import Athlete, Store, open_store
from kneetrack.web.job_runner import clip_order, run_analysis_job
from kneetrack.web.jobs import DONE, FAILED, QUEUED, JobClip, JobInfo, JobQueue
from kneetrack.web.uploads import save_upload
from kneetrack.web.worker import JobWorker, WorkerSettings
from video_factory import write_video

from .jobs_support import FakeEngine


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    s = open_store(f"sqlite:///{tmp_path / 'k.db'}", artefacts=tmp_path / "art")
    yield s
    s.close()


@pytest.fixture
def queue(store: Store) -> JobQueue:
    return JobQueue(store)


@pytest.fixture
def athlete(store: Store) -> int:
    a = store.add_athlete(Athlete(name="Ann")).id
    assert a is not None
    return a


def upload(queue: JobQueue, athlete: int, tmp_path: Path, frames: int, name: str) -> int:
    src = write_video(tmp_path / f"src{frames}.mp4", frames=frames)
    stored = save_upload([src.read_bytes()], queue.upload_root(athlete), client_name=name)
    return queue.add_upload(athlete, stored).id


def clip(pos: int, view: str | None) -> JobClip:
    return JobClip(position=pos, upload_id=pos, view=view, path=Path(f"/u/{pos}.mp4"),
                   client_name=f"c{pos}.mp4", analysis_id=None)


def test_clip_order_puts_the_frontal_clip_first() -> None:
    got = clip_order([clip(0, "side-left"), clip(1, "rear")])
    assert [c.position for c in got] == [1, 0]
    assert [c.position for c in clip_order([clip(0, None), clip(1, None)])] == [0, 1]


def test_runner_reuses_a_finished_folder_and_names_the_clip_in_errors(tmp_path: Path) -> None:
    job = JobInfo(id=7, athlete_id=1, status="running", attempts=1, max_attempts=2, error=None,
                  analysis_id=None, recorded_on=dt.date(2026, 12, 5),
                  clips=(clip(0, "rear"), clip(1, "front")), options={"overlay": False})
    (tmp_path / "clip0").mkdir()
    (tmp_path / "clip0" / "analysis.json").write_text("{}")  # stored by a killed attempt
    eng = FakeEngine(fail=["1.mp4"])
    res = run_analysis_job(job, eng, work_dir=tmp_path, attempt=2, options={"overlay": True,
                                                                            "pdf": False})
    assert [r.positions for r in res] == [(0,), (1,)]
    assert res[0].ok and res[0].out_dir == tmp_path / "clip0"
    assert not res[1].ok and res[1].reason == "c1.mp4: no person found in 'c1.mp4'"
    assert eng.ran == [("job7-clip1", 2, {"overlay": False})]  # the job's own option wins


def test_a_rear_and_side_job_makes_one_combined_analysis(queue: JobQueue, store: Store,
                                                          athlete: int, tmp_path: Path) -> None:
    rear = upload(queue, athlete, tmp_path, 10, "rear.mp4")
    side = upload(queue, athlete, tmp_path, 11, "side.mp4")
    job = queue.enqueue(athlete, [(side, "side-right"), (rear, "rear")])
    eng = FakeEngine(more_cadences=[180.0])
    w = JobWorker(queue, eng, options={"overlay": False})
    done = w.run_one()
    assert done is not None and done.status == DONE and done.attempts == 1
    stored = store.list_analyses(athlete)
    assert len(stored) == 1  # one assessment, not one per clip
    assert done.analysis_id == stored[0].id
    assert all(c.analysis_id == stored[0].id for c in done.clips)
    assert [n for n, _, _ in eng.ran] == [f"job{job.id}-clip1"]  # one task, frontal first
    assert not w.work_dir(done).exists()  # the store has the copy
    text = (stored[0].artefact_dir / "analysis.json").read_text()  # type: ignore[operator]
    doc = json.loads(text)
    assert doc["input"]["path"] == "rear.mp4" == stored[0].source_path
    assert [(c["view"], c["input"]["path"]) for c in doc["clips"]] == [
        ("rear", "rear.mp4"), ("side-right", "side.mp4")]
    assert doc["cadence_check"]["consistent"] is False
    assert str(tmp_path) not in text  # nothing about the server's folders
    assert w.run_one() is None


def test_two_frontal_clips_are_still_analysed_one_by_one(queue: JobQueue, store: Store,
                                                         athlete: int, tmp_path: Path) -> None:
    a = upload(queue, athlete, tmp_path, 10, "a.mp4")
    b = upload(queue, athlete, tmp_path, 11, "b.mp4")
    queue.enqueue(athlete, [(a, "rear"), (b, "front")])
    done = JobWorker(queue, FakeEngine(), options={"overlay": False}).run_one()
    assert done is not None and done.status == DONE
    assert sorted(x.source_path for x in store.list_analyses(athlete)) == ["a.mp4", "b.mp4"]


def test_worker_retries_once_then_shows_the_reason(queue: JobQueue, store: Store, athlete: int,
                                                   tmp_path: Path) -> None:
    u = upload(queue, athlete, tmp_path, 10, "My run.mp4")
    job = queue.enqueue(athlete, [u])
    stored = queue.get_upload(u)
    assert stored is not None
    w = JobWorker(queue, FakeEngine(fail=[stored.path.name]))
    first = w.run_one()
    assert first is not None and first.status == QUEUED and first.attempts == 1
    last = w.run_one()
    assert last is not None and last.id == job.id and last.status == FAILED
    assert last.error == "no person found in 'My run.mp4'"
    assert str(tmp_path) not in last.error and store.list_analyses(athlete) == []


def test_an_internal_error_fails_the_job_not_the_worker(queue: JobQueue, athlete: int,
                                                        tmp_path: Path) -> None:
    class Broken(FakeEngine):
        def run(self, tasks: Sequence[tuple[Job, int]]) -> Iterator[Outcome]:
            raise RuntimeError("boom")
            yield  # pragma: no cover

    queue.enqueue(athlete, [upload(queue, athlete, tmp_path, 10, "a.mp4")])
    w = JobWorker(queue, Broken())
    got = w.run_one()
    assert got is not None and got.status == QUEUED and "internal error: RuntimeError: boom" in (
        got.error or "")


def test_settings_round_trip_through_the_command_line() -> None:
    from kneetrack.web.worker import _parser

    s = WorkerSettings(engine="ray", workers=3, ray_address="auto", backend_spec="m:f",
                       lease_s=5, heartbeat_s=1, poll_s=0.5, options={"overlay": False})
    a = _parser().parse_args(s.argv())
    assert (a.engine, a.workers, a.ray_address, a.backend, a.lease_s, a.heartbeat_s,
            a.poll_s, json.loads(a.options)) == ("ray", 3, "auto", "m:f", 5, 1, 0.5,
                                                 {"overlay": False})


def test_a_worker_that_cannot_start_is_not_restarted_in_a_loop(tmp_path: Path) -> None:
    from kneetrack.store.config import resolve_location
    from kneetrack.web.worker import WorkerProcesses

    missing = resolve_location(str(tmp_path / "no-such.db"))  # the worker exits at once
    procs = WorkerProcesses(missing, count=1)
    procs.start(watch_s=0.1)
    try:
        end = time.monotonic() + 60
        while procs.restarts < 1 and time.monotonic() < end:
            time.sleep(0.1)
        assert procs.restarts == 1  # the first death is replaced at once
        time.sleep(4.0)
        assert procs.restarts == 1  # a second early death waits CRASH_LOOP_S
    finally:
        procs.stop()
    assert procs.alive() == 0


def test_job_settings_refuse_what_cannot_work() -> None:
    from kneetrack.errors import SettingsError
    from kneetrack.web.jobs_settings import JobSettings

    with pytest.raises(SettingsError, match="a Ray of its own"):
        JobSettings(processes=2, worker=WorkerSettings(engine="ray"))
    with pytest.raises(SettingsError, match="unknown engine"):
        JobSettings(worker=WorkerSettings(engine="spark"))
    with pytest.raises(SettingsError, match="0 or more"):
        JobSettings(processes=-1)
    assert JobSettings(processes=2, worker=WorkerSettings(engine="ray", ray_address="auto"))


def test_the_report_is_titled_with_the_uploaded_name(queue: JobQueue, store: Store,
                                                     athlete: int, tmp_path: Path) -> None:
    from kneetrack.report.html import render_report_html

    class Reporting(FakeEngine):  # writes report.html as the analysis does, from analysis.json
        def run(self, tasks: Sequence[tuple[Job, int]]) -> Iterator[Outcome]:
            for o in super().run(tasks):
                out = Path(o.out_dir)
                doc = json.loads((out / "analysis.json").read_text())
                (out / "report.html").write_text(render_report_html(doc, plots=[]))
                yield o

    u = upload(queue, athlete, tmp_path, 10, "Tuesday <track> run.mp4")
    queue.enqueue(athlete, [u])
    stored_name = queue.get_upload(u).path.name  # type: ignore[union-attr]
    assert JobWorker(queue, Reporting(), options={"overlay": False}).run_one() is not None
    (an,) = store.list_analyses(athlete)
    report = (an.artefact_dir / "report.html").read_text()  # type: ignore[operator]
    assert "<title>Running report — Tuesday &lt;track&gt; run.mp4</title>" in report
    assert stored_name not in report
