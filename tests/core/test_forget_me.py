"""Forget-me is true when it says it is done: a triage asked before it and stored after it is not kept."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from bot.privacy import forget_user_data
from bot.triage import triage
from bot.triage_store import recent_triages, record_triage

ASKED = datetime(2026, 12, 1, 12, tzinfo=timezone.utc)
TEXT = "Please take 40% off the final invoice, Jordan from Northwind"


def _store_triage(db, asked_at, user="U0ALICE"):
    return record_triage(db, team_id="T0001", user_id=user, source="command", origin_channel_id="D0",
                         request_text=TEXT, result=triage(TEXT).to_dict(), retention_days=30, asked_at=asked_at,
                         now=asked_at + timedelta(seconds=2))


def test_a_triage_in_flight_during_forget_me_is_not_stored_after_it(db):
    forget_user_data(db, "T0001", "U0ALICE", now=ASKED + timedelta(seconds=1))  # while the triage is computed

    _store_triage(db, asked_at=ASKED)  # it finishes, and would be stored, after the user was told "done"

    assert recent_triages(db, "T0001", "U0ALICE") == []


def test_a_triage_asked_after_forget_me_is_stored_and_other_users_are_untouched(db):
    forget_user_data(db, "T0001", "U0ALICE", now=ASKED)

    _store_triage(db, asked_at=ASKED + timedelta(seconds=1))
    _store_triage(db, asked_at=ASKED - timedelta(seconds=1), user="U0BOB")

    assert len(recent_triages(db, "T0001", "U0ALICE")) == 1
    assert len(recent_triages(db, "T0001", "U0BOB")) == 1
