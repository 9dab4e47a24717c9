"""Kill a kneetrack command at a chosen point, for the crash-safety tests (issue 16 point 5).

:func:`run_cli` forks this (already warm) test process; the child runs
``kneetrack ARGV`` with *crash points* armed: every SQL statement, commit, file
rename, fsync, copy and unlink counts as one point, and at point ``kill_at`` the
child (with its whole process group: pool workers too) gets SIGKILL — no
``finally``, no ``atexit``, exactly what a power cut or ``kill -9`` does.

A run with ``kill_at=None`` counts the points of a whole clean run, so that a
test can draw kill points from ``1..count`` with a seeded generator.
``KT_CRASH_KILLS`` sets how many kills each test makes (``make fuzz`` raises it).

Importable from any test as ``crash_points``.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

#: Kills per command and backend in the test suite; ``make fuzz`` sets more.
KILLS = int(os.environ.get("KT_CRASH_KILLS", "0") or 0)


def kills(default: int) -> int:
    """How many kill points a test draws: ``$KT_CRASH_KILLS`` when set, else ``default``."""
    return KILLS or default


@dataclass
class RunResult:
    """How a child run ended."""

    killed: bool
    exit_code: int | None
    points: int  # crash points passed (a clean run: all of them)


class _Counter:
    def __init__(self, kill_at: int | None, fd: int) -> None:
        self.kill_at = kill_at
        self.count = 0
        self.fd = fd

    def tick(self, *_: Any, **__: Any) -> None:
        self.count += 1
        if self.kill_at is not None and self.count >= self.kill_at:
            os.write(self.fd, f"killed {self.count}\n".encode())
            os.killpg(0, signal.SIGKILL)


def _wrap(module: Any, name: str, counter: _Counter) -> None:
    real = getattr(module, name)

    def counted(*args: Any, **kwargs: Any) -> Any:
        counter.tick()
        out = real(*args, **kwargs)
        counter.tick()
        return out

    setattr(module, name, counted)


def _arm(counter: _Counter) -> None:
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    event.listen(Engine, "before_cursor_execute", counter.tick)
    event.listen(Engine, "commit", counter.tick)
    for name in ("replace", "rename", "fsync", "unlink"):
        _wrap(os, name, counter)
    _wrap(shutil, "copyfile", counter)


#: Modules the commands under test import: loaded once in the test process, so that
#: every forked child starts warm (a child's own imports would dominate its time).
WARM_MODULES = (
    "kneetrack.cli.main", "kneetrack.app.analyze", "kneetrack.app.report",
    "kneetrack.app.athletes", "kneetrack.app.progress", "kneetrack.app.batch",
    "kneetrack.kinematics", "kneetrack.report.html", "kneetrack.report.plots",
    "kneetrack.report.exports", "kneetrack.report.context", "kneetrack.io.trc",
    "kneetrack.programme.adapt", "kneetrack.programme.writers", "kneetrack.store",
    "kneetrack.batch.engines", "kneetrack.batch.summary", "kneetrack.cli.progress",
    "kneetrack.cli.progress_cmd",
)


def warm_up() -> None:
    """Import what the commands need and register the CLI's commands, in this process."""
    import importlib

    for name in WARM_MODULES:
        with contextlib.suppress(ImportError):
            importlib.import_module(name)
    from kneetrack.cli.main import _register

    _register()


def run_cli(argv: Sequence[str], *, kill_at: int | None = None,
            env: dict[str, str] | None = None,
            before: Callable[[], None] | None = None) -> RunResult:
    """Run ``kneetrack argv`` in a forked child; kill it at crash point ``kill_at``.

    The child runs in its own process group (its pool workers with it), with
    stdout and stderr sent to /dev/null. ``before`` runs in the child first.
    """
    warm_up()
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never returns
        code = 70
        try:
            os.close(r)
            os.setsid()
            null = os.open(os.devnull, os.O_WRONLY)
            os.dup2(null, 1)
            os.dup2(null, 2)
            os.environ.update(env or {})
            signal.signal(signal.SIGINT, signal.SIG_DFL)
            if before is not None:
                before()
            counter = _Counter(kill_at, w)
            _arm(counter)
            from kneetrack.cli.main import main

            code = main(list(argv))
            os.write(w, f"done {code} {counter.count}\n".encode())
        except BaseException as err:  # noqa: BLE001 - reported to the parent, then exit
            with contextlib.suppress(Exception):
                os.write(w, f"error {type(err).__name__}: {err}\n".encode()[:4000])
        finally:
            os._exit(code if isinstance(code, int) else 70)
    os.close(w)
    chunks = []
    while True:
        b = os.read(r, 65536)
        if not b:
            break
        chunks.append(b)
    os.close(r)
    _, status = os.waitpid(pid, 0)
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, signal.SIGKILL)  # pool workers the child left
    text = b"".join(chunks).decode(errors="replace").strip().splitlines()
    last = text[-1] if text else ""
    if last.startswith("error "):
        raise AssertionError(f"the command raised in the child: {last[6:]}")
    if os.WIFSIGNALED(status):
        assert os.WTERMSIG(status) == signal.SIGKILL, f"child died of signal {status}"
        n = int(last.split()[1]) if last.startswith("killed ") else -1
        return RunResult(killed=True, exit_code=None, points=n)
    parts = last.split()
    assert parts and parts[0] == "done", f"child ended without a result: {text}"
    return RunResult(killed=False, exit_code=int(parts[1]), points=int(parts[2]))


def draw_points(total: int, n: int, *, seed: int) -> list[int]:
    """``n`` distinct kill points from ``1..total`` (all of them when fewer), sorted."""
    import numpy as np

    rng = np.random.default_rng(seed)
    n = min(n, total)
    return sorted(int(x) for x in rng.choice(np.arange(1, total + 1), size=n, replace=False))


def forkable() -> bool:
    """Whether :func:`run_cli` can run here (POSIX fork)."""
    return hasattr(os, "fork") and sys.platform != "win32"
