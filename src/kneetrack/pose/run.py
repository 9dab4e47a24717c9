"""Run a pose backend over a whole video and return :class:`Keypoints`.

A given backend runs here, frame after frame (:mod:`kneetrack.pose.sequential`);
the default one runs in worker processes (:mod:`kneetrack.pose.parallel`).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from kneetrack.keypoints import Keypoints
from kneetrack.pose.backend import PoseBackend
from kneetrack.pose.sequential import (  # noqa: F401 - the names callers know from here
    DEFAULT_MAX_SIDE_PX,
    MIN_DETECTED_FRAMES,
    check_detections,
    default_backend,
    estimate_sequential,
)
from kneetrack.video.reader import probe_video

if TYPE_CHECKING:
    from kneetrack.pose.plan import PoseWaiter


def estimate_video(
    path: str | Path,
    *,
    backend: PoseBackend | None = None,
    progress: Callable[[int, int | None], None] | None = None,
    workers: int | None = None,
    max_side_px: int | None = DEFAULT_MAX_SIDE_PX,
    while_waiting: PoseWaiter | None = None,
) -> Keypoints:
    """Estimate the runner's keypoints in every frame of a video.

    Parameters
    ----------
    path
        The video.
    backend
        Pose backend (default: MediaPipe BlazePose full). A given backend runs in
        this process; the default one may run in ``workers`` processes.
    progress
        ``progress(done, total)`` callback.
    workers
        Number of pose processes for the default backend (``None``: planned per
        clip by :func:`kneetrack.pose.plan.plan_pose`).
    max_side_px
        Longer side frames are downscaled to before inference.
    while_waiting
        Called once with the :class:`~kneetrack.pose.plan.PosePlan` while the pose
        processes run (the default backend), or with ``None`` before pose
        estimation (a given backend, which runs here); see
        :class:`~kneetrack.pose.plan.PoseWaiter`.
    """
    info = probe_video(path)
    if backend is None:
        from kneetrack.pose.parallel import estimate_video_parallel

        return estimate_video_parallel(info, workers=workers, progress=progress,
                                       max_side_px=max_side_px, while_waiting=while_waiting)
    if while_waiting is not None:
        while_waiting(None)
    return estimate_sequential(info, backend=backend, progress=progress,
                               max_side_px=max_side_px)
