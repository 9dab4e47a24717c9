import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kneetrack.keypoints import Keypoints
from kneetrack.kinematics.angles import (
    foot_angle_deg,
    fppa_deg,
    hip_adduction_deg,
    knee_flexion_deg,
    pelvic_drop_deg,
    shank_angle_deg,
)
from kneetrack.kinematics.metrics import compute_series


def test_fppa_sign_follows_medial_direction():
    # Front view, left leg (appears on the image's right; midline is image -x).
    hip, ankle = np.array([1000.0, 500.0]), np.array([1000.0, 900.0])
    knee_medial = np.array([980.0, 700.0])
    knee_lateral = np.array([1020.0, 700.0])
    valgus = fppa_deg(hip, knee_medial, ankle, medial_sign=-1)
    varus = fppa_deg(hip, knee_lateral, ankle, medial_sign=-1)
    expected = 2 * np.degrees(np.arctan2(20, 200))
    assert valgus == pytest.approx(expected, abs=1e-9)
    assert varus == pytest.approx(-expected, abs=1e-9)
    assert fppa_deg(hip, np.array([1000.0, 700.0]), ankle, medial_sign=-1) == pytest.approx(0.0)


def test_hip_adduction_and_pelvic_drop_signs():
    lhip, rhip = np.array([1040.0, 500.0]), np.array([960.0, 500.0])   # front view
    knee_in = np.array([1020.0, 700.0])                                # toward the midline
    assert hip_adduction_deg(lhip, knee_in, rhip) == pytest.approx(
        np.degrees(np.arctan2(20, 200)))
    assert hip_adduction_deg(lhip, np.array([1060.0, 700.0]), rhip) < 0
    # Right hip lower (larger y) during left stance = contralateral drop, positive.
    assert pelvic_drop_deg(lhip, rhip + [0, 8]) == pytest.approx(np.degrees(np.arctan2(8, 80)))
    assert pelvic_drop_deg(rhip + [0, 8], lhip) == pytest.approx(-np.degrees(np.arctan2(8, 80)))


def test_sagittal_angles():
    knee, ankle = np.array([0.0, 0.0]), np.array([20.0, 200.0])
    assert shank_angle_deg(knee, ankle, forward_sign=1) == pytest.approx(
        np.degrees(np.arctan2(20, 200)))
    assert shank_angle_deg(knee, ankle, forward_sign=-1) == pytest.approx(
        -np.degrees(np.arctan2(20, 200)))
    assert knee_flexion_deg([0, -200], [0, 0], [0, 200]) == pytest.approx(0.0)
    assert knee_flexion_deg([0, -200], [0, 0], [200, 0]) == pytest.approx(90.0)
    assert foot_angle_deg([0, 0], [100, -10], forward_sign=1) > 0      # toes up
    assert foot_angle_deg([0, 0], [-100, -10], forward_sign=-1) > 0


def test_nan_propagates_and_vectorises():
    hip = np.array([[0.0, 0.0], [np.nan, 0.0]])
    knee = np.array([[5.0, 100.0], [5.0, 100.0]])
    ankle = np.array([[0.0, 200.0], [0.0, 200.0]])
    out = fppa_deg(hip, knee, ankle, medial_sign=1)
    assert out.shape == (2,) and np.isfinite(out[0]) and np.isnan(out[1])


def test_bad_shape_rejected():
    with pytest.raises(ValueError):
        fppa_deg(np.zeros(3), np.zeros(3), np.zeros(3), medial_sign=1)


coord = st.floats(-300, 300, allow_nan=False)


@settings(max_examples=200, deadline=None)
@given(kx=coord, ax=coord, tx=st.floats(-2000, 2000), ty=st.floats(-2000, 2000),
       scale=st.floats(0.2, 5.0), sign=st.sampled_from([-1.0, 1.0]))
def test_fppa_invariant_to_translation_and_scale(kx, ax, tx, ty, scale, sign):
    hip, knee, ankle = np.array([0.0, 0.0]), np.array([kx, 400.0]), np.array([ax, 800.0])
    ref = fppa_deg(hip, knee, ankle, medial_sign=sign)
    t = np.array([tx, ty])
    moved = fppa_deg(hip * scale + t, knee * scale + t, ankle * scale + t, medial_sign=sign)
    assert moved == pytest.approx(ref, abs=1e-7)
    ref_add = hip_adduction_deg(hip, knee, np.array([-150.0, 5.0]))
    moved_add = hip_adduction_deg(hip * scale + t, knee * scale + t,
                                  np.array([-150.0, 5.0]) * scale + t)
    assert moved_add == pytest.approx(ref_add, abs=1e-7)


def _frontal_kp(rng, n=50, width=1920):
    base = {"left_hip": [1040, 500], "right_hip": [960, 505], "left_knee": [1030, 700],
            "right_knee": [975, 700], "left_ankle": [1045, 900], "right_ankle": [955, 895]}
    arrays = {m: np.array(v, float) + rng.normal(0, 15, (n, 2)) for m, v in base.items()}
    return Keypoints.from_arrays(arrays, fps=60, image_size=(width, 1080))


def _mirror(kp: Keypoints, *, swap_labels: bool) -> Keypoints:
    w = kp.image_size[0]
    xy = kp.xy.copy()
    xy[..., 0] = w - xy[..., 0]
    names = list(kp.markers)
    if swap_labels:
        names = [m.replace("left_", "L#").replace("right_", "left_").replace("L#", "right_")
                 for m in names]
    return kp.replace(xy=xy, markers=tuple(names))


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 10_000))
def test_mirroring_swaps_legs_and_keeps_values(seed):
    kp = _frontal_kp(np.random.default_rng(seed))
    s = compute_series(kp, "front")
    # Mirror + relabel: still a front view of the mirrored runner; legs exchange values.
    m = compute_series(_mirror(kp, swap_labels=True), "front")
    for metric in ("fppa_deg", "hip_adduction_deg", "pelvic_drop_deg"):
        np.testing.assert_allclose(m[f"left_{metric}"], s[f"right_{metric}"], atol=1e-9)
        np.testing.assert_allclose(m[f"right_{metric}"], s[f"left_{metric}"], atol=1e-9)
    # Mirror without relabelling: the same runner seen from behind; values per leg kept.
    r = compute_series(_mirror(kp, swap_labels=False), "rear")
    for metric in ("fppa_deg", "hip_adduction_deg", "pelvic_drop_deg"):
        np.testing.assert_allclose(r[f"left_{metric}"], s[f"left_{metric}"], atol=1e-9)


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 10_000))
def test_mirroring_side_view_turns_side_right_into_side_left(seed):
    rng = np.random.default_rng(seed)
    base = {"left_hip": [900, 500], "left_knee": [960, 700], "left_ankle": [940, 900],
            "left_heel": [910, 930], "left_toe": [1010, 925],
            "right_hip": [905, 500], "right_knee": [880, 690], "right_ankle": [820, 860],
            "right_heel": [790, 880], "right_toe": [880, 900]}
    n = 40
    kp = Keypoints.from_arrays({k: np.array(v, float) + rng.normal(0, 10, (n, 2))
                                for k, v in base.items()}, fps=60, image_size=(1920, 1080))
    s = compute_series(kp, "side-right")
    m = compute_series(_mirror(kp, swap_labels=False), "side-left")
    for key in s:
        if key != "time_s":
            np.testing.assert_allclose(m[key], s[key], atol=1e-9)
