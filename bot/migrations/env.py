"""Alembic environment: migrates on the connection `Database.upgrade` hands over, or, under the `alembic` command
(`alembic.ini`), on one from `Database.migration_connection` for the store the settings name (`DATABASE_URL`)."""

from logging.config import fileConfig

from alembic import context
from sqlalchemy import Connection

from bot.db import database_for, ours_to_migrate
from bot.models import Base
from bot.settings import load_settings


def run_migrations(connection: Connection) -> None:
    """Run the migrations Alembic was asked for on `connection`."""
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        include_name=ours_to_migrate,
        render_as_batch=connection.dialect.name == "sqlite",
        transaction_per_migration=True,  # on SQLite each migration is its own transaction (Database.upgrade)
    )
    with context.begin_transaction():
        context.run_migrations()


given = context.config.attributes.get("connection")
if given is not None:
    run_migrations(given)
else:
    if context.config.config_file_name is not None:
        fileConfig(context.config.config_file_name, disable_existing_loggers=False)
    database = database_for(load_settings())
    try:
        with database.migration_connection() as connection:
            run_migrations(connection)
    finally:
        database.dispose()
