"""A pose process started ahead: its start-up overlaps the caller's own.

A pose process spends its first 0.5–0.8 s starting Python and importing NumPy,
PyAV, OpenCV and MediaPipe. Started only once the clip is probed and the pose
plan made, that time adds to the run; started when the request arrives, it
overlaps the caller's own start-up (parsing the request, probing the video,
its frame table, the plan), when one core would otherwise idle. The process then waits
for what :func:`kneetrack.pose.parallel.estimate_video_parallel` sends it
(:meth:`WarmPoseProcess.begin`) and becomes that run's first pose process.

It is started only where pose will run in worker processes (a video, the
default backend, a process allowed to start others), and stopped by its owner
when no run takes it (:meth:`WarmPoseProcess.close`).

A front end can start it even earlier, before it parses its arguments
(:func:`start_ahead`, the ``kneetrack analyze`` command): the process waits,
parked, for the run that asks for it (:func:`take_parked`), and the front
end stops it on its way out when none did (:func:`close_parked`).
"""

from __future__ import annotations

import contextlib
import multiprocessing as mp
from dataclasses import dataclass
from typing import Any


@dataclass
class WarmPoseProcess:
    """A started pose process, waiting for its run (parent side).

    ``tasks`` and ``results`` are the queues of the run it joins; ``setup`` is
    the pipe its run's arguments come through.
    """

    process: Any
    setup: Any
    tasks: Any
    results: Any
    taken: bool = False

    @classmethod
    def start(cls) -> WarmPoseProcess | None:
        """Start one, or ``None`` where this process may not start processes (a daemon)."""
        if mp.current_process().daemon:
            return None
        ctx = mp.get_context("spawn")
        receive, send = ctx.Pipe(duplex=False)
        tasks, results = ctx.Queue(), ctx.Queue()
        proc = ctx.Process(target=warm_main, name="kneetrack-pose-0",
                           args=(receive, tasks, results), daemon=True)
        try:
            proc.start()
        except OSError:  # no process could be started: the run starts its own (or fails there)
            for q in (tasks, results):
                q.close()
            return None
        receive.close()  # the child's end
        return cls(process=proc, setup=send, tasks=tasks, results=results)

    def begin(self, args: tuple[Any, ...]) -> None:
        """Hand over the run: from now on the run owns the process and its queues."""
        self.taken = True
        self.setup.send(args)
        self.setup.close()

    def close(self) -> None:
        """Stop the process if no run took it (a no-op once taken)."""
        if self.taken:
            return
        self.taken = True
        with contextlib.suppress(OSError):
            self.setup.close()  # the child, if it waits, reads end-of-file and exits
        self.process.terminate()  # it may still be importing: no need to wait for that
        self.process.join(timeout=5)
        if self.process.is_alive():  # pragma: no cover - last resort
            self.process.kill()
            self.process.join(timeout=2)
        for q in (self.tasks, self.results):
            q.close()
            q.cancel_join_thread()


_parked: WarmPoseProcess | None = None


def start_ahead() -> None:
    """Start a pose process now and park it for the run to come (once per process)."""
    global _parked
    if _parked is None:
        _parked = WarmPoseProcess.start()


def take_parked() -> WarmPoseProcess | None:
    """The parked pose process, if one is (then it is the caller's)."""
    global _parked
    warm, _parked = _parked, None
    return warm


def close_parked() -> None:
    """Stop the parked pose process, if no run took it."""
    warm = take_parked()
    if warm is not None:
        warm.close()


def warm_main(setup: Any, tasks: Any, results: Any) -> None:
    """Child side: get ready for pose, wait for the run's arguments, then serve it."""
    from kneetrack.pose.parallel import prepare_worker, serve_chunks

    prepare_worker()
    from kneetrack.pose.mediapipe_backend import import_pose_solution

    import_pose_solution()  # the longest import: done while the parent probes the clip
    try:
        args = setup.recv()
    except (EOFError, OSError):  # the parent closed the pipe: not needed
        return
    serve_chunks(*args, tasks=tasks, results=results)
