"""``kneetrack report``: build or rebuild the report of an analysis folder."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.markup import escape

from kneetrack.cli.main import app


@app.command()
def report(
    folder: Path = typer.Argument(..., metavar="DIR",
                                  help="Analysis folder written by 'kneetrack analyze'."),
    pdf: bool = typer.Option(False, "--pdf",
                             help=escape("Also write report.pdf (needs the extra: "
                                         "pip install 'kneetrack[pdf]').")),
    video: Path | None = typer.Option(None, "--video",
                                      help="Input video: (re)write annotated.mp4 from it."),
    blur_faces: bool = typer.Option(True, "--blur-faces/--no-blur-faces",
                                    help="Blur faces in annotated.mp4 (on by default)."),
) -> None:
    """Build report.html (and optionally report.pdf, annotated.mp4) from an analysis folder."""
    from kneetrack.app.report import rebuild_report

    written = rebuild_report(folder, pdf=pdf, video=video, blur_faces=blur_faces)
    for kind in ("report", "pdf", "video", "angles", "stances"):
        if kind in written:
            typer.echo(f"wrote {written[kind]}")
