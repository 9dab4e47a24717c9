"""Shared fixtures: where the real data lives, and small video/keypoint factories."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = (REPO / ".." / "shared" / "data").resolve()


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The real test data folder (``../shared/data``); skips when absent outside CI."""
    if not SHARED_DATA.is_dir():
        if os.environ.get("CI"):
            pytest.fail(f"shared data folder missing in CI: {SHARED_DATA}")
        pytest.skip(f"shared data folder not found: {SHARED_DATA}")
    return SHARED_DATA


def write_video(
    path: Path,
    *,
    frames: int = 12,
    fps: int = 30,
    size: tuple[int, int] = (64, 48),
    codec: str = "libx264",
    painter: Callable[[int, int, int], np.ndarray] | None = None,
    rotate_tag: int | None = None,
) -> Path:
    """Write a small test video with PyAV; ``painter(i, w, h)`` returns an RGB frame."""
    import av

    w, h = size
    options = {}
    with av.open(str(path), mode="w") as out:
        stream = out.add_stream(codec, rate=fps)
        stream.width, stream.height = w, h
        stream.pix_fmt = "yuv420p"
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


@pytest.fixture
def make_video(tmp_path: Path) -> Callable[..., Path]:
    """Factory: ``make_video("name.mp4", frames=..., fps=..., codec=...)``."""

    def _make(name: str = "clip.mp4", **kw: object) -> Path:
        return write_video(tmp_path / name, **kw)  # type: ignore[arg-type]

    return _make
