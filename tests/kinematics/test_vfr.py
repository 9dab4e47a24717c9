"""End to end: a variable-frame-rate clip gives the same contacts and metrics as an even one.

Phones record variable frame rates: timestamps jitter, frames are dropped, and the
rate falls (e.g. to half) for stretches. The same synthetic runner is filmed twice:
at an even 60 fps, and with 2 ms timestamp jitter, 2 % single dropped frames, a run
of three dropped frames and four seconds at half rate. Cleaning works on the frame
times (resampling onto an even grid before filtering), so both clips must agree.
Filtering and event search on the frame index (no resampling) find only about half
of the contacts in the half-rate stretch and flatten the frontal peaks by 1-2 deg.
"""

import numpy as np
import pytest
from kneetrack_synthetic.camera import Camera
from kneetrack_synthetic.runner import RunnerParams, simulate_runner

from kneetrack.kinematics import analyze_keypoints


def _clip(view, *, vfr, seed=5):
    params = RunnerParams.make(fppa_peak_deg=10.0, pelvic_drop_peak_deg=6.0)
    motion = simulate_runner(params, duration_s=10.0, fps=60.0, seed=seed,
                             frame_jitter_ms=2.0 if vfr else 0.0)
    cam = Camera(view)
    kp = motion.to_keypoints(cam, noise_px=1.5, seed=seed + 1)
    if vfr:
        rng = np.random.default_rng(seed + 2)
        keep = rng.random(kp.n_frames) > 0.02
        keep[[0, -1]] = True
        keep[300:303] = False            # three frames in a row
        keep[240:480:2] = False          # 4 s at half rate (30 fps)
        kp = kp.replace(xy=kp.xy[keep], confidence=kp.confidence[keep],
                        time_s=kp.time_s[keep])
    return kp, motion.truth(cam)


def _contact_errors_ms(res, truth):
    errs, n = [], 0
    for leg in ("left", "right"):
        c = res.contacts[leg]
        for tc in truth["contacts"][leg]:
            if 0.3 < tc < truth["case"]["duration_s"] - 0.3:
                n += 1
                if c.size and np.min(np.abs(c - tc)) < 0.1:
                    errs.append(1000 * (c[np.argmin(np.abs(c - tc))] - tc))
    return np.abs(errs), n


@pytest.mark.parametrize("view", ["front", "rear", "side-right"])
def test_variable_frame_rate_matches_even_clip(view):
    even_kp, truth = _clip(view, vfr=False)
    vfr_kp, truth_v = _clip(view, vfr=True)
    assert vfr_kp.n_frames < 0.85 * even_kp.n_frames
    even = analyze_keypoints(even_kp, view=view)
    vfr = analyze_keypoints(vfr_kp, view=view)

    step = [p for p in vfr.keypoints.provenance if p.step == "resample_uniform"]
    assert step and step[0].params["frames_added"] > 100
    assert vfr.keypoints.fps == pytest.approx(60.0, rel=0.01)
    assert not any(p.step == "resample_uniform" for p in even.keypoints.provenance)

    err_e, n = _contact_errors_ms(even, truth)
    err_v, n_v = _contact_errors_ms(vfr, truth_v)
    assert err_v.size == err_e.size == n == n_v          # every contact found in both
    assert np.median(err_v) <= np.median(err_e) + 2.0
    assert err_v.max() <= 15.0
    assert vfr.cadence_spm == pytest.approx(even.cadence_spm, abs=0.5)
    metrics = (("fppa_peak_deg", "hip_adduction_peak_deg", "pelvic_drop_peak_deg")
               if view in ("front", "rear") else ("shank_angle_ic_deg", "knee_flexion_ic_deg",
                                                  "foot_strike_angle_deg"))
    legs = ("left", "right") if view in ("front", "rear") else ("right",)
    for leg in legs:
        for m in metrics:
            assert vfr.summary[leg][m]["mean"] == pytest.approx(even.summary[leg][m]["mean"],
                                                                abs=0.6), (leg, m)
