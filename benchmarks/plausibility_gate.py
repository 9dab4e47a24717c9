"""How often the plausibility gate refuses good clips and passes bad ones.

Good clips: the shared mocap2d runners (real treadmill runners projected to 2D, clean and
with BlazePose-like failures: noise, label swaps, dropouts) and synthetic runners over
views, frame rates (30-240 fps), cadences (150-235 spm) and overground passes. Bad clips:
the same runners slowed to 0.25/0.4/0.5 of real speed, walking-like synthetic movers, a
standing person, frames stretched 3x sideways, and two runners spliced.

The gate's limits were chosen while looking at the mocap2d runners and the synthetic
runner, so the numbers for those are a training score, not a validation; the real videos
(``tests/kinematics/test_real_videos_gate.py``) are the only clips it had not been tuned on
(and they were seen while choosing the identity limits).

Run: ``PYTHONPATH=src python benchmarks/plausibility_gate.py`` (about 2 minutes on 2 cores).
"""

from __future__ import annotations

import json
import sys
import warnings
from collections import defaultdict
from pathlib import Path

import _support  # noqa: F401  (support/ on sys.path)
import numpy as np
from kneetrack_synthetic.runner import synthetic_clip

from kneetrack.io.trc import read_trc
from kneetrack.keypoints import Keypoints
from kneetrack.kinematics import analyze_keypoints

REPO = Path(__file__).resolve().parents[1]
DATA = REPO / ".." / "shared" / "data" / "mocap2d"
TRIALS = [
    "fukuchi2017_rbds001_t35_60fps_front", "fukuchi2017_rbds001_t35_60fps_rear",
    "fukuchi2017_rbds001_t35_60fps_side-left", "fukuchi2017_rbds001_t35_60fps_side-right",
    "hamner2010_s02_60fps_front", "hamner2010_s02_60fps_rear",
    "hamner2010_s02_60fps_side-left", "hamner2010_s02_60fps_side-right",
    "fukuchi2017_rbds001_t35_150fps_front", "fukuchi2017_rbds001_t35_150fps_side-right",
]


def corrupt(kp: Keypoints, rng: np.random.Generator) -> Keypoints:
    """BlazePose-like failures: 3 px jitter, 1 swap/s (often the foot only), 5 % dropouts."""
    xy = kp.xy + rng.normal(0.0, 3.0, kp.xy.shape)
    names = kp.markers
    for _ in range(int(kp.duration_s)):
        start = int(rng.integers(0, kp.n_frames - 30))
        length = int(rng.choice([1, 2, 3, 4, 8, 15, 24]))
        parts = ["ankle", "heel", "toe"] if rng.random() < 0.5 else ["knee", "ankle", "heel", "toe"]
        for p in parts:
            if f"left_{p}" in names and f"right_{p}" in names:
                i, j = names.index(f"left_{p}"), names.index(f"right_{p}")
                seg = slice(start, start + length)
                xy[seg, i], xy[seg, j] = xy[seg, j].copy(), xy[seg, i].copy()
    xy[rng.random(xy.shape[:2]) < 0.05] = np.nan
    return kp.replace(xy=xy, confidence=np.where(np.isnan(xy[..., 0]), 0.0, 0.9))


def walker(view: str, seed: int) -> Keypoints:
    """Walking-like: 110 spm, low feet, the pelvis highest at mid-stance."""
    kp, truth = synthetic_clip(view, duration_s=12, cadence_spm=110, duty_factor=0.48,
                               vertical_oscillation_m=0.0, swing_ankle_height_m=0.12,
                               speed_ms=1.4, seed=seed)
    mids = np.array(sorted(0.5 * (s["contact_s"] + s["toe_off_s"]) for s in truth["stances"]))
    leg_px = float(np.nanmedian(np.hypot(*(kp["left_ankle"] - kp["left_hip"]).T)))
    lift = 0.045 * leg_px * 0.5 * (1 + np.cos(2 * np.pi * np.interp(kp.time_s, mids,
                                                                   np.arange(mids.size))))
    xy = kp.xy.copy()
    upper = [i for i, m in enumerate(kp.markers)
             if not any(p in m for p in ("knee", "ankle", "heel", "toe"))]
    xy[:, upper, 1] -= lift[:, None]
    return kp.replace(xy=xy)


def splice(a: Keypoints, b: Keypoints) -> Keypoints:
    common = [m for m in a.markers if m in b.markers]
    a, b = a.with_markers(common), b.with_markers(common)
    c = np.nanmean(b.xy, axis=(0, 1))
    xy = np.concatenate([a.xy, (b.xy - c) * 0.6 + c + np.array([450.0, 40.0])])
    conf = np.concatenate([a.confidence, b.confidence])
    return Keypoints(xy=xy, confidence=conf, markers=a.markers,
                     time_s=np.arange(xy.shape[0]) / a.fps, fps=a.fps)


def main() -> int:
    warnings.filterwarnings("ignore")
    if not DATA.is_dir():
        print(f"shared data not found: {DATA}")
        return 1
    rows: dict[str, list[tuple[str, bool, str]]] = defaultdict(list)

    def judge(group: str, label: str, kp: Keypoints, *, good: bool) -> None:
        res = analyze_keypoints(kp)
        gate = res.plausibility
        angles_ok = not any(c["code"] == "body_proportions" and c["passed"] is False
                            for c in gate["checks"])
        ok = bool(gate["passed"]) and angles_ok
        right = ok if good else not ok
        why = "; ".join(gate["reasons"])[:90] or ("angles withheld" if not angles_ok else "")
        rows[group].append((label, right, why))

    rng = np.random.default_rng(7)
    for name in TRIALS:
        kp = read_trc(DATA / f"{name}.trc")
        judge("good: mocap2d runners", name, kp, good=True)
        judge("good: mocap2d + pose failures", name, corrupt(kp, rng), good=True)
        for f in (0.25, 0.4, 0.5):
            judge(f"bad: slowed x{f}", name, kp.replace(time_s=kp.time_s / f, fps=kp.fps * f),
                  good=False)
        xy = kp.xy.copy()
        xy[..., 0] *= 3.0
        judge("bad: stretched 3x (angles withheld)", name, kp.replace(xy=xy), good=False)
    for view in ("front", "rear", "side-right", "side-left"):
        for fps in (30, 60, 120, 240):
            for cad in (150, 175, 200):
                kp, _ = synthetic_clip(view, duration_s=10, fps=fps, cadence_spm=cad,
                                       swap_rate_hz=1.0, dropout=0.03, noise_px=2.0, seed=cad)
                judge("good: synthetic runners", f"{view} {fps} fps {cad} spm", kp, good=True)
        kp, _ = synthetic_clip(view, duration_s=8, cadence_spm=235, speed_ms=8.5,
                               duty_factor=0.22, vertical_oscillation_m=0.05, seed=5)
        judge("good: synthetic runners", f"{view} sprint 235 spm", kp, good=True)
        for seed in (0, 1):
            judge("bad: walking", f"{view} seed {seed}", walker(view, seed), good=False)
    # independent models (not the runners the limits were read from): pendulum walkers,
    # fast enough (2.2 m/s) for a running cadence, and spring-mass runners
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import loro_events
    from kneetrack_synthetic.spring_mass_runner import PendulumWalker, SpringMassRunner

    for view in ("front", "rear", "side-right", "side-left"):
        for speed, duty in ((1.0, 0.65), (1.4, 0.62), (1.8, 0.58), (2.2, 0.56)):
            run = PendulumWalker(speed_ms=speed, duty_factor=duty, seed=9).simulate(12.0)
            tr = loro_events.Trial("w", "w", speed, run.time_s, run.points, run.events, "model")
            judge("bad: pendulum walkers (independent)", f"{view} {speed} m/s",
                  loro_events.make_case(tr, view, 60.0, seed=9)[0], good=False)
        for speed in (2.0, 3.5, 5.0):
            run = SpringMassRunner(speed_ms=speed, seed=9).simulate(12.0)
            tr = loro_events.Trial("r", "r", speed, run.time_s, run.points, run.events, "model")
            judge("good: spring-mass runners (independent)", f"{view} {speed} m/s",
                  loro_events.make_case(tr, view, 60.0, seed=9)[0], good=True)
    sprint = np.load(REPO / "tests" / "kinematics" / "data" / "sprint_track_panning_keypoints.npz")
    skp = Keypoints(xy=sprint["xy"].astype(float),
                    confidence=np.isfinite(sprint["xy"]).all(axis=2).astype(float),
                    markers=tuple(str(m) for m in sprint["markers"]), time_s=sprint["time_s"],
                    fps=float(sprint["fps"]))
    judge("good: real sprint (29 fps)", "sprint_track_panning", skp, good=True)
    for f in (0.5, 0.4):
        judge("bad: real sprint slowed", f"x{f}",
              skp.replace(time_s=skp.time_s / f, fps=skp.fps * f), good=False)
    a = read_trc(DATA / "fukuchi2017_rbds001_t35_60fps_rear.trc").slice_frames(0, 900)
    b = read_trc(DATA / "hamner2010_s02_60fps_rear.trc").slice_frames(0, 420)
    res = analyze_keypoints(splice(a, b))
    kept = res.plausibility["identity"]["kept"]
    rows["bad: two runners spliced (longest kept)"].append(
        ("15 s + 7 s", bool(kept and abs(kept[1] - 15.0) < 0.1), f"kept {kept}"))

    total_right = total = 0
    print(f"{'group':44s} {'right':>7s}")
    for group, items in rows.items():
        right = sum(r for _, r, _ in items)
        total_right += right
        total += len(items)
        print(f"{group:44s} {right:3d}/{len(items):<3d}")
        for label, r, why in items:
            if not r:
                print(f"    wrong: {label}: {why}")
    print(f"{'all':44s} {total_right:3d}/{total:<3d}")
    print(json.dumps({g: [sum(r for _, r, _ in v), len(v)] for g, v in rows.items()}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
