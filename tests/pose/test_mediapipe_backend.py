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
