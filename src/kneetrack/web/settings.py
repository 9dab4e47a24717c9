"""Settings of the web app, handed to :func:`kneetrack.web.app.create_app`."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from kneetrack.web.jobs_settings import JobSettings


@dataclass(frozen=True)
class WebSettings:
    """What the web app needs to know; nothing is read from globals elsewhere.

    Parameters
    ----------
    db
        Database URL or SQLite file (``None``: ``KNEETRACK_DB`` or the user's
        data folder, as for the CLI; see :mod:`kneetrack.store.config`).
    artefacts
        Artefact folder override (``None``: beside the database).
    secret_key
        Key that signs CSRF tokens. ``None``: a random key generated once and
        kept in the database, so every worker process of one server shares it.
    https
        Mark cookies ``Secure`` always (behind an https reverse proxy). Cookies
        are also ``Secure`` for any request that arrives over https.
    session_days
        How long a sign-in lasts without activity.
    invite_hours
        How long an invitation link stays valid.
    login_max_per_account, login_max_per_ip, login_window_min
        Failed sign-ins allowed per account and per client address within
        the window before further attempts are refused (HTTP 429).
    jobs
        Uploads and analysis jobs: upload limits, the worker processes the
        server starts, the batch engine they use (:class:`JobSettings`).
    """

    db: str | None = None
    artefacts: str | None = None
    secret_key: str | None = None
    https: bool = False
    session_days: float = 14.0
    invite_hours: float = 72.0
    login_max_per_account: int = 5
    login_max_per_ip: int = 20
    login_window_min: float = 15.0
    jobs: JobSettings = field(default_factory=JobSettings)

    @property
    def session_lifetime(self) -> dt.timedelta:
        """:attr:`session_days` as a timedelta."""
        return dt.timedelta(days=self.session_days)

    @property
    def invite_lifetime(self) -> dt.timedelta:
        """:attr:`invite_hours` as a timedelta."""
        return dt.timedelta(hours=self.invite_hours)

    @property
    def login_window(self) -> dt.timedelta:
        """:attr:`login_window_min` as a timedelta."""
        return dt.timedelta(minutes=self.login_window_min)
