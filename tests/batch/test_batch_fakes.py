"""Fake pose backends for batch workers (pool processes, Ray actors); no tests here."""

from __future__ import annotations

import os
import time
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
    """

    def __init__(self) -> None:
        super().__init__(sample_keypoints())
        self.delay_s = float(os.environ.get("KT_FAKE_DELAY_S", "0"))

    def process(self, frames: Iterable[Frame]) -> Iterator[FramePose]:
        n = 0
        for pose in super().process(frames):
            n += 1
            if self.delay_s:
                time.sleep(self.delay_s)
            yield pose
        log = os.environ.get("KT_BATCH_LOG")
        if log:
            with Path(log).open("a", encoding="utf-8") as fh:
                fh.write(f"{n}\n")


def sample_replay() -> SampleReplay:
    return SampleReplay()
