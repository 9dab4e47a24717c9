"""Accuracy of the running kinematics engine against known truth.

Runs the public engine (``kneetrack.kinematics.analyze_keypoints(kp, view=...)``,
contract dict from ``.to_contract()``) on

(a) a synthetic suite: every view x runner variants (neutral, valgus, pelvic
    drop, crossover, rearfoot, forefoot, overstride) at 60 fps with 1.5 px noise,
    plus stress and realism cases (dropouts + left/right swaps, foot-only swaps,
    overground crossing, variable frame rate, off-axis camera, lens distortion);
(b) the real treadmill motion capture projected to 2D in ``../shared/data/mocap2d``
    (contacts from force plates),

matches detected stances to the truth (per leg, nearest contact within half a
step, one-to-one) and prints one row per case with PASS/FAIL against the
issue-3 targets, then a speed line (analysis of a 10-minute 60 fps series).

Usage::

    python benchmarks/kinematics_accuracy.py            # full run
    python benchmarks/kinematics_accuracy.py --quick    # a short run
    python benchmarks/kinematics_accuracy.py --strict   # exit 1 if a gated target fails
    python benchmarks/kinematics_accuracy.py --json out.json

Rows marked ``*`` are gated (the issue's targets are stated for them: synthetic,
60 fps, 1.5 px noise); the others are reported with their verdict in brackets.
Exit status is 0 unless ``--strict`` is given and a gated row or the speed
target fails.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import _support  # noqa: F401  (support/ on sys.path)
import numpy as np

REPO = Path(__file__).resolve().parents[1]
MOCAP2D = (REPO / ".." / "shared" / "data" / "mocap2d").resolve()

# Issue 3 targets.
TARGETS = {
    "contact_ms": {"front": 20.0, "side-left": 20.0, "side-right": 20.0, "rear": 35.0},
    "found_pct": 90.0,
    "spurious_pct": 10.0,
    "cadence_spm": 1.5,
    "fppa_peak_deg": 2.0,
    "hip_adduction_peak_deg": 2.0,
    "pelvic_drop_peak_deg": 1.5,
    "shank_angle_ic_deg": 4.0,
    "knee_flexion_ic_deg": 4.0,
    "foot_strike_angle_deg": 4.0,
    "speed_s": 1.0,
}
FRONTAL_METRICS = ("fppa_peak_deg", "hip_adduction_peak_deg", "pelvic_drop_peak_deg")
SIDE_METRICS = ("shank_angle_ic_deg", "knee_flexion_ic_deg", "foot_strike_angle_deg")
VIEWS = ("front", "rear", "side-right", "side-left")

#: Runner variants of the synthetic suite (keywords of RunnerParams.make).
VARIANTS: dict[str, dict[str, Any]] = {
    "neutral": {"fppa_peak_deg": 2.0, "hip_adduction_peak_deg": 7.0,
                "pelvic_drop_peak_deg": 3.0},
    "valgus": {"fppa_peak_deg": (14.0, 6.0), "hip_adduction_peak_deg": (14.0, 9.0),
               "pelvic_drop_peak_deg": 4.0},
    "pelvic_drop": {"pelvic_drop_peak_deg": (8.0, 3.0), "hip_adduction_peak_deg": (13.0, 9.0)},
    "crossover": {"step_width_m": -0.06, "hip_adduction_peak_deg": 12.0},
    "rearfoot": {"foot_angle_ic_deg": 20.0},
    "forefoot": {"foot_angle_ic_deg": -8.0, "knee_flexion_ic_deg": 22.0,
                 "shank_angle_ic_deg": 2.0},
    "overstride": {"shank_angle_ic_deg": 14.0, "knee_flexion_ic_deg": 12.0,
                   "foot_angle_ic_deg": 18.0},
}


@dataclass
class Case:
    """One clip to analyse, with its truth."""

    name: str
    view: str
    source: str                      # "synthetic" or "mocap"
    gated: bool
    make: Any                        # () -> (Keypoints, truth dict)
    notes: str = ""


@dataclass
class Row:
    """The result of one case."""

    case: str
    view: str
    source: str
    gated: bool
    fps: float = float("nan")
    n_truth: int = 0
    n_detected: int = 0
    found_pct: float = float("nan")
    spurious_pct: float = float("nan")
    contact_ms: float = float("nan")
    contact_bias_ms: float = float("nan")
    toe_off_ms: float = float("nan")
    cadence_err: float = float("nan")
    metric_err: dict[str, float] = field(default_factory=dict)
    metric_err_legs: dict[str, dict[str, float]] = field(default_factory=dict)
    strike_agree_pct: float = float("nan")
    seconds: float = float("nan")
    failures: list[str] = field(default_factory=list)
    error: str | None = None

    @property
    def verdict(self) -> str:
        """PASS / FAIL / ERROR / NO STANCES."""
        if self.error:
            return "ERROR"
        if self.n_detected == 0:
            return "NO STANCES"
        return "FAIL" if self.failures else "PASS"


# ----------------------------------------------------------------------------- cases
def synthetic_cases(quick: bool) -> list[Case]:
    """The synthetic suite."""
    from kneetrack_synthetic.camera import Camera
    from kneetrack_synthetic.runner import RunnerParams, simulate_runner

    duration = 8.0 if quick else 15.0
    variants = (["neutral", "valgus", "forefoot"] if quick else list(VARIANTS))
    cases: list[Case] = []

    def maker(params_kw: dict[str, Any], view: str, seed: int, *, fps: float = 60.0,
              noise: float = 1.5, dropout: float = 0.0, swap_hz: float = 0.0,
              foot_swap: float = 0.5, jitter_ms: float = 0.0,
              camera_kw: dict[str, Any] | None = None, dur: float = duration,
              glitches: dict[str, float] | None = None) -> Any:
        def make() -> tuple[Any, dict[str, Any]]:
            params = RunnerParams.make(**params_kw)
            motion = simulate_runner(params, duration_s=dur, fps=fps, seed=seed,
                                     frame_jitter_ms=jitter_ms)
            cam = Camera(view, **(camera_kw or {}))
            kp = motion.to_keypoints(cam, noise_px=noise, dropout=dropout,
                                     swap_rate_hz=swap_hz, foot_swap_fraction=foot_swap,
                                     seed=seed + 1000, **(glitches or {}))
            return kp, motion.truth(cam)
        return make

    seed = 100
    for view in VIEWS:
        for variant in variants:
            seed += 1
            cases.append(Case(f"syn:{variant}", view, "synthetic", True,
                              maker(VARIANTS[variant], view, seed)))
    for view in VIEWS:
        seed += 1
        cases.append(Case("syn:stress", view, "synthetic", False,
                          maker(VARIANTS["valgus"], view, seed, dropout=0.03, swap_hz=1.0),
                          "3 % dropped frames, 1 swap/s"))
    if quick:
        return cases
    for view in VIEWS:
        seed += 1
        side = view.startswith("side")
        cases.append(Case("syn:blazepose-like", view, "synthetic", False,
                          maker(VARIANTS["valgus"], view, seed, dropout=0.02, swap_hz=1.0,
                                glitches={"merge_fraction": 0.02,
                                          "snap_fraction": 0.01 if side else 0.0,
                                          "foot_glitch_fraction": 0.03}),
                          "2 % dropped, 1 swap/s, 2 % legs merged, 1 % hidden leg on an "
                          "object (side), 3 % implausible feet"))
        seed += 1
        cases.append(Case("syn:foot-swaps", view, "synthetic", False,
                          maker(VARIANTS["neutral"], view, seed, swap_hz=2.0, foot_swap=1.0),
                          "2 foot-only swaps/s"))
        seed += 1
        cases.append(Case("syn:vfr30", view, "synthetic", False,
                          maker(VARIANTS["valgus"], view, seed, fps=30.0, jitter_ms=4.0),
                          "30 fps, 4 ms frame-time jitter"))
        seed += 1
        cases.append(Case("syn:off-axis", view, "synthetic", False,
                          maker(VARIANTS["valgus"], view, seed,
                                camera_kw={"azimuth_deg": 12.0, "tilt_deg": 6.0,
                                           "height_m": 1.2}),
                          "camera 12 deg off-axis, tilted 6 deg down, 1.2 m high"))
        seed += 1
        cases.append(Case("syn:lens", view, "synthetic", False,
                          maker(VARIANTS["valgus"], view, seed,
                                camera_kw={"k1": -0.12, "focal_px": 1000.0}),
                          "wide lens with barrel distortion"))
    for view in ("side-right", "side-left"):
        seed += 1
        cases.append(Case("syn:overground", view, "synthetic", False,
                          maker({**VARIANTS["overstride"], "treadmill": False, "speed_ms": 4.0},
                                view, seed, dur=4.0,
                                camera_kw={"distance_m": 6.0, "focal_px": 1200.0}),
                          "runner crosses the frame, 6 m away"))
    return cases


def mocap_cases(quick: bool) -> list[Case]:
    """The real treadmill runners of ``../shared/data/mocap2d`` (force-plate contacts)."""
    if not MOCAP2D.is_dir():
        return []
    from kneetrack.io.load import load_keypoints

    index = json.loads((MOCAP2D / "index.json").read_text())
    cases = []
    for name in index:
        if quick and "150fps" in name:
            continue
        trc, truth_path = MOCAP2D / f"{name}.trc", MOCAP2D / f"{name}.truth.json"
        if not (trc.exists() and truth_path.exists()):
            continue
        truth = json.loads(truth_path.read_text())

        def make(trc: Path = trc, truth: dict[str, Any] = truth) -> tuple[Any, dict[str, Any]]:
            return load_keypoints(trc), truth
        cases.append(Case(f"mocap:{name.rsplit('_', 1)[0]}", truth["case"]["view"], "mocap",
                          False, make))
    return cases


# ----------------------------------------------------------------------------- scoring
def match_stances(truth: list[dict[str, Any]], detected: list[dict[str, Any]],
                  window_s: float) -> list[tuple[int, int]]:
    """One-to-one pairs (truth index, detected index), same leg, nearest contacts first."""
    pairs = []
    for i, t in enumerate(truth):
        for j, d in enumerate(detected):
            if d["leg"] == t["leg"]:
                dt = abs(d["contact_s"] - t["contact_s"])
                if dt <= window_s:
                    pairs.append((dt, i, j))
    pairs.sort()
    used_t, used_d, out = set(), set(), []
    for _dt, i, j in pairs:
        if i not in used_t and j not in used_d:
            used_t.add(i)
            used_d.add(j)
            out.append((i, j))
    return out


def _num(x: Any) -> float:
    return float(x) if isinstance(x, int | float) and not isinstance(x, bool) and \
        math.isfinite(float(x)) else float("nan")


def score(case: Case, kp: Any, truth: dict[str, Any], contract: dict[str, Any],
          seconds: float) -> Row:
    """Compare the engine's contract with the truth."""
    row = Row(case.name, case.view, case.source, case.gated, fps=float(kp.fps), seconds=seconds)
    # stances the camera did not film (overground runner outside the frame) are not counted
    t_st = [s for s in truth["stances"]
            if s.get("contact_s") is not None and s.get("toe_off_s") is not None
            and s.get("in_view", True)]
    d_st = [s for s in contract.get("stances", []) if _num(s.get("contact_s")) == _num(
        s.get("contact_s"))]
    row.n_truth, row.n_detected = len(t_st), len(d_st)
    cad_truth = _num(truth.get("cadence_spm"))
    step_s = 60.0 / cad_truth if cad_truth > 0 else 0.35
    pairs = match_stances(t_st, d_st, 0.5 * step_s)
    row.found_pct = 100.0 * len(pairs) / max(1, len(t_st))
    # spurious: detected stances inside the truth's time span that match nothing
    if t_st:
        lo = min(s["contact_s"] for s in t_st) - 0.5 * step_s
        hi = max(s["toe_off_s"] for s in t_st) + 0.5 * step_s
        inside = [j for j, d in enumerate(d_st) if lo <= d["contact_s"] <= hi]
        matched = {j for _i, j in pairs}
        row.spurious_pct = 100.0 * sum(j not in matched for j in inside) / max(1, len(inside))
    if pairs:
        ic_err = np.array([d_st[j]["contact_s"] - t_st[i]["contact_s"] for i, j in pairs]) * 1e3
        row.contact_ms = float(np.median(np.abs(ic_err)))
        row.contact_bias_ms = float(np.median(ic_err))
        to_err = [(_num(d_st[j].get("toe_off_s")) - t_st[i]["toe_off_s"]) * 1e3 for i, j in pairs]
        to_err = np.array([e for e in to_err if math.isfinite(e)])
        if to_err.size:
            row.toe_off_ms = float(np.median(np.abs(to_err)))
        metrics = FRONTAL_METRICS if case.view in ("front", "rear") else SIDE_METRICS
        for m in metrics:
            worst = float("nan")
            for leg in ("left", "right"):
                vals = [(_num(d_st[j].get(m)), _num(t_st[i].get(m))) for i, j in pairs
                        if t_st[i]["leg"] == leg]
                vals = [(a, b) for a, b in vals if math.isfinite(a) and math.isfinite(b)]
                if len(vals) >= 2:
                    arr = np.array(vals)
                    err = float(arr[:, 0].mean() - arr[:, 1].mean())
                    row.metric_err_legs.setdefault(leg, {})[m] = err
                    if not math.isfinite(worst) or abs(err) > abs(worst):
                        worst = err
            row.metric_err[m] = worst
        # class agreement: foot strike (side views) or crossover (front/rear)
        key = "foot_strike" if case.view.startswith("side") else "crossover"
        agree = [d_st[j].get(key) == t_st[i].get(key) for i, j in pairs
                 if d_st[j].get(key) is not None and t_st[i].get(key) is not None]
        if agree:
            row.strike_agree_pct = 100.0 * float(np.mean(agree))
    row.cadence_err = _num(contract.get("cadence_spm")) - cad_truth
    # verdict against the targets
    f = row.failures
    if not (row.found_pct >= TARGETS["found_pct"]):
        f.append("found")
    if not (row.spurious_pct <= TARGETS["spurious_pct"]):
        f.append("spurious")
    if not (row.contact_ms <= TARGETS["contact_ms"][case.view]):
        f.append("contact")
    if not (abs(row.cadence_err) <= TARGETS["cadence_spm"]):
        f.append("cadence")
    for m, err in row.metric_err.items():
        if not (abs(err) <= TARGETS[m]):
            f.append(m.replace("_peak_deg", "").replace("_ic_deg", "").replace("_deg", ""))
    return row


def run_case(case: Case) -> Row:
    """Analyse one case; an engine exception becomes an ERROR row, not a crash."""
    from kneetrack.kinematics import analyze_keypoints

    try:
        kp, truth = case.make()
    except Exception as exc:  # noqa: BLE001 - report and continue
        return Row(case.name, case.view, case.source, case.gated, error=f"input: {exc}")
    t0 = time.perf_counter()
    try:
        contract = analyze_keypoints(kp, view=case.view).to_contract()
    except Exception as exc:  # noqa: BLE001 - the engine is under development
        return Row(case.name, case.view, case.source, case.gated, fps=float(kp.fps),
                   error=f"{type(exc).__name__}: {exc}")
    return score(case, kp, truth, contract, time.perf_counter() - t0)


# ----------------------------------------------------------------------------- speed
def speed_check() -> dict[str, float]:
    """Time the engine on a 10-minute, 60 fps front-view series (1.5 px noise)."""
    from kneetrack_synthetic.camera import Camera
    from kneetrack_synthetic.runner import RunnerParams, simulate_runner

    from kneetrack.kinematics import analyze_keypoints

    motion = simulate_runner(RunnerParams.make(**VARIANTS["valgus"]), duration_s=600.0,
                             fps=60.0, seed=7)
    out: dict[str, float] = {}
    for view in ("front", "side-right"):
        kp = motion.to_keypoints(Camera(view), noise_px=1.5, seed=8)
        t0 = time.perf_counter()
        res = analyze_keypoints(kp, view=view)
        out[f"analyze_{view}_s"] = time.perf_counter() - t0
        # the metrics stage alone (per-frame angle series + per-stance metrics), if reachable
        try:
            from kneetrack.kinematics.metrics import StanceMetrics, compute_series

            t0 = time.perf_counter()
            series = compute_series(res.keypoints, view)
            StanceMetrics(view).calculate(series, res.events)
            out[f"metrics_{view}_s"] = time.perf_counter() - t0
        except Exception:  # noqa: BLE001 - internal API may move; the total still counts
            pass
    return out


# ----------------------------------------------------------------------------- output
def _f(x: float, fmt: str = "{:.1f}", signed: bool = False) -> str:
    if not math.isfinite(x):
        return "-"
    return (("{:+" + fmt[2:]) if signed else fmt).format(x)


def print_table(rows: list[Row], cases: list[Case]) -> None:
    """Print the results table."""
    notes = {c.name: c.notes for c in cases if c.notes}
    head = (f"{'case':<34} {'view':<10} {'fps':>4} {'n':>4} {'found%':>6} {'spur%':>6} "
            f"{'IC ms':>6} {'bias':>6} {'TO ms':>6} {'cad':>5} "
            f"{'FPPA':>5} {'HipAd':>5} {'Drop':>5} {'Shank':>5} {'Knee':>5} {'FSA':>5} "
            f"{'cls%':>5}  result")
    print(head)
    print("-" * len(head))
    for r in rows:
        name = ("* " if r.gated else "  ") + r.case
        me = r.metric_err
        verdict = r.verdict
        if not r.gated and verdict in ("PASS", "FAIL"):
            verdict = f"({verdict.lower()})"
        detail = ""
        if r.error:
            detail = " " + r.error[:80]
        elif r.failures:
            detail = " " + ",".join(r.failures)
        print(f"{name:<34} {r.view:<10} {_f(r.fps, '{:.0f}'):>4} {r.n_truth:>4} "
              f"{_f(r.found_pct, '{:.0f}'):>6} {_f(r.spurious_pct, '{:.0f}'):>6} "
              f"{_f(r.contact_ms):>6} {_f(r.contact_bias_ms, signed=True):>6} "
              f"{_f(r.toe_off_ms):>6} {_f(r.cadence_err, signed=True):>5} "
              f"{_f(me.get('fppa_peak_deg', math.nan), signed=True):>5} "
              f"{_f(me.get('hip_adduction_peak_deg', math.nan), signed=True):>5} "
              f"{_f(me.get('pelvic_drop_peak_deg', math.nan), signed=True):>5} "
              f"{_f(me.get('shank_angle_ic_deg', math.nan), signed=True):>5} "
              f"{_f(me.get('knee_flexion_ic_deg', math.nan), signed=True):>5} "
              f"{_f(me.get('foot_strike_angle_deg', math.nan), signed=True):>5} "
              f"{_f(r.strike_agree_pct, '{:.0f}'):>5}  {verdict}{detail}")
    if notes:
        print()
        for name, note in sorted(notes.items()):
            print(f"  {name}: {note}")
    print()
    print("IC/TO ms: median |error| of matched contacts / toe-offs; bias: median signed contact "
          "error; cad: cadence error (spm); angle columns: engine mean - truth mean over matched "
          "stances, worst leg (deg); cls%: agreement of the foot-strike class (side views) or of "
          "the crossover flag (front/rear). * = gated by the "
          f"issue-3 targets (contacts <= {TARGETS['contact_ms']['front']:.0f} ms front/side, "
          f"<= {TARGETS['contact_ms']['rear']:.0f} ms rear; found >= 90 %, spurious <= 10 %; "
          "cadence +-1.5 spm; FPPA/hip adduction +-2, pelvic drop +-1.5, side angles +-4 deg).")


def loro_section(quick: bool) -> dict[str, bool]:
    """Leave-one-runner-out gait events on real and independent synthetic runners."""
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import loro_events as le

    t0 = time.perf_counter()
    trials = le.load_mocap_trials() + le.synthetic_trials(duration_s=8.0 if quick else 12.0)
    first, loro, offsets = le.run_all(trials, duration_s=8.0 if quick else None)
    print()
    print("=" * 100)
    print("Gait events, leave-one-runner-out (issue 13). Runners: " + ", ".join(
        sorted({f"{t.runner} ({t.truth_method})" for t in trials})))
    print("Views x 30/60/120 fps, 1.5 px noise, 0.3 swaps/s. Targets: contact median <= 10 ms, "
          "every trial <= 20 ms (rear 30), toe-off <= 20 ms, side angles at contact <= 3 deg "
          "(4 at 30 fps), frontal peaks <= 2 deg, cadence <= 1 spm, step-to-step cadence "
          "within 8 % of its median.")
    print()
    met0 = le.print_loro_table(first, "A. No fitted constant (the detector as shipped):")
    print()
    met = le.print_loro_table(loro, "B. Residual contact offset per view fitted on the other "
                                    "runners (LORO), reported on the held-out runner:")
    print()
    for runner, by_view in sorted(offsets.items()):
        print(f"  offset fitted without {runner}: " + ", ".join(
            f"{v} {o:+.3f} steps" for v, o in by_view.items()))
    print()
    for label, m in (("A", met0), ("B", met)):
        print(f"targets met ({label}): " + ", ".join(
            f"{k} {'MET' if ok else 'NOT MET'}" for k, ok in m.items()))
    print("Rows on 'kinematic' truth (no force plate) carry its own error (see "
          "benchmarks/mocap_dataset.py); side-view contacts there use the same heel-velocity "
          f"principle as the truth. LORO section: {time.perf_counter() - t0:.0f} s")
    return met


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; return the exit status."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="short run (fewer, shorter cases)")
    ap.add_argument("--strict", action="store_true",
                    help="exit 1 when a gated row or the speed target fails")
    ap.add_argument("--json", type=Path, help="also write the rows to this JSON file")
    ap.add_argument("--no-speed", action="store_true", help="skip the 10-minute speed check")
    ap.add_argument("--only", default="", help="run only cases whose name contains this text")
    ap.add_argument("--no-loro", action="store_true",
                    help="skip the leave-one-runner-out gait-event table (issue 13)")
    args = ap.parse_args(argv)

    cases = synthetic_cases(args.quick) + mocap_cases(args.quick)
    if args.only:
        cases = [c for c in cases if args.only in c.name]
    t_start = time.perf_counter()
    rows = [run_case(c) for c in cases]
    print_table(rows, cases)
    failed = any(r.gated and r.verdict != "PASS" for r in rows)

    if not args.no_loro:
        loro_section(args.quick)

    speed: dict[str, float] = {}
    if not args.no_speed:
        try:
            speed = speed_check()
        except Exception as exc:  # noqa: BLE001
            print(f"\nspeed: could not run ({type(exc).__name__}: {exc})")
            failed = True
        if speed:
            parts = []
            for key, secs in speed.items():
                parts.append(f"{key.removesuffix('_s')} {secs:.2f} s "
                             f"(x{secs / TARGETS['speed_s']:.2f} of the 1 s target)")
            metric_times = [v for k, v in speed.items() if k.startswith("metrics")]
            judged = max(metric_times) if metric_times else max(speed.values())
            ok = judged <= TARGETS["speed_s"]
            failed |= not ok
            print("\nspeed, 10-minute 60 fps series (36000 frames): " + "; ".join(parts)
                  + f" -> {'PASS' if ok else 'FAIL'} (judged on "
                  + ("the metrics stage" if metric_times else "the whole analysis") + ")")
    print(f"\n{len(rows)} cases in {time.perf_counter() - t_start:.1f} s; gated rows: "
          f"{sum(r.gated for r in rows)}, failing: "
          f"{sum(r.gated and r.verdict != 'PASS' for r in rows)}")
    if args.json:
        args.json.write_text(json.dumps({
            "rows": [{**r.__dict__, "verdict": r.verdict} for r in rows],
            "speed": speed, "targets": TARGETS,
        }, indent=1, default=lambda o: None if isinstance(o, float) and not math.isfinite(o)
            else str(o)))
    return 1 if (args.strict and failed) else 0


if __name__ == "__main__":
    sys.exit(main())
