"""An analysis folder written as a whole: checked early, staged, then swapped in.

``analyze`` writes every file of a run into a hidden staging folder inside the
output folder and, only when all of them are complete, replaces the files that
an analysis owns (:data:`OWNED_FILES`, :data:`OWNED_PLOTS`) with the new ones,
``analysis.json`` last. So:

- a reused folder never mixes two runs: files of an earlier analysis that this
  run does not write (an old ``annotated.mp4``, old plots) are removed, and the
  report is built in the staging folder, where only this run's files exist;
- a failed or killed run leaves the earlier analysis as it was (only a hidden
  ``.kneetrack-tmp-*`` folder, removed by the next run);
- files that are not an analysis's own (a ``programme.json``, the user's notes)
  are never touched.

Every ``OSError`` on the way becomes an :class:`~kneetrack.errors.OutputError`
naming the path.
"""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

from kneetrack.errors import OutputError

#: Files at the top of an analysis folder that ``analyze`` writes (and so may replace).
OWNED_FILES = (
    "analysis.json", "keypoints.trc", "keypoints-2.trc", "report.html", "report.pdf",
    "annotated.mp4", "stances.csv", "angles.mot", "batch_error.txt",
)
#: The plots folder and what ``analyze`` writes in it (``*.svg`` and the video poster).
OWNED_PLOTS = "plots"
OWNED_PLOT_SUFFIXES = (".svg", ".jpg")
#: Prefix of the staging folders inside the output folder.
STAGING_PREFIX = ".kneetrack-tmp-"


def output_error(err: OSError, fallback: Path, *, stage: Path | None = None) -> OutputError:
    """One line for an ``OSError`` met while writing output: the path and the reason.

    A path inside the staging folder ``stage`` is named by where it was going.
    """
    path = Path(os.fsdecode(err.filename)) if err.filename is not None else fallback
    if stage is not None and path.is_relative_to(stage):
        path = fallback / path.relative_to(stage)
    reason = err.strerror or str(err) or type(err).__name__
    if err.errno == errno.ENOSPC:
        reason = "the disk is full"
    elif err.errno == errno.EROFS:
        reason = "read-only file system"
    elif err.errno in (errno.EACCES, errno.EPERM):
        reason = "permission denied"
    return OutputError(f"cannot write {path}: {reason}")


def check_writable(out: str | Path) -> Path:
    """Create ``out`` if needed and prove that a file can be written in it.

    Called before any long work, so that an unwritable output fails at once.

    Raises
    ------
    OutputError
        If ``out`` exists and is not a folder, or cannot be created or written.
    """
    p = Path(out).expanduser()
    if p.exists() and not p.is_dir():
        raise OutputError(f"cannot write {p}: it exists and is not a folder")
    try:
        p.mkdir(parents=True, exist_ok=True)
        fd, probe = tempfile.mkstemp(prefix=STAGING_PREFIX + "probe-", dir=p)
        os.close(fd)
        os.unlink(probe)
    except OSError as err:
        raise output_error(err, p) from None
    return p


def _owned_paths(folder: Path) -> list[Path]:
    out = [folder / n for n in OWNED_FILES if (folder / n).is_file()]
    plots = folder / OWNED_PLOTS
    if plots.is_dir():
        out += sorted(f for f in plots.iterdir()
                      if f.is_file() and f.suffix.lower() in OWNED_PLOT_SUFFIXES)
    return out


def remove_stale_staging(folder: Path) -> None:
    """Remove staging folders that a killed run left behind."""
    for d in folder.glob(STAGING_PREFIX + "*"):
        if d.is_dir():
            shutil.rmtree(d, ignore_errors=True)


def commit(stage: Path, out: Path) -> None:
    """Replace ``out``'s owned files by the files in ``stage``; ``analysis.json`` last.

    ``analysis.json`` is removed first, so a commit cut short never looks like
    a finished analysis.
    """
    done = out / "analysis.json"
    if done.exists():
        done.unlink()
    new = {p.relative_to(stage) for p in stage.rglob("*") if p.is_file()}
    for old in _owned_paths(out):
        if old.relative_to(out) not in new:
            old.unlink()
    for rel in sorted(new, key=lambda r: (r.as_posix() == "analysis.json", r.as_posix())):
        dest = out / rel
        dest.parent.mkdir(parents=True, exist_ok=True)
        os.replace(stage / rel, dest)
    plots = out / OWNED_PLOTS
    if plots.is_dir() and not any(plots.iterdir()):
        plots.rmdir()
    shutil.rmtree(stage, ignore_errors=True)


@contextlib.contextmanager
def staged_output(out: str | Path) -> Iterator[Path]:
    """Yield a fresh staging folder inside ``out``; swap its files in when the block succeeds.

    On any error the staging folder is removed and ``out`` is left as it was.
    ``OSError`` becomes :class:`~kneetrack.errors.OutputError`.
    """
    folder = check_writable(out)
    remove_stale_staging(folder)
    try:
        stage = Path(tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=folder))
    except OSError as err:
        raise output_error(err, folder) from None
    try:
        yield stage
        commit(stage, folder)
    except OSError as err:
        shutil.rmtree(stage, ignore_errors=True)
        raise output_error(err, folder, stage=stage) from None
    except BaseException:
        shutil.rmtree(stage, ignore_errors=True)
        raise
