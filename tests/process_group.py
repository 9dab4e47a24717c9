"""The live processes of a process group (importable from any test as ``process_group``)."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path


def group_members(pgid: int) -> list[int]:
    """PIDs of the processes in process group ``pgid`` that are not zombies (reads /proc)."""
    pids = []
    for d in Path("/proc").iterdir():
        if d.name.isdigit():
            try:
                stat = (d / "stat").read_text()
            except OSError:
                continue
            fields = stat.rsplit(")", 1)[1].split()
            if int(fields[2]) == pgid and fields[0] != "Z":
                pids.append(int(d.name))
    return pids


def ctrl_c(proc: subprocess.Popen[str], *, min_members: int = 3, settle_s: float = 0.0) -> str:
    """Press Ctrl-C on ``proc``'s group once it has printed a line; return its stderr.

    ``proc`` must run in its own session (``start_new_session=True``) with text pipes.
    Checks that the group had at least ``min_members`` processes, that ``proc`` stopped
    on ``KeyboardInterrupt`` and that, within 10 s, no process of the group is left.
    """
    try:
        assert proc.stdout is not None
        proc.stdout.readline()  # the work has started
        time.sleep(settle_s)
        assert len(group_members(proc.pid)) >= min_members
        os.killpg(proc.pid, signal.SIGINT)  # what a terminal's Ctrl-C does
        _, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    assert proc.returncode != 0 and "KeyboardInterrupt" in err
    deadline = time.monotonic() + 10
    while group_members(proc.pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert group_members(proc.pid) == []
    return err
