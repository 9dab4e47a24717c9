"""Routes for uploading running videos and following their analysis jobs (pages and API).

The browser sends each video as the raw request body (``fetch``/XHR, so it can
show upload progress), with the CSRF token in the ``X-CSRF-Token`` header and
the file name in ``X-Filename``; the body streams into
:class:`~kneetrack.web.uploads.UploadSink` and is never held whole in memory.
A declared ``Content-Length`` over the limit is refused (413) before anything
is read. Then the clips (one, or a frontal and a side clip) are queued as one
assessment, and the job page follows it with HTMX polling until it is done
(a link to the report) or failed (the reason, and a button to try again).

The server starts the job workers with itself (:func:`start_jobs`) and stops
them on shutdown (:func:`stop_jobs`).
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Annotated, Any
from urllib.parse import unquote

from fastapi import APIRouter, Depends, FastAPI, Form, Request
from fastapi import Path as PathParam
from fastapi.responses import HTMLResponse, JSONResponse, Response
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from kneetrack.errors import InputError
from kneetrack.store import Athlete, Store
from kneetrack.web import auth, scope
from kneetrack.web.auth import Identity
from kneetrack.web.jobs import VIEWS, JobInfo, JobQueue, UnknownUploadError
from kneetrack.web.jobs_settings import JobSettings
from kneetrack.web.pages_common import CSRF, redirect, render
from kneetrack.web.uploads import UploadError, save_upload_async, sweep_incoming

log = logging.getLogger("kneetrack.web")
router = APIRouter(dependencies=CSRF, include_in_schema=False)
api = APIRouter(prefix="/api", tags=["api"], dependencies=CSRF,
                responses={401: {"description": "not signed in"},
                           404: {"description": "no such thing, or not yours"}})
Me = Annotated[Identity, Depends(auth.require_user)]
Id = Annotated[int, PathParam(ge=1, le=2**31 - 1)]
#: How often the job page asks for news.
POLL_S = 2
STATUS_TEXT = {"queued": "Waiting for its turn", "running": "Analysing",
               "done": "Done", "failed": "Failed"}


# ---------------------------------------------------------------- server life


def start_jobs(app: FastAPI, store: Store, settings: JobSettings) -> None:
    """Attach the job queue to ``app`` and start its worker processes."""
    from kneetrack.web.worker import WorkerProcesses

    app.state.jobs = JobQueue(store, lease_s=settings.worker.lease_s)
    for incoming in (store.artefacts.root / "athletes").glob("*/uploads"):
        sweep_incoming(incoming)  # uploads cut short by an earlier stop
    workers = WorkerProcesses(store.location, settings=settings.worker,
                              count=settings.processes)
    app.state.job_workers = workers
    if settings.processes > 0:
        app.state.jobs.requeue_stale()
        workers.start()
        log.info("started %d job worker(s)", settings.processes)


def stop_jobs(app: FastAPI) -> None:
    """Stop the worker processes (each hands its running job back to the queue)."""
    workers = getattr(app.state, "job_workers", None)
    if workers is not None:
        workers.stop()


def _queue(request: Request) -> JobQueue:
    queue = getattr(request.app.state, "jobs", None)
    if queue is None:  # an app whose lifespan did not run (tests): the queue without workers
        queue = JobQueue(auth.state_of(request).store)
        request.app.state.jobs = queue
    return queue


def _settings(request: Request) -> JobSettings:
    return auth.state_of(request).settings.jobs


def _athlete(request: Request, who: Identity, athlete_id: int) -> Athlete:
    return scope.athlete_for(auth.state_of(request).store, who.user, athlete_id)


def _job(request: Request, athlete: Athlete, job_id: int) -> JobInfo:
    job = _queue(request).get(job_id)
    if job is None or job.athlete_id != athlete.id:
        raise scope.not_found()
    return job


# ---------------------------------------------------------------- shared actions


async def _receive(request: Request, athlete: Athlete) -> JSONResponse:
    """Stream the request body into the athlete's uploads; JSON answer either way."""
    queue = _queue(request)
    assert athlete.id is not None
    root = await run_in_threadpool(queue.upload_root, athlete.id)
    name = unquote(request.headers.get("x-filename", "")) or None
    declared = request.headers.get("content-length")
    try:
        stored = await save_upload_async(
            request.stream(), root, client_name=name, limits=_settings(request).limits,
            declared_size=int(declared) if declared and declared.isdigit() else None)
        who = auth.identity(request)
        rec = await run_in_threadpool(queue.add_upload, athlete.id, stored,
                                      uploaded_by=who.user.id if who else None)
    except UploadError as err:
        return JSONResponse({"detail": str(err)}, status_code=err.status_code)
    return JSONResponse({"upload_id": rec.id, "name": rec.client_name,
                         "duration_s": rec.duration_s, "size_bytes": rec.size_bytes},
                        status_code=201)


def _enqueue(request: Request, who: Identity, athlete: Athlete,
             clips: list[tuple[int, str | None]]) -> JobInfo:
    assert athlete.id is not None
    try:
        return _queue(request).enqueue(athlete.id, clips, created_by=who.user.id)
    except UnknownUploadError:
        raise scope.not_found() from None  # someone else's upload looks like no upload


def _clips(upload_ids: list[int], views: list[str]) -> list[tuple[int, str | None]]:
    if views and len(views) != len(upload_ids):
        raise InputError("give one view per clip")
    vs: list[str | None] = [v or None for v in views] or [None] * len(upload_ids)
    return list(zip(upload_ids, vs, strict=True))


# ---------------------------------------------------------------- pages


@router.get("/athletes/{athlete_id}/upload", response_class=HTMLResponse)
def upload_page(request: Request, who: Me, athlete_id: Id) -> Response:
    """The upload form: one clip, or a frontal and a side clip of the same run."""
    athlete = _athlete(request, who, athlete_id)
    assert athlete.id is not None
    limits = _settings(request).limits
    return render(request, "jobs_upload.html", athlete=athlete, views=VIEWS,
                  max_bytes=limits.max_bytes, max_mib=round(limits.max_bytes / 2**20),
                  max_s=round(limits.max_duration_s),
                  jobs=_queue(request).list_jobs(athlete.id)[:10], status_text=STATUS_TEXT)


@router.post("/athletes/{athlete_id}/uploads")
async def upload_video(request: Request, who: Me, athlete_id: Id) -> Response:
    """Receive one video as the raw body (``X-Filename``: its name); answers JSON."""
    athlete = await run_in_threadpool(_athlete, request, who, athlete_id)
    return await _receive(request, athlete)


@router.post("/athletes/{athlete_id}/jobs")
def create_job(request: Request, who: Me, athlete_id: Id,
               upload_id: Annotated[list[int], Form()],
               view: Annotated[list[str] | None, Form()] = None) -> Response:
    """Queue the uploaded clips as one assessment; JSON for scripts, else a redirect."""
    athlete = _athlete(request, who, athlete_id)
    job = _enqueue(request, who, athlete, _clips(upload_id, view or []))
    url = f"/athletes/{athlete_id}/jobs/{job.id}"
    if "application/json" in request.headers.get("accept", ""):
        return JSONResponse({"job_id": job.id, "url": url, "status": job.status})
    return redirect(url)


@router.get("/athletes/{athlete_id}/jobs", response_class=HTMLResponse)
def jobs_list(request: Request, who: Me, athlete_id: Id) -> Response:
    """The athlete's recent jobs (an HTMX fragment that polls while any is unfinished)."""
    athlete = _athlete(request, who, athlete_id)
    assert athlete.id is not None
    return render(request, "jobs_list.html", athlete=athlete, poll_s=POLL_S,
                  jobs=_queue(request).list_jobs(athlete.id)[:10], status_text=STATUS_TEXT)


@router.get("/athletes/{athlete_id}/jobs/{job_id}", response_class=HTMLResponse)
def job_page(request: Request, who: Me, athlete_id: Id, job_id: Id) -> Response:
    """A job's status: the whole page, or (for HTMX polling) the status fragment alone."""
    athlete = _athlete(request, who, athlete_id)
    job = _job(request, athlete, job_id)
    template = "jobs_status_fragment.html" if request.headers.get("hx-request") else \
        "jobs_status.html"
    return render(request, template, athlete=athlete, job=job, poll_s=POLL_S,
                  status_text=STATUS_TEXT, url=f"/athletes/{athlete_id}/jobs/{job_id}")


@router.post("/athletes/{athlete_id}/jobs/{job_id}/retry")
def retry_job(request: Request, who: Me, athlete_id: Id, job_id: Id) -> Response:
    """Queue a failed job again."""
    athlete = _athlete(request, who, athlete_id)
    job = _job(request, athlete, job_id)
    _queue(request).retry(job.id)
    return redirect(f"/athletes/{athlete_id}/jobs/{job_id}")


# ---------------------------------------------------------------- JSON API


class _Out(BaseModel):
    model_config = ConfigDict(extra="forbid")


class UploadOut(_Out):
    """A stored upload."""

    upload_id: int
    name: str
    duration_s: float | None
    size_bytes: int


class ClipIn(_Out):
    """One clip of an assessment."""

    upload_id: int = Field(ge=1, le=2**31 - 1)
    view: str | None = Field(default=None, description="front, rear, side-left or side-right; "
                                                       "detected when left out")


class JobIn(_Out):
    """An assessment: one clip, or a frontal and a side clip of the same run."""

    clips: list[ClipIn] = Field(min_length=1, max_length=2)


class JobClipOut(_Out):
    """A clip of a job and the analysis stored from it."""

    upload_id: int
    name: str
    view: str | None
    analysis_id: int | None


class JobOut(_Out):
    """A job: ``queued``, ``running``, ``done`` (see ``analysis_id``) or ``failed`` (``error``)."""

    id: int
    status: str
    attempts: int
    max_attempts: int
    error: str | None
    analysis_id: int | None
    recorded_on: dt.date
    clips: list[JobClipOut]
    created_at: dt.datetime | None
    finished_at: dt.datetime | None


def job_out(job: JobInfo) -> JobOut:
    """The API form of a job."""
    return JobOut(id=job.id, status=job.status, attempts=job.attempts,
                  max_attempts=job.max_attempts, error=job.error, analysis_id=job.analysis_id,
                  recorded_on=job.recorded_on, created_at=job.created_at,
                  finished_at=job.finished_at,
                  clips=[JobClipOut(upload_id=c.upload_id, name=c.client_name, view=c.view,
                                    analysis_id=c.analysis_id) for c in job.clips])


_VIDEO_BODY: dict[str, Any] = {"requestBody": {"required": True, "content": {
    "application/octet-stream": {"schema": {"type": "string", "format": "binary"}},
    "video/mp4": {"schema": {"type": "string", "format": "binary"}}}}}


@api.post("/athletes/{athlete_id}/uploads", status_code=201, response_model=UploadOut,
          openapi_extra=_VIDEO_BODY,
          responses={413: {"description": "larger than the size limit"},
                     415: {"description": "not a video"},
                     422: {"description": "longer than the duration limit"}})
async def api_upload(request: Request, who: Me, athlete_id: Id) -> Response:
    """Upload one video as the raw request body (``X-Filename`` header: its name)."""
    athlete = await run_in_threadpool(_athlete, request, who, athlete_id)
    return await _receive(request, athlete)


@api.post("/athletes/{athlete_id}/jobs", response_model=JobOut)
def api_create_job(request: Request, who: Me, athlete_id: Id, body: JobIn) -> JobOut:
    """Queue uploaded clips as one assessment (the same clips again return the same job)."""
    athlete = _athlete(request, who, athlete_id)
    return job_out(_enqueue(request, who, athlete, [(c.upload_id, c.view) for c in body.clips]))


@api.get("/athletes/{athlete_id}/jobs", response_model=list[JobOut])
def api_jobs(request: Request, who: Me, athlete_id: Id) -> list[JobOut]:
    """The athlete's jobs, newest first."""
    athlete = _athlete(request, who, athlete_id)
    assert athlete.id is not None
    return [job_out(j) for j in _queue(request).list_jobs(athlete.id)]


@api.get("/athletes/{athlete_id}/jobs/{job_id}", response_model=JobOut)
def api_job(request: Request, who: Me, athlete_id: Id, job_id: Id) -> JobOut:
    """One job."""
    return job_out(_job(request, _athlete(request, who, athlete_id), job_id))

