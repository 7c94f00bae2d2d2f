"""Reminders for process tests: accounts whose QBR is tomorrow, so each has a reminder due at once, and whether
every one of them has gone out."""

from __future__ import annotations

from datetime import date, timedelta

from bot.accounts import AccountRecord, import_accounts
from bot.db import Database
from bot.models import ReminderStatus
from bot.reminders.actions import reminders_of


def accounts_due_tomorrow(db: Database, count: int, team_id: str = "T0001") -> list[AccountRecord]:
    """`count` accounts in the workspace, each with its own owner and a QBR tomorrow."""
    qbr = (date.today() + timedelta(days=1)).isoformat()
    rows = "\n".join(f"Client {n},U0OWNER{n:03d},{qbr}" for n in range(count))
    return import_accounts(db, f"name,owner,qbr\n{rows}\n", team_id).created


def all_reminders_sent(db: Database, accounts: list[AccountRecord]) -> bool:
    """Whether every reminder of these accounts is recorded as sent."""
    return all(reminder.status == ReminderStatus.SENT
               for account in accounts for reminder in reminders_of(db, account.id))
