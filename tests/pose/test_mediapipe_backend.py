"""The MediaPipe backend's import: the pose solution without matplotlib."""

from __future__ import annotations

import subprocess
import sys

import pytest


def _run(code: str) -> str:
    """Run ``code`` in a fresh interpreter (a clean ``sys.modules``); return its output."""
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=120)
    assert run.returncode == 0, run.stderr[-2000:]
    return run.stdout.strip()


def test_pose_solution_imports_without_matplotlib_and_matplotlib_still_works():
    code = (
        "import sys\n"
        "from kneetrack.pose.mediapipe_backend import import_pose_solution\n"
        "pose = import_pose_solution()\n"
        "assert hasattr(pose, 'Pose'), 'no Pose class'\n"
        "assert 'matplotlib' not in sys.modules, 'matplotlib was loaded'\n"
        "import matplotlib.pyplot as plt\n"
        "assert callable(plt.figure), 'matplotlib placeholder leaked'\n"
        "print('ok')\n"
    )
    assert _run(code).endswith("ok")


def test_pose_solution_import_after_matplotlib_is_the_ordinary_one():
    code = (
        "import matplotlib.pyplot as plt\n"
        "from kneetrack.pose.mediapipe_backend import import_pose_solution\n"
        "from mediapipe.python.solutions import drawing_utils\n"
        "assert import_pose_solution().Pose\n"
        "assert drawing_utils.plt is plt\n"
        "print('ok')\n"
    )
    assert _run(code).endswith("ok")


@pytest.mark.slow
def test_fast_landmark_path_gives_exactly_what_process_gives(shared_data):
    import av
    import numpy as np

    from kneetrack.pose.mediapipe_backend import MediaPipePoseBackend, _Landmarks
    from kneetrack.video.reader import frame_to_rgb

    clip = shared_data / "video" / "pose2sim_single" / "cam01.mp4"
    with av.open(str(clip)) as c:
        frames = zip(range(25), c.decode(video=0), strict=False)
        images = [frame_to_rgb(f, 360, 640) for _, f in frames]
    with MediaPipePoseBackend() as a, MediaPipePoseBackend() as b:
        fast = _Landmarks.make(a._model())
        assert fast is not None
        slow = b._model()
        found = 0
        for img in images:
            x, y = fast(img), slow.process(img).pose_landmarks
            assert (x is None) == (y is None)
            if x is not None:
                found += 1
                np.testing.assert_array_equal([(p.x, p.y, p.visibility) for p in x.landmark],
                                              [(p.x, p.y, p.visibility) for p in y.landmark])
        assert found > 20


def test_fast_landmark_path_steps_aside_for_other_mediapipe_builds():
    from kneetrack.pose.mediapipe_backend import _Landmarks

    assert _Landmarks.make(object()) is None


def test_inference_threads_are_set_on_both_models_of_the_expanded_graph():
    import os

    import mediapipe
    from mediapipe.calculators.tensor import inference_calculator_pb2 as pb
    from mediapipe.framework import calculator_pb2
    from mediapipe.python._framework_bindings import validated_graph_config

    from kneetrack.pose.inference_threads import MAX_THREADS, set_inference_threads

    graph = os.path.join(os.path.dirname(mediapipe.__file__),
                         "modules", "pose_landmark", "pose_landmark_cpu.binarypb")
    valid = validated_graph_config.ValidatedGraphConfig()
    valid.initialize(binary_graph_path=graph)
    config = calculator_pb2.CalculatorGraphConfig.FromString(valid.binary_config)

    def threads() -> list[int]:
        return [n.options.Extensions[pb.InferenceCalculatorOptions.ext].delegate.xnnpack.num_threads
                for n in config.node if n.calculator.startswith("InferenceCalculator")]

    assert len(threads()) == 2 and set(threads()) != {3}  # detector and landmark model
    assert set_inference_threads(config, 3) == 2
    assert threads() == [3, 3]
    set_inference_threads(config, 99)
    assert threads() == [MAX_THREADS, MAX_THREADS]


def test_one_thread_keeps_mediapipes_own_pose_class():
    from kneetrack.pose.inference_threads import pose_with_threads

    class Pose:
        pass

    assert pose_with_threads(Pose, 1) is Pose
    assert issubclass(pose_with_threads(Pose, 2), Pose) and pose_with_threads(Pose, 2) is not Pose


@pytest.mark.slow
def test_two_inference_threads_give_exactly_the_same_landmarks(shared_data):
    import av
    import numpy as np

    from kneetrack.pose.mediapipe_backend import MediaPipePoseBackend
    from kneetrack.video.reader import Frame, frame_to_rgb

    clip = shared_data / "video" / "pose2sim_single" / "cam01.mp4"
    with av.open(str(clip)) as c:
        frames = [Frame(index=i, time_s=i / 30, image=frame_to_rgb(f, 360, 640),
                        original_size=(360, 640))
                  for i, f in zip(range(25), c.decode(video=0), strict=False)]
    with MediaPipePoseBackend() as one, MediaPipePoseBackend(threads=2) as two:
        a, b = list(one.process(frames)), list(two.process(frames))
        assert one.params["inference_threads"] == 1
        assert two.params["inference_threads"] == 2  # the graph took the option
    assert sum(p.detected for p in a) > 20
    for p, q in zip(a, b, strict=True):
        np.testing.assert_array_equal(p.xy, q.xy)
        np.testing.assert_array_equal(p.confidence, q.confidence)
