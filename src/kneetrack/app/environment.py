"""The process environment a front end sets up before any work: version, native log lines.

The CLI (and the web server) call these instead of reaching into :mod:`kneetrack.pose`.
"""

from __future__ import annotations

from kneetrack import __version__


def kneetrack_version() -> str:
    """The installed kneetrack version."""
    return __version__


def quiet_environment() -> None:
    """Keep MediaPipe's and TFLite's native log lines off the terminal (call first thing)."""
    from kneetrack.pose.native_logs import quiet_environment as quiet

    quiet()


def spawn_without_the_script() -> None:
    """Let spawned workers start without running the launching script again.

    The ``spawn`` start method re-runs the parent's ``__main__`` script in every
    worker (as ``__mp_main__``) unless Python was started with ``-m``. The
    ``kneetrack`` console script imports the whole CLI (typer, rich, pydantic),
    which no pose or render worker uses: measured 0.3–0.4 s of CPU at each
    worker's start, on the critical path of the pose worker. Giving the script's
    module the spec of ``kneetrack.__main__`` (what ``python -m kneetrack``
    runs) makes spawn leave it alone, as it does for ``-m``.
    """
    import importlib.util
    import sys

    main = sys.modules.get("__main__")
    if (main is not None and getattr(main, "__spec__", None) is None
            and getattr(main, "__file__", None)):
        main.__spec__ = importlib.util.find_spec("kneetrack.__main__")


def show_native_logs(show: bool) -> None:
    """Show (``True``) or hide the native libraries' own log lines, for debugging."""
    from kneetrack.pose.native_logs import show_native_logs as show_logs

    show_logs(show)


def is_video_file(path: str) -> bool:
    """Whether ``path`` is an existing file named like a video (no file is opened)."""
    import os

    from kneetrack.io.suffixes import VIDEO_SUFFIXES

    return os.path.splitext(path)[1].lower() in VIDEO_SUFFIXES and os.path.isfile(path)


def start_pose_process_ahead() -> None:
    """Start the first pose process now, before a front end parses its request.

    It imports MediaPipe meanwhile and waits, parked, for the analysis that
    asks for one (:mod:`kneetrack.pose.warm`); :func:`stop_pose_process_ahead`
    stops it on the way out if none did. Call after :func:`quiet_environment`
    and :func:`spawn_without_the_script`.
    """
    from kneetrack.pose.warm import start_ahead

    start_ahead()


def stop_pose_process_ahead() -> None:
    """Stop the pose process started ahead, if no analysis took it."""
    import sys

    warm = sys.modules.get("kneetrack.pose.warm")
    if warm is not None:
        warm.close_parked()
