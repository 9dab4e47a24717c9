"""Helpers for the upload/job tests: a store on each backend, analysis documents, fake backends.

Importable from the tests in this folder and from the worker processes they start
(put this folder on ``PYTHONPATH``). PostgreSQL comes from ``KNEETRACK_TEST_PG_URL``
as in ``tests/store/conftest.py``: absent, those cases skip (fail in CI).
"""

from __future__ import annotations

import json
import os
import threading
import time
import uuid
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest

from kneetrack.batch.jobs import Job, Outcome

PG_ENV = "KNEETRACK_TEST_PG_URL"


def _pg_connect(url: str, **kw: Any) -> Any:
    import psycopg
    from sqlalchemy.engine import make_url

    u = make_url(url)
    return psycopg.connect(host=u.host, port=u.port or 5432, user=u.username,
                           password=u.password, dbname=u.database, **kw)


def pg_admin_url() -> str:
    """The test server's URL, or skip (fail in CI) when there is none."""
    url = os.environ.get(PG_ENV)
    reason = None
    if not url:
        reason = f"{PG_ENV} is not set (run `source .ci/start-postgres.sh`)"
    else:
        try:
            with _pg_connect(url, connect_timeout=5):
                pass
        except Exception as err:  # noqa: BLE001 - any failure means "no server"
            reason = f"no PostgreSQL server at {PG_ENV}: {type(err).__name__}: {err}"
    if reason:
        if os.environ.get("CI"):
            pytest.fail(f"PostgreSQL is required in CI: {reason}")
        pytest.skip(f"PostgreSQL job tests skipped (not in CI): {reason}")
    assert url is not None
    return url


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A URL of an empty database on each backend."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'kneetrack.db'}"
        return
    from sqlalchemy.engine import make_url

    admin = pg_admin_url()
    name = f"kt_{uuid.uuid4().hex[:12]}"
    with _pg_connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield make_url(admin).set(database=name).render_as_string(hide_password=False)
    finally:
        with _pg_connect(admin, autocommit=True) as conn:
            for attempt in range(10):
                try:
                    conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
                    break
                except Exception:  # noqa: BLE001 - an autovacuum worker: wait a little
                    time.sleep(0.3 * (attempt + 1))


def make_doc(view: str = "front", *, fppa: float = 12.0, cadence: float = 166.0,
             path: str = "/uploads/clip.mp4") -> dict[str, Any]:
    """A small valid ``analysis.json`` with known values."""
    stances = [{"leg": leg, "contact_s": 0.3 + i * 0.36, "toe_off_s": 0.55 + i * 0.36,
                "fppa_peak_deg": fppa + (i % 3) - 1, "hip_adduction_peak_deg": 10.0,
                "pelvic_drop_peak_deg": 4.0, "crossover": False}
               for i, leg in enumerate(["left", "right"] * 8)]
    return {"schema": "kneetrack.analysis/1",
            "input": {"path": path, "kind": "video", "fps": 60.0, "frames": 600,
                      "duration_s": 10.0, "width": 640, "height": 480},
            "view": view, "quality": {"tracked_fraction": 0.97, "warnings": []},
            "cadence_spm": cadence, "stances": stances,
            "summary": {"left": {"stances": 8, "fppa_peak_deg": {"mean": fppa}},
                        "right": {"stances": 8, "fppa_peak_deg": {"mean": fppa}}},
            "findings": []}


# ---------------------------------------------------------------- a fake batch engine


class FakeEngine:
    """Writes a known analysis.json for each task, or fails the inputs it is told to."""

    name = "fake"
    workers = 1

    def __init__(self, fail: Sequence[str] = (), more_cadences: Sequence[float] = (167.0,)) -> None:
        self.fail = set(fail)
        self.more_cadences = list(more_cadences)
        self.ran: list[tuple[str, int, dict]] = []

    def run(self, tasks: Sequence[tuple[Job, int]]) -> Iterator[Outcome]:
        for job, attempt in tasks:
            self.ran.append((job.name, attempt, {"overlay": job.overlay}))
            base = {"name": job.name, "input": str(job.input), "out_dir": str(job.out_dir),
                    "attempts": attempt}
            if job.input.name in self.fail:
                yield Outcome(status="failed", reason=f"no person found in {job.input} "
                              f"(details in {job.out_dir}/batch_error.txt)", **base)
                continue
            job.out_dir.mkdir(parents=True, exist_ok=True)
            doc = make_doc(job.view or "front", path=str(job.input))
            if job.more_inputs:  # a multi-clip analysis: the shape of app.multiclip's
                parts = [(job.input, job.view), *job.more_inputs]
                cads = [166.0, *self.more_cadences]
                doc["clips"] = [{"index": i + 1, "role": "frontal" if i == 0 else "sagittal",
                                 "view": v, "input": {"path": str(p)}, "cadence_spm": c}
                                for i, ((p, v), c) in enumerate(zip(parts, cads, strict=False))]
                diff = abs(cads[1] - cads[0])
                doc["cadence_check"] = {"clips_spm": cads, "difference_spm": diff,
                                        "tolerance_spm": 4.0, "consistent": diff <= 4.0}
            (job.out_dir / "analysis.json").write_text(json.dumps(doc))
            yield Outcome(status="done", **base)

    def close(self, *, kill: bool = False) -> None:
        pass


# ---------------------------------------------------------------- fake pose backends


def _sample_keypoints() -> Any:
    from kneetrack.io.load import load_keypoints
    from kneetrack.samples import sample_path

    return load_keypoints(sample_path("runner_front_60fps.trc"))


def hold_replay() -> Any:
    """Replays the packaged runner; while the file ``$KT_WEB_HOLD`` exists it stops mid-video.

    On stopping it writes ``$KT_WEB_HELD`` (so a test knows the job is mid-way),
    then waits until the hold file is gone (or the process is killed). Each
    finished video appends a line to ``$KT_WEB_LOG``.
    """
    from kneetrack.pose.backend import FramePose
    from kneetrack.pose.fake import ReplayBackend
    from kneetrack.video.reader import Frame

    class HoldReplay(ReplayBackend):  # type: ignore[misc]
        def process(self, frames: Iterable[Frame]) -> Iterator[FramePose]:
            hold, held = os.environ.get("KT_WEB_HOLD"), os.environ.get("KT_WEB_HELD")
            for n, pose in enumerate(super().process(frames)):
                if n == 5 and hold and Path(hold).exists():
                    if held:
                        Path(held).write_text(str(os.getpid()), encoding="utf-8")
                    while Path(hold).exists():
                        threading.Event().wait(0.05)
                yield pose
            log = os.environ.get("KT_WEB_LOG")
            if log:
                with Path(log).open("a", encoding="utf-8") as fh:
                    fh.write(f"{os.getpid()}\n")

    return HoldReplay(_sample_keypoints())
