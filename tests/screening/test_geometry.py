import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kneetrack.screening.geometry import (
    fppa_deg,
    hip_adduction_deg,
    pelvic_drop_deg,
    trunk_lean_deg,
)

# A front view of a left leg: the left leg is on the image's right, the other hip to its left.
HIP = np.array([1000.0, 500.0])
OTHER = np.array([930.0, 500.0])
ANKLE = np.array([1000.0, 860.0])


def _knee(dx):
    return np.array([1000.0 + dx, 680.0])


@pytest.mark.parametrize("dx, sign", [(-15.0, 1), (15.0, -1), (0.0, 0)])
def test_fppa_sign_medial_is_positive(dx, sign):
    v = float(fppa_deg(HIP, _knee(dx), ANKLE, other_hip=OTHER))
    assert np.sign(round(v, 9)) == sign
    expected = 2 * np.degrees(np.arctan(abs(dx) / 180.0))
    assert abs(abs(v) - expected) < 1e-9


def test_fppa_nan_propagates_and_vectorises():
    knees = np.array([_knee(-10), [np.nan, np.nan]])
    out = fppa_deg(np.stack([HIP, HIP]), knees, np.stack([ANKLE, ANKLE]),
                   other_hip=np.stack([OTHER, OTHER]))
    assert out.shape == (2,)
    assert out[0] > 0 and np.isnan(out[1])


def test_bad_shape_is_rejected():
    with pytest.raises(ValueError):
        fppa_deg(np.zeros(3), np.zeros(3), np.zeros(3), other_hip=np.zeros(3))


def test_hip_adduction_and_pelvic_drop_signs():
    assert hip_adduction_deg(HIP, _knee(-20), other_hip=OTHER) > 0
    assert hip_adduction_deg(HIP, _knee(20), other_hip=OTHER) < 0
    # Other hip lower in the image (larger row) = contralateral drop = positive.
    assert pelvic_drop_deg(HIP, OTHER + [0, 7]) == pytest.approx(np.degrees(np.arctan(7 / 70)))
    assert pelvic_drop_deg(HIP, OTHER - [0, 7]) < 0


def test_trunk_lean_towards_stance_is_positive():
    sh_l, sh_r = np.array([1060.0, 150.0]), np.array([880.0, 150.0])
    lean = float(trunk_lean_deg(HIP, OTHER, sh_l, sh_r))
    assert abs(lean - np.degrees(np.arctan(5 / 350))) < 1e-9
    shifted = trunk_lean_deg(HIP, OTHER, sh_l + [20, 0], sh_r + [20, 0])
    assert shifted > 0
    assert trunk_lean_deg(HIP, OTHER, sh_l - [40, 0], sh_r - [40, 0]) < 0


coord = st.floats(-300, 300)


@settings(max_examples=60, deadline=None)
@given(dx=st.floats(-60, 60), tx=coord, ty=coord, scale=st.floats(0.2, 5.0))
def test_angles_invariant_to_translation_and_scale(dx, tx, ty, scale):
    pts = [HIP, _knee(dx), ANKLE, OTHER]
    moved = [p * scale + [tx, ty] for p in pts]
    a = fppa_deg(*pts[:3], other_hip=pts[3])
    b = fppa_deg(*moved[:3], other_hip=moved[3])
    assert abs(a - b) < 1e-6
    assert abs(hip_adduction_deg(pts[0], pts[1], other_hip=pts[3])
               - hip_adduction_deg(moved[0], moved[1], other_hip=moved[3])) < 1e-6


@settings(max_examples=60, deadline=None)
@given(dx=st.floats(-60, 60), drop=st.floats(-20, 20))
def test_mirroring_keeps_the_values(dx, drop):
    """A rear view (mirror image) of the same leg gives the same signed angles."""
    other = OTHER + [0, drop]
    pts = [HIP, _knee(dx), ANKLE, other]
    mirror = [np.array([1920.0 - p[0], p[1]]) for p in pts]
    a = fppa_deg(*pts[:3], other_hip=pts[3])
    assert abs(a - fppa_deg(*mirror[:3], other_hip=mirror[3])) < 1e-6
    assert abs(pelvic_drop_deg(pts[0], pts[3]) - pelvic_drop_deg(mirror[0], mirror[3])) < 1e-6
    assert abs(hip_adduction_deg(pts[0], pts[1], other_hip=pts[3])
               - hip_adduction_deg(mirror[0], mirror[1], other_hip=mirror[3])) < 1e-6


def test_same_definitions_as_the_running_analysis():
    """Screening and running use the same signs (DESIGN.md); checked against kinematics.angles."""
    angles = pytest.importorskip("kneetrack.kinematics.angles")
    rng = np.random.default_rng(0)
    hip = rng.uniform(900, 1100, (200, 2))
    other = hip + np.stack([rng.choice([-1, 1], 200) * rng.uniform(50, 90, 200),
                            rng.uniform(-10, 10, 200)], axis=1)
    knee = hip + np.stack([rng.uniform(-40, 40, 200), rng.uniform(150, 200, 200)], axis=1)
    ankle = knee + np.stack([rng.uniform(-40, 40, 200), rng.uniform(150, 200, 200)], axis=1)
    medial_sign = np.sign(other[:, 0] - hip[:, 0])
    np.testing.assert_allclose(fppa_deg(hip, knee, ankle, other_hip=other),
                               angles.fppa_deg(hip, knee, ankle, medial_sign=medial_sign),
                               atol=1e-9)
    np.testing.assert_allclose(hip_adduction_deg(hip, knee, other_hip=other),
                               angles.hip_adduction_deg(hip, knee, other), atol=1e-9)
    np.testing.assert_allclose(pelvic_drop_deg(hip, other), angles.pelvic_drop_deg(hip, other),
                               atol=1e-9)
