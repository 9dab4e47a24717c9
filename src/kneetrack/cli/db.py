"""``kneetrack db backup|restore|upgrade``: keep the progress database safe."""

from __future__ import annotations

from pathlib import Path

import typer

from kneetrack.cli.athlete import db_option
from kneetrack.cli.main import app

db_app = typer.Typer(
    help="Back up, restore and upgrade the progress database.", no_args_is_help=True
)
app.add_typer(db_app, name="db")


@db_app.command("backup")
def backup_cmd(
    out: Path = typer.Argument(..., help="Backup ZIP to write."),
    db: str | None = db_option(),
) -> None:
    """Write every row and stored file into one ZIP."""
    from kneetrack.app.database import backup_database

    path, counts = backup_database(db, out)
    typer.echo(
        f"wrote {path} ({counts['athlete']} athletes, {counts['analysis']} analyses, "
        f"{counts['workout_log']} logs)"
    )


@db_app.command("restore")
def restore_cmd(
    backup_zip: Path = typer.Argument(..., help="Backup ZIP made by `kneetrack db backup`."),
    replace: bool = typer.Option(
        False, "--replace", help="Overwrite a database that is not empty."
    ),
    db: str | None = db_option(),
) -> None:
    """Restore a backup into an empty database (or replace everything with --replace)."""
    from kneetrack.app.database import restore_database

    counts = restore_database(db, backup_zip, replace=replace)
    typer.echo("restored " + ", ".join(f"{v} {k}" for k, v in counts.items() if v))


@db_app.command("upgrade")
def upgrade_cmd(db: str | None = db_option()) -> None:
    """Upgrade the database schema to this version of kneetrack (SQLite is copied aside first)."""
    from kneetrack.app.database import upgrade_database

    res = upgrade_database(db)
    if res.from_revision == res.to_revision:
        typer.echo(f"database is up to date (schema {res.to_revision})")
        return
    typer.echo(
        f"upgraded schema {res.from_revision or 'empty'} → {res.to_revision}"
        + (f"; previous copy kept at {res.backup_path}" if res.backup_path else "")
    )
