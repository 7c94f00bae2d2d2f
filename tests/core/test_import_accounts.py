"""Account import and entry: every problem named with its line and cause, and names unique whatever their case."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from bot.accounts import AccountDraft, AccountError, add_account, import_accounts, update_account

NOW = datetime(2026, 12, 1, 12, tzinfo=timezone.utc)


def _import(db, text: str):
    return import_accounts(db, text, "T0001", now=NOW)


def test_a_qbr_in_year_one_is_named_with_its_line(db):
    report = _import(db, "name,owner,qbr\nNorthwind,U0ALICE,2027-01-15\nGlobex,U0BOB,0001-01-15\n")

    assert report.created == []
    assert len(report.errors) == 1 and report.errors[0].startswith("line 3:") and "0001-01-15" in report.errors[0]


def test_a_field_over_the_csv_limit_is_named_with_its_line(db):
    huge = "x" * (128 * 1024 + 10)
    report = _import(db, f"name,owner,qbr,scope\nNorthwind,U0ALICE,2027-01-15,short\nGlobex,U0BOB,2027-01-15,{huge}\n")

    assert report.created == []
    assert len(report.errors) == 1 and report.errors[0].startswith("line 3:")


def test_a_misspelled_optional_column_is_refused_not_ignored(db):
    report = _import(db, "name,owner,qbr,teamates\nNorthwind,U0ALICE,2027-01-15,U0BOB\n")

    assert report.created == []
    assert len(report.errors) == 1 and report.errors[0].startswith("line 1:")
    assert "teamates" in report.errors[0] and "teammates" in report.errors[0]


def test_account_names_clash_whatever_their_case_on_every_path(db):
    add_account(db, AccountDraft(name="Globex", owner_id="U0ALICE", next_qbr="2027-01-15", team_id="T0001"), now=NOW)
    other = add_account(db, AccountDraft(name="Initech", owner_id="U0ALICE", next_qbr="2027-01-15", team_id="T0001"),
                        now=NOW)

    with pytest.raises(AccountError, match="already an account"):
        add_account(db, AccountDraft(name="GLOBEX", owner_id="U0BOB", next_qbr="2027-01-15", team_id="T0001"), now=NOW)
    with pytest.raises(AccountError, match="already an account"):
        update_account(db, other.id, AccountDraft(name="globex", owner_id="U0ALICE", next_qbr="2027-01-15",
                                                  team_id="T0001"), now=NOW)
    assert "already an account" in " ".join(_import(db, "name,owner,qbr\nglobex,U0BOB,2027-01-15\n").errors)
    renamed = update_account(db, other.id, AccountDraft(name="INITECH", owner_id="U0ALICE", next_qbr="2027-01-15",
                                                        team_id="T0001"), now=NOW)
    assert renamed.name == "INITECH"
