"""The pose backend protocol: frames in, one pose per frame out.

A backend turns upright RGB frames (:class:`kneetrack.video.Frame`) into
:class:`FramePose` objects in canonical marker order; :func:`poses_to_keypoints`
assembles them into the hub type. MediaPipe BlazePose is the production
backend; :class:`~kneetrack.pose.fake.ReplayBackend` replays known keypoints so
that most tests need neither MediaPipe nor a real video.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

import numpy as np

from kneetrack.keypoints import Keypoints
from kneetrack.video.reader import Frame


@dataclass(frozen=True)
class FramePose:
    """The pose found in one frame (or none).

    ``xy`` is (markers, 2) in ORIGINAL video pixels (upright), NaN where
    missing; ``confidence`` is (markers,), 0 where missing.
    """

    index: int
    time_s: float
    xy: np.ndarray
    confidence: np.ndarray

    @property
    def detected(self) -> bool:
        """Whether any marker was found."""
        return bool(np.isfinite(self.xy).any())


@runtime_checkable
class PoseBackend(Protocol):
    """Frames in, poses out. Implementations hold their own model state (tracking)."""

    name: str
    markers: tuple[str, ...]

    def process(self, frames: Iterable[Frame]) -> Iterator[FramePose]:
        """Yield one :class:`FramePose` per frame, in order."""
        ...

    def close(self) -> None:
        """Release the model."""
        ...


def poses_to_keypoints(
    poses: Sequence[FramePose],
    *,
    markers: Sequence[str],
    fps: float,
    image_size: tuple[int, int],
    source: str,
    params: dict[str, object] | None = None,
) -> Keypoints:
    """Assemble per-frame poses into :class:`Keypoints` (times from the frames)."""
    n = len(poses)
    m = len(markers)
    xy = np.full((n, m, 2), np.nan)
    conf = np.zeros((n, m))
    t = np.empty(n)
    for i, p in enumerate(poses):
        xy[i] = p.xy
        conf[i] = p.confidence
        t[i] = p.time_s
    kp = Keypoints(xy=xy, confidence=conf, markers=tuple(markers), time_s=t - t[0], fps=fps,
                   image_size=image_size, source=source)
    return kp.replace(step="pose", params={"backend": source, **(params or {})})
