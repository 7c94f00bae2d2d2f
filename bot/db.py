"""Storage: one engine per process, one session per unit of work, and Alembic migrations."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, cast

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, CursorResult, Engine, Result, create_engine, event, exc, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
MIGRATION_LOCK_ID = 7_245_001
PING_AFTER_IDLE_SECONDS = 1.0


def _enable_sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=15000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def create_db_engine(url: str, **options) -> Engine:
    """An engine for `url` (`options` go to `create_engine` for PostgreSQL); SQLite gets its folder created, WAL
    with synchronous=NORMAL (durable across a crash of the app, as SQLite documents for WAL; only an OS crash or
    power loss can drop the last commits), foreign keys and a busy timeout. Its errors never quote a statement's
    parameters, which can hold a client's words: they end up in the log."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 15, "check_same_thread": False}, hide_parameters=True)
        event.listen(engine, "connect", _enable_sqlite_pragmas)
        with engine.connect() as connection:
            connection.exec_driver_sql("PRAGMA journal_mode=WAL")
        return engine
    engine = create_engine(url, **{"pool_size": 5, "max_overflow": 10, **options}, hide_parameters=True)
    _ping_when_idle(engine)
    return engine


def _ping_when_idle(engine: Engine) -> None:
    """Before a pooled connection that sat idle for `PING_AFTER_IDLE_SECONDS` is handed out, check that the
    server still answers on it, and swap it for a new one when not (after a restart or a dropped link). This is
    SQLAlchemy's `pool_pre_ping` without the round trip on a connection used a moment ago, which under load is
    every checkout."""

    @event.listens_for(engine, "checkin")
    def remember_when_returned(_dbapi_connection, record) -> None:
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def ping_if_idle(dbapi_connection, record, _proxy) -> None:
        idle_since = record.info.get("idle_since")
        if idle_since is None or time.monotonic() - idle_since < PING_AFTER_IDLE_SECONDS:
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except Exception as error:
            # Each dialect's is_disconnect reads any exception (typed as the driver's Error only).
            if engine.dialect.is_disconnect(cast(Any, error), dbapi_connection, None):
                raise exc.DisconnectionError("the database dropped an idle connection") from error
            raise


def _run_migrations(connection: Connection) -> None:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["connection"] = connection
    command.upgrade(config, "head")


@contextmanager
def _migration_file_lock(url: str) -> Iterator[None]:
    """Hold an exclusive lock on `<database>.migrate-lock` (waiting for it), so that processes starting together on
    one fresh SQLite file migrate one after the other."""
    database = make_url(url).database
    if not database or database == ":memory:":
        yield
        return
    import fcntl

    path = Path(database).with_name(Path(database).name + ".migrate-lock")
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a+b") as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def _transactional_sqlite_engine(url: str) -> Engine:
    """An SQLite engine whose transactions cover DDL too. Python's sqlite3 module opens a transaction only before
    INSERT, UPDATE and DELETE, so a CREATE TABLE was committed at once; here the driver is left in autocommit and
    every transaction starts with an explicit BEGIN IMMEDIATE (SQLAlchemy's documented recipe for pysqlite)."""
    engine = create_engine(url, connect_args={"timeout": 15, "check_same_thread": False}, hide_parameters=True)

    @event.listens_for(engine, "connect")
    def leave_transactions_to_us(dbapi_connection, record) -> None:
        dbapi_connection.isolation_level = None
        _enable_sqlite_pragmas(dbapi_connection, record)

    @event.listens_for(engine, "begin")
    def begin_immediately(connection) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


class Database:
    """The app's store: an engine plus a session factory."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = create_db_engine(url)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        self._single_statements = (create_db_engine(url, isolation_level="AUTOCOMMIT", pool_size=2, max_overflow=8)
                                   if self.is_postgresql else self.engine)

    @property
    def is_postgresql(self) -> bool:
        """True when the store is PostgreSQL rather than SQLite."""
        return self.engine.dialect.name == "postgresql"

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """One unit of work: a session in a transaction, committed on success and rolled back on error."""
        with self._sessions() as session, session.begin():
            yield session

    @contextmanager
    def single_statement(self) -> Iterator[Connection]:
        """A connection for one statement, committed, for the work every triage does (on a triage thread, two per
        process). On PostgreSQL the statement is its own transaction, from a small pool of connections kept in
        autocommit: a BEGIN and a COMMIT around it would only add round trips, and switching a pooled connection
        to autocommit and back on every use costs more thread CPU than the statement. SQLite has no round trips,
        and switching its connection to autocommit and back costs more than it saves."""
        with self._single_statements.begin() as connection:
            yield connection

    def ping(self) -> bool:
        """True when the database answers a trivial query."""
        try:
            with self.engine.connect() as connection:
                connection.execute(text("SELECT 1"))
            return True
        except Exception:  # noqa: BLE001 - any failure means "not healthy"
            return False

    def upgrade(self) -> None:
        """Apply every pending migration, one process at a time: on PostgreSQL under an advisory lock, in one
        transaction; on SQLite under a lock file beside the database, each migration in its own transaction (so a
        process killed halfway leaves the store at the previous revision, not half-migrated)."""
        if self.is_postgresql:
            with self.engine.begin() as connection:
                connection.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": MIGRATION_LOCK_ID})
                _run_migrations(connection)
            return
        with _migration_file_lock(self.url):
            engine = _transactional_sqlite_engine(self.url)
            try:
                with engine.connect() as connection:
                    _run_migrations(connection)
            finally:
                engine.dispose()

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
        if self._single_statements is not self.engine:
            self._single_statements.dispose()
        self.engine.dispose()


def rows_changed(result: Result[Any]) -> int:
    """How many rows an UPDATE or DELETE changed: its `CursorResult.rowcount`, which `Session.execute`'s declared
    return type (`Result`) does not show."""
    return cast(CursorResult[Any], result).rowcount
