"""OpenSim TRC files of 2D image keypoints, as Sports2D writes them (``*_px.trc``).

X is the image column, Y the image row pointing down, Z is 0, ``Units`` is
``px``. Empty cells or NaN mean missing. Marker names may be HALPE-26 /
COCO-17 (``RHip``, ``LBigToe``), BlazePose (``right_foot_index``) or
kneetrack's canonical names; unknown names are ignored.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from kneetrack.errors import InputError
from kneetrack.io.common import check_file, naming_file, require_leg_markers, require_tracked
from kneetrack.io.files import write_text_atomic
from kneetrack.keypoints import Keypoints, canonical_name

#: TRC marker names written by :func:`write_trc` (HALPE-26 spelling, read by OpenSim tools).
_HALPE: dict[str, str] = {
    "nose": "Nose", "neck": "Neck", "mid_hip": "Hip",
    "left_shoulder": "LShoulder", "right_shoulder": "RShoulder",
    "left_elbow": "LElbow", "right_elbow": "RElbow",
    "left_wrist": "LWrist", "right_wrist": "RWrist",
    "left_hip": "LHip", "right_hip": "RHip", "left_knee": "LKnee", "right_knee": "RKnee",
    "left_ankle": "LAnkle", "right_ankle": "RAnkle", "left_heel": "LHeel", "right_heel": "RHeel",
    "left_toe": "LBigToe", "right_toe": "RBigToe",
    "left_small_toe": "LSmallToe", "right_small_toe": "RSmallToe",
    "left_eye": "LEye", "right_eye": "REye", "left_ear": "LEar", "right_ear": "REar",
}


def _float(cell: str) -> float:
    """A cell's number; empty, unreadable or infinite cells are missing (NaN)."""
    cell = cell.strip()
    if not cell:
        return math.nan
    try:
        v = float(cell)
    except ValueError:
        return math.nan
    return v if math.isfinite(v) else math.nan


def _header(p: Path, lines: list[str]) -> dict[str, str]:
    if not lines or not lines[0].startswith("PathFileType"):
        raise InputError(f"{p} is not a TRC file (no PathFileType header)")
    if len(lines) < 4:
        raise InputError(f"{p}: TRC header is incomplete (it needs the DataRate/Units rows "
                         "and the Frame#/Time marker-name row)")
    keys = lines[1].split("\t")
    vals = lines[2].split("\t")
    return {k.strip(): v.strip() for k, v in zip(keys, vals, strict=False)}


def _frame_rate(p: Path, header: dict[str, str], times: np.ndarray) -> tuple[float, np.ndarray]:
    """The clip's frame rate and frame times, from the Time column or DataRate."""
    fps = _float(header.get("DataRate") or header.get("CameraRate") or "")
    have_fps = math.isfinite(fps) and fps > 0
    if np.isnan(times).any():
        if not have_fps:
            raise InputError(f"{p}: TRC has neither a complete Time column nor a DataRate")
        times = np.arange(len(times)) / fps
    if not have_fps:
        steps = np.diff(times)
        step = float(np.median(steps)) if steps.size else math.nan
        if not (math.isfinite(step) and step > 0):
            raise InputError(f"{p}: TRC Time column is not increasing and there is no DataRate")
        fps = 1.0 / step
    return fps, times


def read_trc(path: str | Path) -> Keypoints:
    """Read a 2D pixel TRC file into :class:`Keypoints`.

    Raises
    ------
    InputError
        If the file is missing, empty, not a TRC, not in pixels, has no data
        rows, lacks the hip, knee and ankle markers of both legs or never
        tracks one of them; the message names the file and the field.
    """
    p = check_file(path)
    try:
        lines = p.read_text(encoding="utf-8", errors="strict").splitlines()
    except UnicodeDecodeError:
        raise InputError(f"{p} is not a text TRC file") from None
    except OSError as err:
        raise InputError(f"{p} cannot be read: {err.strerror or err}") from None
    header = _header(p, lines)
    units = header.get("Units", "").lower()
    if units not in ("px", "pixel", "pixels"):
        raise InputError(
            f"{p}: TRC units are {header.get('Units')!r}; kneetrack needs 2D image keypoints in px"
        )
    names_row = lines[3].split("\t")
    if len(names_row) < 3 or names_row[0].strip() != "Frame#":
        raise InputError(f"{p}: TRC marker-name row (Frame#, Time, names) is missing")
    raw_names = [n.strip() for n in names_row[2:] if n.strip()]
    data_rows = [ln for ln in lines[5:] if ln.strip()]
    if not data_rows:
        raise InputError(f"{p}: TRC file has no data rows (only its header)")
    n_frames = len(data_rows)
    n_raw = len(raw_names)
    table = np.full((n_frames, 2 + 3 * n_raw), np.nan)
    for i, row in enumerate(data_rows):
        cells = row.split("\t")
        for j, c in enumerate(cells[: table.shape[1]]):
            table[i, j] = _float(c)
    fps, time_s = _frame_rate(p, header, table[:, 1])
    arrays: dict[str, np.ndarray] = {}
    for k, raw in enumerate(raw_names):
        name = canonical_name(raw)
        if name is None or name in arrays:
            continue
        xy = table[:, 2 + 3 * k : 4 + 3 * k]
        if xy.shape[1] < 2:
            continue
        arrays[name] = xy
    require_leg_markers(arrays.keys(), p)
    require_tracked(arrays, p)
    with naming_file(p):
        kp = Keypoints.from_arrays(arrays, fps=fps, time_s=time_s - time_s[0],
                                   source=f"trc:{p.name}")
    return kp.replace(step="read_trc", params={"path": str(p), "markers_in_file": n_raw})


def write_trc(kp: Keypoints, path: str | Path) -> Path:
    """Write keypoints as a Sports2D-style pixel TRC (HALPE-26 names, Z = 0).

    Missing values are written as empty cells. The file round-trips through
    :func:`read_trc`.
    """
    p = Path(path)
    names = [_HALPE[m] for m in kp.markers]
    n, m = kp.n_frames, len(names)
    out = [
        f"PathFileType\t4\t(X/Y/Z)\t{p.name}",
        "DataRate\tCameraRate\tNumFrames\tNumMarkers\tUnits\tOrigDataRate\tOrigDataStartFrame\tOrigNumFrames",
        f"{kp.fps:.6g}\t{kp.fps:.6g}\t{n}\t{m}\tpx\t{kp.fps:.6g}\t1\t{n}",
        "Frame#\tTime\t" + "".join(f"{nm}\t\t\t" for nm in names),
        "\t\t" + "\t".join(f"X{k + 1}\tY{k + 1}\tZ{k + 1}" for k in range(m)),
        "",  # OpenSim tools expect a blank line before the data
    ]
    xy = kp.xy
    for i in range(n):
        cells = [str(i + 1), f"{kp.time_s[i]:.6f}"]
        for j in range(m):
            x, y = xy[i, j]
            if math.isnan(x) or math.isnan(y):
                cells += ["", "", ""]
            else:
                cells += [f"{x:.3f}", f"{y:.3f}", "0.000"]
        out.append("\t".join(cells))
    return write_text_atomic(p, "\n".join(out) + "\n")
