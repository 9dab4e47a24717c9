"""The ``batch`` use case: a folder (or glob) of videos in, one analysis folder each plus a summary.

Resumable: a video whose ``analysis.json`` exists is finished and skipped; a
video that fails is tried once more at the end of the run; failures are recorded
with their reason in ``batch_status.json`` and the summary, and never stop the
batch. Killing a batch (Ctrl-C, SIGKILL, a power cut) loses at most the videos
that were running; run the same command again to finish.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kneetrack.batch.jobs import BatchStatus, Job, Outcome, plan_jobs
from kneetrack.batch.summary import summary_row, write_csv, write_html

__all__ = ["MAX_ATTEMPTS", "BatchProgress", "BatchResult", "Outcome", "run_batch"]

#: Attempts per video and run: the first, and one retry.
MAX_ATTEMPTS = 2

#: ``progress(outcome, finished, total)``: called once per video as it finishes or is skipped
#: (``finished`` counts done + skipped + given-up videos).
BatchProgress = Callable[[Outcome, int, int], None]


@dataclass
class BatchResult:
    """What one ``batch`` run did."""

    out_dir: Path
    jobs: list[Job]
    outcomes: dict[str, Outcome] = field(default_factory=dict)
    rows: list[dict[str, Any]] = field(default_factory=list)
    artefacts: dict[str, Path] = field(default_factory=dict)
    engine: str = "local"
    workers: int = 0

    def names(self, status: str) -> list[str]:
        """Names of the jobs whose final outcome in this run has ``status``."""
        return sorted(n for n, o in self.outcomes.items() if o.status == status)


def run_batch(
    source: str | Path,
    out: str | Path,
    *,
    workers: int | None = None,
    engine: str = "local",
    ray_address: str | None = None,
    view: str | None = None,
    progress: BatchProgress | None = None,
    backend_spec: str = "mediapipe",
    overlay: bool = True,
) -> BatchResult:
    """Analyse every video in ``source`` into ``out/<name>/`` and write the summary.

    Parameters
    ----------
    source
        A folder (searched recursively for videos) or a glob pattern (videos or
        keypoint files).
    out
        Output folder: one sub-folder per video, ``summary.csv``, ``summary.html``
        and ``batch_status.json``.
    workers
        Videos analysed at once (default: one per core, or per CPU of the Ray cluster).
    engine
        ``local`` (a process pool) or ``ray``.
    ray_address
        Address of an existing Ray cluster (``--engine ray`` only).
    view
        Camera view for every video; detected per video when ``None``.
    progress
        Called once per video (see :data:`BatchProgress`).
    backend_spec
        Pose backend each worker loads (``"mediapipe"``, or ``"module:factory"`` in tests).
    overlay
        Write each video's annotated video (``False`` saves most of the time after pose).
    """
    from kneetrack.app.requests import check_view

    view = check_view(view)
    out_p = Path(out).expanduser()
    jobs = plan_jobs(source, out_p, view=view, overlay=overlay)
    out_p.mkdir(parents=True, exist_ok=True)
    status = BatchStatus(out_p)
    result = BatchResult(out_dir=out_p, jobs=jobs, engine=engine)
    total = len(jobs)
    finished = 0

    def report(o: Outcome) -> None:
        nonlocal finished
        finished += 1
        if progress is not None:
            progress(o, finished, total)

    pending: list[tuple[Job, int]] = []
    for job in jobs:
        if job.finished:
            o = Outcome(name=job.name, input=str(job.input), out_dir=str(job.out_dir),
                        status="skipped", attempts=status.previous_attempts(job.name))
            status.record(o, engine=engine)
            result.outcomes[job.name] = o
            report(o)
        else:
            pending.append((job, 1))
    status.save()

    if pending:
        from kneetrack.app.batch_runner import JobRunner
        from kneetrack.batch.engines import make_engine

        eng = make_engine(engine, workers=workers, address=ray_address, runner=JobRunner,
                          backend_spec=backend_spec)
        result.workers = eng.workers
        by_name = {j.name: j for j in jobs}
        clean = False
        try:
            attempt = 1
            while pending and attempt <= MAX_ATTEMPTS:
                retry: list[tuple[Job, int]] = []
                for o in eng.run(pending):
                    status.record(o, engine=engine)
                    result.outcomes[o.name] = o
                    if o.status == "failed" and attempt < MAX_ATTEMPTS:
                        retry.append((by_name[o.name], attempt + 1))
                    else:
                        report(o)
                pending = retry
                attempt += 1
            clean = True
        finally:
            eng.close(kill=not clean)
            _write_summary(result, status)
    else:
        _write_summary(result, status)
    return result


def _write_summary(result: BatchResult, status: BatchStatus) -> None:
    result.rows = [summary_row(j, status.records.get(j.name)) for j in result.jobs]
    out = result.out_dir
    result.artefacts["status"] = status.path
    result.artefacts["csv"] = write_csv(result.rows, out / "summary.csv")
    result.artefacts["html"] = write_html(result.rows, out / "summary.html",
                                          title=f"kneetrack batch: {out.name}")
