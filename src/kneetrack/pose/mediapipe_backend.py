"""MediaPipe BlazePose (full, ``model_complexity=1``) as a :class:`PoseBackend`.

Uses the legacy ``mediapipe.solutions.pose`` graph in video mode (tracking
between frames) with MediaPipe's own landmark smoothing OFF: that smoothing
assumes frames 33 ms apart, which is wrong for 60–240 fps phone video, so
kneetrack filters with the real timestamps later. Only the full model ships
inside the mediapipe 0.10.21 wheel, so this works offline.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator
from typing import Any

import numpy as np

from kneetrack.pose.backend import FramePose
from kneetrack.pose.native_logs import (
    filter_process_stderr,
    filtered_stderr,
    native_logs_shown,
    quiet_environment,
)
from kneetrack.video.reader import Frame

#: BlazePose landmark index -> canonical marker name.
BLAZEPOSE_MARKERS: dict[int, str] = {
    0: "nose", 2: "left_eye", 5: "right_eye", 7: "left_ear", 8: "right_ear",
    11: "left_shoulder", 12: "right_shoulder", 13: "left_elbow", 14: "right_elbow",
    15: "left_wrist", 16: "right_wrist", 23: "left_hip", 24: "right_hip",
    25: "left_knee", 26: "right_knee", 27: "left_ankle", 28: "right_ankle",
    29: "left_heel", 30: "right_heel", 31: "left_toe", 32: "right_toe",
}
_INDEX = np.array(list(BLAZEPOSE_MARKERS))


def import_pose_solution() -> Any:
    """Import ``mediapipe.python.solutions.pose`` without loading matplotlib.

    MediaPipe's package imports its drawing helpers, which import
    ``matplotlib.pyplot``: more than half of the import time (0.25 s) and
    about 25 MB of every pose process, for plotting functions kneetrack never
    calls. When matplotlib is not loaded yet, placeholder modules stand in for
    it during the import and are removed afterwards, so a later
    ``import matplotlib`` loads the real one. Should the import need more of
    matplotlib than its name, it is retried the ordinary way.
    """
    import sys
    import types

    if "matplotlib" in sys.modules or "mediapipe.python.solutions.pose" in sys.modules:
        from mediapipe.python.solutions import pose
        return pose
    stubs = {"matplotlib": types.ModuleType("matplotlib"),
             "matplotlib.pyplot": types.ModuleType("matplotlib.pyplot")}
    stubs["matplotlib"].pyplot = stubs["matplotlib.pyplot"]  # type: ignore[attr-defined]
    sys.modules.update(stubs)
    try:
        from mediapipe.python.solutions import pose
        return pose
    except Exception:  # noqa: BLE001 - anything: fall back to the ordinary import
        for name in [m for m in sys.modules if m.startswith("mediapipe")]:
            del sys.modules[name]
    finally:
        for name, stub in stubs.items():
            if sys.modules.get(name) is stub:
                del sys.modules[name]
    from mediapipe.python.solutions import pose
    return pose


class _Landmarks:
    """``model.process(image).pose_landmarks``, without building the whole result.

    MediaPipe's ``SolutionBase.process`` creates a new named-tuple class for
    every frame and converts every output stream. Feeding the graph the same
    way and reading only the landmarks saves about 0.5 ms of Python per frame,
    4 % of BlazePose's cost. This relies on the internals of the pinned
    MediaPipe release: :meth:`make` returns ``None`` when they are not there,
    and the public method is used instead.
    """

    def __init__(self, model: Any) -> None:
        self.model = model
        ((self.stream, self.in_type),) = model._input_stream_type_info.items()
        self.out_type = model._output_stream_type_info["pose_landmarks"]
        for attr in ("_graph", "_graph_outputs", "_simulated_timestamp", "_make_packet",
                     "_get_packet_content"):
            getattr(model, attr)

    @classmethod
    def make(cls, model: Any) -> _Landmarks | None:
        """The fast path for ``model``, or ``None`` if this MediaPipe is built differently."""
        try:
            return cls(model)
        except (AttributeError, KeyError, TypeError, ValueError):
            return None

    def __call__(self, image: np.ndarray) -> Any:
        m = self.model
        m._graph_outputs.clear()
        m._simulated_timestamp += 33333  # as SolutionBase does (a 30 fps clock)
        m._graph.add_packet_to_input_stream(
            stream=self.stream,
            packet=m._make_packet(self.in_type, image).at(m._simulated_timestamp))
        m._graph.wait_until_idle()
        packet = m._graph_outputs.get("pose_landmarks")
        return None if packet is None else m._get_packet_content(self.out_type, packet)


def _quiet_native_logs() -> bool:
    """Keep the native libraries' log lines off the terminal (:mod:`~kneetrack.pose.native_logs`).

    Returns whether the calls that print them still need :func:`filtered_stderr`
    around them (in the main process, which keeps its terminal).
    """
    import multiprocessing as mp

    quiet_environment()
    if native_logs_shown():
        return False
    if mp.current_process().name != "MainProcess":
        filter_process_stderr()  # a worker: filter its stderr for good
        return False
    try:
        from absl import logging as absl_logging

        absl_logging.set_verbosity(absl_logging.ERROR)
    except ImportError:  # pragma: no cover
        pass
    return True


class MediaPipePoseBackend:
    """BlazePose full via ``mediapipe.solutions.pose``.

    Parameters
    ----------
    min_detection_confidence : float
        Person detector threshold.
    min_tracking_confidence : float
        Below this, the next frame runs the detector again instead of tracking.
    threads : int
        Threads each of the graph's models runs on (:mod:`~kneetrack.pose.inference_threads`):
        more than one when this graph has cores to itself (one graph on a short clip).
    """

    name = "mediapipe-blazepose-full"
    markers: tuple[str, ...] = tuple(BLAZEPOSE_MARKERS.values())

    def __init__(self, *, min_detection_confidence: float = 0.5,
                 min_tracking_confidence: float = 0.5, threads: int = 1) -> None:
        self.min_detection_confidence = min_detection_confidence
        self.min_tracking_confidence = min_tracking_confidence
        from kneetrack.pose.inference_threads import MAX_THREADS

        self.threads = max(1, min(int(threads), MAX_THREADS))  # what the graph is given
        self._threads_set = 1
        self._pose: Any = None
        self._filter_until_found = False

    def _model(self) -> Any:
        if self._pose is None:
            self._filter_until_found = _quiet_native_logs()
            from kneetrack.pose.inference_threads import pose_with_threads

            mp_pose = import_pose_solution()
            pose_cls = pose_with_threads(mp_pose.Pose, self.threads)
            with self._quiet():
                self._pose = pose_cls(
                    static_image_mode=False,
                    model_complexity=1,
                    smooth_landmarks=False,
                    enable_segmentation=False,
                    min_detection_confidence=self.min_detection_confidence,
                    min_tracking_confidence=self.min_tracking_confidence,
                )
            # 1 when this MediaPipe build did not let the threads be set
            self._threads_set = self.threads if getattr(self._pose, "inference_nodes", 0) else 1
        return self._pose

    def _quiet(self) -> contextlib.AbstractContextManager[None]:
        # MediaPipe logs when it first runs the model and when it first finds a person.
        return filtered_stderr() if self._filter_until_found else contextlib.nullcontext()

    @property
    def params(self) -> dict[str, object]:
        """Settings recorded in the provenance log."""
        return {"model_complexity": 1, "smooth_landmarks": False,
                "min_detection_confidence": self.min_detection_confidence,
                "min_tracking_confidence": self.min_tracking_confidence,
                "inference_threads": self._threads_set if self._pose is not None else self.threads}

    def process(self, frames: Iterable[Frame]) -> Iterator[FramePose]:
        """Run BlazePose on each frame; landmarks are returned in original-video pixels."""
        model = self._model()
        landmarks = _Landmarks.make(model) or (lambda img: model.process(img).pose_landmarks)
        m = len(self.markers)
        for fr in frames:
            if self._filter_until_found:
                with self._quiet():
                    lms = landmarks(fr.image)
                self._filter_until_found = lms is None
            else:
                lms = landmarks(fr.image)
            if lms is None:
                yield FramePose(fr.index, fr.time_s, np.full((m, 2), np.nan), np.zeros(m))
                continue
            arr = np.array([(lm.x, lm.y, lm.visibility) for lm in lms.landmark])[_INDEX]
            w, h = fr.original_size
            xy = arr[:, :2] * np.array([w, h], dtype=float)
            yield FramePose(fr.index, fr.time_s, xy, np.clip(arr[:, 2], 0.0, 1.0))

    def close(self) -> None:
        """Release the MediaPipe graph."""
        if self._pose is not None:
            self._pose.close()
            self._pose = None

    def __enter__(self) -> MediaPipePoseBackend:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
