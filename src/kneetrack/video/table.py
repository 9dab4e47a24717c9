"""Random access to a video's frames: the frame table (from packets) and range decoding.

Parallel pose estimation and the parallel annotated-video render both split a
video into chunks of consecutive frames, each decoded by its own process. They
need the exact index and time of every frame without decoding the frames
before it: :func:`frame_table` demuxes the packets (no decoding, milliseconds
per thousand frames) for that, and :func:`decode_range` seeks to the key frame
before a chunk and yields the chunk's decoded frames with their video-wide
indices, checking each against the table.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from fractions import Fraction

import av
import numpy as np

from kneetrack.errors import InputError
from kneetrack.video.reader import VideoInfo


@dataclass(frozen=True)
class FrameTable:
    """Presentation timestamps of every frame of a video, from its packets.

    ``pts[i]`` is frame ``i``'s timestamp in stream time base units, ``key[i]``
    whether it is a key frame; ``time_s[i]`` its time in seconds from the first
    frame, computed exactly as :func:`kneetrack.video.iter_frames` does.
    """

    pts: np.ndarray
    key: np.ndarray
    time_s: np.ndarray

    @property
    def n_frames(self) -> int:
        """Number of frames."""
        return int(self.pts.size)


def frame_table(info: VideoInfo) -> FrameTable | None:
    """Demux (not decode) the video stream and return its :class:`FrameTable`.

    Returns ``None`` when the packets do not give a reliable one-to-one map of
    frames (missing or duplicate timestamps); callers then decode sequentially.
    """
    pts: list[int] = []
    key: list[bool] = []
    try:
        with av.open(str(info.path), mode="r", metadata_errors="ignore") as container:
            stream = container.streams.video[0]
            tb = stream.time_base or Fraction(1, 1)
            for pkt in container.demux(stream):
                if pkt.size == 0 and pkt.pts is None:
                    continue  # the flush packet
                if getattr(pkt, "is_discard", False):
                    continue  # dropped by the decoder (edit lists)
                if pkt.pts is None:
                    return None
                pts.append(int(pkt.pts))
                key.append(bool(pkt.is_keyframe))
    except av.error.FFmpegError:
        return None
    if len(pts) < 2:
        return None
    order = np.argsort(np.asarray(pts, dtype=np.int64), kind="stable")
    p = np.asarray(pts, dtype=np.int64)[order]
    if np.any(np.diff(p) <= 0):
        return None
    k = np.asarray(key, dtype=bool)[order]
    t = p.astype(float) * float(tb)
    rel = t - t[0]
    return FrameTable(pts=p, key=k, time_s=rel)


class SeekFailedError(Exception):
    """Seeking did not land on or before the wanted frame; decode from the start instead."""


def decode_range(info: VideoInfo, pts: np.ndarray, first: int, *, seek: bool,
                 options: Mapping[str, str] | None = None,
                 ) -> Iterator[tuple[int, av.VideoFrame]]:
    """Yield ``(index, frame)`` for frames ``first .. first + len(pts) - 1`` of the video.

    Parameters
    ----------
    info
        The probed video.
    pts
        The :class:`FrameTable` timestamps of the wanted frames.
    first
        Video-wide index of the first wanted frame.
    seek
        Seek to the key frame before ``first`` (otherwise decode from the start;
        frames before the range are decoded but not yielded).
    options
        Decoder options (e.g. ``{"skip_loop_filter": "all"}`` for a cheaper decode).

    Raises
    ------
    SeekFailedError
        The decoder's frames do not match the table (retry with ``seek=False``).
    InputError
        The video breaks off or cannot be decoded.
    """
    stop = first + len(pts)
    with av.open(str(info.path), mode="r", metadata_errors="ignore") as container:
        stream = container.streams.video[0]
        # One decode thread per process: callers already use every core.
        stream.thread_type = "SLICE"
        if options:
            stream.codec_context.options = dict(options)
        want = int(pts[0])
        if seek and first > 0:
            container.seek(want, stream=stream, backward=True, any_frame=False)
        expected = first
        try:
            for frame in container.decode(stream):
                if frame.pts is None:
                    raise SeekFailedError
                if frame.pts < want:
                    continue  # between the key frame and the range: decoded, not yielded
                i = expected - first
                if i >= len(pts):
                    break
                if frame.pts != pts[i]:
                    raise SeekFailedError
                yield expected, frame
                expected += 1
                if expected >= stop:
                    break
        except av.error.FFmpegError as err:
            raise InputError(f"{info.path} is corrupt or truncated: decoding failed near frame "
                             f"{expected} ({str(err).split(':')[0]})") from None
        if expected < stop:
            if expected == first:
                raise SeekFailedError
            raise InputError(f"{info.path} is corrupt or truncated: decoding stopped at frame "
                             f"{expected} of {info.frames}")
