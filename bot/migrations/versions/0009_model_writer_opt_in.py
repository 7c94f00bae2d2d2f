"""Each workspace's switch for the language model that writes its replies: off until one of its admins turns it
on in App Home, with who changed it and when.

Revision ID: 0009
Revises: 0008
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("workspace_settings") as workspace:
        workspace.add_column(sa.Column("model_writer_on", sa.Boolean(), nullable=False, server_default=sa.false()))
        workspace.add_column(sa.Column("model_writer_changed_by", sa.String(32)))
        workspace.add_column(sa.Column("model_writer_changed_at", sa.DateTime(timezone=True)))


def downgrade() -> None:
    with op.batch_alter_table("workspace_settings") as workspace:
        workspace.drop_column("model_writer_changed_at")
        workspace.drop_column("model_writer_changed_by")
        workspace.drop_column("model_writer_on")
