"""The one adapter between a queued web job and the application's analysis.

:func:`run_analysis_job` turns a job's clips into analysis folders on a batch
engine (:mod:`kneetrack.batch.engines`: the local process pool, or Ray). It is
the only place that knows how clips become analyses, so that switching to the
multi-clip request (one analysis from a frontal and a side clip, being built
as ``AnalyzeRequest`` on the ``boundary`` branch) changes this module only.

A job of one frontal (front/rear) and one side clip of the same session is
analysed as ONE multi-clip :class:`~kneetrack.app.requests.AnalyzeRequest`
(frontal metrics from the first, sagittal from the second, with the cadence
cross-check; :mod:`kneetrack.app.multiclip`), giving one analysis stored for
both clips. Any other set of clips is analysed clip by clip (the frontal ones
first), one analysis per clip.
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
SIDE = ("side-left", "side-right")


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
    overlay = bool(opts.get("overlay", True))
    groups = clip_groups(job.pending_clips)
    results: dict[int, JobResult] = {}
    tasks: list[tuple[Job, int]] = []
    by_name: dict[str, tuple[int, ...]] = {}
    for group in groups:
        first, rest = group[0], group[1:]
        out = work_dir / f"clip{first.position}"
        batch_job = Job(name=f"job{job.id}-clip{first.position}", input=first.path, out_dir=out,
                        view=first.view, overlay=overlay,
                        more_inputs=tuple((c.path, c.view) for c in rest))
        positions = tuple(c.position for c in group)
        if batch_job.finished:
            results[first.position] = JobResult(positions, out)
        else:
            tasks.append((batch_job, attempt))
            by_name[batch_job.name] = positions
    if tasks:
        for o in engine.run(tasks):
            assert isinstance(o, Outcome)
            positions = by_name[o.name]
            if o.status == "done":
                results[positions[0]] = JobResult(positions, Path(o.out_dir))
            else:
                results[positions[0]] = JobResult(positions, None,
                                                  _reason(job, positions, o.reason))
    return [results[g[0].position] for g in groups]


def clip_groups(clips: Sequence[JobClip]) -> list[tuple[JobClip, ...]]:
    """The analyses to make: one frontal + one side clip together, else one per clip.

    >>> from pathlib import Path
    >>> rear = JobClip(1, 11, "rear", Path("a.mp4"), "a.mp4", None)
    >>> side = JobClip(2, 12, "side-left", Path("b.mp4"), "b.mp4", None)
    >>> [[c.position for c in g] for g in clip_groups([side, rear])]
    [[1, 2]]
    >>> [[c.position for c in g] for g in clip_groups([rear])]
    [[1]]
    """
    ordered = clip_order(clips)
    frontal = [c for c in ordered if c.view in FRONTAL]
    side = [c for c in ordered if c.view in SIDE]
    if len(ordered) == 2 and len(frontal) == 1 and len(side) == 1:
        return [(frontal[0], side[0])]
    return [(c,) for c in ordered]


def _reason(job: JobInfo, positions: Sequence[int], why: str | None) -> str:
    clips = [c for c in job.clips if c.position in positions]
    text = " ".join(str(why or "unknown error").split())
    text = re.sub(r"\s*\(details in [^)]*\)", "", text)  # a server path: the log has it
    # Messages name the stored file; people know their clip by the name they gave it.
    for clip in clips:
        text = text.replace(str(clip.path), repr(clip.client_name))
    if len(job.clips) == 1 or len(clips) == len(job.clips):
        return text
    return f"{', '.join(c.client_name for c in clips)}: {text}"
