"""A fake pose backend that replays known keypoints, for tests without MediaPipe."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import numpy as np

from kneetrack.keypoints import Keypoints
from kneetrack.pose.backend import FramePose
from kneetrack.video.reader import Frame


class ReplayBackend:
    """Return, for frame ``i``, row ``i`` of the given keypoints (NaN past their end).

    Parameters
    ----------
    keypoints : Keypoints
        What to replay. Coordinates are taken to be in original video pixels.
    """

    name = "replay"

    def __init__(self, keypoints: Keypoints) -> None:
        self.keypoints = keypoints
        self.markers = keypoints.markers
        self.frames_seen_: list[int] = []

    def process(self, frames: Iterable[Frame]) -> Iterator[FramePose]:
        """Yield the stored pose of each frame's index."""
        kp = self.keypoints
        m = len(self.markers)
        for fr in frames:
            self.frames_seen_.append(fr.index)
            if fr.index < kp.n_frames:
                xy, conf = kp.xy[fr.index].copy(), kp.confidence[fr.index].copy()
            else:
                xy, conf = np.full((m, 2), np.nan), np.zeros(m)
            yield FramePose(index=fr.index, time_s=fr.time_s, xy=xy, confidence=conf)

    def close(self) -> None:
        """Nothing to release."""
