"""Entry point of the kinematics engine (filled in by the kinematics work).

PLACEHOLDER: returns the view it was given and no stances; the kinematics
engine replaces this module's body while keeping :func:`analyze_keypoints` and
:class:`KinematicsResult`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from kneetrack.keypoints import Keypoints


@dataclass
class KinematicsResult:
    """What the engine found in one clip."""

    view: str | None
    keypoints: Keypoints
    fields: dict[str, Any] = field(default_factory=dict)

    def to_contract(self) -> dict[str, Any]:
        """The ``analysis.json`` fields this engine owns (view, quality, stances, ...)."""
        return {"view": self.view, **self.fields}


def analyze_keypoints(kp: Keypoints, *, view: str | None = None) -> KinematicsResult:
    """Analyse a clip's keypoints; ``view`` overrides view detection."""
    return KinematicsResult(view=view, keypoints=kp, fields={
        "quality": {"tracked_fraction": kp.tracked_fraction(), "warnings": []},
    })
