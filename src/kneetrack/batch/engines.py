"""Where batch jobs run: a local process pool (default) or a Ray cluster.

Both engines keep one loaded pose model per worker (a pool process or a Ray
actor) and run one video at a time on it, so a batch uses every core without
reloading MediaPipe for each clip. A worker that dies (out of memory, a native
crash) fails only the video it was running; the engine replaces it and goes on.
"""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
import multiprocessing as mp
from collections.abc import Iterator, Sequence
from typing import Any, Protocol

from kneetrack.batch.jobs import Job, Outcome
from kneetrack.batch.worker import RunnerFactory
from kneetrack.errors import SettingsError

ENGINES = ("local", "ray")


class Engine(Protocol):
    """Runs ``(job, attempt)`` tasks and yields their outcomes as they finish."""

    name: str
    workers: int

    def run(self, tasks: Sequence[tuple[Job, int]]) -> Iterator[Outcome]:
        """Yield one :class:`Outcome` per task, in completion order."""
        ...

    def close(self) -> None:
        """Stop the workers."""
        ...


def _crashed(job: Job, attempt: int, why: str) -> Outcome:
    return Outcome(name=job.name, input=str(job.input), out_dir=str(job.out_dir),
                   status="failed", reason=why, attempts=attempt)


class LocalEngine:
    """A pool of ``workers`` spawned processes, each holding one pose model.

    At most ``workers`` videos are in flight, so a crashed process fails only
    the video it was running.
    """

    name = "local"

    def __init__(self, *, workers: int, runner: RunnerFactory,
                 backend_spec: str = "mediapipe") -> None:
        if workers < 1:
            raise SettingsError(f"--workers must be at least 1, got {workers}")
        self.workers = workers
        self.runner = runner
        self.backend_spec = backend_spec
        self._pool: cf.ProcessPoolExecutor | None = None

    def _new_pool(self) -> cf.ProcessPoolExecutor:
        from kneetrack.batch.worker import init_pool_worker

        return cf.ProcessPoolExecutor(max_workers=self.workers, mp_context=mp.get_context("spawn"),
                                      initializer=init_pool_worker,
                                      initargs=(self.runner, self.backend_spec))

    def run(self, tasks: Sequence[tuple[Job, int]]) -> Iterator[Outcome]:
        """Yield outcomes as videos finish."""
        from kneetrack.batch.worker import run_in_pool_worker

        if len(tasks) == 1 and self.workers > 1 and self._pool is None:
            # One video left: give it every core (parallel pose) instead of one pool process.
            runner = self.runner(self.backend_spec, pose_workers=self.workers)
            try:
                yield runner.run(tasks[0][0], attempt=tasks[0][1])
            finally:
                runner.close()
            return
        todo = list(tasks)[::-1]
        running: dict[cf.Future[Outcome], tuple[Job, int]] = {}
        while todo or running:
            if self._pool is None:
                self._pool = self._new_pool()
            while todo and len(running) < self.workers:
                job, attempt = todo.pop()
                running[self._pool.submit(run_in_pool_worker, job, attempt)] = (job, attempt)
            done, _ = cf.wait(running, return_when=cf.FIRST_COMPLETED)
            broken = False
            for fut in done:
                job, attempt = running.pop(fut)
                try:
                    yield fut.result()
                except cf.process.BrokenProcessPool:
                    broken = True
                    yield _crashed(job, attempt, "the worker process stopped unexpectedly "
                                                 "(out of memory or a crash) on this video")
            if broken:
                # Every video still in the broken pool failed with it; say so, start a new pool.
                for job, attempt in list(running.values()):
                    yield _crashed(job, attempt, "the worker pool broke while this video ran")
                running.clear()
                self._shutdown(kill=True)

    def _shutdown(self, *, kill: bool) -> None:
        pool, self._pool = self._pool, None
        if pool is None:
            return
        if kill:
            procs = list((getattr(pool, "_processes", None) or {}).values())
            pool.shutdown(wait=False, cancel_futures=True)
            for p in procs:
                if p.is_alive():
                    p.terminate()
            for p in procs:
                p.join(timeout=5)
        else:
            pool.shutdown(wait=True)

    def close(self, *, kill: bool = False) -> None:
        """Stop the pool (``kill``: without waiting for running videos)."""
        self._shutdown(kill=kill)


class RayEngine:
    """Ray actors, each holding one pose model; local Ray or an existing cluster.

    Parameters
    ----------
    workers
        Number of actors (``None``: one per CPU in the cluster).
    address
        Ray cluster address (``ray://host:10001`` or ``host:6379``, or ``auto``);
        ``None`` joins a Ray already initialised in this process or starts a
        local one with ``workers`` CPUs. On a cluster, input and output paths
        must be on storage that every node sees at the same path.
    """

    name = "ray"

    def __init__(self, *, runner: RunnerFactory, workers: int | None = None,
                 address: str | None = None, backend_spec: str = "mediapipe") -> None:
        try:
            import ray
        except ImportError:
            raise SettingsError("the Ray engine needs Ray: pip install 'kneetrack[ray]'") from None
        self._ray = ray
        self._started = False
        if not ray.is_initialized():
            kw: dict[str, Any] = {"include_dashboard": False, "logging_level": "WARNING",
                                  "log_to_driver": False}
            if address:
                kw["address"] = address
            elif workers:
                kw["num_cpus"] = workers
            try:
                ray.init(**kw)
            except (ConnectionError, ValueError, RuntimeError) as err:
                raise SettingsError(f"cannot connect to Ray at {address or 'a local cluster'}: "
                                    f"{str(err).splitlines()[0] if str(err) else err}") from None
            self._started = True
        cpus = max(1, int(ray.cluster_resources().get("CPU", 1)))
        # Each actor holds one CPU for its lifetime: more actors than CPUs would never start.
        self.workers = min(int(workers), cpus) if workers else cpus
        self.backend_spec = backend_spec
        self.runner = runner
        self._actor_cls = _actor_class(ray)
        self._actors: list[Any] = []

    def _actor(self) -> Any:
        return self._actor_cls.remote(self.runner, self.backend_spec)

    def run(self, tasks: Sequence[tuple[Job, int]]) -> Iterator[Outcome]:
        """Yield outcomes as videos finish."""
        ray = self._ray
        todo = list(tasks)[::-1]
        want = min(self.workers, len(todo))
        while len(self._actors) < want:
            self._actors.append(self._actor())
        idle = list(self._actors)
        running: dict[Any, tuple[Any, Job, int]] = {}
        while todo or running:
            while todo and idle:
                actor = idle.pop()
                job, attempt = todo.pop()
                running[actor.run.remote(job, attempt)] = (actor, job, attempt)
            ready, _ = ray.wait(list(running), num_returns=1)
            for ref in ready:
                actor, job, attempt = running.pop(ref)
                try:
                    yield ray.get(ref)
                    idle.append(actor)
                except ray.exceptions.RayActorError as err:
                    yield _crashed(job, attempt, "the Ray worker stopped unexpectedly "
                                                 f"({type(err).__name__}) on this video")
                    self._actors.remove(actor)
                    fresh = self._actor()
                    self._actors.append(fresh)
                    idle.append(fresh)
                except ray.exceptions.RayError as err:
                    yield _crashed(job, attempt, f"Ray error: {str(err).splitlines()[0]}")
                    idle.append(actor)

    def close(self, *, kill: bool = False) -> None:
        """Stop the actors (and the local Ray this engine started)."""
        for a in self._actors:
            with contextlib.suppress(Exception):  # already gone
                self._ray.kill(a)
        self._actors = []
        if self._started:
            self._ray.shutdown()


def _actor_class(ray: Any) -> Any:
    """The actor class, defined only once Ray is imported (Ray stays an optional import)."""

    @ray.remote(num_cpus=1, max_restarts=0)
    class PoseActor:
        """Holds one runner (one loaded pose model), made by the engine's runner factory."""

        def __init__(self, make_runner: RunnerFactory, backend_spec: str) -> None:
            self.runner = make_runner(backend_spec)

        def run(self, job: Job, attempt: int) -> Outcome:
            return self.runner.run(job, attempt=attempt)

    return PoseActor


def make_engine(engine: str, *, workers: int | None, runner: RunnerFactory,
                address: str | None = None,
                backend_spec: str = "mediapipe") -> LocalEngine | RayEngine:
    """Create the named engine (``local`` or ``ray``) running jobs with ``runner``'s runners."""
    if engine == "local":
        if address:
            raise SettingsError("--ray-address needs --engine ray")
        from kneetrack.core.cores import available_cores

        return LocalEngine(workers=workers or available_cores(), runner=runner,
                           backend_spec=backend_spec)
    if engine == "ray":
        return RayEngine(workers=workers, address=address, runner=runner,
                         backend_spec=backend_spec)
    raise SettingsError(f"unknown engine {engine!r}; choose one of {', '.join(ENGINES)}")
