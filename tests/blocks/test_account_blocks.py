"""Pure tests of the account and reminder Block Kit builders: valid against slack_sdk's models, within Slack's
limits, and never parsing a client's words as markup."""

from __future__ import annotations

from datetime import date, datetime, timezone

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.accounts import AccountRecord, LoggedPushback
from bot.blocks.accounts import (
    account_modal,
    accounts_home_section,
    accounts_list_message,
    log_to_account_modal,
    logged_message,
    qbr_date_modal,
    reminder_done_message,
    reminder_message,
)
from bot.reminders.actions import ReminderProblem
from bot.reminders.tick import ReminderDM
from tests.support.blockkit import assert_valid_blocks, assert_valid_view, mrkdwn_texts

LOGGED = datetime(2026, 12, 1, tzinfo=timezone.utc)


def _account(account_id=1, name="Northwind", **extra) -> AccountRecord:
    fields = dict(id=account_id, team_id="T0001", name=name, owner_id="U0ALICE", teammates=[], email_domain=None,
                  next_qbr=date(2027, 1, 15), cadence_months=3, scope_notes="", reminder_offsets=None,
                  send_time=None, owner_timezone=None)
    fields.update(extra)
    return AccountRecord(**fields)


def _dm(summaries, reasons=("out_of_scope",), days=14, name="Northwind") -> ReminderDM:
    pushbacks = [LoggedPushback(n, 1, None, "U0ALICE", text, "push_back", list(reasons), None, LOGGED)
                 for n, text in enumerate(summaries)]
    return ReminderDM(reminder_id=9, team_id="T0001", owner_id="U0ALICE", account_id=1, account_name=name,
                      qbr_date=date(2027, 1, 15), days_before=days, pushbacks=pushbacks, frequent_threshold=5)


def test_reminder_groups_pushbacks_by_reason_with_counts_and_asks():
    content = reminder_message(_dm(["Free landing page", "Extra blog post"], reasons=("out_of_scope",)))
    assert_valid_blocks(content["blocks"])
    seen = str(content["blocks"])
    assert "*Out of scope*: 2" in seen and "Free landing page" in seen and "in 14 days" in seen
    assert "sparingly" not in seen
    assert content["metadata"] == {"event_type": "pushback_qbr_reminder", "event_payload": {"reminder_id": 9}}


def test_reminder_flags_frequent_pushbacks_and_says_today_on_the_day():
    content = reminder_message(_dm([f"ask {n}" for n in range(6)], days=0))
    seen = str(content["blocks"])
    assert "6 push-backs this quarter" in seen and "is today" in seen


def test_reminder_without_pushbacks_says_so_and_keeps_the_checklist():
    seen = str(reminder_message(_dm([]))["blocks"])
    assert "No push-backs logged" in seen and "Ways of working" in seen


def test_client_words_in_a_reminder_never_reach_mrkdwn():
    content = reminder_message(_dm(["<!channel> please <@U0BOSS> free work"], name="<!here> Corp"))
    assert not any("<!channel>" in text or "<@U0BOSS>" in text or "<!here>" in text
                   for text in mrkdwn_texts(content["blocks"]))


@settings(max_examples=60, deadline=None)
@given(st.lists(st.text(min_size=1, max_size=300), max_size=120), st.text(min_size=1, max_size=120))
def test_any_reminder_stays_within_slacks_limits(summaries, name):
    content = reminder_message(_dm([s if s.strip() else "x" for s in summaries], name=name if name.strip() else "x"))
    assert_valid_blocks(content["blocks"])
    assert content["blocks"][-1]["type"] == "actions"


def test_after_a_button_the_reminder_keeps_its_content_and_loses_its_buttons():
    original = reminder_message(_dm(["Free landing page"]))["blocks"]
    done = reminder_done_message(original, "Snoozed.")
    assert_valid_blocks(done["blocks"])
    assert not any(block["type"] == "actions" for block in done["blocks"])
    assert "Free landing page" in str(done["blocks"])


def test_account_modals_are_valid_and_prefilled_when_editing():
    assert_valid_view(account_modal())
    edit = account_modal(_account(teammates=["U0BOB"], scope_notes="SEO", reminder_offsets=[7, 1], send_time="08:30"))
    assert_valid_view(edit)
    seen = str(edit)
    assert "2027-01-15" in seen and "U0BOB" in seen and "7,1" in seen and "08:30" in seen
    assert edit["title"]["text"] == "Edit account"
    assert_valid_view(qbr_date_modal(9, "Northwind", date(2027, 1, 15)))


def test_log_to_account_modal_preselects_the_suggested_account():
    accounts = [_account(1, "Northwind"), _account(2, "Contoso")]
    modal = log_to_account_modal(5, "Take 40% off", accounts, accounts[1])
    assert_valid_view(modal)
    assert modal["blocks"][1]["element"]["initial_option"]["value"] == "2"
    assert "initial_option" not in log_to_account_modal(5, "x", accounts, None)["blocks"][1]["element"]


def test_home_section_lists_accounts_with_counts_and_failed_reminders():
    problem = ReminderProblem("Northwind", date(2027, 1, 15), "cannot_dm_bot", LOGGED)
    blocks = accounts_home_section([_account(1, "Northwind"), _account(2, "Contoso", teammates=["U0BOB"])],
                                   {1: 3}, [problem])
    assert_valid_blocks(blocks, 100)
    seen = str(blocks)
    assert "3 push-backs this quarter" in seen and "0 push-backs" in seen and "shared" in seen
    assert "cannot_dm_bot" in seen
    assert "No accounts yet" in str(accounts_home_section([], {}))


def test_account_list_and_logged_message_are_valid():
    many = [_account(n, f"Client {n}") for n in range(80)]
    listing = accounts_list_message(many, {})
    assert_valid_blocks(listing["blocks"])
    logged = logged_message(4, "Northwind", "agreed")
    assert_valid_blocks(logged["blocks"])
    assert "Client agreed" in str(logged["blocks"]) and "✓" in str(logged["blocks"])


LIVE_MENTIONS = ("<!channel>", "<!here>", "<!everyone>", "<@U0BOSS>", "<!subteam^S0123>")


def _mentions_where_slack_parses(content: dict) -> list[str]:
    """Live mentions in the message's fallback `text` (mrkdwn, and what notifications show) and its mrkdwn blocks."""
    texts = [content.get("text") or "", *mrkdwn_texts(content.get("blocks") or [])]
    return [mention for text in texts for mention in LIVE_MENTIONS if mention in text]


def test_an_account_name_with_mentions_never_fires_them_anywhere_it_is_shown():
    name = "<!channel> Globex <@U0BOSS> <!here>"
    account = _account(name=name, scope_notes="<!everyone> all of it")

    shown = [logged_message(7, name, None), logged_message(7, name, "sent"),
             reminder_message(_dm(["<!subteam^S0123> add a page"], name=name)),
             accounts_list_message([account], {account.id: 1}),
             {"blocks": accounts_home_section([account], {account.id: 1},
                                              [ReminderProblem(name, date(2027, 1, 15), "<!channel>", LOGGED)])}]

    assert [_mentions_where_slack_parses(content) for content in shown] == [[]] * len(shown)


def test_log_to_account_with_more_accounts_than_a_menu_holds_searches_them_and_preselects_any():
    """Past 100 accounts: the suggested account (the 140th) is preselected, and every account can be found by
    search (an external select), instead of a StopIteration and accounts that cannot be picked."""
    accounts = [_account(account_id=n, name=f"Client {n:03d}") for n in range(1, 151)]

    modal = log_to_account_modal(5, "Take 40% off", accounts, accounts[139])

    element = modal["blocks"][1]["element"]
    assert element["type"] == "external_select" and element["min_query_length"] == 0
    assert element["initial_option"]["value"] == "140"
    assert_valid_view(modal)
