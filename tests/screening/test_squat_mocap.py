"""Rep counting and peak-flexion timing on real motion capture (OpenCap lab validation, subject 4).

Double-leg squats and drop jumps, 3D markers at 100 Hz, projected through a front camera with
1.5 px noise. The reference is the 3D knee flexion angle (hip joint centre, knee, ankle markers).
"""

from pathlib import Path

import numpy as np
import pytest
from kneetrack_synthetic.camera import Camera
from scipy.signal import find_peaks

from kneetrack.keypoints import Keypoints
from kneetrack.screening.squat import SingleLegSquatAnalysis

MARKERS = {
    "left_hip": "L_HJC", "right_hip": "R_HJC", "left_knee": "L_knee", "right_knee": "r_knee",
    "left_ankle": "L_ankle", "right_ankle": "r_ankle", "left_shoulder": "L_Shoulder",
    "right_shoulder": "R_Shoulder", "left_heel": "L_calc", "right_heel": "r_calc",
    "left_toe": "L_toe", "right_toe": "r_toe",
}


def _read_trc_3d(path: Path) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """OpenSim TRC in metres -> world frame x forward, y left, z up."""
    lines = path.read_text().splitlines()
    names = [n for n in lines[3].split("\t")[2:] if n.strip()]
    rows = [ln.split("\t") for ln in lines[5:] if ln.strip()]
    t = np.array([float(r[1]) for r in rows])
    out = {}
    for k, name in enumerate(names):
        a = np.array([[float(x) if x.strip() else np.nan for x in r[2 + 3 * k:5 + 3 * k]]
                      for r in rows])
        out[name] = np.stack([a[:, 0], -a[:, 2], a[:, 1]], axis=1)   # OpenSim: X fwd, Y up, Z right
    return t, out


def _knee_flexion(m: dict[str, np.ndarray], side: str) -> np.ndarray:
    hip = m[f"{side[0].upper()}_HJC"]
    knee = m["L_knee" if side == "left" else "r_knee"]
    ankle = m["L_ankle" if side == "left" else "r_ankle"]
    u, v = knee - hip, ankle - knee
    cos = np.sum(u * v, axis=1) / np.linalg.norm(u, axis=1) / np.linalg.norm(v, axis=1)
    return np.degrees(np.arccos(np.clip(cos, -1, 1)))


def _front_keypoints(t, m, seed=0) -> Keypoints:
    cam = Camera("front")
    centre = np.nanmean((m["L_HJC"] + m["R_HJC"]) / 2, axis=0)
    centre[2] = 0.0
    rng = np.random.default_rng(seed)
    arrays = {k: cam.project(m[v] - centre) + rng.normal(0, 1.5, (len(t), 2))
              for k, v in MARKERS.items()}
    return Keypoints.from_arrays(arrays, fps=100.0, time_s=t - t[0], image_size=cam.image_size)


@pytest.fixture(scope="module")
def opencap(shared_data):
    folder = shared_data / "mocap" / "opencap_labvalidation_subject4" / "MarkerData"
    if not folder.is_dir():
        pytest.skip("OpenCap marker data not present")
    return folder


@pytest.mark.parametrize("trial, n_reps", [("squats1", 5), ("squatsAsym1", 5),
                                           ("DJ1", 2), ("DJAsym1", 2)])
@pytest.mark.parametrize("leg", ["left", "right"])
def test_reps_and_peak_flexion_timing_on_real_mocap(opencap, trial, n_reps, leg):
    t, m = _read_trc_3d(opencap / f"{trial}.trc")
    flex = _knee_flexion(m, leg)
    ref, _ = find_peaks(flex, prominence=20, distance=50)
    assert len(ref) == n_reps                      # the reference itself
    ana = SingleLegSquatAnalysis(leg=leg).analyze(_front_keypoints(t, m))
    assert len(ana.reps_) == n_reps
    errors = [r.peak_s - (t[i] - t[0]) for r, i in zip(ana.reps_, ref, strict=True)]
    # The lowest hip and the peak knee flexion nearly coincide; at the bottom of a squat the
    # knee angle is flat, so what matters is that the chosen instant is as bent as the peak.
    assert max(abs(e) for e in errors) <= 0.15, errors
    flex_at = np.interp([r.peak_s for r in ana.reps_], t - t[0], flex)
    assert np.all(flex[ref] - flex_at <= 3.0), (flex[ref], flex_at)


def test_double_leg_squat_is_not_a_single_leg_squat(opencap):
    t, m = _read_trc_3d(opencap / "squats1.trc")
    ana = SingleLegSquatAnalysis().analyze(_front_keypoints(t, m))
    assert ana.reps_ == []
    assert (ana.stance_leg_ == "").all()
    assert any("no single-leg squat" in w for w in ana.warnings_)
