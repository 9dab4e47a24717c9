"""Running kinematics: clean keypoints, detect the view and gait events, measure stances.

The one-call entry point is :func:`analyze_keypoints`; the stages are usable alone
(gaitmap style: parameters in ``__init__``, an action method returning ``self``,
results in attributes ending in ``_``).
"""

from kneetrack.kinematics.cleaners import clean_keypoints
from kneetrack.kinematics.events import ContactDetector, StanceEvents
from kneetrack.kinematics.metrics import StanceMetrics, compute_series
from kneetrack.kinematics.pipeline import KinematicsResult, analyze_keypoints
from kneetrack.kinematics.view import ViewDetector, detect_view

__all__ = [
    "ContactDetector",
    "KinematicsResult",
    "StanceEvents",
    "StanceMetrics",
    "ViewDetector",
    "analyze_keypoints",
    "clean_keypoints",
    "compute_series",
    "detect_view",
]
