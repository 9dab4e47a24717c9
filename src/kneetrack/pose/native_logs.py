"""Keep MediaPipe's, TFLite's and absl's native log lines off the terminal.

MediaPipe 0.10.21 writes lines such as ``W0000 00:00:… inference_feedback_manager.cc:114]
…`` (absl, before ``absl::InitializeLog``), ``INFO: Created TensorFlow Lite XNNPACK
delegate for CPU.`` (TFLite) and ``WARNING: All log messages before absl::InitializeLog()
is called are written to STDERR`` straight to file descriptor 2, from C++. They
appear when the first frame is processed and when the first person is found, so
they cut through the progress bar. ``GLOG_minloglevel`` and ``TF_CPP_MIN_LOG_LEVEL``
are set (for the builds that honour them) but this release ignores them; so the
descriptor itself is filtered:

* in a worker process (pose workers, batch workers), :func:`filter_process_stderr`
  points descriptor 2 at a pipe for the rest of the process's life; a thread
  copies every line to the real stderr except native log lines;
* in the main process, where the terminal (and the progress bar's idea of it)
  must stay, :func:`filtered_stderr` does the same only around the calls that
  print them (creating the graph, the frames until a person is first found).

``KNEETRACK_NATIVE_LOGS=1`` in the environment (``kneetrack … --verbose``) lets
them through, in workers too: spawned processes inherit the environment.
"""

from __future__ import annotations

import contextlib
import os
import re
import sys
import threading
from collections.abc import Iterator

#: Set to ``1`` to show the native libraries' log lines.
VERBOSE_ENV = "KNEETRACK_NATIVE_LOGS"
#: The lines dropped: absl/glog (``W0000 …``, ``I1205 …``), TFLite's ``INFO:``/``WARNING:``.
NATIVE_LINE = re.compile(
    rb"^(?:[IWEF]\d{4} [\d:.]+ +\d+ [^\]]+\] "
    rb"|INFO: |WARNING: All log messages before absl::InitializeLog"
    rb"|WARNING: Logging before InitGoogleLogging)")

_lock = threading.Lock()
_process_filter_on = False


def native_logs_shown() -> bool:
    """Whether native log lines are let through (``KNEETRACK_NATIVE_LOGS=1``)."""
    return os.environ.get(VERBOSE_ENV, "") not in ("", "0")


def show_native_logs(show: bool) -> None:
    """Let native log lines through (``True``) or not, in this process and those it starts."""
    if show:
        os.environ[VERBOSE_ENV] = "1"
    else:
        os.environ.pop(VERBOSE_ENV, None)


def quiet_environment() -> None:
    """Set the native libraries' own log levels, for the builds that read them.

    Must run before MediaPipe loads; harmless otherwise. Values already set by
    the user are kept.
    """
    if native_logs_shown():
        return
    os.environ.setdefault("GLOG_minloglevel", "2")
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


def _pump(read_fd: int, out_fd: int) -> None:
    """Copy lines from ``read_fd`` to ``out_fd``, dropping native log lines."""
    buf = b""
    with open(read_fd, "rb", buffering=0, closefd=True) as src:
        while True:
            data = src.read(65536)
            if not data:
                break
            buf += data
            *lines, buf = buf.split(b"\n")
            keep = b"".join(line + b"\n" for line in lines if not NATIVE_LINE.match(line))
            if keep:
                with contextlib.suppress(OSError):
                    os.write(out_fd, keep)
    if buf and not NATIVE_LINE.match(buf):
        with contextlib.suppress(OSError):
            os.write(out_fd, buf)


def _redirect() -> tuple[int, threading.Thread]:
    """Point fd 2 at a filtering pipe; return the saved real stderr and the pump thread."""
    with contextlib.suppress(Exception):  # a replaced sys.stderr without a buffer
        sys.stderr.flush()
    saved = os.dup(2)
    r, w = os.pipe()
    os.dup2(w, 2)
    os.close(w)
    th = threading.Thread(target=_pump, args=(r, saved), name="kneetrack-stderr", daemon=True)
    th.start()
    return saved, th


def filter_process_stderr() -> bool:
    """Filter native log lines out of this process's stderr until it exits.

    For worker processes (it changes what descriptor 2 is). Returns whether a
    filter was installed (not when logs are shown, or one is already there).
    """
    global _process_filter_on
    with _lock:
        if _process_filter_on or native_logs_shown():
            return False
        try:
            _redirect()
        except OSError:  # pragma: no cover - no descriptor 2
            return False
        _process_filter_on = True
        return True


@contextlib.contextmanager
def filtered_stderr() -> Iterator[None]:
    """Filter native log lines out of stderr for the duration of the block.

    A no-op when the whole process is filtered already or logs are shown.
    Other threads' writes to stderr meanwhile still get through (line by line).
    """
    if _process_filter_on or native_logs_shown():
        yield
        return
    with _lock:
        try:
            saved, th = _redirect()
        except OSError:  # pragma: no cover - no descriptor 2
            saved = -1
    try:
        yield
    finally:
        if saved >= 0:
            with _lock:
                with contextlib.suppress(Exception):
                    sys.stderr.flush()
                os.dup2(saved, 2)  # closes the pipe's write end: the pump sees EOF
                th.join(timeout=2)
                os.close(saved)
