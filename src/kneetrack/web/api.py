"""The JSON API (``/api``): the pages' operations for scripts and apps, described by OpenAPI.

Authentication: ``Authorization: Bearer <token>`` (a per-user token made on the
account page; only its SHA-256 is stored) or the browser's sign-in cookie, then
with the ``X-CSRF-Token`` header on requests that change anything. The same
scope rules as the pages apply: anything a user may not see is 404.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, BackgroundTasks, Depends, Request
from fastapi.responses import FileResponse, Response
from pydantic import BaseModel, ConfigDict, Field

from kneetrack.web import accounts, auth, scope, services
from kneetrack.web.auth import Identity
from kneetrack.web.pages_analysis import VIDEO

router = APIRouter(prefix="/api", tags=["api"], dependencies=[Depends(auth.csrf_protect)],
                   responses={401: {"description": "not signed in"},
                              404: {"description": "no such thing, or not yours"}})
Me = Annotated[Identity, Depends(auth.require_user)]
Id = Annotated[int, Field(ge=1, le=2**31 - 1)]


class _Out(BaseModel):
    model_config = ConfigDict(extra="forbid")


class MeOut(_Out):
    """The signed-in account."""

    id: int
    email: str
    name: str
    role: str
    athlete_id: int | None


class AthleteIn(_Out):
    """A new athlete."""

    name: str = Field(min_length=1, max_length=120)


class AthleteOut(_Out):
    """An athlete with their flags (referral, no_progress, low_adherence, pain)."""

    id: int
    name: str
    flags: list[str]


class AnalysisOut(_Out):
    """A stored analysis (summary)."""

    id: int
    recorded_on: dt.date
    view: str | None
    cadence_spm: float | None
    tracked_fraction: float | None


class InviteOut(_Out):
    """A one-time invitation link."""

    link: str
    expires_at: dt.datetime


class QuestionOut(_Out):
    """One screening question (as ``kneetrack screen --list-questions``)."""

    id: str
    text: str
    kind: str
    section: str
    unit: str
    min: float | None
    max: float | None
    choices: list[str]
    help: str
    selftest: str | None


class ScreeningIn(_Out):
    """Screening answers by question id (as ``kneetrack screen --answers``)."""

    answers: dict[str, str | float | bool | list[str]] = Field(default_factory=dict)
    date: dt.date | None = None


class ScreeningOut(_Out):
    """A stored screening."""

    id: int
    taken_on: dt.date


class WeekOut(_Out):
    """The active programme's current week."""

    programme_id: int
    week: int
    phase: str | None
    sessions: list[dict[str, Any]]
    logged: list[str]


class LogIn(_Out):
    """One exercise done (as ``kneetrack log``)."""

    exercise_id: str = Field(min_length=1, max_length=64)
    sets: int | None = Field(default=None, ge=0, le=50)
    reps: int | None = Field(default=None, ge=0, le=1000)
    hold_s: float | None = Field(default=None, ge=0, le=3600)
    rpe: float | None = Field(default=None, ge=1, le=10)
    pain: float | None = Field(default=None, ge=0, le=10)
    note: str | None = Field(default=None, max_length=500)
    performed_on: dt.date | None = None


class LogOut(_Out):
    """A stored log entry."""

    id: int
    exercise_id: str
    performed_on: dt.date


class ChangeOut(_Out):
    """One measure compared between a baseline and a retest."""

    metric: str
    leg: str | None
    baseline: float | None
    followup: float | None
    change: float | None
    sdd: float
    verdict: str


class RetestOut(_Out):
    """A retest against its baseline."""

    baseline_id: int | None
    followup_id: int | None
    changes: list[ChangeOut]
    advice: str


class ProgressOut(_Out):
    """Progress as the progress page shows it."""

    as_of: dt.date
    analyses: int
    retests: list[RetestOut]
    adherence_pct: float | None
    adherence_good: bool | None
    pain_trend: str | None
    pain_persistent: bool | None
    flags: list[str]


def _athlete_out(request: Request, a: Any) -> AthleteOut:
    st = auth.state_of(request).store
    return AthleteOut(id=a.id, name=services.shown_name(a.name),
                      flags=services.athlete_flags(st, a).names())


@router.get("/me")
def me(who: Me) -> MeOut:
    """The signed-in account."""
    u = who.user
    return MeOut(id=u.id, email=u.email, name=u.name, role=u.role, athlete_id=u.athlete_id)


@router.get("/screening/questions")
def screening_questions(who: Me) -> list[QuestionOut]:
    """The screening questions and self-tests, with their allowed answers."""
    return [QuestionOut(id=q.id, text=q.text, kind=q.kind, section=q.section, unit=q.unit,
                        min=q.min, max=q.max, choices=list(q.choices), help=q.help,
                        selftest=q.instructions) for q in services.questions()]


@router.get("/athletes")
def list_athletes(request: Request, who: Me) -> list[AthleteOut]:
    """The athletes this account may see, with their flags."""
    st = auth.state_of(request).store
    return [_athlete_out(request, a) for a in scope.visible_athletes(st, who.user)]


@router.post("/athletes", status_code=201)
def add_athlete(request: Request, who: Me, body: AthleteIn) -> AthleteOut:
    """Add an athlete (clinicians)."""
    st = auth.state_of(request).store
    me_ = scope.clinician_only(who.user)
    athlete = services.add_athlete(st, body.name, mine=scope.visible_athletes(st, me_))
    assert athlete.id is not None
    accounts.link_athlete(st, me_, athlete.id)
    return _athlete_out(request, athlete)


@router.get("/athletes/{athlete_id}")
def get_athlete(request: Request, who: Me, athlete_id: Id) -> AthleteOut:
    """One athlete."""
    return _athlete_out(request, scope.athlete_for(auth.state_of(request).store, who.user,
                                                   athlete_id))


@router.delete("/athletes/{athlete_id}", status_code=204)
def delete_athlete(request: Request, who: Me, athlete_id: Id) -> Response:
    """Delete the athlete, their account and all their files."""
    st = auth.state_of(request).store
    services.delete_athlete(st, scope.athlete_for(st, who.user, athlete_id))
    return Response(status_code=204)


@router.get("/athletes/{athlete_id}/export", response_class=FileResponse,
            responses={200: {"content": {"application/zip": {}}}})
def export_athlete(request: Request, who: Me, athlete_id: Id,
                   background: BackgroundTasks) -> Response:
    """A ZIP with every row (``athlete.json``) and every file of the athlete."""
    import shutil

    st = auth.state_of(request).store
    athlete = scope.athlete_for(st, who.user, athlete_id)
    tmp = Path(tempfile.mkdtemp(prefix="kneetrack-export-"))
    path = services.export_athlete(st, athlete, tmp / "athlete.zip")
    background.add_task(shutil.rmtree, tmp, True)
    return FileResponse(path, media_type="application/zip",
                        filename=f"kneetrack-athlete-{athlete_id}.zip")


@router.post("/athletes/{athlete_id}/invite", status_code=201)
def invite(request: Request, who: Me, athlete_id: Id) -> InviteOut:
    """A one-time invitation link for the athlete (clinicians)."""
    st = auth.state_of(request)
    scope.athlete_for(st.store, who.user, athlete_id)
    inv = accounts.create_invite(st.store, scope.clinician_only(who.user), role="athlete",
                                 athlete_id=athlete_id, lifetime=st.settings.invite_lifetime)
    return InviteOut(link=str(request.url_for("invite_page", token=inv.token)),
                     expires_at=inv.expires_at)


@router.get("/athletes/{athlete_id}/analyses")
def list_analyses(request: Request, who: Me, athlete_id: Id) -> list[AnalysisOut]:
    """The athlete's analyses, oldest first."""
    st = auth.state_of(request).store
    athlete = scope.athlete_for(st, who.user, athlete_id)
    return [AnalysisOut(id=a.id or 0, recorded_on=a.recorded_on, view=a.view,
                        cadence_spm=a.cadence_spm, tracked_fraction=a.tracked_fraction)
            for a in services.analyses(st, athlete)]


@router.get("/athletes/{athlete_id}/analyses/{analysis_id}")
def get_analysis(request: Request, who: Me, athlete_id: Id, analysis_id: Id) -> dict[str, Any]:
    """The full ``analysis.json`` (schema ``kneetrack.analysis/1``)."""
    st = auth.state_of(request).store
    _athlete, analysis = scope.analysis_for(st, who.user, athlete_id, analysis_id)
    data = services.analysis_data(st, analysis)
    if data is None:
        raise scope.not_found()
    return data


@router.get("/athletes/{athlete_id}/analyses/{analysis_id}/video", response_class=FileResponse,
            responses={200: {"content": {"video/mp4": {}}}, 206: {"description": "a range"}})
def get_video(request: Request, who: Me, athlete_id: Id, analysis_id: Id) -> Response:
    """The annotated video (HTTP range requests supported)."""
    st = auth.state_of(request).store
    _athlete, analysis = scope.analysis_for(st, who.user, athlete_id, analysis_id)
    folder = services.analysis_folder(st, analysis)
    if folder is None or not (folder / VIDEO).is_file():
        raise scope.not_found()
    return FileResponse(folder / VIDEO, media_type="video/mp4")


@router.post("/athletes/{athlete_id}/screenings", status_code=201)
def add_screening(request: Request, who: Me, athlete_id: Id, body: ScreeningIn) -> ScreeningOut:
    """Validate screening answers as ``kneetrack screen`` does, and store them."""
    st = auth.state_of(request).store
    athlete = scope.athlete_for(st, who.user, athlete_id)
    answers = {k: ",".join(v) if isinstance(v, list) else v for k, v in body.answers.items()}
    s = services.save_screening(st, athlete, answers,
                                date=body.date.isoformat() if body.date else None)
    return ScreeningOut(id=s.id or 0, taken_on=s.taken_on)


@router.post("/athletes/{athlete_id}/plan", status_code=201)
def make_plan(request: Request, who: Me, athlete_id: Id) -> WeekOut:
    """Make and store the programme from the newest analysis and screening; its first week."""
    st = auth.state_of(request).store
    athlete = scope.athlete_for(st, who.user, athlete_id)
    services.make_plan(st, athlete)
    return week(request, who, athlete_id)


@router.get("/athletes/{athlete_id}/week")
def week(request: Request, who: Me, athlete_id: Id) -> WeekOut:
    """The active programme's current week and the exercises logged in it."""
    st = auth.state_of(request).store
    athlete = scope.athlete_for(st, who.user, athlete_id)
    view = services.this_week(st, athlete, dt.date.today())
    if view is None:
        raise scope.not_found()
    return WeekOut(programme_id=view.programme.id or 0, week=view.week, phase=view.phase,
                   sessions=view.sessions, logged=[lg.exercise_id for lg in view.logged])


@router.post("/athletes/{athlete_id}/logs", status_code=201)
def add_logs(request: Request, who: Me, athlete_id: Id, body: list[LogIn]) -> list[LogOut]:
    """Log exercises done; all stored together or none."""
    st = auth.state_of(request).store
    athlete = scope.athlete_for(st, who.user, athlete_id)
    out: list[LogOut] = []
    days: dict[dt.date | None, list[dict[str, Any]]] = {}
    for e in body:
        days.setdefault(e.performed_on, []).append(
            e.model_dump(exclude_none=True, exclude={"performed_on"}))
    for day, entries in days.items():
        for lg in services.log_exercise(st, athlete, entries, performed_on=day):
            out.append(LogOut(id=lg.id or 0, exercise_id=lg.exercise_id,
                              performed_on=lg.performed_on))
    return out


@router.get("/athletes/{athlete_id}/progress")
def progress(request: Request, who: Me, athlete_id: Id) -> ProgressOut:
    """Retests against the SDD, adherence, pain and flags."""
    st = auth.state_of(request).store
    athlete = scope.athlete_for(st, who.user, athlete_id)
    rep = services.progress_report(st, athlete)
    retests = [
        RetestOut(baseline_id=c.baseline.id, followup_id=c.followup.id, advice=advice,
                  changes=[ChangeOut(metric=m.metric, leg=m.leg, baseline=m.baseline,
                                     followup=m.followup, change=m.change, sdd=m.sdd,
                                     verdict=m.verdict) for m in c.changes])
        for c, advice in zip(rep.retests, rep.advice, strict=False)
    ]
    return ProgressOut(
        as_of=rep.as_of, analyses=len(rep.analyses), retests=retests,
        adherence_pct=rep.adherence.pct if rep.adherence else None,
        adherence_good=rep.adherence.good if rep.adherence else None,
        pain_trend=rep.pain.trend if rep.pain else None,
        pain_persistent=rep.pain.persistent if rep.pain else None,
        flags=services.athlete_flags(st, athlete).names(),
    )
