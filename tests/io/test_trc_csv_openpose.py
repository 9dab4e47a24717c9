import json

import numpy as np
import pytest

from kneetrack.errors import InputError
from kneetrack.io.csv import read_csv, write_csv
from kneetrack.io.load import load_keypoints
from kneetrack.io.openpose import BODY_25, COCO_18, read_openpose_folder
from kneetrack.io.trc import read_trc, write_trc
from kneetrack.keypoints import Keypoints

LEGS = ("left_hip", "right_hip", "left_knee", "right_knee", "left_ankle", "right_ankle",
        "left_heel", "right_heel", "left_toe", "right_toe")


def _kp(n=20, fps=60.0, seed=0):
    rng = np.random.default_rng(seed)
    xy = rng.uniform(0, 1000, (n, len(LEGS), 2))
    xy[3, 2] = np.nan
    conf = rng.uniform(0.2, 1, (n, len(LEGS)))
    return Keypoints(xy=xy, confidence=conf, markers=LEGS, time_s=np.arange(n) / fps, fps=fps,
                     image_size=(1920, 1080), source="test")


def test_trc_round_trip(tmp_path):
    kp = _kp()
    path = write_trc(kp, tmp_path / "k.trc")
    back = read_trc(path)
    assert back.markers == kp.markers
    assert back.fps == 60.0
    np.testing.assert_allclose(back.xy, kp.xy, atol=1e-3)
    np.testing.assert_allclose(back.time_s, kp.time_s, atol=1e-6)
    assert np.isnan(back.xy[3, 2]).all()
    assert back.provenance[-1].step == "read_trc"


def test_csv_round_trip_keeps_confidence_and_size(tmp_path):
    kp = _kp()
    back = read_csv(write_csv(kp, tmp_path / "k.csv"))
    assert back.markers == kp.markers
    assert back.image_size == (1920, 1080)
    np.testing.assert_allclose(back.xy, kp.xy, atol=1e-3)
    ok = ~np.isnan(kp.xy[..., 0])
    np.testing.assert_allclose(back.confidence[ok], kp.confidence[ok], atol=1e-3)


def test_real_sports2d_style_trc(shared_data):
    kp = read_trc(shared_data / "mocap2d" / "hamner2010_s02_60fps_front.trc")
    assert kp.n_frames == 600 and kp.fps == 60.0
    assert {"left_toe", "right_heel", "mid_hip", "left_small_toe"} <= set(kp.markers)
    # front view: the runner's left hip appears on the image's right
    assert np.nanmedian(kp["left_hip"][:, 0] - kp["right_hip"][:, 0]) > 0
    # feet below knees below hips (image y grows downwards)
    for side in ("left", "right"):
        assert (np.nanmedian(kp[f"{side}_ankle"][:, 1]) > np.nanmedian(kp[f"{side}_knee"][:, 1])
                > np.nanmedian(kp[f"{side}_hip"][:, 1]))


def test_trc_with_blazepose_names(tmp_path):
    kp = _kp(n=4)
    path = write_trc(kp, tmp_path / "k.trc")
    text = path.read_text().replace("LBigToe", "left_foot_index").replace("RHip", "right_hip")
    path.write_text(text)
    back = read_trc(path)
    assert "left_toe" in back.markers and "right_hip" in back.markers


def test_trc_missing_columns(tmp_path):
    kp = _kp(n=4).with_markers(("left_hip", "left_knee", "left_ankle"))
    path = write_trc(kp, tmp_path / "half.trc")
    with pytest.raises(InputError, match="missing marker columns: right_hip"):
        read_trc(path)


def test_trc_wrong_units(shared_data, tmp_path):
    path = tmp_path / "metres.trc"
    lines = (shared_data / "mocap2d" / "hamner2010_s02_60fps_front.trc").read_text().splitlines()
    lines[2] = lines[2].replace("\tpx\t", "\tm\t")
    path.write_text("\n".join(lines))
    with pytest.raises(InputError, match="units are 'm'"):
        read_trc(path)


def test_trc_not_a_trc(tmp_path):
    p = tmp_path / "x.trc"
    p.write_text("hello\nworld\n" * 5)
    with pytest.raises(InputError, match="not a TRC"):
        read_trc(p)


def _openpose_frame(path, people):
    path.write_text(json.dumps({"version": 1.3, "people": [
        {"person_id": [-1], "pose_keypoints_2d": p} for p in people]}))


@pytest.mark.parametrize("layout", [BODY_25, COCO_18])
def test_openpose_folder(tmp_path, layout):
    n = len(layout)
    for i in range(5):
        near = []
        far = []
        for j in range(n):
            near += [100.0 + j + i, 200.0 + j, 0.9]
            far += [900.0 + j, 200.0 + j, 0.95]
        if i == 2:
            near[3 * layout.index("left_knee") + 2] = 0.0  # missing point
        people = [near, far] if i else [far, near]
        _openpose_frame(tmp_path / f"clip_{i:012d}_keypoints.json", people)
    kp = read_openpose_folder(tmp_path, fps=50)
    assert kp.n_frames == 5 and kp.fps == 50
    # follows the person chosen in frame 0 (the more confident "far" one)
    assert np.all(kp["nose"][:, 0] >= 900)
    kp2 = load_keypoints(tmp_path)
    assert kp2.markers == layout


def test_openpose_missing_point(tmp_path):
    near = []
    for j in range(25):
        near += [100.0 + j, 200.0 + j, 0.0 if j == BODY_25.index("left_knee") else 0.8]
    _openpose_frame(tmp_path / "a_keypoints.json", [near])
    kp = read_openpose_folder(tmp_path)
    assert np.isnan(kp["left_knee"]).all()
    assert kp.conf("left_knee")[0] == 0.0


def test_empty_openpose_folder(tmp_path):
    with pytest.raises(InputError, match="no OpenPose"):
        read_openpose_folder(tmp_path)


def test_openpose_folder_without_people(tmp_path):
    _openpose_frame(tmp_path / "a_keypoints.json", [])
    with pytest.raises(InputError, match="no person"):
        read_openpose_folder(tmp_path)


def test_csv_documented_example(tmp_path):
    p = tmp_path / "k.csv"
    header = "frame,time_s," + ",".join(f"{m}_x,{m}_y" for m in LEGS)
    rows = [f"{i},{i / 30:.4f}," + ",".join(f"{10 * i + j},{20 + j}" for j in range(2 * len(LEGS)))
            for i in range(3)]
    p.write_text("# kneetrack keypoints csv v1\n" + header + "\n" + "\n".join(rows) + "\n")
    kp = read_csv(p)
    assert kp.fps == pytest.approx(30, rel=1e-3)
    assert kp.confidence.min() == 1.0


def test_csv_without_time_or_fps(tmp_path):
    p = tmp_path / "k.csv"
    header = ",".join(f"{m}_x,{m}_y" for m in LEGS)
    p.write_text(header + "\n" + ",".join(["1"] * 2 * len(LEGS)) + "\n")
    with pytest.raises(InputError, match="time_s column or"):
        read_csv(p)


@pytest.mark.parametrize("name", ["photo.png", "notes.txt"])
def test_load_rejects_unsupported(tmp_path, name):
    p = tmp_path / name
    p.write_bytes(b"x")
    with pytest.raises(InputError, match="still image|unsupported"):
        load_keypoints(p)
