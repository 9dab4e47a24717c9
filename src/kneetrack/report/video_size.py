"""The annotated video's size: no imports beyond the standard library.

Kept apart from :mod:`kneetrack.report.video` (OpenCV, PyAV) so that the
main process can choose the size at which the pose process keeps a short
clip's frames before it has loaded either.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from kneetrack.video.reader import VideoInfo


def even(n: int) -> int:
    """``n``, or the even number below it."""
    return n - (n % 2)


def auto_max_side(fps: float) -> int:
    """Longer side (px) of the annotated video by default: 1280 up to 30 frames/s, else 960.

    720p is plenty on a phone. Above 30 frames/s the annotated video is 540p, so
    that a second of it costs about as much to draw, encode and store as a 720p
    one at 30 frames/s: at 60 frames/s, 540p has the pixel rate of 720p at 34.
    The runner's motion, which is why people film at 60 frames/s or more, keeps
    every frame.
    """
    return 1280 if fps <= 31.0 else 960


def scaled_size(width: int, height: int, max_side_px: int | None) -> tuple[int, int]:
    """Size after limiting the longer side to ``max_side_px`` (aspect kept, even numbers)."""
    if not max_side_px or max(width, height) <= max_side_px:
        return width, height
    f = max_side_px / max(width, height)
    return max(2, int(round(width * f / 2)) * 2), max(2, int(round(height * f / 2)) * 2)


def annotated_size(info: VideoInfo, max_side_px: int | str | None = "auto") -> tuple[int, int]:
    """``(width, height)`` of the annotated video of ``info`` (upright, even numbers).

    ``max_side_px`` as :class:`~kneetrack.report.video.VideoOverlay` takes it
    (``"auto"``: :func:`auto_max_side`).
    """
    sw, sh = overlay_scaled(info, max_side_px)
    return even(sw), even(sh)


def overlay_scaled(info: VideoInfo, max_side_px: int | str | None) -> tuple[int, int]:
    """The input's upright size scaled for the annotated video (before evening out)."""
    limit = auto_max_side(info.fps) if max_side_px == "auto" else max_side_px
    return scaled_size(info.width, info.height, int(limit) if limit is not None else None)
