"""Run one BlazePose graph's neural networks on more than one core.

MediaPipe's pose graph runs its two TensorFlow Lite models (person detector,
landmark model) through the XNNPACK delegate, which on desktop Linux uses one
thread unless the graph's ``InferenceCalculator`` options say otherwise. The
options sit inside subgraphs compiled into the wheel, out of reach of
``mediapipe.solutions.pose.Pose``'s parameters; they can be set on the
expanded graph the solution builds before it starts (:func:`pose_with_threads`).

On the 2-core development machine a graph with two threads runs the landmark
models in 11.7–12.7 ms per frame instead of 19.5–20.7 ms (the Sports2D demo clip,
230 frames, decoded beforehand), with landmarks identical to the bit (``docs/speed.md``). A clip
too short to split between two graphs therefore still gets both cores.
"""

from __future__ import annotations

from typing import Any

#: More threads than this gain little on BlazePose's small models (MediaPipe's own
#: mobile default stops at 4 as well).
MAX_THREADS = 4


def set_inference_threads(config: Any, threads: int) -> int:
    """Give every ``InferenceCalculator`` of a graph ``threads`` XNNPACK threads.

    Parameters
    ----------
    config
        An expanded ``CalculatorGraphConfig`` (subgraphs inlined), changed in place.
    threads
        Threads per model (clipped to ``1..MAX_THREADS``).

    Returns
    -------
    int
        The number of inference nodes changed.
    """
    from mediapipe.calculators.tensor import inference_calculator_pb2 as pb

    n = 0
    for node in config.node:
        if not node.calculator.startswith("InferenceCalculator"):
            continue
        options = node.options.Extensions[pb.InferenceCalculatorOptions.ext]
        options.delegate.xnnpack.num_threads = max(1, min(int(threads), MAX_THREADS))
        n += 1
    return n


def pose_with_threads(pose_cls: type, threads: int) -> type:
    """A subclass of ``mediapipe.solutions.pose.Pose`` whose models run on ``threads`` threads.

    ``Pose`` hands its expanded graph to ``_modify_calculator_options`` before
    starting it; the subclass sets the thread count there. With one thread the
    class itself is returned.
    """
    if threads <= 1:
        return pose_cls

    class ThreadedPose(pose_cls):
        inference_nodes = 0

        def _modify_calculator_options(self, config: Any, params: Any) -> None:
            super()._modify_calculator_options(config, params)
            self.inference_nodes = set_inference_threads(config, threads)

    return ThreadedPose
