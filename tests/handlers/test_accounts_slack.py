"""Accounts and reminders through the app, in process: Add account, `/pushback accounts`, Log to account with
its outcome, scope notes sharpening the triage, and the reminder DM's buttons."""

from __future__ import annotations

import json
from datetime import date, datetime, timezone

from bot.accounts import AccountDraft, accounts_for, add_account, log_pushback
from bot.db import Database
from bot.reminders.actions import reminders_of
from bot.reminders.tick import run_due
from bot.settings import Settings
from bot.slack.reminders import SlackReminderSender
from bot.triage_store import recent_triages
from tests.conftest import BOT_TOKEN
from tests.support.driver import eventually

TEAM = "T0001"


def _account_values(name="Northwind", qbr="2027-01-15", scope="", teammates=(), domain="", offsets="", send=""):
    return {
        "name_block": {"name_input": {"type": "plain_text_input", "value": name}},
        "qbr_block": {"qbr_input": {"type": "datepicker", "selected_date": qbr}},
        "cadence_block": {"cadence_input": {"type": "static_select", "selected_option": {"value": "3"}}},
        "teammates_block": {"teammates_input": {"type": "multi_users_select", "selected_users": list(teammates)}},
        "scope_block": {"scope_input": {"type": "plain_text_input", "value": scope or None}},
        "domain_block": {"domain_input": {"type": "plain_text_input", "value": domain or None}},
        "offsets_block": {"offsets_input": {"type": "plain_text_input", "value": offsets or None}},
        "send_time_block": {"send_time_input": {"type": "plain_text_input", "value": send or None}},
    }


def _store(app_env) -> Database:
    return Database(app_env["DATABASE_URL"])


def test_add_account_from_app_home_stores_it_with_the_owners_slack_timezone(slack_app, standin, app_env):
    standin.add_user("U0ALICE", tz="America/Los_Angeles")
    driver = slack_app.driver

    driver.block_action("account_add", "add")
    modal = standin.wait_for("views.open")[0].args["view"]
    assert modal["callback_id"] == "account_submit"
    assert {block["block_id"] for block in modal["blocks"]} >= {"name_block", "qbr_block", "scope_block"}

    reply = driver.view_submission("account_submit", _account_values(scope="Monthly SEO report"),
                                   private_metadata=modal["private_metadata"])
    assert reply.status == 200 and reply.body in ("", "null")

    db = _store(app_env)
    # the owner's Slack timezone is asked for after the ack, so it arrives a moment after the account
    [account] = eventually(lambda: [found for found in accounts_for(db, TEAM, "U0ALICE") if found.owner_timezone])
    assert (account.name, account.next_qbr, account.owner_timezone) == ("Northwind", date(2027, 1, 15),
                                                                       "America/Los_Angeles")
    due = reminders_of(db, account.id)[0].due_at
    assert (due if due.tzinfo else due.replace(tzinfo=timezone.utc)) == datetime(2027, 1, 1, 17, tzinfo=timezone.utc)
    home = str(standin.wait_for("views.publish")[0].args["view"])
    assert "Northwind" in home and "Next QBR" in home
    db.dispose()


def test_a_bad_date_or_duplicate_name_is_shown_next_to_the_field(slack_app, standin, app_env):
    driver = slack_app.driver
    bad = driver.view_submission("account_submit", _account_values(send="9am"), private_metadata='{"account_id":null}')
    assert json.loads(bad.body) == {"response_action": "errors", "errors": {
        "send_time_block": "Send time '9am' must be HH:MM on a 24-hour clock, e.g. 09:00."}}

    driver.view_submission("account_submit", _account_values(), private_metadata='{"account_id":null}')
    again = driver.view_submission("account_submit", _account_values(), private_metadata='{"account_id":null}')
    assert "already an account" in json.loads(again.body)["errors"]["name_block"]


def test_pushback_accounts_lists_mine_privately(slack_app, standin, app_env):
    db = _store(app_env)
    add_account(db, AccountDraft(name="Northwind", owner_id="U0ALICE", next_qbr="2027-01-15", team_id=TEAM))
    add_account(db, AccountDraft(name="Contoso", owner_id="U0BOB", next_qbr="2027-02-01", team_id=TEAM))
    add_account(db, AccountDraft(name="Fabrikam", owner_id="U0BOB", next_qbr="2027-03-01", team_id=TEAM,
                                 teammates=["U0ALICE"]))

    slack_app.driver.slash_command("accounts")

    answer = standin.wait_for("response")[0].args
    seen = json.dumps(answer["blocks"])
    assert answer["response_type"] == "ephemeral"
    assert "Northwind" in seen and "Fabrikam" in seen and "Contoso" not in seen
    db.dispose()


def test_pushback_accounts_answers_slack_before_the_listing_is_ready(slack_app, standin, app_env):
    standin.delay("users.info", 2.0)  # who may see what is asked of Slack after the ack

    acked = slack_app.driver.slash_command("accounts")

    assert acked.status == 200 and not standin.calls_to("response")
    assert standin.wait_for("response", timeout=10)[0].args["response_type"] == "ephemeral"


def test_scope_notes_of_the_named_account_sharpen_out_of_scope(slack_app, standin, app_env):
    db = _store(app_env)
    add_account(db, AccountDraft(name="Northwind", owner_id="U0ALICE", next_qbr="2027-01-15", team_id=TEAM,
                                 scope_notes="Covers website copy, French and German translations."))
    slack_app.driver.slash_command("Hi, could you also translate the Northwind landing page into French?",
                                     channel_id="D0ALICE")

    reply = standin.wait_for("chat.postMessage", where=lambda c: c.args.get("thread_ts"))[0]
    assert "Out of scope" not in str(reply.args["blocks"])
    slack_app.driver.slash_command("Hi, could you also translate the Contoso landing page into French?",
                                     channel_id="D0ALICE")
    replies = standin.wait_for("chat.postMessage", count=2, where=lambda c: c.args.get("thread_ts"))
    assert "Out of scope" in str(replies[1].args["blocks"])
    db.dispose()


def test_log_to_account_suggests_the_account_posts_in_the_thread_and_records_the_outcome(slack_app, standin,
                                                                                      app_env):
    db = _store(app_env)
    account = add_account(db, AccountDraft(name="Northwind", owner_id="U0ALICE", next_qbr="2027-01-15",
                                           team_id=TEAM, email_domain="northwind.com"))
    add_account(db, AccountDraft(name="Contoso", owner_id="U0ALICE", next_qbr="2027-02-01", team_id=TEAM))
    driver = slack_app.driver
    driver.slash_command("Please take 40% off the final invoice.\n\nJordan\njordan@northwind.com",
                         channel_id="D0ALICE")
    thread_reply = standin.wait_for("chat.postMessage", where=lambda c: c.args.get("thread_ts"))[0]
    controls = thread_reply.args["blocks"][-1]["elements"]
    log_button = next(e for e in controls if e["action_id"] == "triage_log_to_account")
    assert eventually(lambda: [t for t in recent_triages(db, TEAM, "U0ALICE") if t.channel_id])  # where it went

    driver.block_action("triage_log_to_account", log_button["value"], user_id="U0MALLORY")
    assert "only" in str(standin.wait_for("response")[0].args).lower()
    driver.block_action("triage_log_to_account", log_button["value"])
    modal = standin.wait_for("views.open")[0].args["view"]
    picker = modal["blocks"][1]["element"]
    assert picker["initial_option"]["value"] == str(account.id)

    driver.view_submission("log_to_account_submit", {"account_block": {"account_input": {
        "type": "static_select", "selected_option": {"value": str(account.id)}}}},
        private_metadata=modal["private_metadata"])
    logged = standin.wait_for("chat.postMessage", where=lambda c: "Logged to" in str(c.args.get("text")))[0]
    assert logged.args["thread_ts"] == thread_reply.args["thread_ts"]
    outcome = next(e for b in logged.args["blocks"] if b["type"] == "actions" for e in b["elements"]
                   if e["action_id"] == "pushback_outcome_insisted")

    driver.block_action("pushback_outcome_insisted", outcome["value"],
                        container={"type": "message", "channel_id": "D0ALICE", "message_ts": "1.2"})
    update = standin.wait_for("chat.update")[0].args
    assert "Client insisted" in json.dumps(update["blocks"])
    from bot.accounts import quarter_pushbacks
    from bot.models import Account

    with db.transaction() as session:
        [entry] = quarter_pushbacks(session, session.get(Account, account.id))
    assert (entry.verdict, entry.outcome) == ("push_back", "insisted") and "unreasonable" in entry.reasons
    db.dispose()


def test_logged_to_goes_to_the_dm_when_the_triages_channel_became_slack_connect(slack_app, standin, app_env):
    """"Logged to …" is posted in the triage's thread only while that channel is still internal."""
    db = _store(app_env)
    account = add_account(db, AccountDraft(name="Northwind", owner_id="U0ALICE", next_qbr="2027-01-15",
                                           team_id=TEAM))
    driver = slack_app.driver
    driver.slash_command("Please take 40% off the final invoice.", channel_id="C0INTERNAL")
    thread_reply = standin.wait_for("chat.postMessage", where=lambda c: c.args.get("thread_ts"))[0]
    assert thread_reply.args["channel"] == "C0INTERNAL"
    log_button = next(e for e in thread_reply.args["blocks"][-1]["elements"]
                      if e["action_id"] == "triage_log_to_account")
    assert eventually(lambda: [t for t in recent_triages(db, TEAM, "U0ALICE") if t.channel_id])
    driver.block_action("triage_log_to_account", log_button["value"])
    modal = standin.wait_for("views.open")[0].args["view"]
    standin.channels["C0INTERNAL"].is_ext_shared = True

    driver.view_submission("log_to_account_submit", {"account_block": {"account_input": {
        "type": "static_select", "selected_option": {"value": str(account.id)}}}},
        private_metadata=modal["private_metadata"])

    logged = standin.wait_for("chat.postMessage", where=lambda c: "Logged to" in str(c.args.get("text")))[0]
    assert logged.args["channel"] == "DU0ALICE"
    assert not [c for c in standin.calls_to("chat.postMessage")
                if c.args.get("channel") == "C0INTERNAL" and "Logged to" in str(c.args.get("text"))]
    db.dispose()


def _reminder_dm(db, standin):
    log_pushback(db, team_id=TEAM, account_id=accounts_for(db, TEAM)[0].id, user_id="U0ALICE", triage_id=None,
                 summary="Free extra landing page", verdict="push_back", reasons=["out_of_scope"])
    sender = SlackReminderSender(Settings(slack_bot_token=BOT_TOKEN, slack_api_url=standin.api_url),
                                 lambda team: BOT_TOKEN)
    run_due(db, sender, datetime(2027, 1, 1, 9, tzinfo=timezone.utc))
    posted = standin.wait_for("chat.postMessage")[0]
    message = standin.messages["DU0ALICE"][0]
    reminder_id = message["metadata"]["event_payload"]["reminder_id"]
    container = {"type": "message", "channel_id": "DU0ALICE", "message_ts": message["ts"]}
    return posted, reminder_id, container, {"ts": message["ts"], "blocks": message["blocks"]}


def test_reminder_buttons_snooze_mark_prepared_and_change_the_qbr_date(slack_app, standin, app_env):
    db = _store(app_env)
    account = add_account(db, AccountDraft(name="Northwind", owner_id="U0ALICE", next_qbr="2027-01-15", team_id=TEAM),
                          now=datetime(2026, 12, 1, tzinfo=timezone.utc))
    posted, reminder_id, container, message = _reminder_dm(db, standin)
    assert "Free extra landing page" in json.dumps(posted.args["blocks"])
    driver = slack_app.driver
    standin.reset_calls()

    driver.block_action("reminder_snooze", str(reminder_id), container=container, message=message)
    snoozed = standin.wait_for("chat.update")[0].args
    assert "Snoozed" in snoozed["text"]
    assert not any(block["type"] == "actions" for block in snoozed["blocks"])
    assert any(r.snooze == 1 and r.status == "pending" for r in reminders_of(db, account.id))

    driver.block_action("reminder_snooze", str(reminder_id), user_id="U0MALLORY", container=container)
    assert standin.wait_for("response")[0].args["response_type"] == "ephemeral"

    driver.block_action("reminder_change_date", str(reminder_id), container=container, message=message)
    modal = standin.wait_for("views.open")[0].args["view"]
    driver.view_submission("qbr_date_submit", {"qbr_block": {"qbr_input": {"type": "datepicker",
                                                                            "selected_date": "2027-02-10"}}},
                           private_metadata=modal["private_metadata"])
    assert eventually(lambda: accounts_for(db, TEAM)[0].next_qbr == date(2027, 2, 10))
    assert "2027-02-10" in standin.wait_for("chat.postMessage")[0].args["text"]

    driver.block_action("reminder_prepared", str(reminder_id), container=container, message=message)
    assert "Marked prepared" in standin.wait_for("chat.update", count=2)[1].args["text"]
    assert eventually(lambda: all(r.status != "pending" for r in reminders_of(db, account.id)
                                  if r.qbr_date == date(2027, 1, 15)))
    db.dispose()


def test_a_workspace_admin_sees_every_account_and_others_only_their_own(slack_app, standin, app_env):
    db = _store(app_env)
    add_account(db, AccountDraft(name="Northwind", owner_id="U0ALICE", next_qbr="2027-01-15", team_id=TEAM))
    add_account(db, AccountDraft(name="Contoso", owner_id="U0BOB", next_qbr="2027-02-01", team_id=TEAM))
    standin.add_user("U0ADMIN", is_admin=True)
    standin.add_user("U0BOB")

    slack_app.driver.slash_command("accounts", user_id="U0ADMIN")
    admin_sees = json.dumps(standin.wait_for("response")[0].args["blocks"])
    standin.reset_calls()
    slack_app.driver.slash_command("accounts", user_id="U0BOB")
    bob_sees = json.dumps(standin.wait_for("response")[0].args["blocks"])

    assert "Northwind" in admin_sees and "Contoso" in admin_sees
    assert "Contoso" in bob_sees and "Northwind" not in bob_sees
    db.dispose()


def test_forget_me_asks_first_then_deletes_the_users_triages(slack_app, standin, app_env):
    driver = slack_app.driver
    confirm = driver.slash_command("forget me")
    button = next(e for b in confirm.json()["blocks"] if b["type"] == "actions" for e in b["elements"])
    assert button["confirm"] and button["style"] == "danger"
    driver.slash_command("Please take 40% off the final invoice", channel_id="D0ALICE")
    standin.wait_for("chat.postMessage", where=lambda c: c.args.get("thread_ts"))
    from bot.triage_store import recent_triages

    db = _store(app_env)
    assert eventually(lambda: recent_triages(db, TEAM, "U0ALICE"))

    driver.block_action(button["action_id"], button["value"])

    assert "1" in standin.wait_for("response")[0].args["text"]
    assert recent_triages(db, TEAM, "U0ALICE") == []
    db.dispose()


def test_the_account_picker_finds_any_of_the_users_accounts_by_search(slack_app, app_env):
    """Log to account past 100 accounts: the picker asks for options as the user types (block_suggestion); every
    account of theirs can be found, someone else's never, and the same search asked twice is answered twice."""
    store = _store(app_env)
    store.upgrade()
    for number in range(1, 131):
        add_account(store, AccountDraft(name=f"Client {number:03d}", owner_id="U0ALICE", next_qbr="2027-01-15",
                                        team_id=TEAM))
    add_account(store, AccountDraft(name="Client 999 of Bob", owner_id="U0BOB", next_qbr="2027-01-15", team_id=TEAM))
    store.dispose()

    def search(query: str, user_id: str = "U0ALICE") -> list[str]:
        reply = slack_app.driver.interactive({
            "type": "block_suggestion", "action_id": "account_input", "block_id": "account_block", "value": query,
            "user": {"id": user_id, "team_id": TEAM}, "container": {"type": "view", "view_id": "V0MODAL"},
            "view": {"id": "V0MODAL", "type": "modal", "callback_id": "log_to_account_submit", "hash": "h1"}})
        assert reply.status == 200, reply.body
        return [option["text"]["text"] for option in reply.json()["options"]]

    assert search("127") == ["Client 127"]
    assert search("127") == ["Client 127"]
    assert len(search("")) == 100
    assert search("999") == []
    assert search("client 9", user_id="U0BOB") == ["Client 999 of Bob"]


def test_a_teammate_can_record_the_outcome_of_a_pushback_someone_else_logged(slack_app, standin, app_env):
    """The account is shared, so its outcome buttons work for the team; a stranger is told who can use them, not
    that the button is from an older version."""
    db = _store(app_env)
    account = add_account(db, AccountDraft(name="Northwind", owner_id="U0ALICE", next_qbr="2027-01-15",
                                           team_id=TEAM, teammates=["U0BOB"]))
    logged = log_pushback(db, team_id=TEAM, account_id=account.id, user_id="U0ALICE", triage_id=None,
                          summary="Free extra landing page", verdict="push_back", reasons=["out_of_scope"])
    from slack_sdk import WebClient

    posted = WebClient(token=BOT_TOKEN, base_url=standin.api_url).chat_postMessage(channel="C0INTERNAL",
                                                                                  text="Logged to Northwind.")
    container = {"type": "message", "channel_id": "C0INTERNAL", "message_ts": posted["ts"]}
    standin.reset_calls()

    slack_app.driver.block_action("pushback_outcome_agreed", f"{logged.id}:agreed", user_id="U0BOB",
                                    container=container)
    assert "Client agreed" in json.dumps(standin.wait_for("chat.update")[0].args["blocks"])
    slack_app.driver.block_action("pushback_outcome_escalated", f"{logged.id}:escalated", user_id="U0MALLORY",
                                    container=container)
    told = str(standin.wait_for("response")[0].args)

    assert "older version" not in told and "U0ALICE" in told
    assert len(standin.calls_to("chat.update")) == 1
    with db.transaction() as session:
        from bot.models import PushbackLog

        assert session.get(PushbackLog, logged.id).outcome == "agreed"
    db.dispose()


def test_forget_me_says_what_stays_and_a_teammate_can_reassign_or_delete_the_account(slack_app, standin, app_env):
    """Forget-me keeps the accounts you own (they belong to the team) and says so; a teammate can then make
    someone else the owner, its reminders following, or delete it, from Edit account."""
    db = _store(app_env)
    account = add_account(db, AccountDraft(name="Northwind", owner_id="U0ALICE", next_qbr="2027-01-15",
                                           team_id=TEAM, teammates=["U0BOB"]))
    other = add_account(db, AccountDraft(name="Contoso", owner_id="U0ALICE", next_qbr="2027-02-01", team_id=TEAM,
                                         teammates=["U0BOB"]))
    driver = slack_app.driver

    driver.block_action("forget_me_confirm", "forget")
    done = standin.wait_for("response")[0].args["text"]
    assert "nothing else" not in done and "accounts" in done.lower()

    driver.block_action("account_edit", str(account.id), user_id="U0BOB")
    modal = standin.wait_for("views.open")[0].args["view"]
    owner = next(block for block in modal["blocks"] if block["block_id"] == "owner_block")
    assert owner["element"]["initial_user"] == "U0ALICE"
    values = _account_values()
    values["owner_block"] = {"owner_input": {"type": "users_select", "selected_user": "U0CAROL"}}
    reply = driver.view_submission("account_submit", values, private_metadata=modal["private_metadata"],
                                   user_id="U0BOB")
    assert reply.status == 200 and reply.body in ("", "null"), reply.body
    moved = accounts_for(db, TEAM, "U0CAROL")
    assert [a.name for a in moved] == ["Northwind"]
    assert {r.owner_id for r in reminders_of(db, account.id) if r.status == "pending"} == {"U0CAROL"}

    standin.reset_calls()
    driver.block_action("account_edit", str(other.id), user_id="U0BOB")
    modal = standin.wait_for("views.open")[0].args["view"]
    values = _account_values(name="Contoso", qbr="2027-02-01")
    values["delete_block"] = {"delete_input": {"type": "checkboxes", "selected_options": [{"value": "delete"}]}}
    reply = driver.view_submission("account_submit", values, private_metadata=modal["private_metadata"],
                                   user_id="U0BOB")
    assert reply.status == 200
    assert [a.name for a in accounts_for(db, TEAM)] == ["Northwind"]
    db.dispose()
