"""Database rows (SQLAlchemy 2 typed ORM). Only the repository uses these.

The schema is created and changed by the Alembic revisions in
``kneetrack/store/migrations/versions``; these classes must match the newest
revision (a test compares them).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> dt.datetime:
    """Timezone-aware now in UTC."""
    return dt.datetime.now(dt.UTC)


class Base(DeclarativeBase):
    """Declarative base with a stable constraint naming convention."""

    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {dict[str, Any]: JSON, list[Any]: JSON}


class AthleteRow(Base):
    """A runner."""

    __tablename__ = "athlete"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uid: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    name_key: Mapped[str] = mapped_column(String(120), unique=True)
    sex: Mapped[str | None] = mapped_column(String(16))
    birth_year: Mapped[int | None] = mapped_column(Integer)
    height_cm: Mapped[float | None] = mapped_column(Float)
    dominant_leg: Mapped[str | None] = mapped_column(String(8))
    notes: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class AnalysisRow(Base):
    """One stored analysis.json (summary only; dense files in the artefact folder)."""

    __tablename__ = "analysis"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    athlete_id: Mapped[int] = mapped_column(
        ForeignKey("athlete.id", ondelete="CASCADE"), index=True
    )
    recorded_on: Mapped[dt.date] = mapped_column(Date)
    view: Mapped[str | None] = mapped_column(String(16))
    kind: Mapped[str | None] = mapped_column(String(16))
    source_path: Mapped[str | None] = mapped_column(Text)
    cadence_spm: Mapped[float | None] = mapped_column(Float)
    tracked_fraction: Mapped[float | None] = mapped_column(Float)
    summary: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    artefact_dir: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    __table_args__ = (Index("ix_analysis_athlete_recorded", "athlete_id", "recorded_on"),)


class AnalysisMetricRow(Base):
    """Mean/SD/n/max of one metric of one leg of an analysis."""

    __tablename__ = "analysis_metric"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    analysis_id: Mapped[int] = mapped_column(
        ForeignKey("analysis.id", ondelete="CASCADE"), index=True
    )
    metric: Mapped[str] = mapped_column(String(64))
    leg: Mapped[str | None] = mapped_column(String(8))
    mean: Mapped[float | None] = mapped_column(Float)
    sd: Mapped[float | None] = mapped_column(Float)
    n: Mapped[int] = mapped_column(Integer, default=0)
    max: Mapped[float | None] = mapped_column(Float)


class ScreeningRow(Base):
    """One screening.json."""

    __tablename__ = "screening"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    athlete_id: Mapped[int] = mapped_column(
        ForeignKey("athlete.id", ondelete="CASCADE"), index=True
    )
    taken_on: Mapped[dt.date] = mapped_column(Date)
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class ProgrammeRow(Base):
    """One version of a programme.json."""

    __tablename__ = "programme"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    athlete_id: Mapped[int] = mapped_column(
        ForeignKey("athlete.id", ondelete="CASCADE"), index=True
    )
    analysis_id: Mapped[int | None] = mapped_column(ForeignKey("analysis.id", ondelete="SET NULL"))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("programme.id", ondelete="SET NULL"))
    start_date: Mapped[dt.date | None] = mapped_column(Date)
    decision: Mapped[str | None] = mapped_column(String(16))
    reasons: Mapped[list[Any]] = mapped_column(JSON, default=list)
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class ProgrammeWeekRow(Base):
    """One week of a programme version."""

    __tablename__ = "programme_week"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    programme_id: Mapped[int] = mapped_column(
        ForeignKey("programme.id", ondelete="CASCADE"), index=True
    )
    week: Mapped[int] = mapped_column(Integer)
    phase: Mapped[str | None] = mapped_column(String(32))
    start_date: Mapped[dt.date | None] = mapped_column(Date)
    planned_sessions: Mapped[int] = mapped_column(Integer, default=0)

    __table_args__ = (
        UniqueConstraint("programme_id", "week", name="uq_programme_week_programme_id_week"),
    )


class WorkoutLogRow(Base):
    """One exercise done in a session."""

    __tablename__ = "workout_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    athlete_id: Mapped[int] = mapped_column(ForeignKey("athlete.id", ondelete="CASCADE"))
    programme_id: Mapped[int | None] = mapped_column(
        ForeignKey("programme.id", ondelete="SET NULL")
    )
    performed_on: Mapped[dt.date] = mapped_column(Date)
    exercise_id: Mapped[str] = mapped_column(String(64))
    sets: Mapped[int | None] = mapped_column(Integer)
    reps: Mapped[int | None] = mapped_column(Integer)
    hold_s: Mapped[float | None] = mapped_column(Float)
    load: Mapped[str | None] = mapped_column(String(64))
    rpe: Mapped[float | None] = mapped_column(Float)
    pain: Mapped[float | None] = mapped_column(Float)
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    # Added by revision 0002.
    __table_args__ = (Index("ix_workout_log_athlete_performed", "athlete_id", "performed_on"),)


class RetestRow(Base):
    """Added by revision 0002: a follow-up analysis compared with a baseline."""

    __tablename__ = "retest"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    athlete_id: Mapped[int] = mapped_column(
        ForeignKey("athlete.id", ondelete="CASCADE"), index=True
    )
    baseline_id: Mapped[int] = mapped_column(ForeignKey("analysis.id", ondelete="CASCADE"))
    followup_id: Mapped[int] = mapped_column(
        ForeignKey("analysis.id", ondelete="CASCADE"), unique=True
    )
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)



class WebUploadRow(Base):
    """Added by revision 0011: a video uploaded through the web app, under a generated name."""

    __tablename__ = "web_upload"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    athlete_id: Mapped[int] = mapped_column(
        ForeignKey("athlete.id", ondelete="CASCADE"), index=True
    )
    stored_path: Mapped[str] = mapped_column(Text)  # relative to the artefact root
    client_name: Mapped[str] = mapped_column(String(200))
    container: Mapped[str] = mapped_column(String(8))
    size_bytes: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    duration_s: Mapped[float | None] = mapped_column(Float)
    uploaded_by: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    __table_args__ = (
        UniqueConstraint("athlete_id", "sha256", name="uq_web_upload_athlete_id_sha256"),
    )


class WebJobRow(Base):
    """Added by revision 0011: one queued analysis of uploaded clips (one assessment)."""

    __tablename__ = "web_job"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    athlete_id: Mapped[int] = mapped_column(
        ForeignKey("athlete.id", ondelete="CASCADE"), index=True
    )
    dedupe_key: Mapped[str] = mapped_column(String(64), unique=True)
    status: Mapped[str] = mapped_column(String(16))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    max_attempts: Mapped[int] = mapped_column(Integer, default=2)
    lease_owner: Mapped[str | None] = mapped_column(String(160))
    lease_until: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    heartbeat_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    error: Mapped[str | None] = mapped_column(Text)
    analysis_id: Mapped[int | None] = mapped_column(
        ForeignKey("analysis.id", ondelete="SET NULL")
    )
    recorded_on: Mapped[dt.date] = mapped_column(Date)
    options: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_by: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    started_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))

    __table_args__ = (Index("ix_web_job_status_id", "status", "id"),)


class WebJobClipRow(Base):
    """Added by revision 0011: one uploaded clip of a job and the analysis stored from it."""

    __tablename__ = "web_job_clip"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    job_id: Mapped[int] = mapped_column(ForeignKey("web_job.id", ondelete="CASCADE"), index=True)
    upload_id: Mapped[int] = mapped_column(ForeignKey("web_upload.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    view: Mapped[str | None] = mapped_column(String(16))
    analysis_id: Mapped[int | None] = mapped_column(
        ForeignKey("analysis.id", ondelete="SET NULL")
    )

    __table_args__ = (
        UniqueConstraint("job_id", "position", name="uq_web_job_clip_job_id_position"),
    )


#: Tables in an order that respects foreign keys (parents first).
TABLE_ORDER = (
    "athlete",
    "analysis",
    "analysis_metric",
    "screening",
    "programme",
    "programme_week",
    "workout_log",
    "retest",
)

#: The web app's tables (``web/models.py`` and the upload/job rows above), after
#: :data:`TABLE_ORDER` in foreign-key order; backups keep them. The store does
#: not import the web package, so the backup code reflects the ones it has no
#: class for from the database.
WEB_TABLE_ORDER = (
    "web_user",
    "web_athlete_link",
    "web_invite",
    "web_setting",
    "web_upload",
    "web_job",
    "web_job_clip",
)

#: Web tables emptied by a restore but never written to a backup: signed-in
#: browsers and sign-in attempts are short-lived security state (a restored
#: database starts with everyone signed out).
WEB_TRANSIENT_TABLES = ("web_session", "web_login_attempt")
