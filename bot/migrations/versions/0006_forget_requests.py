"""When a user asked Pushback to forget them, kept for a day, so that a triage they asked for before it and still
in progress is not stored after it.

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "forget_requests",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("team_id", sa.String(32), nullable=False),
        sa.Column("user_id", sa.String(32), nullable=False),
        sa.Column("forgotten_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_forget_requests_team_user", "forget_requests", ["team_id", "user_id", "forgotten_at"])


def downgrade() -> None:
    op.drop_index("ix_forget_requests_team_user", table_name="forget_requests")
    op.drop_table("forget_requests")
