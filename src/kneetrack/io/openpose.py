"""OpenPose per-frame JSON folders (BODY_25 and COCO-18 layouts).

Each frame is one ``*_keypoints.json`` file with ``people[i].pose_keypoints_2d``
as a flat ``[x, y, c, ...]`` list; a point at (0, 0) with c = 0 is missing.
When several people are present, the one closest to the person of the previous
frame (the most confident one at the start) is followed.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np

from kneetrack.errors import InputError
from kneetrack.io.common import naming_file, require_leg_markers, require_tracked
from kneetrack.keypoints import Keypoints

BODY_25 = (
    "nose", "neck", "right_shoulder", "right_elbow", "right_wrist", "left_shoulder",
    "left_elbow", "left_wrist", "mid_hip", "right_hip", "right_knee", "right_ankle",
    "left_hip", "left_knee", "left_ankle", "right_eye", "left_eye", "right_ear", "left_ear",
    "left_toe", "left_small_toe", "left_heel", "right_toe", "right_small_toe", "right_heel",
)
COCO_18 = (
    "nose", "neck", "right_shoulder", "right_elbow", "right_wrist", "left_shoulder",
    "left_elbow", "left_wrist", "right_hip", "right_knee", "right_ankle", "left_hip",
    "left_knee", "left_ankle", "right_eye", "left_eye", "right_ear", "left_ear",
)
_LAYOUTS = {25: BODY_25, 18: COCO_18}


def _person(path: Path, k: int, person: object) -> np.ndarray:
    field = f"people[{k}].pose_keypoints_2d"
    if not isinstance(person, dict):
        raise InputError(f"{path}: people[{k}] is not a JSON object")
    raw = person.get("pose_keypoints_2d", [])
    if not isinstance(raw, list) or not all(
            isinstance(v, int | float) and not isinstance(v, bool) for v in raw):
        raise InputError(f"{path}: {field} must be a flat list of numbers")
    flat = np.asarray(raw, dtype=float)
    if flat.size % 3 or flat.size // 3 not in _LAYOUTS:
        raise InputError(
            f"{path}: {field} has {flat.size} values; expected BODY_25 or COCO-18"
        )
    pts = flat.reshape(-1, 3)
    missing = (pts[:, 2] <= 0) | ~np.isfinite(pts).all(axis=1)
    pts[missing, :2] = np.nan
    pts[missing, 2] = 0.0
    pts[:, 2] = np.clip(pts[:, 2], 0.0, 1.0)
    return pts


def _people(path: Path) -> list[np.ndarray]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError, RecursionError) as err:
        raise InputError(f"{path} is not valid OpenPose JSON: {err}") from None
    except OSError as err:
        raise InputError(f"{path} cannot be read: {err.strerror or err}") from None
    if not isinstance(data, dict):
        raise InputError(f"{path}: an OpenPose frame must be a JSON object with a 'people' list")
    people = data.get("people", [])
    if not isinstance(people, list):
        raise InputError(f"{path}: 'people' must be a list")
    return [_person(path, k, person) for k, person in enumerate(people)]


#: Frame rate assumed for OpenPose folders when none is given (the report says so).
ASSUMED_FPS = 30.0


def read_openpose_folder(folder: str | Path, *, fps: float | None = None) -> Keypoints:
    """Read a folder of OpenPose JSON files (sorted by name) into :class:`Keypoints`.

    OpenPose stores no frame rate: give ``fps`` (``kneetrack analyze --fps``);
    without it 30 fps is assumed. The provenance records which
    (``fps_source``: ``given`` or ``assumed``).
    """
    fps_source = "given" if fps is not None else "assumed"
    if fps is None:
        fps = ASSUMED_FPS
    if not (np.isfinite(fps) and fps > 0):
        raise InputError(f"frame rate must be positive, got {fps}")
    d = Path(folder)
    if not d.is_dir():
        raise InputError(f"OpenPose folder not found: {d}")
    files = sorted(d.glob("*.json"))
    if not files:
        raise InputError(f"{d}: no OpenPose *.json files in the folder")
    frames = [_people(f) for f in files]
    layout_size = next((len(p[0]) for p in frames if p), None)
    if layout_size is None:
        raise InputError(f"{d}: no person in any of the {len(files)} OpenPose frames")
    names = _LAYOUTS[layout_size]
    require_leg_markers(names, d)
    if not math.isfinite(fps) or fps <= 0:
        raise InputError(f"{d}: the frame rate must be a positive number, got {fps}")
    n = len(frames)
    xy = np.full((n, len(names), 2), np.nan)
    conf = np.zeros((n, len(names)))
    prev_centre: np.ndarray | None = None
    for i, people in enumerate(frames):
        people = [p for p in people if len(p) == layout_size]
        if not people:
            continue
        if prev_centre is None:
            best = max(people, key=lambda p: float(np.nanmean(p[:, 2])))
        else:
            def dist(p: np.ndarray, c: np.ndarray = prev_centre) -> float:
                centre = np.nanmean(p[:, :2], axis=0)
                return float(np.hypot(*(centre - c))) if np.all(np.isfinite(centre)) else np.inf
            best = min(people, key=dist)
        xy[i] = best[:, :2]
        conf[i] = best[:, 2]
        centre = np.nanmean(best[:, :2], axis=0)
        if np.all(np.isfinite(centre)):
            prev_centre = centre
    require_tracked({m: xy[:, j] for j, m in enumerate(names)}, d)
    with naming_file(d):
        kp = Keypoints(xy=xy, confidence=conf, markers=names, time_s=np.arange(n) / fps,
                       fps=fps, source=f"openpose:{d.name}")
    return kp.replace(step="read_openpose", params={
        "folder": str(d), "files": n, "layout": "BODY_25" if layout_size == 25 else "COCO-18",
        "fps": fps, "fps_source": fps_source,
    })
