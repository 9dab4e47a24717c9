"""YUV 4:2:0 frames: plane views, resizing and rotation without RGB, colour conversion."""

from __future__ import annotations

import av
import cv2
import numpy as np
import pytest

from kneetrack.video.yuv import new_frame, planes, resize_into, rgb_to_yuv, scaled_rgb, to_rgb


def _frame(w: int, h: int, seed: int = 0) -> tuple[av.VideoFrame, np.ndarray]:
    rng = np.random.default_rng(seed)
    # smooth content (enlarged noise) so that scaling filters agree closely
    small = rng.integers(0, 255, (h // 8, w // 8, 3), dtype=np.uint8)
    rgb = cv2.resize(small, (w, h), interpolation=cv2.INTER_CUBIC)
    return av.VideoFrame.from_ndarray(rgb, format="rgb24").reformat(format="yuv420p"), rgb


def _psnr(a: np.ndarray, b: np.ndarray) -> float:
    mse = float(np.mean((a.astype(float) - b.astype(float)) ** 2))
    return 10 * np.log10(255**2 / max(mse, 1e-9))


def test_planes_are_writable_views_of_the_frame():
    f = new_frame(200, 150)  # 150 / 2 is odd, and chroma rows are padded
    y, u, v = planes(f)
    assert y.shape == (150, 200) and u.shape == v.shape == (75, 100)
    y[:] = 100
    u[:] = 7
    v[:] = 250
    arr = f.to_ndarray()
    assert (arr[:150] == 100).all()
    np.testing.assert_array_equal(planes(f)[1], 7)
    with pytest.raises(ValueError):
        new_frame(201, 150)


def test_same_size_is_an_exact_copy():
    src, _ = _frame(64, 48)
    dst = new_frame(64, 48)
    resize_into(src, dst)
    for a, b in zip(planes(dst), planes(src), strict=True):
        np.testing.assert_array_equal(a, b)


def test_downscale_matches_swscale():
    src, _ = _frame(320, 240)
    dst = new_frame(160, 120)
    resize_into(src, dst)
    ours = planes(dst)
    ref = planes(src.reformat(width=160, height=120, format="yuv420p"))
    assert _psnr(ours[0], ref[0]) > 45  # luma
    assert min(_psnr(ours[1], ref[1]), _psnr(ours[2], ref[2])) > 35  # chroma (bicubic there)


@pytest.mark.parametrize("rotation", [90, 180, 270])
def test_rotation_matches_rotating_the_rgb_image(rotation):
    src, _ = _frame(96, 64)
    w, h = (64, 96) if rotation in (90, 270) else (96, 64)
    dst = new_frame(w, h)
    resize_into(src, dst, rotation)
    ref = np.rot90(to_rgb(src), k=rotation // 90)
    ours = to_rgb(dst)
    assert ours.shape == ref.shape
    assert _psnr(ours, ref) > 35


def test_other_pixel_formats_go_through_swscale():
    _, rgb = _frame(64, 48)
    src = av.VideoFrame.from_ndarray(rgb, format="rgb24")  # not yuv420p
    dst = new_frame(32, 24)
    resize_into(src, dst)
    out = to_rgb(dst)
    assert out.shape == (24, 32, 3)
    assert abs(float(out.mean()) - float(rgb.mean())) < 4


def test_rgb_to_yuv_limited_range():
    assert rgb_to_yuv((255, 255, 255)) == (235, 128, 128)
    assert rgb_to_yuv((0, 0, 0)) == (16, 128, 128)
    y, u, v = rgb_to_yuv((255, 0, 0), "bt709")
    assert (y, v) == (63, 240) and u < 128
    assert rgb_to_yuv((255, 0, 0), "bt601")[0] == 81


@pytest.mark.parametrize("matrix", ["bt709", "bt601"])
def test_a_colour_survives_the_round_trip(matrix):
    f = new_frame(16, 16)
    for plane, val in zip(planes(f), rgb_to_yuv((213, 94, 0), matrix), strict=True):
        plane[:] = val
    px = to_rgb(f, matrix)[8, 8].astype(int)
    assert np.abs(px - (213, 94, 0)).max() <= 3


def test_colour_matrix_from_tags_or_size():
    from kneetrack.video.yuv import matrix_of

    hd, sd = new_frame(1280, 720), new_frame(480, 352)
    assert matrix_of(hd) == "bt709" and matrix_of(sd) == "bt601"  # untagged: by size
    sd.colorspace = 1  # tagged BT.709
    hd.colorspace = 6  # tagged SMPTE 170M
    assert matrix_of(sd) == "bt709" and matrix_of(hd) == "bt601"


def test_large_downscales_average_instead_of_aliasing():
    # One white column in four: averaged over 4 px, an even dark grey (a quarter of
    # white); sampled bilinearly at 4 px steps, the white columns would vanish.
    stripes = np.zeros((96, 192, 3), np.uint8)
    stripes[:, ::4] = 255
    src = av.VideoFrame.from_ndarray(stripes, format="rgb24").reformat(format="yuv420p")
    dst = new_frame(48, 24)  # a quarter of the size
    resize_into(src, dst)
    y = planes(dst)[0].astype(float)
    quarter = 16 + 219 * 0.25  # limited-range luma of a quarter of white
    assert y.std() < 3 and abs(y.mean() - quarter) < 6
    rgb = scaled_rgb(src, 48, 24)
    assert rgb is not None and rgb.std() < 4 and abs(rgb.mean() - 64) < 8
