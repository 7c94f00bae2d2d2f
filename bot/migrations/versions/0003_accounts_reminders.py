"""Client accounts, workspace reminder defaults, the push-back log, and QBR reminders.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def _timestamps() -> list[sa.Column]:
    return [sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
            sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False)]


def upgrade() -> None:
    op.create_table(
        "workspace_settings",
        sa.Column("team_id", sa.String(32), primary_key=True),
        sa.Column("reminder_offsets", sa.JSON()),
        sa.Column("send_time", sa.String(5)),
        sa.Column("timezone", sa.String(64)),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "accounts",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("team_id", sa.String(32), nullable=False),
        sa.Column("name", sa.String(120), nullable=False),
        sa.Column("owner_id", sa.String(32), nullable=False),
        sa.Column("teammates", sa.JSON(), nullable=False),
        sa.Column("email_domain", sa.String(255)),
        sa.Column("next_qbr", sa.Date(), nullable=False),
        sa.Column("cadence_months", sa.Integer(), nullable=False),
        sa.Column("scope_notes", sa.Text(), nullable=False),
        sa.Column("reminder_offsets", sa.JSON()),
        sa.Column("send_time", sa.String(5)),
        sa.Column("owner_timezone", sa.String(64)),
        *_timestamps(),
        sa.UniqueConstraint("team_id", "name", name="uq_accounts_team_name"),
    )
    op.create_index("ix_accounts_team_owner", "accounts", ["team_id", "owner_id"])
    op.create_table(
        "pushback_log",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("team_id", sa.String(32), nullable=False),
        sa.Column("account_id", sa.Integer(), sa.ForeignKey("accounts.id", ondelete="CASCADE"), nullable=False),
        sa.Column("triage_id", sa.Integer(), sa.ForeignKey("triages.id", ondelete="SET NULL")),
        sa.Column("user_id", sa.String(32), nullable=False),
        sa.Column("summary", sa.String(200), nullable=False),
        sa.Column("verdict", sa.String(32), nullable=False),
        sa.Column("reasons", sa.JSON(), nullable=False),
        sa.Column("outcome", sa.String(32)),
        sa.Column("logged_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("outcome_at", sa.DateTime(timezone=True)),
    )
    op.create_index("ix_pushback_log_account_logged", "pushback_log", ["account_id", "logged_at"])
    op.create_table(
        "reminders",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("team_id", sa.String(32), nullable=False),
        sa.Column("account_id", sa.Integer(), sa.ForeignKey("accounts.id", ondelete="CASCADE"), nullable=False),
        sa.Column("owner_id", sa.String(32), nullable=False),
        sa.Column("qbr_date", sa.Date(), nullable=False),
        sa.Column("offset_days", sa.Integer(), nullable=False),
        sa.Column("snooze", sa.Integer(), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("claim_token", sa.String(40)),
        sa.Column("lease_until", sa.DateTime(timezone=True)),
        sa.Column("channel_id", sa.String(32)),
        sa.Column("message_ts", sa.String(32)),
        sa.Column("error", sa.String(200)),
        sa.Column("sent_at", sa.DateTime(timezone=True)),
        *_timestamps(),
        sa.UniqueConstraint("account_id", "qbr_date", "offset_days", "snooze", name="uq_reminders_key"),
    )
    op.create_index("ix_reminders_status_due", "reminders", ["status", "due_at"])


def downgrade() -> None:
    op.drop_table("reminders")
    op.drop_table("pushback_log")
    op.drop_index("ix_accounts_team_owner", table_name="accounts")
    op.drop_table("accounts")
    op.drop_table("workspace_settings")
