"""Pages for accounts: first run, sign in and out, invitations, the account page."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, Response

from kneetrack.errors import InputError
from kneetrack.web import accounts, auth, scope
from kneetrack.web.auth import Identity
from kneetrack.web.pages_common import CSRF, home_of, redirect, render

router = APIRouter(dependencies=CSRF, include_in_schema=False)
Text = Annotated[str, Form()]
OptText = Annotated[str, Form()]


def _sign_in(request: Request, user: accounts.User, to: str) -> Response:
    st = auth.state_of(request)
    old = request.cookies.get(auth.SESSION_COOKIE)
    auth.end_session(st.store, old)                      # no session fixation
    token, _sid = auth.start_session(st.store, user, st.settings.session_lifetime)
    resp = redirect(to)
    auth.set_session_cookie(resp, request, token, st)
    return resp


@router.get("/", response_class=HTMLResponse)
def home(request: Request) -> Response:
    """Send each visitor where they belong: first run, sign in, or their start page."""
    st = auth.state_of(request)
    if not accounts.has_users(st.store):
        return redirect("/setup")
    who = auth.identity(request)
    return redirect(home_of(who) if who else "/login")


@router.get("/assets/report.css")
def report_css() -> Response:
    """The report's stylesheet, which the pages share (one look, one file to change)."""
    from importlib import resources

    css = resources.files("kneetrack.report").joinpath("templates/report.css").read_text("utf-8")
    return Response(css, media_type="text/css", headers={"Cache-Control": "max-age=3600"})


@router.get("/setup", response_class=HTMLResponse)
def setup_page(request: Request) -> Response:
    """First run: create the owner (clinician/coach) account. Gone once it exists."""
    if accounts.has_users(auth.state_of(request).store):
        return redirect("/login")
    return render(request, "setup.html")


@router.post("/setup", response_class=HTMLResponse)
def setup(request: Request, email: Text, name: Text, password: Text,
          password2: Text) -> Response:
    """Create the owner account and sign in."""
    st = auth.state_of(request)
    if accounts.has_users(st.store):
        return redirect("/login")
    try:
        if password != password2:
            raise InputError("the two passwords differ")
        user = accounts.create_owner(st.store, email=email, name=name, password=password)
    except InputError as err:
        return render(request, "setup.html", 400, error=str(err), email=email, name=name)
    return _sign_in(request, user, "/athletes")


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request) -> Response:
    """The sign-in form."""
    if not accounts.has_users(auth.state_of(request).store):
        return redirect("/setup")
    return render(request, "login.html")


@router.post("/login", response_class=HTMLResponse)
def login(request: Request, email: Text, password: Text) -> Response:
    """Sign in; refused (429) after too many failures for the account or the address."""
    st = auth.state_of(request)
    ip = auth.client_ip(request)
    if auth.login_blocked(st.store, st, email, ip):
        return render(request, "login.html", 429, email=email,
                      error="Too many failed sign-ins. Wait a few minutes and try again.")
    user = accounts.authenticate(st.store, email, password)
    if user is None:
        auth.record_failed_login(st.store, email, ip)
        return render(request, "login.html", 401, email=email,
                      error="Wrong e-mail or password.")
    auth.forget_failed_logins(st.store, email)
    return _sign_in(request, user, home_of(Identity(user, None)))


@router.post("/logout")
def logout(request: Request) -> Response:
    """Sign out: the session row is deleted, so the cookie is void everywhere."""
    st = auth.state_of(request)
    auth.end_session(st.store, request.cookies.get(auth.SESSION_COOKIE))
    resp = redirect("/login")
    resp.delete_cookie(auth.SESSION_COOKIE, path="/")
    return resp


@router.get("/invite/{token}", response_class=HTMLResponse)
def invite_page(request: Request, token: str) -> Response:
    """The invited person chooses a password."""
    st = auth.state_of(request)
    try:
        inv = accounts.check_invite(st.store, token)
    except InputError as err:
        return render(request, "error.html", 404, status=404, message=str(err))
    return render(request, "invite.html", invite=inv, token=token)


@router.post("/invite/{token}", response_class=HTMLResponse)
def accept_invite(request: Request, token: str, email: Text, name: Text, password: Text,
                  password2: Text) -> Response:
    """Create the invited account (the link is used up) and sign in."""
    st = auth.state_of(request)
    try:
        inv = accounts.check_invite(st.store, token)
    except InputError as err:
        return render(request, "error.html", 404, status=404, message=str(err))
    try:
        if password != password2:
            raise InputError("the two passwords differ")
        user = accounts.accept_invite(st.store, token, email=email, name=name, password=password)
    except InputError as err:
        return render(request, "invite.html", 400, invite=inv, token=token, error=str(err),
                      email=email, name=name)
    return _sign_in(request, user, home_of(Identity(user, None)))


@router.get("/account", response_class=HTMLResponse)
def account_page(request: Request,
                 who: Annotated[Identity, Depends(auth.require_user)]) -> Response:
    """Who is signed in; API token; invite a colleague (clinicians)."""
    return render(request, "account.html")


@router.post("/account/api-token", response_class=HTMLResponse)
def api_token(request: Request, who: Annotated[Identity, Depends(auth.require_user)]) -> Response:
    """Issue a new API token (shown once; the earlier one stops working)."""
    token = accounts.new_api_token(auth.state_of(request).store, who.user)
    return render(request, "account.html", api_token=token)


@router.post("/account/invite-clinician", response_class=HTMLResponse)
def invite_clinician(request: Request,
                     who: Annotated[Identity, Depends(auth.require_user)]) -> Response:
    """A one-time link for a colleague clinician (who sees only their own athletes)."""
    st = auth.state_of(request)
    inv = accounts.create_invite(st.store, scope.clinician_only(who.user), role="clinician",
                                 athlete_id=None, lifetime=st.settings.invite_lifetime)
    link = str(request.url_for("invite_page", token=inv.token))
    return render(request, "account.html", invite_link=link)
