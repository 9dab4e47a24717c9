"""``kneetrack screen``: questionnaire, self-tests and a squat video into ``screening.json``."""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.markdown import Markdown
from rich.markup import escape

from kneetrack.app.requests import SquatView
from kneetrack.cli.main import app
from kneetrack.errors import SettingsError


class SquatLeg(StrEnum):
    """Stance leg of the squat."""

    auto = "auto"
    left = "left"
    right = "right"


def _parse_sets(items: list[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise SettingsError(
                f"--set needs ID=VALUE (e.g. --set knee_to_wall_left_cm=9), got {item!r}")
        out[key.strip()] = value.strip()
    return out


def _show_squat(console: Console, ana: Any) -> None:
    for lg in ("left", "right"):
        e = ana.summary_[lg]
        if e["n_reps"]:
            f = e["fppa_deg"]
            sd = f" ± {f['sd']:.1f}" if f["sd"] is not None else ""
            console.print(f"squat, {lg} leg: {e['n_reps']} reps, knee angle (FPPA) "
                          f"{f['mean']:.1f}{sd} deg", highlight=False)
    for w in ana.warnings_:
        console.print(f"[yellow]video:[/] {escape(w)}", highlight=False)


@app.command()
def screen(
    out: Path | None = typer.Option(None, "--out", "-o",
                                    help="Folder for screening.json and screening.md."),
    answers: Path | None = typer.Option(
        None, "--answers",
        help="JSON file of answers by question id and/or screening.json sections."),
    squat_video: Path | None = typer.Option(
        None, "--squat-video", help="Video (or keypoint file) of single-leg squats, front view."),
    squat_view: SquatView = typer.Option(SquatView.front, "--squat-view",
                                         help="Where the camera stood for the squat."),
    squat_leg: SquatLeg = typer.Option(
        SquatLeg.auto, "--squat-leg", help="Stance leg; auto finds it from the lifted foot."),
    set_: list[str] = typer.Option([], "--set", metavar="ID=VALUE",
                                   help="One answer, e.g. --set pain_worst_0_10=3 (repeatable)."),
    interactive: bool | None = typer.Option(
        None, "--interactive/--no-interactive",
        help="Ask questions (default: when run in a terminal without --answers)."),
    date: str | None = typer.Option(None, "--date",
                                    help="Screening date YYYY-MM-DD (default today)."),
    force: bool = typer.Option(False, "--force", help="Replace an existing screening.json."),
    list_questions: bool = typer.Option(
        False, "--list-questions", help="List the question ids and allowed answers, then exit."),
    instructions: bool = typer.Option(
        False, "--instructions", help="Print how to do every self-test, then exit."),
    workers: int | None = typer.Option(None, "--workers", min=1,
                                       help="Pose worker processes (default: one per core)."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bar."),
) -> None:
    """Screen the causes of knee valgus: questions, self-tests and a single-leg squat video."""
    from kneetrack.app.screen import (
        ScreenUI,
        question_lines,
        run_screen,
        selftest_instruction,
        selftest_instructions,
    )
    from kneetrack.cli.progress import progress_bar

    console = Console(highlight=False)
    if list_questions:
        for qid, allowed in question_lines():
            console.print(f"{escape(qid):32} {escape(allowed)}", highlight=False, soft_wrap=True)
        return
    if instructions:
        for text in selftest_instructions():
            typer.echo(text + "\n")
        return
    if out is None:
        raise SettingsError("--out DIR is required (the folder for screening.json)")
    if interactive is None:
        interactive = answers is None and sys.stdin.isatty()
    ui = ScreenUI(
        ask=(lambda prompt: console.input(escape(prompt))) if interactive else None,
        tell=lambda text: console.print(escape(text), soft_wrap=True),
        show_instructions=lambda test_id: console.print(
            Markdown(selftest_instruction(test_id))),
        pose_progress=lambda: progress_bar("pose", enabled=not quiet),
        on_squat=lambda ana: _show_squat(console, ana),
    )
    result = run_screen(out, answers=_parse_sets(set_), answers_file=answers,
                        squat_video=squat_video, squat_view=squat_view.value,
                        squat_leg=squat_leg.value, date=date, force=force, workers=workers, ui=ui)
    for line in result.summary_lines():
        console.print(escape(line), soft_wrap=True)
    typer.echo(f"wrote {result.artefacts['screening']}")
    typer.echo(f"wrote {result.artefacts['summary']}")
