"""Small test videos written with PyAV (importable from any test as ``video_factory``)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np


def write_video(
    path: Path,
    *,
    frames: int = 12,
    fps: int = 30,
    size: tuple[int, int] = (64, 48),
    codec: str = "libx264",
    painter: Callable[[int, int, int], np.ndarray] | None = None,
    rotate_tag: int | None = None,
    gop: int | None = None,
) -> Path:
    """Write a small test video with PyAV; ``painter(i, w, h)`` returns an RGB frame.

    ``gop``: a key frame every this many frames (the encoder's default otherwise).
    """
    import av

    w, h = size
    options = {}
    with av.open(str(path), mode="w") as out:
        stream = out.add_stream(codec, rate=fps)
        stream.width, stream.height = w, h
        stream.pix_fmt = "yuv420p"
        if gop is not None:
            stream.codec_context.gop_size = gop
            stream.options = {"x264-params": f"keyint={gop}:min-keyint={gop}:scenecut=0"}
        if rotate_tag is not None:
            stream.metadata["rotate"] = str(rotate_tag)
        for i in range(frames):
            if painter is None:
                img = np.zeros((h, w, 3), np.uint8)
                img[:, : (i * 5) % w] = (200, 30, 30)
                img[: h // 4, : w // 4] = (0, 255, 0)  # a marker in the top-left corner
            else:
                img = painter(i, w, h)
            frame = av.VideoFrame.from_ndarray(img, format="rgb24")
            for packet in stream.encode(frame):
                out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)
    del options
    return path
