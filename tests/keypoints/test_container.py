import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from kneetrack.errors import InputError
from kneetrack.keypoints import Keypoints, canonical_name


def _kp(n=5, markers=("left_hip", "right_hip"), **kw):
    xy = np.arange(n * len(markers) * 2, dtype=float).reshape(n, len(markers), 2)
    return Keypoints(xy=xy, confidence=np.ones((n, len(markers))), markers=markers,
                     time_s=np.arange(n) / 30, fps=30, **kw)


def test_access_by_marker_and_read_only():
    kp = _kp()
    assert kp["right_hip"].shape == (5, 2)
    assert kp["right_hip"][1].tolist() == [6.0, 7.0]
    with pytest.raises(ValueError):
        kp.xy[0, 0, 0] = 1.0
    with pytest.raises(KeyError):
        kp["left_knee"]


def test_missing_points_get_zero_confidence():
    xy = np.zeros((3, 1, 2))
    xy[1, 0, 0] = np.nan
    kp = Keypoints(xy=xy, confidence=np.ones((3, 1)), markers=("nose",), time_s=[0, 1, 2], fps=1)
    assert kp.confidence[:, 0].tolist() == [1.0, 0.0, 1.0]
    assert np.isnan(kp.xy[1, 0]).all()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"xy": np.zeros((3, 2))}, "shape"),
        ({"confidence": np.ones((4, 2))}, "confidence"),
        ({"markers": ("left_hip",)}, "marker names"),
        ({"markers": ("left_hip", "bogus")}, "unknown marker"),
        ({"markers": ("left_hip", "left_hip")}, "duplicate"),
        ({"time_s": np.array([0, 0.1, 0.1, 0.3, 0.4])}, "increasing"),
        ({"fps": 0.0}, "frame rate"),
        ({"xy": np.zeros((0, 2, 2)), "confidence": np.zeros((0, 2)), "time_s": np.zeros(0)},
         "no frames"),
    ],
)
def test_validation(change, message):
    base = {"xy": np.zeros((5, 2, 2)), "confidence": np.ones((5, 2)),
            "markers": ("left_hip", "right_hip"), "time_s": np.arange(5) / 30, "fps": 30.0}
    base.update(change)
    with pytest.raises(InputError, match=message):
        Keypoints(**base)


def test_replace_logs_provenance_and_keeps_original():
    kp = _kp()
    kp2 = kp.replace(xy=kp.xy * 2, step="scale", params={"factor": 2})
    assert kp2.provenance_dicts() == [{"step": "scale", "params": {"factor": 2}}]
    assert kp.provenance == ()
    assert kp2["left_hip"][1, 0] == 2 * kp["left_hip"][1, 0]


def test_variable_frame_rate_times_are_kept():
    t = np.array([0.0, 0.016, 0.035, 0.05, 0.068])
    kp = _kp(time_s=None) if False else Keypoints(
        xy=np.zeros((5, 1, 2)), confidence=np.ones((5, 1)), markers=("nose",), time_s=t, fps=60)
    assert kp.time_s.tolist() == t.tolist()
    assert kp.duration_s == pytest.approx(0.068 + np.median(np.diff(t)))


def test_slice_and_with_markers():
    kp = _kp(n=10)
    part = kp.slice_frames(2, 5)
    assert part.n_frames == 3 and part.time_s[0] == pytest.approx(2 / 30)
    sel = kp.with_markers(["right_hip", "left_knee"])
    assert sel.markers == ("right_hip", "left_knee")
    assert np.isnan(sel["left_knee"]).all()
    assert np.array_equal(sel["right_hip"], kp["right_hip"])


def test_tracked_fraction():
    xy = np.ones((4, 6, 2))
    xy[1, 3] = np.nan
    names = ("left_hip", "right_hip", "left_knee", "right_knee", "left_ankle", "right_ankle")
    kp = Keypoints(xy=xy, confidence=np.ones((4, 6)), markers=names, time_s=np.arange(4), fps=1)
    assert kp.tracked_fraction() == 0.75


@pytest.mark.parametrize(
    ("raw", "name"),
    [("RBigToe", "right_toe"), ("LHeel", "left_heel"), ("left_foot_index", "left_toe"),
     ("Hip", "mid_hip"), ("RSmallToe", "right_small_toe"), ("right_hip", "right_hip"),
     ("LShoulder", "left_shoulder"), ("Nose", "nose"), ("left_eye_inner", None),
     ("mouth_left", None), ("R_Knee", "right_knee")],
)
def test_canonical_names(raw, name):
    assert canonical_name(raw) == name


@given(st.sampled_from(["hip", "knee", "ankle", "heel", "shoulder"]), st.sampled_from(["L", "R"]))
def test_sided_spellings_agree(part, side):
    full = "left" if side == "L" else "right"
    assert canonical_name(f"{side}{part.capitalize()}") == canonical_name(f"{full}_{part}")
