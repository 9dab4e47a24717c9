"""Pose estimation: a narrow backend protocol (frames in, per-frame poses out) and its backends."""

from kneetrack.pose.backend import FramePose, PoseBackend, poses_to_keypoints

__all__ = ["FramePose", "PoseBackend", "poses_to_keypoints"]
