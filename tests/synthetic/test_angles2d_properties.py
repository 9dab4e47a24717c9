"""Geometry properties of the truth's 2D angle helpers (hypothesis)."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from kneetrack_synthetic import angles2d

coord = st.floats(-500, 500, allow_nan=False)


@st.composite
def leg_points(draw):
    """A plausible front-view leg: hip above knee above ankle, other hip to one side."""
    hx, hy = draw(coord), draw(coord)
    thigh, shank = draw(st.floats(50, 300)), draw(st.floats(50, 300))
    kx = hx + draw(st.floats(-0.4, 0.4)) * thigh
    ax = kx + draw(st.floats(-0.4, 0.4)) * shank
    ox = hx + draw(st.sampled_from([-1, 1])) * draw(st.floats(30, 200))
    oy = hy + draw(st.floats(-30, 30))
    return tuple(np.array(p) for p in ((hx, hy), (kx, hy + thigh), (ax, hy + thigh + shank),
                                        (ox, oy)))


@settings(max_examples=60, deadline=None)
@given(leg_points(), coord, coord, st.floats(0.2, 5.0))
def test_angles_invariant_to_translation_and_scale(pts, dx, dy, scale):
    hip, knee, ankle, other = pts
    moved = [p * scale + np.array([dx, dy]) for p in pts]
    np.testing.assert_allclose(angles2d.fppa_deg(*moved),
                               angles2d.fppa_deg(hip, knee, ankle, other),
                               atol=1e-6)
    np.testing.assert_allclose(angles2d.hip_adduction_deg(moved[0], moved[1], moved[3]),
                               angles2d.hip_adduction_deg(hip, knee, other), atol=1e-6)
    np.testing.assert_allclose(angles2d.pelvic_drop_deg(moved[0], moved[3]),
                               angles2d.pelvic_drop_deg(hip, other), atol=1e-6)


@settings(max_examples=60, deadline=None)
@given(leg_points())
def test_mirroring_the_image_keeps_values(pts):
    # a mirrored image shows the other leg where this one was; medial stays medial
    mirror = [np.array([-p[0], p[1]]) for p in pts]
    hip, knee, ankle, other = pts
    np.testing.assert_allclose(angles2d.fppa_deg(*mirror), angles2d.fppa_deg(*pts), atol=1e-6)
    np.testing.assert_allclose(angles2d.hip_adduction_deg(mirror[0], mirror[1], mirror[3]),
                               angles2d.hip_adduction_deg(hip, knee, other), atol=1e-6)
    np.testing.assert_allclose(angles2d.pelvic_drop_deg(mirror[0], mirror[3]),
                               angles2d.pelvic_drop_deg(hip, other), atol=1e-6)
    # side-view angles flip sign with the facing direction only
    np.testing.assert_allclose(
        angles2d.segment_to_vertical_deg(mirror[1], mirror[2], forward_sign=-1),
        angles2d.segment_to_vertical_deg(knee, ankle, forward_sign=1), atol=1e-6)


@settings(max_examples=60, deadline=None)
@given(leg_points())
def test_knee_moved_medially_raises_fppa(pts):
    hip, knee, ankle, other = pts
    medial = np.sign(other[0] - hip[0])
    base = angles2d.fppa_deg(hip, knee, ankle, other)
    more = angles2d.fppa_deg(hip, knee + np.array([medial * 5.0, 0.0]), ankle, other)
    assert more > base
