"""Checks shared by the keypoint importers."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from kneetrack.errors import InputError

#: Markers without which no running metric can be computed.
REQUIRED_LEG_MARKERS = (
    "left_hip", "right_hip", "left_knee", "right_knee", "left_ankle", "right_ankle",
)


def check_file(path: str | Path) -> Path:
    """Return ``path`` as a Path if it is an existing, non-empty file."""
    p = Path(path)
    if not p.exists():
        raise InputError(f"file not found: {p}")
    if p.is_dir():
        raise InputError(f"{p} is a folder, expected a file")
    if p.stat().st_size == 0:
        raise InputError(f"{p} is empty (0 bytes)")
    return p


def require_leg_markers(names: Iterable[str], path: Path) -> None:
    """Raise :class:`InputError` if hips, knees or ankles of either leg are absent."""
    have = set(names)
    missing = [m for m in REQUIRED_LEG_MARKERS if m not in have]
    if missing:
        raise InputError(f"{path}: missing marker columns: {', '.join(missing)}")
