"""Sign-in sessions, the login rate limit, and the FastAPI dependencies that use them.

A sign-in creates a server-side session row; the ``kt_session`` cookie holds
a random token whose SHA-256 finds that row. Signing out deletes the row, so
the old cookie is worthless from then on. Cookies are HttpOnly and
SameSite=Lax, and Secure over https (or always, with ``WebSettings.https``).

The API also accepts ``Authorization: Bearer <token>`` with a per-user token;
such requests carry no cookie and so need no CSRF token.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass
from typing import TYPE_CHECKING

from fastapi import HTTPException, Request, Response
from sqlalchemy import delete, func, select

from kneetrack.store import Store
from kneetrack.store.orm import utcnow
from kneetrack.web import accounts, csrf
from kneetrack.web.accounts import User, token_digest
from kneetrack.web.models import LoginAttemptRow, SessionRow, UserRow

if TYPE_CHECKING:
    from kneetrack.web.app import WebState

SESSION_COOKIE = "kt_session"
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


@dataclass(frozen=True)
class Identity:
    """Who sent a request, and how (session id for cookies, ``None`` for an API token)."""

    user: User
    session_id: int | None


class NotSignedInError(Exception):
    """Raised by :func:`require_user`; pages answer with a redirect, the API with 401."""


# ------------------------------------------------------------------ sessions

def start_session(store: Store, user: User, lifetime: dt.timedelta) -> tuple[str, int]:
    """Create a session row for ``user``; return the cookie token and the row id."""
    token = secrets.token_urlsafe(32)
    now = utcnow()
    with store.transaction() as s:
        s.execute(delete(SessionRow).where(SessionRow.expires_at < now))
        row = SessionRow(token_hash=token_digest(token), user_id=user.id, expires_at=now + lifetime)
        s.add(row)
        s.flush()
        return token, row.id


def end_session(store: Store, token: str | None) -> None:
    """Delete the session behind ``token`` (nothing happens for an unknown token)."""
    if token:
        with store.transaction() as s:
            s.execute(delete(SessionRow).where(SessionRow.token_hash == token_digest(token)))


def session_identity(store: Store, token: str | None) -> Identity | None:
    """The signed-in user of a live session, else ``None``."""
    if not token:
        return None
    with store.transaction() as s:
        found = s.execute(
            select(SessionRow.id, SessionRow.expires_at, UserRow)
            .join(UserRow, UserRow.id == SessionRow.user_id)
            .where(SessionRow.token_hash == token_digest(token))
        ).first()
        if found is None:
            return None
        sid, expires, row = found
        if (expires if expires.tzinfo else expires.replace(tzinfo=dt.UTC)) <= utcnow():
            return None
        return Identity(User(row.id, row.email, row.name, row.role, row.athlete_id), sid)


def set_session_cookie(response: Response, request: Request, token: str,
                       state: WebState) -> None:
    """Set ``kt_session``: HttpOnly, SameSite=Lax, Secure over https."""
    response.set_cookie(
        SESSION_COOKIE, token, max_age=int(state.settings.session_lifetime.total_seconds()),
        httponly=True, samesite="lax", secure=is_https(request, state), path="/",
    )


def is_https(request: Request, state: WebState) -> bool:
    """Whether cookies must be Secure for this request."""
    return state.settings.https or request.url.scheme == "https"


# ------------------------------------------------------------------ login rate limit

def client_ip(request: Request) -> str:
    """The client's address as the server sees it.

    Behind a reverse proxy, serve with ``--proxy-headers`` so this is the real client.
    """
    return request.client.host if request.client else "unknown"


def _keys(email: str, ip: str) -> tuple[str, str]:
    return "acct:" + (email or "").strip().casefold()[:254], "ip:" + ip[:64]


def login_blocked(store: Store, state: WebState, email: str, ip: str) -> bool:
    """Whether this account or this address used up its failed sign-ins in the window."""
    acct, addr = _keys(email, ip)
    since = utcnow() - state.settings.login_window
    with store.transaction() as s:
        s.execute(delete(LoginAttemptRow).where(LoginAttemptRow.at < since))

        def count(key: str) -> int:
            return int(s.scalar(select(func.count()).select_from(LoginAttemptRow)
                                .where(LoginAttemptRow.key == key,
                                       LoginAttemptRow.at >= since)) or 0)

        return (count(acct) >= state.settings.login_max_per_account
                or count(addr) >= state.settings.login_max_per_ip)


def record_failed_login(store: Store, email: str, ip: str) -> None:
    """Count one failed sign-in against the account and the address."""
    now = utcnow()
    with store.transaction() as s:
        s.add_all([LoginAttemptRow(key=k, at=now) for k in _keys(email, ip)])


def forget_failed_logins(store: Store, email: str) -> None:
    """A successful sign-in clears the account's count (the address keeps its own)."""
    acct, _ = _keys(email, "")
    with store.transaction() as s:
        s.execute(delete(LoginAttemptRow).where(LoginAttemptRow.key == acct))


# ------------------------------------------------------------------ request dependencies

def state_of(request: Request) -> WebState:
    """The app's :class:`~kneetrack.web.app.WebState`."""
    return request.app.state.kt


def identity(request: Request) -> Identity | None:
    """Who sent this request: a bearer API token (``/api`` only) or the session cookie."""
    if hasattr(request.state, "identity"):
        return request.state.identity
    st = state_of(request)
    found: Identity | None = None
    header = request.headers.get("authorization", "")
    if request.url.path.startswith("/api") and header.lower().startswith("bearer "):
        user = accounts.user_for_api_token(st.store, header[7:].strip())
        found = Identity(user, None) if user else None
        if found is None:
            raise HTTPException(401, "invalid API token", {"WWW-Authenticate": "Bearer"})
    else:
        found = session_identity(st.store, request.cookies.get(SESSION_COOKIE))
    request.state.identity = found
    return found


def require_user(request: Request) -> Identity:
    """The signed-in user, else :class:`NotSignedInError`."""
    who = identity(request)
    if who is None:
        raise NotSignedInError()
    return who


def csrf_token(request: Request) -> str:
    """The CSRF token for pages shown in answer to this request."""
    st = state_of(request)
    who = identity(request)
    return st.signer.issue(csrf_nonce(request), who.session_id if who else None)


def csrf_nonce(request: Request) -> str:
    """The browser's ``kt_csrf`` value (a new one, set on the response, if it has none)."""
    nonce = request.cookies.get(csrf.COOKIE) or getattr(request.state, "new_csrf_nonce", None)
    if not nonce:
        nonce = csrf.CsrfSigner.new_nonce()
        request.state.new_csrf_nonce = nonce
    return nonce


async def csrf_protect(request: Request) -> None:
    """Refuse (403) a state-changing request without a valid CSRF token.

    Requests authenticated by an API token carry no cookie and are exempt.
    """
    if request.method in SAFE_METHODS:
        return
    if request.url.path.startswith("/api") and \
            request.headers.get("authorization", "").lower().startswith("bearer "):
        return
    token = request.headers.get(csrf.HEADER)
    if not token and request.headers.get("content-type", "").startswith(
            ("application/x-www-form-urlencoded", "multipart/form-data")):
        form = await request.form()
        value = form.get(csrf.FIELD)
        token = value if isinstance(value, str) else None
    who = identity(request)
    st = state_of(request)
    if not st.signer.valid(token, request.cookies.get(csrf.COOKIE),
                           who.session_id if who else None):
        raise HTTPException(403, "missing or invalid CSRF token; reload the page and try again")
