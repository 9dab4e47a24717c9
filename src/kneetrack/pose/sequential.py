"""Pose estimation in this process: one backend, frame after frame.

The building blocks both pose paths share (:mod:`kneetrack.pose.run` picks the
path, :mod:`kneetrack.pose.parallel` runs chunks in worker processes and falls
back to :func:`estimate_sequential`): the frame-size limit, the "nobody in the
video" rule, and making a backend from its name.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

from kneetrack.errors import NoPersonError
from kneetrack.keypoints import Keypoints
from kneetrack.pose.backend import FramePose, PoseBackend, poses_to_keypoints
from kneetrack.video.reader import VideoInfo, iter_frames, probe_video

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


def default_backend(*, threads: int = 1) -> PoseBackend:
    """The production backend: MediaPipe BlazePose full, its models on ``threads`` threads."""
    from kneetrack.pose.mediapipe_backend import MediaPipePoseBackend

    return MediaPipePoseBackend(threads=threads)


def make_backend(spec: str, *, threads: int = 1) -> Any:
    """Create a pose backend: ``"mediapipe"`` or ``"module:factory"`` (a zero-argument callable).

    Worker processes (and Ray actors) receive this string, not a backend object,
    and build their own model from it. ``threads`` is for MediaPipe (the threads
    its models run on); other backends choose their own.
    """
    if spec == "mediapipe":
        return default_backend(threads=threads)
    # "module:attr" of a zero-argument factory, for tests and other backends.
    mod, _, attr = spec.partition(":")
    return getattr(importlib.import_module(mod), attr)()


def reset_tracking(backend: Any) -> None:
    """Forget the tracked person (the next frame runs the detector)."""
    model = getattr(backend, "_pose", None)
    if model is not None and hasattr(model, "reset"):
        model.reset()
    elif hasattr(backend, "reset"):
        backend.reset()


def check_detections(poses: list[FramePose], info: VideoInfo) -> None:
    """Raise :class:`NoPersonError` when (almost) no frame has a person."""
    detected = sum(p.detected for p in poses)
    if detected < min(MIN_DETECTED_FRAMES, max(1, len(poses))):
        raise NoPersonError(
            f"{info.path}: no person detected ({detected} of {len(poses)} frames); "
            "film the runner whole, from the front, rear or side"
        )


def estimate_sequential(
    video: VideoInfo | str | Path,
    *,
    backend: PoseBackend,
    progress: Callable[[int, int | None], None] | None = None,
    max_side_px: int | None = DEFAULT_MAX_SIDE_PX,
) -> Keypoints:
    """Run ``backend`` over every frame of ``video`` in this process.

    Parameters
    ----------
    video
        The probed video (or its path).
    backend
        The pose backend (not closed here).
    progress
        ``progress(done, total)`` callback.
    max_side_px
        Longer side frames are downscaled to before inference.
    """
    info = video if isinstance(video, VideoInfo) else probe_video(video)
    poses: list[FramePose] = []
    for pose in backend.process(iter_frames(info.path, max_side_px=max_side_px, info=info)):
        poses.append(pose)
        if progress is not None:
            progress(len(poses), info.frames)
    check_detections(poses, info)
    params: dict[str, Any] = dict(getattr(backend, "params", {}))
    params.update({"video": str(info.path), "rotation_deg": info.rotation_deg,
                   "max_side_px": max_side_px})
    return poses_to_keypoints(poses, markers=backend.markers, fps=info.fps,
                              image_size=info.image_size, source=backend.name, params=params)
