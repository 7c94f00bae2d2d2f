"""Account listings: what App Home and `/pushback accounts` read costs a bounded number of statements whatever
the number of accounts, each account's push-back count is its own quarter's, and sharing is by teammate rows."""

from __future__ import annotations

from contextlib import contextmanager
from datetime import date, datetime, timedelta, timezone

from sqlalchemy import event, insert, select

from bot.accounts import AccountDraft, accounts_for, add_account, pushback_counts, update_account
from bot.db import Database
from bot.models import Account, AccountTeammate, PushbackLog
from bot.reminders.actions import failed_reminders
from bot.triage_store import reason_counts, recent_triages

TEAM = "T0001"
NOW = datetime(2026, 12, 7, 9, 0, tzinfo=timezone.utc)
PREVIOUS_QUARTER = datetime(2026, 9, 1, tzinfo=timezone.utc)  # before the quarter a QBR on 2027-01-15 reviews


@contextmanager
def counted_statements(db: Database):
    """Count the SQL statements sent to the database inside the block."""
    statements: list[str] = []

    def count(_connection, _cursor, statement, *_rest) -> None:
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", count)


def _many_accounts(db: Database, count: int, first: int = 0) -> list[int]:
    """`count` more accounts (numbered from `first`) shared with U0BOB, each with a push-back logged in its
    quarter and one logged before it."""
    accounts = [{"team_id": TEAM, "name": f"Client {n:04d}", "owner_id": f"U0OWNER{n % 7}",
                 "next_qbr": date(2027, 1, 15), "cadence_months": 3, "scope_notes": "", "created_at": NOW,
                 "updated_at": NOW} for n in range(first, first + count)]
    with db.transaction() as session:
        ids = list(session.scalars(insert(Account).returning(Account.id), accounts))
        session.execute(insert(AccountTeammate), [{"account_id": account_id, "user_id": "U0BOB"}
                                                  for account_id in ids])
        session.execute(insert(PushbackLog), [
            {"team_id": TEAM, "account_id": account_id, "user_id": "U0BOB", "summary": "Extra pages", "reasons": [],
             "verdict": "push_back", "logged_at": logged_at}
            for account_id in ids for logged_at in (NOW - timedelta(days=5), PREVIOUS_QUARTER)])
    return ids


def _what_app_home_reads(db: Database, viewer: str | None) -> tuple[int, dict[int, int]]:
    accounts = accounts_for(db, TEAM, viewer)
    counts = pushback_counts(db, accounts)
    failed_reminders(db, TEAM, "U0BOB")
    recent_triages(db, TEAM, "U0BOB")
    reason_counts(db, TEAM, "U0BOB", since=NOW - timedelta(days=90))
    return len(accounts), counts


def test_app_home_reads_the_same_few_statements_for_300_accounts_as_for_3(db):
    _many_accounts(db, 3)
    with counted_statements(db) as few:
        assert _what_app_home_reads(db, None)[0] == 3
    _many_accounts(db, 297, first=3)

    for viewer in (None, "U0BOB"):
        with counted_statements(db) as many:
            shown, counts = _what_app_home_reads(db, viewer)
        assert shown == 300
        assert len(many) == len(few) <= 6
        assert set(counts.values()) == {1}  # this quarter's, not the one logged before it started


def test_each_account_counts_the_push_backs_of_its_own_quarter(db):
    monthly = add_account(db, AccountDraft(name="Monthly", owner_id="U0ALICE", next_qbr="2027-01-15",
                                           team_id=TEAM, cadence_months=1))
    quarterly = add_account(db, AccountDraft(name="Quarterly", owner_id="U0ALICE", next_qbr="2027-01-15",
                                             team_id=TEAM, cadence_months=3))
    with db.transaction() as session:
        session.execute(insert(PushbackLog), [
            {"team_id": TEAM, "account_id": account.id, "user_id": "U0ALICE", "summary": "Ask", "reasons": [],
             "verdict": "push_back", "logged_at": logged_at}
            for account in (monthly, quarterly) for logged_at in (datetime(2026, 11, 1, tzinfo=timezone.utc),
                                                                  datetime(2026, 12, 20, tzinfo=timezone.utc))])

    assert pushback_counts(db, accounts_for(db, TEAM)) == {monthly.id: 1, quarterly.id: 2}
    assert pushback_counts(db, []) == {}


def test_an_account_is_listed_for_its_teammates_only_while_it_is_shared_with_them(db):
    draft = AccountDraft(name="Northwind", owner_id="U0ALICE", next_qbr="2027-01-15", team_id=TEAM,
                         teammates=["U0BOB", "U0BO"])
    account = add_account(db, draft)
    assert [a.name for a in accounts_for(db, TEAM, "U0BOB")] == ["Northwind"]
    assert [a.name for a in accounts_for(db, TEAM, "U0BO")] == ["Northwind"]
    assert accounts_for(db, TEAM, "U0B") == []

    draft.teammates = ["U0CAROL", "U0BO"]
    assert update_account(db, account.id, draft, editor_id="U0ALICE").teammates == ["U0BO", "U0CAROL"]

    assert accounts_for(db, TEAM, "U0BOB") == []
    assert [a.teammates for a in accounts_for(db, TEAM, "U0CAROL")] == [["U0BO", "U0CAROL"]]
    with db.transaction() as session:
        assert sorted(session.scalars(select(AccountTeammate.user_id))) == ["U0BO", "U0CAROL"]
