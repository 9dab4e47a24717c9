"""Exports for other tools: joint angles as an OpenSim MOT file and stances as CSV.

The keypoints themselves are exported as a pixel TRC by
:func:`kneetrack.io.trc.write_trc`. All writers go through a temporary file
and a rename, so an interrupted export never leaves half a file.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from kneetrack.errors import InputError
from kneetrack.io.files import write_text_atomic

#: First columns of the stance CSV, in the order of the ``analysis.json`` contract.
STANCE_COLUMNS = (
    "leg", "contact_s", "toe_off_s", "stance_s", "fppa_peak_deg", "hip_adduction_peak_deg",
    "pelvic_drop_peak_deg", "crossover", "foot_strike_angle_deg", "foot_strike",
    "shank_angle_ic_deg", "knee_flexion_ic_deg",
)


def mot_column_name(key: str) -> str:
    """OpenSim-style column name of a kinematics series key.

    Examples
    --------
    >>> mot_column_name("left_fppa_deg")
    'fppa_l'
    >>> mot_column_name("right_hip_adduction_deg")
    'hip_adduction_r'
    >>> mot_column_name("trunk_lean_deg")
    'trunk_lean'
    """
    name = key[:-4] if key.endswith("_deg") else key
    for prefix, suffix in (("left_", "_l"), ("right_", "_r")):
        if name.startswith(prefix):
            return name[len(prefix):] + suffix
    return name


def angle_series(series: Mapping[str, Any]) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """The time axis and the angle (``*_deg``) series of a kinematics ``series`` mapping.

    Raises
    ------
    InputError
        If there is no ``time_s`` or a series does not match its length.
    """
    if "time_s" not in series:
        raise InputError("kinematics series have no time_s")
    t = np.asarray(series["time_s"], dtype=float).ravel()
    angles: dict[str, np.ndarray] = {}
    for key in sorted(series):
        if not key.endswith("_deg"):
            continue
        a = np.asarray(series[key], dtype=float).ravel()
        if a.shape != t.shape:
            raise InputError(f"kinematics series {key} has {a.size} values for {t.size} times")
        angles[key] = a
    return t, angles


def write_angles_mot(series: Mapping[str, Any], path: str | Path, *,
                     name: str = "kneetrack_angles") -> Path:
    """Write per-frame joint angles as an OpenSim motion file (``.mot``), in degrees.

    The header follows OpenSim's storage format: ``nRows``, ``nColumns`` (which
    counts the ``time`` column), ``inDegrees=yes`` and ``endheader``, then a
    tab-separated table whose first column is ``time``. Missing values are
    written as ``NaN``. Column names are OpenSim-style (``hip_adduction_l``).

    Parameters
    ----------
    series
        Mapping with ``time_s`` and per-frame angle arrays named ``*_deg``
        (e.g. the ``series`` of a kinematics result).
    path
        Output file.
    name
        Name written on the header's first line.
    """
    t, angles = angle_series(series)
    cols = [mot_column_name(k) for k in angles]
    if len(set(cols)) != len(cols):
        raise InputError("kinematics series names collide in the MOT export")
    data = np.column_stack([t, *angles.values()]) if angles else t[:, None]
    lines = [name, "version=1", f"nRows={data.shape[0]}", f"nColumns={data.shape[1]}",
             "inDegrees=yes", "endheader", "\t".join(["time", *cols])]
    for row in data:
        lines.append("\t".join("NaN" if math.isnan(v) else f"{v:.6f}" for v in row))
    return write_text_atomic(Path(path), "\n".join(lines) + "\n")


def read_angles_mot(path: str | Path) -> dict[str, np.ndarray]:
    """Read a MOT written by :func:`write_angles_mot` back into a ``series`` mapping.

    Column names are mapped back (``fppa_l`` → ``left_fppa_deg``), so a
    report can be rebuilt from an analysis folder without re-running the
    kinematics.
    """
    p = Path(path)
    try:
        lines = p.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as err:
        raise InputError(f"{p}: cannot read the MOT file ({err})") from None
    try:
        end = next(i for i, ln in enumerate(lines) if ln.strip().lower() == "endheader")
    except StopIteration:
        raise InputError(f"{p} is not a MOT file (no endheader)") from None
    if end + 1 >= len(lines):
        raise InputError(f"{p}: MOT file has no column names")
    names = lines[end + 1].split("\t")
    rows = [ln.split("\t") for ln in lines[end + 2:] if ln.strip()]
    try:
        table = np.array([[float(c) for c in r] for r in rows], dtype=float)
    except ValueError:
        raise InputError(f"{p}: MOT file has a non-numeric cell") from None
    if table.size == 0:
        raise InputError(f"{p}: MOT file has no data rows")
    if table.shape[1] != len(names):
        raise InputError(f"{p}: MOT rows have {table.shape[1]} cells for {len(names)} columns")
    out: dict[str, np.ndarray] = {"time_s": table[:, 0]}
    for j, col in enumerate(names[1:], start=1):
        if col.endswith("_l"):
            key = f"left_{col[:-2]}_deg"
        elif col.endswith("_r"):
            key = f"right_{col[:-2]}_deg"
        else:
            key = f"{col}_deg"
        out[key] = table[:, j]
    return out


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return "" if math.isnan(value) else f"{value:.4f}".rstrip("0").rstrip(".")
    if isinstance(value, (list, dict)):
        return ""
    return str(value)


def write_stances_csv(stances: Sequence[Mapping[str, Any]], path: str | Path) -> Path:
    """Write one row per stance (contract fields first, then any extra scalar fields).

    ``stance_s`` (toe-off minus contact) is added; ``step`` numbers the stances
    of each leg from 1. Empty cells mean "not measured".
    """
    rows = sorted((s for s in stances if isinstance(s, Mapping)),
                  key=lambda s: (float(s.get("contact_s") or 0.0), str(s.get("leg"))))
    extra: list[str] = []
    for s in rows:
        for k, v in s.items():
            if k not in STANCE_COLUMNS and k not in extra and not isinstance(v, (list, dict)):
                extra.append(k)
    header = ["step", *STANCE_COLUMNS, *extra]
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(header)
    counter: dict[str, int] = {}
    for s in rows:
        leg = str(s.get("leg"))
        counter[leg] = counter.get(leg, 0) + 1
        rec = dict(s)
        c, o = rec.get("contact_s"), rec.get("toe_off_s")
        if "stance_s" not in rec:
            rec["stance_s"] = (float(o) - float(c)) if c is not None and o is not None else None
        w.writerow([counter[leg], *(_cell(rec.get(k)) for k in header[1:])])
    return write_text_atomic(Path(path), buf.getvalue())
