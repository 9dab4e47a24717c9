# ruff: noqa: E501  (long prose strings: the examples read better unwrapped)
"""Regenerate the three worked examples in this folder.

Each example folder holds a hand-made ``analysis.json`` (as ``kneetrack analyze``
writes it) and ``screening.json`` (as ``kneetrack screen`` writes it), the plan
generated from them (``programme.json``, ``programme.html``, ``programme.ics``)
and a README that says what a reader should see in the plan.

Run from the repository root::

    .venv/bin/python examples/make_examples.py
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from kneetrack.app.plan import make_plan
from kneetrack.programme.writers import dose_text
from kneetrack.screening.schema import parse_screening

HERE = Path(__file__).resolve().parent
START = "2026-12-07"


def summary(left: dict[str, float], right: dict[str, float], n: int = 14) -> dict[str, Any]:
    """An analysis ``summary`` block from per-leg metric means."""
    def side(values: dict[str, float]) -> dict[str, Any]:
        out: dict[str, Any] = {"stances": n}
        for metric, mean in values.items():
            out[metric] = {"mean": mean, "sd": 1.5, "max": round(mean + 3.0, 1), "n": n}
        return out

    return {"left": side(left), "right": side(right), "asymmetry": {}, "fatigue_drift": {}}


def analysis(
    view: str, cadence: float, summ: dict[str, Any], findings: list[dict[str, Any]]
) -> dict:
    """A minimal ``kneetrack.analysis/1`` document."""
    return {
        "schema": "kneetrack.analysis/1",
        "input": {
            "path": "example.mp4",
            "kind": "video",
            "fps": 60.0,
            "frames": 1200,
            "duration_s": 20.0,
            "width": 1920,
            "height": 1080,
        },
        "view": view,
        "quality": {"tracked_fraction": 0.98, "warnings": []},
        "cadence_spm": cadence,
        "stances": [],
        "summary": summ,
        "findings": findings,
    }


NORMAL = {"fppa_peak_deg": 5.5, "hip_adduction_peak_deg": 7.5, "pelvic_drop_peak_deg": 3.2}

EXAMPLES: dict[str, dict[str, Any]] = {
    "neutral_runner": {
        "title": "Neutral runner",
        "story": (
            "A 29-year-old intermediate runner without knee pain who wants a prevention routine. "
            "Front-view video: knee angle, hip adduction and pelvic drop are all within the usual "
            "range, cadence 172 steps/min; self-tests are normal."
        ),
        "expect": [
            "No suggested cause and no referral.",
            "A short maintenance plan (4 weeks, 2 strength sessions), not an 8-week corrective "
            "block: a balanced hip, trunk and calf routine (glute bridge, side-lying leg raise, "
            "side plank, calf raise, bird dog) for two weeks, then the loaded versions (hip "
            "thrust, banded squat, side plank, split squat); no cadence target is promised.",
            "Easy runs with a drill warm-up (A-skip, B-skip, carioca) instead of cadence retraining.",
            "Weekly load that rises by at most 20 % a week; a retest in week 4.",
        ],
        "analysis": analysis("front", 172.0, summary(NORMAL, {**NORMAL, "fppa_peak_deg": 4.8}), []),
        "screening": {
            "schema": "kneetrack.screening/1",
            "date": "2026-11-30",
            "athlete": {
                "level": "intermediate",
                "equipment": ["band", "dumbbell"],
                "sex": "male",
                "age_years": 29,
            },
            "symptoms": {
                "pain_worst_0_10": 0,
                "pain_weeks": 0,
                "pain_at_rest": False,
                "pain_at_night": False,
                "swelling": False,
                "locking": False,
                "giving_way": False,
                "after_trauma": False,
                "fever": False,
            },
            "training": {
                "weekly_km": 35,
                "runs_per_week": 3,
                "years_running": 5,
                "recent_increase_pct": 5,
            },
            "shoes": {"type": "neutral", "km": 300, "age_months": 6},
            "tests": {
                "knee_to_wall_cm": {"left": 12.5, "right": 13.0},
                "side_plank_s": {"left": 75, "right": 70},
                "single_leg_squat_fppa_deg": {"left": 6.0, "right": 5.0},
                "navicular_drop_mm": {"left": 6, "right": 7},
                "foot_posture_index": {"left": 2, "right": 3},
            },
        },
        "options": {"weeks": 8, "sessions_per_week": 2},
    },
    "hip_weakness_pelvic_drop": {
        "title": "Hip-weakness pattern with pelvic drop",
        "story": (
            "A 34-year-old runner with left anterior knee pain (4/10 for 5 weeks). Front-view video: "
            "during left stance the right side of the pelvis drops 7.4° and the left hip adducts "
            "13.1°; the left knee angle is 12.8°. Side plank 32 s left vs 48 s right, hip abduction "
            "strength 1.2 N·m/kg on the left, single-leg squat knee angle 14° on the left."
        ),
        "expect": [
            "First cause: hip abductor and external-rotator weakness (high confidence), with the "
            "pelvic drop, hip adduction, strength, single-leg squat and left-right strength lines "
            "as evidence; the left side is named.",
            "Also: trunk and pelvic (core) control, and a side-to-side imbalance.",
            "No referral (pain is moderate and under 6 weeks).",
            "Strength A, B and C differ but each works on the hip, the trunk and the imbalance; "
            "per-side hip exercises get one extra set on the left (weaker side).",
            "The side plank starts at the tested 30 s (the 32 s hold rounded down), not a "
            "textbook dose, and grows 5 s a week at most.",
            "No exercise or session grows more than 20 % (or one ladder step) a week; Sunday is "
            "a rest day and strength days never follow each other.",
            "Cadence runs at +5 % (176 bpm) then +10 % (185 bpm) of the measured 168 spm.",
        ],
        "analysis": analysis(
            "front",
            168.0,
            summary(
                {
                    "fppa_peak_deg": 12.8,
                    "hip_adduction_peak_deg": 13.1,
                    "pelvic_drop_peak_deg": 7.4,
                },
                {"fppa_peak_deg": 7.0, "hip_adduction_peak_deg": 9.0, "pelvic_drop_peak_deg": 4.1},
            ),
            [
                {
                    "code": "contralateral_pelvic_drop",
                    "leg": "left",
                    "value": 7.4,
                    "threshold": 5.0,
                    "severity": "moderate",
                    "text": "During left stance the opposite side of the pelvis drops 7.4 deg (above 5 deg).",
                },
                {
                    "code": "hip_adduction",
                    "leg": "left",
                    "value": 13.1,
                    "threshold": 12.0,
                    "severity": "mild",
                    "text": "Left hip adduction peaks at 13.1 deg (above 12 deg).",
                },
                {
                    "code": "dynamic_knee_valgus",
                    "leg": "left",
                    "value": 12.8,
                    "threshold": 10.0,
                    "severity": "mild",
                    "text": "The left knee moves inward: FPPA 12.8 deg (above 10 deg).",
                },
                {
                    "code": "asymmetry_pelvic_drop",
                    "leg": "left",
                    "value": 3.3,
                    "threshold": 2.7,
                    "severity": "mild",
                    "text": "Pelvic drop differs between legs by 3.3 deg (left 7.4, right 4.1).",
                },
            ],
        ),
        "screening": {
            "schema": "kneetrack.screening/1",
            "date": "2026-11-30",
            "athlete": {
                "level": "intermediate",
                "equipment": ["band", "long_band"],
                "sex": "female",
                "age_years": 34,
            },
            "symptoms": {
                "pain_locations": ["anterior_knee"],
                "painful_leg": "left",
                "pain_worst_0_10": 4,
                "pain_weeks": 5,
                "pain_at_rest": False,
                "pain_at_night": False,
                "swelling": False,
                "locking": False,
                "giving_way": False,
                "after_trauma": False,
                "fever": False,
            },
            "training": {"weekly_km": 30, "runs_per_week": 3, "recent_increase_pct": 15},
            "shoes": {"type": "neutral", "km": 450, "age_months": 9},
            "tests": {
                "knee_to_wall_cm": {"left": 11.0, "right": 11.5},
                "side_plank_s": {"left": 32, "right": 48},
                "single_leg_squat_fppa_deg": {"left": 14.0, "right": 9.0},
                "hip_abduction_nm_per_kg": {"left": 1.2, "right": 1.5},
                "navicular_drop_mm": {"left": 7, "right": 7},
            },
        },
        "options": {"weeks": 8, "sessions_per_week": 3},
    },
    "ankle_limited_overpronator": {
        "title": "Ankle-limited overpronator with low cadence",
        "story": (
            "A 41-year-old beginner with right knee pain (3/10, 3 weeks). Front-view video: cadence "
            "154 steps/min, right knee angle 13.5° with normal hip adduction and pelvic drop. "
            "Knee-to-wall 7.0 cm right and 8.5 cm left, navicular drop 12-13 mm, Foot Posture Index "
            "+8/+9; shoes with 820 km."
        ),
        "expect": [
            "Causes: limited ankle dorsiflexion and overpronation (high confidence), low cadence, "
            "and footwear (worn shoes).",
            "No hip-weakness cause: the hip metrics are normal.",
            "A short mobility session every day (knee-to-wall mobilisation and both wall calf "
            "stretches, one set each): the primary cause is a range limit; foot work (toe yoga, "
            "short foot) and calf raises progressing to eccentric and single-leg raises.",
            "Cadence retraining: 162 bpm (+5 %) in the foundation and strength phases, then 169 bpm "
            "(+10 %), with feedback faded over 8 runs each time.",
            "Shoe advice: replace the 820 km pair; a stability shoe and orthoses are options to "
            "discuss, not rules; a specialised running store can do a gait analysis.",
        ],
        "analysis": analysis(
            "front",
            154.0,
            summary(
                {"fppa_peak_deg": 7.5, "hip_adduction_peak_deg": 8.0, "pelvic_drop_peak_deg": 3.5},
                {"fppa_peak_deg": 13.5, "hip_adduction_peak_deg": 8.5, "pelvic_drop_peak_deg": 3.8},
            ),
            [
                {
                    "code": "low_cadence",
                    "leg": "both",
                    "value": 154.0,
                    "threshold": 166.0,
                    "severity": "moderate",
                    "text": "Cadence is 154 steps/min. Raising it by 5-10 % of your own rate is associated "
                    "with less hip adduction and lower knee load.",
                },
                {
                    "code": "dynamic_knee_valgus",
                    "leg": "right",
                    "value": 13.5,
                    "threshold": 10.0,
                    "severity": "moderate",
                    "text": "The right knee moves inward: FPPA 13.5 deg (above 10 deg).",
                },
            ],
        ),
        "screening": {
            "schema": "kneetrack.screening/1",
            "date": "2026-11-30",
            "athlete": {"level": "beginner", "equipment": ["band"], "sex": "male", "age_years": 41},
            "symptoms": {
                "pain_locations": ["anterior_knee", "medial_knee"],
                "painful_leg": "right",
                "pain_worst_0_10": 3,
                "pain_weeks": 3,
                "pain_at_rest": False,
                "pain_at_night": False,
                "swelling": False,
                "locking": False,
                "giving_way": False,
                "after_trauma": False,
                "fever": False,
            },
            "training": {
                "weekly_km": 15,
                "runs_per_week": 3,
                "years_running": 1,
                "recent_increase_pct": 10,
            },
            "shoes": {"type": "neutral", "km": 820, "age_months": 14},
            "tests": {
                "knee_to_wall_cm": {"left": 8.5, "right": 7.0},
                "side_plank_s": {"left": 50, "right": 48},
                "single_leg_squat_fppa_deg": {"left": 9.0, "right": 12.0},
                "navicular_drop_mm": {"left": 12, "right": 13},
                "foot_posture_index": {"left": 8, "right": 9},
            },
        },
        "options": {"weeks": 10, "sessions_per_week": 2},
    },
}


def _strength_table(week: dict[str, Any]) -> list[str]:
    session = next(s for s in week["sessions"] if s["kind"] == "strength")
    rows = ["| Exercise | Dose | Load |", "|---|---|---|"]
    for item in session["items"]:
        if item["block"] == "main":
            rows.append(f"| {item['name']} | {dose_text(item)} | {item['load'] or '—'} |")
    return rows


def readme(name: str, spec: dict[str, Any], programme: dict[str, Any]) -> str:
    """The example's README: the story, what to look for, and what the plan says."""
    lines = [
        f"# Worked example: {spec['title']}",
        "",
        spec["story"],
        "",
        "## What you should see",
        "",
    ]
    lines += [f"- {e}" for e in spec["expect"]]
    lines += [
        "",
        "## What the plan says",
        "",
        "Suggested causes (associated with the findings, not a diagnosis):",
        "",
    ]
    if programme["causes"]:
        for c in programme["causes"]:
            lines.append(
                f"- **{c['name']}** — {c['confidence_label']} confidence ({c['confidence']:.2f})"
            )
            lines += [f"  - {e}" for e in c["evidence"]]
    else:
        lines.append("- none")
    ref = programme["referral"]
    lines += [
        "",
        f"Referral: {ref['urgency']}" + (f" — {', '.join(ref['to'])}" if ref["needed"] else ""),
        "",
    ]
    cad = programme["cadence"]
    if cad["retraining"]:
        lines.append(
            "Cadence targets: "
            + ", ".join(
                f"{t['phase']} +{t['increase_pct']:.0f} % = {t['bpm']} bpm" for t in cad["targets"]
            )
        )
        lines.append("")
    weeks = programme["weeks"]
    lines += [
        f"### Week 1 strength session ({weeks[0]['phase']})",
        "",
        *_strength_table(weeks[0]),
        "",
        f"### Week {weeks[-1]['week']} strength session ({weeks[-1]['phase']})",
        "",
        *_strength_table(weeks[-1]),
        "",
    ]
    if programme["footwear"]:
        lines += ["### Shoes", ""] + [f"- {f['text']}" for f in programme["footwear"]] + [""]
    lines += [
        "Files: `analysis.json` and `screening.json` (inputs); `programme.json`, "
        "`programme.html` (open in a browser), `programme.ics` (import into a calendar).",
        "",
        f"Regenerate: `.venv/bin/python examples/make_examples.py` (start date {START}).",
        "",
    ]
    return "\n".join(lines)


def main() -> None:
    """Write every example folder."""
    for name, spec in EXAMPLES.items():
        folder = HERE / name
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "analysis.json").write_text(
            json.dumps(spec["analysis"], indent=2) + "\n", encoding="utf-8"
        )
        (folder / "screening.json").write_text(
            json.dumps(spec["screening"], indent=2) + "\n", encoding="utf-8"
        )
        result = make_plan(
            spec["analysis"],
            parse_screening(spec["screening"]),
            out_dir=folder,
            start=START,
            **spec["options"],
        )
        (folder / "README.md").write_text(readme(name, spec, result.programme), encoding="utf-8")
        print(f"{name}: {[c['code'] for c in result.causes]} referral={result.referral['urgency']}")


if __name__ == "__main__":
    main()
