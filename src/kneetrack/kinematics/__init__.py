"""Running kinematics: clean keypoints, detect the view and gait events, measure stances.

The one-call entry point is :func:`analyze_keypoints`; the stages are usable alone
(gaitmap style: parameters in ``__init__``, an action method returning ``self``,
results in attributes ending in ``_``).

The names below are imported when first used, not with the package: importing
:mod:`kneetrack.kinematics.thresholds` (which the service does before pose
estimation starts) must not pull in SciPy's signal module (about 1 s), which
``analyze`` imports while the pose processes run instead.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from kneetrack.kinematics.cleaners import clean_keypoints
    from kneetrack.kinematics.events import ContactDetector, StanceEvents
    from kneetrack.kinematics.metrics import StanceMetrics, compute_series
    from kneetrack.kinematics.pipeline import KinematicsResult, analyze_keypoints
    from kneetrack.kinematics.view import ViewDetector, detect_view

#: Public name -> the module that defines it.
_HOMES = {
    "clean_keypoints": "cleaners",
    "ContactDetector": "events",
    "StanceEvents": "events",
    "StanceMetrics": "metrics",
    "compute_series": "metrics",
    "KinematicsResult": "pipeline",
    "analyze_keypoints": "pipeline",
    "ViewDetector": "view",
    "detect_view": "view",
}

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


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{home}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_HOMES))
