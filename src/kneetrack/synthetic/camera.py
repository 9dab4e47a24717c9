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
        Height of the point the camera looks at (the optical axis stays level;
        the principal point is shifted instead, so verticals stay vertical).

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

    def __post_init__(self) -> None:
        if self.view not in _VIEW_DIRECTION:
            raise ValueError(f"unknown view {self.view!r}")

    @property
    def position(self) -> np.ndarray:
        """Camera centre in world coordinates."""
        d = _VIEW_DIRECTION[self.view]
        return d * self.distance_m + np.array([0.0, 0.0, self.height_m])

    def _axes(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        forward = -_VIEW_DIRECTION[self.view]          # optical axis, towards the runner
        up = np.array([0.0, 0.0, 1.0])
        right = np.cross(forward, up)                   # image x axis
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
        cy = h / 2.0 - self.focal_px * (self.height_m - self.target_height_m) / self.distance_m
        with np.errstate(invalid="ignore", divide="ignore"):
            u = cx + self.focal_px * xc / zc
            v = cy + self.focal_px * yc / zc
        out = np.stack([u, v], axis=-1)
        out[~(zc > 0)] = np.nan
        return out
