"""CSRF protection: an itsdangerous-signed double-submit token tied to the sign-in session.

Every browser gets a random ``kt_csrf`` cookie (HttpOnly). Forms carry a
token signed with the server's key (:class:`itsdangerous.URLSafeTimedSerializer`)
over that cookie's value and the id of the current sign-in session; a request
that changes anything must send it back (form field ``csrf_token`` or header
``X-CSRF-Token``), and it is accepted only when the signature holds, it is not
older than the session lifetime, and both the cookie and the session match.
A token from before a sign-in or a sign-out is therefore void after it.
"""

from __future__ import annotations

import hmac
import secrets

from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from kneetrack.store import Store
from kneetrack.web.models import SettingRow

COOKIE = "kt_csrf"
FIELD = "csrf_token"
HEADER = "X-CSRF-Token"
_KEY_NAME = "csrf_signing_key"


def signing_key(store: Store, configured: str | None) -> str:
    """The configured key, else the one kept in the database (made on first use)."""
    if configured:
        return configured
    with store.transaction() as s:
        row = s.get(SettingRow, _KEY_NAME)
        if row is not None:
            return row.value
    try:
        with store.transaction() as s:
            s.add(SettingRow(key=_KEY_NAME, value=secrets.token_urlsafe(48)))
    except IntegrityError:
        pass                                    # another worker made it first
    with store.transaction() as s:
        return str(s.scalar(select(SettingRow.value).where(SettingRow.key == _KEY_NAME)))


class CsrfSigner:
    """Issue and check tokens with one signing key."""

    def __init__(self, key: str, *, max_age_s: int) -> None:
        self._s = URLSafeTimedSerializer(key, salt="kneetrack-csrf")
        self.max_age_s = max_age_s

    @staticmethod
    def new_nonce() -> str:
        """A fresh value for the ``kt_csrf`` cookie."""
        return secrets.token_urlsafe(24)

    def issue(self, nonce: str, session_id: int | None) -> str:
        """The token for a page shown to the browser with this cookie and session."""
        return str(self._s.dumps([nonce, session_id or 0]))

    def valid(self, token: str | None, nonce: str | None, session_id: int | None) -> bool:
        """Whether ``token`` was issued for this cookie and this session, recently enough."""
        if not token or not nonce:
            return False
        try:
            got = self._s.loads(token, max_age=self.max_age_s)
        except BadSignature:
            return False
        if not (isinstance(got, list) and len(got) == 2 and isinstance(got[0], str)):
            return False
        return hmac.compare_digest(got[0], nonce) and got[1] == (session_id or 0)
