"""Frames kept in YUV 4:2:0: the cheap path from decoder to encoder.

H.264 decoders hand out YUV 4:2:0 and H.264 encoders take it. Converting to RGB
and back only to draw a skeleton costs more than drawing itself, so the
annotated video keeps frames in YUV from decoder to encoder: the decoded
frame's planes are read in place (numpy views, no copy), resized with OpenCV
one plane at a time and rotated upright straight into a new encoder frame,
drawn on there (:mod:`kneetrack.report.canvas`) and encoded.

Values are limited range (16–235 luma), as in phone video; the colour matrix
(BT.709 or BT.601) decides how RGB drawing colours map to YUV.
"""

from __future__ import annotations

from typing import Any, cast

import av
import cv2
import numpy as np

#: Luma/chroma coefficients (Kr, Kb) of the two matrices in use.
_MATRICES = {"bt709": (0.2126, 0.0722), "bt601": (0.299, 0.114)}
#: FFmpeg codes (AVColorSpace, AVColorPrimaries, AVColorTransferCharacteristic) per matrix.
COLOR_TAGS = {"bt709": (1, 1, 1), "bt601": (6, 6, 6)}
_SWS_SPACE = {"bt709": "ITU709", "bt601": "ITU601"}
_ROTATE = {90: cv2.ROTATE_90_COUNTERCLOCKWISE, 180: cv2.ROTATE_180,
           270: cv2.ROTATE_90_CLOCKWISE}

Planes = tuple[np.ndarray, np.ndarray, np.ndarray]


def planes(frame: av.VideoFrame) -> Planes:
    """Writable numpy views of a yuv420p frame's Y, U and V planes (no copy)."""
    out = []
    for p in frame.planes:
        a = np.frombuffer(cast(Any, p), np.uint8).reshape(-1, p.line_size)  # buffer protocol
        out.append(a[:p.height, :p.width])
    return out[0], out[1], out[2]


def new_frame(width: int, height: int) -> av.VideoFrame:
    """A new yuv420p frame of ``width`` × ``height`` (both even); contents undefined."""
    if width % 2 or height % 2:
        raise ValueError(f"YUV 4:2:0 needs an even size, got {width}×{height}")
    return av.VideoFrame(width, height, "yuv420p")


def matrix_of(frame: av.VideoFrame) -> str:
    """The colour matrix of a decoded frame: as tagged, else as players guess it.

    Untagged video is taken as BT.709 from 720 lines up and BT.601 below, as
    browsers and players do; the annotated video is then tagged explicitly, so
    that its colours do not change when it is scaled below 720 lines.
    """
    code = int(getattr(frame, "colorspace", 2) or 2)
    if code in (5, 6):  # BT.470BG, SMPTE 170M
        return "bt601"
    if code == 2:  # unspecified
        return "bt709" if min(frame.width, frame.height) >= 720 else "bt601"
    return "bt709"


def _filter(src_width: int, dst_width: int) -> int:
    """The OpenCV filter for a downscale: bilinear down to half size, area averaging below.

    Bilinear is cheap and clean down to half size; below (4K to 720p) it would
    skip pixels and alias, so the pixels are averaged instead.
    """
    return cv2.INTER_LINEAR if 2 * dst_width >= src_width else cv2.INTER_AREA


def resize_into(src: av.VideoFrame, dst: av.VideoFrame, rotation_deg: int = 0) -> None:
    """Scale (bilinear) and rotate a decoded frame into ``dst``, whose size is the upright one.

    Limited-range 8-bit 4:2:0 frames (what phones record in H.264) are read in
    place and resized plane by plane with OpenCV, several times cheaper than
    swscale's scaled conversion; anything else (10-bit HDR, full range, 4:2:2)
    is converted by swscale first.
    """
    rot = rotation_deg % 360
    sw, sh = (dst.height, dst.width) if rot in (90, 270) else (dst.width, dst.height)
    if src.format.name != "yuv420p" or src.width % 2 or src.height % 2:
        src = src.reformat(width=sw, height=sh, format="yuv420p",
                           interpolation="FAST_BILINEAR")
    sizes = ((sw, sh), (sw // 2, sh // 2), (sw // 2, sh // 2))
    for s, d, size in zip(planes(src), planes(dst), sizes, strict=True):
        if rot == 0:
            if (s.shape[1], s.shape[0]) == size:
                d[:] = s
            else:
                cv2.resize(s, size, dst=d, interpolation=_filter(s.shape[1], size[0]))
        else:
            small = s if (s.shape[1], s.shape[0]) == size else cv2.resize(
                s, size, interpolation=_filter(s.shape[1], size[0]))
            d[:] = cv2.rotate(small, _ROTATE[rot])


def scaled_rgb(frame: av.VideoFrame, width: int, height: int, *,
               keep: av.VideoFrame | None = None) -> np.ndarray | None:
    """A decoded yuv420p frame scaled (bilinear) to ``width`` × ``height`` RGB, or ``None``.

    The planes are resized with OpenCV into one I420 buffer and converted by
    OpenCV (BT.601, as swscale does for untagged video): about half the cost of
    swscale's scaled conversion. ``None`` when the frame is not plain 8-bit
    4:2:0 or a size is odd (callers then use swscale).

    ``keep``: a yuv420p frame of ``width`` × ``height`` that also receives the
    scaled planes (a copy, cheaper than scaling again; what
    :func:`resize_into` would write, for a frame that needs no rotation).
    """
    if (frame.format.name != "yuv420p" or (frame.width | frame.height | width | height) & 1):
        return None
    buf = np.empty((height * 3 // 2, width), np.uint8)
    flat = buf.reshape(-1)
    n, q = width * height, (width // 2) * (height // 2)
    dst = (flat[:n].reshape(height, width), flat[n:n + q].reshape(height // 2, width // 2),
           flat[n + q:].reshape(height // 2, width // 2))
    for s, d in zip(planes(frame), dst, strict=True):
        cv2.resize(s, (d.shape[1], d.shape[0]), dst=d,
                   interpolation=_filter(s.shape[1], d.shape[1]))
    if keep is not None:
        if (keep.width, keep.height) != (width, height):
            raise ValueError(f"keep frame is {keep.width}×{keep.height}, not {width}×{height}")
        for d, k in zip(dst, planes(keep), strict=True):
            k[:] = d
    return cv2.cvtColor(buf, cv2.COLOR_YUV2RGB_I420)


def to_rgb(frame: av.VideoFrame, matrix: str = "bt709") -> np.ndarray:
    """A yuv420p frame as an ``(H, W, 3)`` RGB image."""
    space = _SWS_SPACE[matrix]
    return frame.reformat(format="rgb24", src_colorspace=space,
                          dst_colorspace=space).to_ndarray()


def rgb_to_yuv(rgb: tuple[int, int, int], matrix: str = "bt709") -> tuple[int, int, int]:
    """One RGB colour (0–255) as limited-range ``(Y, U, V)``."""
    kr, kb = _MATRICES[matrix]
    r, g, b = (c / 255.0 for c in rgb)
    y = kr * r + (1 - kr - kb) * g + kb * b
    u = (b - y) / (2 * (1 - kb))
    v = (r - y) / (2 * (1 - kr))
    return (int(round(16 + 219 * y)), int(round(128 + 224 * u)), int(round(128 + 224 * v)))
