"""Drawing on a YUV 4:2:0 frame: lines, circles, boxes, text, shading and blur, in RGB colours.

:class:`YuvCanvas` wraps a yuv420p frame (:mod:`kneetrack.video.yuv`) and draws
each shape on the luma plane at full resolution and on the two chroma planes
at half resolution (OpenCV's fixed-point ``shift`` keeps sub-pixel positions
exact there), so the annotated video never converts frames to RGB and back.
Colours are given in RGB and converted once to the frame's colour matrix.
Coordinates are integer pixels of the full-resolution frame.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache

import av
import cv2
import numpy as np

from kneetrack.video.yuv import planes, rgb_to_yuv

Point = tuple[int, int]
RGB = tuple[int, int, int]
AA = cv2.LINE_AA
FONT = cv2.FONT_HERSHEY_SIMPLEX


@lru_cache(maxsize=64)
def _yuv(rgb: RGB, matrix: str) -> tuple[tuple[int], tuple[int], tuple[int]]:
    """The colour as one-channel OpenCV colours for the Y, U and V planes."""
    y, u, v = rgb_to_yuv(rgb, matrix)
    return (y,), (u,), (v,)


def _half_thickness(t: int) -> int:
    return t if t < 0 else max(1, (t + 1) // 2)


class YuvCanvas:
    """Draw on a yuv420p frame in place.

    Parameters
    ----------
    frame
        The frame (modified in place).
    matrix
        ``"bt709"`` or ``"bt601"``: how RGB colours map to YUV.
    """

    def __init__(self, frame: av.VideoFrame, matrix: str = "bt709") -> None:
        self.frame = frame
        self.matrix = matrix
        self.y, self.u, self.v = planes(frame)
        self.height, self.width = self.y.shape

    # ------------------------------------------------------------------ shapes
    def _planes(self, draw: Callable[[np.ndarray, tuple[int], int, int], object], rgb: RGB,
                thickness: int) -> None:
        """``draw(plane, colour, thickness, shift)`` on Y, then on U and V at half size."""
        y, u, v = _yuv(rgb, self.matrix)
        draw(self.y, y, thickness, 0)
        t = _half_thickness(thickness)
        draw(self.u, u, t, 1)  # shift 1: full-size coordinates land at half
        draw(self.v, v, t, 1)

    def line(self, p0: Point, p1: Point, rgb: RGB, thickness: int) -> None:
        """An anti-aliased line."""
        self._planes(lambda img, c, t, s: cv2.line(img, p0, p1, c, t, AA, s), rgb, thickness)

    def circle(self, centre: Point, radius: int, rgb: RGB, thickness: int) -> None:
        """An anti-aliased circle (``thickness`` < 0: filled)."""
        self._planes(lambda img, c, t, s: cv2.circle(img, centre, radius, c, t, AA, s), rgb,
                     thickness)

    def ellipse(self, centre: Point, axes: Point, rgb: RGB, thickness: int) -> None:
        """An anti-aliased, axis-aligned ellipse (``thickness`` < 0: filled)."""
        self._planes(lambda img, c, t, s: cv2.ellipse(img, centre, axes, 0, 0, 360, c, t, AA, s),
                     rgb, thickness)

    def rectangle(self, p0: Point, p1: Point, rgb: RGB, thickness: int) -> None:
        """A rectangle outline (``thickness`` < 0: filled)."""
        self._planes(lambda img, c, t, s: cv2.rectangle(img, p0, p1, c, t, cv2.LINE_8, s), rgb,
                     thickness)

    def text(self, text: str, org: Point, scale: float, rgb: RGB, thickness: int) -> None:
        """Anti-aliased text with its baseline starting at ``org``."""
        y, u, v = _yuv(rgb, self.matrix)
        cv2.putText(self.y, text, org, FONT, scale, y, thickness, AA)
        half = (org[0] // 2, org[1] // 2)
        t = max(1, thickness // 2)
        cv2.putText(self.u, text, half, FONT, scale / 2, u, t, AA)
        cv2.putText(self.v, text, half, FONT, scale / 2, v, t, AA)

    @staticmethod
    def text_size(text: str, scale: float, thickness: int) -> tuple[int, int]:
        """``(width, height)`` of ``text`` above its baseline."""
        (w, h), _ = cv2.getTextSize(text, FONT, scale, thickness)
        return w, h

    # ------------------------------------------------------------------ regions
    def shade(self, x0: int, y0: int, x1: int, y1: int, alpha: float) -> None:
        """Darken a box towards black by ``alpha`` (0: unchanged, 1: black)."""
        x0, x1 = max(0, x0), min(self.width, x1)
        y0, y1 = max(0, y0), min(self.height, y1)
        if x1 <= x0 or y1 <= y0:
            return
        keep = 1.0 - alpha
        roi = self.y[y0:y1, x0:x1]
        cv2.convertScaleAbs(roi, dst=roi, alpha=keep, beta=16 * alpha)  # black is 16
        for plane in (self.u, self.v):
            roi = plane[y0 // 2:(y1 + 1) // 2, x0 // 2:(x1 + 1) // 2]
            cv2.convertScaleAbs(roi, dst=roi, alpha=keep, beta=128 * alpha)  # grey is 128

    def blur_disc(self, x: float, y: float, r: float) -> None:
        """Blur a disc (soft edge) beyond recognition: used for faces."""
        blur_disc(self.y, x, y, r)
        blur_disc(self.u, x / 2, y / 2, r / 2)
        blur_disc(self.v, x / 2, y / 2, r / 2)


def blur_disc(image: np.ndarray, x: float, y: float, r: float) -> None:
    """Blur a disc of ``image`` (2-D, or 3-D with channels last) in place, soft edge.

    The disc is reduced to five cells across (area average) and smoothly
    enlarged back (bilinear): no facial detail survives, and it costs a few
    tens of microseconds whatever the disc's size.
    """
    h, w = image.shape[:2]
    r = max(r, 2.0)
    x0, x1 = max(int(x - r), 0), min(int(x + r) + 1, w)
    y0, y1 = max(int(y - r), 0), min(int(y + r) + 1, h)
    if x1 <= x0 or y1 <= y0:
        return
    roi = image[y0:y1, x0:x1]
    rh, rw = roi.shape[:2]
    cells = max(1, round(5 * min(rw, rh) / (2 * r)))
    small = cv2.resize(roi, (cells, cells), interpolation=cv2.INTER_AREA)
    blurred = cv2.resize(small, (rw, rh), interpolation=cv2.INTER_LINEAR)
    yy, xx = np.ogrid[y0:y1, x0:x1]
    d = np.sqrt((xx - np.float32(x)) ** 2 + (yy - np.float32(y)) ** 2, dtype=np.float32)
    alpha = np.clip((r - d) / np.float32(0.15 * r), 0.0, 1.0)
    if roi.ndim == 3:
        alpha = alpha[..., None]
    roi[:] = (roi + alpha * (blurred.astype(np.float32) - roi)).astype(np.uint8)
