"""Checks shared by the keypoint importers."""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path

import numpy as np

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


def require_tracked(arrays: Mapping[str, np.ndarray], path: Path) -> None:
    """Raise :class:`InputError` if no hip, knee or ankle is tracked in any frame.

    ``arrays`` maps canonical marker names to (frames, 2) pixel arrays. A file
    whose leg markers are all empty or NaN has nothing to measure; one that
    tracks some of them goes on (the analysis warns about what it lacks).
    """
    leg = [arrays[m] for m in REQUIRED_LEG_MARKERS if m in arrays]
    if not any(np.isfinite(a).all(axis=-1).any() for a in leg):
        raise InputError(f"{path}: no tracked keypoints: every hip, knee and ankle value "
                         "is empty or NaN")


@contextlib.contextmanager
def naming_file(path: Path | None) -> Iterator[None]:
    """Prefix an :class:`InputError` raised inside the block with ``path`` (when it lacks it).

    ``None`` (data that came from no file) leaves errors as they are.
    """
    try:
        yield
    except InputError as err:
        if path is None or str(path) in str(err):
            raise
        raise InputError(f"{path}: {err}") from None
