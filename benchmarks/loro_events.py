"""Leave-one-runner-out (LORO) evaluation of gait events and values at contact.

Runners:

* the real treadmill runners of ``benchmarks/data/mocap3d`` (Fukuchi et al.
  2017, built by ``benchmarks/mocap_dataset.py``; force-plate truth where the
  trial has forces, otherwise the weaker foot-velocity truth);
* independent synthetic runners (:mod:`kneetrack_synthetic.spring_mass_runner`)
  at 2, 3, 4 and 5 m/s, whose pelvis and foot timing come from published
  relations, not from any runner used for fitting.

Each runner is projected through :class:`kneetrack_synthetic.camera.Camera` in
the four views at 30, 60 and 120 fps (cubic resampling of the 3D paths), with
1.5 px camera noise and 0.3 left/right label swaps per second, then analysed
with the engine's own chain (clean → :class:`ContactDetector` → series →
:class:`StanceMetrics`). The detector's one calibrated quantity (a residual
contact offset per view, in fractions of the runner's own step time) is fitted
on all runners but the one reported (LORO); ``--no-calibration`` reports the
uncalibrated detector.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import _support  # noqa: F401  (support/ on sys.path)
import numpy as np

HERE = Path(__file__).resolve().parent
MOCAP3D = HERE / "data" / "mocap3d"
VIEWS = ("front", "rear", "side-right", "side-left")
LEGS = ("left", "right")

#: Targets of issue 13 (runners not used for fitting, 2–5 m/s).
TARGETS = {
    "contact_median_ms": 10.0,
    "contact_trial_ms": {"front": 20.0, "side-right": 20.0, "side-left": 20.0, "rear": 30.0},
    "toe_off_ms": 20.0,
    "side_angle_deg": 3.0,
    "side_angle_deg_30fps": 4.0,
    "frontal_peak_deg": 2.0,
    "cadence_spm": 1.0,
    "step_cadence_pct": 8.0,
}


@dataclass
class Trial:
    """One runner at one speed: 3D points at a native rate and the truth events."""

    name: str
    runner: str
    speed_ms: float
    time_s: np.ndarray
    points: dict[str, np.ndarray]
    events: list[dict[str, Any]]
    truth_method: str
    source: str = ""
    #: False for runners without a frontal-plane model (their frontal peaks are 0 by
    #: construction and only measure the upward bias of noisy peaks): not scored.
    frontal: bool = True
    #: False where the toe point is modelled (rigid with the shoe cluster): toe-offs
    #: are not scored.
    score_toe_off: bool = True


def load_mocap_trials() -> list[Trial]:
    """The committed real runners (an empty list, with a line, when missing)."""
    out = []
    files = sorted(MOCAP3D.glob("*.npz")) if MOCAP3D.is_dir() else []
    if not files:
        print(f"no real runners in {MOCAP3D}: run benchmarks/mocap_dataset.py (skipped)")
    for f in files:
        d = np.load(f)
        meta = json.loads(str(d["meta"]))
        xyz = d["xyz"].astype(float)
        pts = {m: xyz[i] for i, m in enumerate(meta["markers"])}
        out.append(Trial(meta["trial"], meta["runner"], float(meta["speed_ms"]),
                         d["time_s"].astype(float), pts, meta["events"], meta["truth_method"],
                         meta["source"], frontal=bool(meta.get("frontal", True)),
                         score_toe_off=bool(meta.get("score_toe_off", True))))
    return out


def synthetic_trials(speeds: tuple[float, ...] = (2.0, 3.0, 4.0, 5.0), *,
                     duration_s: float = 12.0) -> list[Trial]:
    """Independent spring-mass runners (one runner id per speed and strike)."""
    from kneetrack_synthetic.spring_mass_runner import SpringMassRunner

    out = []
    for i, v in enumerate(speeds):
        strike = "forefoot" if i % 2 else "rearfoot"
        r = SpringMassRunner(speed_ms=v, foot_strike=strike, seed=11 + i).simulate(duration_s)
        out.append(Trial(f"springmass_{v:.0f}ms_{strike}", f"springmass{i}", v, r.time_s,
                         r.points, r.events, "model", "spring-mass model", frontal=False))
    return out


# ------------------------------------------------------------------------ projection
def _resample(trial: Trial, t: np.ndarray) -> dict[str, np.ndarray]:
    from scipy.interpolate import CubicSpline

    out = {}
    for m, xyz in trial.points.items():
        ok = np.isfinite(xyz).all(axis=1)
        out[m] = CubicSpline(trial.time_s[ok], xyz[ok], axis=0)(t)
    return out


def make_case(trial: Trial, view: str, fps: float, *, seed: int, noise_px: float = 1.5,
              swap_rate_hz: float = 0.3, duration_s: float | None = None
              ) -> tuple[Any, dict[str, Any]]:
    """Keypoints of ``trial`` through a camera in ``view`` at ``fps``, and the truth."""
    from kneetrack_synthetic import angles2d
    from kneetrack_synthetic.camera import Camera
    from kneetrack_synthetic.corrupt import corrupt_keypoints

    from kneetrack.keypoints import Keypoints

    cam = Camera(view)
    t0 = float(trial.time_s[0]) + 0.05
    t1 = float(trial.time_s[-1]) - 0.05
    if duration_s is not None:
        t1 = min(t1, t0 + duration_s)
    t = np.arange(t0, t1, 1.0 / fps)
    pts = _resample(trial, t)
    arrays = {m: cam.project(xyz) for m, xyz in pts.items()}
    conf = {m: np.ones(t.size) for m in arrays}
    kp = Keypoints.from_arrays(arrays, fps=fps, time_s=t - t0, confidence=conf,
                               image_size=cam.image_size, source=f"loro:{trial.name}:{view}")
    kp, _rep = corrupt_keypoints(kp, noise_px=noise_px, swap_rate_hz=swap_rate_hz, seed=seed)
    fwd = 1.0 if view == "side-right" else -1.0
    stances = []
    for e in trial.events:
        ic, to = e["contact_s"], e["toe_off_s"]
        if not (t0 + 0.02 <= ic and to <= t[-1] - 0.02):
            continue
        leg, other = e["leg"], "right" if e["leg"] == "left" else "left"
        rec: dict[str, Any] = {"leg": leg, "contact_s": ic - t0, "toe_off_s": to - t0}
        if view.startswith("side"):
            uv = {m: cam.project(p) for m, p in _resample(trial, np.array([ic])).items()}
            rec["shank_angle_ic_deg"] = float(angles2d.segment_to_vertical_deg(
                uv[f"{leg}_knee"], uv[f"{leg}_ankle"], forward_sign=fwd)[0])
            rec["knee_flexion_ic_deg"] = float(angles2d.knee_flexion_deg(
                uv[f"{leg}_hip"], uv[f"{leg}_knee"], uv[f"{leg}_ankle"], forward_sign=fwd)[0])
            rec["foot_strike_angle_deg"] = float(angles2d.foot_angle_deg(
                uv[f"{leg}_heel"], uv[f"{leg}_toe"], forward_sign=fwd)[0])
        elif trial.frontal:
            tt = np.linspace(ic, to, 120)
            uv = {m: cam.project(p) for m, p in _resample(trial, tt).items()}
            hip, oh = uv[f"{leg}_hip"], uv[f"{other}_hip"]
            rec["fppa_peak_deg"] = float(np.max(angles2d.fppa_deg(
                hip, uv[f"{leg}_knee"], uv[f"{leg}_ankle"], oh)))
            rec["hip_adduction_peak_deg"] = float(np.max(angles2d.hip_adduction_deg(
                hip, uv[f"{leg}_knee"], oh)))
            rec["pelvic_drop_peak_deg"] = float(np.max(angles2d.pelvic_drop_deg(hip, oh)))
        stances.append(rec)
    # truth cadence from consecutive alternate-leg contacts (a missed truth stance leaves a
    # gap, not a slow step)
    ev = sorted((e["contact_s"], e["leg"]) for e in trial.events if t0 <= e["contact_s"] <= t[-1])
    steps = np.array([b[0] - a[0] for a, b in zip(ev[:-1], ev[1:], strict=False) if a[1] != b[1]])
    if steps.size:
        steps = steps[steps < 1.5 * np.median(steps)]
    cad = float(60.0 / np.mean(steps)) if steps.size else None
    return kp, {"stances": stances, "cadence_spm": cad}


# ------------------------------------------------------------------------ analysis
def analyse(kp: Any, view: str, detector_kw: dict[str, Any] | None = None
            ) -> tuple[list[dict[str, Any]], Any]:
    """The engine's chain (as ``analyze_keypoints`` runs it, with optional detector
    parameters); stance records and the detector."""
    from kneetrack.kinematics.cleaners import clean_keypoints
    from kneetrack.kinematics.events import ContactDetector
    from kneetrack.kinematics.metrics import StanceMetrics, compute_series
    from kneetrack.kinematics.summary import reject_outlier_stances

    clean = clean_keypoints(kp, view=view)
    det = ContactDetector(view, **(detector_kw or {})).detect(clean)
    series = compute_series(clean, view)
    sm = StanceMetrics(view).calculate(series, det.stances_)
    reject_outlier_stances(sm.stances_, view=view)   # as the pipeline does
    return sm.stances_, det


@dataclass
class Result:
    """Errors of one case (trial × view × fps)."""

    trial: str
    runner: str
    speed_ms: float
    view: str
    fps: float
    truth_method: str
    ic_err_ms: list[float] = field(default_factory=list)
    ic_err_steps: list[float] = field(default_factory=list)
    to_err_ms: list[float] = field(default_factory=list)
    angle_err: dict[str, float] = field(default_factory=dict)
    cadence_err: float = float("nan")
    step_cadence_dev_pct: float = float("nan")
    #: the same measure on the truth's own contacts: the step-to-step target holds for a
    #: steady clip, so a trial whose truth varies more than the target is not judged on it
    truth_step_dev_pct: float = float("nan")
    found_pct: float = float("nan")


def _num(x: Any) -> float:
    return float(x) if isinstance(x, int | float) and not isinstance(x, bool) \
        and math.isfinite(float(x)) else float("nan")


def score(trial: Trial, view: str, fps: float, truth: dict[str, Any],
          detected: list[dict[str, Any]], det: Any) -> Result:
    """Match detected to true stances (same leg, nearest contact within half a step)."""
    res = Result(trial.name, trial.runner, trial.speed_ms, view, fps, trial.truth_method)
    cad = truth["cadence_spm"] or 170.0
    step = 60.0 / cad
    t_st = truth["stances"]
    d_st = [d for d in detected if math.isfinite(_num(d.get("contact_s")))]
    pairs = []
    for i, s in enumerate(t_st):
        for j, d in enumerate(d_st):
            if d["leg"] == s["leg"] and abs(d["contact_s"] - s["contact_s"]) < 0.5 * step:
                pairs.append((abs(d["contact_s"] - s["contact_s"]), i, j))
    pairs.sort()
    ui: set[int] = set()
    uj: set[int] = set()
    matched = []
    for _e, i, j in pairs:
        if i not in ui and j not in uj:
            ui.add(i)
            uj.add(j)
            matched.append((i, j))
    res.found_pct = 100.0 * len(matched) / max(1, len(t_st))
    keys = (("shank_angle_ic_deg", "knee_flexion_ic_deg", "foot_strike_angle_deg")
            if view.startswith("side") else
            ("fppa_peak_deg", "hip_adduction_peak_deg", "pelvic_drop_peak_deg"))
    diffs: dict[str, list[float]] = {k: [] for k in keys}
    for i, j in matched:
        s, d = t_st[i], d_st[j]
        e = d["contact_s"] - s["contact_s"]
        res.ic_err_ms.append(1e3 * e)
        res.ic_err_steps.append(e / step)
        to = _num(d.get("toe_off_s"))
        if math.isfinite(to) and trial.score_toe_off:
            res.to_err_ms.append(1e3 * (to - s["toe_off_s"]))
        for k in keys:
            a, b = _num(d.get(k)), _num(s.get(k))
            if math.isfinite(a) and math.isfinite(b):
                diffs[k].append(a - b)
    for k, v in diffs.items():
        if len(v) >= 3:
            res.angle_err[k] = float(np.mean(v))
    if det.cadence_spm_ is not None and truth["cadence_spm"]:
        res.cadence_err = det.cadence_spm_ - truth["cadence_spm"]
    tc = sorted((s.contact_s, s.leg) for s in det.stances_ if math.isfinite(s.contact_s))
    steps = np.array([b[0] - a[0] for a, b in zip(tc[:-1], tc[1:], strict=False)
                      if a[1] != b[1]])
    if steps.size >= 4:
        sc = 60.0 / steps
        res.step_cadence_dev_pct = float(100.0 * np.max(np.abs(sc / np.median(sc) - 1.0)))
    ts = sorted((s["contact_s"], s["leg"]) for s in t_st)
    tsteps = np.array([b[0] - a[0] for a, b in zip(ts[:-1], ts[1:], strict=False)
                       if a[1] != b[1]])
    if tsteps.size >= 4:
        tsteps = tsteps[tsteps < 1.5 * np.median(tsteps)]
        tsc = 60.0 / tsteps
        res.truth_step_dev_pct = float(100.0 * np.max(np.abs(tsc / np.median(tsc) - 1.0)))
    return res


# ------------------------------------------------------------------------ LORO
def speed_band(v: float) -> str:
    """Speed band label of the table."""
    return "2-3" if v < 3.0 else "3-4" if v < 4.0 else "4-5"


def run_all(trials: list[Trial], *, fps_list: tuple[float, ...] = (30.0, 60.0, 120.0),
            views: tuple[str, ...] = VIEWS, duration_s: float | None = None,
            calibrate: bool = True, detector_kw: dict[str, Any] | None = None
            ) -> tuple[list[Result], list[Result], dict[str, dict[str, float]]]:
    """Every trial × view × fps. With ``calibrate``, the detector's residual contact
    offset per view (fraction of step time) is fitted on the other runners' cases
    (first pass, uncalibrated) and applied to the held-out runner (second pass).

    Returns the uncalibrated results, the LORO-calibrated ones (empty without
    ``calibrate``) and the offset fitted for each held-out runner and view."""
    cases = {}
    seed = 0
    for tr in trials:
        for view in views:
            for fps in fps_list:
                seed += 1
                cases[(tr.name, view, fps)] = make_case(tr, view, fps, seed=seed,
                                                        duration_s=duration_s)
    by_name = {tr.name: tr for tr in trials}
    first = {}
    for (name, view, fps), (kp, truth) in cases.items():
        st, det = analyse(kp, view, detector_kw)
        first[(name, view, fps)] = score(by_name[name], view, fps, truth, st, det)
    if not calibrate:
        return list(first.values()), [], {}
    out = []
    offsets: dict[str, dict[str, float]] = {}
    for (name, view, fps), (kp, truth) in cases.items():
        held = by_name[name].runner
        train = [r for (n2, v2, _f), r in first.items()
                 if v2 == view and by_name[n2].runner != held and r.truth_method != "kinematic"]
        errs = [e for r in train for e in r.ic_err_steps]
        offset = float(np.median(errs)) if errs else 0.0
        offsets.setdefault(held, {})[view] = -offset
        kw = dict(detector_kw or {})
        kw["contact_offset_steps"] = -offset
        st, det = analyse(kp, view, kw)
        out.append(score(by_name[name], view, fps, truth, st, det))
    return list(first.values()), out, offsets


def _fmt(x: float, f: str = "{:.1f}") -> str:
    return "-" if not math.isfinite(x) else f.format(x)


def print_loro_table(results: list[Result], title: str) -> dict[str, bool]:
    """Per view × fps × speed band; returns which targets are met overall."""
    print(title)
    head = (f"{'view':<10} {'fps':>4} {'speed':>5} {'n':>4} {'IC med':>6} {'IC bias':>7} "
            f"{'worst trial':>11} {'TO med':>6} {'TO bias':>7} {'cad':>5} {'step%':>5} "
            f"{'angles (deg, worst trial mean)':<34} verdict")
    print(head)
    print("-" * len(head))
    met = {"contact_median": True, "contact_every_trial": True, "toe_off": True,
           "side_angles": True, "frontal_peaks": True, "cadence": True, "step_cadence": True}
    groups: dict[tuple[str, float, str], list[Result]] = {}
    for r in results:
        groups.setdefault((r.view, r.fps, speed_band(r.speed_ms)), []).append(r)
    for (view, fps, band), rs in sorted(groups.items(), key=lambda kv: (
            VIEWS.index(kv[0][0]), kv[0][1], kv[0][2])):
        ic = np.abs(np.concatenate([r.ic_err_ms for r in rs])) if any(
            r.ic_err_ms for r in rs) else np.array([np.nan])
        bias = np.median(np.concatenate([r.ic_err_ms for r in rs])) if any(
            r.ic_err_ms for r in rs) else np.nan
        worst = max((float(np.median(np.abs(r.ic_err_ms))) for r in rs if r.ic_err_ms),
                    default=np.nan)
        to_all = np.concatenate([r.to_err_ms for r in rs]) if any(
            r.to_err_ms for r in rs) else np.array([np.nan])
        cad = max((abs(r.cadence_err) for r in rs if math.isfinite(r.cadence_err)),
                  default=np.nan)
        stp = max((r.step_cadence_dev_pct for r in rs if math.isfinite(r.step_cadence_dev_pct)
                   and not r.truth_step_dev_pct > TARGETS["step_cadence_pct"]),
                  default=np.nan)
        ang: dict[str, float] = {}
        for r in rs:
            for k, v in r.angle_err.items():
                if k not in ang or abs(v) > abs(ang[k]):
                    ang[k] = v
        fails = []
        if not np.nanmedian(ic) <= TARGETS["contact_median_ms"]:
            fails.append("IC")
            met["contact_median"] = False
        if not worst <= TARGETS["contact_trial_ms"][view]:
            fails.append("IC-trial")
            met["contact_every_trial"] = False
        if not np.nanmedian(np.abs(to_all)) <= TARGETS["toe_off_ms"]:
            fails.append("TO")
            met["toe_off"] = False
        if not cad <= TARGETS["cadence_spm"]:
            fails.append("cad")
            met["cadence"] = False
        if not stp <= TARGETS["step_cadence_pct"]:
            fails.append("step")
            met["step_cadence"] = False
        lim = (TARGETS["side_angle_deg_30fps"] if fps < 45 else TARGETS["side_angle_deg"]) \
            if view.startswith("side") else TARGETS["frontal_peak_deg"]
        for k, v in ang.items():
            if not abs(v) <= lim:
                fails.append(k.split("_")[0])
                met["side_angles" if view.startswith("side") else "frontal_peaks"] = False
        angs = " ".join(f"{k.split('_')[0][:5]}{v:+.1f}" for k, v in ang.items())
        print(f"{view:<10} {fps:>4.0f} {band:>5} {ic.size:>4} {_fmt(np.nanmedian(ic)):>6} "
              f"{_fmt(bias, '{:+.1f}'):>7} {_fmt(worst):>11} "
              f"{_fmt(np.nanmedian(np.abs(to_all))):>6} {_fmt(np.nanmedian(to_all), '{:+.1f}'):>7} "
              f"{_fmt(cad):>5} {_fmt(stp):>5} {angs:<34} "
              f"{'PASS' if not fails else 'FAIL ' + ','.join(fails)}")
    unsteady = sorted({f"{r.trial} ({r.truth_step_dev_pct:.0f} %)" for r in results
                       if r.truth_step_dev_pct > TARGETS["step_cadence_pct"]})
    if unsteady:
        print("step%: not judged where the truth's own step-to-step cadence varies more than "
              f"the target (not a steady clip): {', '.join(unsteady)}")
    return met
