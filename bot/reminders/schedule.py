"""Reminder scheduling: each account's pending reminder rows made to match its next QBR and reminder plan.

Kept apart from the tick (`bot.reminders.tick`) so that accounts can reschedule their reminders without importing
the sending side, which itself reads accounts.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from bot.models import Account, Reminder, ReminderStatus, WorkspaceSettings, utcnow
from bot.reminders.plan import default_offsets, default_send_time, due_moment, local_today


def _workspace_defaults(session: Session, team_ids: Iterable[str]) -> dict[str, WorkspaceSettings]:
    ids = set(team_ids)
    rows: Iterable[WorkspaceSettings] = (
        session.scalars(select(WorkspaceSettings).where(WorkspaceSettings.team_id.in_(ids))) if ids else [])
    return {row.team_id: row for row in rows}


def plan_for(account: Account, workspace: WorkspaceSettings | None) -> tuple[list[int], str, str | None]:
    """Days before, local send time and timezone for an account's reminders: the account's, else its
    workspace's, else the defaults in `data/reminders.toml`."""
    offsets = account.reminder_offsets or (workspace.reminder_offsets if workspace else None) or default_offsets()
    send_time = account.send_time or (workspace.send_time if workspace else None) or default_send_time()
    zone_name = account.owner_timezone or (workspace.timezone if workspace else None)
    return list(offsets), send_time, zone_name


def insert_reminders(session: Session, rows: list[dict]) -> None:
    """Insert reminder rows, leaving out any whose key (account, QBR date, days before, snooze) already exists."""
    if not rows:
        return
    insert = postgresql_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    for start in range(0, len(rows), 2000):
        session.execute(insert(Reminder).on_conflict_do_nothing(
            index_elements=["account_id", "qbr_date", "offset_days", "snooze"]), rows[start:start + 2000])


def schedule_accounts(session: Session, accounts: Sequence[Account], now: datetime) -> None:
    """Make each account's pending reminders match its next QBR, days before, send time and timezone.

    Idempotent: reminders that exist are kept (their due time updated, so one missed while the app was down is
    due at once), missing ones are created, pending ones for another date or day are removed, and pending ones
    whose QBR has passed are recorded as skipped. A new reminder whose time has already passed is not created,
    except that an account always gets its nearest one while the QBR is still ahead.
    """
    workspaces = _workspace_defaults(session, (account.team_id for account in accounts))
    ids = [account.id for account in accounts]
    pending: dict[int, list[Reminder]] = defaultdict(list)
    for start in range(0, len(ids), 5000):
        chunk = ids[start:start + 5000]
        for reminder in session.scalars(select(Reminder).where(Reminder.account_id.in_(chunk),
                                                               Reminder.status == ReminderStatus.PENDING)):
            pending[reminder.account_id].append(reminder)
    new_rows: list[dict] = []
    stamp = utcnow()
    for account in accounts:
        offsets, send_time, zone_name = plan_for(account, workspaces.get(account.team_id))
        due_times = {offset: due_moment(account.next_qbr, offset, send_time, zone_name) for offset in offsets}
        today = local_today(now, zone_name)
        for reminder in pending.get(account.id, []):
            if reminder.qbr_date < today:
                reminder.status, reminder.error = ReminderStatus.SKIPPED, "the QBR passed before it could be sent"
            elif reminder.qbr_date != account.next_qbr or (reminder.snooze == 0
                                                           and reminder.offset_days not in due_times):
                session.delete(reminder)
            elif reminder.snooze == 0:
                reminder.due_at = due_times[reminder.offset_days]
                reminder.owner_id = account.owner_id
        wanted = {offset: due for offset, due in due_times.items() if due > now}
        if not wanted and account.next_qbr >= today:
            wanted[min(offsets)] = now
        for offset, due in wanted.items():
            new_rows.append({"team_id": account.team_id, "account_id": account.id, "owner_id": account.owner_id,
                             "qbr_date": account.next_qbr, "offset_days": offset, "snooze": 0, "due_at": due,
                             "status": ReminderStatus.PENDING, "attempts": 0, "created_at": stamp, "updated_at": stamp})
    session.flush()
    insert_reminders(session, new_rows)


def schedule_account(session: Session, account: Account, now: datetime) -> None:
    """`schedule_accounts` for one account."""
    schedule_accounts(session, [account], now)
