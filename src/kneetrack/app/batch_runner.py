"""The batch job runner: one loaded pose model, the ``analyze`` use case per job.

:func:`kneetrack.app.batch.run_batch` hands :class:`JobRunner` to the engines of
:mod:`kneetrack.batch` as their runner factory; each pool process or Ray actor
builds one and runs its jobs with it.
"""

from __future__ import annotations

import os
import socket
import time
import traceback
from typing import Any

from kneetrack.batch.jobs import Job, Outcome
from kneetrack.errors import KneetrackError

#: Written into a video's output folder when analysing it failed unexpectedly.
ERROR_FILE = "batch_error.txt"


class JobRunner:
    """Holds one loaded pose model and analyses jobs with it, one at a time.

    Parameters
    ----------
    backend_spec : str
        ``"mediapipe"`` or ``"module:factory"``
        (see :func:`kneetrack.pose.sequential.make_backend`).
    pose_workers : int
        With more than 1 (and MediaPipe), each video's pose runs in this many
        processes instead of on the held model: for a batch with fewer videos
        left than cores, run in the main process.
    """

    def __init__(self, backend_spec: str = "mediapipe", *, pose_workers: int = 1) -> None:
        self.backend_spec = backend_spec
        self.pose_workers = pose_workers
        self._backend: Any = None

    @property
    def backend(self) -> Any:
        """The pose backend, created on first use."""
        if self._backend is None:
            from kneetrack.pose.sequential import make_backend

            self._backend = make_backend(self.backend_spec)
        return self._backend

    def run(self, job: Job, *, attempt: int = 1) -> Outcome:
        """Analyse one job; never raises for a failed video (the reason goes in the outcome)."""
        from kneetrack.app.analyze import analyze
        from kneetrack.app.requests import AnalyzeRequest, ClipInput, ReportOptions
        from kneetrack.io.load import is_video_path
        from kneetrack.pose.sequential import reset_tracking

        worker = f"{socket.gethostname()}:{os.getpid()}"
        t0 = time.perf_counter()
        base: dict[str, Any] = {"name": job.name, "input": str(job.input),
                                "out_dir": str(job.out_dir), "attempts": attempt,
                                "worker": worker}
        try:
            backend = None
            parallel = self.pose_workers > 1 and self.backend_spec == "mediapipe"
            if is_video_path(job.input) and not parallel:
                backend = self.backend
                reset_tracking(backend)  # a new video: forget the last one's person
            workers = self.pose_workers if parallel else 1
            clips = (ClipInput(job.input, view=job.view),
                     *(ClipInput(p, view=v) for p, v in job.more_inputs))
            analyze(AnalyzeRequest(clips=clips,
                                   out_dir=job.out_dir, workers=workers,
                                   report=ReportOptions(overlay=job.overlay, workers=workers)),
                    backend=backend)
        except KneetrackError as err:
            return Outcome(status="failed", reason=str(err),
                           seconds=round(time.perf_counter() - t0, 3), **base)
        except Exception as err:  # noqa: BLE001 - one bad video must not stop the batch
            self._write_traceback(job)
            return Outcome(status="failed",
                           reason=f"internal error: {type(err).__name__}: {err} "
                                  f"(details in {job.out_dir / ERROR_FILE})",
                           seconds=round(time.perf_counter() - t0, 3), **base)
        return Outcome(status="done", seconds=round(time.perf_counter() - t0, 3), **base)

    @staticmethod
    def _write_traceback(job: Job) -> None:
        try:
            job.out_dir.mkdir(parents=True, exist_ok=True)
            (job.out_dir / ERROR_FILE).write_text(traceback.format_exc(), encoding="utf-8")
        except OSError:
            pass

    def close(self) -> None:
        """Release the model."""
        if self._backend is not None:
            self._backend.close()
            self._backend = None


