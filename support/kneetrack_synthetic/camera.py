"""A pinhole camera that looks at a mover from one of the four analysis views.

World frame: metres, x = the mover's forward direction, y = the mover's left,
z = up; the mover is centred near the origin. Image: x = column (right),
y = row (down), pixels.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

#: Direction from the mover to the camera, per view (world frame).
_VIEW_DIRECTION = {
    "front": np.array([1.0, 0.0, 0.0]),       # camera ahead, looking back at the runner
    "rear": np.array([-1.0, 0.0, 0.0]),       # camera behind
    "side-right": np.array([0.0, -1.0, 0.0]),  # camera on the runner's right
    "side-left": np.array([0.0, 1.0, 0.0]),   # camera on the runner's left
}


@dataclass(frozen=True)
class Camera:
    """A pinhole camera at ``distance_m`` from the origin on the side given by ``view``.

    Parameters
    ----------
    view : str
        ``front``, ``rear``, ``side-left`` or ``side-right`` (see DESIGN.md).
    distance_m : float
        Distance from the camera to the world origin, horizontally.
    height_m : float
        Camera height above the ground.
    focal_px : float
        Focal length in pixels.
    image_size : tuple of int
        ``(width, height)`` in pixels.
    target_height_m : float
        Height of the point the camera looks at (with ``tilt_deg`` 0 the optical
        axis stays level and the principal point is shifted instead, so
        verticals stay vertical).
    azimuth_deg : float
        Moves the camera around the mover (about the vertical through the
        origin, counter-clockwise seen from above) while it keeps facing the
        origin: a camera slightly off the view's axis. 0 = on the axis.
    tilt_deg : float
        Pitches the optical axis down (positive) or up; verticals then converge,
        as with a phone on a low tripod pointed up or a high one pointed down.
        The principal point still puts the target height mid-image.
    roll_deg : float
        Rotates the image about its centre (a phone not held level).
    k1, k2 : float
        Radial lens distortion on normalised image coordinates,
        ``x_d = x (1 + k1 r^2 + k2 r^4)`` (negative k1 = barrel, as in wide
        phone lenses). 0 = ideal pinhole.

    Examples
    --------
    >>> cam = Camera("front")
    >>> uv = cam.project(np.array([[0.0, 0.1, 1.0]]))   # a point on the runner's left
    >>> bool(uv[0, 0] > cam.image_size[0] / 2)           # appears on the image's right
    True
    """

    view: str
    distance_m: float = 3.5
    height_m: float = 0.8
    focal_px: float = 1400.0
    image_size: tuple[int, int] = (1920, 1080)
    target_height_m: float = 0.9
    azimuth_deg: float = 0.0
    tilt_deg: float = 0.0
    roll_deg: float = 0.0
    k1: float = 0.0
    k2: float = 0.0

    def __post_init__(self) -> None:
        if self.view not in _VIEW_DIRECTION:
            raise ValueError(f"unknown view {self.view!r}")

    def _direction(self) -> np.ndarray:
        d = _VIEW_DIRECTION[self.view]
        if self.azimuth_deg == 0.0:
            return d
        a = np.radians(self.azimuth_deg)
        c, s = np.cos(a), np.sin(a)
        return np.array([c * d[0] - s * d[1], s * d[0] + c * d[1], d[2]])

    @property
    def position(self) -> np.ndarray:
        """Camera centre in world coordinates."""
        return self._direction() * self.distance_m + np.array([0.0, 0.0, self.height_m])

    def _axes(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        level = -self._direction()                      # horizontal, towards the runner
        up = np.array([0.0, 0.0, 1.0])
        t = np.radians(self.tilt_deg)
        forward = np.cos(t) * level - np.sin(t) * up    # optical axis (pitched down by tilt)
        right = np.cross(level, up)                     # image x axis
        down = np.cross(forward, right)                 # image y axis
        return right, down, forward

    def project(self, points: np.ndarray) -> np.ndarray:
        """Project world points (..., 3) to image pixels (..., 2); NaN stays NaN."""
        pts = np.asarray(points, dtype=float)
        right, down, forward = self._axes()
        rel = pts - self.position
        xc = rel @ right
        yc = rel @ down
        zc = rel @ forward
        w, h = self.image_size
        cx = w / 2.0
        # Shift the principal point so that the target height sits mid-image.
        depression = np.arctan2(self.height_m - self.target_height_m, self.distance_m)
        cy = h / 2.0 - self.focal_px * np.tan(depression - np.radians(self.tilt_deg))
        with np.errstate(invalid="ignore", divide="ignore"):
            xn = xc / zc
            yn = yc / zc
            if self.k1 != 0.0 or self.k2 != 0.0:
                r2 = xn ** 2 + yn ** 2
                factor = 1.0 + self.k1 * r2 + self.k2 * r2 ** 2
                xn, yn = xn * factor, yn * factor
            u = self.focal_px * xn
            v = self.focal_px * yn
            if self.roll_deg != 0.0:
                r = np.radians(self.roll_deg)
                u, v = np.cos(r) * u - np.sin(r) * v, np.sin(r) * u + np.cos(r) * v
            u = cx + u
            v = cy + v
        out = np.stack([u, v], axis=-1)
        out[~(zc > 0)] = np.nan
        return out
