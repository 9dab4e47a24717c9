"""The ``kneetrack`` command: builds the typer app and turns user errors into one line."""

from __future__ import annotations

import os

import typer
from rich.console import Console

from kneetrack.app.environment import kneetrack_version
from kneetrack.errors import KneetrackError

app = typer.Typer(
    name="kneetrack",
    help="Find out why a runner's knees turn in, and what to work on.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
err_console = Console(stderr=True)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"kneetrack {kneetrack_version()}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True,
                                 help="Show the version and exit."),
) -> None:
    """Find out why a runner's knees turn in, and what to work on."""


def _register() -> None:
    # Each command module adds itself to ``app``; import order = help order.
    from kneetrack.cli import (  # noqa: F401
        analyze,
        athlete,
        batch,
        db,
        demo,
        log,
        plan,
        progress_cmd,
        report,
        screen,
        serve,
    )


def _use_terminal_width() -> None:
    """Let help use the whole terminal, also where rich would assume 80 columns.

    rich falls back to 80 columns for ``TERM=dumb`` terminals (some IDEs and
    tools), however wide they are. It honours ``COLUMNS``/``LINES``, so these are
    set from the terminal's real size when it is wider (and the user set none).
    """
    if os.environ.get("COLUMNS"):
        return
    for fd in (1, 2, 0):
        try:
            cols, lines = os.get_terminal_size(fd)
        except (OSError, ValueError):
            continue
        if cols > 80:
            os.environ["COLUMNS"] = str(cols)
            os.environ.setdefault("LINES", str(lines or 25))
        return


def _analyzes_a_video(argv: list[str]) -> bool:
    """Whether ``argv`` looks like ``analyze`` of one existing video (a guess, before parsing).

    Not with ``--help`` (nothing runs), ``--verbose`` (the pose process must
    start after the native logs are let through) or two videos (a front and a
    side clip are measured one after the other, each starting its own).
    """
    from kneetrack.app.environment import is_video_file

    if not argv or argv[0] != "analyze" or {"--help", "-h", "--verbose"} & set(argv):
        return False
    return sum(is_video_file(a) for a in argv[1:]) == 1


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; user errors print one red line and exit non-zero."""
    import sys

    from kneetrack.app.environment import (
        quiet_environment,
        spawn_without_the_script,
        start_pose_process_ahead,
        stop_pose_process_ahead,
    )

    quiet_environment()  # before any native library loads, here and in every worker
    spawn_without_the_script()
    if _analyzes_a_video(sys.argv[1:] if argv is None else argv):
        # The first pose process imports MediaPipe while the arguments are parsed, the
        # video probed and the pose planned (0.3 s sooner than the analyze step could).
        start_pose_process_ahead()
    try:
        _use_terminal_width()
        _register()
        app(args=argv, prog_name="kneetrack")
    except KneetrackError as err:
        err_console.print(f"[bold red]error:[/] {err}", highlight=False, soft_wrap=True)
        return err.exit_code
    except SystemExit as ex:
        code = ex.code
        return code if isinstance(code, int) else (0 if code is None else 1)
    finally:
        stop_pose_process_ahead()  # no run took it (an error, or no pose to run)
    return 0
