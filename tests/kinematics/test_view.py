import numpy as np
import pytest

from kneetrack.kinematics.view import ViewDetector, detect_view

from .helpers import ALL_TRIALS, trial_view


@pytest.mark.parametrize("name", ALL_TRIALS)
def test_view_detected_on_real_runners(load_trial, name):
    kp, _ = load_trial(name)
    est = detect_view(kp)
    assert est.view == trial_view(name)
    assert est.confidence > 0.8


@pytest.mark.parametrize("name", ["hamner2010_s02_60fps_front", "hamner2010_s02_60fps_side-right"])
def test_mirrored_image_flips_side_views_and_confuses_front(load_trial, name):
    kp, _ = load_trial(name)
    xy = kp.xy.copy()
    xy[..., 0] = 1920 - xy[..., 0]
    est = ViewDetector().detect(kp.replace(xy=xy))
    if trial_view(name) == "side-right":
        assert est.view_ == "side-left" and est.confidence_ > 0.8
    else:
        # A mirrored front view keeps toes below heels (front) but puts the labelled
        # left leg on the image's left (rear): the cues disagree, confidence drops.
        assert est.confidence_ < 0.5


def test_no_decision_without_body():
    from kneetrack.keypoints import Keypoints

    kp = Keypoints.from_arrays({"left_ankle": np.full((20, 2), np.nan),
                                "right_ankle": np.full((20, 2), np.nan)}, fps=30)
    det = ViewDetector().detect(kp)
    assert det.view_ is None and det.confidence_ == 0.0
