"""The MediaPipe backend's import: the pose solution without matplotlib."""

from __future__ import annotations

import subprocess
import sys


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
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=120)
    assert run.returncode == 0, run.stderr[-2000:]
    assert run.stdout.strip().endswith("ok")


def test_pose_solution_import_after_matplotlib_is_the_ordinary_one():
    code = (
        "import matplotlib.pyplot as plt\n"
        "from kneetrack.pose.mediapipe_backend import import_pose_solution\n"
        "from mediapipe.python.solutions import drawing_utils\n"
        "assert import_pose_solution().Pose\n"
        "assert drawing_utils.plt is plt\n"
        "print('ok')\n"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=120)
    assert run.returncode == 0, run.stderr[-2000:]
