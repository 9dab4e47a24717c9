"""``kneetrack log``: record a training session, by flags or interactively."""

from __future__ import annotations

import datetime as dt
from typing import Any

import typer

from kneetrack.cli.athlete import db_option
from kneetrack.cli.main import app
from kneetrack.errors import InputError


def _date(text: str | None) -> dt.date:
    if not text:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise InputError(f"date must be YYYY-MM-DD, got {text!r}") from None


def _ask_number(label: str, default: Any, kind: type) -> Any:
    raw = typer.prompt(label, default="" if default is None else str(default), show_default=True)
    if raw == "":
        return None
    try:
        return kind(raw)
    except ValueError:
        raise InputError(f"{label}: {raw!r} is not a number") from None


def _interactive(planned: list[dict[str, Any]], day: dt.date) -> list[dict[str, Any]]:
    entries: list[dict[str, Any]] = []
    if planned:
        typer.echo(f"planned session near {day}: {len(planned)} exercise(s)")
        for it in planned:
            name = it.get("name") or it.get("exercise_id")
            if not typer.confirm(f"did you do {name}?", default=True):
                continue
            entries.append(
                {
                    "exercise_id": it.get("exercise_id"),
                    "sets": _ask_number("  sets", it.get("sets"), int),
                    "reps": _ask_number("  reps", it.get("reps"), int)
                    if it.get("hold_s") is None
                    else None,
                    "hold_s": _ask_number("  hold (s)", it.get("hold_s"), float)
                    if it.get("hold_s") is not None
                    else None,
                    "load": typer.prompt(
                        "  load", default=str(it.get("load") or ""), show_default=True
                    )
                    or None,
                }
            )
    else:
        typer.echo("no planned session near that date; enter exercises (blank id to finish)")
        while True:
            ex = typer.prompt("exercise id", default="", show_default=False).strip()
            if not ex:
                break
            entries.append(
                {
                    "exercise_id": ex,
                    "sets": _ask_number("  sets", None, int),
                    "reps": _ask_number("  reps", None, int),
                    "load": typer.prompt("  load", default="", show_default=False) or None,
                }
            )
    if not entries:
        raise InputError("nothing to log")
    rpe = _ask_number("session RPE 1-10", None, float)
    pain = _ask_number("worst pain 0-10", None, float)
    note = typer.prompt("note", default="", show_default=False) or None
    for e in entries:
        e.update(rpe=rpe, pain=pain, note=note)
    return entries


@app.command("log")
def log(
    athlete: str = typer.Option(..., "--athlete", "-a", help="Athlete name."),
    exercise: str | None = typer.Option(
        None, "--exercise", "-e", help="Exercise id; omit to be asked interactively."
    ),
    sets: int | None = typer.Option(None, "--sets", min=0),
    reps: int | None = typer.Option(None, "--reps", min=0),
    hold_s: float | None = typer.Option(None, "--hold", help="Hold time in seconds."),
    load: str | None = typer.Option(None, "--load", help="e.g. 'red band', '8 kg'."),
    rpe: float | None = typer.Option(None, "--rpe", help="Effort 1-10."),
    pain: float | None = typer.Option(None, "--pain", help="Worst pain 0-10."),
    note: str | None = typer.Option(None, "--note"),
    date: str | None = typer.Option(None, "--date", help="YYYY-MM-DD (default today)."),
    db: str | None = db_option(),
) -> None:
    """Record a session: one exercise by flags, or a whole session interactively."""
    from kneetrack.app.athletes import get_athlete, open_db
    from kneetrack.app.progress import log_session, logged_pain_advice, planned_items_near

    day = _date(date)
    with open_db(db) as store:
        a = get_athlete(store, athlete)
        if exercise is None:
            entries = _interactive(planned_items_near(store, a.name, day), day)
        else:
            entries = [
                {
                    "exercise_id": exercise,
                    "sets": sets,
                    "reps": reps,
                    "hold_s": hold_s,
                    "load": load,
                    "rpe": rpe,
                    "pain": pain,
                    "note": note,
                }
            ]
        logs = log_session(store, a.name, entries, performed_on=day)
    typer.echo(f"logged {len(logs)} exercise(s) for {a.name} on {day}")
    advice = logged_pain_advice(logs)
    if advice:
        typer.echo(advice)
