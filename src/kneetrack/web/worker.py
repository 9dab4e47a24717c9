"""The job worker: claims queued web jobs, runs them on a batch engine, records the results.

Run as its own process (``python -m kneetrack.web.worker --db URL``); the web
server starts one or more of them on startup and stops them on shutdown
(:class:`WorkerProcesses`). A worker renews its lease from a heartbeat thread
while a job runs. Killed (SIGKILL, a power cut), it leaves a lease that runs
out, and the job is queued again (:meth:`JobQueue.requeue_stale`); stopped
(SIGTERM, Ctrl-C), it hands its job back at once without counting the attempt.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from kneetrack.store.config import StoreLocation
from kneetrack.web.job_runner import BatchEngine, run_analysis_job
from kneetrack.web.jobs import JobInfo, JobQueue, LeaseLostError, worker_id
from kneetrack.web.jobs_settings import WorkerSettings

log = logging.getLogger("kneetrack.web.worker")
#: A worker that ends within this many seconds of its start is restarted at most this often
#: (a worker that cannot start, e.g. a database it cannot open, does not spin).
CRASH_LOOP_S = 30.0


class StopWorkerError(BaseException):
    """Raised in the worker's main thread by SIGTERM: hand the job back and stop."""


class _Heartbeat(threading.Thread):
    def __init__(self, queue: JobQueue, job_id: int, owner: str, every_s: float) -> None:
        super().__init__(name=f"heartbeat-{job_id}", daemon=True)
        self.queue, self.job_id, self.owner, self.every_s = queue, job_id, owner, every_s
        self.stopped = threading.Event()
        self.lost = False

    def run(self) -> None:
        while not self.stopped.wait(self.every_s):
            try:
                if not self.queue.heartbeat(self.job_id, self.owner):
                    self.lost = True
                    log.warning("job %s: lease lost; its result will be discarded", self.job_id)
                    return
            except Exception:  # noqa: BLE001 - a database hiccup: try again next beat
                log.exception("job %s: heartbeat failed", self.job_id)

    def stop(self) -> None:
        self.stopped.set()
        self.join(timeout=5)


def _as_uploaded(path: Path, job: JobInfo, positions: Sequence[int]) -> dict[str, Any]:
    """``analysis.json`` with each ``input.path`` set to the name its clip was uploaded with.

    The analysis ran on the stored files (generated names under the server's
    data folder); the stored document, which its owner can download, names the
    clips as they know them and says nothing about the server's folders. A
    multi-clip analysis names its clips in ``positions`` order (frontal first),
    both in ``input`` (the frontal clip's) and in each ``clips`` entry.
    """
    from kneetrack.io.files import write_json_atomic

    doc = json.loads(path.read_text(encoding="utf-8"))
    by_pos = {c.position: c for c in job.clips}
    names = [by_pos[p].client_name for p in positions]
    targets = [doc.get("input")]
    targets += [e.get("input") if isinstance(e, dict) else None for e in doc.get("clips") or []]
    wanted = [names[0], *names[:len(targets) - 1]]
    renamed: dict[str, str] = {}
    for inp, name in zip(targets, wanted, strict=False):
        if isinstance(inp, dict) and inp.get("path") != name:
            old = str(inp.get("path") or "").replace("\\", "/").rsplit("/", 1)[-1]
            if old:
                renamed[old] = name
            inp["path"] = name
    if renamed:
        write_json_atomic(path, doc)
        _rename_in_report(path.parent / "report.html", renamed)
    return dict(doc)


def _rename_in_report(report: Path, renamed: Mapping[str, str]) -> None:
    """Show the uploaded names in ``report.html`` (title, heading) instead of the stored ones.

    The report was rendered by the analysis, before the document was renamed;
    the stored names are generated (random), so replacing them is unambiguous.
    """
    import html

    from kneetrack.core.atomic import write_text_atomic

    if not report.is_file():
        return
    text = report.read_text(encoding="utf-8")
    new = text
    for old, name in renamed.items():
        new = new.replace(html.escape(old), html.escape(name))
    if new != text:
        write_text_atomic(report, new)


class JobWorker:
    """Claims jobs one at a time and runs them.

    Parameters
    ----------
    queue : JobQueue
        The queue (its store receives the analyses).
    engine : BatchEngine
        Where analyses run.
    heartbeat_s, poll_s : float
        See :class:`WorkerSettings`.
    options : mapping
        Analysis options for every job.
    owner : str or None
        This worker's id (default: :func:`~kneetrack.web.jobs.worker_id`).
    """

    def __init__(self, queue: JobQueue, engine: BatchEngine, *, heartbeat_s: float = 10.0,
                 poll_s: float = 1.0, options: Mapping[str, Any] | None = None,
                 owner: str | None = None) -> None:
        self.queue = queue
        self.engine = engine
        self.heartbeat_s = heartbeat_s
        self.poll_s = poll_s
        self.options = dict(options or {})
        self.owner = owner or worker_id()

    def work_dir(self, job: JobInfo) -> Path:
        """The job's working folder (inside the athlete's folder: deleted with them)."""
        return self.queue.upload_root(job.athlete_id).parent / "jobs" / str(job.id)

    def run_one(self) -> JobInfo | None:
        """Claim and run one job; ``None`` when the queue was empty."""
        job = self.queue.claim(self.owner)
        if job is None:
            return None
        log.info("job %s: attempt %s of %s by %s", job.id, job.attempts, job.max_attempts,
                 self.owner)
        beat = _Heartbeat(self.queue, job.id, self.owner, self.heartbeat_s)
        beat.start()
        work = self.work_dir(job)
        try:
            failures = []
            for res in run_analysis_job(job, self.engine, work_dir=work, attempt=job.attempts,
                                        options=self.options):
                if not res.ok:
                    failures.append(res.reason or "unknown error")
                    continue
                assert res.out_dir is not None
                doc = _as_uploaded(res.out_dir / "analysis.json", job, res.positions)
                self.queue.record_result(job.id, self.owner, res.positions, doc,
                                         artefact_src=res.out_dir)
            if failures:
                after = self.queue.fail(job.id, self.owner, "; ".join(failures))
                log.info("job %s: failed (%s)%s", job.id, "; ".join(failures),
                         "" if after is None else f", now {after.status}")
        except LeaseLostError as err:
            log.warning("job %s: %s", job.id, err)
        except StopWorkerError:
            self.queue.release(job.id, self.owner)
            log.info("job %s: handed back (worker stopping)", job.id)
            raise
        except Exception as err:  # noqa: BLE001 - one job must not stop the worker
            log.exception("job %s: internal error", job.id)
            self.queue.fail(job.id, self.owner, f"internal error: {type(err).__name__}: {err}")
        finally:
            beat.stop()
        after_job = self.queue.get(job.id)
        if after_job is not None and after_job.status == "done":
            shutil.rmtree(work, ignore_errors=True)  # the store has its own copy
        return after_job

    def run(self, stop: threading.Event | None = None) -> None:
        """Run jobs until ``stop`` is set (or forever)."""
        stop = stop or threading.Event()
        while not stop.is_set():
            try:
                busy = self.run_one() is not None
            except StopWorkerError:
                raise
            except Exception:  # noqa: BLE001 - the database is away: wait and try again
                log.exception("worker: cannot reach the queue")
                busy = False
            if not busy:
                stop.wait(self.poll_s)


# ---------------------------------------------------------------- process entry point


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m kneetrack.web.worker",
                                description="Run queued kneetrack web analyses.")
    p.add_argument("--db", help="database URL or SQLite file (default: KNEETRACK_DB or the "
                                "user's data folder)")
    p.add_argument("--artefacts", help="artefact folder (default: beside the database)")
    p.add_argument("--engine", default="local", choices=("local", "ray"))
    p.add_argument("--workers", type=int, default=None)
    p.add_argument("--ray-address", default=None)
    p.add_argument("--backend", default="mediapipe", help=argparse.SUPPRESS)
    p.add_argument("--lease-s", type=float, default=60.0)
    p.add_argument("--heartbeat-s", type=float, default=10.0)
    p.add_argument("--poll-s", type=float, default=1.0)
    p.add_argument("--options", default="{}", help="analysis options as JSON")
    p.add_argument("--once", action="store_true", help="run the queued jobs, then stop")
    p.add_argument("--parent-pid", type=int, default=None,
                   help="stop (handing the job back) when this process ends")
    return p


def _exit_with_parent(parent_pid: int, every_s: float = 0.5) -> None:
    """SIGTERM this worker when its server is gone (killed without stopping its workers).

    Workers run in their own process group, so a server killed with SIGKILL
    does not take them along; this hands their job back instead of leaving
    orphans beside the restarted server's workers.
    """

    def watch() -> None:
        while os.getppid() == parent_pid:
            time.sleep(every_s)
        log.warning("the server (pid %s) is gone; stopping", parent_pid)
        os.kill(os.getpid(), signal.SIGTERM)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


def main(argv: Sequence[str] | None = None) -> int:
    """Run a worker until SIGTERM/SIGINT (or, with ``--once``, until the queue is empty)."""
    from kneetrack.app.batch_runner import JobRunner
    from kneetrack.batch.engines import make_engine
    from kneetrack.errors import KneetrackError
    from kneetrack.store import open_store

    args = _parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s worker %(message)s")

    def _stop(_sig: int, _frame: Any) -> None:
        raise StopWorkerError

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    if args.parent_pid:
        _exit_with_parent(args.parent_pid)
    try:
        options = json.loads(args.options)
        store = open_store(args.db, artefacts=args.artefacts, create=False)
        engine = make_engine(args.engine, workers=args.workers, address=args.ray_address,
                             runner=JobRunner, backend_spec=args.backend)
    except (KneetrackError, ValueError) as err:
        print(f"kneetrack worker: {err}", file=sys.stderr)
        return 2
    queue = JobQueue(store, lease_s=args.lease_s)
    worker = JobWorker(queue, engine, heartbeat_s=args.heartbeat_s, poll_s=args.poll_s,
                       options=options)
    print(f"worker {worker.owner} ready", flush=True)
    clean = False
    try:
        if args.once:
            while worker.run_one() is not None:
                pass
        else:
            worker.run()
        clean = True
    except StopWorkerError:
        clean = False
    finally:
        engine.close(kill=not clean)
        store.close()
    return 0


class WorkerProcesses:
    """Worker processes started and stopped by the web server.

    The database URL travels in the workers' environment (``KNEETRACK_DB``),
    not on their command line, so that a password in it stays out of ``ps``.

    Parameters
    ----------
    location : StoreLocation
        The server's database and artefact folder.
    settings : WorkerSettings
        How the workers run jobs.
    count : int
        How many workers (jobs analysed at once).
    """

    def __init__(self, location: StoreLocation, *, settings: WorkerSettings | None = None,
                 count: int = 1) -> None:
        self.location = location
        self.settings = settings or WorkerSettings()
        self.count = count
        self.procs: list[subprocess.Popen[bytes]] = []
        self.restarts = 0
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._watcher: threading.Thread | None = None
        self._born: dict[int, float] = {}
        self._next_try: dict[int, float] = {}

    def command(self) -> list[str]:
        """The command line of one worker."""
        return [sys.executable, "-m", "kneetrack.web.worker", "--parent-pid", str(os.getpid()),
                *self.settings.argv()]

    def environment(self) -> dict[str, str]:
        """The workers' environment: the server's, with its database and artefact folder."""
        from kneetrack.store.config import ENV_ARTEFACTS, ENV_DB

        return {**os.environ,
                ENV_DB: self.location.url.render_as_string(hide_password=False),
                ENV_ARTEFACTS: str(self.location.artefact_root)}

    def _spawn(self) -> subprocess.Popen[bytes]:
        p = subprocess.Popen(self.command(), env=self.environment(), start_new_session=True,
                             stdout=subprocess.DEVNULL)
        self._born[p.pid] = time.monotonic()
        return p

    def start(self, *, watch_s: float | None = 2.0) -> None:
        """Start the workers (each in its own process group, so its pool goes with it).

        With ``watch_s``, a thread looks every ``watch_s`` seconds for workers
        that ended (a crash, the out-of-memory killer) and starts new ones; the
        job a dead worker held is queued again by the next claim.
        """
        self._stopping.clear()
        with self._lock:
            for _ in range(self.count - len(self.procs)):
                self.procs.append(self._spawn())
        if watch_s is not None and self._watcher is None:
            self._watcher = threading.Thread(target=self._watch, args=(watch_s,),
                                             name="job-worker-watch", daemon=True)
            self._watcher.start()

    def _watch(self, every_s: float) -> None:
        while not self._stopping.wait(every_s):
            with self._lock:
                if self._stopping.is_set():
                    return
                now = time.monotonic()
                for i, p in enumerate(self.procs):
                    if p.poll() is None:
                        continue
                    born = self._born.get(p.pid, 0.0)
                    if now - born < CRASH_LOOP_S and now < self._next_try.get(i, 0.0):
                        continue  # it died young: wait before the next try
                    if now - born < CRASH_LOOP_S:
                        self._next_try[i] = now + CRASH_LOOP_S
                    log.warning("job worker %s ended with %s; starting another",
                                p.pid, p.returncode)
                    self.procs[i] = self._spawn()
                    self.restarts += 1

    def stop(self, timeout_s: float = 10.0) -> None:
        """Ask the workers to hand their jobs back and stop; kill those that do not."""
        self._stopping.set()
        if self._watcher is not None:
            self._watcher.join(timeout=5)
            self._watcher = None
        for p in self.procs:
            if p.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    p.send_signal(signal.SIGTERM)
        for p in self.procs:
            try:
                p.wait(timeout=timeout_s)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(p.pid, signal.SIGKILL)
                p.wait(timeout=5)
        self.procs = []

    def alive(self) -> int:
        """How many workers are running."""
        return sum(p.poll() is None for p in self.procs)


if __name__ == "__main__":
    raise SystemExit(main())
