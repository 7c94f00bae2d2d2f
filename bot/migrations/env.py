"""Alembic environment: runs migrations on the connection that `Database.upgrade` hands over."""

from alembic import context

from bot.models import Base

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    transaction_per_migration=True,  # on SQLite each migration is its own transaction (see bot.db.Database.upgrade)
)
with context.begin_transaction():
    context.run_migrations()
