"""Pose estimation: a narrow backend protocol (frames in, per-frame poses out) and its backends.

The names below load on first use, so that the package's light modules
(:mod:`~kneetrack.pose.native_logs`, :mod:`~kneetrack.pose.warm`) can be
imported first thing by a front end without loading NumPy and PyAV.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from kneetrack.pose.backend import FramePose, PoseBackend, poses_to_keypoints

__all__ = ["FramePose", "PoseBackend", "poses_to_keypoints"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from kneetrack.pose import backend

        return getattr(backend, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
