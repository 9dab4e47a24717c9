"""The report's summary of ``programme.json``: likely causes, the first week, referral."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from kneetrack.report.values import as_finite, humanize, text_of


def programme_section(programme: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """Likely causes, referral and a programme summary from ``programme.json``."""
    if not isinstance(programme, Mapping):
        return None
    causes: list[dict[str, Any]] = []
    for c in programme.get("causes") or []:
        if not isinstance(c, Mapping):
            continue
        conf = c.get("confidence")
        cnum = as_finite(conf)
        conf_text = f"{cnum:.0%}" if cnum is not None and cnum <= 1 else (str(conf) if conf else "")
        evidence = [text_of(e) for e in (c.get("evidence") or [])]
        name = c.get("name") or c.get("title") or c.get("label")
        causes.append({"name": name or humanize(str(c.get("code", "cause"))),
                       "confidence": conf_text, "confidence_value": cnum or 0.0,
                       "evidence": evidence})
    causes.sort(key=lambda c: -c["confidence_value"])
    weeks = [w for w in (programme.get("weeks") or []) if isinstance(w, Mapping)]
    phases: list[dict[str, Any]] = []
    for w in weeks:
        phase = str(w.get("phase") or "programme")
        num = w.get("week")
        if phases and phases[-1]["phase"] == phase:
            phases[-1]["last"] = num
        else:
            phases.append({"phase": phase, "first": num, "last": num})
    first_week = None
    if weeks:
        sessions = []
        for s in weeks[0].get("sessions") or []:
            if not isinstance(s, Mapping):
                continue
            raw = [i for i in (s.get("items") or []) if isinstance(i, Mapping)]
            main = [i for i in raw if i.get("block") != "warm-up"] or raw
            sessions.append({"date": s.get("date"),
                             "kind": str(s.get("title") or humanize(str(s.get("kind") or ""))),
                             "type": str(s.get("kind") or ""),
                             "items": [item_text(i) for i in main]})
        first_week = {"week": weeks[0].get("week", 1), "sessions": sessions}
    cues = [text_of(c) for c in (programme.get("cues") or [])]
    footwear = programme.get("footwear")
    footwear_list = ([text_of(x) for x in footwear] if isinstance(footwear, list)
                     else [text_of(footwear)] if footwear else [])
    retest_text = _retest_text(programme.get("retest"))
    return {"causes": causes, "weeks": len(weeks), "phases": phases, "first_week": first_week,
            "cues": cues, "footwear": footwear_list, "retest": retest_text}


def _retest_text(retest: Any) -> str:
    """One sentence about when to film again."""
    if isinstance(retest, list):
        return "; ".join(text_of(r) for r in retest)
    if not isinstance(retest, Mapping):
        return str(retest) if retest else ""
    if retest.get("text") or retest.get("description"):
        return text_of(retest)
    parts = []
    every = as_finite(retest.get("every_weeks"))
    if every:
        parts.append(f"film again every {every:g} weeks")
    dates = retest.get("dates")
    if isinstance(dates, list) and dates:
        parts.append(f"next on {dates[0]}")
    text = ", ".join(parts)
    text = text[:1].upper() + text[1:] + "." if text else ""
    instructions = retest.get("instructions")
    if isinstance(instructions, list) and instructions:
        text += " " + " ".join(str(i) for i in instructions[:2])
    return text.strip()


def item_text(item: Mapping[str, Any]) -> str:
    """One exercise of a session with its dose, e.g. ``Banded clamshell (3 × 12)``.

    Examples
    --------
    >>> item_text({"name": "Banded clamshell", "sets": 3, "reps": 12})
    'Banded clamshell (3 × 12)'
    """
    name = item.get("name") or humanize(str(item.get("exercise_id", "exercise")))
    dose = []
    sets, reps, hold = item.get("sets"), item.get("reps"), item.get("hold_s")
    minutes = as_finite(item.get("duration_min"))
    if sets and reps:
        dose.append(f"{sets} × {reps}")
    elif sets and hold:
        dose.append(f"{sets} × {hold} s hold")
    elif minutes:
        dose.append(f"{minutes:g} min")
    elif sets and as_finite(sets) != 1:
        dose.append(f"{sets} sets")
    if as_finite(item.get("bpm")):
        dose.append(f"metronome {item['bpm']} bpm")
    if item.get("load"):
        dose.append(str(item["load"]))
    return f"{name} ({', '.join(dose)})" if dose else str(name)


def referral_section(analysis: Mapping[str, Any],
                     programme: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """The referral box, when the programme (or the analysis) says a clinician should look."""
    ref = None
    if isinstance(programme, Mapping) and isinstance(programme.get("referral"), Mapping):
        ref = programme["referral"]
    elif isinstance(analysis.get("referral"), Mapping):
        ref = analysis["referral"]
    if not ref:
        return None
    urgency = str(ref.get("urgency") or "none").lower()
    if not ref.get("needed") and urgency in ("none", ""):
        return None
    to = ref.get("to")
    to_list = to if isinstance(to, list) else ([to] if to else [])
    to_text = ", ".join(text_of(t) for t in to_list)
    return {"urgency": urgency, "urgent": urgency == "urgent", "to": to_text,
            "reasons": [text_of(r) for r in (ref.get("reasons") or [])]}
