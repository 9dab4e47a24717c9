"""The FPPA sign convention (DESIGN.md: positive = knee medial of the hip–ankle line) is
defined once, in :func:`kneetrack.kinematics.angles.fppa_deg`, and both users of it agree:
the running metrics (medial side from the view) and the single-leg squat (medial side from
the hip–hip line). Checked on a 3D body filmed from the front and from behind, for both legs.
"""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from kneetrack_synthetic.camera import Camera
from kneetrack_synthetic.squat import make_single_leg_squat

from kneetrack.keypoints import Keypoints
from kneetrack.kinematics.angles import fppa_deg
from kneetrack.kinematics.metrics import compute_series
from kneetrack.screening.squat import SingleLegSquatAnalysis

LEGS = ("left", "right")


def _standing_body(knee_medial_m: dict[str, float], n: int = 30) -> dict[str, np.ndarray]:
    """World points (x forward, y to the runner's left, z up) of a person standing still.

    ``knee_medial_m`` moves each knee towards the midline (positive) or away from it.
    """
    pts: dict[str, np.ndarray] = {}
    for leg, side in (("left", 1.0), ("right", -1.0)):
        y = 0.10 * side
        pts[f"{leg}_hip"] = np.array([0.0, y, 0.90])
        pts[f"{leg}_knee"] = np.array([0.0, y - side * knee_medial_m[leg], 0.48])
        pts[f"{leg}_ankle"] = np.array([0.0, y, 0.08])
        pts[f"{leg}_heel"] = np.array([-0.05, y, 0.03])
        pts[f"{leg}_toe"] = np.array([0.15, y, 0.02])
        pts[f"{leg}_shoulder"] = np.array([0.0, 0.18 * side, 1.45])
    return {k: np.repeat(v[None], n, axis=0) for k, v in pts.items()}


def _film(world: dict[str, np.ndarray], view: str) -> Keypoints:
    cam = Camera(view)
    arrays = {k: cam.project(v) for k, v in world.items()}
    return Keypoints.from_arrays(arrays, fps=60.0, image_size=cam.image_size)


def _squat_path(kp: Keypoints, leg: str) -> np.ndarray:
    """The squat's own call: medial side from the other hip."""
    other = "right" if leg == "left" else "left"
    return fppa_deg(kp[f"{leg}_hip"], kp[f"{leg}_knee"], kp[f"{leg}_ankle"],
                    other_hip=kp[f"{other}_hip"])


@pytest.mark.parametrize("view", ["front", "rear"])
@pytest.mark.parametrize("medial_leg", LEGS)
def test_a_medial_knee_is_positive_on_both_paths(view, medial_leg):
    lateral_leg = "right" if medial_leg == "left" else "left"
    kp = _film(_standing_body({medial_leg: 0.04, lateral_leg: -0.03}), view)
    running = compute_series(kp, view)
    for leg, sign in ((medial_leg, 1.0), (lateral_leg, -1.0)):
        run = running[f"{leg}_fppa_deg"]
        squat = _squat_path(kp, leg)
        assert np.all(np.sign(run) == sign), (view, leg, run[:3])
        assert np.all(np.sign(squat) == sign), (view, leg, squat[:3])
        np.testing.assert_allclose(run, squat, atol=1e-9)
        assert abs(float(run[0])) > 5.0            # 4 cm / 3 cm over a 42 cm thigh


@pytest.mark.parametrize("view", ["front", "rear"])
@pytest.mark.parametrize("leg", LEGS)
def test_squat_analysis_reads_a_valgus_knee_as_positive_from_front_and_rear(view, leg):
    sq = make_single_leg_squat(leg=leg, n_reps=3, fppa_peak_deg=12.0, noise_px=0.5,
                               camera=Camera(view), seed=7)
    ana = SingleLegSquatAnalysis(view=view).analyze(sq.keypoints)
    assert [r.leg for r in ana.reps_] == [leg] * 3
    assert all(abs(r.fppa_deg - 12.0) < 2.0 for r in ana.reps_), [r.fppa_deg for r in ana.reps_]
    assert not ana.quality_["mirrored"]


@settings(max_examples=40, deadline=None)
@given(dx=st.floats(-60, 60), other_dx=st.floats(40, 120), drop=st.floats(-20, 20),
       width=st.floats(600, 3000))
def test_mirror_invariance(dx, other_dx, drop, width):
    """Mirroring the picture (front <-> rear, or a selfie video) keeps every leg's FPPA."""
    hip, ankle = np.array([500.0, 300.0]), np.array([505.0, 700.0])
    knee = np.array([500.0 + dx, 500.0])
    other = hip + np.array([-other_dx, drop])       # medial = image -x: a front view's left leg
    flip = np.array([-1.0, 1.0])

    def mirror(p):
        return p * flip + np.array([width, 0.0])

    a = fppa_deg(hip, knee, ankle, other_hip=other)
    b = fppa_deg(mirror(hip), mirror(knee), mirror(ankle), other_hip=mirror(other))
    assert abs(a - b) < 1e-9
    # The view-based call: the mirrored picture is the other view (medial side flips).
    c = fppa_deg(hip, knee, ankle, medial_sign=-1.0)
    d = fppa_deg(mirror(hip), mirror(knee), mirror(ankle), medial_sign=1.0)
    assert abs(c - d) < 1e-9
    assert abs(a - c) < 1e-9


def test_exactly_one_medial_cue():
    p = np.zeros(2)
    with pytest.raises(ValueError, match="exactly one"):
        fppa_deg(p, p, p)
    with pytest.raises(ValueError, match="exactly one"):
        fppa_deg(p, p, p, medial_sign=1.0, other_hip=p)


@pytest.mark.parametrize("view", ["front", "rear"])
@pytest.mark.parametrize(("leg", "fppa_true"), [("left", 12.0), ("right", 12.0),
                                                ("left", -7.0), ("right", -7.0)])
def test_running_engine_and_squat_analysis_agree_on_one_knee_in_clip(view, leg, fppa_true):
    """The same filmed geometry through both real code paths gives one sign and one value.

    The squat path is :class:`SingleLegSquatAnalysis` (medial side from the hip–hip line,
    its own smoothing, angles at peak knee flexion); the running path is the running
    engine's cleaning chain and per-frame series (medial side from the view), read at the
    squat's peak frames. Both must equal the filmed FPPA and each other.
    """
    from kneetrack.core.views import View
    from kneetrack.kinematics.cleaners import running_chain

    sq = make_single_leg_squat(leg=leg, n_reps=3, fppa_peak_deg=fppa_true, noise_px=0.5,
                               camera=Camera(view), seed=21)
    ana = SingleLegSquatAnalysis(view=view).analyze(sq.keypoints)
    assert len(ana.reps_) == 3
    clean = running_chain(View(view)).clean(sq.keypoints).keypoints_
    running = compute_series(clean, view)[f"{leg}_fppa_deg"]
    for rep in ana.reps_:
        run = float(running[rep.peak_frame])
        assert np.sign(run) == np.sign(rep.fppa_deg) == np.sign(fppa_true), (run, rep.fppa_deg)
        assert abs(rep.fppa_deg - fppa_true) < 2.0
        assert abs(run - fppa_true) < 2.0
        assert abs(run - rep.fppa_deg) < 1.5


@pytest.mark.parametrize("view", ["front", "rear"])
def test_view_medial_sign_is_the_running_paths_medial_side(view):
    """``View.medial_sign`` (core.views) names the same medial side the running series use."""
    from kneetrack.core.views import View

    kp = _film(_standing_body({"left": 0.04, "right": -0.03}), view)
    running = compute_series(kp, view)
    for leg in LEGS:
        own = fppa_deg(kp[f"{leg}_hip"], kp[f"{leg}_knee"], kp[f"{leg}_ankle"],
                       medial_sign=View(view).medial_sign(leg))
        np.testing.assert_allclose(running[f"{leg}_fppa_deg"], own, atol=1e-9)
