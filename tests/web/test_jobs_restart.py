"""A worker process killed (SIGKILL) mid-job and started again: the job ends exactly once.

Real worker processes (``python -m kneetrack.web.worker``) on the local process-pool
engine, with a fake pose backend that replays the packaged runner and can be held
mid-video; on SQLite and PostgreSQL.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import func, select

from kneetrack.store import Athlete, open_store
from kneetrack.store.orm import AnalysisRow
from kneetrack.web.jobs import DONE, RUNNING, JobQueue
from kneetrack.web.uploads import save_upload
from kneetrack.web.worker import WorkerSettings
from process_group import group_members
from video_factory import write_video

from .jobs_support import db_url  # noqa: F401 - a fixture

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
SETTINGS = WorkerSettings(workers=1, backend_spec="jobs_support:hold_replay", lease_s=30,
                          heartbeat_s=0.5, poll_s=0.2, options={"overlay": False})


def wait_for(what: Callable[[], bool], timeout_s: float, procs: list[subprocess.Popen],
             why: str) -> None:
    end = time.monotonic() + timeout_s
    while time.monotonic() < end:
        if what():
            return
        for p in procs:
            if p.poll() is not None:
                out = p.stdout.read() if p.stdout else ""
                pytest.fail(f"worker exited with {p.returncode} while waiting for {why}:\n{out}")
        time.sleep(0.1)
    pytest.fail(f"timed out waiting for {why}")


def start_worker(db: str, art: Path, env: dict[str, str]) -> subprocess.Popen[str]:
    cmd = [sys.executable, "-m", "kneetrack.web.worker", "--db", db, "--artefacts", str(art),
           *SETTINGS.argv()]
    return subprocess.Popen(cmd, env=env, start_new_session=True, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)


def test_killed_worker_restarted_ends_the_job_exactly_once(db_url: str,  # noqa: F811
                                                           tmp_path: Path) -> None:
    art = tmp_path / "art"
    store = open_store(db_url, artefacts=art)
    procs: list[subprocess.Popen[str]] = []
    try:
        queue = JobQueue(store)
        ann = store.add_athlete(Athlete(name="Ann")).id
        assert ann is not None
        video = write_video(tmp_path / "run.mp4", frames=240, fps=60)
        up = queue.add_upload(ann, save_upload([video.read_bytes()], queue.upload_root(ann),
                                               client_name="run.mp4"))
        job = queue.enqueue(ann, [up.id])

        hold, held, finished = tmp_path / "hold", tmp_path / "held", tmp_path / "finished.log"
        hold.touch()
        env = {**os.environ, "KT_WEB_HOLD": str(hold), "KT_WEB_HELD": str(held),
               "KT_WEB_LOG": str(finished),
               "PYTHONPATH": os.pathsep.join([str(REPO / "src"), str(HERE), str(REPO / "tests")])}
        first = start_worker(db_url, art, env)
        procs.append(first)
        wait_for(held.exists, 180, procs, "the first worker to be mid-job")
        mid = queue.get(job.id)
        assert mid is not None and mid.status == RUNNING and mid.attempts == 1
        os.killpg(first.pid, signal.SIGKILL)  # the worker and its pool process, mid-video
        first.wait(timeout=10)
        procs.remove(first)
        assert not finished.exists()  # nothing finished before the kill
        assert queue.get(job.id).status == RUNNING  # type: ignore[union-attr] - as it was left

        hold.unlink()
        second = start_worker(db_url, art, env)
        procs.append(second)
        wait_for(lambda: queue.get(job.id).status == DONE,  # type: ignore[union-attr]
                 180, procs, "the job to finish after the restart")
        time.sleep(1.0)  # any duplicate work would show now
        second.send_signal(signal.SIGTERM)
        assert second.wait(timeout=30) == 0
        procs.remove(second)

        done = queue.get(job.id)
        assert done is not None and done.status == DONE and done.attempts == 2
        with store.engine.connect() as c:
            ids = list(c.scalars(select(AnalysisRow.id)))
            assert c.scalar(select(func.count()).select_from(AnalysisRow)) == 1
        assert done.analysis_id == ids[0] and done.clips[0].analysis_id == ids[0]
        assert finished.read_text().count("\n") == 1  # one finished pose run in all
        stored = store.list_analyses(ann)[0]
        assert stored.artefact_dir is not None
        assert (stored.artefact_dir / "analysis.json").is_file()
        assert stored.metric("cadence_spm", None).mean is not None
    finally:
        for p in procs:
            if p.poll() is None:
                os.killpg(p.pid, signal.SIGKILL)
                p.wait(timeout=10)
        store.close()


def test_sigterm_mid_job_hands_the_job_back(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'k.db'}"
    art = tmp_path / "art"
    store = open_store(db, artefacts=art)
    procs: list[subprocess.Popen[str]] = []
    try:
        queue = JobQueue(store)
        ann = store.add_athlete(Athlete(name="Ann")).id
        assert ann is not None
        video = write_video(tmp_path / "run.mp4", frames=240, fps=60)
        up = queue.add_upload(ann, save_upload([video.read_bytes()], queue.upload_root(ann),
                                               client_name="run.mp4"))
        job = queue.enqueue(ann, [up.id])
        hold, held = tmp_path / "hold", tmp_path / "held"
        hold.touch()
        env = {**os.environ, "KT_WEB_HOLD": str(hold), "KT_WEB_HELD": str(held),
               "PYTHONPATH": os.pathsep.join([str(REPO / "src"), str(HERE), str(REPO / "tests")])}
        worker = start_worker(db, art, env)
        procs.append(worker)
        wait_for(held.exists, 180, procs, "the worker to be mid-job")
        assert len(group_members(worker.pid)) >= 2  # the worker and its pool process
        worker.send_signal(signal.SIGTERM)
        assert worker.wait(timeout=30) == 0
        procs.remove(worker)
        end = time.monotonic() + 10
        while group_members(worker.pid) and time.monotonic() < end:
            time.sleep(0.1)
        assert group_members(worker.pid) == []  # its pool process went with it
        back = queue.get(job.id)
        assert back is not None and back.status == "queued" and back.attempts == 0
        assert back.lease_owner is None and store.list_analyses(ann) == []
    finally:
        for p in procs:
            if p.poll() is None:
                os.killpg(p.pid, signal.SIGKILL)
                p.wait(timeout=10)
        store.close()


SERVER = """
import sys, uvicorn
from kneetrack.web.app import create_app
from kneetrack.web.jobs_settings import JobSettings, WorkerSettings
from kneetrack.web.settings import WebSettings
jobs = JobSettings(processes=1, worker=WorkerSettings(
    backend_spec="jobs_support:hold_replay", lease_s=30, heartbeat_s=0.5, poll_s=0.2,
    options={"overlay": False}))
app = create_app(WebSettings(db=sys.argv[1], artefacts=sys.argv[2], secret_key="k" * 40,
                             jobs=jobs))
uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[3]), log_level="warning")
"""


def test_server_killed_mid_job_and_restarted_ends_the_job_once(tmp_path: Path) -> None:
    """SIGKILL of the server itself: its worker hands the job back, the next server ends it."""
    import socket
    import urllib.request

    db = f"sqlite:///{tmp_path / 'k.db'}"
    art = tmp_path / "art"
    store = open_store(db, artefacts=art)
    procs: list[subprocess.Popen[str]] = []
    workers: list[int] = []
    try:
        queue = JobQueue(store)
        ann = store.add_athlete(Athlete(name="Ann")).id
        assert ann is not None
        video = write_video(tmp_path / "run.mp4", frames=240, fps=60)
        up = queue.add_upload(ann, save_upload([video.read_bytes()], queue.upload_root(ann),
                                               client_name="run.mp4"))
        job = queue.enqueue(ann, [up.id])
        hold, held = tmp_path / "hold", tmp_path / "held"
        hold.touch()
        env = {**os.environ, "KT_WEB_HOLD": str(hold), "KT_WEB_HELD": str(held),
               "PYTHONPATH": os.pathsep.join([str(REPO / "src"), str(HERE), str(REPO / "tests")])}

        def start_server() -> tuple[subprocess.Popen[str], str]:
            with socket.socket() as s:
                s.bind(("127.0.0.1", 0))
                port = s.getsockname()[1]
            p = subprocess.Popen([sys.executable, "-c", SERVER, db, str(art), str(port)],
                                 env=env, text=True, stdout=subprocess.PIPE,
                                 stderr=subprocess.STDOUT, start_new_session=True)
            procs.append(p)
            base = f"http://127.0.0.1:{port}"

            def up_() -> bool:
                try:
                    with urllib.request.urlopen(base + "/login", timeout=2):
                        return True
                except OSError:
                    return False

            wait_for(up_, 90, [p], "the server to answer")
            return p, base

        first, _ = start_server()
        wait_for(held.exists, 180, procs, "the server's worker to be mid-job")
        workers.append(os.getpgid(int(held.read_text())))  # the pool process's group: its worker
        os.kill(first.pid, signal.SIGKILL)  # the server alone: its worker is another group
        first.wait(timeout=10)
        procs.remove(first)
        wait_for(lambda: queue.get(job.id).status == "queued",  # type: ignore[union-attr]
                 30, [], "the orphaned worker to hand the job back")
        end = time.monotonic() + 15
        while any(group_members(pid) for pid in workers) and time.monotonic() < end:
            time.sleep(0.2)
        assert not any(group_members(pid) for pid in workers)  # no orphan left running

        hold.unlink()
        second, base = start_server()
        wait_for(lambda: queue.get(job.id).status == DONE,  # type: ignore[union-attr]
                 180, [second], "the restarted server to finish the job")
        import psutil

        later = [c.pid for c in psutil.Process(second.pid).children()]
        assert later, "the restarted server runs no worker"
        workers.extend(later)
        second.send_signal(signal.SIGTERM)
        assert second.wait(timeout=30) in (0, -signal.SIGTERM)  # uvicorn re-raises the signal
        procs.remove(second)
        assert not any(group_members(pid) for pid in later)  # its shutdown stopped its workers
        done = queue.get(job.id)
        assert done is not None and done.attempts == 1  # the handed-back attempt did not count
        assert len(store.list_analyses(ann)) == 1
    finally:
        for p in procs:
            if p.poll() is None:
                os.killpg(p.pid, signal.SIGKILL)
                p.wait(timeout=10)
        for pid in workers:
            for member in group_members(pid):
                with contextlib.suppress(ProcessLookupError):
                    os.kill(member, signal.SIGKILL)
        store.close()
