"""Left/right swap repair: label swaps are undone, feet that really cross keep their labels."""

import numpy as np
import pytest
from kneetrack_synthetic.camera import Camera
from kneetrack_synthetic.runner import RunnerParams, simulate_runner

from kneetrack.kinematics.periodicity import periodic_label_cost, stride_period_s
from kneetrack.kinematics.swaps import repair_swaps, track_labels


def _crossing_paths(n=120, fps=60.0):
    """Two points that cross each other once, continuously (no label swap)."""
    t = np.arange(n) / fps
    left = np.column_stack([100 + 150 * t, 200 + 30 * np.sin(4 * t)])
    right = np.column_stack([300 - 150 * t, 220 - 30 * np.sin(4 * t)])
    return t, left, right


def test_track_labels_finds_a_swap_and_leaves_a_crossing_alone():
    t, left, right = _crossing_paths()
    # the paths cross (the left point ends on the right): nothing to repair
    assert not track_labels(left, right, t, switch_cost_px=20, swapped_cost_px=1).any()
    a, b = left.copy(), right.copy()
    a[30:42], b[30:42] = right[30:42], left[30:42]          # a 12-frame label swap
    a[90], b[90] = right[90], left[90]                      # and a 1-frame one after the crossing
    state = track_labels(a, b, t, switch_cost_px=20, swapped_cost_px=1)
    expected = np.zeros(t.size, bool)
    expected[30:42] = expected[90] = True
    assert np.array_equal(state, expected)


def test_track_labels_with_variable_frame_times():
    # Variable frame rate (intervals of 11 and 33 ms): constant-velocity prediction uses the
    # real intervals, so uneven steps are not taken for swaps.
    rng = np.random.default_rng(0)
    dt = rng.choice([1 / 90, 1 / 30], size=150)
    t = np.concatenate([[0.0], np.cumsum(dt)])[:150]
    left = np.column_stack([100 + 600 * t, 300 + 0 * t])
    right = np.column_stack([400 - 600 * t, 330 + 0 * t])
    assert not track_labels(left, right, t, switch_cost_px=20, swapped_cost_px=1).any()
    a, b = left.copy(), right.copy()
    a[60:70], b[60:70] = right[60:70], left[60:70]
    assert np.flatnonzero(track_labels(a, b, t, switch_cost_px=20,
                                       swapped_cost_px=1)).tolist() == list(range(60, 70))


def test_track_labels_missing_frames_keep_state():
    t, left, right = _crossing_paths()
    a, b = left.copy(), right.copy()
    a[30:42], b[30:42] = right[30:42], left[30:42]
    a[35:37] = np.nan                                       # a gap inside the swap
    state = track_labels(a, b, t, switch_cost_px=20, swapped_cost_px=1)
    assert state[30:42].all() and state.sum() == 12


def test_stride_period_and_periodic_cost():
    t = np.arange(900) / 60.0
    ph = 2 * np.pi * t / 0.72
    assert stride_period_s(np.abs(np.sin(ph)), t, min_s=0.18) == pytest.approx(0.36, abs=0.005)
    assert np.isnan(stride_period_s(np.random.default_rng(1).normal(size=t.size), t))
    left = np.column_stack([20 * np.cos(ph), 60 * np.sin(ph)])
    right = np.column_stack([-20 * np.cos(ph) - 5, -60 * np.sin(ph)])
    a, b = left.copy(), right.copy()
    a[200:220], b[200:220] = right[200:220].copy(), left[200:220].copy()
    cost = periodic_label_cost(a, b, t, 0.72)
    swapped = np.zeros(t.size, bool)
    swapped[200:220] = True
    far = np.hypot(*(left - right).T) > 20
    # the labelling as given costs more exactly where it is swapped
    assert (cost[swapped & far, 0] > cost[swapped & far, 1]).all()
    assert (cost[~swapped & far, 1] > cost[~swapped & far, 0]).all()


def _runner(width_m, view, *, swing=None, seed=3, fps=60.0, **kw):
    params = RunnerParams.make(step_width_m=width_m, swing_clearance_m=swing, fppa_peak_deg=6.0)
    motion = simulate_runner(params, duration_s=8.0, fps=fps, seed=seed)
    cam = Camera(view)
    kp, report = motion.to_keypoints_with_report(cam, seed=seed + 1, **kw)
    return kp, report, motion.project(cam)


def _labels_ok(fixed, true, part, min_px=8.0):
    """Fraction of frames (true points >= min_px apart) whose labels are right."""
    cl, cr = fixed[f"left_{part}"], fixed[f"right_{part}"]
    tl, tr = true[f"left_{part}"], true[f"right_{part}"]

    def d(x, y):
        return np.hypot(*(x - y).T)

    judged = d(tl, tr) >= min_px
    ok = d(cl, tl) + d(cr, tr) < d(cl, tr) + d(cr, tl)
    return float(ok[judged].mean())


@pytest.mark.parametrize("view", ["front", "rear"])
def test_crossed_feet_are_not_relabelled(view):
    # Feet that stay across the midline all stride (swing straight between landings): an
    # image-order rule relabels them in ~all frames; the identity tracker leaves them.
    kp, _, true = _runner(-0.08, view, noise_px=1.5)
    crossed = (true["left_ankle"][:, 0] - true["right_ankle"][:, 0]) * np.sign(
        true["left_hip"][:, 0] - true["right_hip"][:, 0]) < 0
    assert crossed.mean() > 0.9
    fixed = repair_swaps(kp, view=view)
    assert fixed.provenance[-1].params["frames_repaired"].get("ankle", 0) == 0
    assert _labels_ok(fixed, true, "ankle") == 1.0


@pytest.mark.parametrize("view", ["front", "rear"])
@pytest.mark.parametrize(("width_m", "swing"), [(0.12, 0.07), (0.0, None), (-0.06, 0.07),
                                                (-0.06, None)])
def test_injected_swaps_repaired_at_every_step_width(view, width_m, swing):
    kp, report, true = _runner(width_m, view, swing=swing, noise_px=2.0, swap_rate_hz=2.0)
    swapped = report.swapped_mask(kp.n_frames)
    assert swapped.mean() > 0.1
    assert _labels_ok(kp, true, "ankle") < 0.9                # the corruption is real
    fixed = repair_swaps(kp, view=view)
    assert _labels_ok(fixed, true, "ankle") >= 0.99
    assert _labels_ok(fixed, true, "knee") >= 0.98
    assert _labels_ok(fixed, true, "hip") == 1.0
    # heel and toe follow their ankle
    assert _labels_ok(fixed, true, "heel") >= 0.98


def test_frontal_repair_records_provenance():
    kp, _, _ = _runner(0.1, "front", swing=0.07, noise_px=1.5, swap_rate_hz=1.0)
    step = repair_swaps(kp, view="front").provenance[-1]
    assert step.step == "repair_swaps"
    assert step.params["stride_period_s"] == pytest.approx(120 / 170, abs=0.02)
    assert "Viterbi" in step.params["method"]


@pytest.mark.parametrize("view", ["side-right", "side-left"])
def test_side_view_repair_uses_frame_times(view):
    # Variable frame rate (2 ms jitter, 4 s at half rate): the side-view continuity cue
    # pairs a swap's start and end at most max_swap_s apart in time. Counted in frames
    # (30 at 60 fps) the half-rate stretch pairs events up to 1 s apart: 84-85 % of
    # knee/ankle frames right on this clip instead of 94-98 %.
    motion = simulate_runner(RunnerParams.make(), duration_s=10.0, fps=60.0, seed=0,
                             frame_jitter_ms=2.0)
    cam = Camera(view)
    kp = motion.to_keypoints(cam, noise_px=1.5, swap_rate_hz=2.0, seed=1)
    true = motion.project(cam)
    keep = np.ones(kp.n_frames, bool)
    keep[240:480:2] = False

    def cut(k):
        return k.replace(xy=k.xy[keep], confidence=k.confidence[keep], time_s=k.time_s[keep])

    fixed = repair_swaps(cut(kp), view=view)
    for part in ("knee", "ankle"):
        assert _labels_ok(fixed, cut(true), part) >= 0.93, part
