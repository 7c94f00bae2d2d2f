"""A tick that outlives its lease: two ticks interleaved on the real store, time driven through the ticks' clocks
(no sleeps). Each reminder reaches the sender once."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta, timezone

from bot.accounts import AccountDraft, add_account
from bot.reminders.tick import Lease, Sent, TickReport, claim_due, send_claimed_reminder, run_due

TEAM = "T0001"
CREATED = datetime(2026, 12, 1, 12, 0, tzinfo=timezone.utc)
DUE = datetime(2027, 1, 1, 9, 0, tzinfo=timezone.utc)  # the 14-days-before reminders of a 2027-01-15 QBR


class Clock:
    """A tick's clock, moved by hand."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now


class RecordingSender:
    """Slack for reminder DMs, counting what it took: `before(dm)` runs before a DM is taken, `after(dm)` after;
    `already_sent` finds a DM taken before, as the real sender finds it in the owner's DM by its metadata."""

    def __init__(self, sent: Counter, before=None, after=None) -> None:
        self.sent = sent
        self.before = before
        self.after = after

    def already_sent(self, dm):
        return Sent(f"D{dm.owner_id}", f"{dm.reminder_id}.000100") if self.sent[dm.reminder_id] else None

    def send(self, dm):
        if self.before is not None:
            self.before(dm)
        self.sent[dm.reminder_id] += 1
        if self.after is not None:
            self.after(dm)
        return Sent(f"D{dm.owner_id}", f"{dm.reminder_id}.000100")


def _accounts(db, count: int) -> None:
    for number in range(count):
        add_account(db, AccountDraft(name=f"Client {number}", owner_id=f"U0OWNER{number:03d}", next_qbr="2027-01-15",
                                     team_id=TEAM, reminder_offsets="14"), now=CREATED)


def test_a_batch_claimed_late_in_a_long_tick_is_not_taken_over_by_another_tick(db, fault_figures):
    """Tick A works for minutes (slow Slack): its second batch is claimed 4 minutes after A started. Tick B starts
    6 minutes after A. A's second batch must still be A's, leased from when A claimed it."""
    _accounts(db, 3)
    sent: Counter = Counter()
    clock_a = Clock(DUE)
    reports_b = []

    def slow_slack(dm) -> None:
        clock_a.now += timedelta(minutes=2)  # each send takes two minutes of A's time
        if clock_a.now >= DUE + timedelta(minutes=6) and not reports_b:
            reports_b.append(run_due(db, RecordingSender(sent), DUE + timedelta(minutes=6), batch_size=1))

    report_a = run_due(db, RecordingSender(sent, before=slow_slack), DUE, batch_size=1, clock=clock_a)

    duplicates = sum(sent.values()) - len(sent)
    fault_figures(interleaved_ticks=2, reminders_due=3, reminders_delivered=len(sent), duplicates=duplicates)
    assert reports_b, "tick B ran while tick A was still working"
    assert len(sent) == 3 and duplicates == 0, sent
    assert len(report_a.sent) + len(reports_b[0].sent) == 3


def test_a_tick_whose_lease_ran_out_mid_batch_sends_nothing_it_no_longer_holds(db, fault_figures):
    """Tick A stalls for 6 minutes after its first send (a slow store, a paused process); tick B takes over A's
    batch and sends it while A is still going. Every send A makes is fenced on its own claim token: it sends none
    of the rows B now holds."""
    _accounts(db, 3)
    sent: Counter = Counter()
    clock_a = Clock(DUE)
    b_now = DUE + timedelta(minutes=6)
    taken_over: list[int] = []
    report_b = TickReport()
    b_done: list[bool] = []

    def tick_b_delivers(_dm=None) -> None:
        if taken_over and not b_done:
            b_done.append(True)
            for reminder_id in taken_over:
                send_claimed_reminder(db, RecordingSender(sent), reminder_id, b_now, report_b,
                        lease=Lease(db, "tick-b", lambda: b_now))

    def stalls_past_the_lease(_dm) -> None:
        if not taken_over:
            clock_a.now += timedelta(minutes=6)
            taken_over.extend(claim_due(db, b_now, token="tick-b"))

    report_a = run_due(db, RecordingSender(sent, before=tick_b_delivers, after=stalls_past_the_lease), DUE,
                       clock=clock_a)
    tick_b_delivers()

    duplicates = sum(sent.values()) - len(sent)
    fault_figures(lease_expired_mid_batch=1, reminders_due=3, reminders_delivered=len(sent), duplicates=duplicates)
    assert len(taken_over) == 3
    assert len(sent) == 3 and duplicates == 0, sent
    assert (len(report_a.sent), len(report_b.sent)) == (1, 3)


def test_a_lease_is_renewed_while_the_tick_works_through_its_batch(db):
    """A batch that takes longer than the lease to send, one slow send after another, stays the tick's own: no
    other tick can claim its rows meanwhile."""
    _accounts(db, 4)
    sent: Counter = Counter()
    clock_a = Clock(DUE)
    stolen: list[int] = []

    def slow_slack(dm) -> None:
        clock_a.now += timedelta(minutes=2)
        stolen.extend(claim_due(db, clock_a.now))

    run_due(db, RecordingSender(sent, before=slow_slack), DUE, clock=clock_a)

    assert stolen == [] and len(sent) == 4 and set(sent.values()) == {1}
