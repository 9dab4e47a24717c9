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

from kneetrack.cli.main import app
from kneetrack.errors import InputError, SettingsError


class SquatView(StrEnum):
    """Where the camera stood for the squat."""

    front = "front"
    rear = "rear"


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


def _list_questions(console: Console) -> None:
    from kneetrack.screening.questionnaire import Questionnaire

    qn = Questionnaire()
    for q in qn.questions:
        if q.kind in ("number", "integer"):
            rng = f"{q.min:g} to {q.max:g} {q.unit}".strip() if q.min is not None else q.unit
        elif q.kind in ("choice", "choices"):
            rng = ("one of " if q.kind == "choice" else "any of ") + ", ".join(q.choices)
        elif q.kind == "yes_no":
            rng = "yes/no"
        else:
            rng = "text"
        console.print(f"{escape(q.id):32} {escape(rng)}", highlight=False, soft_wrap=True)


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
        analyze_squat,
        build_screening,
        check_date,
        check_out_dir,
        load_answers,
        write_screening,
    )
    from kneetrack.cli.progress import progress_bar
    from kneetrack.screening.questionnaire import Questionnaire
    from kneetrack.screening.selftests import get_selftest
    from kneetrack.screening.summary import nothing_answered

    console = Console(highlight=False)
    if list_questions:
        _list_questions(console)
        return
    if instructions:
        from kneetrack.screening.selftests import load_selftests

        for test in load_selftests().values():
            typer.echo(test.instructions(markdown=True) + "\n")
        return
    if out is None:
        raise SettingsError("--out DIR is required (the folder for screening.json)")
    check_out_dir(out, force=force)
    if date is not None:
        check_date(date)                          # before any question is asked

    qn = Questionnaire()
    data: dict[str, Any] = load_answers(answers) if answers is not None else {}
    data.update(_parse_sets(set_))
    doc, flat = qn.split_document(data)           # bad answers in the file fail here, early
    build_screening(data, date=date, questionnaire=qn)   # and a bad document section too

    squat = None
    if squat_video is not None:
        with progress_bar("pose", enabled=not quiet) as cb:
            squat = analyze_squat(squat_video, view=squat_view.value, leg=squat_leg.value,
                                  progress=cb, workers=workers)
        _show_squat(console, squat)

    if interactive is None:
        interactive = answers is None and sys.stdin.isatty()
    if interactive:
        def ask(prompt: str) -> str:
            return console.input(escape(prompt))

        def tell(text: str) -> None:
            console.print(escape(text), soft_wrap=True)

        def show(test_id: str) -> None:
            console.print(Markdown(get_selftest(test_id).instructions(markdown=True)))

        known = {**qn.answered_in(doc), **flat}
        try:
            asked = qn.ask(ask, tell=tell, answers=known, show_instructions=show)
            flat = {**flat, **{k: v for k, v in asked.items() if k not in known}}
        except (EOFError, KeyboardInterrupt):
            raise InputError("stopped before the questions were finished; nothing was written") \
                from None
        data = {**{k: v for k, v in data.items() if k not in flat}, **flat}

    screening = build_screening(data, squat=squat, squat_source=squat_video, date=date)
    if nothing_answered(screening):
        raise InputError(
            "nothing was answered, so there is nothing to screen: give --answers FILE, "
            "--set ID=VALUE or --squat-video, or run it in a terminal to be asked; "
            "nothing was written"
        )
    result = write_screening(screening, out, force=force)
    for line in result.summary_lines():
        console.print(escape(line), soft_wrap=True)
    typer.echo(f"wrote {result.artefacts['screening']}")
    typer.echo(f"wrote {result.artefacts['summary']}")
