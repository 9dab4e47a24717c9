"""A rich progress bar usable as an ``analyze`` progress callback."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from kneetrack.app.analyze import ProgressCallback


@contextmanager
def progress_bar(label: str, *, enabled: bool = True) -> Iterator[ProgressCallback | None]:
    """Yield a ``progress(done, total)`` callback drawing a bar on stderr."""
    if not enabled:
        yield None
        return
    from kneetrack.cli.main import err_console

    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                  TimeRemainingColumn(), console=err_console, transient=True) as prog:
        task = prog.add_task(label, total=None)

        def update(done: int, total: int | None) -> None:
            prog.update(task, completed=done, total=total)

        yield update
