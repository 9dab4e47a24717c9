"""The persistent analysis job queue of the web app, kept in the store's database.

A job is one assessment: one or two uploaded clips of the same session (a
frontal and a side clip). Its life::

    queued ──claim──► running ──record_result (last clip)──► done
      ▲                 │  └──fail (attempts left)──► queued
      │                 └────fail (no attempt left)──► failed (reason shown)
      └─ lease expired (worker killed, server restarted) ──┘

Guarantees, on SQLite and PostgreSQL alike:

- **Survives restarts**: the queue is rows; a running job whose lease is not
  renewed (its worker was killed) is queued again, or failed once its attempts
  are used up.
- **One worker per job**: :meth:`JobQueue.claim` picks a row with
  ``SELECT … FOR UPDATE SKIP LOCKED`` where the database has it and takes it
  with a conditional ``UPDATE … WHERE status = 'queued'`` (SQLite transactions
  start with ``BEGIN IMMEDIATE``, so claims queue on the write lock).
- **Never duplicate results**: the analysis rows and the job's record of them are
  written in the same transaction, and only while the worker still holds the
  lease; a worker that lost its lease has its result rolled back. A clip stored
  already (found by :func:`kneetrack.store.idempotent.find_same_analysis`) is
  linked instead of stored again.
- **Retries once**: two attempts by default, then ``failed`` with the reason.
- **Same upload, same job**: enqueuing the same uploads again returns the job
  made the first time; uploading the same bytes again for the same athlete
  returns the first upload.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import socket
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

from sqlalchemy import func, select, update
from sqlalchemy.engine import CursorResult
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from kneetrack.app.records import record_analysis
from kneetrack.errors import InputError, SettingsError
from kneetrack.store.domain import Analysis
from kneetrack.store.orm import AthleteRow, WebJobClipRow, WebJobRow, WebUploadRow, utcnow
from kneetrack.store.repository import Store
from kneetrack.web.uploads import StoredUpload

QUEUED, RUNNING, DONE, FAILED = "queued", "running", "done", "failed"
STATUSES = (QUEUED, RUNNING, DONE, FAILED)
#: Attempts per job: the first and one retry.
MAX_ATTEMPTS = 2
#: Clips per job: one, or a frontal and a side clip of the same run.
MAX_CLIPS = 2
VIEWS = ("front", "rear", "side-left", "side-right")
INTERRUPTED = "the analysis was interrupted (the server stopped or its worker crashed)"

Clock = Callable[[], dt.datetime]


class UnknownUploadError(InputError):
    """An upload id that is not one of the athlete's (missing, or someone else's)."""


class LeaseLostError(RuntimeError):
    """The worker no longer holds the job (its lease expired and it was taken over)."""


def _utc(v: dt.datetime | None) -> dt.datetime | None:
    if v is not None and v.tzinfo is None:  # SQLite returns naive datetimes
        return v.replace(tzinfo=dt.UTC)
    return v


def _rowcount(result: Any) -> int:
    """Rows an UPDATE changed."""
    return int(cast(CursorResult[Any], result).rowcount)


def worker_id() -> str:
    """An id for this worker: ``host:pid:random`` (the pid lets a restart spot its dead leases)."""
    return f"{socket.gethostname()}:{os.getpid()}:{os.urandom(4).hex()}"


def _dead_local_owner(owner: str | None) -> bool:
    """Whether ``owner`` was a worker process on this host that no longer runs."""
    if not owner:
        return False
    host, _, rest = owner.partition(":")
    pid_text = rest.partition(":")[0]
    if host != socket.gethostname() or not pid_text.isdigit():
        return False
    pid = int(pid_text)
    if pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


@dataclass(frozen=True)
class UploadRecord:
    """A stored upload."""

    id: int
    athlete_id: int
    path: Path
    client_name: str
    container: str
    size_bytes: int
    sha256: str
    duration_s: float | None
    created_at: dt.datetime | None


@dataclass(frozen=True)
class JobClip:
    """One clip of a job."""

    position: int
    upload_id: int
    view: str | None
    path: Path
    client_name: str
    analysis_id: int | None


@dataclass(frozen=True)
class JobInfo:
    """A job as the web pages and the worker see it."""

    id: int
    athlete_id: int
    status: str
    attempts: int
    max_attempts: int
    error: str | None
    analysis_id: int | None
    recorded_on: dt.date
    clips: tuple[JobClip, ...]
    options: dict[str, Any] = field(default_factory=dict)
    lease_owner: str | None = None
    lease_until: dt.datetime | None = None
    created_at: dt.datetime | None = None
    started_at: dt.datetime | None = None
    finished_at: dt.datetime | None = None

    @property
    def finished(self) -> bool:
        """Done or failed for good."""
        return self.status in (DONE, FAILED)

    @property
    def pending_clips(self) -> tuple[JobClip, ...]:
        """Clips without a stored analysis yet."""
        return tuple(c for c in self.clips if c.analysis_id is None)


class JobQueue:
    """Uploads and analysis jobs in a :class:`~kneetrack.store.Store`.

    Parameters
    ----------
    store : Store
        The open store (its database holds the queue).
    lease_s : float
        How long a claim lasts without a heartbeat.
    max_attempts : int
        Attempts per job (the first one included).
    clock : callable
        Returns the current UTC time (tests pass a fake).
    """

    def __init__(self, store: Store, *, lease_s: float = 60.0, max_attempts: int = MAX_ATTEMPTS,
                 clock: Clock = utcnow) -> None:
        if lease_s <= 0:
            raise SettingsError(f"lease_s must be positive, got {lease_s}")
        if max_attempts < 1:
            raise SettingsError(f"max_attempts must be at least 1, got {max_attempts}")
        self.store = store
        self.lease = dt.timedelta(seconds=lease_s)
        self.max_attempts = max_attempts
        self.clock = clock

    # ------------------------------------------------------------ uploads

    def upload_root(self, athlete_id: int) -> Path:
        """Folder for an athlete's uploads (inside their artefact folder: deleted with them)."""
        with self.store.transaction() as s:
            uid = s.scalar(select(AthleteRow.uid).where(AthleteRow.id == athlete_id))
        if uid is None:
            raise InputError(f"no athlete with id {athlete_id}")
        return self.store.artefacts.athlete_dir(uid) / "uploads"

    def add_upload(self, athlete_id: int, stored: StoredUpload, *,
                   uploaded_by: int | None = None) -> UploadRecord:
        """Record a stored upload; the same bytes uploaded again return the first record.

        A repeated upload's new file is deleted, so the athlete's folder keeps one copy.
        """
        root = self.store.artefacts.root.resolve()
        path = stored.path.resolve()
        if not path.is_relative_to(root):
            raise SettingsError(f"upload {path} is outside the artefact folder {root}")
        rel = path.relative_to(root).as_posix()
        for _ in range(2):
            try:
                with self.store.transaction() as s:
                    same = s.scalar(select(WebUploadRow).where(
                        WebUploadRow.athlete_id == athlete_id,
                        WebUploadRow.sha256 == stored.sha256))
                    if same is not None:
                        if same.stored_path != rel:
                            path.unlink(missing_ok=True)
                        return self._upload(same)
                    row = WebUploadRow(athlete_id=athlete_id, stored_path=rel,
                                       client_name=stored.client_name,
                                       container=stored.container,
                                       size_bytes=stored.size_bytes, sha256=stored.sha256,
                                       duration_s=stored.duration_s, uploaded_by=uploaded_by)
                    s.add(row)
                    s.flush()
                    return self._upload(row)
            except IntegrityError:  # the same bytes arrived at the same moment (PostgreSQL)
                continue
        raise RuntimeError("could not record the upload")  # pragma: no cover

    def get_upload(self, upload_id: int) -> UploadRecord | None:
        """An upload by id (``None`` if there is none)."""
        with self.store.transaction() as s:
            row = s.get(WebUploadRow, upload_id)
            return None if row is None else self._upload(row)

    def _upload(self, r: WebUploadRow) -> UploadRecord:
        return UploadRecord(id=r.id, athlete_id=r.athlete_id,
                            path=self.store.artefacts.root / r.stored_path,
                            client_name=r.client_name, container=r.container,
                            size_bytes=r.size_bytes, sha256=r.sha256, duration_s=r.duration_s,
                            created_at=_utc(r.created_at))

    # ------------------------------------------------------------ jobs

    def enqueue(self, athlete_id: int, clips: Sequence[int | tuple[int, str | None]], *,
                recorded_on: dt.date | None = None, options: Mapping[str, Any] | None = None,
                created_by: int | None = None) -> JobInfo:
        """Queue one assessment of ``clips`` (upload ids, or ``(upload id, view)`` pairs).

        Idempotent: the same athlete and clips (same uploads and views, in the
        same order) return the job made the first time, whatever its state.
        """
        pairs = [(c, None) if isinstance(c, int) else (int(c[0]), c[1]) for c in clips]
        if not 1 <= len(pairs) <= MAX_CLIPS:
            raise InputError(f"an assessment has one or {MAX_CLIPS} clips (a frontal and a "
                             f"side one), got {len(pairs)}")
        if len({u for u, _ in pairs}) != len(pairs):
            raise InputError("the same clip was given twice")
        for _, view in pairs:
            if view is not None and view not in VIEWS:
                raise InputError(f"unknown view {view!r}; choose one of {', '.join(VIEWS)}")
        parts = [str(athlete_id)] + [f"{u}:{v or '-'}" for u, v in pairs]
        key = hashlib.sha256("|".join(parts).encode()).hexdigest()
        for _ in range(2):
            try:
                with self.store.transaction() as s:
                    same = s.scalar(select(WebJobRow.id).where(WebJobRow.dedupe_key == key))
                    if same is not None:
                        return self._job(s, same)
                    owners = dict(s.execute(
                        select(WebUploadRow.id, WebUploadRow.athlete_id)
                        .where(WebUploadRow.id.in_([u for u, _ in pairs]))).all())
                    for u, _ in pairs:
                        if owners.get(u) != athlete_id:
                            raise UnknownUploadError(
                                f"upload {u} is not one of this athlete's uploads")
                    row = WebJobRow(athlete_id=athlete_id, dedupe_key=key, status=QUEUED,
                                    attempts=0, max_attempts=self.max_attempts,
                                    recorded_on=recorded_on or self.clock().date(),
                                    options=dict(options or {}), created_by=created_by)
                    s.add(row)
                    s.flush()
                    s.add_all(WebJobClipRow(job_id=row.id, upload_id=u, position=i, view=v)
                              for i, (u, v) in enumerate(pairs))
                    s.flush()
                    return self._job(s, row.id)
            except IntegrityError:  # enqueued at the same moment elsewhere (PostgreSQL)
                continue
        raise RuntimeError("could not enqueue the job")  # pragma: no cover

    def get(self, job_id: int) -> JobInfo | None:
        """A job by id (``None`` if there is none)."""
        with self.store.transaction() as s:
            return self._job(s, job_id) if s.get(WebJobRow, job_id) is not None else None

    def list_jobs(self, athlete_id: int | None = None, *,
                  status: str | None = None) -> list[JobInfo]:
        """Jobs, newest first (of one athlete, of one status, when given)."""
        with self.store.transaction() as s:
            q = select(WebJobRow.id).order_by(WebJobRow.id.desc())
            if athlete_id is not None:
                q = q.where(WebJobRow.athlete_id == athlete_id)
            if status is not None:
                q = q.where(WebJobRow.status == status)
            return [self._job(s, i) for i in s.scalars(q).all()]

    def _job(self, s: Session, job_id: int) -> JobInfo:
        r = s.get(WebJobRow, job_id, populate_existing=True)
        assert r is not None
        rows = s.execute(
            select(WebJobClipRow, WebUploadRow)
            .join(WebUploadRow, WebUploadRow.id == WebJobClipRow.upload_id)
            .where(WebJobClipRow.job_id == job_id).order_by(WebJobClipRow.position)
            .execution_options(populate_existing=True)).all()
        clips = tuple(JobClip(position=c.position, upload_id=c.upload_id, view=c.view,
                              path=self.store.artefacts.root / u.stored_path,
                              client_name=u.client_name, analysis_id=c.analysis_id)
                      for c, u in rows)
        return JobInfo(id=r.id, athlete_id=r.athlete_id, status=r.status, attempts=r.attempts,
                       max_attempts=r.max_attempts, error=r.error, analysis_id=r.analysis_id,
                       recorded_on=r.recorded_on, clips=clips, options=dict(r.options or {}),
                       lease_owner=r.lease_owner, lease_until=_utc(r.lease_until),
                       created_at=_utc(r.created_at), started_at=_utc(r.started_at),
                       finished_at=_utc(r.finished_at))

    # ------------------------------------------------------------ worker side

    def claim(self, owner: str) -> JobInfo | None:
        """Take the oldest queued job for ``owner`` (after re-queuing stale ones), or ``None``."""
        self.requeue_stale()
        now = self.clock()
        with self.store.transaction() as s:
            q = select(WebJobRow.id).where(WebJobRow.status == QUEUED).order_by(WebJobRow.id)
            if s.get_bind().dialect.name == "postgresql":
                q = q.with_for_update(skip_locked=True)
            for job_id in s.scalars(q.limit(8)).all():
                took = s.execute(
                    update(WebJobRow)
                    .where(WebJobRow.id == job_id, WebJobRow.status == QUEUED)
                    .values(status=RUNNING, lease_owner=owner, lease_until=now + self.lease,
                            heartbeat_at=now, attempts=WebJobRow.attempts + 1, started_at=now)
                    .execution_options(synchronize_session=False))
                if _rowcount(took) == 1:
                    return self._job(s, job_id)
        return None

    def heartbeat(self, job_id: int, owner: str) -> bool:
        """Renew ``owner``'s lease; ``False`` when the job is no longer theirs."""
        now = self.clock()
        with self.store.transaction() as s:
            return self._renew(s, job_id, owner, now)

    def _renew(self, s: Session, job_id: int, owner: str, now: dt.datetime) -> bool:
        res = s.execute(
            update(WebJobRow)
            .where(WebJobRow.id == job_id, WebJobRow.status == RUNNING,
                   WebJobRow.lease_owner == owner)
            .values(lease_until=now + self.lease, heartbeat_at=now)
            .execution_options(synchronize_session=False))
        return _rowcount(res) == 1

    def requeue_stale(self) -> list[int]:
        """Queue again (or fail, when out of attempts) running jobs whose worker is gone.

        A worker is gone when its lease has expired, or when it was a process on
        this host that no longer exists (a restarted server finds its own killed
        workers at once).
        """
        now = self.clock()
        changed = []
        with self.store.transaction() as s:
            running = s.execute(select(WebJobRow.id, WebJobRow.lease_owner, WebJobRow.lease_until,
                                       WebJobRow.attempts, WebJobRow.max_attempts)
                                .where(WebJobRow.status == RUNNING)).all()
            for job_id, owner, until, attempts, most in running:
                until = _utc(until)
                if not (until is None or until < now or _dead_local_owner(owner)):
                    continue
                values: dict[str, Any] = {"lease_owner": None, "lease_until": None}
                if attempts >= most:
                    values.update(status=FAILED, finished_at=now,
                                  error=f"{INTERRUPTED} on every attempt; try again later")
                else:
                    values.update(status=QUEUED, error=f"{INTERRUPTED}; retrying")
                res = s.execute(update(WebJobRow)
                                .where(WebJobRow.id == job_id, WebJobRow.status == RUNNING,
                                       WebJobRow.lease_owner == owner if owner is not None
                                       else WebJobRow.lease_owner.is_(None))
                                .values(**values).execution_options(synchronize_session=False))
                if _rowcount(res) == 1:
                    changed.append(job_id)
        return changed

    def record_result(self, job_id: int, owner: str, positions: Sequence[int],
                      analysis: Mapping[str, Any], *, artefact_src: Path | None) -> Analysis:
        """Store the analysis of the clips at ``positions`` and record it on the job, atomically.

        When it was the last clip without an analysis, the job is done in the
        same transaction. Raises :class:`LeaseLostError` (storing nothing) when
        ``owner`` no longer holds the job.
        """
        job = self.get(job_id)
        if job is None:
            raise LeaseLostError(f"job {job_id} no longer exists")

        def link(s: Session, stored: Analysis) -> None:
            now = self.clock()
            if not self._renew(s, job_id, owner, now):
                raise LeaseLostError(f"job {job_id} is no longer held by {owner}")
            s.execute(update(WebJobClipRow)
                      .where(WebJobClipRow.job_id == job_id,
                             WebJobClipRow.position.in_(list(positions)),
                             WebJobClipRow.analysis_id.is_(None))
                      .values(analysis_id=stored.id)
                      .execution_options(synchronize_session=False))
            left = s.scalar(select(func.count()).select_from(WebJobClipRow).where(
                WebJobClipRow.job_id == job_id, WebJobClipRow.analysis_id.is_(None)))
            if not left:
                first = s.scalar(select(WebJobClipRow.analysis_id)
                                 .where(WebJobClipRow.job_id == job_id)
                                 .order_by(WebJobClipRow.position).limit(1))
                s.execute(update(WebJobRow).where(WebJobRow.id == job_id)
                          .values(status=DONE, analysis_id=first, finished_at=now, error=None,
                                  lease_owner=None, lease_until=None)
                          .execution_options(synchronize_session=False))

        try:
            return record_analysis(self.store, job.athlete_id, analysis,
                                   recorded_on=job.recorded_on, artefact_src=artefact_src,
                                   in_transaction=link)
        except InputError as err:
            if self.get(job_id) is None:  # the athlete (and with them the job) was deleted
                raise LeaseLostError(str(err)) from None
            raise

    def fail(self, job_id: int, owner: str, reason: str) -> JobInfo | None:
        """An attempt failed: queue the job again if attempts are left, else fail it.

        Returns the job, or ``None`` when ``owner`` no longer held it.
        """
        now = self.clock()
        reason = " ".join(str(reason).split()) or "unknown error"
        with self.store.transaction() as s:
            r = s.get(WebJobRow, job_id, populate_existing=True)
            if r is None or r.status != RUNNING or r.lease_owner != owner:
                return None
            if r.attempts < r.max_attempts:
                values: dict[str, Any] = {"status": QUEUED, "error": f"{reason} (retrying)"}
            else:
                values = {"status": FAILED, "error": reason, "finished_at": now}
            s.execute(update(WebJobRow).where(WebJobRow.id == job_id, WebJobRow.status == RUNNING,
                                              WebJobRow.lease_owner == owner)
                      .values(lease_owner=None, lease_until=None, **values)
                      .execution_options(synchronize_session=False))
            return self._job(s, job_id)

    def release(self, job_id: int, owner: str) -> bool:
        """Hand a job back unfinished (a worker shutting down); the attempt does not count."""
        with self.store.transaction() as s:
            res = s.execute(update(WebJobRow)
                            .where(WebJobRow.id == job_id, WebJobRow.status == RUNNING,
                                   WebJobRow.lease_owner == owner)
                            .values(status=QUEUED, lease_owner=None, lease_until=None,
                                    attempts=WebJobRow.attempts - 1)
                            .execution_options(synchronize_session=False))
            return _rowcount(res) == 1

    def retry(self, job_id: int) -> JobInfo:
        """Queue a failed job again with fresh attempts (a person asked to try again)."""
        with self.store.transaction() as s:
            res = s.execute(update(WebJobRow)
                            .where(WebJobRow.id == job_id, WebJobRow.status == FAILED)
                            .values(status=QUEUED, attempts=0, error=None, finished_at=None)
                            .execution_options(synchronize_session=False))
            if _rowcount(res) != 1:
                raise InputError(f"job {job_id} has not failed; only a failed job can be retried")
            return self._job(s, job_id)
