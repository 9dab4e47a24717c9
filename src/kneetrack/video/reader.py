"""Read phone videos frame by frame with PyAV: real timestamps, rotation applied, streaming.

Frames are decoded one at a time (never the whole clip in memory). Each frame
carries its presentation time in seconds from the first frame, because phones
record variable frame rates. Rotation metadata (the display matrix phones
write for portrait clips) is applied, so frames come out upright.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import av
import numpy as np

from kneetrack.errors import InputError
from kneetrack.io.common import check_file
from kneetrack.io.load import IMAGE_SUFFIXES

MIN_FPS = 10.0
MAX_FPS = 1000.0


@dataclass(frozen=True)
class VideoInfo:
    """What a video file holds, as displayed (rotation applied to width/height)."""

    path: Path
    width: int
    height: int
    fps: float
    frames: int
    duration_s: float
    rotation_deg: int
    codec: str
    frames_exact: bool = False  # the container states its frame count (mp4/mov do)

    @property
    def image_size(self) -> tuple[int, int]:
        """``(width, height)`` of upright frames."""
        return self.width, self.height


@dataclass(frozen=True)
class Frame:
    """One decoded, upright video frame."""

    index: int
    time_s: float
    image: np.ndarray  # (H, W, 3) uint8 RGB, possibly downscaled
    original_size: tuple[int, int]  # (width, height) before downscaling, upright

    @property
    def scale(self) -> float:
        """Factor from ``image`` pixels to original-video pixels."""
        return self.original_size[0] / self.image.shape[1]


def _open(path: Path) -> av.container.InputContainer:
    try:
        return av.open(str(path), mode="r", metadata_errors="ignore")
    except av.error.FFmpegError as err:
        raise InputError(f"{path} is not a readable video ({_short(err)})") from None


def _short(err: Exception) -> str:
    msg = str(err).split(":")[0] if isinstance(err, av.error.FFmpegError) else str(err)
    return getattr(err, "strerror", None) or msg


def _rotation(stream: av.video.stream.VideoStream, first: av.VideoFrame | None) -> int:
    """Counter-clockwise rotation (degrees, multiple of 90) that makes frames upright."""
    rot = 0.0
    if first is not None:
        try:
            rot = float(first.rotation or 0.0)
        except (AttributeError, ValueError):
            rot = 0.0
    if rot == 0.0:
        tag = stream.metadata.get("rotate") if stream.metadata else None
        if tag:
            try:
                rot = -float(tag)  # the legacy tag is clockwise
            except ValueError:
                rot = 0.0
    return int(round(rot / 90.0)) * 90 % 360


def _upright(image: np.ndarray, rotation_deg: int) -> np.ndarray:
    k = (rotation_deg // 90) % 4
    return np.ascontiguousarray(np.rot90(image, k=k)) if k else image


def probe_video(path: str | Path) -> VideoInfo:
    """Return the :class:`VideoInfo` of a video, or raise :class:`InputError` with one clear line.

    Decodes the first frame to check that the file really is a playable video.
    """
    p = check_file(path)
    if p.suffix.lower() in IMAGE_SUFFIXES:
        raise InputError(f"{p} is a still image; kneetrack needs a video of running")
    with _open(p) as container:
        if not container.streams.video:
            raise InputError(f"{p} has no video stream")
        stream = container.streams.video[0]
        first = None
        try:
            for frame in container.decode(stream):
                first = frame
                break
        except av.error.FFmpegError as err:
            raise InputError(f"{p} is corrupt: no frame could be decoded ({_short(err)})") from None
        if first is None:
            raise InputError(f"{p} is corrupt or truncated: no frame could be decoded")
        codec = stream.codec_context.name or "unknown"
        if codec in ("png", "mjpeg", "bmp", "gif", "webp", "tiff") and (stream.frames or 0) <= 1:
            raise InputError(f"{p} is a still image; kneetrack needs a video of running")
        rate = stream.average_rate or stream.guessed_rate or stream.base_rate
        fps = float(rate) if rate else math.nan
        duration = _duration(container, stream)
        frames = int(stream.frames or 0)
        exact = frames > 0
        if (not math.isfinite(fps) or fps <= 0) and frames and duration:
            fps = frames / duration
        if not math.isfinite(fps) or not (MIN_FPS <= fps <= MAX_FPS):
            raise InputError(f"{p}: frame rate {fps:.3g} fps is not a usable video frame rate")
        if frames <= 0:
            frames = int(round(duration * fps)) if duration else 0
        if frames == 1 or (duration is not None and duration <= 0):
            raise InputError(f"{p} holds a single image, not a video of running")
        rotation = _rotation(stream, first)
        w, h = first.width, first.height
        if rotation in (90, 270):
            w, h = h, w
        return VideoInfo(path=p, width=w, height=h, fps=fps, frames=frames,
                         duration_s=float(duration or frames / fps), rotation_deg=rotation,
                         codec=codec, frames_exact=exact)


def _duration(container: av.container.InputContainer,
              stream: av.video.stream.VideoStream) -> float | None:
    if stream.duration is not None and stream.time_base is not None:
        return float(stream.duration * stream.time_base)
    if container.duration is not None:
        return container.duration / 1_000_000
    return None


def frame_to_rgb(frame: av.VideoFrame, width: int | None = None,
                 height: int | None = None) -> np.ndarray:
    """Convert a decoded frame to RGB uint8, scaling (bilinear) if asked.

    Scaling YUV 4:2:0 frames plane by plane with OpenCV, then converting, costs
    about half of swscale's scaled conversion (:func:`kneetrack.video.yuv.scaled_rgb`);
    other pixel formats are scaled by swscale with its fast bilinear filter.
    Pose estimation resamples to 256 px anyway, so the filter does not matter
    for landmarks.
    """
    if width is None or height is None or (width, height) == (frame.width, frame.height):
        return frame.to_ndarray(format="rgb24")
    from kneetrack.video.yuv import scaled_rgb

    rgb = scaled_rgb(frame, width, height)
    if rgb is not None:
        return rgb
    return frame.reformat(width=width, height=height, format="rgb24",
                          interpolation="FAST_BILINEAR").to_ndarray()


def _target_size(width: int, height: int, max_side_px: int | None) -> tuple[int, int]:
    if not max_side_px or max(width, height) <= max_side_px:
        return width, height
    s = max_side_px / max(width, height)
    return max(2, int(round(width * s / 2)) * 2), max(2, int(round(height * s / 2)) * 2)


def decode_frames(
    info: VideoInfo,
    *,
    stop: int | None = None,
    options: dict[str, str] | None = None,
    threads: str = "AUTO",
) -> Iterator[tuple[int, float, av.VideoFrame]]:
    """Yield ``(index, time_s, frame)`` for every decoded frame, from the first.

    ``time_s`` is the presentation time from the first frame, kept strictly
    increasing. ``options`` are decoder options; ``threads`` the decoder's
    threading (``"AUTO"``, or ``"SLICE"`` when every core is already busy).

    Raises
    ------
    InputError
        If the video cannot be decoded, or breaks off (truncated/corrupt) before
        its last frame.
    """
    p = info.path
    with _open(p) as container:
        stream = container.streams.video[0]
        stream.thread_type = threads
        if options:
            stream.codec_context.options = dict(options)
        tb = stream.time_base or Fraction(1, 1)
        t0: float | None = None
        last_t = -math.inf
        index = -1
        try:
            for frame in container.decode(stream):
                index += 1
                if stop is not None and index >= stop:
                    break
                if frame.pts is not None:
                    t = float(frame.pts * tb)
                else:
                    t = index / info.fps if t0 is None else last_t + 1.0 / info.fps
                if t0 is None:
                    t0 = t
                rel = t - t0
                if rel <= last_t:  # duplicate or out-of-order timestamps: keep strictly increasing
                    rel = last_t + 1e-4
                last_t = rel
                yield index, rel, frame
        except av.error.FFmpegError as err:
            raise InputError(
                f"{p} is corrupt or truncated: decoding failed after frame {index} ({_short(err)})"
            ) from None
        if index < 0:
            raise InputError(f"{p} is corrupt or truncated: no frame could be decoded")
        decoded = index + 1
        if stop is None and info.frames_exact and decoded < 0.95 * info.frames - 1:
            raise InputError(
                f"{p} is truncated: only {decoded} of its {info.frames} frames could be decoded"
            )


def iter_frames(
    path: str | Path,
    *,
    max_side_px: int | None = None,
    start: int = 0,
    stop: int | None = None,
    info: VideoInfo | None = None,
) -> Iterator[Frame]:
    """Yield upright RGB frames with their times, one at a time.

    Parameters
    ----------
    path
        The video file.
    max_side_px
        Downscale frames so that their longer side is at most this many pixels
        (decode memory and resize cost, not pose accuracy, depend on it).
    start, stop
        Yield only frames with ``start <= index < stop`` (decoding still starts at
        the beginning, so that indices and times are exact).
    info
        The video's :class:`VideoInfo`, if already probed.

    Raises
    ------
    InputError
        If the video cannot be decoded, or breaks off (truncated/corrupt) before
        its last frame.
    """
    info = info or probe_video(path)
    tw, th = None, None
    for index, rel, frame in decode_frames(info, stop=stop):
        if index < start:
            continue
        if tw is None:
            fw, fh = frame.width, frame.height
            if info.rotation_deg in (90, 270):
                tw, th = _target_size(fh, fw, max_side_px)
                tw, th = th, tw  # reformat before rotating
            else:
                tw, th = _target_size(fw, fh, max_side_px)
        img = frame_to_rgb(frame, tw, th)
        yield Frame(index=index, time_s=rel, image=_upright(img, info.rotation_deg),
                    original_size=info.image_size)
