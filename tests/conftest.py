"""Shared fixtures: a store on SQLite or PostgreSQL, the Slack stand-in, and `pushback run` as a process.

Storage tests run against SQLite by default; set `PUSHBACK_TEST_DATABASE_URL` to a PostgreSQL URL to run the
same tests there (each test gets its own schema, dropped afterwards).
"""

from __future__ import annotations

import os
import shutil
import uuid
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from bot.db import Database
from tests.support.bolt import InProcessApp
from tests.support.process import AppProcess
from tests.support.slack_standin import SlackStandIn

SIGNING_SECRET = "test-signing-secret"
BOT_TOKEN = "xoxb-test-token"


def _postgres_url() -> str | None:
    return os.environ.get("PUSHBACK_TEST_DATABASE_URL") or None


FAULT_FIGURES: list[tuple[str, dict]] = []


@pytest.fixture
def fault_figures(request):
    """Record what a fault test counted (requests answered, reminders delivered, duplicates); the run ends with
    a table of them."""
    def record(**figures) -> None:
        FAULT_FIGURES.append((request.node.name, figures))
    return record


def pytest_terminal_summary(terminalreporter):
    """The fault tests' figures, one line each."""
    if FAULT_FIGURES:
        terminalreporter.write_sep("-", "fault figures")
        for name, figures in FAULT_FIGURES:
            terminalreporter.write_line(f"{name}: " + ", ".join(f"{key} {value}" for key, value in figures.items()))


def pytest_report_header(config):
    url = _postgres_url()
    store = f"PostgreSQL {url}" if url else "SQLite (set PUSHBACK_TEST_DATABASE_URL for PostgreSQL)"
    return f"store under test: {store}"


@contextmanager
def fresh_database_url(folder):
    """A fresh, empty database: a SQLite file in `folder`, or a new PostgreSQL schema dropped afterwards."""
    base = _postgres_url()
    if not base:
        yield f"sqlite:///{folder / 'pushback.sqlite3'}"
        return
    schema = "test_" + uuid.uuid4().hex[:12]
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    separator = "&" if "?" in base else "?"
    try:
        yield f"{base}{separator}options={quote(f'-csearch_path={schema}')}"
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def database_url(tmp_path):
    """A fresh, empty database for one test."""
    with fresh_database_url(tmp_path) as url:
        yield url


@pytest.fixture(scope="session")
def migrated_sqlite_template(tmp_path_factory):
    """A SQLite store migrated once per run (None on PostgreSQL), for `migrated_database_url` to copy: migrating a
    fresh store took about 0.2 s, in each of some two hundred tests."""
    if _postgres_url():
        return None
    path = tmp_path_factory.mktemp("template") / "migrated.sqlite3"
    template = Database(f"sqlite:///{path}")
    template.upgrade()
    template.dispose()
    return path


@pytest.fixture
def migrated_database_url(database_url, migrated_sqlite_template):
    """`database_url`, migrated: on SQLite its file starts as a copy of the template (migrating it again is then
    a no-op), on PostgreSQL the test's schema is migrated by whoever opens it first."""
    target = make_url(database_url).database
    if migrated_sqlite_template is not None and target and not Path(target).exists():
        shutil.copyfile(migrated_sqlite_template, target)
    return database_url


def app_environment(standin, database_url, folder) -> dict[str, str]:
    """The environment `pushback run` gets in tests: HTTP mode, the stand-in, the test store."""
    return {
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": standin.api_url,
        "DATABASE_URL": database_url,
        "PUSHBACK_DATA_DIR": str(folder / "data"),
        "LOG_LEVEL": "INFO",
    }


@pytest.fixture
def db(migrated_database_url):
    """A migrated store for one test."""
    database = Database(migrated_database_url)
    database.upgrade()
    yield database
    database.dispose()


@pytest.fixture
def standin():
    """The Slack Web API stand-in, listening on a free loopback port."""
    server = SlackStandIn().start()
    yield server
    server.stop()


@pytest.fixture
def app_env(standin, database_url, tmp_path):
    """The environment `pushback run` gets in tests."""
    return app_environment(standin, database_url, tmp_path)


@pytest.fixture
def running_app(app_env, standin, tmp_path):
    """`pushback run` as a subprocess, ready to serve; stopped with SIGTERM afterwards."""
    process = AppProcess(app_env, standin, SIGNING_SECRET, tmp_path)
    process.start()
    yield process
    process.stop()
    assert_no_client_text_logged(process.log(), process.driver.client_texts, process.driver.client_addresses)


@pytest.fixture
def slack_app(app_env, standin, migrated_database_url):
    """The app in this process, driven through `app.dispatch` with signed requests (see `tests.support.bolt`);
    afterwards its log is searched for the client's words, as `running_app`'s is."""
    app = InProcessApp(app_env, standin, SIGNING_SECRET)
    yield app
    app.close()
    assert_no_client_text_logged(app.log(), app.driver.client_texts, app.driver.client_addresses)


def assert_no_client_text_logged(log: str, client_texts: list[str], client_addresses: list[str] = ()) -> None:
    """Privacy: no line of a client's text (20 characters or more), no email address from a client's message
    (whatever its length) and no secret appears in the app's log."""
    for client_text in client_texts:
        for line in str(client_text).splitlines():
            line = line.strip()
            assert len(line) < 20 or line not in log, f"client text in the log: {line[:40]!r}"
    for address in client_addresses:
        assert not address.strip() or address not in log, f"an email address in the log: {address[:3]!r}…"
    assert BOT_TOKEN not in log and SIGNING_SECRET not in log
