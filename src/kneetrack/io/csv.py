"""kneetrack's documented keypoint CSV.

Format (UTF-8, comma separated)::

    # kneetrack keypoints csv v1
    # fps: 60
    # image_size: 1920x1080
    # source: mediapipe-blazepose-full
    frame,time_s,left_hip_x,left_hip_y,left_hip_conf,right_hip_x,...
    0,0.000000,912.5,540.1,0.98,...

- Lines starting with ``#`` are metadata (``key: value``); ``fps`` is required
  unless ``time_s`` is present, and ``image_size`` is optional.
- ``time_s`` is seconds from the first frame; ``frame`` is optional.
- Each marker has ``<name>_x`` (image column, px) and ``<name>_y`` (image row,
  px, down) and optionally ``<name>_conf`` (0..1). Names may be canonical
  (``left_toe``) or HALPE/BlazePose spellings (``LBigToe``).
- Empty cells or ``nan`` mean missing.
"""

from __future__ import annotations

import csv
import math
from pathlib import Path

import numpy as np

from kneetrack.errors import InputError
from kneetrack.io.common import check_file, naming_file, require_leg_markers, require_tracked
from kneetrack.keypoints import Keypoints, canonical_name


def _num(cell: str) -> float:
    """A cell's number; empty, unreadable or infinite cells are missing (NaN)."""
    try:
        v = float(cell) if cell.strip() else math.nan
    except ValueError:
        return math.nan
    return v if math.isfinite(v) else math.nan


def read_csv(path: str | Path, *, fps: float | None = None) -> Keypoints:
    """Read a kneetrack keypoint CSV (see module docstring).

    ``fps`` (``kneetrack analyze --fps``) is the frame rate for a file that has
    neither a ``time_s`` column nor a ``# fps`` line; the provenance records it
    as given (``fps_source``).
    """
    fps_given = fps
    p = check_file(path)
    try:
        text = p.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise InputError(f"{p} is not a UTF-8 text CSV") from None
    except OSError as err:
        raise InputError(f"{p} cannot be read: {err.strerror or err}") from None
    meta: dict[str, str] = {}
    rows: list[str] = []
    for line in text.splitlines():
        if line.startswith("#"):
            key, _, value = line[1:].partition(":")
            meta[key.strip().lower()] = value.strip()
        elif line.strip():
            rows.append(line)
    if len(rows) < 2:
        raise InputError(f"{p}: CSV has no data rows")
    try:
        reader = csv.reader(rows)
        header = [h.strip() for h in next(reader)]
        body = [[_num(c) for c in r] for r in reader]
    except csv.Error as err:
        raise InputError(f"{p}: CSV is malformed: {err}") from None
    if not body:
        raise InputError(f"{p}: CSV has no data rows")
    dup = sorted({h for h in header if h and header.count(h) > 1})
    if dup:
        raise InputError(f"{p}: CSV header repeats the column(s) {', '.join(dup)}")
    width = len(header)
    table = np.full((len(body), width), np.nan)
    for i, r in enumerate(body):
        table[i, : min(width, len(r))] = r[:width]
    col = {h: j for j, h in enumerate(header)}
    fps = _num(meta.get("fps", ""))
    if "fps" in meta and not fps > 0:
        raise InputError(f"{p}: '# fps' must be a positive number, got {meta['fps']!r}")
    fps_source = "file"
    if "time_s" not in col and not math.isfinite(fps) and fps_given is not None:
        fps, fps_source = float(fps_given), "given"
    if "time_s" in col:
        t = table[:, col["time_s"]]
        if np.isnan(t).any():
            raise InputError(f"{p}: time_s has empty cells")
        t = t - t[0]
        if not math.isfinite(fps):
            step = float(np.median(np.diff(t))) if len(t) > 1 else math.nan
            if len(t) > 1 and not step > 0:
                raise InputError(f"{p}: time_s is not increasing")
            fps = 1.0 / step if len(t) > 1 else 30.0
    elif math.isfinite(fps) and fps > 0:
        t = np.arange(len(body)) / fps
    else:
        raise InputError(f"{p}: CSV needs a time_s column or a '# fps: N' line "
                         "(or give the rate with --fps)")
    arrays: dict[str, np.ndarray] = {}
    confs: dict[str, np.ndarray] = {}
    for h in header:
        if not h.endswith("_x"):
            continue
        raw = h[:-2]
        name = canonical_name(raw)
        if name is None or f"{raw}_y" not in col:
            continue
        arrays[name] = table[:, [col[h], col[f"{raw}_y"]]]
        c = col.get(f"{raw}_conf")
        confs[name] = (table[:, c] if c is not None
                       else np.where(np.isnan(arrays[name]).any(axis=1), 0.0, 1.0))
    require_leg_markers(arrays.keys(), p)
    require_tracked(arrays, p)
    size = None
    if "image_size" in meta:
        try:
            w, h = meta["image_size"].lower().split("x")
            size = (int(w), int(h))
            if min(size) <= 0:
                raise ValueError
        except ValueError:
            raise InputError(f"{p}: image_size must look like 1920x1080") from None
    with naming_file(p):
        kp = Keypoints.from_arrays(arrays, fps=fps, time_s=t, confidence=confs,
                                   image_size=size, source=meta.get("source", f"csv:{p.name}"))
    return kp.replace(step="read_csv", params={"path": str(p), "fps_source": fps_source})


def write_csv(kp: Keypoints, path: str | Path) -> Path:
    """Write keypoints in the documented CSV format (round-trips through :func:`read_csv`)."""
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    tmp = p.with_name(p.name + ".part")
    with tmp.open("w", encoding="utf-8", newline="") as fh:
        fh.write("# kneetrack keypoints csv v1\n")
        fh.write(f"# fps: {kp.fps:.6g}\n")
        if kp.image_size:
            fh.write(f"# image_size: {kp.image_size[0]}x{kp.image_size[1]}\n")
        fh.write(f"# source: {kp.source}\n")
        w = csv.writer(fh)
        header = ["frame", "time_s"]
        for m in kp.markers:
            header += [f"{m}_x", f"{m}_y", f"{m}_conf"]
        w.writerow(header)
        for i in range(kp.n_frames):
            row = [str(i), f"{kp.time_s[i]:.6f}"]
            for j in range(len(kp.markers)):
                x, y = kp.xy[i, j]
                if math.isnan(x):
                    row += ["", "", "0"]
                else:
                    row += [f"{x:.3f}", f"{y:.3f}", f"{kp.confidence[i, j]:.3f}"]
            w.writerow(row)
    tmp.replace(p)
    return p
