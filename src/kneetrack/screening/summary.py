"""A short readable summary of a screening (markdown for the file, plain lines for a terminal)."""

from __future__ import annotations

from typing import Any

from kneetrack.screening.norms import LEGS, Note, RedFlag, interpret, red_flags
from kneetrack.screening.schema import Screening

_TEST_ROWS = (
    ("Knee-to-wall", "knee_to_wall_cm", "cm"),
    ("Side plank", "side_plank_s", "s"),
    ("Single-leg squat FPPA", "single_leg_squat_fppa_deg", "deg"),
    ("Hip abduction strength", "hip_abduction_nm_per_kg", "Nm/kg"),
    ("Navicular drop", "navicular_drop_mm", "mm"),
    ("Foot Posture Index", "foot_posture_index", ""),
    ("Thomas test (thigh above horizontal)", "thomas_test_deg", "deg"),
    ("Ober test (thigh above horizontal)", "ober_test_deg", "deg"),
    ("Hip internal rotation", "hip_internal_rotation_deg", "deg"),
    ("Hip external rotation strength", "hip_external_rotation_nm_per_kg", "Nm/kg"),
    ("Hip abduction range (adductor length)", "hip_abduction_range_deg", "deg"),
    ("Hamstring:quadriceps ratio", "hamstring_quadriceps_ratio", ""),
)
_DISCLAIMER = ("This screening compares your answers and movement with groups of people in "
               "published studies. It is not a diagnosis; a physical therapist or sports "
               "physician can examine you properly.")


NOTHING_ANSWERED = ("Nothing was answered and no test was done, so nothing could be judged; "
                    "answer the questions or do the self-tests first.")


def nothing_answered(screening: Screening) -> bool:
    """True when the screening holds no answer, test or squat video at all."""
    data = screening.model_dump(exclude_none=True, exclude={"schema_", "date"})
    return not any(v for v in data.values())


def _v(x: Any, unit: str = "") -> str:
    if x is None:
        return "–"
    if isinstance(x, float):
        if unit == "Nm/kg":
            x = f"{x:.2f}"
        else:
            x = f"{x:.0f}" if abs(x - round(x)) < 0.05 else f"{x:.1f}"
    return f"{x} {unit}".strip()


def _ms(stat: dict[str, Any] | None, unit: str = "deg") -> str:
    if not stat or stat.get("mean") is None:
        return "–"
    sd = stat.get("sd")
    return f"{stat['mean']:.1f}" + (f" ± {sd:.1f}" if sd is not None else "") + f" {unit}"


def _flag_block(flags: list[RedFlag]) -> list[str]:
    if not flags:
        return []
    urgent = [f for f in flags if f.urgency == "urgent"]
    lines = []
    if urgent:
        lines.append("> **See a doctor or physical therapist before you run or train the leg.** "
                     "You reported:")
    else:
        lines.append("> **Have a physical therapist or sports physician look at your knee soon.** "
                     "You reported:")
    lines += [f"> - {f.text} ({'urgent' if f.urgency == 'urgent' else 'soon'})" for f in flags]
    lines.append("")
    return lines


def summary_markdown(screening: Screening, *, notes: list[Note] | None = None,
                     flags: list[RedFlag] | None = None) -> str:
    """The screening as a short markdown page: red flags first, then what to work on, then data.

    Examples
    --------
    >>> from kneetrack.screening.schema import parse_screening
    >>> s = parse_screening({"tests": {"knee_to_wall_cm": {"left": 8, "right": 12}}})
    >>> "below about 10 cm" in summary_markdown(s)
    True
    """
    notes = interpret(screening) if notes is None else notes
    flags = red_flags(screening) if flags is None else flags
    s = screening
    out = [f"# Screening summary{' — ' + s.date if s.date else ''}", ""]
    out += _flag_block(flags)

    todo = [n for n in notes if n.status == "flag"]
    out.append("## Worth working on")
    out.append("")
    if todo:
        out += [f"- {n.text}" for n in todo]
    elif nothing_answered(s):
        out.append(f"- {NOTHING_ANSWERED}")
    else:
        out.append("- Nothing stands out in the answers and tests given.")
    out.append("")

    block = s.squat_video or {}
    summary = block.get("summary") or {}
    if summary:
        out += ["## Single-leg squat (video)", "",
                "| leg | reps | knee angle (FPPA) | hip adduction | pelvic drop | trunk lean | "
                "knee bend (est.) |",
                "|---|---|---|---|---|---|---|"]
        for lg in LEGS:
            e = summary.get(lg) or {}
            out.append(f"| {lg} | {e.get('n_reps', 0)} | {_ms(e.get('fppa_deg'))} | "
                       f"{_ms(e.get('hip_adduction_deg'))} | {_ms(e.get('pelvic_drop_deg'))} | "
                       f"{_ms(e.get('trunk_lean_deg'))} | {_ms(e.get('knee_flexion_est_deg'))} |")
        out += ["", "Angles at the bottom of each squat, mean ± SD over the repetitions. "
                "Positive knee angle and hip adduction = the knee moves towards the other leg; "
                "positive pelvic drop = the free side drops; positive trunk lean = towards the "
                "standing leg.", ""]

    rows = []
    for name, field, unit in _TEST_ROWS:
        ps = getattr(s.tests, field)
        if ps is None or (ps.left is None and ps.right is None):
            continue
        rows.append(f"| {name} | {_v(ps.left, unit)} | {_v(ps.right, unit)} |")
    if rows:
        out += ["## Self-tests", "", "| test | left | right |", "|---|---|---|", *rows, ""]

    ok = [n for n in notes if n.status in ("ok", "info") and n.topic != "single_leg_squat"]
    squat_info = [n for n in notes if n.status == "info" and n.topic == "single_leg_squat"]
    if ok or squat_info:
        out += ["## Other readings", ""]
        out += [f"- {n.text}" for n in ok + squat_info]
        out.append("")

    t, sh = s.training, s.shoes
    facts = []
    if t.weekly_km is not None:
        facts.append(f"{_v(t.weekly_km)} km a week"
                     + (f" in {_v(t.runs_per_week)} runs" if t.runs_per_week is not None else ""))
    if t.recent_change:
        facts.append(f"recent change: {t.recent_change}")
    if sh.type:
        facts.append(f"shoes: {sh.type.replace('_', ' ')}"
                     + (f", about {_v(sh.km)} km" if sh.km is not None else ""))
    if facts:
        out += ["## Training and shoes", "", "- " + "; ".join(facts) + ".", ""]

    sources = sorted({n.source.strip() for n in notes if n.source})
    if sources:
        out += ["## Sources", ""] + [f"- {src}" for src in sources] + [""]
    out += [f"*{_DISCLAIMER}*", ""]
    return "\n".join(out)


def summary_lines(screening: Screening, *, notes: list[Note] | None = None,
                  flags: list[RedFlag] | None = None) -> list[str]:
    """A few plain lines for the terminal: red flags, then the findings worth working on."""
    notes = interpret(screening) if notes is None else notes
    flags = red_flags(screening) if flags is None else flags
    lines = []
    for f in flags:
        lines.append(f"{'URGENT' if f.urgency == 'urgent' else 'SOON'}: see a clinician — {f.text}")
    todo = [n.text for n in notes if n.status == "flag"]
    if not todo and nothing_answered(screening):
        return [*lines, NOTHING_ANSWERED]
    lines += [f"- {t}" for t in todo] or ["Nothing stands out in the answers and tests given."]
    return lines
