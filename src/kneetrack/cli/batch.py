"""``kneetrack batch``: analyse a folder of videos, one result folder each, plus a summary."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from kneetrack.cli.analyze import View
from kneetrack.cli.main import app

if TYPE_CHECKING:
    from kneetrack.app.batch import BatchResult


class EngineName(StrEnum):
    """Where the videos are analysed."""

    local = "local"
    ray = "ray"


@app.command()
def batch(
    source: str = typer.Argument(
        ..., metavar="DIR_OR_GLOB",
        help="A folder of videos (searched recursively) or a quoted glob, e.g. 'clips/*.mp4'."),
    out: Path = typer.Option(..., "--out", "-o",
                             help="Output folder: one sub-folder per video, summary.csv/html."),
    workers: int | None = typer.Option(
        None, "--workers", min=1,
        help="Videos analysed at once (default: one per core, or per CPU of the Ray cluster)."),
    engine: EngineName = typer.Option(EngineName.local, "--engine",
                                      help="local process pool, or Ray."),
    ray_address: str | None = typer.Option(
        None, "--ray-address", help="Address of an existing Ray cluster (with --engine ray)."),
    view: View | None = typer.Option(None, "--view",
                                     help="Camera view of every video; detected when omitted."),
    overlay: bool = typer.Option(True, "--overlay/--no-overlay",
                                 help="Write the annotated video for each runner."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bar."),
    verbose: bool = typer.Option(False, "--verbose",
                                 help="Show MediaPipe's and TFLite's own log lines (debugging)."),
) -> None:
    """Analyse many videos; rerun the same command to resume after a stop."""
    from kneetrack.app.environment import show_native_logs
    from kneetrack.cli.main import err_console

    show_native_logs(verbose)

    kwargs: dict[str, Any] = dict(workers=workers, engine=engine.value,
                                  ray_address=ray_address, view=view.value if view else None,
                                  overlay=overlay)
    try:
        result = _run(source, out, quiet=quiet, kwargs=kwargs)
    except KeyboardInterrupt:
        err_console.print("[yellow]interrupted[/]: finished videos are kept; run the same "
                          "command again to resume", highlight=False)
        raise typer.Exit(code=130) from None
    done = sum(1 for r in result.rows if r["status"] == "done")
    failed = [r for r in result.rows if r["status"] == "failed"]
    typer.echo(f"{done} of {len(result.rows)} videos analysed, {len(failed)} failed "
               f"({len(result.names('skipped'))} were already done)")
    typer.echo(f"summary: {result.artefacts['csv']}  {result.artefacts['html']}")
    if failed:
        typer.echo(f"failures and reasons: {result.artefacts['status']}")
        raise typer.Exit(code=1)


def _run(source: str, out: Path, *, quiet: bool, kwargs: dict[str, Any]) -> BatchResult:
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    from kneetrack.app.batch import Outcome, run_batch
    from kneetrack.cli.main import err_console

    if quiet:
        return run_batch(source, out, **kwargs)
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                  TimeElapsedColumn(), TimeRemainingColumn(), console=err_console,
                  transient=True) as prog:
        task = prog.add_task("videos", total=None)

        def update(o: Outcome, finished: int, total: int) -> None:
            mark = {"done": "[green]done[/]", "skipped": "[dim]already done[/]",
                    "failed": "[red]failed[/]"}.get(o.status, o.status)
            prog.console.print(f"{mark} {o.name}"
                               + (f" [dim]({o.seconds:.0f} s)[/]" if o.seconds else "")
                               + (f": {o.reason}" if o.reason else ""), highlight=False)
            prog.update(task, completed=finished, total=total)

        return run_batch(source, out, progress=update, **kwargs)
