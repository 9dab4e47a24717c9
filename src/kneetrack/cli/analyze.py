"""``kneetrack analyze``: measure a running video or keypoint file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from kneetrack.app.requests import View
from kneetrack.cli.main import app


@app.command()
def analyze(
    input_paths: list[Path] = typer.Argument(
        ..., metavar="INPUT...",
        help="Video (mp4/mov/m4v/avi/mkv/webm) or keypoints (.trc/.csv/OpenPose JSON folder). "
             "Two inputs, a front or rear clip and a side clip of the same run, make one "
             "assessment."),
    out: Path = typer.Option(..., "--out", "-o",
                             help="Folder for analysis.json, keypoints and the report."),
    view: list[View] = typer.Option(
        [], "--view",
        help="Camera view; detected when omitted. With two inputs, give it once per input "
             "(in order) or not at all."),
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
    cutoff_hz: float | None = typer.Option(
        None, "--cutoff-hz", min=0.1,
        help="Low-pass cut-off of the keypoint filter in Hz (default: chosen from the "
             "frame rate)."),
    verbose: bool = typer.Option(False, "--verbose",
                                 help="Show MediaPipe's and TFLite's own log lines (debugging)."),
) -> None:
    """Measure knee valgus and running form from a video or keypoint file, or a rear+side pair."""
    from kneetrack.app.analyze_store import analyze_and_store
    from kneetrack.app.environment import show_native_logs
    from kneetrack.app.requests import AnalyzeRequest, ReportOptions
    from kneetrack.cli.progress import progress_bar

    show_native_logs(verbose)
    views = [v.value for v in view]
    request = AnalyzeRequest.of(
        input_paths, views=(views if len(views) > 1 else (views[0] if views else None)),
        fps=fps, speed_factor=speed_factor, out_dir=out, workers=workers, cutoff_hz=cutoff_hz,
        report=ReportOptions(overlay=overlay, blur_faces=blur_faces, pdf=pdf, workers=workers))
    with progress_bar("pose", enabled=not quiet) as cb:
        done = analyze_and_store(request, athlete=athlete, db=db, progress=cb)
    result = done.outcome
    _print_summary(result.analysis)
    report = out / "report.html"
    typer.echo(f"wrote {result.artefacts.get('analysis')}")
    if report.exists():
        typer.echo(f"report: {report}")
    if done.stored is not None:
        typer.echo(f"stored in {athlete}'s history ({done.stored.recorded_on}, "
                   f"{done.stored.view} view)")


def _print_summary(a: dict[str, Any]) -> None:
    """One line of numbers, then every warning and the plausibility gate's verdict."""
    cadence = a.get("cadence_spm")
    typer.echo(f"view: {a.get('view')}  cadence: "
               f"{'n/a' if cadence is None else f'{cadence:.1f} spm'}  "
               f"steps: {len(a.get('stances') or [])}  findings: {len(a.get('findings') or [])}")
    for clip in a.get("clips") or []:
        spm = clip.get("cadence_spm")
        typer.echo(f"  clip {clip.get('index')}: {clip.get('view')} view ({clip.get('role')}), "
                   f"cadence {'n/a' if spm is None else f'{spm:.1f} spm'}  "
                   f"{clip.get('input', {}).get('path')}")
    for warning in (a.get("quality") or {}).get("warnings") or []:
        typer.echo(f"warning: {warning}")
    gate = a.get("plausibility") or {}
    if gate.get("passed") is False:
        what = "these clips" if a.get("clips") else "this clip"
        typer.echo(f"could not measure {what}: no cadence, findings or advice from it")
        for reason in gate.get("reasons") or []:
            typer.echo(f"  because {reason}")
        for tip in gate.get("refilm") or []:
            typer.echo(f"  to fix: {tip}")
