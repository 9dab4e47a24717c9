"""Drawing on I420 frames: shapes land in the right place in the right colour."""

from __future__ import annotations

import numpy as np
import pytest

from kneetrack.report.canvas import YuvCanvas, blur_disc
from kneetrack.video.yuv import new_frame, planes, rgb_to_yuv, to_rgb

GREY = (90, 90, 90)
VERMILLION = (213, 94, 0)


def _canvas(w: int = 120, h: int = 80, rgb=GREY) -> YuvCanvas:
    f = new_frame(w, h)
    for plane, val in zip(planes(f), rgb_to_yuv(rgb), strict=True):
        plane[:] = val
    return YuvCanvas(f)


def _close(px: np.ndarray, rgb, tol: int = 12) -> bool:
    return bool(np.abs(px.astype(int) - np.array(rgb)).max() <= tol)


def test_thick_line_in_colour_and_background_untouched():
    c = _canvas()
    c.line((10, 40), (110, 40), VERMILLION, 6)
    img = to_rgb(c.frame)
    assert _close(img[40, 60], VERMILLION)
    assert _close(img[10, 60], GREY, tol=3)
    assert _close(img[70, 60], GREY, tol=3)


def test_filled_shapes_and_outline():
    c = _canvas()
    c.rectangle((20, 20), (50, 50), (255, 255, 255), -1)
    c.circle((90, 40), 12, VERMILLION, -1)
    c.ellipse((90, 70), (10, 4), (0, 114, 178), -1)
    c.rectangle((0, 0), (119, 79), (240, 228, 66), 4)
    img = to_rgb(c.frame)
    assert _close(img[35, 35], (255, 255, 255))
    assert _close(img[40, 90], VERMILLION)
    assert _close(img[70, 90], (0, 114, 178), tol=20)
    assert _close(img[40, 1], (240, 228, 66))
    assert _close(img[10, 70], GREY, tol=3)


def test_text_is_drawn_and_measured():
    c = _canvas(200, 60, rgb=(0, 0, 0))
    w, h = c.text_size("LEFT", 0.8, 2)
    assert w > 30 and h > 10
    c.text("LEFT", (10, 40), 0.8, (255, 255, 255), 2)
    y = c.y
    assert y[40 - h:40, 10:10 + w].max() > 200  # white strokes
    assert y[45:, :].max() < 40  # nothing below the baseline area


def test_shade_darkens_towards_black_and_neutral_grey():
    c = _canvas(rgb=VERMILLION)
    y0 = int(c.y[0, 0])
    c.shade(0, 0, 60, 40, 0.5)
    assert c.y[10, 10] == pytest.approx(16 + (y0 - 16) * 0.5, abs=1)
    assert c.y[60, 100] == y0
    u_full = rgb_to_yuv(VERMILLION)[1]
    assert abs(int(c.u[5, 5]) - 128) < abs(u_full - 128)


def test_shade_outside_the_frame_is_ignored():
    c = _canvas()
    before = [p.copy() for p in planes(c.frame)]
    c.shade(200, 200, 300, 300, 0.5)
    for a, b in zip(planes(c.frame), before, strict=True):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("shape", [(64, 64), (64, 64, 3)])
def test_blur_disc_removes_detail_in_the_disc_only(shape):
    yy, xx = np.mgrid[0:64, 0:64]
    check = ((((yy // 2) + (xx // 2)) % 2) * 255).astype(np.uint8)
    img = np.broadcast_to(check[..., None], shape).copy() if len(shape) == 3 else check.copy()
    blur_disc(img, 32, 32, 14)

    def detail(a: np.ndarray) -> float:
        return float(np.abs(np.diff(a.astype(float), axis=1)).mean())

    assert detail(img[26:38, 26:38]) < 0.1 * detail(check[26:38, 26:38])
    np.testing.assert_array_equal(img[:8, :8].reshape(8, 8, -1)[..., 0], check[:8, :8])


def test_canvas_blur_covers_all_planes():
    c = _canvas(64, 64)
    c.y[::2, ::2] = 235
    c.u[::2, ::2] = 200
    c.blur_disc(32, 32, 16)
    assert np.ptp(c.y[28:36, 28:36]) < 40
    assert np.ptp(c.u[14:18, 14:18]) < 30
