"""Spawned workers start without re-running the launching script."""

import subprocess
import sys

import pytest

SCRIPT = """\
import multiprocessing as mp
import os
import sys
with open(sys.argv[1], "a") as log:
    log.write(__name__ + "\\n")
if __name__ == "__main__":
    if sys.argv[2] == "fix":
        from kneetrack.app.environment import spawn_without_the_script
        spawn_without_the_script()
    p = mp.get_context("spawn").Process(target=os.getpid)
    p.start()
    p.join()
    sys.exit(p.exitcode)
"""


@pytest.mark.parametrize("fix,runs", [("fix", ["__main__"]),
                                      ("none", ["__main__", "__mp_main__"])])
def test_a_spawned_worker_does_not_run_the_script_again(tmp_path, fix, runs):
    # "none" is the control: without the fix, spawn runs the script again as __mp_main__
    # (the kneetrack console script would import the whole CLI in every worker).
    script = tmp_path / "kneetrack-like"
    script.write_text(SCRIPT)
    log = tmp_path / "log.txt"
    done = subprocess.run([sys.executable, str(script), str(log), fix], timeout=60)
    assert done.returncode == 0
    assert log.read_text().split() == runs


def test_python_dash_m_and_dash_c_are_left_alone():
    code = ("import sys\n"
            "from kneetrack.app.environment import spawn_without_the_script\n"
            "spawn_without_the_script()\n"
            "print(sys.modules['__main__'].__spec__)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=60)
    assert out.stdout.strip() == "None"
