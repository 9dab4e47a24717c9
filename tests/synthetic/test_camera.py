"""The synthetic pinhole camera, including its off-axis, tilt, roll and lens options."""

from __future__ import annotations

import numpy as np
import pytest
from kneetrack_synthetic.camera import Camera


def test_default_camera_is_a_level_pinhole():
    cam = Camera("front", distance_m=4.0, height_m=1.0, focal_px=1000.0, image_size=(800, 600),
                 target_height_m=1.0)
    # a point 0.5 m to the runner's left at camera height, at the origin
    uv = cam.project(np.array([[0.0, 0.5, 1.0], [0.0, 0.0, 0.0]]))
    np.testing.assert_allclose(uv[0], [400 + 1000 * 0.5 / 4.0, 300.0])
    np.testing.assert_allclose(uv[1], [400.0, 300 + 1000 * 1.0 / 4.0])


@pytest.mark.parametrize("view", ["front", "rear", "side-left", "side-right"])
def test_target_mid_image_with_and_without_tilt(view):
    for tilt in (0.0, 8.0, -5.0):
        cam = Camera(view, height_m=1.3, target_height_m=0.9, tilt_deg=tilt)
        uv = cam.project(np.array([[0.0, 0.0, 0.9]]))
        np.testing.assert_allclose(uv[0], [960.0, 540.0], atol=1e-6)


def test_tilt_makes_verticals_converge():
    level = Camera("front", height_m=1.5)
    tilted = Camera("front", height_m=1.5, tilt_deg=10.0)
    pole = np.array([[0.0, 0.4, 0.0], [0.0, 0.4, 1.8]])
    for cam, vertical in ((level, True), (tilted, False)):
        uv = cam.project(pole)
        assert np.isclose(uv[0, 0], uv[1, 0]) == vertical


def test_azimuth_moves_the_camera_around_the_runner():
    cam = Camera("front", azimuth_deg=20.0)
    pos = cam.position
    assert np.degrees(np.arctan2(pos[1], pos[0])) == pytest.approx(20.0)
    assert np.hypot(pos[0], pos[1]) == pytest.approx(cam.distance_m)
    uv = cam.project(np.array([[0.0, 0.0, cam.target_height_m]]))
    np.testing.assert_allclose(uv[0], [960.0, 540.0], atol=1e-6)   # still faces the origin
    # off-axis: the runner's left hip now appears closer to the right hip in the image
    hips = np.array([[0.0, 0.09, 0.9], [0.0, -0.09, 0.9]])
    on_axis = np.ptp(Camera("front").project(hips)[:, 0])
    assert np.ptp(cam.project(hips)[:, 0]) == pytest.approx(on_axis * np.cos(np.radians(20)),
                                                             rel=0.02)


def test_roll_rotates_about_the_principal_point():
    cam = Camera("side-right", roll_deg=90.0, target_height_m=0.8, height_m=0.8)
    ahead = cam.project(np.array([[0.5, 0.0, 0.8]]))[0]
    # forward is image-right without roll; a 90 degree roll turns it to image-down
    assert ahead[0] == pytest.approx(960.0, abs=1e-6)
    assert ahead[1] > 540.0


def test_barrel_distortion_pulls_points_toward_the_centre():
    pin = Camera("front")
    barrel = Camera("front", k1=-0.2)
    # the second point lies on the optical axis (camera height, straight ahead)
    pts = np.array([[0.0, 0.8, 1.8], [0.0, 0.0, pin.height_m]])
    a, b = pin.project(pts), barrel.project(pts)
    c = a[1]
    assert np.linalg.norm(b[0] - c) < np.linalg.norm(a[0] - c)
    np.testing.assert_allclose(a[1], b[1])   # the distortion centre does not move
