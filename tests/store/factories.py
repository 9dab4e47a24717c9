"""Hand-made ``analysis.json`` and ``programme.json`` documents with known values."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

SPREAD = (-1.5, -0.5, 0.5, 1.5)  # mean 0, sample SD 1.29


def make_analysis(
    *,
    view: str = "front",
    fppa: tuple[float, float] = (12.0, 8.0),
    hip_adduction: tuple[float, float] = (11.0, 9.0),
    pelvic_drop: tuple[float, float] = (5.0, 4.0),
    cadence: float = 166.0,
    steps_per_side: int = 8,
) -> dict[str, Any]:
    """An analysis whose per-leg means are exactly the given values."""
    stances = []
    t = 0.3
    for i in range(steps_per_side):
        for leg, k in (("left", 0), ("right", 1)):
            d = SPREAD[i % len(SPREAD)] if steps_per_side % len(SPREAD) == 0 else 0.0
            stances.append(
                {
                    "leg": leg,
                    "contact_s": round(t, 3),
                    "toe_off_s": round(t + 0.25, 3),
                    "fppa_peak_deg": fppa[k] + d,
                    "hip_adduction_peak_deg": hip_adduction[k] + d,
                    "pelvic_drop_peak_deg": pelvic_drop[k] + d,
                    "crossover": False,
                    "foot_strike_angle_deg": None,
                    "foot_strike": None,
                    "shank_angle_ic_deg": None,
                    "knee_flexion_ic_deg": None,
                }
            )
            t += 60.0 / cadence
    return {
        "schema": "kneetrack.analysis/1",
        "input": {
            "path": f"/videos/run_{view}.mp4",
            "kind": "video",
            "fps": 60.0,
            "frames": 720,
            "duration_s": 12.0,
            "width": 1920,
            "height": 1080,
        },
        "view": view,
        "quality": {"tracked_fraction": 0.97, "warnings": []},
        "cadence_spm": cadence,
        "stances": stances,
        "summary": {
            "left": {"stances": steps_per_side},
            "right": {"stances": steps_per_side},
            "asymmetry": {},
            "fatigue_drift": {},
        },
        "findings": [
            {
                "code": "dynamic_knee_valgus",
                "leg": "left",
                "value": fppa[0],
                "threshold": 10.0,
                "severity": "moderate",
                "text": "left knee turns in",
            }
        ],
    }


def write_analysis_folder(folder: Path, analysis: dict[str, Any]) -> Path:
    """An analysis folder as ``kneetrack analyze`` writes it (analysis.json + keypoints)."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "analysis.json").write_text(json.dumps(analysis), encoding="utf-8")
    (folder / "keypoints.trc").write_text(
        "PathFileType\t4\t(X/Y/Z)\tkeypoints.trc\n", encoding="utf-8"
    )
    (folder / "plots").mkdir(exist_ok=True)
    (folder / "plots" / "fppa.svg").write_text("<svg/>", encoding="utf-8")
    return folder


STRENGTH = [
    {
        "exercise_id": "banded_clamshell",
        "name": "Banded clamshell",
        "sets": 2,
        "reps": 12,
        "load": "light band",
        "cues": [],
    },
    {
        "exercise_id": "glute_bridge",
        "name": "Glute bridge",
        "sets": 2,
        "reps": 12,
        "load": None,
        "cues": [],
    },
    {
        "exercise_id": "side_plank",
        "name": "Side plank",
        "sets": 2,
        "hold_s": 20,
        "load": None,
        "cues": [],
    },
]
MOBILITY = [
    {
        "exercise_id": "knee_to_wall",
        "name": "Knee-to-wall",
        "sets": 2,
        "reps": 10,
        "load": None,
        "cues": [],
    },
]


def make_programme(start: dt.date, *, weeks: int = 10) -> dict[str, Any]:
    """A ``kneetrack.programme/1`` plan: 2 strength + 1 mobility session a week."""
    out_weeks = []
    for w in range(1, weeks + 1):
        monday = start + dt.timedelta(days=7 * (w - 1))
        phase = "foundation" if w <= 4 else "strength" if w <= 8 else "integration"
        sessions = [
            {
                "date": (monday + dt.timedelta(days=0)).isoformat(),
                "kind": "strength",
                "items": [dict(i) for i in STRENGTH],
            },
            {
                "date": (monday + dt.timedelta(days=2)).isoformat(),
                "kind": "mobility",
                "items": [dict(i) for i in MOBILITY],
            },
            {
                "date": (monday + dt.timedelta(days=4)).isoformat(),
                "kind": "strength",
                "items": [dict(i) for i in STRENGTH],
            },
        ]
        if w % 4 == 0 or w == weeks:  # filming, not a logged workout
            sessions.append(
                {"date": (monday + dt.timedelta(days=6)).isoformat(), "kind": "retest", "items": []}
            )
        out_weeks.append(
            {"week": w, "phase": phase, "start": monday.isoformat(), "sessions": sessions}
        )
    return {
        "schema": "kneetrack.programme/1",
        "start": start.isoformat(),
        "causes": [
            {"code": "hip_abductor_weakness", "confidence": 0.7, "evidence": ["pelvic drop"]}
        ],
        "referral": {"needed": False, "urgency": "none", "to": [], "reasons": []},
        "weeks": out_weeks,
        "cues": [],
        "footwear": [],
        "retest": {"every_weeks": 4},
    }
