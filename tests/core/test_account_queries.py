"""Account listings: sharing is by teammate rows."""

from __future__ import annotations

from sqlalchemy import select

from bot.accounts import AccountDraft, accounts_for, add_account, update_account
from bot.models import AccountTeammate

TEAM = "T0001"


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
