"""Frames kept in the pose worker for the annotated video: the same pixels as decoding again."""

from __future__ import annotations

import av
import cv2
import numpy as np
import pytest

from kneetrack.video.kept import KEEP_MAX_BYTES, FrameStore, kept_bytes
from kneetrack.video.reader import frame_to_rgb
from kneetrack.video.yuv import new_frame, planes, resize_into


def _decoded(w: int, h: int, seed: int) -> av.VideoFrame:
    rng = np.random.default_rng(seed)
    small = rng.integers(0, 255, (h // 8, w // 8, 3), dtype=np.uint8)
    rgb = cv2.resize(small, (w, h), interpolation=cv2.INTER_CUBIC)
    return av.VideoFrame.from_ndarray(rgb, format="rgb24").reformat(format="yuv420p")


def _same_planes(a: av.VideoFrame, b: av.VideoFrame) -> None:
    for pa, pb in zip(planes(a), planes(b), strict=True):
        np.testing.assert_array_equal(pa, pb)


@pytest.mark.parametrize("rotation", [0, 90])
def test_kept_frames_are_what_the_render_would_scale(rotation):
    store = FrameStore(size=(320, 180) if rotation == 0 else (180, 320))
    for i in range(3):
        src = _decoded(640, 360, seed=i)
        rgb = store.keep(i, src, rotation, pose_size=(320, 180))
        want = new_frame(*store.size)
        resize_into(src, want, rotation)
        _same_planes(store.frames[i], want)
        if rotation == 0:  # scaled once for both: the RGB is frame_to_rgb's, bit for bit
            np.testing.assert_array_equal(rgb, frame_to_rgb(src, 320, 180))
        else:
            assert rgb is None  # the caller converts (and rotates) the frame itself
    assert store.stop == 3


def test_a_frame_pose_does_not_scale_is_copied_and_left_to_the_caller():
    store = FrameStore(size=(320, 180))
    src = _decoded(320, 180, seed=5)
    assert store.keep(0, src, 0, pose_size=(320, 180)) is None  # frame_to_rgb uses swscale
    _same_planes(store.frames[0], src)


def test_frames_must_come_in_order_and_the_colour_matrix_is_the_decoders():
    store = FrameStore(size=(320, 180), first=10)
    src = _decoded(640, 360, seed=1)
    with pytest.raises(ValueError, match="out of order"):
        store.keep(11, src, 0)
    store.keep(10, src, 0)
    assert store.matrix == "bt601"  # untagged and under 720 lines, as players guess
    store.clear()
    assert store.frames == [] and store.stop == 10


def test_how_many_bytes_frames_take():
    assert kept_bytes(230, (1280, 720)) == 230 * 1280 * 720 * 3 // 2
    assert kept_bytes(230, (1280, 720)) < KEEP_MAX_BYTES < kept_bytes(600, (1280, 720))
