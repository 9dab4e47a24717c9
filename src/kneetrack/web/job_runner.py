"""The one adapter between a queued web job and the application's analysis.

:func:`run_analysis_job` turns a job's clips into analysis folders on a batch
engine (:mod:`kneetrack.batch.engines`: the local process pool, or Ray). It is
the only place that knows how clips become analyses, so that switching to the
multi-clip request (one analysis from a frontal and a side clip, being built
as ``AnalyzeRequest`` on the ``boundary`` branch) changes this module only.

Today each clip is analysed on its own (the frontal clip first), giving one
analysis per clip; the job groups them as one assessment.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from kneetrack.batch.jobs import Job, Outcome
from kneetrack.web.jobs import JobClip, JobInfo

FRONTAL = ("front", "rear")


class BatchEngine(Protocol):
    """What the runner needs of a batch engine (see :class:`kneetrack.batch.engines.Engine`)."""

    def run(self, tasks: Sequence[tuple[Job, int]]) -> Any:
        """Yield one outcome per task."""
        ...


@dataclass(frozen=True)
class JobResult:
    """One analysis folder made for some of a job's clips, or why it could not be made."""

    positions: tuple[int, ...]
    out_dir: Path | None
    reason: str | None = None

    @property
    def ok(self) -> bool:
        """Whether ``out_dir`` holds a finished ``analysis.json``."""
        return self.out_dir is not None and self.reason is None


def clip_order(clips: Sequence[JobClip]) -> list[JobClip]:
    """Frontal clips (front/rear) first, then the rest, each group in upload order."""
    return sorted(clips, key=lambda c: (c.view not in FRONTAL, c.position))


def run_analysis_job(job: JobInfo, engine: BatchEngine, *, work_dir: Path, attempt: int = 1,
                     options: Mapping[str, Any] | None = None) -> list[JobResult]:
    """Analyse the clips of ``job`` that have no stored analysis yet.

    Parameters
    ----------
    job : JobInfo
        The claimed job.
    engine : BatchEngine
        Where the analyses run (a :class:`~kneetrack.batch.engines.LocalEngine`
        or :class:`~kneetrack.batch.engines.RayEngine`).
    work_dir : Path
        The job's working folder; each clip's analysis goes to ``clip<position>/``.
        A folder whose ``analysis.json`` exists (an attempt killed after the
        analysis but before it was stored) is used as it is.
    attempt : int
        Attempt number, passed on to the engine.
    options : mapping
        Analysis options; the batch engines take ``overlay`` (write the annotated
        video, default true). The job's own options override them.

    Returns
    -------
    list of JobResult
        One per analysis folder, in the order the clips were analysed.
    """
    opts = {**dict(options or {}), **job.options}
    results: dict[int, JobResult] = {}
    tasks: list[tuple[Job, int]] = []
    for clip in clip_order(job.pending_clips):
        out = work_dir / f"clip{clip.position}"
        batch_job = Job(name=f"job{job.id}-clip{clip.position}", input=clip.path, out_dir=out,
                        view=clip.view, overlay=bool(opts.get("overlay", True)))
        if batch_job.finished:
            results[clip.position] = JobResult((clip.position,), out)
        else:
            tasks.append((batch_job, attempt))
    if tasks:
        by_name = {j.name: int(j.name.rsplit("clip", 1)[1]) for j, _ in tasks}
        for o in engine.run(tasks):
            assert isinstance(o, Outcome)
            pos = by_name[o.name]
            if o.status == "done":
                results[pos] = JobResult((pos,), Path(o.out_dir))
            else:
                results[pos] = JobResult((pos,), None, _reason(job, pos, o.reason))
    return [results[c.position] for c in clip_order(job.pending_clips)]


def _reason(job: JobInfo, position: int, why: str | None) -> str:
    clip = next(c for c in job.clips if c.position == position)
    text = " ".join(str(why or "unknown error").split())
    text = re.sub(r"\s*\(details in [^)]*\)", "", text)  # a server path: the log has it
    # Messages name the stored file; people know their clip by the name they gave it.
    text = text.replace(str(clip.path), repr(clip.client_name))
    return text if len(job.clips) == 1 else f"{clip.client_name}: {text}"
