"""Privacy on the real store: client text kept only within the retention window, and forget-me."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from bot.accounts import AccountDraft, accounts_for, add_account, log_pushback, pushback_counts
from bot.privacy import forget_user_data
from bot.triage import triage
from bot.triage_store import get_triage, purge_expired_text, record_triage

NOW = datetime(2026, 12, 1, 12, tzinfo=timezone.utc)
TEXT = "Please take 40% off the final invoice, Jordan from Northwind"


def _record(db, user="U0ALICE", team="T0001", retention=30, now=NOW):
    return record_triage(db, team_id=team, user_id=user, source="command", origin_channel_id="D0", request_text=TEXT,
                         result=triage(TEXT).to_dict(), retention_days=retention, now=now)


def test_client_text_is_purged_after_the_retention_window_and_the_verdict_stays(db):
    kept = _record(db, now=NOW)
    assert purge_expired_text(db, NOW + timedelta(days=29)) == 0
    assert get_triage(db, kept.id, "T0001").has_text

    assert purge_expired_text(db, NOW + timedelta(days=30, seconds=1)) == 1
    purged = get_triage(db, kept.id, "T0001")
    assert not purged.has_text and purged.result is None
    assert (purged.verdict, purged.reasons) == (kept.verdict, kept.reasons)


def test_retention_zero_never_stores_the_clients_text(db):
    record = _record(db, retention=0)
    assert get_triage(db, record.id, "T0001").result is None


def test_forget_me_deletes_only_that_users_data_in_that_workspace(db):
    mine, theirs, other_workspace = _record(db), _record(db, user="U0BOB"), _record(db, team="T0002")
    account = add_account(db, AccountDraft(name="Northwind", owner_id="U0ALICE", next_qbr="2027-01-15",
                                           team_id="T0001"))
    log_pushback(db, team_id="T0001", account_id=account.id, user_id="U0ALICE", triage_id=mine.id,
                 summary="40% off", verdict="push_back", reasons=["unreasonable"])

    forgotten = forget_user_data(db, "T0001", "U0ALICE")

    assert (forgotten.triages, forgotten.logs) == (1, 1)
    assert get_triage(db, mine.id, "T0001") is None
    assert get_triage(db, theirs.id, "T0001") is not None
    assert get_triage(db, other_workspace.id, "T0002") is not None
    assert pushback_counts(db, accounts_for(db, "T0001")) == {account.id: 0}


def test_a_triage_is_never_found_from_another_workspace(db):
    record = _record(db, team="T0001")
    assert get_triage(db, record.id, "T0002") is None


def test_accounts_never_cross_workspaces_or_users(db):
    add_account(db, AccountDraft(name="Northwind", owner_id="U0ALICE", next_qbr="2027-01-15", team_id="T0001"))
    add_account(db, AccountDraft(name="Northwind", owner_id="U0ALICE", next_qbr="2027-01-15", team_id="T0002"))
    add_account(db, AccountDraft(name="Contoso", owner_id="U0BOB", next_qbr="2027-01-15", team_id="T0001",
                                 teammates=["U0CAROL"]))

    assert [a.team_id for a in accounts_for(db, "T0001", "U0ALICE")] == ["T0001"]
    assert [a.name for a in accounts_for(db, "T0001", "U0CAROL")] == ["Contoso"]
    assert accounts_for(db, "T0001", "U0MALLORY") == []
    assert len(accounts_for(db, "T0001")) == 2


def _logged_summary(db, summary: str, logged_at: datetime, user: str = "U0ALICE"):
    from sqlalchemy import update

    from bot.models import PushbackLog

    account = add_account(db, AccountDraft(name="Northwind", owner_id="U0ALICE", next_qbr="2027-01-15",
                                           team_id="T0001"), now=logged_at)
    logged = log_pushback(db, team_id="T0001", account_id=account.id, user_id=user, triage_id=None,
                          summary=summary, verdict="push_back", reasons=["unreasonable"])
    with db.transaction() as session:
        session.execute(update(PushbackLog).where(PushbackLog.id == logged.id).values(logged_at=logged_at))
    return account


def _summaries(db, account) -> list[str]:
    from bot.accounts import get_account, quarter_pushbacks

    with db.transaction() as session:
        return [pushback.summary for pushback in quarter_pushbacks(session, get_account(db, "T0001", account.id))]


def test_the_retention_purge_drops_the_clients_words_from_the_pushback_log(db, standin):
    """The scheduler's purge job, as it runs: a summary past PUSHBACK_RETENTION_DAYS loses the client's words."""
    from bot.models import utcnow
    from bot.slack.reminders import reminder_jobs
    from bot.settings import Settings
    from tests.conftest import BOT_TOKEN

    words = "Can Jordan (jordan@northwind.example) get 40% off the final invoice?"
    account = _logged_summary(db, words, utcnow() - timedelta(days=31))
    settings = Settings(slack_bot_token=BOT_TOKEN, slack_api_url=standin.api_url, retention_days=30)
    _tick, purge = reminder_jobs(settings, db)

    purge()

    [summary] = _summaries(db, account)
    assert "jordan" not in summary.lower() and "40%" not in summary


def test_a_pushback_logs_summary_is_kept_within_the_retention_window(db):
    from bot.accounts import purge_expired_summaries

    words = "Can Jordan get 40% off the final invoice?"
    account = _logged_summary(db, words, NOW)

    assert purge_expired_summaries(db, 30, NOW + timedelta(days=29)) == 0
    assert _summaries(db, account) == [words]
    assert purge_expired_summaries(db, 30, NOW + timedelta(days=30, seconds=1)) == 1
    assert words not in _summaries(db, account)


def test_forget_me_reaches_the_pushback_log(db):
    account = _logged_summary(db, "Can Jordan get 40% off the final invoice?", NOW)

    assert forget_user_data(db, "T0001", "U0ALICE").logs == 1
    assert _summaries(db, account) == []


def test_the_retention_purge_works_in_batches_so_a_concurrent_store_gets_in(db):
    """On SQLite one UPDATE over every expired triage held the only writer lock for the whole purge (25 s at 450k
    rows) and a triage stored meanwhile failed "database is locked". The purge commits batch by batch: right after
    its first commit, with expired triages still left, another writer stores a triage."""
    from sqlalchemy import event, func, insert, select
    from sqlalchemy.orm import Session

    from bot.db import Database
    from bot.models import Triage

    rows = [dict(id=n, team_id="T0001", user_id="U0ALICE", source="command", verdict="push_back", reasons=[],
                 tone="neutral", request_text=TEXT, result={"verdict": "push_back"}, created_at=NOW, updated_at=NOW,
                 text_expires_at=NOW + timedelta(days=30)) for n in range(1, 251)]
    with db.transaction() as session:
        session.execute(insert(Triage), rows)
    other_instance = Database(db.url)
    seen_at_first_commit: list[int] = []

    def store_meanwhile(_session) -> None:
        if seen_at_first_commit:
            return
        with other_instance.transaction() as session:
            seen_at_first_commit.append(session.scalar(select(func.count()).select_from(Triage)
                                                       .where(Triage.text_expires_at.is_not(None))))
        _record(other_instance, user="U0BOB", now=NOW + timedelta(days=31))

    event.listen(Session, "after_commit", store_meanwhile)
    try:
        purged = purge_expired_text(db, NOW + timedelta(days=30, seconds=1), batch_size=100)
    finally:
        event.remove(Session, "after_commit", store_meanwhile)
        other_instance.dispose()

    assert purged == 250
    assert seen_at_first_commit and seen_at_first_commit[0] > 1, "the first commit came only after the whole purge"
