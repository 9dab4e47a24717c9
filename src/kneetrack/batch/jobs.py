"""Batch jobs: which inputs, where their results go, and the resumable status file."""

from __future__ import annotations

import glob
import json
import os
import re
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from kneetrack.errors import InputError, SettingsError
from kneetrack.io.load import VIDEO_SUFFIXES

#: Keypoint files a glob may also name (a directory is searched for videos only).
KEYPOINT_SUFFIXES = frozenset({".trc", ".csv"})
STATUS_FILE = "batch_status.json"
STATUS_SCHEMA = "kneetrack.batch/1"


@dataclass(frozen=True)
class Job:
    """One input (or a frontal and a side clip of one run) to analyse into its own folder."""

    name: str
    input: Path
    out_dir: Path
    view: str | None = None
    #: write the annotated video (``--overlay/--no-overlay``)
    overlay: bool = True
    #: further clips of the same run, ``(path, view)``, combined with ``input`` into one
    #: analysis (the web app's rear + side upload); the CLI batch never sets it
    more_inputs: tuple[tuple[Path, str | None], ...] = ()

    @property
    def finished(self) -> bool:
        """``analysis.json`` is written last by ``analyze``, so its presence means done."""
        return (self.out_dir / "analysis.json").is_file()


@dataclass
class Outcome:
    """What happened to one job (one attempt, or a skip)."""

    name: str
    input: str
    out_dir: str
    status: str  # "done" | "failed" | "skipped"
    reason: str | None = None
    seconds: float | None = None
    attempts: int = 0
    worker: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """Plain-JSON form."""
        return asdict(self)


def discover_inputs(source: str | Path) -> list[Path]:
    """Videos in a folder (recursively), or the videos/keypoint files a glob pattern names.

    Raises
    ------
    InputError
        When nothing analysable is found.
    """
    text = str(source)
    p = Path(text).expanduser()
    if p.is_dir():
        found = [f for f in p.rglob("*") if f.is_file() and f.suffix.lower() in VIDEO_SUFFIXES
                 and not any(part.startswith(".") for part in f.relative_to(p).parts)]
        where = f"folder {p}"
    elif p.is_file():
        found = [p]
        where = str(p)
    elif glob.has_magic(text):
        ok = VIDEO_SUFFIXES | KEYPOINT_SUFFIXES
        found = [Path(f) for f in glob.glob(str(Path(text).expanduser()), recursive=True)
                 if Path(f).is_file() and Path(f).suffix.lower() in ok]
        where = f"pattern {text!r}"
    else:
        raise InputError(f"{text} does not exist (give a folder of videos or a glob pattern)")
    found = sorted({Path(os.path.abspath(f)) for f in found})  # keep symlinked names
    if not found:
        raise InputError(f"no videos found in {where} "
                         f"(looked for {', '.join(sorted(VIDEO_SUFFIXES))})")
    return found


def job_names(inputs: list[Path]) -> list[str]:
    """Stable, unique, file-system-safe folder names, one per input.

    The name is the input's path relative to the inputs' common folder, without
    its suffix, with separators turned into ``__``; the suffix is kept only where
    two inputs would otherwise clash (``clip.mp4`` and ``clip.mov``).
    """
    if not inputs:
        return []
    parents = [str(p.parent) for p in inputs]
    root = Path(os.path.commonpath(parents)) if len(inputs) > 1 else inputs[0].parent
    stems = ["__".join(p.relative_to(root).with_suffix("").parts) for p in inputs]
    clash = {s for s in stems if stems.count(s) > 1}
    names = []
    for p, s in zip(inputs, stems, strict=True):
        n = f"{s}_{p.suffix.lstrip('.').lower()}" if s in clash else s
        names.append(re.sub(r"[^A-Za-z0-9._-]+", "_", n).strip("._") or "video")
    return names


def plan_jobs(source: str | Path, out: str | Path, *, view: str | None = None,
              overlay: bool = True) -> list[Job]:
    """One :class:`Job` per input found in ``source``, results under ``out/<name>/``."""
    out_p = Path(out).expanduser()
    if out_p.exists() and not out_p.is_dir():
        raise SettingsError(f"--out {out_p} exists and is not a folder")
    inputs = discover_inputs(source)
    return [Job(name=n, input=p, out_dir=out_p / n, view=view, overlay=overlay)
            for n, p in zip(job_names(inputs), inputs, strict=True)]


class BatchStatus:
    """The ``batch_status.json`` file: one record per input, rewritten atomically after each."""

    def __init__(self, out: Path) -> None:
        self.path = Path(out) / STATUS_FILE
        self.records: dict[str, dict[str, Any]] = {}
        if self.path.is_file():
            try:
                data = json.loads(self.path.read_text(encoding="utf-8"))
                self.records = dict(data.get("videos", {}))
            except (OSError, ValueError, AttributeError):
                # A damaged status file is not fatal: finished work is recognised from disk.
                self.records = {}

    def previous_attempts(self, name: str) -> int:
        """Attempts recorded by earlier runs."""
        return int(self.records.get(name, {}).get("attempts", 0) or 0)

    def record(self, outcome: Outcome, *, engine: str) -> None:
        """Store one outcome and rewrite the file."""
        rec = outcome.to_dict()
        rec["engine"] = engine
        rec["updated"] = datetime.now(UTC).isoformat(timespec="seconds")
        old = self.records.get(outcome.name, {})
        if outcome.status == "skipped":
            rec = {**old, **{k: v for k, v in rec.items() if v is not None}, "status": "done"}
            rec["skipped"] = True
        self.records[outcome.name] = rec
        self.save()

    def save(self) -> None:
        """Write the file through a temporary file (a kill never leaves half a file)."""
        from kneetrack.core.atomic import write_json_atomic

        write_json_atomic(self.path, {
            "schema": STATUS_SCHEMA,
            "updated": datetime.now(UTC).isoformat(timespec="seconds"),
            "videos": self.records,
        })
