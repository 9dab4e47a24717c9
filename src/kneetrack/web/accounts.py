"""Accounts: the owner, invitations, passwords (argon2 via pwdlib) and API tokens.

Secrets are never stored: invitation links, sign-in cookies and API tokens
are random (:func:`secrets.token_urlsafe`) and only their SHA-256 is kept, so
a copy of the database lets nobody sign in. Passwords are hashed with argon2.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass
from functools import lru_cache

from pwdlib import PasswordHash
from sqlalchemy import func, select

from kneetrack.errors import InputError
from kneetrack.store import Store
from kneetrack.store.orm import utcnow
from kneetrack.web.models import AthleteLinkRow, InviteRow, UserRow

MIN_PASSWORD = 10
MAX_PASSWORD = 1024


@dataclass(frozen=True)
class User:
    """A signed-in person as the pages and the API see them."""

    id: int
    email: str
    name: str
    role: str
    athlete_id: int | None

    @property
    def is_clinician(self) -> bool:
        """Clinicians and coaches look after many athletes."""
        return self.role == "clinician"


@dataclass(frozen=True)
class Invite:
    """A pending invitation as its creator sees it (the token only right after creation)."""

    id: int
    role: str
    athlete_id: int | None
    expires_at: dt.datetime
    token: str | None = None


@lru_cache(maxsize=1)
def _hasher() -> PasswordHash:
    return PasswordHash.recommended()


def token_digest(token: str) -> str:
    """SHA-256 (hex) of a random token: what the database keeps instead of it."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _user(r: UserRow) -> User:
    return User(r.id, r.email, r.name, r.role, r.athlete_id)


def _as_utc(v: dt.datetime) -> dt.datetime:
    return v if v.tzinfo is not None else v.replace(tzinfo=dt.UTC)


def normalise_email(email: str) -> str:
    """Trimmed, case-folded e-mail; a one-line :class:`InputError` if it is not one."""
    e = (email or "").strip().casefold()
    if "@" not in e or len(e) > 254 or any(c.isspace() for c in e) or e.startswith("@"):
        raise InputError("enter a valid e-mail address")
    return e


def check_password(password: str) -> str:
    """A new password: 10 to 1024 characters."""
    if not isinstance(password, str) or len(password) < MIN_PASSWORD:
        raise InputError(f"the password needs at least {MIN_PASSWORD} characters")
    if len(password) > MAX_PASSWORD:
        raise InputError(f"the password may have at most {MAX_PASSWORD} characters")
    return password


def _name(name: str) -> str:
    n = " ".join((name or "").split())
    if not n or len(n) > 120:
        raise InputError("enter a name (up to 120 characters)")
    return n


def has_users(store: Store) -> bool:
    """Whether any account exists (no account: the first-run page is open)."""
    with store.transaction() as s:
        return bool(s.scalar(select(func.count()).select_from(UserRow)))


def _insert_user(s, email: str, name: str, role: str, password: str,  # noqa: ANN001
                 athlete_id: int | None) -> UserRow:
    email = normalise_email(email)
    if s.scalar(select(UserRow.id).where(UserRow.email == email)) is not None:
        raise InputError("an account with this e-mail already exists")
    row = UserRow(email=email, name=_name(name), role=role,
                  password_hash=_hasher().hash(check_password(password)), athlete_id=athlete_id)
    s.add(row)
    s.flush()
    return row


def create_owner(store: Store, *, email: str, name: str, password: str) -> User:
    """Create the first account (a clinician); refused once any account exists."""
    with store.transaction() as s:
        if s.scalar(select(func.count()).select_from(UserRow)):
            raise InputError("the owner account already exists; sign in instead")
        return _user(_insert_user(s, email, name, "clinician", password, None))


def create_clinician(store: Store, *, email: str, name: str, password: str) -> User:
    """Create another clinician account directly (administration and tests)."""
    with store.transaction() as s:
        return _user(_insert_user(s, email, name, "clinician", password, None))


def authenticate(store: Store, email: str, password: str) -> User | None:
    """The user whose e-mail and password match, else ``None`` (same cost either way)."""
    try:
        key = normalise_email(email)
    except InputError:
        key = ""
    with store.transaction() as s:
        row = s.scalar(select(UserRow).where(UserRow.email == key)) if key else None
        if row is None:
            _hasher().verify(password or "", _dummy_hash())   # equal time for unknown accounts
            return None
        ok, new_hash = _hasher().verify_and_update(password or "", row.password_hash)
        if not ok:
            return None
        if new_hash is not None:
            row.password_hash = new_hash
        return _user(row)


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    return _hasher().hash(secrets.token_urlsafe(16))


def get_user(store: Store, user_id: int) -> User | None:
    """The account with this id, or ``None``."""
    with store.transaction() as s:
        row = s.get(UserRow, user_id)
        return _user(row) if row else None


# ------------------------------------------------------------------ clinicians and athletes

def link_athlete(store: Store, clinician: User, athlete_id: int) -> None:
    """Record that ``clinician`` looks after the athlete."""
    with store.transaction() as s:
        s.add(AthleteLinkRow(clinician_id=clinician.id, athlete_id=athlete_id))


def linked_athlete_ids(store: Store, clinician: User) -> set[int]:
    """Ids of the athletes this clinician looks after."""
    with store.transaction() as s:
        return set(s.scalars(select(AthleteLinkRow.athlete_id)
                             .where(AthleteLinkRow.clinician_id == clinician.id)))


def athlete_account(store: Store, athlete_id: int) -> User | None:
    """The athlete's own account, if they accepted an invitation."""
    with store.transaction() as s:
        row = s.scalar(select(UserRow).where(UserRow.athlete_id == athlete_id))
        return _user(row) if row else None


# ------------------------------------------------------------------ invitations

def create_invite(store: Store, creator: User, *, role: str, athlete_id: int | None,
                  lifetime: dt.timedelta) -> Invite:
    """A one-time link for an athlete (to their record) or a colleague clinician.

    The token is returned once, here; only its SHA-256 is stored.
    """
    if not creator.is_clinician:
        raise InputError("only a clinician can invite")
    if role == "athlete" and athlete_id is None:
        raise InputError("an athlete invitation needs the athlete")
    if role not in ("athlete", "clinician"):
        raise InputError(f"unknown role {role!r}")
    token = secrets.token_urlsafe(32)
    expires = utcnow() + lifetime
    with store.transaction() as s:
        if role == "athlete" and s.scalar(
                select(UserRow.id).where(UserRow.athlete_id == athlete_id)) is not None:
            raise InputError("this athlete already has an account")
        row = InviteRow(token_hash=token_digest(token), created_by=creator.id, role=role,
                        athlete_id=athlete_id if role == "athlete" else None, expires_at=expires)
        s.add(row)
        s.flush()
        return Invite(row.id, role, row.athlete_id, expires, token)


def _open_invite(s, token: str) -> InviteRow:  # noqa: ANN001
    row = s.scalar(select(InviteRow).where(InviteRow.token_hash == token_digest(token or "")))
    if row is None or row.used_at is not None or _as_utc(row.expires_at) <= utcnow():
        raise InputError("this invitation link is not valid (used, expired or mistyped); "
                         "ask for a new one")
    return row


def check_invite(store: Store, token: str) -> Invite:
    """The invitation behind ``token``; :class:`InputError` if used, expired or unknown."""
    with store.transaction() as s:
        row = _open_invite(s, token)
        return Invite(row.id, row.role, row.athlete_id, _as_utc(row.expires_at))


def accept_invite(store: Store, token: str, *, email: str, name: str, password: str) -> User:
    """Create the invited account and use the link up (both in one transaction)."""
    with store.transaction() as s:
        row = _open_invite(s, token)
        user = _insert_user(s, email, name, row.role, password, row.athlete_id)
        row.used_at = utcnow()
        return _user(user)


# ------------------------------------------------------------------ API tokens

def new_api_token(store: Store, user: User) -> str:
    """Issue a new API token for ``user`` (replacing any earlier one); shown once."""
    token = "kt_" + secrets.token_urlsafe(32)
    with store.transaction() as s:
        row = s.get(UserRow, user.id)
        assert row is not None
        row.api_token_hash = token_digest(token)
    return token


def user_for_api_token(store: Store, token: str) -> User | None:
    """The account an API token belongs to, or ``None``."""
    if not token:
        return None
    with store.transaction() as s:
        row = s.scalar(select(UserRow).where(UserRow.api_token_hash == token_digest(token)))
        return _user(row) if row else None
