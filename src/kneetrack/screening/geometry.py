"""Frontal-plane angles from 2D image keypoints (front or rear view).

Small vectorised helpers used by the single-leg squat analysis; hip adduction
and pelvic drop are the running engine's own (:mod:`kneetrack.kinematics.angles`). All points are
image pixels, ``(..., 2)`` arrays with x = column (right) and y = row (down);
NaN in, NaN out. Signs follow DESIGN.md: the medial direction of a leg is the
direction from its hip towards the other hip in the image, so the same code
serves the front view (the runner's left leg on the image's right) and the rear
view.
"""

from __future__ import annotations

import numpy as np

# Hip adduction and pelvic drop take their medial side from the hip-hip line, so the
# running engine's functions serve the squat unchanged.
from kneetrack.kinematics.angles import hip_adduction_deg, pelvic_drop_deg

__all__ = ["fppa_deg", "hip_adduction_deg", "pelvic_drop_deg", "trunk_lean_deg"]


def _cross(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return a[..., 0] * b[..., 1] - a[..., 1] * b[..., 0]


def _as_points(*arrays: np.ndarray) -> list[np.ndarray]:
    out = [np.asarray(a, dtype=float) for a in arrays]
    for a in out:
        if a.shape[-1] != 2:
            raise ValueError(f"points must have a last axis of length 2, got shape {a.shape}")
    return out


def fppa_deg(hip: np.ndarray, knee: np.ndarray, ankle: np.ndarray, *,
             other_hip: np.ndarray) -> np.ndarray:
    """Frontal plane projection angle of a knee, in degrees.

    The angle between the hip→knee and knee→ankle lines in the image; 0 is a
    straight leg, **positive = knee medial of the hip–ankle line** (valgus),
    negative = lateral (varus).

    Parameters
    ----------
    hip, knee, ankle : ndarray, shape (..., 2)
        Image points of one leg.
    other_hip : ndarray, shape (..., 2)
        The other leg's hip; it defines which side is medial.

    Returns
    -------
    ndarray, shape (...)
        Signed angle in degrees; NaN where any point is missing.

    Examples
    --------
    >>> import numpy as np
    >>> hip, ankle = np.array([100.0, 0.0]), np.array([100.0, 200.0])
    >>> knee = np.array([90.0, 100.0])            # 10 px towards the other hip
    >>> round(float(fppa_deg(hip, knee, ankle, other_hip=np.array([0.0, 0.0]))), 2)
    11.42
    """
    hip, knee, ankle, other_hip = _as_points(hip, knee, ankle, other_hip)
    thigh = knee - hip
    shank = ankle - knee
    with np.errstate(invalid="ignore"):
        unsigned = np.degrees(np.arctan2(np.abs(_cross(thigh, shank)),
                                         np.sum(thigh * shank, axis=-1)))
        line = ankle - hip
        side_knee = _cross(line, knee - hip)
        side_medial = _cross(line, other_hip - hip)
        sign = np.sign(side_knee * side_medial)
    return sign * unsigned


def trunk_lean_deg(stance_hip: np.ndarray, other_hip: np.ndarray,
                   stance_shoulder: np.ndarray, other_shoulder: np.ndarray) -> np.ndarray:
    """Lateral trunk lean: the mid-hip→mid-shoulder line against the image vertical.

    **Positive = the trunk leans towards the stance leg** (ipsilateral lean, a
    common way to unload weak hip abductors), in degrees.

    Examples
    --------
    >>> import numpy as np
    >>> lean = trunk_lean_deg(np.array([100.0, 300.0]), np.array([0.0, 300.0]),
    ...                       np.array([110.0, 0.0]), np.array([10.0, 0.0]))
    >>> round(float(lean), 2)                     # shoulders 10 px towards the stance side
    1.91
    """
    stance_hip, other_hip, stance_shoulder, other_shoulder = _as_points(
        stance_hip, other_hip, stance_shoulder, other_shoulder)
    mid_hip = (stance_hip + other_hip) / 2.0
    mid_sh = (stance_shoulder + other_shoulder) / 2.0
    with np.errstate(invalid="ignore"):
        towards_stance = np.sign(stance_hip[..., 0] - other_hip[..., 0])
        lateral = (mid_sh[..., 0] - mid_hip[..., 0]) * towards_stance
        up = mid_hip[..., 1] - mid_sh[..., 1]
        return np.degrees(np.arctan2(lateral, up))
