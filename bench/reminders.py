"""QBR reminders at scale: time to schedule N accounts, one tick's find-and-claim time, and the dispatch rate
to the Slack stand-in, unpaced and paced to Slack's message limits; on SQLite and PostgreSQL."""

from __future__ import annotations

import tempfile
import time
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

from sqlalchemy import insert, select, text

from bench.stores import fresh_postgres_schema
from bot.db import Database
from bot.models import Account, utcnow
from bot.reminders.schedule import schedule_accounts
from bot.reminders.tick import Lease, Pacer, TickReport, claim_due, send_claimed_reminder, new_claim_token
from bot.settings import Settings
from bot.slack.reminders import SlackReminderSender
from tests.support.slack_standin import SlackStandIn

NOW = datetime(2026, 12, 1, 6, 0, tzinfo=timezone.utc)
ZONES = ("Europe/London", "America/Los_Angeles", "America/New_York", "Asia/Tokyo", None)
PACED_RATE = 5
DISPATCH_SAMPLE = 100


def _seed_accounts(db: Database, count: int) -> None:
    stamp = utcnow()
    rows = [{"team_id": "T0BENCH", "name": f"Client {n:06d}", "owner_id": f"U{n:08d}",
             "next_qbr": date(2026, 12, 1) + timedelta(days=3 + n % 90), "cadence_months": 3, "scope_notes": "",
             "owner_timezone": ZONES[n % len(ZONES)], "created_at": stamp, "updated_at": stamp}
            for n in range(count)]
    with db.transaction() as session:
        for start in range(0, count, 5000):
            session.execute(insert(Account), rows[start:start + 5000])


def _schedule_all(db: Database) -> None:
    with db.transaction() as session:
        ids = session.scalars(select(Account.id).order_by(Account.id)).all()
    for start in range(0, len(ids), 5000):
        with db.transaction() as session:
            accounts = list(session.scalars(select(Account).where(Account.id.in_(ids[start:start + 5000]))))
            schedule_accounts(session, accounts, NOW)


def _dispatch(db: Database, standin: SlackStandIn, now: datetime, per_second: float, sample: int) -> float:
    sender = SlackReminderSender(Settings(slack_bot_token="xoxb-bench", slack_api_url=standin.api_url),
                                 lambda _team: "xoxb-bench")
    token = new_claim_token()
    claimed = claim_due(db, now, limit=sample, token=token)
    lease = Lease(db, token, lambda: now)
    report, pacer = TickReport(), Pacer(per_second)
    started = time.perf_counter()
    for reminder_id in claimed:
        send_claimed_reminder(db, sender, reminder_id, now, report, pacer, lease=lease)
    elapsed = time.perf_counter() - started
    return len(report.sent) / elapsed if elapsed else 0.0


def measure(store: str, url: str, accounts: int, sample: int) -> dict:
    """One row: schedule `accounts`, time one claim, then dispatch `sample` unpaced and `sample` paced."""
    db = Database(url)
    db.upgrade()
    _seed_accounts(db, accounts)
    started = time.perf_counter()
    _schedule_all(db)
    schedule_seconds = time.perf_counter() - started
    tick_at = datetime(2026, 12, 3, 9, 30, tzinfo=timezone.utc)
    with db.engine.connect() as connection:
        due = connection.execute(text("SELECT count(*) FROM reminders WHERE status = 'pending' AND due_at <= :now"),
                                 {"now": tick_at}).scalar()
        total = connection.execute(text("SELECT count(*) FROM reminders")).scalar()
    started = time.perf_counter()
    claimed = claim_due(db, tick_at, limit=200)
    claim_seconds = time.perf_counter() - started
    with db.engine.begin() as connection:
        connection.execute(text("UPDATE reminders SET status = 'pending', claim_token = NULL, lease_until = NULL "
                                "WHERE status = 'sending'"))
    standin = SlackStandIn().start()
    try:
        unpaced = _dispatch(db, standin, tick_at, 0, sample)
        with db.engine.begin() as connection:
            connection.execute(text("UPDATE reminders SET status = 'pending', message_ts = NULL, attempts = 0 "
                                    "WHERE status = 'sent'"))
        paced = _dispatch(db, standin, tick_at, PACED_RATE, min(sample, 25))
    finally:
        standin.stop()
        db.dispose()
    return {"store": store, "accounts": accounts, "reminders": total, "due_at_tick": due,
            "schedule_s": schedule_seconds, "claim_200_ms": claim_seconds * 1000, "claimed": len(claimed),
            "dispatch_unpaced_per_s": unpaced, f"dispatch_paced_{PACED_RATE}_per_s": paced,
            "claim_target": "<= 1000 ms", "met": "yes" if claim_seconds <= 1.0 else "NO"}


def run(smoke: bool = False, database_urls: list[str] | None = None) -> list[dict]:
    """Rows for BENCHMARKS.md."""
    sizes = (300,) if smoke else (10_000, 100_000)
    sample = 20 if smoke else DISPATCH_SAMPLE
    rows = []
    for size in sizes:
        with tempfile.TemporaryDirectory() as tmp:
            rows.append(measure("SQLite", f"sqlite:///{Path(tmp) / 'bench.sqlite3'}", size, sample))
        for base in database_urls or []:
            url, drop = fresh_postgres_schema(base)
            try:
                rows.append(measure("PostgreSQL", url, size, sample))
            finally:
                drop()
    return rows
