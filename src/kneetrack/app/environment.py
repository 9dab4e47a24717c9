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


def show_native_logs(show: bool) -> None:
    """Show (``True``) or hide the native libraries' own log lines, for debugging."""
    from kneetrack.pose.native_logs import show_native_logs as show_logs

    show_logs(show)
