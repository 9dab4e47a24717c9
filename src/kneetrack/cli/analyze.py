"""``kneetrack analyze``: measure a running video or keypoint file."""

from __future__ import annotations

from pathlib import Path

import typer

from kneetrack.cli.main import app
from kneetrack.core.views import View


@app.command()
def analyze(
    input_path: Path = typer.Argument(
        ..., metavar="INPUT",
        help="Video (mp4/mov/m4v/avi/mkv/webm) or keypoints (.trc/.csv/OpenPose JSON folder)."),
    out: Path = typer.Option(..., "--out", "-o",
                             help="Folder for analysis.json, keypoints and the report."),
    view: View | None = typer.Option(None, "--view", help="Camera view; detected when omitted."),
    workers: int | None = typer.Option(None, "--workers", min=1,
                                       help="Worker processes for pose estimation and the "
                                            "annotated video (default: planned per clip, "
                                            "one per core at most)."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bar."),
    athlete: str | None = typer.Option(None, "--athlete",
                                       help="Store the result in this athlete's history."),
    db: str | None = typer.Option(None, "--db", help="Progress database URL or SQLite file."),
    overlay: bool = typer.Option(True, "--overlay/--no-overlay",
                                 help="Write annotated.mp4 for videos (skip it to save time)."),
    blur_faces: bool = typer.Option(True, "--blur-faces/--no-blur-faces",
                                    help="Blur the runner's face in annotated.mp4."),
    pdf: bool = typer.Option(False, "--pdf", help="Also write report.pdf."),
    fps: float | None = typer.Option(
        None, "--fps", help="Frame rate the clip was filmed at: for keypoints that store none "
                            "(OpenPose JSON, CSV without times) or a slow-motion video."),
    speed_factor: float | None = typer.Option(
        None, "--speed-factor",
        help="How fast the clip plays relative to real time, e.g. 0.25 for slow motion "
             "filmed at 120 fps and played at 30 fps."),
    verbose: bool = typer.Option(False, "--verbose",
                                 help="Show MediaPipe's and TFLite's own log lines (debugging)."),
) -> None:
    """Measure knee valgus and running form from a video or keypoint file."""
    from kneetrack.app.analyze import analyze_file
    from kneetrack.cli.progress import progress_bar
    from kneetrack.pose.native_logs import show_native_logs

    show_native_logs(verbose)

    if athlete is not None:  # fail before the long pose run if the athlete is unknown
        from kneetrack.store import open_store

        with open_store(db) as store:
            store.get_athlete(athlete)
    with progress_bar("pose", enabled=not quiet) as cb:
        result = analyze_file(input_path, out_dir=out, view=view.value if view else None,
                              progress=cb, workers=workers, overlay=overlay,
                              blur_faces=blur_faces, pdf=pdf, fps=fps,
                              speed_factor=speed_factor)
    a = result.analysis
    cadence = a.get("cadence_spm")
    typer.echo(f"view: {a.get('view')}  cadence: "
               f"{'n/a' if cadence is None else f'{cadence:.1f} spm'}  "
               f"steps: {len(a.get('stances') or [])}  findings: {len(a.get('findings') or [])}")
    for warning in (a.get("quality") or {}).get("warnings") or []:
        typer.echo(f"warning: {warning}")
    gate = a.get("plausibility") or {}
    if gate.get("passed") is False:
        typer.echo("could not measure this clip: no cadence, findings or advice from it")
        for reason in gate.get("reasons") or []:
            typer.echo(f"  because {reason}")
        for tip in gate.get("refilm") or []:
            typer.echo(f"  to fix: {tip}")
    report = out / "report.html"
    typer.echo(f"wrote {result.artefacts.get('analysis')}")
    if report.exists():
        typer.echo(f"report: {report}")
    if athlete is not None:
        from kneetrack.app.athletes import store_analysis
        from kneetrack.store import open_store

        with open_store(db) as store:
            stored = store_analysis(store, athlete, out)
        typer.echo(f"stored in {athlete}'s history ({stored.recorded_on}, {stored.view} view)")
