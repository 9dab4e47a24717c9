"""Fake pose backends for spawned workers (``test_parallel_fakes:Name``); no tests here."""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from pathlib import Path

import numpy as np

from kneetrack.pose.backend import FramePose
from kneetrack.video.reader import Frame

W, H = 320, 96
SQUARE = 16


def square_x(i: int) -> int:
    """Left edge (px) of the white square in frame ``i``."""
    return (i * 2) % (W - SQUARE)


def write_gop_video(path: Path, *, frames: int, gop: int, fps: int = 30) -> Path:
    """A clip whose frame ``i`` shows a white square at ``square_x(i)``; key frame every ``gop``."""
    import av

    with av.open(str(path), mode="w") as out:
        stream = out.add_stream("libx264", rate=fps)
        stream.width, stream.height = W, H
        stream.pix_fmt = "yuv420p"
        stream.codec_context.gop_size = gop
        stream.options = {"bf": "2", "crf": "10"}
        for i in range(frames):
            img = np.zeros((H, W, 3), np.uint8)
            x = square_x(i)
            img[40:40 + SQUARE, x:x + SQUARE] = 255
            for pkt in stream.encode(av.VideoFrame.from_ndarray(img, format="rgb24")):
                out.mux(pkt)
        for pkt in stream.encode():
            out.mux(pkt)
    return path


class SquareFinder:
    """Finds the white square: marker 0 at its centre (original pixels)."""

    name = "square-finder"
    markers = ("left_knee", "right_knee")
    params: dict[str, object] = {}

    def process(self, frames: Iterable[Frame]) -> Iterator[FramePose]:
        for fr in frames:
            self.check(fr)
            mask = fr.image[..., 0] > 128
            cols = np.nonzero(mask.any(axis=0))[0]
            xy = np.full((2, 2), np.nan)
            if cols.size:
                xy[0] = ((cols.min() + cols.max() + 1) / 2 * fr.scale, 48.0)
                xy[1] = (1.0, 1.0)
            yield FramePose(fr.index, fr.time_s, xy, np.isfinite(xy[:, 0]).astype(float))

    def check(self, fr: Frame) -> None:
        """Hook for failing fakes."""

    def close(self) -> None:
        pass


class FailingBackend(SquareFinder):
    def check(self, fr: Frame) -> None:
        if fr.index == 120:
            raise RuntimeError(f"boom at frame {fr.index}")


class CrashingBackend(SquareFinder):
    def check(self, fr: Frame) -> None:
        if fr.index == 120:
            os._exit(3)


class SlowSquareFinder(SquareFinder):
    def check(self, fr: Frame) -> None:
        import time

        time.sleep(0.05)


def kept_summary(store) -> tuple:
    """Run in the worker on its kept frames: count, size, first index, each frame's square."""
    from kneetrack.video.yuv import planes

    xs = []
    for f in store.frames:
        y = planes(f)[0].astype(int)
        cols = np.flatnonzero(y[40:40 + SQUARE].mean(axis=0) > 128)
        xs.append(int(cols[0]) if cols.size else -1)
    return len(store.frames), store.size, store.first, xs


def kept_fails(store) -> None:
    """Run in the worker: fails."""
    raise RuntimeError("no luck with the kept frames")


def kept_exits(store) -> None:
    """Run in the worker: the process dies."""
    os._exit(3)


class KeepAtVideoSize:
    """A ``while_waiting`` that has one graph keep the frames at the annotated video's size."""

    kept = None

    def __call__(self, plan) -> None:
        pass

    def core_free(self, plan) -> None:
        pass

    def keep_size(self, plan, info):
        from kneetrack.report.video_size import annotated_size

        return annotated_size(info)

    def frames_kept(self, kept) -> None:
        self.kept = kept

    def pose_process(self):
        return None


class PidFinder(SquareFinder):
    """A SquareFinder whose params name the process it runs in."""

    @property
    def params(self) -> dict[str, object]:  # type: ignore[override]
        return {"pid": os.getpid()}


class HandsOver:
    """A ``while_waiting`` holding a pose process started ahead (``warm``), handed over once."""

    def __init__(self, warm) -> None:
        self.warm = warm
        self.asked = 0
        self.kept = None

    def __call__(self, plan) -> None:
        pass

    def core_free(self, plan) -> None:
        pass

    def keep_size(self, plan, info):
        return None

    def frames_kept(self, kept) -> None:
        self.kept = kept

    def pose_process(self):
        self.asked += 1
        warm, self.warm = self.warm, None
        return warm
