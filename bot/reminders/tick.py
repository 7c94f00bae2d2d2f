"""The reminder tick: QBR reminders that are never lost and never sent twice.

Each reminder is a row keyed by (account, QBR date, days before, snooze number), created idempotently. A tick,
run every minute by every clock, claims due rows atomically (PostgreSQL `FOR UPDATE SKIP LOCKED`; SQLite's
single writer makes the same conditional update atomic), sends them through a `ReminderSender`, and records
Slack's answer. A claim is a lease from the moment of the claim, renewed while the tick works, and every send is
fenced on the claim's token (`Lease.hold`): a tick that lost its claim sends nothing more for it. A tick that dies
mid-send leaves the row `sending` until the lease ends; the next claim first asks Slack whether the message
already went out (its id travels in the message metadata).
Slack-free: the sender is handed in.
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Protocol

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from bot.accounts import LoggedPushback, account_record, quarter_pushbacks
from bot import leases
from bot.db import Database
from bot.leases import Claims, claim, finish, new_claim_token
from bot.models import Account, Reminder, ReminderStatus, utcnow
from bot.reminders.plan import (
    load_reminder_copy,
    local_today,
    months_later,
)
from bot.reminders.schedule import schedule_accounts

logger = logging.getLogger(__name__)

LEASE = timedelta(minutes=5)
RENEW_EVERY = timedelta(minutes=1)
CLAIM_BATCH = 200
RETRY_BACKOFF = timedelta(minutes=2)
MAX_ERROR_LENGTH = 200
METADATA_EVENT = "pushback_qbr_reminder"
REMINDER_CLAIMS = Claims(Reminder, ReminderStatus.SENDING, LEASE, RENEW_EVERY)


# --- what gets sent ------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class ReminderDM:
    """Everything a reminder DM says, ready for a sender to render."""

    reminder_id: int
    team_id: str
    owner_id: str
    account_id: int
    account_name: str
    qbr_date: date
    days_before: int
    pushbacks: list[LoggedPushback]
    frequent_threshold: int
    channel_id: str | None = None

    @property
    def reasons(self) -> Counter:
        """This quarter's push-backs counted by reason."""
        return Counter(reason for pushback in self.pushbacks for reason in pushback.reasons or ["other"])

    @property
    def frequent(self) -> bool:
        """True when there were so many push-backs that "no" should be used sparingly."""
        return len(self.pushbacks) >= self.frequent_threshold


@dataclass(frozen=True)
class Sent:
    """Slack took the message."""

    channel_id: str
    ts: str


@dataclass(frozen=True)
class Deferred:
    """Try again later: rate limited, Slack unavailable, or the network failed."""

    reason: str
    retry_after: float = RETRY_BACKOFF.total_seconds()


@dataclass(frozen=True)
class Failed:
    """It can never be sent as things are (user deactivated, cannot DM, app uninstalled)."""

    reason: str


class ReminderSender(Protocol):
    """Delivers reminder DMs; Slack's in `bot.slack.reminders`."""

    def already_sent(self, dm: ReminderDM) -> Sent | None:
        """The message for `dm` when Slack already has it (a tick died after sending)."""

    def send(self, dm: ReminderDM) -> Sent | Deferred | Failed:
        """Post the DM."""


# --- the tick ------------------------------------------------------------------------------------------------------

@dataclass
class TickReport:
    """What one tick did."""

    sent: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    deferred: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    advanced: int = 0

    def lines(self) -> list[str]:
        """Human-readable lines, one per reminder handled."""
        out = [f"sent     {line}" for line in self.sent] + [f"skipped  {line}" for line in self.skipped]
        out += [f"deferred {line}" for line in self.deferred] + [f"failed   {line}" for line in self.failed]
        if self.advanced:
            out.append(f"advanced {self.advanced} account(s) past their QBR to the next one")
        return out or ["nothing due"]


def advance_passed_qbrs(db: Database, now: datetime) -> int:
    """Accounts whose QBR has passed get the next one from their cadence, and reminders for it."""
    cutoff = (now - timedelta(days=1)).date()
    with db.transaction() as session:
        accounts = list(session.scalars(select(Account).where(Account.next_qbr < cutoff).limit(5000)))
        for account in accounts:
            while account.next_qbr < local_today(now, account.owner_timezone):
                account.next_qbr = months_later(account.next_qbr, account.cadence_months)
        if accounts:
            schedule_accounts(session, accounts, now)
        return len(accounts)


def _due(now: datetime):
    return or_(and_(Reminder.status == ReminderStatus.PENDING, Reminder.due_at <= now),
               and_(Reminder.status == ReminderStatus.SENDING, Reminder.lease_until < now))


def claim_due(db: Database, now: datetime, limit: int = CLAIM_BATCH, *, token: str | None = None,
              leased_at: datetime | None = None) -> list[int]:
    """Atomically claim up to `limit` reminders due at `now` (and ones whose sender died) under `token`.

    The lease runs `LEASE` from `leased_at` (the moment of the claim; `now` when not given), not from when the
    tick began, so a batch claimed late in a long tick is not born expired (see `bot.leases.claim`)."""
    return claim(db, REMINDER_CLAIMS, _due(now), token=token or new_claim_token(), leased_at=leased_at or now,
                 limit=limit, order_by=Reminder.due_at, attempts=Reminder.attempts + 1, updated_at=utcnow())


class Lease(leases.Lease):
    """What one tick holds: its claim token and a clock (`bot.leases.Lease` on reminders). `hold(reminder_id)` is
    the fence before every send."""

    def __init__(self, db: Database, token: str, clock: Callable[[], datetime]) -> None:
        super().__init__(db, REMINDER_CLAIMS, token, clock)


def _load_dm(session: Session, reminder: Reminder, now: datetime) -> tuple[ReminderDM, str | None] | None:
    account = session.get(Account, reminder.account_id)
    if account is None:
        return None
    record = account_record(account)
    days_left = (reminder.qbr_date - local_today(now, account.owner_timezone)).days
    dm = ReminderDM(
        reminder_id=reminder.id, team_id=reminder.team_id, owner_id=reminder.owner_id, account_id=account.id,
        account_name=account.name, qbr_date=reminder.qbr_date, days_before=max(0, days_left),
        pushbacks=quarter_pushbacks(session, record),
        frequent_threshold=int(load_reminder_copy()["defaults"]["frequent_pushbacks"]),
        channel_id=reminder.channel_id,
    )
    return dm, account.owner_timezone


def _finish(db: Database, reminder_id: int, token: str | None, **values) -> bool:
    """Record the outcome, if this tick still holds the claim."""
    return finish(db, REMINDER_CLAIMS, reminder_id, token, updated_at=utcnow(), **values)


class Pacer:
    """Spaces posts per workspace to stay under Slack's message rate limits."""

    def __init__(self, per_second: float) -> None:
        self.interval = 1.0 / per_second if per_second > 0 else 0.0
        self.next_slot: dict[str, float] = {}

    def wait(self, team_id: str) -> None:
        """Sleep until this workspace may post again."""
        if not self.interval:
            return
        moment = time.monotonic()
        slot = max(moment, self.next_slot.get(team_id, moment))
        self.next_slot[team_id] = slot + self.interval
        if slot > moment:
            time.sleep(slot - moment)


def _label(dm: ReminderDM) -> str:
    return (f"reminder={dm.reminder_id} team={dm.team_id} account={dm.account_id} qbr={dm.qbr_date} "
            f"days_before={dm.days_before} owner={dm.owner_id}")


def send_claimed_reminder(db: Database, sender: ReminderSender, reminder_id: int, now: datetime, report: TickReport,
            pacer: Pacer | None = None, *, lease: Lease) -> None:
    """Send one reminder claimed under `lease` and record what happened. Nothing is sent or recorded once the
    claim is no longer the lease's: the send is fenced on its token (renewing it) right before it goes."""
    with db.transaction() as session:
        reminder = session.get(Reminder, reminder_id)
        if reminder is None or reminder.status != ReminderStatus.SENDING or reminder.claim_token != lease.token:
            return
        attempts = reminder.attempts
        loaded = _load_dm(session, reminder, now)
    if loaded is not None:
        _send_loaded(db, sender, lease, reminder_id, attempts, loaded, now, report, pacer)


def _send_loaded(db: Database, sender: ReminderSender, lease: Lease, reminder_id: int, attempts: int,
                    loaded: tuple[ReminderDM, str | None], now: datetime, report: TickReport,
                    pacer: Pacer | None) -> None:
    dm, zone_name = loaded
    token = lease.token
    label = _label(dm)
    if local_today(now, zone_name) > dm.qbr_date:
        _finish(db, reminder_id, token, status=ReminderStatus.SKIPPED, error="the QBR passed before it could be sent")
        report.skipped.append(f"{label}: the QBR has passed")
        logger.info("reminder skipped %s: the QBR has passed", label)
        return
    found = sender.already_sent(dm) if attempts > 1 else None
    if found is None:
        if pacer:
            pacer.wait(dm.team_id)
        if not lease.hold(reminder_id):
            logger.warning("reminder %s not sent: this tick's claim ran out and another tick holds it", label)
            return
        outcome = sender.send(dm)
    else:
        outcome = found
    if isinstance(outcome, Sent):
        recorded = _finish(db, reminder_id, token, status=ReminderStatus.SENT, channel_id=outcome.channel_id,
                           message_ts=outcome.ts, sent_at=utcnow(), error=None)
        report.sent.append(f"{label}{' (found already sent)' if found else ''}")
        logger.info("reminder sent %s ts=%s%s%s", label, outcome.ts, " (found already sent)" if found else "",
                    "" if recorded else " (not recorded: the claim ran out; the next claim finds it in Slack)")
    elif isinstance(outcome, Deferred):
        _finish(db, reminder_id, token, status=ReminderStatus.PENDING, error=outcome.reason[:MAX_ERROR_LENGTH],
                due_at=now + timedelta(seconds=max(1.0, outcome.retry_after)))
        report.deferred.append(f"{label}: {outcome.reason}, retry in {outcome.retry_after:.0f}s")
        logger.warning("reminder deferred %s: %s", label, outcome.reason)
    else:
        _finish(db, reminder_id, token, status=ReminderStatus.FAILED, error=outcome.reason[:MAX_ERROR_LENGTH])
        report.failed.append(f"{label}: {outcome.reason}")
        logger.error("reminder failed %s: %s", label, outcome.reason)


def tick_clock(now: datetime | None) -> tuple[datetime, Callable[[], datetime]]:
    """A tick's `now` and its clock for leases: the wall clock for a live tick; for a tick run at a given `now`
    (`pushback reminders run-due --now`), that moment plus the time the tick has taken, so its leases are
    measured on the same clock as other ticks run at that `now`."""
    if now is None:
        return utcnow(), utcnow
    started = time.monotonic()
    return now, lambda: now + timedelta(seconds=time.monotonic() - started)


def run_due(db: Database, sender: ReminderSender, now: datetime | None = None, *,
            per_second: float = 0.0, max_batches: int = 50, batch_size: int = CLAIM_BATCH,
            clock: Callable[[], datetime] | None = None) -> TickReport:
    """One tick: advance passed QBRs, then claim and send every reminder due at `now`, `batch_size` at a time.

    Each batch is leased from the moment `clock` says it was claimed, the lease is renewed while the tick works,
    and every send is fenced on the batch's claim token. The scheduler and `pushback reminders run-due` both run
    this; tests hand in `clock` to play a slow tick."""
    now, default_clock = tick_clock(now)
    clock = clock or default_clock
    report = TickReport(advanced=advance_passed_qbrs(db, now))
    pacer = Pacer(per_second)
    for _ in range(max_batches):
        token = new_claim_token()
        claimed = claim_due(db, now, batch_size, token=token, leased_at=clock())
        if not claimed:
            break
        lease = Lease(db, token, clock)
        for reminder_id in claimed:
            try:
                send_claimed_reminder(db, sender, reminder_id, now, report, pacer, lease=lease)
            except Exception:  # one reminder's failure never stops the others; the lease recovers it
                logger.exception("reminder %s could not be delivered; it stays claimed until its lease ends",
                                 reminder_id)
    return report
