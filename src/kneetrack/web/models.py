"""Database rows of the web app: accounts, sign-in sessions, invitations, sign-in attempts.

They extend the store's schema (same :class:`~kneetrack.store.orm.Base`) and
are created by the Alembic revision ``0010`` shipped with the store; these
classes must match it (``tests/store/test_migrations.py`` compares them).
Only :mod:`kneetrack.web.accounts` and :mod:`kneetrack.web.auth` use them.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from kneetrack.store.orm import Base, utcnow

ROLES = ("clinician", "athlete")


class UserRow(Base):
    """A person who signs in: a clinician/coach, or an athlete tied to one athlete record."""

    __tablename__ = "web_user"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    role: Mapped[str] = mapped_column(String(16))
    password_hash: Mapped[str] = mapped_column(String(255))
    athlete_id: Mapped[int | None] = mapped_column(
        ForeignKey("athlete.id", ondelete="CASCADE"), unique=True
    )
    api_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class AthleteLinkRow(Base):
    """A clinician looks after an athlete."""

    __tablename__ = "web_athlete_link"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    clinician_id: Mapped[int] = mapped_column(ForeignKey("web_user.id", ondelete="CASCADE"))
    athlete_id: Mapped[int] = mapped_column(
        ForeignKey("athlete.id", ondelete="CASCADE"), index=True
    )

    __table_args__ = (
        UniqueConstraint(
            "clinician_id", "athlete_id", name="uq_web_athlete_link_clinician_id_athlete_id"
        ),
    )


class SessionRow(Base):
    """A signed-in browser; the cookie holds a random token, this row its SHA-256."""

    __tablename__ = "web_session"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("web_user.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class InviteRow(Base):
    """A one-time invitation link (its token's SHA-256), for an athlete or a colleague."""

    __tablename__ = "web_invite"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_by: Mapped[int] = mapped_column(ForeignKey("web_user.id", ondelete="CASCADE"))
    role: Mapped[str] = mapped_column(String(16))
    athlete_id: Mapped[int | None] = mapped_column(ForeignKey("athlete.id", ondelete="CASCADE"))
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    used_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class LoginAttemptRow(Base):
    """A failed sign-in, counted per account (``acct:…``) and per client address (``ip:…``)."""

    __tablename__ = "web_login_attempt"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(300))
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    __table_args__ = (Index("ix_web_login_attempt_key_at", "key", "at"),)


class SettingRow(Base):
    """A server-wide value (the generated CSRF signing key)."""

    __tablename__ = "web_setting"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
