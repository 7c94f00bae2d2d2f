"""What people do with reminders, and what they see of them: a workspace's reminder defaults, snoozing a reminder
or marking its QBR prepared (the buttons on the DM), the owner's failed reminders for App Home, and forgetting an
owner's reminder records. The tick that sends them is `bot.reminders.tick`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from bot.db import Database, rows_changed
from bot.models import Account, Reminder, ReminderStatus, WorkspaceSettings, utcnow
from bot.reminders.plan import local_today
from bot.reminders.schedule import insert_reminders, schedule_accounts
from bot.triage_store import as_utc

FINISHED = (ReminderStatus.SENT, ReminderStatus.FAILED, ReminderStatus.SKIPPED, ReminderStatus.CANCELLED)


def set_workspace_defaults(db: Database, team_id: str, *, offsets: list[int] | None = None,
                           send_time: str | None = None, timezone_name: str | None = None,
                           now: datetime | None = None) -> None:
    """Set a workspace's reminder days, send time or fallback timezone, and reschedule its accounts."""
    with db.transaction() as session:
        row = session.get(WorkspaceSettings, team_id) or WorkspaceSettings(team_id=team_id)
        if offsets is not None:
            row.reminder_offsets = offsets
        if send_time is not None:
            row.send_time = send_time
        if timezone_name is not None:
            row.timezone = timezone_name
        session.add(row)
        session.flush()
        accounts = list(session.scalars(select(Account).where(Account.team_id == team_id)))
        schedule_accounts(session, accounts, now or utcnow())


def _owned_reminder(session: Session, team_id: str, reminder_id: int,
                    user_id: str) -> tuple[Reminder, Account | None] | None:
    """The user's reminder in the workspace and the account it is about (None once deleted); None when it is not
    theirs."""
    reminder = session.scalar(select(Reminder).where(Reminder.id == reminder_id, Reminder.team_id == team_id,
                                                     Reminder.owner_id == user_id))
    return None if reminder is None else (reminder, session.get(Account, reminder.account_id))


def snooze(db: Database, team_id: str, reminder_id: int, user_id: str, now: datetime | None = None,
           days: int = 1) -> datetime | None:
    """Remind the owner again in `days`; pressing twice on the same DM snoozes once. The new reminder is about the
    account's QBR as it is now (a DM sent before the QBR moved is about the old date). When it will come."""
    now = now or utcnow()
    with db.transaction() as session:
        found = _owned_reminder(session, team_id, reminder_id, user_id)
        if found is None:
            return None
        original, account = found
        qbr_date = account.next_qbr if account is not None else original.qbr_date
        due = now + timedelta(days=days)
        insert_reminders(session, [{
            "team_id": team_id, "account_id": original.account_id, "owner_id": original.owner_id,
            "qbr_date": qbr_date, "offset_days": original.offset_days, "snooze": original.snooze + 1,
            "due_at": due, "status": ReminderStatus.PENDING, "attempts": 0, "created_at": now, "updated_at": now}])
        return due


def mark_prepared(db: Database, team_id: str, reminder_id: int, user_id: str,
                  now: datetime | None = None) -> int | None:
    """Cancel the rest of this QBR's reminders: the owner is ready. When the QBR has moved since the DM (its date
    is still ahead, but the account's is another), the reminders for the new date are this QBR's. How many were
    cancelled (None: not theirs)."""
    now = now or utcnow()
    with db.transaction() as session:
        found = _owned_reminder(session, team_id, reminder_id, user_id)
        if found is None:
            return None
        original, account = found
        dates = {original.qbr_date}
        if account is not None and original.qbr_date >= local_today(now, account.owner_timezone):
            dates.add(account.next_qbr)
        return rows_changed(session.execute(update(Reminder).where(
            Reminder.account_id == original.account_id, Reminder.qbr_date.in_(dates),
            Reminder.status == ReminderStatus.PENDING).values(status=ReminderStatus.CANCELLED,
                                                              error="marked prepared", updated_at=utcnow())))


def reminder_account_id(db: Database, team_id: str, reminder_id: int, user_id: str) -> int | None:
    """The account a user's reminder is about."""
    with db.transaction() as session:
        return session.scalar(select(Reminder.account_id).where(
            Reminder.id == reminder_id, Reminder.team_id == team_id, Reminder.owner_id == user_id))


@dataclass(frozen=True)
class ReminderProblem:
    """A reminder that could not be sent, for the owner's App Home."""

    account_name: str
    qbr_date: date
    error: str
    when: datetime


def failed_reminders(db: Database, team_id: str, owner_id: str, limit: int = 5) -> list[ReminderProblem]:
    """The owner's most recent reminders that failed for good."""
    with db.transaction() as session:
        rows = session.execute(
            select(Account.name, Reminder.qbr_date, Reminder.error, Reminder.updated_at)
            .join(Account, Account.id == Reminder.account_id)
            .where(Reminder.team_id == team_id, Reminder.owner_id == owner_id,
                   Reminder.status == ReminderStatus.FAILED)
            .order_by(Reminder.updated_at.desc()).limit(limit)).all()
    return [ReminderProblem(name, qbr, error or "unknown", as_utc(when)) for name, qbr, error, when in rows]


def reminders_of(db: Database, account_id: int) -> list[Reminder]:
    """Every reminder row of an account, detached, by due time (for the CLI and tests)."""
    with db.transaction() as session:
        rows = list(session.scalars(select(Reminder).where(Reminder.account_id == account_id)
                                    .order_by(Reminder.due_at)))
        session.expunge_all()
    return rows


def forget_owner_reminders(session: Session, team_id: str, owner_id: str) -> int:
    """Delete sent and failed reminder records of an owner (their DMs stay in Slack); how many."""
    return rows_changed(session.execute(delete(Reminder).where(
        Reminder.team_id == team_id, Reminder.owner_id == owner_id,
        Reminder.status.in_(FINISHED))))
