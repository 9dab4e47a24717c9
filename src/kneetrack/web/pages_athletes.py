"""Pages for athletes: the list with flags, one athlete, invitations, export and delete."""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, BackgroundTasks, Depends, Form, Request
from fastapi.responses import FileResponse, HTMLResponse, Response

from kneetrack.errors import InputError
from kneetrack.web import accounts, auth, scope, services
from kneetrack.web.auth import Identity
from kneetrack.web.pages_common import CSRF, redirect, render

router = APIRouter(dependencies=CSRF, include_in_schema=False)
Me = Annotated[Identity, Depends(auth.require_user)]


@router.get("/athletes", response_class=HTMLResponse)
def athlete_list(request: Request, who: Me) -> Response:
    """A clinician's athletes, each with its flags (an athlete is sent to their own page)."""
    if not who.user.is_clinician:
        return redirect(f"/athletes/{who.user.athlete_id}" if who.user.athlete_id else "/account")
    st = auth.state_of(request).store
    rows = [(a, services.athlete_flags(st, a)) for a in scope.visible_athletes(st, who.user)]
    return render(request, "athletes.html", rows=rows)


@router.post("/athletes", response_class=HTMLResponse)
def add_athlete(request: Request, who: Me, name: Annotated[str, Form()]) -> Response:
    """Add an athlete the clinician looks after, and show their invitation link."""
    st = auth.state_of(request)
    me = scope.clinician_only(who.user)
    try:
        athlete = services.add_athlete(st.store, name,
                                       mine=scope.visible_athletes(st.store, me))
    except InputError as err:
        rows = [(a, services.athlete_flags(st.store, a))
                for a in scope.visible_athletes(st.store, me)]
        return render(request, "athletes.html", 400, rows=rows, error=str(err), name=name)
    assert athlete.id is not None
    accounts.link_athlete(st.store, me, athlete.id)
    return _invite(request, me, athlete.id)


def _invite(request: Request, me: accounts.User, athlete_id: int) -> Response:
    st = auth.state_of(request)
    inv = accounts.create_invite(st.store, me, role="athlete", athlete_id=athlete_id,
                                 lifetime=st.settings.invite_lifetime)
    link = str(request.url_for("invite_page", token=inv.token))
    return _athlete_page(request, me, athlete_id, invite_link=link,
                         invite_hours=f"{st.settings.invite_hours:g}")


def _athlete_page(request: Request, user: accounts.User, athlete_id: int,
                  status: int = 200, **extra: object) -> Response:
    st = auth.state_of(request).store
    athlete = scope.athlete_for(st, user, athlete_id)
    return render(
        request, "athlete.html", status,
        athlete=athlete,
        analyses=list(reversed(services.analyses(st, athlete))),
        screenings=services.screenings(st, athlete),
        week=services.this_week(st, athlete, dt.date.today()),
        flags=services.athlete_flags(st, athlete),
        account=accounts.athlete_account(st, athlete_id),
        **extra,
    )


@router.get("/athletes/{athlete_id}", response_class=HTMLResponse)
def athlete_page(request: Request, who: Me, athlete_id: int) -> Response:
    """One athlete: analyses, screening, programme, progress, export and delete."""
    return _athlete_page(request, who.user, athlete_id)


@router.post("/athletes/{athlete_id}/invite", response_class=HTMLResponse)
def invite_athlete(request: Request, who: Me, athlete_id: int) -> Response:
    """A new one-time invitation link for the athlete (until they have an account)."""
    scope.athlete_for(auth.state_of(request).store, who.user, athlete_id)
    me = scope.clinician_only(who.user)
    return _invite(request, me, athlete_id)


@router.get("/athletes/{athlete_id}/export")
def export(request: Request, who: Me, athlete_id: int, background: BackgroundTasks) -> Response:
    """A ZIP of everything stored about the athlete (rows as JSON, and every file)."""
    st = auth.state_of(request).store
    athlete = scope.athlete_for(st, who.user, athlete_id)
    tmp = Path(tempfile.mkdtemp(prefix="kneetrack-export-"))
    path = services.export_athlete(st, athlete, tmp / "athlete.zip")
    background.add_task(_remove_tree, tmp)
    return FileResponse(path, media_type="application/zip",
                        filename=f"kneetrack-athlete-{athlete_id}.zip")


def _remove_tree(folder: Path) -> None:
    import shutil

    shutil.rmtree(folder, ignore_errors=True)


@router.post("/athletes/{athlete_id}/delete", response_class=HTMLResponse)
def delete(request: Request, who: Me, athlete_id: int) -> Response:
    """Delete the athlete, their account, and all their files."""
    st = auth.state_of(request).store
    athlete = scope.athlete_for(st, who.user, athlete_id)
    services.delete_athlete(st, athlete)
    return redirect("/athletes" if who.user.is_clinician else "/login")
