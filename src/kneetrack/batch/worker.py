"""What a batch worker (a pool process or a Ray actor) does: hold one runner, run jobs.

The runner itself — what one job is (the ``analyze`` use case) — is handed in
by the application layer as a factory (:data:`RunnerFactory`, e.g.
:class:`kneetrack.app.batch_runner.JobRunner`), so that this package schedules
work without importing the use case it schedules.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from kneetrack.batch.jobs import Job, Outcome


class Runner(Protocol):
    """Analyses one job at a time with what it holds (a loaded pose model)."""

    def run(self, job: Job, *, attempt: int = 1) -> Outcome:
        """Run one job; a failed video is an outcome, never an exception."""
        ...

    def close(self) -> None:
        """Release what the runner holds."""
        ...


#: ``factory(backend_spec, pose_workers=n)`` -> a :class:`Runner`; picklable (a top-level
#: class or function), since worker processes and Ray actors build their own runner.
RunnerFactory = Callable[..., Runner]

# A pool process keeps one runner (one loaded model) for all the jobs it is given.
_RUNNER: Runner | None = None


def init_pool_worker(make_runner: RunnerFactory, backend_spec: str) -> None:
    """Process-pool initializer: ignore Ctrl-C (the parent stops the pool), make the runner."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    global _RUNNER
    _RUNNER = make_runner(backend_spec)


def run_in_pool_worker(job: Job, attempt: int) -> Outcome:
    """Process-pool task: run one job with this process's runner."""
    assert _RUNNER is not None, "init_pool_worker was not called"
    return _RUNNER.run(job, attempt=attempt)
