"""``kneetrack analyze``: measure a running video or keypoint file."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path

import typer

from kneetrack.cli.main import app


class View(StrEnum):
    """Camera views (DESIGN.md)."""

    front = "front"
    rear = "rear"
    side_left = "side-left"
    side_right = "side-right"


@app.command()
def analyze(
    input_path: Path = typer.Argument(
        ..., metavar="INPUT",
        help="Video (mp4/mov/m4v/avi/mkv/webm) or keypoints (.trc/.csv/OpenPose JSON folder)."),
    out: Path = typer.Option(..., "--out", "-o",
                             help="Folder for analysis.json, keypoints and the report."),
    view: View | None = typer.Option(None, "--view", help="Camera view; detected when omitted."),
    workers: int | None = typer.Option(None, "--workers", min=1,
                                       help="Pose worker processes (default: automatic)."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bar."),
    athlete: str | None = typer.Option(None, "--athlete",
                                       help="Store the result in this athlete's history."),
    db: str | None = typer.Option(None, "--db", help="Progress database URL or SQLite file."),
) -> None:
    """Measure knee valgus and running form from a video or keypoint file."""
    from kneetrack.app.analyze import analyze_file
    from kneetrack.cli.progress import progress_bar

    if athlete is not None:  # fail before the long pose run if the athlete is unknown
        from kneetrack.store import open_store

        with open_store(db) as store:
            store.get_athlete(athlete)
    with progress_bar("pose", enabled=not quiet) as cb:
        result = analyze_file(input_path, out_dir=out, view=view.value if view else None,
                              progress=cb, workers=workers)
    a = result.analysis
    typer.echo(f"view: {a.get('view')}  cadence: {a.get('cadence_spm')} spm  "
               f"stances: {len(a.get('stances') or [])}")
    typer.echo(f"wrote {result.artefacts.get('analysis')}")
    if athlete is not None:
        from kneetrack.app.athletes import store_analysis
        from kneetrack.store import open_store

        with open_store(db) as store:
            stored = store_analysis(store, athlete, out)
        typer.echo(f"stored in {athlete}'s history ({stored.recorded_on}, {stored.view} view)")
