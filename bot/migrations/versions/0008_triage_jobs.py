"""Triage jobs: a triage acked to a user is kept as a row until it is done, so another instance, or the restarted
one, finishes it when the process that acked it is stopped or dies.

Revision ID: 0008
Revises: 0007
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

STATUSES = ("queued", "claimed", "done", "failed")


def upgrade() -> None:
    op.create_table(
        "triage_jobs",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("request_id", sa.String(32), nullable=False),
        sa.Column("team_id", sa.String(32), nullable=False),
        sa.Column("enterprise_id", sa.String(32), nullable=True),
        sa.Column("user_id", sa.String(32), nullable=False),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("channel_id", sa.String(32), nullable=True),
        sa.Column("thread_ts", sa.String(32), nullable=True),
        sa.Column("response_url", sa.String(512), nullable=True),
        sa.Column("request_text", sa.Text(), nullable=True),
        sa.Column("details", sa.JSON(), nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("claim_token", sa.String(40), nullable=True),
        sa.Column("lease_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("available_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("text_expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("asked_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(f"status IN ({', '.join(repr(value) for value in STATUSES)})",
                           name="ck_triage_jobs_status"),
    )
    op.create_index("ix_triage_jobs_status_available", "triage_jobs", ["status", "available_at"])
    op.create_index("ix_triage_jobs_team_user", "triage_jobs", ["team_id", "user_id"])


def downgrade() -> None:
    op.drop_index("ix_triage_jobs_team_user", table_name="triage_jobs")
    op.drop_index("ix_triage_jobs_status_available", table_name="triage_jobs")
    op.drop_table("triage_jobs")
