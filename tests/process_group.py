"""The live processes of a process group (importable from any test as ``process_group``)."""

from __future__ import annotations

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
