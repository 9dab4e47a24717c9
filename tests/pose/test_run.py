import numpy as np
import pytest

from kneetrack.errors import NoPersonError
from kneetrack.keypoints import Keypoints
from kneetrack.pose.backend import PoseBackend
from kneetrack.pose.fake import ReplayBackend
from kneetrack.pose.run import estimate_video

LEGS = ("left_hip", "right_hip", "left_knee", "right_knee", "left_ankle", "right_ankle")


def _replay(n):
    rng = np.random.default_rng(1)
    xy = rng.uniform(0, 60, (n, len(LEGS), 2))
    return Keypoints(xy=xy, confidence=np.full((n, len(LEGS)), 0.9), markers=LEGS,
                     time_s=np.arange(n) / 30, fps=30)


def test_fake_backend_satisfies_protocol():
    assert isinstance(ReplayBackend(_replay(2)), PoseBackend)


def test_estimate_video_with_replay_backend_uses_video_times(make_video):
    path = make_video("c.mp4", frames=12, fps=25)
    truth = _replay(12)
    backend = ReplayBackend(truth)
    seen = []
    kp = estimate_video(path, backend=backend, progress=lambda d, t: seen.append((d, t)))
    assert backend.frames_seen_ == list(range(12))
    np.testing.assert_allclose(kp.xy, truth.xy)
    np.testing.assert_allclose(kp.time_s, np.arange(12) / 25, atol=1e-3)
    assert kp.fps == pytest.approx(25)
    assert kp.image_size == (64, 48)
    assert seen[-1] == (12, 12)
    assert kp.provenance[-1].step == "pose"


def test_no_person_from_replay(make_video):
    path = make_video("c.mp4", frames=6)
    empty = _replay(6).replace(xy=np.full((6, len(LEGS), 2), np.nan))
    with pytest.raises(NoPersonError, match="no person detected"):
        estimate_video(path, backend=ReplayBackend(empty))


@pytest.mark.slow
def test_mediapipe_finds_nobody_in_an_empty_scene(make_video):
    path = make_video("empty.mp4", frames=15, size=(320, 240),
                      painter=lambda i, w, h: np.full((h, w, 3), 90 + i, np.uint8))
    with pytest.raises(NoPersonError):
        estimate_video(path, workers=1)


def _plausible(kp, *, min_detected):
    detected = np.isfinite(kp["left_hip"][:, 0]).mean()
    assert detected >= min_detected
    for side in ("left", "right"):
        hip, knee, ankle = (np.nanmedian(kp[f"{side}_{m}"][:, 1]) for m in ("hip", "knee", "ankle"))
        assert hip < knee < ankle, f"{side}: feet below knees below hips"
    w, h = kp.image_size
    assert np.nanmin(kp.xy) > -0.2 * max(w, h) and np.nanmax(kp.xy[..., 0]) < 1.2 * w


@pytest.mark.slow
def test_mediapipe_on_real_side_running_video(shared_data):
    kp = estimate_video(shared_data / "video" / "running_side_outdoor.mp4", workers=1)
    assert kp.n_frames == 47 and kp.image_size == (480, 352)
    assert kp.fps == pytest.approx(29.97, abs=0.01)
    assert kp.source == "mediapipe-blazepose-full"
    # she runs out of the frame at frame ~33: detected while visible, nothing invented after
    assert np.isfinite(kp["left_hip"][:30, 0]).all()
    assert np.isnan(kp["left_hip"][38:, 0]).all()
    _plausible(kp, min_detected=0.65)


@pytest.mark.slow
def test_mediapipe_on_real_pose2sim_camera(shared_data):
    kp = estimate_video(shared_data / "video" / "pose2sim_single" / "cam01.mp4", workers=1)
    assert kp.n_frames == 100 and kp.image_size == (1080, 1920)
    _plausible(kp, min_detected=0.9)
    # a near-frontal view: the person's left hip appears on the image's right
    assert np.nanmedian(kp["left_hip"][:, 0] - kp["right_hip"][:, 0]) > 0


@pytest.mark.slow
@pytest.mark.parametrize(("name", "size"), [("sports2d_demo.mp4", (1280, 720)),
                                            ("pose2sim_single/cam01.mp4", (540, 960))])
def test_keeping_the_frames_for_the_video_leaves_the_landmarks_unchanged(shared_data, name,
                                                                          size):
    # The Sports2D clip (1768x994, 30 fps) is scaled to 1280x720 for pose, the annotated
    # video's size: the worker keeps the planes it scaled for the model, which must see the
    # same RGB. cam01 (1080x1920, 60 fps) is kept at 540p, scaled a second time.
    from test_parallel_fakes import KeepAtVideoSize

    from kneetrack.pose.parallel import estimate_video_parallel

    clip = shared_data / "video" / name
    waiter = KeepAtVideoSize()
    kept_run = estimate_video_parallel(clip, while_waiting=waiter)
    assert waiter.kept is not None and waiter.kept.size == size
    waiter.kept.close()
    plain = estimate_video_parallel(clip)
    assert kept_run.provenance[-1].params["frames_kept"] is True
    assert plain.provenance[-1].params["frames_kept"] is False
    np.testing.assert_array_equal(kept_run.xy, plain.xy)
