"""Storage: one engine per process, one session per unit of work, and Alembic migrations."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, CursorResult, Engine, Result, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import NullPool

from bot.models import Base

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
MIGRATION_LOCK_ID = 7_245_001
DEFAULT_POOL_SIZE = 5  # connections per process (`PUSHBACK_DATABASE_POOL_SIZE`)
DEFAULT_CONNECT_TIMEOUT = 5  # seconds; libpq counts whole seconds, and takes less than 2 as 2
DEFAULT_STATEMENT_TIMEOUT = 15.0  # seconds
PROBE_TIMEOUT = 2  # seconds: a health probe's own connect and statement timeout
PROBE_POOL_SIZE = 1  # `BoundedPing` runs one probe at a time


@dataclass(frozen=True)
class Timeouts:
    """How long a connection may take to open, and a statement to run (on SQLite: to wait for the write lock)."""

    connect: int = DEFAULT_CONNECT_TIMEOUT
    statement: float = DEFAULT_STATEMENT_TIMEOUT


def _sqlite_pragmas(busy_seconds: float, foreign_keys: bool = True) -> Callable[..., None]:
    def enable(dbapi_connection, _record) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA foreign_keys={'ON' if foreign_keys else 'OFF'}")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_seconds * 1000)}")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()
    return enable


def postgresql_connect_args(url: str, timeouts: Timeouts) -> dict[str, Any]:
    """psycopg's connection arguments for the timeouts: `connect_timeout` for opening a connection,
    `statement_timeout` for each statement (added to any `options` the URL carries, such as a search_path), and TCP
    keepalives with `tcp_user_timeout`, so a link that dies without a word breaks the connection instead of
    leaving a statement waiting forever."""
    given = make_url(url).query.get("options")
    existing = " ".join(given) if isinstance(given, tuple) else (given or "")
    statement_ms = int(timeouts.statement * 1000)
    return {
        "connect_timeout": timeouts.connect,
        "options": " ".join(part for part in (existing, f"-c statement_timeout={statement_ms}") if part),
        "keepalives": 1, "keepalives_idle": 30, "keepalives_interval": 10, "keepalives_count": 3,
        "tcp_user_timeout": max(statement_ms, timeouts.connect * 1000),
    }


def create_db_engine(url: str, timeouts: Timeouts | None = None, pool_size: int = DEFAULT_POOL_SIZE,
                     **options: Any) -> Engine:
    """An engine for `url` with a bounded pool of `pool_size` connections (no overflow; a unit of work waits for a
    free connection up to the statement timeout) checked with `pool_pre_ping` before each use, so a connection the
    server dropped while idle is replaced, not handed out. `options` go to `create_engine` (e.g. `poolclass`).
    SQLite gets its folder created, WAL with synchronous=NORMAL (durable across a crash of the app, as SQLite
    documents for WAL; only an OS crash or power loss can drop the last commits), foreign keys and a busy timeout
    of the statement timeout. PostgreSQL gets connect and statement timeouts (`postgresql_connect_args`). Its
    errors never quote a statement's parameters, which can hold a client's words: they end up in the log."""
    timeouts = timeouts or Timeouts()
    parsed = make_url(url)
    pooling: dict[str, Any] = ({} if options.get("poolclass") is NullPool else
                               {"pool_size": pool_size, "max_overflow": 0, "pool_timeout": timeouts.statement,
                                "pool_pre_ping": True})
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, **{**pooling, **options},
                               connect_args={"timeout": timeouts.statement, "check_same_thread": False},
                               hide_parameters=True)
        event.listen(engine, "connect", _sqlite_pragmas(timeouts.statement))
        with engine.connect() as connection:
            connection.exec_driver_sql("PRAGMA journal_mode=WAL")
        return engine
    return create_engine(url, **{**pooling, **options}, connect_args=postgresql_connect_args(url, timeouts),
                         hide_parameters=True)


def migrations_config(connection: Connection | None = None) -> Config:
    """Alembic's configuration for our migrations; with `connection`, they run on it (see `migrations/env.py`)."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def ours_to_migrate(name: str | None, kind: str, _parents: Any = None) -> bool:
    """Alembic's `include_name` hook: autogenerate compares only our models' tables, and leaves alone the tables
    slack_sdk's installation and OAuth state stores build for themselves (migration 0002)."""
    return kind != "table" or name in Base.metadata.tables


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


def _transactional_sqlite_engine(url: str, busy_seconds: float) -> Engine:
    """An SQLite engine for migrations, whose transactions cover DDL too. Python's sqlite3 module opens a transaction
    only before INSERT, UPDATE and DELETE, so a CREATE TABLE was committed at once; here the driver is left in
    autocommit and every transaction starts with an explicit BEGIN IMMEDIATE (SQLAlchemy's documented recipe for
    pysqlite). Foreign keys are off, as SQLite's procedure for changing a table's schema asks: a batch migration
    drops and recreates a table, and with them on, dropping `accounts` would cascade to every reminder."""
    engine = create_engine(url, connect_args={"timeout": busy_seconds, "check_same_thread": False},
                           hide_parameters=True, poolclass=NullPool)
    enable_pragmas = _sqlite_pragmas(busy_seconds, foreign_keys=False)

    @event.listens_for(engine, "connect")
    def leave_transactions_to_us(dbapi_connection, record) -> None:
        dbapi_connection.isolation_level = None
        enable_pragmas(dbapi_connection, record)

    @event.listens_for(engine, "begin")
    def begin_immediately(connection) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


class BoundedPing:
    """A health check that answers within `seconds` whatever the database does: one ping at a time runs on a
    thread of its own, every caller waits for it until `seconds` after it started, and a ping still running past
    that (a frozen link) means unhealthy at once, without starting another or holding the caller. A result is
    reused for `fresh_for` seconds (none by default: the next probe after an answer asks again), and a burst of
    probes arriving together shares one ping."""

    def __init__(self, ping: Callable[[], bool], seconds: float = 0.8, fresh_for: float = 0.0) -> None:
        self.ping = ping
        self.seconds = seconds
        self.fresh_for = fresh_for
        self._lock = threading.Lock()
        self._run: _PingRun | None = None

    def __call__(self) -> bool:
        """True when the database answered within the deadline."""
        now = time.monotonic()
        with self._lock:
            run = self._run
            if run is None or (run.done.is_set() and now - run.finished_at > self.fresh_for):
                run = self._run = _PingRun(now)
                threading.Thread(target=run.perform, args=(self.ping,), name="health-ping", daemon=True).start()
        run.done.wait(max(0.0, run.started_at + self.seconds - time.monotonic()))
        return run.done.is_set() and run.result


class _PingRun:
    def __init__(self, started_at: float) -> None:
        self.started_at = started_at
        self.finished_at = started_at
        self.done = threading.Event()
        self.result = False

    def perform(self, ping: Callable[[], bool]) -> None:
        try:
            self.result = ping()
        finally:
            self.finished_at = time.monotonic()
            self.done.set()


def database_for(settings: Any) -> Database:
    """The store `settings` name, with their connect and statement timeouts and pool size."""
    return Database(settings.database_url, connect_timeout=settings.database_connect_timeout_seconds,
                    statement_timeout=settings.database_statement_timeout_seconds,
                    pool_size=settings.database_pool_size)


class Database:
    """The app's store: one engine (a bounded pool) and a session factory for units of work, with connect and
    statement timeouts. Health probes use a connection of their own outside that pool (on PostgreSQL,
    `probe_engine`: one pooled connection with the probe's short timeouts, opened at the first probe and kept)."""

    def __init__(self, url: str, connect_timeout: int = DEFAULT_CONNECT_TIMEOUT,
                 statement_timeout: float = DEFAULT_STATEMENT_TIMEOUT, pool_size: int = DEFAULT_POOL_SIZE) -> None:
        self.url = url
        self.timeouts = Timeouts(connect=connect_timeout, statement=statement_timeout)
        self.engine = create_db_engine(url, self.timeouts, pool_size)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        self.probe_engine = (create_db_engine(url, Timeouts(PROBE_TIMEOUT, PROBE_TIMEOUT), PROBE_POOL_SIZE)
                             if self.is_postgresql else self.engine)
        self.health = BoundedPing(self.probe)

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
    def statements(self, within: Connection | None = None) -> Iterator[Connection]:
        """One unit of work of Core statements alone, for the per-request hot path: a pooled connection in a
        transaction, committed on success and rolled back on error. It skips the ORM session (about 0.2 ms of CPU
        a unit of work on SQLite); anything that loads or changes ORM objects uses `transaction`. Given `within`
        (a connection of the caller's unit of work), the statements join that unit instead: each unit of work costs
        a pooled connection's check-out and ping, a BEGIN and a COMMIT."""
        if within is not None:
            yield within
            return
        with self.engine.begin() as connection:
            yield connection

    def ping(self) -> bool:
        """True when the database answers a trivial query (on a pooled connection, within the timeouts)."""
        try:
            with self.engine.connect() as connection:
                connection.execute(text("SELECT 1"))
            return True
        except Exception:  # noqa: BLE001 - any failure means "not healthy"
            return False

    def probe(self) -> bool:
        """True when the database answers a trivial query on a connection of its own (on PostgreSQL the one
        `probe_engine` keeps, checked before use and replaced when the server dropped it, with short timeouts,
        `PROBE_TIMEOUT`), so a health check never waits behind, or holds, the app's pool, nor opens a connection
        each time."""
        try:
            with self.probe_engine.connect() as connection:
                connection.execute(text("SELECT 1"))
            return True
        except Exception:  # noqa: BLE001 - any failure means "not healthy"
            return False

    def upgrade(self) -> None:
        """Apply every pending migration, one process at a time (see `migration_connection`)."""
        with self.migration_connection() as connection:
            command.upgrade(migrations_config(connection), "head")

    @contextmanager
    def migration_connection(self) -> Iterator[Connection]:
        """A connection to migrate on, held by one process at a time: on PostgreSQL under an advisory lock, in one
        transaction; on SQLite under a lock file beside the database, on a connection where each migration is its
        own transaction (so a process killed halfway leaves the store at the previous revision, not half-migrated),
        and foreign keys are checked once the migrations are done."""
        if self.is_postgresql:
            with self.engine.begin() as connection:  # a migration, or the wait for another's, may take long
                connection.execute(text("SET LOCAL statement_timeout = 0"))
                connection.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": MIGRATION_LOCK_ID})
                yield connection
            return
        with _migration_file_lock(self.url):
            engine = _transactional_sqlite_engine(self.url, self.timeouts.statement)
            try:
                with engine.connect() as connection:
                    yield connection
                    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                    if broken:
                        raise RuntimeError(f"migrating left {len(broken)} rows pointing at rows that do not exist "
                                           f"(first: {tuple(broken[0])})")
            finally:
                engine.dispose()

    def wait_until_reachable(self, seconds: float, on_retry=None) -> bool:
        """Ping until the database answers or `seconds` pass, backing off up to 5 s; `on_retry(waited)` is told
        before each wait. True when it answered. Each attempt is bounded by the connect timeout and by the time
        left, so a server that accepts connections but never answers is given up on in time."""
        started = time.monotonic()
        delay = 0.5
        while not self._ping_within(max(0.1, seconds - (time.monotonic() - started))):
            waited = time.monotonic() - started
            if waited >= seconds:
                return False
            if on_retry is not None:
                on_retry(waited)
            time.sleep(min(delay, max(0.0, seconds - waited)))
            delay = min(delay * 2, 5.0)
        return True

    def _ping_within(self, seconds: float) -> bool:
        """`ping`, given up on after `seconds` (the attempt's thread ends with the connect timeout)."""
        run = _PingRun(time.monotonic())
        threading.Thread(target=run.perform, args=(self.ping,), name="start-ping", daemon=True).start()
        return run.done.wait(seconds) and run.result

    def dispose(self) -> None:
        """Close every pooled connection."""
        if self.probe_engine is not self.engine:
            self.probe_engine.dispose()
        self.engine.dispose()


def rows_changed(result: Result[Any]) -> int:
    """How many rows an UPDATE or DELETE changed: its `CursorResult.rowcount`, which `Session.execute`'s declared
    return type (`Result`) does not show."""
    return cast(CursorResult[Any], result).rowcount
