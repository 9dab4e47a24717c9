"""Frames a worker process keeps from its pass over a clip, and work run on them there.

A short clip's pose estimation decodes every frame once, in one worker
process; the annotated video needs the same frames again, at its own size.
Rather than decode the clip a second time, that worker can keep each frame,
scaled to the video's size, as it decodes it (:class:`FrameStore`: YUV 4:2:0,
1.4 MB a 720p frame, so only for short clips), and stay alive once its pass is
done. Its owner then runs functions on the kept frames in that process
(:class:`KeptFrames`: :meth:`~KeptFrames.submit`, :meth:`~KeptFrames.result`)
and closes it. Nothing but the function, its arguments and its result crosses
the process boundary.

Keeping costs the decoding thread a plane copy per frame when the video's size
is the one pose runs at (the scaled planes are already there), else one
plane-by-plane resize (:func:`kneetrack.video.yuv.resize_into`), the same work
the second pass would do.
"""

from __future__ import annotations

import contextlib
import queue
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import av
import numpy as np

from kneetrack.errors import KneetrackError

#: Frames are kept only while they fit in this many bytes (about 380 frames of 720p).
KEEP_MAX_BYTES = 512 * 2**20


def kept_bytes(frames: int, size: tuple[int, int]) -> int:
    """Bytes that ``frames`` frames of ``size`` (width, height) take in YUV 4:2:0."""
    w, h = size
    return frames * (w * h * 3 // 2)


class KeptFramesError(KneetrackError):
    """The process holding the kept frames stopped, or the work run there failed."""


@dataclass
class FrameStore:
    """Upright YUV 4:2:0 frames ``first, first + 1, …`` of a clip, at ``size`` (worker side).

    ``matrix`` is the colour matrix of the decoded frames
    (:func:`kneetrack.video.yuv.matrix_of`); the kept frames carry no tags.
    """

    size: tuple[int, int]
    first: int = 0
    frames: list[av.VideoFrame] = field(default_factory=list)
    matrix: str = "bt709"

    def keep(self, index: int, decoded: av.VideoFrame, rotation_deg: int, *,
             pose_size: tuple[int, int] | None = None) -> np.ndarray | None:
        """Keep frame ``index``; return its RGB at ``pose_size`` if it came free, else ``None``.

        Frames must come in order from :attr:`first`. When the frame is scaled to
        ``pose_size``, the kept size, and needs no rotation, the planes scaled
        for the RGB image (as :func:`~kneetrack.video.reader.frame_to_rgb` scales
        them) are copied instead of scaling twice.
        """
        # imported here: the parent imports this module for KEEP_MAX_BYTES before pose
        # starts, and need not load OpenCV for it
        from kneetrack.video.yuv import matrix_of, new_frame, resize_into, scaled_rgb

        if index != self.first + len(self.frames):
            raise ValueError(f"frame {index} kept out of order "
                             f"(expected {self.first + len(self.frames)})")
        if not self.frames:
            self.matrix = matrix_of(decoded)
        out = new_frame(*self.size)
        rgb = None
        if (pose_size == self.size and rotation_deg % 360 == 0
                and pose_size != (decoded.width, decoded.height)):
            # what frame_to_rgb would compute (it scales the same way), planes kept on the way
            rgb = scaled_rgb(decoded, *self.size, keep=out)
        if rgb is None:
            resize_into(decoded, out, rotation_deg)
        self.frames.append(out)
        return rgb

    def clear(self) -> None:
        """Drop every kept frame (the pass starts again)."""
        self.frames.clear()

    @property
    def stop(self) -> int:
        """One past the last kept frame's index."""
        return self.first + len(self.frames)


@dataclass(frozen=True)
class RunOnKept:
    """A message to the worker: run ``fn(store, *args)`` and send back its result."""

    fn: Callable[..., Any]
    args: tuple[Any, ...] = ()

    def run(self, store: FrameStore) -> tuple[Any, ...]:
        """The reply: ``("ran", result)`` or ``("run-error", type name, message)``."""
        try:
            return ("ran", self.fn(store, *self.args))
        except Exception as err:  # noqa: BLE001 - reported to the owner
            return ("run-error", type(err).__name__, str(err))


class KeptFrames:
    """A worker process holding a clip's kept frames (owner side); :meth:`close` it.

    Parameters
    ----------
    process
        The worker (a :mod:`multiprocessing` process).
    tasks, results
        Its queues: it takes :class:`RunOnKept` messages (``None`` stops it) and
        answers with :meth:`RunOnKept.run`'s replies.
    size
        The kept frames' (width, height).
    frames
        How many frames it keeps, from frame 0.
    source
        What the owner already knows of the clip (e.g. its probe and frame
        table, so that a second pass need not read them again).
    """

    def __init__(self, process: Any, tasks: Any, results: Any, *, size: tuple[int, int],
                 frames: int, source: Any = None) -> None:
        self.size = size
        self.frames = frames
        self.source = source
        self._process = process
        self._tasks = tasks
        self._results = results
        self._pending = 0

    @property
    def open(self) -> bool:
        """Whether the worker is still there to run work."""
        return self._process is not None and self._process.is_alive()

    def submit(self, fn: Callable[..., Any], *args: Any) -> None:
        """Run ``fn(store, *args)`` in the worker (``fn`` must be importable there)."""
        if self._process is None:
            raise KeptFramesError("the kept frames were already released")
        self._tasks.put(RunOnKept(fn, tuple(args)))
        self._pending += 1

    def result(self) -> Any:
        """Wait for the oldest submitted work's result.

        Raises
        ------
        KeptFramesError
            The worker stopped, or the work raised (its type and message).
        """
        if self._pending == 0 or self._process is None:
            raise KeptFramesError("no work was submitted to the kept frames")
        while True:
            try:
                msg = self._results.get(timeout=0.5)
            except queue.Empty:
                if not self._process.is_alive():
                    self._pending = 0
                    raise KeptFramesError(
                        f"the process holding the kept frames stopped "
                        f"(exit code {self._process.exitcode})") from None
                continue
            if msg[0] == "ran":
                self._pending -= 1
                return msg[1]
            if msg[0] == "run-error":
                self._pending -= 1
                raise KeptFramesError(f"{msg[1]}: {msg[2]}")
            # anything else is the worker's earlier traffic (progress): not ours

    def close(self, *, kill: bool = False) -> None:
        """Stop the worker and free its frames (again: nothing).

        ``kill``: at once, even mid-work (Ctrl-C, a failed render); else it
        finishes the work in hand first. With none in hand it is stopped at
        once too: its results are all read, and freeing a clip's frames and
        MediaPipe on the way out (about 0.1 s) is work the OS does faster.
        """
        proc, self._process = self._process, None
        if proc is None:
            return
        if kill or self._pending == 0:
            proc.terminate()
        with contextlib.suppress(Exception):  # queue already broken
            self._tasks.put_nowait(None)
        proc.join(timeout=5)
        if proc.is_alive():
            proc.terminate()
            proc.join(timeout=5)
        for q in (self._tasks, self._results):
            with contextlib.suppress(Exception):
                q.close()
