"""Hand-made analysis dicts with known numbers, for the report tests."""

from __future__ import annotations

from typing import Any

import numpy as np


def make_analysis(*, view: str = "front", steps: int = 10, fppa: tuple[float, float] = (14.0, 6.0),
                  hip: tuple[float, float] = (11.0, 7.0), drop: tuple[float, float] = (6.0, 4.0),
                  fps: float = 60.0, seed: int = 1, findings: bool = True,
                  drift_left: float = 0.0) -> dict[str, Any]:
    """A contract-shaped analysis.json dict whose per-leg means are known.

    Per-stance peaks are ``mean + k`` with ``k`` symmetric around 0, so that the
    mean of each leg is exactly the value given; ``drift_left`` adds a linear
    rise over the clip to the left FPPA peaks (and keeps the mean).
    """
    rng = np.random.default_rng(seed)
    frontal = view in ("front", "rear")
    pct = np.linspace(0, 100, 101)
    shape = np.sin(np.pi * pct / 100) ** 1.5
    step_s = 60.0 / 172.0
    stances = []
    curves: dict[str, Any] = {"percent_stance": pct.tolist(), "left": {}, "right": {}}
    offs = np.linspace(-1.5, 1.5, steps)
    for leg_i, leg in enumerate(("left", "right")):
        for name in ("fppa_deg", "hip_adduction_deg", "pelvic_drop_deg", "knee_flexion_deg"):
            curves[leg][name] = []
        for k in range(steps):
            t0 = 0.2 + (2 * k + leg_i) * step_s
            d = drift_left * (k / (steps - 1) - 0.5) if leg == "left" else 0.0
            f = fppa[leg_i] + offs[k] + d
            h = hip[leg_i] + offs[::-1][k]
            p = drop[leg_i] + 0.5 * offs[k]
            stances.append({
                "leg": leg, "contact_s": round(t0, 4), "toe_off_s": round(t0 + 0.24, 4),
                "fppa_peak_deg": f if frontal else None,
                "hip_adduction_peak_deg": h if frontal else None,
                "pelvic_drop_peak_deg": p if frontal else None,
                "crossover": (k % 4 == 0) if frontal else None,
                "foot_strike_angle_deg": None if frontal else 8.0 + offs[k],
                "foot_strike": None if frontal else "rearfoot",
                "shank_angle_ic_deg": None if frontal else 7.0 + offs[k],
                "knee_flexion_ic_deg": None if frontal else 15.0 + offs[k],
            })
            noise = rng.normal(0, 0.3, pct.size)
            if frontal:
                curves[leg]["fppa_deg"].append((f * shape + noise).tolist())
                curves[leg]["hip_adduction_deg"].append((h * shape + noise).tolist())
                curves[leg]["pelvic_drop_deg"].append((p * shape + noise).tolist())
            curves[leg]["knee_flexion_deg"].append((15 + 28 * shape + noise).tolist())
    stances.sort(key=lambda s: s["contact_s"])
    out: dict[str, Any] = {
        "schema": "kneetrack.analysis/1",
        "software": {"name": "kneetrack", "version": "0.1.0"},
        "input": {"path": "/data/runner_front.mp4", "kind": "video", "fps": fps,
                  "frames": int(fps * 8), "duration_s": 8.0, "width": 1920, "height": 1080},
        "view": view,
        "quality": {"tracked_fraction": 0.98, "warnings": []},
        "cadence_spm": 172.0,
        "stances": stances,
        "summary": {},
        "curves": curves,
        "findings": [],
        "provenance": [{"step": "read_trc", "params": {}}, {"step": "lowpass", "params": {}}],
    }
    if findings and frontal:
        out["findings"] = [
            {"code": "dynamic_knee_valgus", "leg": "left", "value": fppa[0], "threshold": 10.0,
             "severity": "moderate",
             "text": f"Left knee valgus (FPPA {fppa[0]:.1f}°) above the 10° threshold; "
                     "associated with patellofemoral pain."},
        ]
    return out
