"""``kneetrack demo``: the whole pipeline on the bundled sample."""

from __future__ import annotations

from pathlib import Path

import typer

from kneetrack.cli.main import app


@app.command()
def demo(
    out: Path = typer.Option(Path("out/demo"), "--out", "-o",
                             help="Folder for the demo's report."),
) -> None:
    """Analyse the bundled sample runner and write a report folder."""
    from kneetrack.app.demo import run_demo

    folder = run_demo(out)
    typer.echo(f"demo report folder: {folder.resolve()}")
    report = folder / "report.html"
    if report.is_file():
        typer.echo(f"report: {report.resolve()}")
