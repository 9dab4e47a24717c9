"""Pure 2D geometry of the lower limb in image coordinates (x right, y down).

Every function is vectorised over frames: points are arrays of shape
``(..., 2)`` in pixels; results are degrees with NaN wherever an input is
missing. Signs follow the ``analysis.json`` contract (``DESIGN.md``).
"""

from __future__ import annotations

import numpy as np


def _as_points(p: np.ndarray, name: str) -> np.ndarray:
    a = np.asarray(p, dtype=float)
    if a.shape[-1:] != (2,):
        raise ValueError(f"{name} must have shape (..., 2), got {a.shape}")
    return a


def _cross(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return a[..., 0] * b[..., 1] - a[..., 1] * b[..., 0]


def _dot(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return a[..., 0] * b[..., 0] + a[..., 1] * b[..., 1]


def fppa_deg(hip: np.ndarray, knee: np.ndarray, ankle: np.ndarray, *,
             medial_sign: float | np.ndarray) -> np.ndarray:
    """Frontal plane projection angle of the knee.

    The angle between the hip→knee and knee→ankle lines in the image: 0 when
    they are collinear, **positive when the knee lies medial of the hip–ankle
    line** (valgus), negative when lateral (varus).

    Parameters
    ----------
    hip, knee, ankle : ndarray, shape (..., 2)
        Image points in pixels (y down).
    medial_sign : float or ndarray
        +1 when the leg's medial direction (toward the body midline) is image
        +x, -1 when it is image -x. For the front view the left leg has
        ``medial_sign=-1`` (it appears on the image's right); for the rear view
        the left leg has ``+1``. May be an array broadcastable to the frames.

    Returns
    -------
    ndarray
        Angle in degrees, NaN where any point is missing.

    Examples
    --------
    >>> import numpy as np
    >>> round(float(fppa_deg([0, 0], [-10, 100], [0, 200], medial_sign=-1)), 2)
    11.42
    """
    h, k, a = _as_points(hip, "hip"), _as_points(knee, "knee"), _as_points(ankle, "ankle")
    thigh = k - h
    shank = a - k
    ang = np.degrees(np.arctan2(_cross(thigh, shank), _dot(thigh, shank)))
    return np.asarray(medial_sign, dtype=float) * ang


def hip_adduction_deg(hip: np.ndarray, knee: np.ndarray, other_hip: np.ndarray) -> np.ndarray:
    """Hip adduction angle seen in a frontal view.

    Angle between the femur (hip→knee) and the downward perpendicular of the
    hip–hip line; **positive = knee toward the midline** (adduction). The medial
    direction is taken from the hip–hip line itself (toward ``other_hip``), so
    the function needs no view.

    Parameters
    ----------
    hip, knee : ndarray, shape (..., 2)
        The leg's hip and knee (pixels).
    other_hip : ndarray, shape (..., 2)
        The opposite hip.

    Returns
    -------
    ndarray
        Degrees, NaN where a point is missing or the hips coincide.

    Examples
    --------
    >>> round(float(hip_adduction_deg([0, 0], [-10, 100], [-60, 0])), 2)
    5.71
    """
    h, k, o = _as_points(hip, "hip"), _as_points(knee, "knee"), _as_points(other_hip, "other_hip")
    med = o - h
    norm = np.hypot(med[..., 0], med[..., 1])
    with np.errstate(invalid="ignore", divide="ignore"):
        med = med / np.where(norm > 0, norm, np.nan)[..., None]
    # Downward perpendicular of the hip line: rotate the medial unit vector by 90°
    # and pick the orientation whose image y is positive.
    perp = np.stack([-med[..., 1], med[..., 0]], axis=-1)
    perp = np.where((perp[..., 1] < 0)[..., None], -perp, perp)
    femur = k - h
    return np.degrees(np.arctan2(_dot(femur, med), _dot(femur, perp)))


def pelvic_drop_deg(stance_hip: np.ndarray, other_hip: np.ndarray) -> np.ndarray:
    """Tilt of the hip–hip line for a given stance leg.

    **Positive = the hip opposite the stance leg is lower** in the image
    (contralateral pelvic drop). Independent of the view's left/right mirroring
    because the horizontal hip distance enters as an absolute value.

    Parameters
    ----------
    stance_hip, other_hip : ndarray, shape (..., 2)
        Hip of the stance leg and of the other leg (pixels).

    Returns
    -------
    ndarray
        Degrees, NaN where a point is missing.

    Examples
    --------
    >>> round(float(pelvic_drop_deg([0, 0], [100, 5])), 2)
    2.86
    """
    s, o = _as_points(stance_hip, "stance_hip"), _as_points(other_hip, "other_hip")
    d = o - s
    return np.degrees(np.arctan2(d[..., 1], np.abs(d[..., 0])))


def shank_angle_deg(knee: np.ndarray, ankle: np.ndarray, *, forward_sign: float) -> np.ndarray:
    """Shank (knee→ankle) angle to the vertical in a side view.

    **Positive = ankle ahead of the knee** (in the running direction).

    Parameters
    ----------
    knee, ankle : ndarray, shape (..., 2)
        Pixels.
    forward_sign : float
        +1 when the runner faces image +x (``side-right``), -1 for ``side-left``.

    Examples
    --------
    >>> round(float(shank_angle_deg([0, 0], [10, 100], forward_sign=1)), 2)
    5.71
    """
    k, a = _as_points(knee, "knee"), _as_points(ankle, "ankle")
    d = a - k
    return np.degrees(np.arctan2(forward_sign * d[..., 0], d[..., 1]))


def knee_flexion_deg(hip: np.ndarray, knee: np.ndarray, ankle: np.ndarray) -> np.ndarray:
    """Knee flexion in a side view: 0 = straight, positive = flexed.

    The unsigned angle between the thigh (hip→knee) and shank (knee→ankle)
    directions. (A hyperextended knee also reads positive; running knees do not
    hyperextend.)

    Examples
    --------
    >>> round(float(knee_flexion_deg([0, 0], [0, 100], [50, 150])), 1)
    45.0
    """
    h, k, a = _as_points(hip, "hip"), _as_points(knee, "knee"), _as_points(ankle, "ankle")
    thigh, shank = k - h, a - k
    return np.abs(np.degrees(np.arctan2(_cross(thigh, shank), _dot(thigh, shank))))


def foot_angle_deg(heel: np.ndarray, toe: np.ndarray, *, forward_sign: float) -> np.ndarray:
    """Angle of the heel→toe line to the image horizontal (the ground) in a side view.

    **Positive = toes higher than the heel** (dorsiflexed foot, as at a heel strike).

    Examples
    --------
    >>> round(float(foot_angle_deg([0, 0], [100, -20], forward_sign=1)), 2)
    11.31
    """
    h, t = _as_points(heel, "heel"), _as_points(toe, "toe")
    d = t - h
    return np.degrees(np.arctan2(-d[..., 1], forward_sign * d[..., 0]))
