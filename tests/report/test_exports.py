"""Exports open in independent readers: MOT (pyomeca), TRC (trc-data-reader), CSV (pandas)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from kneetrack.errors import InputError
from kneetrack.io.trc import write_trc
from kneetrack.keypoints import Keypoints
from kneetrack.report.exports import (
    mot_column_name,
    read_angles_mot,
    write_angles_mot,
    write_stances_csv,
)

from .helpers import make_analysis


def _series(n=120, fps=60.0):
    t = np.arange(n) / fps
    s = {"time_s": t,
         "left_fppa_deg": 10 * np.sin(t),
         "right_fppa_deg": 5 * np.cos(t),
         "left_hip_adduction_deg": np.full(n, 7.5),
         "right_hip_adduction_deg": np.linspace(-2, 2, n),
         "hip_width_px": np.full(n, 80.0)}  # not an angle: not exported
    s["right_fppa_deg"][10:15] = np.nan
    return s


def test_mot_header_and_roundtrip(tmp_path):
    s = _series()
    p = write_angles_mot(s, tmp_path / "angles.mot")
    lines = p.read_text().splitlines()
    end = lines.index("endheader")
    header = dict(ln.split("=", 1) for ln in lines[1:end] if "=" in ln)
    cols = lines[end + 1].split("\t")
    assert cols[0] == "time"
    assert int(header["nColumns"]) == len(cols) == 5  # time + 4 angles
    assert int(header["nRows"]) == len(lines) - end - 2 == 120
    assert header["inDegrees"] == "yes"
    assert "hip_width" not in " ".join(cols)
    back = read_angles_mot(p)
    for k in ("left_fppa_deg", "right_fppa_deg", "left_hip_adduction_deg"):
        np.testing.assert_allclose(back[k], s[k], atol=1e-6, equal_nan=True)
    assert np.isnan(back["right_fppa_deg"][12])


def test_mot_rejects_bad_series(tmp_path):
    with pytest.raises(InputError):
        write_angles_mot({"left_fppa_deg": np.zeros(3)}, tmp_path / "a.mot")
    with pytest.raises(InputError):
        write_angles_mot({"time_s": np.zeros(3), "left_fppa_deg": np.zeros(4)},
                         tmp_path / "a.mot")
    (tmp_path / "x.mot").write_text("no header\n")
    with pytest.raises(InputError):
        read_angles_mot(tmp_path / "x.mot")


def test_mot_column_names():
    assert mot_column_name("left_knee_flexion_deg") == "knee_flexion_l"
    assert mot_column_name("right_pelvic_drop_deg") == "pelvic_drop_r"


def test_mot_opens_in_pyomeca(tmp_path):
    pyomeca = pytest.importorskip("pyomeca")
    s = _series()
    p = write_angles_mot(s, tmp_path / "angles.mot")
    data = pyomeca.Analogs.from_mot(str(p), pandas_kwargs={"sep": "\t"})
    assert list(data.channel.values) == ["fppa_l", "hip_adduction_l", "fppa_r",
                                         "hip_adduction_r"]
    assert data.shape == (4, 120)
    np.testing.assert_allclose(data.time.values, s["time_s"], atol=1e-6)
    assert data.attrs["rate"] == 60
    np.testing.assert_allclose(data.sel(channel="fppa_l").values, s["left_fppa_deg"], atol=1e-6)


def test_trc_opens_in_trc_data_reader(tmp_path):
    trc = pytest.importorskip("trc")
    n = 30
    arrays = {m: np.column_stack([np.arange(n) + 10.0 * j, np.full(n, 100.0 + j)])
              for j, m in enumerate(["left_hip", "right_hip", "left_knee", "right_knee",
                                     "left_ankle", "right_ankle", "nose"])}
    arrays["nose"][5:8] = np.nan
    kp = Keypoints.from_arrays(arrays, fps=50.0)
    p = write_trc(kp, tmp_path / "keypoints.trc")
    d = trc.TRCData()
    d.load(str(p))
    assert d["NumFrames"] == n and d["NumMarkers"] == 7
    assert d["Markers"][:3] == ["LHip", "RHip", "LKnee"]
    assert d["DataRate"] == 50.0
    assert d["LKnee"][3] == pytest.approx([23.0, 102.0, 0.0])
    assert d["Time"][1] == pytest.approx(0.02)
    assert all(np.isnan(v) for v in d["Nose"][6])


def test_stances_csv_with_pandas(tmp_path):
    a = make_analysis(steps=4)
    a["stances"][0]["contact_uncertainty_ms"] = 4.5
    p = write_stances_csv(a["stances"], tmp_path / "stances.csv")
    df = pd.read_csv(p)
    assert len(df) == 8
    assert list(df.columns[:4]) == ["step", "leg", "contact_s", "toe_off_s"]
    assert "contact_uncertainty_ms" in df.columns
    left = df[df.leg == "left"]
    assert list(left.step) == [1, 2, 3, 4]
    assert left.fppa_peak_deg.mean() == pytest.approx(14.0)
    assert df.stance_s.iloc[0] == pytest.approx(0.24)
    assert df.foot_strike_angle_deg.isna().all()  # front view: not measured → empty cells
    assert set(df.crossover.dropna()) <= {True, False}
