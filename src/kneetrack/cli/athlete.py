"""``kneetrack athlete add|list|show|export|delete``: the athletes whose progress is tracked."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from kneetrack.cli.main import app

athlete_app = typer.Typer(help="Add, list, show, export and delete athletes.", no_args_is_help=True)
app.add_typer(athlete_app, name="athlete")

DB_HELP = "Database URL or SQLite file (default: KNEETRACK_DB or the user data folder)."


class Sex(StrEnum):
    """Sex choices."""

    female = "female"
    male = "male"
    other = "other"


class Leg(StrEnum):
    """Leg choices."""

    left = "left"
    right = "right"


def db_option() -> str | None:
    """The shared ``--db`` option."""
    return typer.Option(None, "--db", help=DB_HELP, show_default=False)


@athlete_app.command("add")
def add(
    name: str = typer.Argument(..., help="Athlete name (unique)."),
    sex: Sex | None = typer.Option(None, "--sex"),
    birth_year: int | None = typer.Option(None, "--birth-year"),
    height_cm: float | None = typer.Option(None, "--height-cm"),
    dominant_leg: Leg | None = typer.Option(None, "--dominant-leg"),
    notes: str | None = typer.Option(None, "--notes"),
    db: str | None = db_option(),
) -> None:
    """Add an athlete."""
    from kneetrack.app.athletes import add_athlete, open_db, store_location

    with open_db(db) as store:
        a = add_athlete(
            store,
            name,
            sex=sex.value if sex else None,
            birth_year=birth_year,
            height_cm=height_cm,
            dominant_leg=dominant_leg.value if dominant_leg else None,
            notes=notes,
        )
        typer.echo(f"added athlete {a.name!r} to {store_location(store)}")


@athlete_app.command("list")
def list_(db: str | None = db_option()) -> None:
    """List athletes with what is stored about them."""
    from kneetrack.app.athletes import list_athletes, open_db

    with open_db(db) as store:
        rows = list_athletes(store)
    if not rows:
        typer.echo("no athletes yet; add one with `kneetrack athlete add NAME`")
        return
    t = Table("name", "sex", "born", "analyses", "logs", "programmes", "last activity")
    for r in rows:
        a = r.athlete
        t.add_row(
            a.name,
            a.sex or "",
            str(a.birth_year or ""),
            str(r.analyses),
            str(r.logs),
            str(r.programmes),
            str(r.last_activity or ""),
        )
    Console().print(t)


@athlete_app.command("show")
def show(
    name: str = typer.Argument(...),
    as_json: bool = typer.Option(False, "--json", help="Print everything stored as JSON."),
    db: str | None = db_option(),
) -> None:
    """Show an athlete: facts, analyses, programmes and recent logs."""
    from kneetrack.app.athletes import athlete_record, open_db

    with open_db(db) as store:
        rec = athlete_record(store, name)
    if as_json:
        typer.echo(json.dumps(rec, indent=2, ensure_ascii=False))
        return
    con = Console()
    a = rec["athlete"]
    facts = ", ".join(
        f"{k.replace('_', ' ')} {a[k]}"
        for k in ("sex", "birth_year", "height_cm", "dominant_leg")
        if a.get(k) is not None
    )
    con.print(f"[bold]{a['name']}[/]" + (f" — {facts}" if facts else ""))
    if a.get("notes"):
        con.print(f"notes: {a['notes']}")
    t = Table("date", "view", "kind", "cadence", "files", title="analyses")
    for x in rec["analyses"]:
        t.add_row(
            x["recorded_on"],
            str(x["view"]),
            str(x["kind"]),
            "" if x["cadence_spm"] is None else f"{x['cadence_spm']:.1f}",
            x["artefact_dir"] or "summary only",
        )
    con.print(t)
    con.print(
        f"programmes: {len(rec['programmes'])} version(s); screenings: "
        f"{len(rec['screenings'])}; workout logs: {len(rec['logs'])}"
    )
    for lg in rec["logs"][-8:]:
        per = lg["reps"] or (f"{lg['hold_s']:g}s" if lg["hold_s"] else "?")
        vol = f"{lg['sets'] or '?'}×{per}"
        con.print(
            f"  {lg['performed_on']} {lg['exercise_id']} {vol} {lg['load'] or ''} "
            f"RPE {lg['rpe'] if lg['rpe'] is not None else '-'} "
            f"pain {lg['pain'] if lg['pain'] is not None else '-'}"
        )


@athlete_app.command("export")
def export(
    name: str = typer.Argument(...),
    out: Path = typer.Option(Path("."), "--out", "-o", help="ZIP file or folder to write it in."),
    db: str | None = db_option(),
) -> None:
    """Export everything about an athlete (rows as JSON + files) into one ZIP."""
    from kneetrack.app.athletes import export_athlete, open_db

    with open_db(db) as store:
        path = export_athlete(store, name, out)
    typer.echo(f"wrote {path}")


@athlete_app.command("delete")
def delete(
    name: str = typer.Argument(...),
    yes: bool = typer.Option(False, "--yes", "-y", help="Do not ask for confirmation."),
    db: str | None = db_option(),
) -> None:
    """Delete an athlete: every row and every stored file. Export first to keep a copy."""
    from kneetrack.app.athletes import delete_athlete, get_athlete, open_db

    with open_db(db) as store:
        athlete = get_athlete(store, name)
        if not yes and not typer.confirm(f"Delete {athlete.name} and all their data and files?"):
            raise typer.Exit(1)
        counts = delete_athlete(store, name)
    typer.echo(f"deleted {athlete.name}: " + ", ".join(f"{v} {k}" for k, v in counts.items() if v))
