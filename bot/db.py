"""Storage: one engine per process, one session per unit of work, and Alembic migrations."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
MIGRATION_LOCK_ID = 7_245_001


def _enable_sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=15000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def create_db_engine(url: str) -> Engine:
    """An engine for `url`; SQLite gets its folder created, WAL with synchronous=NORMAL (durable across a crash of
    the app, as SQLite documents for WAL; only an OS crash or power loss can drop the last commits), foreign keys
    and a busy timeout."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 15, "check_same_thread": False})
        event.listen(engine, "connect", _enable_sqlite_pragmas)
        with engine.connect() as connection:
            connection.exec_driver_sql("PRAGMA journal_mode=WAL")
        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=10)


class Database:
    """The app's store: an engine plus a session factory."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = create_db_engine(url)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    @property
    def is_postgresql(self) -> bool:
        """True when the store is PostgreSQL rather than SQLite."""
        return self.engine.dialect.name == "postgresql"

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """One unit of work: a session in a transaction, committed on success and rolled back on error."""
        with self._sessions() as session, session.begin():
            yield session

    def ping(self) -> bool:
        """True when the database answers a trivial query."""
        try:
            with self.engine.connect() as connection:
                connection.execute(text("SELECT 1"))
            return True
        except Exception:  # noqa: BLE001 - any failure means "not healthy"
            return False

    def upgrade(self) -> None:
        """Apply every pending migration; on PostgreSQL, one process at a time."""
        with self.engine.begin() as connection:
            if self.is_postgresql:
                connection.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": MIGRATION_LOCK_ID})
            config = Config()
            config.set_main_option("script_location", str(MIGRATIONS_DIR))
            config.attributes["connection"] = connection
            command.upgrade(config, "head")

    def wait_until_reachable(self, seconds: float, on_retry=None) -> bool:
        """Ping until the database answers or `seconds` pass, backing off up to 5 s; `on_retry(waited)` is told
        before each wait. True when it answered."""
        import time

        started = time.monotonic()
        delay = 0.5
        while not self.ping():
            waited = time.monotonic() - started
            if waited >= seconds:
                return False
            if on_retry is not None:
                on_retry(waited)
            time.sleep(min(delay, max(0.0, seconds - waited)))
            delay = min(delay * 2, 5.0)
        return True

    def dispose(self) -> None:
        """Close every pooled connection."""
        self.engine.dispose()
