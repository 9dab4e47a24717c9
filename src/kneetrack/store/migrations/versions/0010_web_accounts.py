"""Web app accounts: users, clinician–athlete links, sessions, invitations, sign-in attempts.

Revision ID: 0010
Revises: 0002
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0002"
branch_labels = None
depends_on = None


def _when(name: str, *, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "web_user",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(254), nullable=False),
        sa.Column("name", sa.String(120), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("password_hash", sa.String(255), nullable=False),
        sa.Column("athlete_id", sa.Integer(), nullable=True),
        sa.Column("api_token_hash", sa.String(64), nullable=True),
        _when("created_at"),
        sa.ForeignKeyConstraint(["athlete_id"], ["athlete.id"],
                                name="fk_web_user_athlete_id_athlete", ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name="pk_web_user"),
        sa.UniqueConstraint("email", name="uq_web_user_email"),
        sa.UniqueConstraint("athlete_id", name="uq_web_user_athlete_id"),
        sa.UniqueConstraint("api_token_hash", name="uq_web_user_api_token_hash"),
    )
    op.create_table(
        "web_athlete_link",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("clinician_id", sa.Integer(), nullable=False),
        sa.Column("athlete_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["clinician_id"], ["web_user.id"],
                                name="fk_web_athlete_link_clinician_id_web_user",
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["athlete_id"], ["athlete.id"],
                                name="fk_web_athlete_link_athlete_id_athlete", ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name="pk_web_athlete_link"),
        sa.UniqueConstraint("clinician_id", "athlete_id",
                            name="uq_web_athlete_link_clinician_id_athlete_id"),
    )
    op.create_index("ix_web_athlete_link_athlete_id", "web_athlete_link", ["athlete_id"])
    op.create_table(
        "web_session",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        _when("created_at"),
        _when("expires_at"),
        sa.ForeignKeyConstraint(["user_id"], ["web_user.id"],
                                name="fk_web_session_user_id_web_user", ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name="pk_web_session"),
        sa.UniqueConstraint("token_hash", name="uq_web_session_token_hash"),
    )
    op.create_index("ix_web_session_user_id", "web_session", ["user_id"])
    op.create_table(
        "web_invite",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("athlete_id", sa.Integer(), nullable=True),
        _when("expires_at"),
        _when("used_at", nullable=True),
        _when("created_at"),
        sa.ForeignKeyConstraint(["created_by"], ["web_user.id"],
                                name="fk_web_invite_created_by_web_user", ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["athlete_id"], ["athlete.id"],
                                name="fk_web_invite_athlete_id_athlete", ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name="pk_web_invite"),
        sa.UniqueConstraint("token_hash", name="uq_web_invite_token_hash"),
    )
    op.create_table(
        "web_login_attempt",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(300), nullable=False),
        _when("at"),
        sa.PrimaryKeyConstraint("id", name="pk_web_login_attempt"),
    )
    op.create_index("ix_web_login_attempt_key_at", "web_login_attempt", ["key", "at"])
    op.create_table(
        "web_setting",
        sa.Column("key", sa.String(64), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("key", name="pk_web_setting"),
    )


def downgrade() -> None:
    """Revert this revision."""
    op.drop_table("web_setting")
    op.drop_index("ix_web_login_attempt_key_at", table_name="web_login_attempt")
    op.drop_table("web_login_attempt")
    op.drop_table("web_invite")
    op.drop_index("ix_web_session_user_id", table_name="web_session")
    op.drop_table("web_session")
    op.drop_index("ix_web_athlete_link_athlete_id", table_name="web_athlete_link")
    op.drop_table("web_athlete_link")
    op.drop_table("web_user")
