"""Helpers shared by the page modules: rendering with the signed-in user and the CSRF token."""

from __future__ import annotations

from typing import Any

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from kneetrack.web import auth
from kneetrack.web.auth import Identity

#: Every page router adds this: state-changing requests need a CSRF token.
CSRF = [Depends(auth.csrf_protect)]


def render(request: Request, template: str, status_code: int = 200,
           **context: Any) -> HTMLResponse:
    """Render ``template`` with ``me`` (the signed-in user or ``None``) and ``csrf``."""
    st = auth.state_of(request)
    who = auth.identity(request)
    context.setdefault("me", who.user if who else None)
    context["csrf"] = auth.csrf_token(request)
    return st.templates.TemplateResponse(request, template, context, status_code=status_code)


def redirect(url: str) -> RedirectResponse:
    """See-other redirect after a form post."""
    return RedirectResponse(url, status_code=303)


def home_of(who: Identity) -> str:
    """Where a user lands after signing in."""
    if who.user.is_clinician or who.user.athlete_id is None:
        return "/athletes"
    return f"/athletes/{who.user.athlete_id}"
