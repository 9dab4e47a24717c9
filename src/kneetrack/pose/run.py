"""Run a pose backend over a whole video and return :class:`Keypoints`."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kneetrack.errors import NoPersonError
from kneetrack.keypoints import Keypoints
from kneetrack.pose.backend import FramePose, PoseBackend, poses_to_keypoints
from kneetrack.video.reader import VideoInfo, iter_frames, probe_video

if TYPE_CHECKING:
    from kneetrack.pose.plan import PosePlan

#: Frames whose longer side exceeds this are downscaled before inference. BlazePose
#: crops the runner and resizes the crop to 256 px itself; handing it a 720p frame
#: instead of a 1080p one costs 0.9 ms less per frame on the 2-core development
#: machine (the scaled conversion is cheaper than a full-size one, and so is the
#: model's own resampling) and moves landmarks by 1.4–1.8 px median (2D joint
#: angles by 0.5–0.75° median) on the 1080p test clips: about what re-encoding the
#: video does (a different YUV-to-RGB conversion alone moves them by 0.9 px).
#: ``docs/speed.md`` has the measurements.
DEFAULT_MAX_SIDE_PX = 1280

#: Fewer detected frames than this and the video is reported as having nobody in it.
MIN_DETECTED_FRAMES = 3


def default_backend() -> PoseBackend:
    """The production backend: MediaPipe BlazePose full."""
    from kneetrack.pose.mediapipe_backend import MediaPipePoseBackend

    return MediaPipePoseBackend()


def check_detections(poses: list[FramePose], info: VideoInfo) -> None:
    """Raise :class:`NoPersonError` when (almost) no frame has a person."""
    detected = sum(p.detected for p in poses)
    if detected < min(MIN_DETECTED_FRAMES, max(1, len(poses))):
        raise NoPersonError(
            f"{info.path}: no person detected ({detected} of {len(poses)} frames); "
            "film the runner whole, from the front, rear or side"
        )


def estimate_video(
    path: str | Path,
    *,
    backend: PoseBackend | None = None,
    progress: Callable[[int, int | None], None] | None = None,
    workers: int | None = None,
    max_side_px: int | None = DEFAULT_MAX_SIDE_PX,
    while_waiting: Callable[[PosePlan | None], None] | None = None,
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
        estimation (a given backend, which runs here).
    """
    info = probe_video(path)
    if backend is None:
        from kneetrack.pose.parallel import estimate_video_parallel  # imports this module

        return estimate_video_parallel(info, workers=workers, progress=progress,
                                       max_side_px=max_side_px, while_waiting=while_waiting)
    if while_waiting is not None:
        while_waiting(None)
    be = backend
    poses: list[FramePose] = []
    for pose in be.process(iter_frames(info.path, max_side_px=max_side_px, info=info)):
        poses.append(pose)
        if progress is not None:
            progress(len(poses), info.frames)
    check_detections(poses, info)
    params: dict[str, Any] = dict(getattr(be, "params", {}))
    params.update({"video": str(info.path), "rotation_deg": info.rotation_deg,
                   "max_side_px": max_side_px})
    return poses_to_keypoints(poses, markers=be.markers, fps=info.fps,
                              image_size=info.image_size, source=be.name, params=params)
