"""Migrations: serialized between processes, each atomic, errors worded by their cause; they build what the models
describe, and a store from before a migration keeps its rows."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import datetime, timezone

import pytest
from alembic import command as alembic_command
from alembic import op
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text
from sqlalchemy.exc import IntegrityError

from bot.accounts import AccountDraft, accounts_for, add_account
from bot.cli import describe_failure
from bot.db import Database, migrations_config, ours_to_migrate
from bot.models import Base
from bot.reminders.actions import reminders_of
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


def _migrate_to(database: Database, revision: str) -> None:
    with database.migration_connection() as connection:
        alembic_command.upgrade(migrations_config(connection), revision)


def _differences(database: Database) -> list:
    """What autogenerate would change to make the migrated store match the models (Slack's own OAuth tables,
    made by slack_sdk's table builders, are not among our models)."""
    with database.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"include_name": ours_to_migrate,
                                                               "compare_type": True})
        return compare_metadata(context, Base.metadata)


def test_the_models_and_the_migrations_agree(db):
    assert _differences(db) == []


def test_a_store_from_before_teammate_rows_keeps_every_account_teammate_reminder_and_status(database_url):
    """Teammates move from the accounts' JSON column to rows (the owner dropped, duplicates merged); reminders,
    feedback and outcomes are kept, and the status columns refuse a value outside their enum from then on."""
    database = Database(database_url)
    _migrate_to(database, "0006")
    stamp = "2026-12-01 09:00:00"
    with database.engine.begin() as connection:
        connection.execute(text(
            "INSERT INTO accounts (id, team_id, name, owner_id, teammates, next_qbr, cadence_months, scope_notes, "
            "created_at, updated_at) VALUES (1, 'T1', 'Northwind', 'U0ALICE', :shared, '2027-01-15', 3, '', "
            ":stamp, :stamp), (2, 'T1', 'Contoso', 'U0BOB', '[]', '2027-02-01', 3, '', :stamp, :stamp)"),
            {"shared": '["U0BOB", "U0CAROL", "U0BOB", "U0ALICE"]', "stamp": stamp})
        connection.execute(text(
            "INSERT INTO reminders (team_id, account_id, owner_id, qbr_date, offset_days, snooze, due_at, status, "
            "attempts, created_at, updated_at) VALUES ('T1', 1, 'U0ALICE', '2027-01-15', 14, 0, :stamp, 'sent', 1, "
            ":stamp, :stamp), ('T1', 1, 'U0ALICE', '2027-01-15', 2, 0, :stamp, 'pending', 0, :stamp, :stamp)"),
            {"stamp": stamp})
        connection.execute(text(
            "INSERT INTO triages (id, team_id, user_id, source, verdict, reasons, tone, feedback, created_at, "
            "updated_at) VALUES (7, 'T1', 'U0ALICE', 'command', 'push_back', '[]', 'neutral', 'helpful', :stamp, "
            ":stamp)"), {"stamp": stamp})
        connection.execute(text(
            "INSERT INTO pushback_log (team_id, account_id, triage_id, user_id, summary, verdict, reasons, outcome, "
            "logged_at) VALUES ('T1', 1, 7, 'U0ALICE', 'Redo the careers page', 'push_back', '[]', 'agreed', "
            ":stamp)"), {"stamp": stamp})

    database.upgrade()

    assert [account.teammates for account in accounts_for(database, "T1")] == [["U0BOB", "U0CAROL"], []]
    assert [account.name for account in accounts_for(database, "T1", "U0CAROL")] == ["Northwind"]
    assert [account.name for account in accounts_for(database, "T1", "U0BOB")] == ["Northwind", "Contoso"]
    assert sorted(reminder.status for reminder in reminders_of(database, 1)) == ["pending", "sent"]
    with database.engine.connect() as connection:
        assert connection.execute(text("SELECT feedback FROM triages")).scalar_one() == "helpful"
        assert connection.execute(text("SELECT outcome, triage_id FROM pushback_log")).one() == ("agreed", 7)
    with pytest.raises(IntegrityError):
        with database.engine.begin() as connection:
            connection.execute(text("UPDATE reminders SET status = 'lost' WHERE offset_days = 2"))
    with pytest.raises(IntegrityError):
        with database.engine.begin() as connection:
            connection.execute(text("UPDATE pushback_log SET outcome = 'maybe'"))
    assert _differences(database) == []
    database.dispose()


def test_downgrading_past_teammate_rows_puts_the_teammates_back_in_json(db):
    draft = AccountDraft(name="Northwind", owner_id="U0ALICE", next_qbr="2027-01-15", team_id="T0001",
                         teammates=["U0CAROL", "U0BOB"])
    account = add_account(db, draft, now=datetime(2026, 12, 1, tzinfo=timezone.utc))
    scheduled = [(reminder.offset_days, reminder.status) for reminder in reminders_of(db, account.id)]
    assert scheduled

    with db.migration_connection() as connection:
        alembic_command.downgrade(migrations_config(connection), "0006")

    with db.engine.connect() as connection:
        shared = connection.execute(text("SELECT teammates FROM accounts")).scalar_one()
        assert "account_teammates" not in inspect(connection).get_table_names()
    assert (json.loads(shared) if isinstance(shared, str) else shared) == ["U0BOB", "U0CAROL"]
    db.upgrade()
    assert [account.teammates for account in accounts_for(db, "T0001", "U0BOB")] == [["U0BOB", "U0CAROL"]]
    assert [(reminder.offset_days, reminder.status) for reminder in reminders_of(db, account.id)] == scheduled


def test_plain_alembic_upgrade_head_migrates_the_store_the_settings_name(database_url, tmp_path):
    """`alembic upgrade head` (with the top-level `alembic.ini`) and `pushback db upgrade` migrate the same store
    the same way: after the first, the second has nothing left to do."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("SLACK_")}
    env.update({"DATABASE_URL": database_url, "PUSHBACK_DATA_DIR": str(tmp_path)})
    alembic = subprocess.run([sys.executable, "-m", "alembic", "upgrade", "head"], env=env, cwd=PROJECT_ROOT,
                             text=True, capture_output=True, timeout=120)
    assert alembic.returncode == 0, alembic.stderr

    database = Database(database_url)
    with database.engine.connect() as connection:
        current = connection.execute(text("SELECT version_num FROM alembic_version")).scalar_one()
    assert current == ScriptDirectory.from_config(migrations_config()).get_current_head()
    assert _differences(database) == []
    database.dispose()
    pushback = subprocess.run([*pushback_command(), "db", "upgrade"], env=env, cwd=PROJECT_ROOT, text=True,
                              capture_output=True, timeout=120)
    assert pushback.returncode == 0, pushback.stderr

