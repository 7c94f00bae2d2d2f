"""Triages: every triage a user asked for.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "triages",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("team_id", sa.String(32), nullable=False),
        sa.Column("user_id", sa.String(32), nullable=False),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("origin_channel_id", sa.String(32)),
        sa.Column("channel_id", sa.String(32)),
        sa.Column("parent_ts", sa.String(32)),
        sa.Column("reply_ts", sa.String(32)),
        sa.Column("permalink", sa.String(512)),
        sa.Column("verdict", sa.String(32), nullable=False),
        sa.Column("reasons", sa.JSON(), nullable=False),
        sa.Column("tone", sa.String(16), nullable=False),
        sa.Column("feedback", sa.String(16)),
        sa.Column("request_text", sa.Text()),
        sa.Column("result", sa.JSON()),
        sa.Column("text_expires_at", sa.DateTime(timezone=True)),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_triages_team_user_created", "triages", ["team_id", "user_id", "created_at"])


def downgrade() -> None:
    op.drop_index("ix_triages_team_user_created", table_name="triages")
    op.drop_table("triages")
