"""Write a programme as ``programme.json``, ``programme.html`` and ``programme.ics``.

Every file is written through a temporary file and renamed, so a crash never
leaves half a file in place of one the runner already had.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import jinja2

from kneetrack.io.files import write_bytes_atomic, write_text_atomic
from kneetrack.knowledge import load_knowledge

METRIC_NAMES = {
    "fppa_peak_deg": "Knee angle (frontal plane projection angle, FPPA)",
    "pelvic_drop_peak_deg": "Pelvic drop",
    "hip_adduction_peak_deg": "Hip adduction",
}


def programme_json(programme: dict[str, Any]) -> str:
    """The programme as pretty JSON text."""
    return json.dumps(programme, indent=2, ensure_ascii=False, allow_nan=False) + "\n"


def dose_text(item: dict[str, Any]) -> str:
    """``3 × 12 per side``, ``3 × 30 s``, ``20 min``."""
    side = " per side" if item.get("per_side") else ""
    if "duration_min" in item:
        return f"{item['duration_min']} min"
    if "hold_s" in item:
        return f"{item['sets']} × {item['hold_s']} s{side}"
    unit = f" {item['unit']}" if item.get("unit") else ""
    return f"{item['sets']} × {item.get('reps', '?')}{unit}{side}"


def _env() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("kneetrack.programme", "templates"),
        autoescape=jinja2.select_autoescape(["html", "j2"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    kb = load_knowledge()
    env.filters["dose"] = dose_text
    env.filters["exname"] = lambda ex_id: (
        kb.exercises[ex_id].name if ex_id in kb.exercises else ex_id
    )
    return env


def render_html(programme: dict[str, Any]) -> str:
    """A readable, self-contained HTML page of the programme (no external files)."""
    kb = load_knowledge()
    used: list[str] = []
    for week in programme.get("weeks", []):
        for session in week["sessions"]:
            for item in session["items"]:
                if item["exercise_id"] not in used:
                    used.append(item["exercise_id"])
    exercises = [kb.exercises[e] for e in used if e in kb.exercises]
    context = {
        k: programme.get(k)
        for k in (
            "settings",
            "referral",
            "causes",
            "phases",
            "cadence",
            "weeks",
            "cues",
            "footwear",
            "retest",
            "progression_rules",
            "advice",
            "disclaimer",
            "software",
            "created",
        )
    }
    context["footwear"] = context["footwear"] or []
    context["notes"] = programme.get("notes") or []
    return (
        _env()
        .get_template("programme.html.j2")
        .render(**context, exercises=exercises, metric_names=METRIC_NAMES)
    )


def _describe_session(session: dict[str, Any]) -> str:
    lines = []
    if session.get("note"):
        lines.append(session["note"])
    for item in session["items"]:
        warm = " (warm-up)" if item.get("block") == "warm-up" else ""
        load = f", {item['load']}" if item.get("load") and item["load"] != "bodyweight" else ""
        bpm = f", metronome {item['bpm']} bpm" if item.get("bpm") else ""
        lines.append(f"- {item['name']}{warm}: {dose_text(item)}{load}{bpm}")
    return "\n".join(lines)


def render_ics(programme: dict[str, Any]) -> bytes:
    """An iCalendar file with one all-day event per session."""
    import icalendar

    cal = icalendar.Calendar()
    cal.add("prodid", "-//kneetrack//programme//EN")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", "kneetrack programme")
    created = dt.date.fromisoformat(programme.get("created") or dt.date.today().isoformat())
    stamp = dt.datetime(created.year, created.month, created.day, tzinfo=dt.UTC)
    start = programme.get("settings", {}).get("start", "")
    for week in programme.get("weeks", []):
        for n, session in enumerate(week["sessions"]):
            day = dt.date.fromisoformat(session["date"])
            ev = icalendar.Event()
            ev.add("uid", f"{start}-w{week['week']}-{n}-{session['kind']}@kneetrack")
            ev.add("dtstamp", stamp)
            ev.add("dtstart", day)
            ev.add("dtend", day + dt.timedelta(days=1))
            ev.add(
                "summary",
                f"{session['title']} (~{session['duration_min']} min) · week {week['week']}",
            )
            ev.add("description", _describe_session(session))
            ev.add("categories", ["kneetrack", session["kind"]])
            ev.add("transp", "TRANSPARENT")
            cal.add_component(ev)
    return cal.to_ical()


def write_programme(programme: dict[str, Any], out_dir: str | Path) -> dict[str, Path]:
    """Write ``programme.json``, ``programme.html`` and ``programme.ics`` into ``out_dir``."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    html = render_html(programme)
    ics = render_ics(programme)
    return {
        "json": write_text_atomic(out / "programme.json", programme_json(programme)),
        "html": write_text_atomic(out / "programme.html", html),
        "ics": write_bytes_atomic(out / "programme.ics", ics),
    }
