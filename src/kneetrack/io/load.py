"""Pick the right reader for a path: video, TRC, CSV or OpenPose JSON folder."""

from __future__ import annotations

from pathlib import Path

from kneetrack.errors import InputError
from kneetrack.io.suffixes import IMAGE_SUFFIXES, VIDEO_SUFFIXES
from kneetrack.keypoints import Keypoints

__all__ = ["IMAGE_SUFFIXES", "VIDEO_SUFFIXES", "is_video_path", "load_keypoints"]


def is_video_path(path: Path) -> bool:
    """Whether ``path`` names a video file by its suffix."""
    return path.suffix.lower() in VIDEO_SUFFIXES


def load_keypoints(path: str | Path, *, fps: float | None = None) -> Keypoints:
    """Read keypoints from a TRC file, a CSV file or an OpenPose JSON folder.

    ``fps`` is the frame rate for files that store none (OpenPose JSON, a CSV
    without ``time_s`` or ``# fps``); files that store a rate keep theirs
    (the caller re-times them, :func:`kneetrack.io.timing.retime`).
    """
    p = Path(path)
    if not p.exists():
        raise InputError(f"file not found: {p}")
    if p.is_dir():
        from kneetrack.io.openpose import read_openpose_folder

        return read_openpose_folder(p, fps=fps)
    suffix = p.suffix.lower()
    if suffix == ".trc":
        from kneetrack.io.trc import read_trc

        return read_trc(p)
    if suffix == ".csv":
        from kneetrack.io.csv import read_csv

        return read_csv(p, fps=fps)
    if suffix in IMAGE_SUFFIXES:
        raise InputError(f"{p} is a still image; kneetrack needs a video of running")
    raise InputError(
        f"{p}: unsupported file type {suffix or '(none)'}; give a video "
        f"({', '.join(sorted(VIDEO_SUFFIXES))}), a .trc, a .csv or an OpenPose JSON folder"
    )
