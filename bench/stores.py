"""The benchmarks' stores: a PostgreSQL schema of their own for each run, dropped afterwards, so no run reads
or grows what an earlier one left."""

from __future__ import annotations

import uuid
from collections.abc import Callable

from sqlalchemy import create_engine, text


def fresh_postgres_schema(base_url: str) -> tuple[str, Callable[[], None]]:
    """A new empty schema in `base_url`'s database: the URL that uses it, and a function that drops it."""
    schema = "bench_" + uuid.uuid4().hex[:10]
    admin = create_engine(base_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))

    def drop() -> None:
        with admin.connect() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()

    separator = "&" if "?" in base_url else "?"
    return f"{base_url}{separator}options=-csearch_path%3D{schema}", drop
