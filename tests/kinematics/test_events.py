import numpy as np
import pytest

from kneetrack.kinematics import analyze_keypoints
from kneetrack.kinematics.cleaners import clean_keypoints
from kneetrack.kinematics.events import ContactDetector, parabolic_peak

from .helpers import ALL_TRIALS, TRIALS_60, corrupt, match_contacts, trial_view

#: Issue targets: median |contact error| (ms) at 60 fps with 1.5 px noise.
TARGET_MS = {"front": 20.0, "side-left": 20.0, "side-right": 20.0, "rear": 35.0}
#: Issue 13: every trial's contacts within these (ms, 90th percentile of |error|).
TRIAL_P90_MS = {"front": 20.0, "side-left": 20.0, "side-right": 20.0, "rear": 30.0}


@pytest.mark.parametrize("name", ALL_TRIALS)
def test_contacts_against_force_plates(load_trial, name):
    kp, truth = load_trial(name)
    view = trial_view(name)
    det = ContactDetector(view).detect(clean_keypoints(kp, view=view))
    err, found, spurious = match_contacts(det.contacts_, truth)
    assert found >= 0.97
    assert spurious <= 0.02
    # issue 13 targets; the detector has no delay fitted on these runners any more (the
    # old 6 ms bound was the training score of constants fitted on them)
    assert np.median(np.abs(err)) <= 10.0
    assert np.percentile(np.abs(err), 90) <= TRIAL_P90_MS[view]
    assert det.cadence_spm_ == pytest.approx(truth["cadence_spm"], abs=1.0)   # issue 13
    # Uncertainty is honest: it covers most errors within 3 SD.
    unc = np.array([s.contact_uncertainty_ms for s in det.stances_
                    if np.isfinite(s.contact_uncertainty_ms)])
    assert np.mean(np.abs(err) <= 3 * np.median(unc)) >= 0.9


@pytest.mark.parametrize("name", TRIALS_60)
def test_contacts_survive_pose_estimator_failures(load_trial, name):
    kp, truth = load_trial(name)
    bad = corrupt(kp, np.random.default_rng(7), noise_px=3.0, swaps_per_s=1.0, dropout=0.05)
    res = analyze_keypoints(bad)
    assert res.view == trial_view(name)
    err, found, spurious = match_contacts(res.contacts, truth)
    assert found >= 0.9
    assert spurious <= 0.1
    assert np.median(np.abs(err)) <= TARGET_MS[res.view]
    assert res.cadence_spm == pytest.approx(truth["cadence_spm"], abs=1.5)


@pytest.mark.parametrize("name", ["hamner2010_s02_60fps_front", "hamner2010_s02_60fps_rear",
                                  "hamner2010_s02_60fps_side-right"])
def test_30fps_contacts_and_warning(load_trial, name):
    kp, truth = load_trial(name)
    half = kp.replace(xy=kp.xy[::2], confidence=kp.confidence[::2], time_s=kp.time_s[::2],
                      fps=30.0)
    res = analyze_keypoints(half)
    err, found, _ = match_contacts(res.contacts, truth)
    assert found >= 0.9 and np.median(np.abs(err)) <= 20.0
    assert any("below 60 fps" in w for w in res.quality["warnings"])


def test_events_alternate_and_toe_off_follows_contact(load_trial):
    kp, truth = load_trial("fukuchi2017_rbds001_t35_60fps_side-right")
    det = ContactDetector("side-right").detect(clean_keypoints(kp, view="side-right"))
    legs = [s.leg for s in det.stances_]
    assert all(a != b for a, b in zip(legs[:-1], legs[1:], strict=True))
    complete = [s for s in det.stances_ if s.complete]
    assert len(complete) >= 80
    durations = np.array([s.toe_off_s - s.contact_s for s in complete])
    true_dur = np.array([s["toe_off_s"] - s["contact_s"] for s in truth["stances"]])
    assert np.median(durations) == pytest.approx(np.median(true_dur), abs=0.02)


def test_parabolic_peak_subframe():
    x = np.arange(10, dtype=float)
    for true in (3.2, 4.5, 6.9):
        assert parabolic_peak(-(x - true) ** 2, int(round(true))) == pytest.approx(true)


def test_no_steps_in_a_still_clip():
    from kneetrack.keypoints import Keypoints

    n = 120
    rng = np.random.default_rng(0)
    arrays = {m: np.array(v, float) + rng.normal(0, 0.5, (n, 2)) for m, v in {
        "left_hip": [1040, 500], "right_hip": [960, 500], "left_knee": [1040, 700],
        "right_knee": [960, 700], "left_ankle": [1040, 900], "right_ankle": [960, 900]}.items()}
    det = ContactDetector("front").detect(Keypoints.from_arrays(arrays, fps=60))
    assert len(det.stances_) <= 2
    assert det.cadence_spm_ is None or len(det.stances_) >= 2


def test_a_glitched_foot_cue_gives_way_to_the_step_rhythm():
    """One stance's foot cue 60 ms early (a swap, a blur): the fused contact would be 40 ms
    early and its two steps 11 % off the cadence; the cue's disagreement with the pelvis is
    an outlier for this clip, so the cue nearer the rhythm decides."""
    from kneetrack.kinematics.step_sequence import StanceEvents, settle_outlier_cues

    step, w = 0.36, 2.0 / 3.0
    rng = np.random.default_rng(0)
    stances = []
    for k in range(20):
        true = 0.5 + k * step
        foot = true + rng.normal(0, 0.003) - (0.060 if k == 10 else 0.0)
        pel = true + 0.010 + rng.normal(0, 0.003)     # pelvis model 10 ms late on this clip
        tc = w * foot + (1 - w) * pel
        stances.append(StanceEvents("left" if k % 2 else "right", tc, tc + 0.25, tc + 0.1, 5.0,
                                    {"foot": 1000 * (foot - tc), "pelvis": 1000 * (pel - tc)}))
    before = np.diff([s.contact_s for s in stances])
    assert np.max(np.abs(before / step - 1)) > 0.10
    out = settle_outlier_cues(stances, step, frame_s=1 / 30, foot_weight=w)
    after = np.diff([s.contact_s for s in out])
    assert np.max(np.abs(after / step - 1)) < 0.05
    assert out[10].cues_ms.get("outlier") == 1.0
    assert [s.contact_s for i, s in enumerate(out) if i != 10] == \
        [s.contact_s for i, s in enumerate(stances) if i != 10]
