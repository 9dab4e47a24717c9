"""Running kinematics: clean keypoints, detect the view and gait events, measure stances."""

from kneetrack.kinematics.pipeline import KinematicsResult, analyze_keypoints

__all__ = ["KinematicsResult", "analyze_keypoints"]
