"""``kneetrack plan``: turn an analysis (+ screening) into a progressive programme."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.console import Console

from kneetrack.cli.main import app
from kneetrack.errors import InputError, SettingsError

if TYPE_CHECKING:
    from kneetrack.app.plan import NextWeekPlan


class Level(StrEnum):
    """Starting levels."""

    beginner = "beginner"
    intermediate = "intermediate"
    advanced = "advanced"


@app.command()
def plan(
    analysis: Path | None = typer.Option(
        None, "--analysis", "-a", help="analysis.json (or its folder)."
    ),
    screening: Path | None = typer.Option(
        None, "--screening", "-s", help="screening.json (optional)."
    ),
    out: Path | None = typer.Option(
        None, "--out", "-o", help="Folder for programme.json/.html/.ics."
    ),
    weeks: int = typer.Option(8, "--weeks", help="Plan length in weeks (4-16; 8-12 recommended)."),
    start: str | None = typer.Option(
        None, "--start", help="First day, YYYY-MM-DD (default: today)."
    ),
    sessions_per_week: int = typer.Option(
        3, "--sessions-per-week", help="Strength sessions a week: 2 or 3."
    ),
    level: Level | None = typer.Option(
        None, "--level", help="Starting level (default: from screening)."
    ),
    equipment: list[str] | None = typer.Option(
        None, "--equipment", help="band, long_band, dumbbell, metronome (repeat or comma-separate)."
    ),
    athlete: str | None = typer.Option(
        None, "--athlete", help="Store the programme in this athlete's history."
    ),
    next_week: bool = typer.Option(
        False, "--next-week", help="With --athlete: adapt next week from the logs and retests."
    ),
    db: str | None = typer.Option(None, "--db", help="Progress database URL or SQLite file."),
) -> None:
    """Write a progressive corrective programme (JSON, HTML, calendar)."""
    from kneetrack.app.plan import plan_and_store, plan_next_week

    if next_week:
        if not athlete:
            raise InputError("--next-week needs --athlete NAME")
        _show_next_week(plan_next_week(athlete, db=db, out_dir=out))
        return
    if analysis is None or out is None:
        raise SettingsError("give --analysis and --out (or --athlete NAME --next-week)")
    start_date = None
    if start is not None:
        try:
            start_date = dt.date.fromisoformat(start)
        except ValueError:
            raise SettingsError(f"--start must be YYYY-MM-DD, got {start!r}") from None
    done = plan_and_store(
        analysis,
        screening_path=screening,
        out_dir=out,
        athlete=athlete,
        db=db,
        weeks=weeks,
        start=start_date,
        sessions_per_week=sessions_per_week,
        level=level.value if level else None,
        equipment=equipment,
    )
    result = done.result
    ref = result.referral
    if ref["urgency"] == "urgent":
        typer.secho(
            "URGENT: see a clinician before starting — " + "; ".join(ref["to"]), fg="red", bold=True
        )
        for reason in ref["reasons"]:
            typer.echo(f"  - {reason}")
        typer.echo("The exercise plan is on hold.")
    elif ref["needed"]:
        typer.secho("Also see: " + ", ".join(ref["to"]), fg="yellow")
    if result.causes:
        typer.echo("Suggested factors (associated with knee valgus, not a diagnosis):")
        for c in result.causes:
            typer.echo(f"  - {c['name']} ({c['confidence_label']} confidence)")
    elif ref["urgency"] != "urgent":
        typer.echo(
            "No clear contributing factor found: a short maintenance plan "
            f"({result.programme['settings']['weeks']} weeks) was written."
        )
    for note in result.notes:
        typer.echo(f"note: {note}")
    for path in result.artefacts.values():
        typer.echo(f"wrote {path}")
    if done.stored is not None:
        p = done.stored
        typer.echo(
            f"stored the programme in {athlete}'s history ({len(p.weeks)} weeks from "
            f"{p.start_date})"
        )


def _show_next_week(plan: NextWeekPlan) -> None:
    """Print the adaptation decision, its reasons and the files written."""
    res = plan.adapted
    style = {"progress": "green", "hold": "yellow", "regress": "yellow", "refer": "red"}
    con = Console()
    con.print(f"week {res.week}: [bold {style[res.decision]}]{res.decision}[/]")
    for r in res.reasons:
        con.print(f"  - {r}", highlight=False)
    for path in plan.artefacts.values():
        typer.echo(f"wrote {path}")
