"""Fake pose backends for batch workers (pool processes, Ray actors); no tests here."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterable, Iterator
from pathlib import Path

from kneetrack.pose.backend import FramePose
from kneetrack.pose.fake import ReplayBackend
from kneetrack.video.reader import Frame


def sample_keypoints():
    from kneetrack.io.load import load_keypoints
    from kneetrack.samples import sample_path

    return load_keypoints(sample_path("runner_front_60fps.trc"))


class SampleReplay(ReplayBackend):
    """Replays the packaged front-view runner; logs each finished video's length to $KT_BATCH_LOG.

    Test videos have distinct lengths, so the log says which videos were run.

    With ``$KT_FAKE_STOP_FIFO`` (a named pipe) and ``$KT_FAKE_STOP_AFTER`` (N), the
    backend stops before its (N+1)th video: it writes one line to the pipe, so a
    test waiting on it knows that N videos are finished, and blocks until killed.
    """

    def __init__(self) -> None:
        super().__init__(sample_keypoints())
        self.stop_fifo = os.environ.get("KT_FAKE_STOP_FIFO")
        self.stop_after = int(os.environ.get("KT_FAKE_STOP_AFTER", "0"))
        self.videos = 0

    def _stop_here(self) -> None:
        assert self.stop_fifo is not None
        with open(self.stop_fifo, "w", encoding="utf-8") as fh:  # noqa: PTH123 - a FIFO
            fh.write(f"stopped after {self.videos}\n")
        threading.Event().wait()  # until the test kills this process

    def process(self, frames: Iterable[Frame]) -> Iterator[FramePose]:
        if self.stop_fifo and self.videos == self.stop_after:
            self._stop_here()
        self.videos += 1
        n = 0
        for pose in super().process(frames):
            n += 1
            yield pose
        log = os.environ.get("KT_BATCH_LOG")
        if log:
            with Path(log).open("a", encoding="utf-8") as fh:
                fh.write(f"{n}\n")


def sample_replay() -> SampleReplay:
    return SampleReplay()
