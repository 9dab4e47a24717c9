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


#: The pain-monitoring stop rule shown in every session and calendar event.
STOP_RULE = (
    "stop or go back a step if pain goes above 3/10 during the session, or if the knee is "
    "worse the next morning; log it and the next week adapts."
)
STOP_RULE_SHORT = "pain above 3/10, or worse the next morning → stop, go back a step, log it."
_DAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def current_week(programme: dict[str, Any], today: dt.date | None = None) -> dict[str, Any] | None:
    """The week to show first.

    That is the week after the latest adaptation, else the one holding ``today``
    (default: the date the programme was created), else the first or last.
    """
    weeks = programme.get("weeks") or []
    if not weeks:
        return None
    adaptations = programme.get("adaptations") or []
    applied = adaptations[-1].get("applied_to_week") if adaptations else None
    if isinstance(applied, int):
        return next((w for w in weeks if w.get("week") == applied), weeks[-1])
    day = today or dt.date.fromisoformat(str(programme.get("created") or weeks[0]["start"])[:10])
    for w in weeks:
        lo = dt.date.fromisoformat(w["start"])
        if lo <= day < lo + dt.timedelta(days=7):
            return w
    return weeks[0] if day < dt.date.fromisoformat(weeks[0]["start"]) else weeks[-1]


def week_days(week: dict[str, Any], today: dt.date | None = None) -> list[dict[str, Any]]:
    """The 7 days of ``week`` with their sessions.

    A day without strength or running is a rest day (``light`` when it only has
    the short daily mobility).
    """
    start = dt.date.fromisoformat(week["start"])
    out = []
    for k in range(7):
        day = start + dt.timedelta(days=k)
        sessions = [s for s in week["sessions"] if s["date"] == day.isoformat()]
        hard = [s for s in sessions if s["kind"] in ("strength", "run", "retest")]
        light = [s for s in sessions if s not in hard]
        only_light = not hard and bool(light)
        out.append(
            {
                "date": day.isoformat(),
                "label": f"{_DAY_NAMES[day.weekday()]} {day.day} {day.strftime('%b')}",
                "sessions": [] if only_light else sessions,
                "light": only_light,
                "today": today == day,
            }
        )
    return out


def compact_sessions(week: dict[str, Any]) -> list[dict[str, Any]]:
    """The week's sessions with the daily mobility shown once (``date`` = ``every day``)."""
    out: list[dict[str, Any]] = []
    daily_seen = False
    for s in week["sessions"]:
        if s["kind"] == "mobility" and s["title"].startswith("Daily"):
            if daily_seen:
                continue
            daily_seen = True
            s = {**s, "date": "every day"}
        out.append(s)
    return out


def programme_json(programme: dict[str, Any]) -> str:
    """The programme as pretty JSON text."""
    return json.dumps(programme, indent=2, ensure_ascii=False, allow_nan=False) + "\n"


def dose_text(item: dict[str, Any]) -> str:
    """``3 × 12 per side``, ``3 × 30 s``, ``20 min``."""
    side = " per side" if item.get("per_side") else ""
    if "duration_min" in item:
        return f"{item['duration_min']} min"
    extra = ""
    if item.get("extra_sets_side") and item.get("per_side"):
        extra = f", +{item.get('extra_sets', 1)} set on the {item['extra_sets_side']} (weaker side)"
    if "hold_s" in item:
        return f"{item['sets']} × {item['hold_s']} s{side}{extra}"
    unit = f" {item['unit']}" if item.get("unit") else ""
    return f"{item['sets']} × {item.get('reps', '?')}{unit}{side}{extra}"


def _env() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("kneetrack.programme", "templates"),
        autoescape=jinja2.select_autoescape(["html", "j2"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    kb = load_knowledge()
    env.filters["dose"] = dose_text
    env.filters["compact"] = compact_sessions
    env.filters["exname"] = lambda ex_id: (
        kb.exercises[ex_id].name if ex_id in kb.exercises else ex_id
    )
    return env


def render_html(programme: dict[str, Any], *, today: dt.date | None = None) -> str:
    """A readable, self-contained HTML page of the programme (no external files).

    It opens with *this week* (:func:`current_week`, day by day, with the stop
    rule in every session), then any referral, the causes, the rules and all weeks.
    """
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
    context["status"] = programme.get("status")
    context["kind"] = programme.get("kind")
    context["screening_use"] = programme.get("screening_use") or []
    this_week = current_week(programme, today)
    context["this_week"] = this_week
    context["this_week_days"] = week_days(this_week, today) if this_week else []
    context["stop_rule"] = STOP_RULE[:1].upper() + STOP_RULE[1:]
    context["stop_rule_short"] = STOP_RULE_SHORT
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
    lines.append(f"Stop rule: {STOP_RULE}")
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
