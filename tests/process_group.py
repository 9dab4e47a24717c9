"""Process groups in tests: start a child to interrupt, press Ctrl-C on it, list its members.

Importable from any test as ``process_group``.
"""

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


def default_sigint() -> None:
    """In the child, before it runs: Ctrl-C's signal does what it does by default.

    A parent that ignores SIGINT (any background job of a shell, ``nohup``, some
    CI runners) passes the ignore on to its children, and Python then installs
    no ``KeyboardInterrupt`` handler: a Ctrl-C test would test the caller's
    shell, not the code.
    """
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def spawn(args: list[str], **kwargs: object) -> subprocess.Popen[str]:
    """Start ``args`` for :func:`ctrl_c`: its own session, text pipes, SIGINT at its default."""
    return subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True, preexec_fn=default_sigint,
                            **kwargs)  # type: ignore[call-overload]


def ctrl_c(proc: subprocess.Popen[str], *, min_members: int = 3, settle_s: float = 0.0) -> str:
    """Press Ctrl-C on ``proc``'s group once it has printed a line; return its stderr.

    ``proc`` must run in its own session with text pipes and SIGINT at its default
    disposition: start it with :func:`spawn`.
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
