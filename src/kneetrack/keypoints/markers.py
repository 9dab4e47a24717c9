"""Canonical marker names and the aliases used by pose backends and file formats.

kneetrack speaks one vocabulary internally: ``left_hip``, ``right_knee``,
``left_toe`` (big toe / MediaPipe foot index), ... Every importer and pose
backend maps its own names into it with :func:`canonical_name`.
"""

from __future__ import annotations

import re

#: Markers every downstream stage may rely on (they may still be NaN).
LOWER_LIMB: tuple[str, ...] = (
    "nose",
    "left_shoulder",
    "right_shoulder",
    "left_hip",
    "right_hip",
    "left_knee",
    "right_knee",
    "left_ankle",
    "right_ankle",
    "left_heel",
    "right_heel",
    "left_toe",
    "right_toe",
)

#: Further markers kept when a source provides them.
OPTIONAL: tuple[str, ...] = (
    "neck",
    "mid_hip",
    "left_small_toe",
    "right_small_toe",
    "left_elbow",
    "right_elbow",
    "left_wrist",
    "right_wrist",
    "left_eye",
    "right_eye",
    "left_ear",
    "right_ear",
)

CANONICAL: tuple[str, ...] = LOWER_LIMB + OPTIONAL

#: Side-less body-part spellings (squashed to lowercase letters) -> canonical part.
_SIDED_PARTS: dict[str, str] = {
    "shoulder": "shoulder",
    "hip": "hip",
    "knee": "knee",
    "ankle": "ankle",
    "heel": "heel",
    "bigtoe": "toe",
    "toe": "toe",
    "footindex": "toe",
    "smalltoe": "small_toe",
    "elbow": "elbow",
    "wrist": "wrist",
    "eye": "eye",
    "ear": "ear",
}


def _squash(name: str) -> str:
    return re.sub(r"[^a-z]", "", name.lower())


def canonical_name(name: str) -> str | None:
    """Return the canonical marker name for ``name``, or ``None`` if unknown.

    Accepts the spellings of MediaPipe (``left_foot_index``), HALPE-26 /
    COCO-17 as written by Sports2D and Pose2Sim (``LBigToe``, ``RHip``),
    OpenPose and kneetrack itself.

    Examples
    --------
    >>> canonical_name("RBigToe")
    'right_toe'
    >>> canonical_name("left_foot_index")
    'left_toe'
    >>> canonical_name("Hip")
    'mid_hip'
    """
    s = _squash(name)
    if s in ("nose", "neck"):
        return s
    if s in ("hip", "midhip", "pelvis", "chip"):
        return "mid_hip"
    for prefix, side in (("left", "left"), ("right", "right"), ("l", "left"), ("r", "right")):
        if s.startswith(prefix):
            part = s[len(prefix):]
            if part in _SIDED_PARTS:
                return f"{side}_{_SIDED_PARTS[part]}"
    return None
