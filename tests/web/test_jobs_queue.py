"""The job queue on SQLite and PostgreSQL: idempotent enqueue, exclusive claims, leases, retry,
exactly-once results."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from kneetrack.app.records import record_analysis
from kneetrack.errors import InputError
from kneetrack.store import Athlete, Store, open_store
from kneetrack.store.orm import AnalysisRow
from kneetrack.web.jobs import (
    DONE,
    FAILED,
    INTERRUPTED,
    QUEUED,
    RUNNING,
    JobQueue,
    LeaseLostError,
)
from kneetrack.web.uploads import save_upload
from video_factory import write_video

from .jobs_support import db_url, make_doc  # noqa: F401 - db_url is a fixture


class FakeClock:
    def __init__(self) -> None:
        self.now = dt.datetime(2026, 12, 5, 12, 0, tzinfo=dt.UTC)

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += dt.timedelta(seconds=seconds)


@pytest.fixture
def store(db_url: str, tmp_path: Path) -> Iterator[Store]:  # noqa: F811
    s = open_store(db_url, artefacts=tmp_path / "artefacts")
    try:
        yield s
    finally:
        s.close()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def queue(store: Store, clock: FakeClock) -> JobQueue:
    return JobQueue(store, lease_s=30, clock=clock)


@pytest.fixture(scope="module")
def video_bytes(tmp_path_factory: pytest.TempPathFactory) -> list[bytes]:
    d = tmp_path_factory.mktemp("videos")
    return [write_video(d / f"v{i}.mp4", frames=10 + i).read_bytes() for i in range(3)]


def upload(queue: JobQueue, athlete_id: int, data: bytes, name: str = "run.mp4") -> int:
    stored = save_upload([data], queue.upload_root(athlete_id), client_name=name)
    return queue.add_upload(athlete_id, stored).id


def analyses(store: Store) -> int:
    with store.engine.connect() as c:
        return int(c.scalar(select(func.count()).select_from(AnalysisRow)) or 0)


@pytest.fixture
def ann(store: Store) -> int:
    a = store.add_athlete(Athlete(name="Ann Runner"))
    assert a.id is not None
    return a.id


def test_uploads_live_in_the_athletes_folder_and_repeat_uploads_are_one(
        queue: JobQueue, store: Store, ann: int, video_bytes: list[bytes]) -> None:
    root = queue.upload_root(ann)
    assert root.is_relative_to(store.artefacts.root / "athletes")
    first = upload(queue, ann, video_bytes[0], "a.mp4")
    again = upload(queue, ann, video_bytes[0], "a (1).mp4")
    other = upload(queue, ann, video_bytes[1])
    assert first == again != other
    assert sorted(p.name for p in root.iterdir() if p.is_file()) == sorted(
        queue.get_upload(i).path.name for i in (first, other))  # the repeat's file is gone
    rec = queue.get_upload(first)
    assert rec is not None and rec.client_name == "a.mp4"
    assert rec.path.read_bytes() == video_bytes[0]


def test_enqueue_is_idempotent_per_upload(queue: JobQueue, ann: int,
                                          video_bytes: list[bytes]) -> None:
    u = upload(queue, ann, video_bytes[0])
    j1 = queue.enqueue(ann, [u])
    j2 = queue.enqueue(ann, [u])
    again = upload(queue, ann, video_bytes[0])  # the same bytes, uploaded twice
    j3 = queue.enqueue(ann, [again])
    assert j1.id == j2.id == j3.id and j1.status == QUEUED and j1.attempts == 0
    assert queue.enqueue(ann, [(u, "rear")]).id != j1.id  # another view: another assessment
    assert len(queue.list_jobs(ann)) == 2


def test_enqueue_checks_its_clips(queue: JobQueue, store: Store, ann: int,
                                  video_bytes: list[bytes]) -> None:
    bob = store.add_athlete(Athlete(name="Bob")).id
    assert bob is not None
    u = upload(queue, ann, video_bytes[0])
    with pytest.raises(InputError, match="not one of this athlete's uploads"):
        queue.enqueue(bob, [u])
    with pytest.raises(InputError, match="one or 2 clips"):
        queue.enqueue(ann, [])
    with pytest.raises(InputError, match="unknown view"):
        queue.enqueue(ann, [(u, "top")])
    with pytest.raises(InputError, match="twice"):
        queue.enqueue(ann, [u, u])
    assert queue.list_jobs() == []


def test_claim_is_exclusive_and_oldest_first(queue: JobQueue, ann: int,
                                             video_bytes: list[bytes]) -> None:
    ids = [queue.enqueue(ann, [upload(queue, ann, b)]).id for b in video_bytes]
    got: list[int] = []
    lock = threading.Lock()

    def worker(name: str) -> None:
        while (job := queue.claim(name)) is not None:
            with lock:
                got.append(job.id)

    threads = [threading.Thread(target=worker, args=(f"w{i}",)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(got) == ids  # every job claimed exactly once
    jobs = {j.id: j for j in queue.list_jobs()}
    assert all(j.status == RUNNING and j.attempts == 1 and j.lease_owner for j in jobs.values())
    assert queue.claim("late") is None


def test_done_in_the_same_transaction_as_the_analysis(queue: JobQueue, store: Store, ann: int,
                                                      video_bytes: list[bytes], tmp_path: Path,
                                                      ) -> None:
    job = queue.enqueue(ann, [upload(queue, ann, video_bytes[0])],
                        recorded_on=dt.date(2026, 12, 1))
    claimed = queue.claim("w1")
    assert claimed is not None and claimed.id == job.id
    out = tmp_path / "out"
    out.mkdir()
    (out / "analysis.json").write_text("{}")
    stored = queue.record_result(job.id, "w1", [0], make_doc(), artefact_src=out)
    done = queue.get(job.id)
    assert done is not None and done.status == DONE and done.analysis_id == stored.id
    assert done.clips[0].analysis_id == stored.id and done.lease_owner is None
    assert stored.recorded_on == dt.date(2026, 12, 1) and stored.artefact_dir is not None
    assert (stored.artefact_dir / "analysis.json").is_file()
    assert analyses(store) == 1


def test_a_worker_that_lost_its_lease_stores_nothing(queue: JobQueue, store: Store, ann: int,
                                                     video_bytes: list[bytes], clock: FakeClock,
                                                     tmp_path: Path) -> None:
    job = queue.enqueue(ann, [upload(queue, ann, video_bytes[0])])
    assert queue.claim("slow") is not None
    clock.advance(31)  # the lease ran out: "slow" looks dead
    taken = queue.claim("fresh")
    assert taken is not None and taken.id == job.id and taken.attempts == 2
    assert taken.error is not None and INTERRUPTED in taken.error
    assert not queue.heartbeat(job.id, "slow")
    out = tmp_path / "slow-out"
    out.mkdir()
    (out / "annotated.mp4").write_bytes(b"x")
    with pytest.raises(LeaseLostError):
        queue.record_result(job.id, "slow", [0], make_doc(fppa=13.0), artefact_src=out)
    assert analyses(store) == 0
    assert list((store.artefacts.root / "athletes").rglob("annotated.mp4")) == []  # copy undone
    queue.record_result(job.id, "fresh", [0], make_doc(fppa=12.0), artefact_src=None)
    with pytest.raises(LeaseLostError):  # the job is done: a late duplicate stores nothing
        queue.record_result(job.id, "fresh", [0], make_doc(fppa=12.5), artefact_src=None)
    assert analyses(store) == 1
    assert queue.get(job.id).status == DONE  # type: ignore[union-attr]


def test_heartbeat_keeps_the_lease(queue: JobQueue, ann: int, video_bytes: list[bytes],
                                   clock: FakeClock) -> None:
    job = queue.enqueue(ann, [upload(queue, ann, video_bytes[0])])
    queue.claim("w1")
    for _ in range(5):
        clock.advance(20)
        assert queue.heartbeat(job.id, "w1")
        assert queue.claim("w2") is None
    clock.advance(31)
    assert queue.requeue_stale() == [job.id]
    assert queue.get(job.id).status == QUEUED  # type: ignore[union-attr]


def test_retry_once_then_failed_with_the_reason(queue: JobQueue, ann: int,
                                                video_bytes: list[bytes]) -> None:
    job = queue.enqueue(ann, [upload(queue, ann, video_bytes[0])])
    queue.claim("w1")
    first = queue.fail(job.id, "w1", "no person found in\n the video")
    assert first is not None and first.status == QUEUED and "retrying" in (first.error or "")
    assert queue.claim("w2") is not None
    assert queue.fail(job.id, "w1", "not mine") is None  # w1 does not hold it any more
    last = queue.fail(job.id, "w2", "no person found in the video")
    assert last is not None and last.status == FAILED and last.attempts == 2
    assert last.error == "no person found in the video" and last.finished_at is not None
    assert queue.claim("w3") is None  # failed for good
    again = queue.retry(job.id)
    assert again.status == QUEUED and again.attempts == 0 and again.error is None
    with pytest.raises(InputError, match="only a failed job"):
        queue.retry(job.id)


def test_interrupted_on_every_attempt_fails(queue: JobQueue, ann: int, video_bytes: list[bytes],
                                            clock: FakeClock) -> None:
    job = queue.enqueue(ann, [upload(queue, ann, video_bytes[0])])
    for n in range(2):
        assert queue.claim(f"w{n}") is not None
        clock.advance(31)
    assert queue.requeue_stale() == [job.id]
    got = queue.get(job.id)
    assert got is not None and got.status == FAILED and INTERRUPTED in (got.error or "")


def test_a_dead_local_worker_is_requeued_without_waiting(queue: JobQueue, ann: int,
                                                         video_bytes: list[bytes]) -> None:
    import socket
    import subprocess
    import sys

    proc = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)
    dead = f"{socket.gethostname()}:{int(proc.stdout)}:abcd"
    job = queue.enqueue(ann, [upload(queue, ann, video_bytes[0])])
    queue.claim(dead)
    assert queue.requeue_stale() == [job.id]  # its lease has not expired, but its pid is gone
    queue.claim("other-host:1:beef")
    assert queue.requeue_stale() == []  # another host's worker: only its lease counts


def test_release_does_not_count_the_attempt(queue: JobQueue, ann: int,
                                            video_bytes: list[bytes]) -> None:
    job = queue.enqueue(ann, [upload(queue, ann, video_bytes[0])])
    queue.claim("w1")
    assert queue.release(job.id, "w1") and not queue.release(job.id, "w1")
    got = queue.get(job.id)
    assert got is not None and got.status == QUEUED and got.attempts == 0


def test_two_clips_make_one_job_done_when_both_are_stored(queue: JobQueue, store: Store,
                                                          ann: int, video_bytes: list[bytes],
                                                          clock: FakeClock) -> None:
    rear, side = (upload(queue, ann, b) for b in video_bytes[:2])
    job = queue.enqueue(ann, [(rear, "rear"), (side, "side-right")])
    assert [(c.position, c.view) for c in job.clips] == [(0, "rear"), (1, "side-right")]
    queue.claim("w1")
    a_rear = queue.record_result(job.id, "w1", [0], make_doc("rear"), artefact_src=None)
    mid = queue.get(job.id)
    assert mid is not None and mid.status == RUNNING
    assert [c.position for c in mid.pending_clips] == [1]
    clock.advance(31)  # killed between the clips: the retry does only the side clip
    again = queue.claim("w2")
    assert again is not None and [c.position for c in again.pending_clips] == [1]
    queue.record_result(job.id, "w2", [1], make_doc("side-right", fppa=0.0), artefact_src=None)
    done = queue.get(job.id)
    assert done is not None and done.status == DONE and done.analysis_id == a_rear.id
    assert analyses(store) == 2


def test_an_analysis_stored_already_is_linked_not_duplicated(queue: JobQueue, store: Store,
                                                             ann: int, video_bytes: list[bytes],
                                                             ) -> None:
    day = dt.date(2026, 12, 2)
    before = record_analysis(store, ann, make_doc(), recorded_on=day)
    job = queue.enqueue(ann, [upload(queue, ann, video_bytes[0])], recorded_on=day)
    queue.claim("w1")
    linked = queue.record_result(job.id, "w1", [0], make_doc(), artefact_src=None)
    assert linked.id == before.id and analyses(store) == 1
    assert queue.get(job.id).analysis_id == before.id  # type: ignore[union-attr]


def test_deleting_the_athlete_removes_jobs_uploads_and_files(queue: JobQueue, store: Store,
                                                             ann: int,
                                                             video_bytes: list[bytes]) -> None:
    u = upload(queue, ann, video_bytes[0])
    path = queue.get_upload(u).path  # type: ignore[union-attr]
    job = queue.enqueue(ann, [u])
    store.delete_athlete(ann)
    assert queue.get(job.id) is None and queue.get_upload(u) is None and not path.exists()
