"""Reminder buttons after the QBR moved, and "in N days" telling the real gap (a snoozed reminder included)."""

from __future__ import annotations

from datetime import date, datetime, timezone

from bot.accounts import AccountDraft, add_account, move_qbr
from bot.blocks.accounts import reminder_message
from bot.reminders.actions import mark_prepared, reminders_of, snooze
from bot.reminders.tick import Sent, run_due

TEAM = "T0001"
CREATED = datetime(2026, 12, 1, 12, 0, tzinfo=timezone.utc)


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=timezone.utc)


class KeepingSender:
    """Slack for reminder DMs: keeps each DM it was given."""

    def __init__(self) -> None:
        self.dms = []

    def already_sent(self, dm):
        return None

    def send(self, dm):
        self.dms.append(dm)
        return Sent(f"D{dm.owner_id}", f"{len(self.dms)}.000100")


def _account(db):
    return add_account(db, AccountDraft(name="Northwind", owner_id="U0ALICE", next_qbr="2027-01-15", team_id=TEAM),
                       now=CREATED)


def test_snooze_on_a_reminder_sent_before_the_qbr_moved_reminds_about_the_new_date(db):
    account = _account(db)
    sender = KeepingSender()
    run_due(db, sender, utc("2027-01-01T09:00:00"))
    first = reminders_of(db, account.id)[0]
    move_qbr(db, TEAM, account.id, date(2027, 2, 10), now=utc("2027-01-01T09:30:00"))

    snooze(db, TEAM, first.id, "U0ALICE", now=utc("2027-01-01T10:00:00"))
    run_due(db, sender, utc("2027-01-02T10:00:00"))

    assert [dm.qbr_date for dm in sender.dms] == [date(2027, 1, 15), date(2027, 2, 10)]
    assert sender.dms[1].days_before == 39


def test_mark_prepared_after_the_qbr_moved_cancels_the_reminders_for_the_new_date(db):
    account = _account(db)
    sender = KeepingSender()
    run_due(db, sender, utc("2027-01-01T09:00:00"))
    first = reminders_of(db, account.id)[0]
    move_qbr(db, TEAM, account.id, date(2027, 2, 10), now=utc("2027-01-01T09:30:00"))

    cancelled = mark_prepared(db, TEAM, first.id, "U0ALICE")
    run_due(db, sender, utc("2027-01-27T09:00:00"))
    run_due(db, sender, utc("2027-02-08T09:00:00"))

    assert cancelled == 2
    assert len(sender.dms) == 1


def test_a_snoozed_reminder_says_the_real_number_of_days_to_the_qbr(db):
    account = _account(db)
    sender = KeepingSender()
    run_due(db, sender, utc("2027-01-13T09:00:00"))  # the 2-days-before reminder (the 14-day one is sent too)
    two_days = next(r for r in reminders_of(db, account.id) if r.offset_days == 2)

    snooze(db, TEAM, two_days.id, "U0ALICE", now=utc("2027-01-13T10:00:00"))
    run_due(db, sender, utc("2027-01-14T10:00:00"))

    snoozed = sender.dms[-1]
    assert snoozed.days_before == 1
    intro = reminder_message(snoozed)["blocks"][1]["text"]["text"]
    assert "in 1 day" in intro and "2 days" not in intro
