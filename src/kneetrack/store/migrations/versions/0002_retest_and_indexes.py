"""Retest links between analyses; indexes for per-athlete history by date.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "retest",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("athlete_id", sa.Integer(), nullable=False),
        sa.Column("baseline_id", sa.Integer(), nullable=False),
        sa.Column("followup_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["athlete_id"], ["athlete.id"], name="fk_retest_athlete_id_athlete", ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["baseline_id"],
            ["analysis.id"],
            name="fk_retest_baseline_id_analysis",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["followup_id"],
            ["analysis.id"],
            name="fk_retest_followup_id_analysis",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_retest"),
        sa.UniqueConstraint("followup_id", name="uq_retest_followup_id"),
    )
    op.create_index("ix_retest_athlete_id", "retest", ["athlete_id"])
    op.create_index(
        "ix_workout_log_athlete_performed", "workout_log", ["athlete_id", "performed_on"]
    )
    op.create_index("ix_analysis_athlete_recorded", "analysis", ["athlete_id", "recorded_on"])


def downgrade() -> None:
    """Revert this revision."""
    op.drop_index("ix_analysis_athlete_recorded", table_name="analysis")
    op.drop_index("ix_workout_log_athlete_performed", table_name="workout_log")
    op.drop_index("ix_retest_athlete_id", table_name="retest")
    op.drop_table("retest")
