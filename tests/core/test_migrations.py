"""Migrations on a fresh store: serialized between processes, each atomic, and errors worded by their cause."""

from __future__ import annotations

import os
import subprocess

import pytest
from alembic import op
from sqlalchemy import inspect, text

from bot.cli import describe_failure
from bot.db import Database
from tests.support.process import PROJECT_ROOT, pushback_command


def _upgrade_processes(database_url: str, folder, count: int) -> list[subprocess.Popen]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("SLACK_")}
    env.update({"DATABASE_URL": database_url, "PUSHBACK_DATA_DIR": str(folder)})
    return [subprocess.Popen([*pushback_command(), "db", "upgrade"], env=env, cwd=PROJECT_ROOT, text=True,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE) for _ in range(count)]


def test_three_processes_upgrading_one_fresh_store_at_once_all_succeed(database_url, tmp_path, fault_figures):
    processes = _upgrade_processes(database_url, tmp_path, 3)
    outputs = [process.communicate(timeout=120) for process in processes]

    failed = [err for process, (_out, err) in zip(processes, outputs) if process.returncode != 0]
    fault_figures(upgrading_processes=3, failed=len(failed))
    assert failed == []
    database = Database(database_url)
    assert {"triages", "reminders", "seen_requests"} <= set(inspect(database.engine).get_table_names())
    database.dispose()


def test_a_migration_that_dies_halfway_leaves_nothing_behind_and_the_next_upgrade_finishes(database_url,
                                                                                           monkeypatch):
    """The first migration creates `triages`, then its index: it dies in between (as under SIGKILL). On SQLite the
    CREATE TABLE used to be committed already, and every later upgrade failed with "table triages already exists"."""
    database = Database(database_url)

    def dies(*_args, **_kwargs):
        raise RuntimeError("killed halfway through the migration")

    with monkeypatch.context() as patch:
        patch.setattr(op, "create_index", dies)
        with pytest.raises(RuntimeError):
            database.upgrade()
    assert "triages" not in inspect(database.engine).get_table_names()

    database.upgrade()

    assert {"triages", "reminders", "seen_requests"} <= set(inspect(database.engine).get_table_names())
    database.dispose()


def test_a_migration_error_is_worded_by_its_cause_not_as_an_unreachable_database(database_url):
    database = Database(database_url)
    with database.engine.begin() as connection:
        connection.execute(text("CREATE TABLE triages (id INTEGER PRIMARY KEY)"))

    with pytest.raises(Exception) as failure:
        database.upgrade()
    database.dispose()

    said = describe_failure(failure.value)
    assert "cannot reach" not in said
    assert "triages" in said and "already exists" in said
