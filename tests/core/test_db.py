"""Storage: migrations apply on an empty store and again as a no-op; units of work commit or roll back; triage ids
made by the app fit the store."""

import threading
import time

import pytest
from sqlalchemy import event, func, inspect, select, text

from bot import triage_store
from bot.db import PROBE_TIMEOUT, Database
from bot.models import Triage
from bot.triage import triage
from bot.triage_store import get_posted_triage, get_triage, new_triage_id, record_triage


def test_upgrade_creates_the_schema_and_is_idempotent(database_url):
    database = Database(database_url)
    database.upgrade()
    database.upgrade()

    tables = set(inspect(database.engine).get_table_names())
    assert {"alembic_version", "triages"} <= tables
    assert database.ping()
    database.dispose()


def _triage(**overrides) -> Triage:
    values = dict(team_id="T1", user_id="U1", source="command", verdict="push_back", reasons=["unreasonable"],
                  tone="neutral")
    values.update(overrides)
    return Triage(**values)


def test_a_unit_of_work_commits_json_and_times(db):
    with db.transaction() as session:
        session.add(_triage(reasons=["out_of_scope", "would_be_late"]))

    with db.transaction() as session:
        stored = session.scalars(select(Triage)).one()
        assert stored.reasons == ["out_of_scope", "would_be_late"]
        assert stored.created_at is not None


def test_a_failed_unit_of_work_leaves_nothing_behind(db):
    with pytest.raises(RuntimeError):
        with db.transaction() as session:
            session.add(_triage())
            session.flush()
            raise RuntimeError("boom")

    with db.transaction() as session:
        assert session.scalar(select(func.count()).select_from(Triage)) == 0


def test_ping_is_false_when_the_database_cannot_be_reached(tmp_path):
    unreachable = Database("postgresql+psycopg://nobody@127.0.0.1:1/none?connect_timeout=1")

    assert unreachable.ping() is False


def _backend_pid(db: Database) -> int:
    with db.transaction() as session:
        return session.execute(text("SELECT pg_backend_pid()")).scalar_one()


def test_a_connection_the_server_dropped_while_idle_is_replaced_before_use(db):
    if not db.is_postgresql:
        pytest.skip("SQLite has no server to drop a connection")
    dropped = _backend_pid(db)
    with Database(db.url).engine.connect() as other:
        other.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": dropped})

    assert _backend_pid(db) != dropped
    with db.transaction() as session:
        session.add(_triage())
    assert db.ping()


def test_health_probes_reuse_one_connection_with_short_timeouts_and_replace_it_when_dropped(db):
    if not db.is_postgresql:
        pytest.skip("on SQLite a probe uses the app's own engine, a file")
    opened = []
    event.listen(db.probe_engine, "connect", lambda *_: opened.append(1))

    answers = [db.probe() for _ in range(5)]

    assert answers == [True] * 5
    assert len(opened) == 1
    with db.probe_engine.connect() as connection:
        assert connection.execute(text("SHOW statement_timeout")).scalar_one() == f"{PROBE_TIMEOUT}s"
        probing = connection.execute(text("SELECT pg_backend_pid()")).scalar_one()
    with Database(db.url).engine.connect() as other:
        other.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": probing})
    assert db.probe() is True
    assert len(opened) == 2


def test_a_process_never_holds_more_connections_than_its_pool_size(database_url):
    """Units of work share a bounded pool: with every connection in use, another unit of work waits for one (up to
    the statement timeout) instead of opening more, and goes ahead once one is returned."""
    from sqlalchemy.exc import TimeoutError as PoolTimeout

    database = Database(database_url, statement_timeout=1, pool_size=2)
    database.upgrade()
    try:
        with database.transaction() as first, database.transaction() as second:
            first.execute(text("SELECT 1"))
            second.execute(text("SELECT 1"))
            with pytest.raises(PoolTimeout):
                with database.transaction() as third:
                    third.execute(text("SELECT 1"))
        with database.transaction() as session:
            assert session.scalar(select(func.count()).select_from(Triage)) == 0
    finally:
        database.dispose()


def _store(db, triage_id: int, text: str = "Could you also redo the careers page by Friday?", **place):
    return record_triage(db, triage_id=triage_id, team_id="T1", user_id="U1", source="command",
                         origin_channel_id="C1", request_text=text, result=triage(text).to_dict(), retention_days=30,
                         **place)


def test_triage_ids_made_before_storing_rise_with_time_and_round_trip_in_64_bits(db):
    earlier = new_triage_id()
    time.sleep(0.002)
    later = new_triage_id()
    assert 2**53 < earlier < later < 2**63
    stored = _store(db, later, channel_id="C1", parent_ts="1.1", reply_ts="1.2")
    again = get_triage(db, later, "T1")
    assert stored.id == again.id == later
    assert (again.channel_id, again.parent_ts, again.reply_ts) == ("C1", "1.1", "1.2")


def test_a_button_pressed_while_its_triage_is_still_being_stored_finds_it(db):
    triage_id = new_triage_id()
    storing = threading.Timer(0.3, _store, args=(db, triage_id))
    storing.start()
    found = get_posted_triage(db, triage_id, "T1")
    storing.join()
    assert found is not None and found.id == triage_id


def test_a_missing_triage_is_waited_for_only_while_its_id_is_new(db, monkeypatch):
    monkeypatch.setattr(triage_store, "STORING_SECONDS", 0.2)
    assert triage_store.get_posted_triage(db, 12345, "T1") is None
    assert triage_store.get_posted_triage(db, triage_store.new_triage_id(), "T1") is None
    an_hour_ahead = ((time.time_ns() // 1_000_000 + 3_600_000 - triage_store.ID_EPOCH_MS)
                     << triage_store.ID_RANDOM_BITS)
    assert triage_store.get_posted_triage(db, an_hour_ahead, "T1") is None


def test_a_nul_character_in_an_accounts_name_or_scope_is_dropped_before_storing(db):
    """PostgreSQL refuses NUL in text; the account is stored without it."""
    from bot.accounts import AccountDraft, add_account, get_account

    saved = add_account(db, AccountDraft(name="North\x00wind", owner_id="U0ALICE", next_qbr="2027-01-15",
                                         team_id="T0001", scope_notes="Design\x00 only"))

    stored = get_account(db, "T0001", saved.id)
    assert (stored.name, stored.scope_notes) == ("Northwind", "Design only")


def test_a_statement_past_the_timeout_is_given_up_on(database_url):
    """On PostgreSQL the server cancels a statement past `statement_timeout`; on SQLite a write waits for a lock no
    longer than the same timeout."""
    from sqlalchemy.exc import OperationalError

    database = Database(database_url, connect_timeout=2, statement_timeout=1)
    database.upgrade()
    blocker = Database(database_url)
    try:
        started = time.monotonic()
        with pytest.raises(OperationalError):
            if database.is_postgresql:
                with database.engine.connect() as connection:
                    connection.exec_driver_sql("SELECT pg_sleep(5)")
            else:
                with blocker.engine.connect() as holding:
                    holding.exec_driver_sql("BEGIN IMMEDIATE")
                    with database.engine.begin() as connection:
                        connection.exec_driver_sql("DELETE FROM triages")
        assert time.monotonic() - started < 3
    finally:
        blocker.dispose()
        database.dispose()


def test_database_timeouts_and_pool_size_are_settings_with_defaults(database_url):
    from bot.db import database_for
    from bot.settings import SettingsError, settings_from_mapping

    defaults = settings_from_mapping({})
    assert (defaults.database_connect_timeout_seconds, defaults.database_statement_timeout_seconds,
            defaults.database_pool_size) == (5, 15, 5)
    chosen = settings_from_mapping({"PUSHBACK_DATABASE_CONNECT_TIMEOUT_SECONDS": "3",
                                    "PUSHBACK_DATABASE_STATEMENT_TIMEOUT_SECONDS": "60",
                                    "PUSHBACK_DATABASE_POOL_SIZE": "3", "DATABASE_URL": database_url})
    assert (chosen.database_connect_timeout_seconds, chosen.database_statement_timeout_seconds,
            chosen.database_pool_size) == (3, 60, 3)
    database = database_for(chosen)
    assert database.engine.pool.size() == 3  # type: ignore[attr-defined]
    database.dispose()
    with pytest.raises(SettingsError, match="PUSHBACK_DATABASE_STATEMENT_TIMEOUT_SECONDS"):
        settings_from_mapping({"PUSHBACK_DATABASE_STATEMENT_TIMEOUT_SECONDS": "0"})
    with pytest.raises(SettingsError, match="PUSHBACK_DATABASE_POOL_SIZE"):
        settings_from_mapping({"PUSHBACK_DATABASE_POOL_SIZE": "0"})
