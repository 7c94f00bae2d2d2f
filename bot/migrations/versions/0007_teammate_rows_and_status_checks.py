"""Teammates as rows of `account_teammates` (moved out of the accounts' JSON column, every one kept), and a CHECK
constraint on each status column: a reminder's status, a triage's feedback, a push-back's outcome.

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

STATUS_CHECKS = {
    # table: (column, constraint, allowed values)
    "reminders": ("status", "ck_reminders_status",
                  ("pending", "sending", "sent", "skipped", "failed", "cancelled")),
    "triages": ("feedback", "ck_triages_feedback", ("helpful", "not_helpful")),
    "pushback_log": ("outcome", "ck_pushback_log_outcome", ("sent", "agreed", "insisted", "escalated")),
}

_accounts = sa.table("accounts", sa.column("id", sa.Integer()), sa.column("owner_id", sa.String()),
                     sa.column("teammates", sa.JSON()))
_teammates = sa.table("account_teammates", sa.column("account_id", sa.Integer()), sa.column("user_id", sa.String()))


def _allowed(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(value) for value in values)})"


def upgrade() -> None:
    op.create_table(
        "account_teammates",
        sa.Column("account_id", sa.Integer(), sa.ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("user_id", sa.String(32), primary_key=True),
    )
    op.create_index("ix_account_teammates_user", "account_teammates", ["user_id", "account_id"])
    connection = op.get_bind()
    rows = [{"account_id": account_id, "user_id": user_id}
            for account_id, owner_id, teammates in connection.execute(sa.select(_accounts))
            for user_id in sorted({str(mate) for mate in teammates or [] if mate} - {owner_id})]
    if rows:
        connection.execute(_teammates.insert(), rows)
    with op.batch_alter_table("accounts") as accounts:
        accounts.drop_column("teammates")

    for table, (column, constraint, values) in STATUS_CHECKS.items():
        with op.batch_alter_table(table) as batch:
            if table == "pushback_log":
                batch.alter_column(column, type_=sa.String(16), existing_type=sa.String(32))
            batch.create_check_constraint(constraint, _allowed(column, values))


def downgrade() -> None:
    for table, (column, constraint, _values) in STATUS_CHECKS.items():
        with op.batch_alter_table(table) as batch:
            batch.drop_constraint(constraint, type_="check")
            if table == "pushback_log":
                batch.alter_column(column, type_=sa.String(32), existing_type=sa.String(16))

    with op.batch_alter_table("accounts") as accounts:
        accounts.add_column(sa.Column("teammates", sa.JSON(), nullable=False, server_default="[]"))
    connection = op.get_bind()
    shared: dict[int, list[str]] = {}
    for account_id, user_id in connection.execute(sa.select(_teammates).order_by(_teammates.c.user_id)):
        shared.setdefault(account_id, []).append(user_id)
    for account_id, mates in shared.items():
        connection.execute(_accounts.update().where(_accounts.c.id == account_id).values(teammates=mates))
    with op.batch_alter_table("accounts") as accounts:
        accounts.alter_column("teammates", server_default=None, existing_type=sa.JSON(), existing_nullable=False)
    op.drop_index("ix_account_teammates_user", table_name="account_teammates")
    op.drop_table("account_teammates")
