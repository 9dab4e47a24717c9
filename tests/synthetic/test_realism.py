"""The synthetic runner moves like the real treadmill runners of ../shared/data/mocap2d.

The gait-event cues of the engine (pelvis vertical motion, the foot's forward
swing and landing) must behave on synthetic runners as on real ones, or the
synthetic suite would test the engine on the wrong signals.
"""

from __future__ import annotations

import json

import numpy as np
import pytest
from kneetrack_synthetic.camera import Camera
from kneetrack_synthetic.runner import RunnerParams, simulate_runner

from kneetrack.io.load import load_keypoints

TRIAL = "fukuchi2017_rbds001_t35_150fps_side-right"
PX_PER_M = 400.0        # mocap2d cameras: focal 1400 px at 3.5 m


@pytest.fixture(scope="module")
def real(shared_data):
    folder = shared_data / "mocap2d"
    if not (folder / f"{TRIAL}.trc").exists():
        pytest.skip("mocap2d trial not available")
    kp = load_keypoints(folder / f"{TRIAL}.trc")
    truth = json.loads((folder / f"{TRIAL}.truth.json").read_text())
    return kp, truth


@pytest.fixture(scope="module")
def model():
    m = simulate_runner(RunnerParams.make(speed_ms=3.5, cadence_spm=171.0, duty_factor=0.32),
                        duration_s=12.0, fps=150, seed=3)
    return m, m.project(Camera("side-right"))


def _pelvis_profile(t, y_px, contacts):
    """Mean mid-hip height (m, mean removed) over a step, 21 points from contact to contact."""
    grid = np.linspace(0.0, 1.0, 21)
    rows = []
    for a, b in zip(contacts[:-1], contacts[1:], strict=True):
        sel = (t >= a) & (t < b)
        if sel.sum() > 5:
            rows.append(np.interp(grid, (t[sel] - a) / (b - a), -y_px[sel] / PX_PER_M))
    prof = np.mean(rows, axis=0)
    return prof - prof.mean()


def _ankle_path(kp, contacts, leg, rel_t):
    """Mean ankle position relative to the mid-hip around contact (m; x forward, z up)."""
    mid = 0.5 * (kp["left_hip"] + kp["right_hip"])
    rel = (kp[f"{leg}_ankle"] - mid) / PX_PER_M
    rows = [np.stack([np.interp(c + rel_t, kp.time_s, rel[:, 0]),
                      -np.interp(c + rel_t, kp.time_s, rel[:, 1])], axis=1)
            for c in contacts if kp.time_s[0] < c + rel_t[0] and c + rel_t[-1] < kp.time_s[-1]]
    path = np.mean(rows, axis=0)
    return path - path[np.argmin(np.abs(rel_t))]      # relative to the landing position


def test_pelvis_moves_like_real_runners(real, model):
    kp, truth = real
    contacts = np.sort([s["contact_s"] for s in truth["stances"]])
    mid_y = 0.5 * (kp["left_hip"][:, 1] + kp["right_hip"][:, 1])
    real_prof = _pelvis_profile(kp.time_s, mid_y, contacts)
    m, mkp = model
    m_contacts = np.sort(np.concatenate([m.contacts_s["left"], m.contacts_s["right"]]))
    m_prof = _pelvis_profile(mkp.time_s, 0.5 * (mkp["left_hip"][:, 1] + mkp["right_hip"][:, 1]),
                             m_contacts)
    assert np.corrcoef(real_prof, m_prof)[0, 1] > 0.95
    assert np.ptp(m_prof) == pytest.approx(np.ptp(real_prof), rel=0.3)
    # lowest point in the first half of the step (stance), highest in flight
    assert 0.15 < np.argmin(m_prof) / 20 < 0.5
    assert 0.65 < np.argmax(m_prof) / 20 < 0.95


def test_foot_swings_in_and_lands_like_real_runners(real, model):
    kp, truth = real
    rel_t = np.arange(-0.12, 0.061, 0.02)
    real_path = _ankle_path(kp, [s["contact_s"] for s in truth["stances"] if s["leg"] == "right"],
                            "right", rel_t)
    m, mkp = model
    m_path = _ankle_path(mkp, m.contacts_s["right"], "right", rel_t)
    np.testing.assert_allclose(m_path, real_path, atol=0.04)
    # the foot is furthest forward just before contact in both
    assert abs(rel_t[np.argmax(m_path[:, 0])] - rel_t[np.argmax(real_path[:, 0])]) <= 0.021
