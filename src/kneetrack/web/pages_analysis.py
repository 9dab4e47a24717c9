"""Pages for one analysis: the report with the annotated video, and its files.

Files are read only from the analysis's own artefact folder, after the scope
check, and only paths that stay inside that folder; the video answers HTTP
range requests so that the browser can seek.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import FileResponse, HTMLResponse, Response

from kneetrack.web import auth, scope, services
from kneetrack.web.auth import Identity
from kneetrack.web.pages_common import CSRF, render

router = APIRouter(dependencies=CSRF, include_in_schema=False)
Me = Annotated[Identity, Depends(auth.require_user)]
VIDEO = "annotated.mp4"
#: Content types of the files an analysis folder holds; anything else is sent as bytes.
TYPES = {".html": "text/html; charset=utf-8", ".json": "application/json", ".svg": "image/svg+xml",
         ".jpg": "image/jpeg", ".png": "image/png", ".mp4": "video/mp4", ".pdf": "application/pdf",
         ".csv": "text/csv; charset=utf-8", ".trc": "text/plain; charset=utf-8",
         ".mot": "text/plain; charset=utf-8"}


def _folder(request: Request, who: Identity, athlete_id: int, analysis_id: int) -> Path:
    st = auth.state_of(request).store
    _athlete, analysis = scope.analysis_for(st, who.user, athlete_id, analysis_id)
    folder = services.analysis_folder(st, analysis)
    if folder is None:
        raise scope.not_found()
    return folder


def _inside(folder: Path, relative: str) -> Path:
    """``folder/relative`` if it is a file inside ``folder`` (no ``..``, no links out), else 404."""
    if not relative or relative.startswith(("/", "\\")) or "\\" in relative:
        raise scope.not_found()
    path = (folder / relative).resolve()
    if not path.is_relative_to(folder.resolve()) or not path.is_file():
        raise scope.not_found()
    return path


def stance_rows(analysis: dict[str, Any]) -> list[dict[str, Any]]:
    """The stances of ``analysis.json`` as shown in the table (values as stored, not recomputed)."""
    rows = []
    for i, s in enumerate(analysis.get("stances") or [], 1):
        if isinstance(s, dict):
            rows.append({"n": i, **s})
    return rows


@router.get("/athletes/{athlete_id}/analyses/{analysis_id}", response_class=HTMLResponse)
def analysis_page(request: Request, who: Me, athlete_id: int, analysis_id: int) -> Response:
    """The analysis: summary, annotated video, stance table (each row seeks the video)."""
    st = auth.state_of(request).store
    athlete, analysis = scope.analysis_for(st, who.user, athlete_id, analysis_id)
    data = services.analysis_data(st, analysis) or {}
    folder = services.analysis_folder(st, analysis)
    base = f"/athletes/{athlete_id}/analyses/{analysis_id}"
    return render(
        request, "analysis.html", athlete=athlete, analysis=analysis, data=data,
        stances=stance_rows(data), base=base,
        video=f"{base}/video" if folder and (folder / VIDEO).is_file() else None,
        report=f"{base}/files/report.html" if folder and (folder / "report.html").is_file()
        else None,
    )


@router.get("/athletes/{athlete_id}/analyses/{analysis_id}/video")
def video(request: Request, who: Me, athlete_id: int, analysis_id: int) -> Response:
    """The annotated video (HTTP range requests answered with 206, so it can seek)."""
    folder = _folder(request, who, athlete_id, analysis_id)
    return FileResponse(_inside(folder, VIDEO), media_type="video/mp4")


@router.get("/athletes/{athlete_id}/analyses/{analysis_id}/files/{relative:path}")
def analysis_file(request: Request, who: Me, athlete_id: int, analysis_id: int,
                  relative: str) -> Response:
    """A file of the analysis folder (the full report and the files it links to)."""
    folder = _folder(request, who, athlete_id, analysis_id)
    path = _inside(folder, relative)
    return FileResponse(path, media_type=TYPES.get(path.suffix.lower(), "application/octet-stream"))
