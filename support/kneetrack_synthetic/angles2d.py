"""Small 2D angle helpers used to compute the *truth* of synthetic movers.

They implement the definitions of the ``analysis.json`` contract (DESIGN.md)
directly on image points (x = column right, y = row down) and are deliberately
independent of :mod:`kneetrack.kinematics`, so that a synthetic truth can check
the engine rather than repeat it.

All functions take arrays of shape ``(..., 2)`` and return degrees with the
broadcast leading shape.
"""

from __future__ import annotations

import numpy as np


def _dot(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.sum(a * b, axis=-1)


def _cross(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return a[..., 0] * b[..., 1] - a[..., 1] * b[..., 0]


def _unit(v: np.ndarray) -> np.ndarray:
    return v / np.linalg.norm(v, axis=-1, keepdims=True)


def fppa_deg(hip: np.ndarray, knee: np.ndarray, ankle: np.ndarray,
             other_hip: np.ndarray) -> np.ndarray:
    """Frontal plane projection angle: the turn between hip→knee and knee→ankle.

    Positive when the knee lies medial of the hip–ankle line (valgus), the
    medial side being the direction of ``other_hip``.

    Examples
    --------
    >>> hip, ankle, other = np.array([0., 0.]), np.array([0., 2.]), np.array([-1., 0.])
    >>> round(float(fppa_deg(hip, np.array([-0.1, 1.]), ankle, other)), 2)   # knee toward other hip
    11.42
    """
    hip, knee, ankle, other_hip = (np.asarray(a, dtype=float)
                                   for a in (hip, knee, ankle, other_hip))
    u = knee - hip
    v = ankle - knee
    mag = np.degrees(np.arctan2(np.abs(_cross(u, v)), _dot(u, v)))
    e = ankle - hip
    t = _dot(u, e) / _dot(e, e)
    off = u - t[..., None] * e
    sign = np.sign(_dot(off, other_hip - hip))
    return mag * sign


def hip_adduction_deg(hip: np.ndarray, knee: np.ndarray, other_hip: np.ndarray) -> np.ndarray:
    """Angle of the femur (hip→knee) to the downward perpendicular of the hip–hip line.

    Positive when the knee is toward the midline (the side of ``other_hip``).
    """
    hip, knee, other_hip = (np.asarray(a, dtype=float) for a in (hip, knee, other_hip))
    m = _unit(other_hip - hip)
    p = np.stack([m[..., 1], -m[..., 0]], axis=-1)           # one perpendicular
    p = np.where((p[..., 1] < 0)[..., None], -p, p)            # the one pointing down the image
    f = knee - hip
    return np.degrees(np.arctan2(_dot(f, m), _dot(f, p)))


def pelvic_drop_deg(stance_hip: np.ndarray, other_hip: np.ndarray) -> np.ndarray:
    """Tilt of the hip–hip line; positive when the hip opposite the stance leg is lower."""
    s = np.asarray(stance_hip, dtype=float)
    o = np.asarray(other_hip, dtype=float)
    return np.degrees(np.arctan2(o[..., 1] - s[..., 1], np.abs(o[..., 0] - s[..., 0])))


def segment_to_vertical_deg(proximal: np.ndarray, distal: np.ndarray, *,
                            forward_sign: float) -> np.ndarray:
    """Angle of proximal→distal to the image vertical; positive = distal point ahead.

    ``forward_sign`` is +1 when the mover faces the image's right, -1 when left.
    """
    d = np.asarray(distal, dtype=float) - np.asarray(proximal, dtype=float)
    return np.degrees(np.arctan2(forward_sign * d[..., 0], d[..., 1]))


def knee_flexion_deg(hip: np.ndarray, knee: np.ndarray, ankle: np.ndarray, *,
                     forward_sign: float) -> np.ndarray:
    """Sagittal knee flexion: thigh angle minus shank angle (0 = straight)."""
    return (segment_to_vertical_deg(hip, knee, forward_sign=forward_sign)
            - segment_to_vertical_deg(knee, ankle, forward_sign=forward_sign))


def foot_angle_deg(heel: np.ndarray, toe: np.ndarray, *, forward_sign: float) -> np.ndarray:
    """Angle of the heel→toe line to the image horizontal; positive = toes higher."""
    heel = np.asarray(heel, dtype=float)
    toe = np.asarray(toe, dtype=float)
    return np.degrees(np.arctan2(heel[..., 1] - toe[..., 1],
                                 forward_sign * (toe[..., 0] - heel[..., 0])))
