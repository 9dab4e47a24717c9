"""The annotated video: H.264 that browsers play, same frames and rate, overlay, face blur."""

from __future__ import annotations

import struct
from pathlib import Path

import av
import numpy as np
import pytest

from kneetrack.errors import InputError
from kneetrack.keypoints import Keypoints
from kneetrack.report.video import (
    PEAK_RGB,
    VideoOverlay,
    frame_series,
    grab_frames,
    head_region,
    peak_valgus_frame,
)

FPS = 30
N = 48
W, H = 320, 240
FACE = (250, 40)  # face centre, away from the top-left HUD
PEAK_FRAME = 15


def _checker(h: int, w: int, cell: int = 2) -> np.ndarray:
    yy, xx = np.mgrid[0:h, 0:w]
    return ((((yy // cell) + (xx // cell)) % 2) * 255).astype(np.uint8)


def _painter(i: int, w: int, h: int) -> np.ndarray:
    img = np.full((h, w, 3), 90, np.uint8)
    x, y = FACE
    img[y - 14:y + 14, x - 14:x + 14] = _checker(28, 28)[..., None]
    return img


@pytest.fixture
def clip(make_video):
    video = make_video("in.mp4", frames=N, fps=FPS, size=(W, H), painter=_painter)
    t = np.arange(N) / FPS
    x, y = FACE
    const = {
        "nose": (x, y), "left_eye": (x + 5, y - 4), "right_eye": (x - 5, y - 4),
        "left_ear": (x + 10, y), "right_ear": (x - 10, y),
        "left_shoulder": (x + 20, 80), "right_shoulder": (x - 20, 80),
        "left_hip": (x + 12, 150), "right_hip": (x - 12, 150),
        "left_knee": (x + 10, 190), "right_knee": (x - 10, 190),
        "left_ankle": (x + 12, 228), "right_ankle": (x - 12, 228),
    }
    kp = Keypoints.from_arrays({m: np.tile(np.array(p, float), (N, 1)) for m, p in const.items()},
                               fps=FPS, image_size=(W, H))
    fppa = np.zeros(N)
    fppa[9:21] = np.linspace(0, 1, 12) * 5
    fppa[PEAK_FRAME] = 15.0
    series = {"time_s": t, "left_fppa_deg": fppa, "right_fppa_deg": np.full(N, 2.0),
              "left_hip_adduction_deg": np.full(N, 8.0), "right_hip_adduction_deg": np.full(N, 6.0)}
    analysis = {"view": "front", "stances": [
        {"leg": "left", "contact_s": 0.3, "toe_off_s": 0.7, "fppa_peak_deg": 15.0},
        {"leg": "right", "contact_s": 0.9, "toe_off_s": 1.3, "fppa_peak_deg": 2.0},
    ]}
    return video, kp, series, analysis


def _decode(path: Path) -> tuple[av.video.stream.VideoStream, list[np.ndarray]]:
    with av.open(str(path)) as c:
        s = c.streams.video[0]
        info = (s.codec_context.name, s.codec_context.pix_fmt, s.width, s.height, s.average_rate)
        frames = [f.to_ndarray(format="rgb24") for f in c.decode(s)]
    return info, frames


def _top_level_boxes(path: Path) -> list[str]:
    data = path.read_bytes()
    boxes, i = [], 0
    while i + 8 <= len(data):
        size, kind = struct.unpack(">I4s", data[i:i + 8])
        if size == 1:
            size = struct.unpack(">Q", data[i + 8:i + 16])[0]
        boxes.append(kind.decode("latin-1"))
        if size < 8:
            break
        i += size
    return boxes


def test_annotated_video_plays_in_browsers_and_keeps_frames(clip, tmp_path):
    video, kp, series, analysis = clip
    ov = VideoOverlay().render(video, tmp_path / "annotated.mp4", keypoints=kp,
                               analysis=analysis, series=series, grab=[3, 40])
    (codec, pix_fmt, w, h, rate), frames = _decode(ov.path_)
    assert codec == "h264" and pix_fmt == "yuv420p"
    assert (w % 2, h % 2) == (0, 0) and (w, h) == (W, H)
    assert len(frames) == N == ov.frames_written_
    assert float(rate) == pytest.approx(FPS)
    boxes = _top_level_boxes(ov.path_)
    assert boxes.index("moov") < boxes.index("mdat"), boxes  # +faststart
    assert not (tmp_path / "annotated.mp4.part").exists()
    assert set(ov.grabbed_) == {3, 40}
    assert ov.peak_[:3] == (PEAK_FRAME, "left", "fppa_deg")
    assert ov.peak_[3] == pytest.approx(15.0)


def test_peak_frame_is_highlighted_only_around_the_peak(clip, tmp_path):
    video, kp, series, analysis = clip
    ov = VideoOverlay(highlight_s=0.1).render(video, tmp_path / "a.mp4", keypoints=kp,
                                              analysis=analysis, series=series)
    _, frames = _decode(ov.path_)

    def border_is_yellow(img: np.ndarray) -> bool:
        px = img[H // 2, 1].astype(int)
        return bool(np.abs(px - np.array(PEAK_RGB)).max() < 40)

    assert border_is_yellow(frames[PEAK_FRAME])
    assert not border_is_yellow(frames[0])
    assert not border_is_yellow(frames[PEAK_FRAME + 6])


def test_faces_are_blurred_by_default(clip, tmp_path):
    video, kp, series, analysis = clip
    x, y = FACE

    def face_detail(path: Path) -> float:
        _, frames = _decode(path)
        patch = frames[5][y - 8:y + 8, x - 8:x + 8].astype(float)
        return float(np.abs(np.diff(patch, axis=1)).mean())

    blurred = VideoOverlay().render(video, tmp_path / "b.mp4", keypoints=kp,
                                    analysis=analysis, series=series).path_
    sharp = VideoOverlay(blur_faces=False).render(video, tmp_path / "s.mp4", keypoints=kp,
                                                  analysis=analysis, series=series).path_
    assert face_detail(sharp) > 40  # the checkerboard survives encoding
    assert face_detail(blurred) < 0.2 * face_detail(sharp)


def test_face_region_from_head_points_and_fallback():
    n = 3
    pts = {"left_shoulder": (120.0, 100.0), "right_shoulder": (80.0, 100.0),
           "left_hip": (115.0, 200.0), "right_hip": (85.0, 200.0),
           "left_knee": (115.0, 260.0), "right_knee": (85.0, 260.0),
           "left_ankle": (115.0, 320.0), "right_ankle": (85.0, 320.0)}
    arrays = {m: np.tile(np.array(p), (n, 1)) for m, p in pts.items()}
    arrays["nose"] = np.array([[100.0, 50.0], [np.nan, np.nan], [np.nan, np.nan]])
    kp = Keypoints.from_arrays(arrays, fps=30)
    x, y, r = head_region(kp, 0)
    assert (x, y) == (100.0, 50.0)
    assert r >= 0.33 * 100  # at least a third of the torso length
    x, y, r = head_region(kp, 1)  # no face points: above the shoulders
    assert x == pytest.approx(100.0) and y < 100.0


def test_frame_series_resamples_by_time():
    s = {"time_s": np.arange(10) / 10.0, "left_fppa_deg": np.arange(10.0), "hip_width_px": [1] * 10}
    out = frame_series(s, np.array([0.0, 0.31, 0.5, 5.0]))
    assert "hip_width_px" not in out
    np.testing.assert_array_equal(out["left_fppa_deg"][:3], [0.0, 3.0, 5.0])
    assert np.isnan(out["left_fppa_deg"][3])  # far outside the series


def test_peak_falls_back_to_hip_adduction():
    t = np.arange(20) / 10.0
    values = {"left_hip_adduction_deg": np.where(np.arange(20) == 7, 12.0, 3.0)}
    analysis = {"stances": [{"leg": "left", "contact_s": 0.5, "toe_off_s": 0.9,
                             "fppa_peak_deg": None, "hip_adduction_peak_deg": 12.0}]}
    assert peak_valgus_frame(analysis, values, t) == (7, "left", "hip_adduction_deg", 12.0)
    assert peak_valgus_frame({"stances": []}, values, t) is None


def test_missing_video_is_a_clear_error(clip, tmp_path):
    _, kp, series, analysis = clip
    with pytest.raises(InputError):
        VideoOverlay().render(tmp_path / "nope.mp4", tmp_path / "o.mp4", keypoints=kp,
                              analysis=analysis)


def test_grab_frames(clip):
    video = clip[0]
    got = grab_frames(video, [0, 5, 5])
    assert sorted(got) == [0, 5] and got[5].shape == (H, W, 3)


def test_large_input_is_downscaled_with_even_size(clip, tmp_path):
    video, kp, series, analysis = clip
    ov = VideoOverlay(max_side_px=201).render(video, tmp_path / "small.mp4", keypoints=kp,
                                              analysis=analysis, series=series)
    (codec, pix_fmt, w, h, _), frames = _decode(ov.path_)
    assert (w, h) == ov.size_ == (200, 150)
    assert len(frames) == N


def test_keypoints_shorter_than_video_map_by_time(clip, tmp_path):
    from kneetrack.report.video import _nearest_one

    video, kp, series, analysis = clip
    short = kp.slice_frames(0, 40)
    ov = VideoOverlay(blur_faces=False).render(video, tmp_path / "short.mp4", keypoints=short,
                                               analysis=analysis, series=series)
    _, frames = _decode(ov.path_)
    assert len(frames) == N  # every input frame is written, with or without a skeleton
    knee = (FACE[0] + 10, 190)  # left knee joint marker (white dot) while keypoints last
    assert frames[30][knee[1], knee[0]].min() > 200
    assert frames[45][knee[1], knee[0]].max() < 120
    t = np.arange(5) / 10.0
    assert [_nearest_one(t, x, tol_s=0.04) for x in (0.0, 0.13, 0.17, 0.45, -0.03)] == \
        [0, 1, 2, -1, 0]
