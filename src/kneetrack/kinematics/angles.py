"""Pure 2D geometry of the lower limb in image coordinates (x right, y down).

Every function is vectorised over frames: points are arrays of shape
``(..., 2)`` in pixels; results are degrees with NaN wherever an input is
missing. Signs follow the ``analysis.json`` contract (``DESIGN.md``).
"""

from __future__ import annotations

from typing import cast

import numpy as np
from numpy.typing import ArrayLike

from kneetrack.core.arrays import FloatArray


def _as_points(p: ArrayLike, name: str) -> FloatArray:
    a = np.asarray(p, dtype=float)
    if a.shape[-1:] != (2,):
        raise ValueError(f"{name} must have shape (..., 2), got {a.shape}")
    return a


def _cross(a: FloatArray, b: FloatArray) -> FloatArray:
    return cast(FloatArray, a[..., 0] * b[..., 1] - a[..., 1] * b[..., 0])


def _dot(a: FloatArray, b: FloatArray) -> FloatArray:
    return cast(FloatArray, a[..., 0] * b[..., 0] + a[..., 1] * b[..., 1])


def fppa_deg(hip: ArrayLike, knee: ArrayLike, ankle: ArrayLike, *,
             medial_sign: float | ArrayLike | None = None,
             other_hip: ArrayLike | None = None) -> FloatArray:
    """Frontal plane projection angle (FPPA) of the knee — the one definition in kneetrack.

    The angle between the hip→knee and knee→ankle lines in the image: 0 when
    they are collinear, **positive when the knee lies on the medial side of the
    hip–ankle line** (valgus), negative when lateral (varus) — the sign of
    ``fppa_peak_deg`` in ``analysis.json`` (``DESIGN.md``).

    The medial direction (towards the body midline) is given in one of two
    ways, which agree whenever the hip–ankle line points down the image:

    - ``other_hip``: the direction from the leg's hip towards the other hip.
      Needs no view and survives a mirrored video; the squat uses it.
    - ``medial_sign``: +1 when medial is image +x, -1 when it is image -x, as
      known from the view. For the front view the left leg has
      ``medial_sign=-1`` (it appears on the image's right); for the rear view
      the left leg has ``+1``. The running metrics use it.

    Parameters
    ----------
    hip, knee, ankle : ndarray, shape (..., 2)
        Image points in pixels (x right, y down).
    medial_sign : float or ndarray, optional
        Medial side along image x, broadcastable to the frames.
    other_hip : ndarray, shape (..., 2), optional
        The other leg's hip. Give exactly one of ``medial_sign`` and ``other_hip``.

    Returns
    -------
    ndarray
        Angle in degrees, NaN where any point is missing.

    Examples
    --------
    >>> import numpy as np
    >>> round(float(fppa_deg([0, 0], [-10, 100], [0, 200], medial_sign=-1)), 2)
    11.42
    >>> round(float(fppa_deg([0, 0], [-10, 100], [0, 200], other_hip=[-60, 0])), 2)
    11.42
    """
    if (medial_sign is None) == (other_hip is None):
        raise ValueError("give exactly one of medial_sign and other_hip")
    h, k, a = _as_points(hip, "hip"), _as_points(knee, "knee"), _as_points(ankle, "ankle")
    if other_hip is not None:
        medial = _as_points(other_hip, "other_hip") - h
    else:
        sign = np.asarray(medial_sign, dtype=float)
        medial = np.stack(np.broadcast_arrays(sign, np.zeros_like(sign)), axis=-1)
    thigh, shank, line = k - h, a - k, a - h
    unsigned = np.degrees(np.arctan2(np.abs(_cross(thigh, shank)), _dot(thigh, shank)))
    # The knee is medial when it lies on the same side of the hip–ankle line as the
    # medial direction.
    with np.errstate(invalid="ignore"):
        side = np.sign(_cross(line, thigh) * _cross(line, medial))
    return cast(FloatArray, side * unsigned)


def hip_adduction_deg(hip: ArrayLike, knee: ArrayLike, other_hip: ArrayLike) -> FloatArray:
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
    return cast(FloatArray, np.degrees(np.arctan2(_dot(femur, med), _dot(femur, perp))))


def pelvic_drop_deg(stance_hip: ArrayLike, other_hip: ArrayLike) -> FloatArray:
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
    return cast(FloatArray, np.degrees(np.arctan2(d[..., 1], np.abs(d[..., 0]))))


def trunk_lean_deg(stance_hip: ArrayLike, other_hip: ArrayLike,
                   stance_shoulder: ArrayLike, other_shoulder: ArrayLike) -> FloatArray:
    """Lateral trunk lean: the mid-hip→mid-shoulder line against the image vertical.

    **Positive = the trunk leans towards the stance leg** (ipsilateral lean, a
    common way to unload weak hip abductors), in degrees. The stance side is
    taken from the hip–hip line, so the function needs no view.

    Parameters
    ----------
    stance_hip, other_hip, stance_shoulder, other_shoulder : ndarray, shape (..., 2)
        Pixels.

    Returns
    -------
    ndarray
        Degrees, NaN where a point is missing.

    Examples
    --------
    >>> import numpy as np
    >>> lean = trunk_lean_deg(np.array([100.0, 300.0]), np.array([0.0, 300.0]),
    ...                       np.array([110.0, 0.0]), np.array([10.0, 0.0]))
    >>> round(float(lean), 2)                     # shoulders 10 px towards the stance side
    1.91
    """
    sh, oh = _as_points(stance_hip, "stance_hip"), _as_points(other_hip, "other_hip")
    ss = _as_points(stance_shoulder, "stance_shoulder")
    os_ = _as_points(other_shoulder, "other_shoulder")
    mid_hip = (sh + oh) / 2.0
    mid_sh = (ss + os_) / 2.0
    with np.errstate(invalid="ignore"):
        towards_stance = np.sign(sh[..., 0] - oh[..., 0])
        lateral = (mid_sh[..., 0] - mid_hip[..., 0]) * towards_stance
        up = mid_hip[..., 1] - mid_sh[..., 1]
        return cast(FloatArray, np.degrees(np.arctan2(lateral, up)))


def shank_angle_deg(knee: ArrayLike, ankle: ArrayLike, *, forward_sign: float) -> FloatArray:
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
    return cast(FloatArray, np.degrees(np.arctan2(forward_sign * d[..., 0], d[..., 1])))


def knee_flexion_deg(hip: ArrayLike, knee: ArrayLike, ankle: ArrayLike) -> FloatArray:
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
    angle = np.degrees(np.arctan2(_cross(thigh, shank), _dot(thigh, shank)))
    return cast(FloatArray, np.abs(angle))


def foot_angle_deg(heel: ArrayLike, toe: ArrayLike, *, forward_sign: float) -> FloatArray:
    """Angle of the heel→toe line to the image horizontal (the ground) in a side view.

    **Positive = toes higher than the heel** (dorsiflexed foot, as at a heel strike).

    Examples
    --------
    >>> round(float(foot_angle_deg([0, 0], [100, -20], forward_sign=1)), 2)
    11.31
    """
    h, t = _as_points(heel, "heel"), _as_points(toe, "toe")
    d = t - h
    return cast(FloatArray, np.degrees(np.arctan2(-d[..., 1], forward_sign * d[..., 0])))
