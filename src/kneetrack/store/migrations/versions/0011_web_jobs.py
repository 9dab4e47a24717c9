"""Web uploads and the persistent analysis job queue.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "web_upload",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("athlete_id", sa.Integer(), nullable=False),
        sa.Column("stored_path", sa.Text(), nullable=False),
        sa.Column("client_name", sa.String(200), nullable=False),
        sa.Column("container", sa.String(8), nullable=False),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("duration_s", sa.Float(), nullable=True),
        sa.Column("uploaded_by", sa.Integer(), nullable=True),
        sa.Column("created_at", TZ, nullable=False),
        sa.ForeignKeyConstraint(["athlete_id"], ["athlete.id"],
                                name="fk_web_upload_athlete_id_athlete", ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name="pk_web_upload"),
        sa.UniqueConstraint("athlete_id", "sha256", name="uq_web_upload_athlete_id_sha256"),
    )
    op.create_index("ix_web_upload_athlete_id", "web_upload", ["athlete_id"])
    op.create_table(
        "web_job",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("athlete_id", sa.Integer(), nullable=False),
        sa.Column("dedupe_key", sa.String(64), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("max_attempts", sa.Integer(), nullable=False),
        sa.Column("lease_owner", sa.String(160), nullable=True),
        sa.Column("lease_until", TZ, nullable=True),
        sa.Column("heartbeat_at", TZ, nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("analysis_id", sa.Integer(), nullable=True),
        sa.Column("recorded_on", sa.Date(), nullable=False),
        sa.Column("options", sa.JSON(), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("started_at", TZ, nullable=True),
        sa.Column("finished_at", TZ, nullable=True),
        sa.ForeignKeyConstraint(["athlete_id"], ["athlete.id"],
                                name="fk_web_job_athlete_id_athlete", ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["analysis_id"], ["analysis.id"],
                                name="fk_web_job_analysis_id_analysis", ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name="pk_web_job"),
        sa.UniqueConstraint("dedupe_key", name="uq_web_job_dedupe_key"),
    )
    op.create_index("ix_web_job_athlete_id", "web_job", ["athlete_id"])
    op.create_index("ix_web_job_status_id", "web_job", ["status", "id"])
    op.create_table(
        "web_job_clip",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("job_id", sa.Integer(), nullable=False),
        sa.Column("upload_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("view", sa.String(16), nullable=True),
        sa.Column("analysis_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["job_id"], ["web_job.id"],
                                name="fk_web_job_clip_job_id_web_job", ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["upload_id"], ["web_upload.id"],
                                name="fk_web_job_clip_upload_id_web_upload", ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["analysis_id"], ["analysis.id"],
                                name="fk_web_job_clip_analysis_id_analysis", ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name="pk_web_job_clip"),
        sa.UniqueConstraint("job_id", "position", name="uq_web_job_clip_job_id_position"),
    )
    op.create_index("ix_web_job_clip_job_id", "web_job_clip", ["job_id"])


def downgrade() -> None:
    """Revert this revision."""
    op.drop_index("ix_web_job_clip_job_id", table_name="web_job_clip")
    op.drop_table("web_job_clip")
    op.drop_index("ix_web_job_status_id", table_name="web_job")
    op.drop_index("ix_web_job_athlete_id", table_name="web_job")
    op.drop_table("web_job")
    op.drop_index("ix_web_upload_athlete_id", table_name="web_upload")
    op.drop_table("web_upload")
