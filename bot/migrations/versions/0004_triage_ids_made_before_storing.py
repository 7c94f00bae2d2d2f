"""Triage ids are made by the app before a triage is stored (`bot.triage_store.new_triage_id`), and need 64 bits.

SQLite's integers already have 64 bits; PostgreSQL's `integer` columns become `bigint`.

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def _set_type(type_: sa.types.TypeEngine, was: sa.types.TypeEngine, sequence_type: str) -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.alter_column("triages", "id", type_=type_, existing_type=was)
    op.alter_column("pushback_log", "triage_id", type_=type_, existing_type=was)
    op.execute(f"ALTER SEQUENCE IF EXISTS triages_id_seq AS {sequence_type}")


def upgrade() -> None:
    _set_type(sa.BigInteger(), sa.Integer(), "bigint")


def downgrade() -> None:
    _set_type(sa.Integer(), sa.BigInteger(), "integer")
