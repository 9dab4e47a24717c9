"""Issue 16 point 6: the Ctrl-C tests test the code, not the caller's shell.

A shell's background job ignores SIGINT and its children inherit that; the
children that the Ctrl-C tests interrupt must get the default handler back.
"""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

import pytest

from process_group import ctrl_c, spawn

CHILD = "import time\nprint('working', flush=True)\ntime.sleep(60)\n"

pytestmark = pytest.mark.skipif(not Path("/proc").is_dir(), reason="needs /proc")


@pytest.fixture
def parent_ignores_sigint():
    """This test process ignores SIGINT, as a background job of a shell does."""
    old = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, old)


def test_a_spawned_child_is_interrupted_although_the_parent_ignores_sigint(
        parent_ignores_sigint):
    proc = spawn([sys.executable, "-c", CHILD])
    err = ctrl_c(proc, min_members=1)
    assert "KeyboardInterrupt" in err


def test_without_the_reset_the_child_would_ignore_ctrl_c(parent_ignores_sigint):
    """The control: what the Ctrl-C tests did before, under an ignoring parent."""
    import os

    proc = subprocess.Popen([sys.executable, "-c", CHILD], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        assert proc.stdout is not None
        proc.stdout.readline()
        os.killpg(proc.pid, signal.SIGINT)
        with pytest.raises(subprocess.TimeoutExpired):
            proc.wait(timeout=1.5)  # still running: the ignore was inherited
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate(timeout=30)
