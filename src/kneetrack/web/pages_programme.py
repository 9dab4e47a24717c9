"""Pages for the screening, the plan, this week's workouts with one-tap logging, and progress."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, Response

from kneetrack.errors import InputError
from kneetrack.web import auth, scope, services
from kneetrack.web.auth import Identity
from kneetrack.web.pages_common import CSRF, redirect, render

router = APIRouter(dependencies=CSRF, include_in_schema=False)
Me = Annotated[Identity, Depends(auth.require_user)]
#: Form fields of the screening page that are not answers.
NOT_ANSWERS = {"csrf_token", "date"}


def form_answers(items: list[tuple[str, Any]]) -> dict[str, str]:
    """Answers by question id from a submitted form: blanks dropped, multiple choices joined."""
    out: dict[str, list[str]] = {}
    for key, value in items:
        if key in NOT_ANSWERS or not isinstance(value, str) or not value.strip():
            continue
        out.setdefault(key, []).append(value.strip())
    return {k: ",".join(v) for k, v in out.items()}


def _screening_page(request: Request, athlete: Any, status: int = 200, **extra: Any) -> Response:
    from kneetrack.app.screen import selftest_instruction

    qs = services.questions()
    sections: dict[str, list[Any]] = {}
    for q in qs:
        sections.setdefault(q.section, []).append(q)
    how = {}
    for q in qs:
        if q.instructions and q.instructions not in how:
            try:
                how[q.instructions] = selftest_instruction(q.instructions)
            except InputError:
                continue
    return render(request, "screening.html", status, athlete=athlete, sections=sections,
                  how=how, values=extra.pop("values", {}), **extra)


@router.get("/athletes/{athlete_id}/screening", response_class=HTMLResponse)
def screening_page(request: Request, who: Me, athlete_id: int) -> Response:
    """The screening questionnaire and self-tests as one form."""
    athlete = scope.athlete_for(auth.state_of(request).store, who.user, athlete_id)
    return _screening_page(request, athlete)


@router.post("/athletes/{athlete_id}/screening", response_class=HTMLResponse)
async def save_screening(request: Request, who: Me, athlete_id: int) -> Response:
    """Check the answers as ``kneetrack screen`` does; store them, or show the first problem."""
    st = auth.state_of(request).store
    athlete = scope.athlete_for(st, who.user, athlete_id)
    form = await request.form()
    answers = form_answers(list(form.multi_items()))
    date = form.get("date")
    try:
        services.save_screening(st, athlete, answers,
                                date=date if isinstance(date, str) and date else None)
    except InputError as err:
        return _screening_page(request, athlete, 400, error=str(err), values=answers)
    return redirect(f"/athletes/{athlete_id}#screening")


@router.post("/athletes/{athlete_id}/plan", response_class=HTMLResponse)
def plan(request: Request, who: Me, athlete_id: int) -> Response:
    """Make the programme from the newest analysis and screening, starting today."""
    st = auth.state_of(request).store
    athlete = scope.athlete_for(st, who.user, athlete_id)
    services.make_plan(st, athlete)
    return redirect(f"/athletes/{athlete_id}/week")


@router.get("/athletes/{athlete_id}/week", response_class=HTMLResponse)
def week(request: Request, who: Me, athlete_id: int) -> Response:
    """The current week's sessions; each exercise is logged with one tap (dose prefilled)."""
    st = auth.state_of(request).store
    athlete = scope.athlete_for(st, who.user, athlete_id)
    today = dt.date.today()
    view = services.this_week(st, athlete, today)
    done = {(lg.performed_on.isoformat(), lg.exercise_id) for lg in view.logged} if view else set()
    return render(request, "week.html", athlete=athlete, view=view, today=today, done=done)


def _day(session_date: str | None, today: dt.date) -> dt.date:
    try:
        day = dt.date.fromisoformat(str(session_date)[:10])
    except ValueError:
        return today
    return min(day, today)


@router.post("/athletes/{athlete_id}/log", response_class=HTMLResponse)
def log(request: Request, who: Me, athlete_id: int,
        exercise_id: Annotated[str, Form(max_length=64)],
        sets: Annotated[int | None, Form(ge=0, le=50)] = None,
        reps: Annotated[int | None, Form(ge=0, le=1000)] = None,
        hold_s: Annotated[float | None, Form(ge=0, le=3600)] = None,
        pain: Annotated[float | None, Form(ge=0, le=10)] = None,
        rpe: Annotated[float | None, Form(ge=1, le=10)] = None,
        session_date: Annotated[str | None, Form(max_length=10)] = None) -> Response:
    """Log one exercise as done (checked as ``kneetrack log`` checks it).

    An HTMX request gets the row's "done" mark back; a plain form post goes back
    to the week.
    """
    st = auth.state_of(request).store
    athlete = scope.athlete_for(st, who.user, athlete_id)
    entry: dict[str, Any] = {"exercise_id": exercise_id}
    for k, v in (("sets", sets), ("reps", reps), ("hold_s", hold_s), ("pain", pain),
                 ("rpe", rpe)):
        if v is not None:
            entry[k] = v
    day = _day(session_date, dt.date.today())
    services.log_exercise(st, athlete, [entry], performed_on=day)
    if request.headers.get("hx-request"):
        return HTMLResponse(f'<span class="done" data-logged="{exercise_id}">✓ logged '
                            f"{day.isoformat()}</span>")
    return redirect(f"/athletes/{athlete_id}/week")


@router.get("/athletes/{athlete_id}/progress", response_class=HTMLResponse)
def progress(request: Request, who: Me, athlete_id: int) -> Response:
    """Retests against the smallest detectable difference, metric trends, adherence, pain."""
    st = auth.state_of(request).store
    athlete = scope.athlete_for(st, who.user, athlete_id)
    rep = services.progress_report(st, athlete)
    series: dict[tuple[str, str | None], list[tuple[dt.date, float | None]]] = {}
    for a in rep.analyses:
        for m in a.metrics:
            series.setdefault((m.metric, m.leg), []).append((a.recorded_on, m.mean))
    sdd = services.smallest_detectable_differences()
    charts = {key: trend_chart(pts, sdd[key[0]]) for key, pts in series.items() if key[0] in sdd}
    return render(request, "progress.html", athlete=athlete, rep=rep, series=series,
                  charts=charts, sdd=sdd, flags=services.athlete_flags(st, athlete))


@dataclass(frozen=True)
class TrendChart:
    """Screen coordinates of one measure over time with the first value's ±SDD band."""

    points: str
    dots: list[tuple[float, float, str]]
    band_top: float
    band_height: float
    width: int = 320
    height: int = 90


def trend_chart(points: list[tuple[dt.date, float | None]], sdd: float) -> TrendChart | None:
    """Lay out a measure's values in a small SVG, with the band baseline ± SDD.

    Values inside the band are within measurement error of the first one.
    Presentation only: the verdicts themselves come from the progress report.
    """
    values = [(d, v) for d, v in points if v is not None]
    if not values:
        return None
    base = values[0][1]
    lo = min([v for _d, v in values] + [base - sdd]) - 0.5
    hi = max([v for _d, v in values] + [base + sdd]) + 0.5
    w, h, pad = 320, 90, 8

    def y(v: float) -> float:
        return round(pad + (hi - v) / (hi - lo) * (h - 2 * pad), 1)

    n = len(values)
    xs = [round(pad + (w - 2 * pad) * (i / (n - 1) if n > 1 else 0.5), 1) for i in range(n)]
    dots = [(x, y(v), f"{d}: {v:.1f}") for x, (d, v) in zip(xs, values, strict=True)]
    return TrendChart(" ".join(f"{x},{yy}" for x, yy, _ in dots), dots,
                      y(base + sdd), round(y(base - sdd) - y(base + sdd), 1))
