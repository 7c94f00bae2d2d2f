"""QBR reminders on the real store (SQLite, or PostgreSQL with PUSHBACK_TEST_DATABASE_URL) and the Slack
stand-in: scheduled once, sent once, never lost, at 09:00 in the owner's timezone."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import update

from bot.accounts import (
    AccountDraft,
    AccountError,
    add_account,
    delete_account,
    log_pushback,
    move_qbr,
    update_account,
)
from bot.models import Reminder
from bot.reminders.schedule import schedule_accounts
from bot.reminders.actions import failed_reminders, mark_prepared, reminders_of, snooze
from bot.reminders.tick import claim_due, run_due
from bot.settings import Settings
from bot.slack.reminders import SlackReminderSender
from tests.conftest import BOT_TOKEN

TEAM = "T0001"
NOW = datetime(2026, 12, 1, 12, 0, tzinfo=timezone.utc)


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=timezone.utc)


@pytest.fixture
def sender(standin):
    settings = Settings(slack_bot_token=BOT_TOKEN, slack_api_url=standin.api_url)
    return SlackReminderSender(settings, lambda team_id: BOT_TOKEN)


def _account(db, name="Northwind", qbr="2027-01-15", owner="U0ALICE", tz=None, **extra):
    return add_account(db, AccountDraft(name=name, owner_id=owner, next_qbr=qbr, team_id=TEAM, owner_timezone=tz,
                                        **extra), now=NOW)


def _states(db, account_id):
    return [(r.qbr_date.isoformat(), r.offset_days, r.snooze, r.status) for r in reminders_of(db, account_id)]


def _dms(standin):
    """Reminder DMs Slack accepted (the stand-in keeps the messages it took)."""
    return [message for channel, messages in standin.messages.items() if channel.startswith("D")
            for message in messages if (message.get("metadata") or {}).get("event_type") == "pushback_qbr_reminder"]


def test_an_account_gets_a_reminder_14_and_2_days_before_its_qbr_at_nine_utc_by_default(db):
    account = _account(db)
    due = [(r.offset_days, r.due_at.replace(tzinfo=timezone.utc) if r.due_at.tzinfo is None else r.due_at)
           for r in reminders_of(db, account.id)]
    assert due == [(14, utc("2027-01-01T09:00:00")), (2, utc("2027-01-13T09:00:00"))]


def test_scheduling_twice_creates_nothing_more(db):
    account = _account(db)
    from bot.models import Account

    with db.transaction() as session:
        row = session.get(Account, account.id)
        schedule_accounts(session, [row], NOW)
        schedule_accounts(session, [row], NOW)
    assert _states(db, account.id) == [("2027-01-15", 14, 0, "pending"), ("2027-01-15", 2, 0, "pending")]


def test_an_owner_in_los_angeles_gets_it_at_nine_local_across_a_dst_change(db):
    account = _account(db, qbr="2027-03-20", tz="America/Los_Angeles")
    due = {r.offset_days: r.due_at.astimezone(timezone.utc) if r.due_at.tzinfo else r.due_at.replace(
        tzinfo=timezone.utc) for r in reminders_of(db, account.id)}
    assert due[14] == utc("2027-03-06T17:00:00")  # PST, UTC-8
    assert due[2] == utc("2027-03-18T16:00:00")  # PDT after 14 March, UTC-7


def test_nothing_goes_out_before_nine_local_and_it_goes_out_at_nine(db, standin, sender):
    standin.add_user("U0ALICE", tz="America/Los_Angeles")
    _account(db, qbr="2027-03-20", tz="America/Los_Angeles")

    assert run_due(db, sender, utc("2027-03-06T16:59:00")).sent == []
    assert _dms(standin) == []
    report = run_due(db, sender, utc("2027-03-06T17:00:00"))

    assert len(report.sent) == 1
    assert [c.args["channel"] for c in standin.calls_to("chat.postMessage")] == ["U0ALICE"]
    assert "Northwind" in _dms(standin)[0]["text"]


def test_the_dm_groups_this_quarters_pushbacks_by_reason_and_flags_frequent_no(db, standin, sender):
    account = _account(db)
    for number in range(5):
        log_pushback(db, team_id=TEAM, account_id=account.id, user_id="U0ALICE", triage_id=None,
                     summary=f"Extra landing page {number} for free", verdict="push_back",
                     reasons=["out_of_scope", "unreasonable"] if number < 3 else ["out_of_scope"])

    run_due(db, sender, utc("2027-01-01T09:00:00"))

    blocks = str(_dms(standin)[0]["blocks"])
    assert "*Out of scope*: 5" in blocks and "*Unreasonable*: 3" in blocks
    assert "Extra landing page 0 for free" in blocks
    assert "Use no sparingly" in blocks
    assert "Scope:" in blocks and "Suggested agenda item" in blocks
    action_ids = [e["action_id"] for b in _dms(standin)[0]["blocks"] if b["type"] == "actions"
                  for e in b["elements"]]
    assert action_ids == ["reminder_snooze", "reminder_prepared", "reminder_change_date"]


def test_a_reminder_due_while_the_app_was_down_goes_out_when_it_is_back(db, standin, sender):
    account = _account(db)
    report = run_due(db, sender, utc("2027-01-10T08:00:00"))  # nine days late, QBR still ahead

    assert len(report.sent) == 1
    assert _states(db, account.id)[0][3] == "sent"


def test_a_reminder_whose_qbr_passed_while_down_is_skipped_and_the_next_qbr_is_scheduled(db, standin, sender):
    account = _account(db)
    report = run_due(db, sender, utc("2027-01-20T10:00:00"))

    assert report.sent == [] and _dms(standin) == []
    states = _states(db, account.id)
    assert ("2027-01-15", 14, 0, "skipped") in states and ("2027-01-15", 2, 0, "skipped") in states
    assert ("2027-04-15", 14, 0, "pending") in states and ("2027-04-15", 2, 0, "pending") in states


def test_a_rate_limit_defers_until_retry_after_then_it_is_sent_once(db, standin, sender):
    account = _account(db)
    standin.rate_limit("chat.postMessage", retry_after=30)

    first = run_due(db, sender, utc("2027-01-01T09:00:00"))
    assert first.sent == [] and len(first.deferred) == 1
    assert run_due(db, sender, utc("2027-01-01T09:00:10")).sent == []  # still inside Retry-After
    assert len(standin.calls_to("chat.postMessage")) == 1
    later = run_due(db, sender, utc("2027-01-01T09:01:00"))

    assert len(later.sent) == 1
    assert len(_dms(standin)) == 1
    assert _states(db, account.id)[0][3] == "sent"


def test_a_server_error_defers_and_the_next_tick_sends(db, standin, sender):
    _account(db)
    standin.server_error("chat.postMessage", times=3)

    assert len(run_due(db, sender, utc("2027-01-01T09:00:00")).deferred) == 1
    assert len(run_due(db, sender, utc("2027-01-01T09:10:00")).sent) == 1
    assert len(_dms(standin)) == 1


def test_a_crash_after_sending_is_recovered_from_slack_without_a_second_dm(db, standin, sender):
    account = _account(db)
    now = utc("2027-01-01T09:00:00")
    claimed = claim_due(db, now)
    reminder = reminders_of(db, account.id)[0]
    assert claimed == [reminder.id]
    from bot.reminders.tick import _load_dm

    with db.transaction() as session:
        dm, _zone = _load_dm(session, session.get(Reminder, reminder.id), now)
    assert sender.send(dm).ts  # the DM went out, then the process died before recording it

    assert run_due(db, sender, now + timedelta(minutes=1)).sent == []  # lease still held
    report = run_due(db, sender, now + timedelta(minutes=6))

    assert len(report.sent) == 1 and "found already sent" in report.sent[0]
    assert len(_dms(standin)) == 1
    assert _states(db, account.id)[0][3] == "sent"


def test_a_crash_before_sending_is_sent_after_the_lease(db, standin, sender):
    account = _account(db)
    now = utc("2027-01-01T09:00:00")
    claim_due(db, now)

    report = run_due(db, sender, now + timedelta(minutes=6))

    assert len(report.sent) == 1 and len(_dms(standin)) == 1
    assert _states(db, account.id)[0][3] == "sent"


def test_a_permanent_failure_is_recorded_and_shown_for_the_owners_app_home(db, standin, sender):
    _account(db)
    standin.fail("chat.postMessage", "cannot_dm_bot")

    report = run_due(db, sender, utc("2027-01-01T09:00:00"))

    assert len(report.failed) == 1 and "cannot_dm_bot" in report.failed[0]
    problems = failed_reminders(db, TEAM, "U0ALICE")
    assert [(p.account_name, p.error) for p in problems] == [("Northwind", "cannot_dm_bot")]
    assert run_due(db, sender, utc("2027-01-02T09:00:00")).sent == []


def test_moving_the_qbr_reschedules_pending_reminders(db, standin, sender):
    account = _account(db)
    move_qbr(db, TEAM, account.id, date(2027, 2, 10), now=NOW)

    assert _states(db, account.id) == [("2027-02-10", 14, 0, "pending"), ("2027-02-10", 2, 0, "pending")]
    assert run_due(db, sender, utc("2027-01-01T09:00:00")).sent == []
    assert len(run_due(db, sender, utc("2027-01-27T09:00:00")).sent) == 1


def test_editing_the_days_and_time_reschedules(db):
    account = _account(db)
    update_account(db, account.id, AccountDraft(name="Northwind", owner_id="U0ALICE", next_qbr="2027-01-15",
                                                team_id=TEAM, reminder_offsets="7", send_time="14:30"), now=NOW)
    [reminder] = reminders_of(db, account.id)
    due = reminder.due_at if reminder.due_at.tzinfo else reminder.due_at.replace(tzinfo=timezone.utc)
    assert (reminder.offset_days, due) == (7, utc("2027-01-08T14:30:00"))


def test_deleting_the_account_cancels_its_reminders(db, standin, sender):
    account = _account(db)
    delete_account(db, TEAM, account.id)

    assert reminders_of(db, account.id) == []
    assert run_due(db, sender, utc("2027-01-14T09:00:00")).sent == []


def test_snooze_reminds_again_a_day_later_once_however_often_it_is_pressed(db, standin, sender):
    account = _account(db)
    run_due(db, sender, utc("2027-01-01T09:00:00"))
    first = reminders_of(db, account.id)[0]
    pressed = utc("2027-01-01T10:00:00")

    snooze(db, TEAM, first.id, "U0ALICE", now=pressed)
    snooze(db, TEAM, first.id, "U0ALICE", now=pressed)
    assert snooze(db, TEAM, first.id, "U0MALLORY", now=pressed) is None

    assert run_due(db, sender, utc("2027-01-02T09:59:00")).sent == []
    assert len(run_due(db, sender, utc("2027-01-02T10:00:00")).sent) == 1
    assert len(_dms(standin)) == 2


def test_mark_prepared_cancels_the_rest_of_this_qbrs_reminders(db, standin, sender):
    account = _account(db)
    run_due(db, sender, utc("2027-01-01T09:00:00"))
    first = reminders_of(db, account.id)[0]

    assert mark_prepared(db, TEAM, first.id, "U0MALLORY") is None
    assert mark_prepared(db, TEAM, first.id, "U0ALICE") == 1
    assert run_due(db, sender, utc("2027-01-13T09:00:00")).sent == []


def test_a_new_account_whose_reminder_times_passed_gets_one_now_while_the_qbr_is_ahead(db, standin, sender):
    account = _account(db, qbr="2026-12-02")
    assert [(r.offset_days, r.status) for r in reminders_of(db, account.id)] == [(2, "pending")]
    assert len(run_due(db, sender, NOW).sent) == 1


def test_invalid_account_details_name_the_field(db):
    with pytest.raises(AccountError) as bad_date:
        _account(db, qbr="15/01/2027")
    assert bad_date.value.field == "next_qbr"
    with pytest.raises(AccountError) as bad_owner:
        _account(db, owner="alice")
    assert bad_owner.value.field == "owner_id"
    _account(db)
    with pytest.raises(AccountError, match="already an account"):
        _account(db)


def test_many_due_reminders_are_claimed_once_each_across_overlapping_claims(db):
    for number in range(30):
        _account(db, name=f"Client {number}")
    now = utc("2027-01-01T09:00:00")

    first, second = claim_due(db, now, limit=20), claim_due(db, now, limit=20)
    third = claim_due(db, now, limit=20)

    assert len(first) == 20 and len(second) == 10 and third == []
    assert not set(first) & set(second)


def test_a_claim_held_by_a_live_tick_is_not_taken_over(db):
    _account(db)
    now = utc("2027-01-01T09:00:00")
    assert len(claim_due(db, now)) == 1
    with db.transaction() as session:
        session.execute(update(Reminder).values(lease_until=now + timedelta(minutes=4)))
    assert claim_due(db, now + timedelta(minutes=3)) == []
