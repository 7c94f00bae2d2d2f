"""Every path a user can take, through the app in process (`slack_app`): what Slack receives for each.

Each test plays Slack with signed requests and reads the Web API calls the app made at the stand-in.
"""

import json

import pytest
from sqlalchemy import select

from bot.db import Database
from bot.models import TriageJob
from bot.triage_store import get_triage, recent_triages
from tests.support.driver import eventually

REQUEST = ("Hi team, while you're at it could you also redo the careers page and add a live chat? "
           "Launch date stays the same. Thanks, Ben")


def _texts(blocks) -> str:
    """Every piece of text in a list of blocks, flattened (for asserting what the user sees)."""
    return json.dumps(blocks, ensure_ascii=False)


def _mrkdwn_texts(blocks) -> list[str]:
    found = []

    def walk(node):
        if isinstance(node, dict):
            if node.get("type") == "mrkdwn":
                found.append(node.get("text", ""))
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(blocks)
    return found


def _posts(standin, channel=None):
    return [c for c in standin.calls_to("chat.postMessage") if channel is None or c.args.get("channel") == channel]


def _triage_reply(standin, timeout=10):
    call = standin.wait_for("chat.postMessage", where=lambda c: c.args.get("thread_ts"), timeout=timeout)[0]
    return call


def _action_value(blocks, prefix):
    for block in blocks:
        if block.get("type") == "actions":
            for element in block["elements"]:
                if element["action_id"].startswith(prefix):
                    return element["action_id"], element.get("value", "")
    raise AssertionError(f"no button {prefix}")


# --- /pushback -------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("text", ["", "help", "  HELP  "])
def test_empty_or_help_gives_a_private_usage_note_with_a_paste_button(slack_app, standin, text):
    reply = slack_app.driver.slash_command(text)

    assert reply.status == 200
    body = reply.json()
    assert body["response_type"] == "ephemeral"
    assert "Examples" in _texts(body["blocks"])
    assert "What is stored" in _texts(body["blocks"])
    assert _action_value(body["blocks"], "open_paste_modal")
    assert _posts(standin) == []


def test_in_the_dm_with_the_app_the_triage_is_threaded_under_the_quoted_request(slack_app, standin):
    reply = slack_app.driver.slash_command(REQUEST, channel_id="D0ALICE")

    assert reply.status == 200 and reply.seconds < 3
    answer = _triage_reply(standin)
    parent = _posts(standin)[0]
    assert parent.args["channel"] == "D0ALICE" and not parent.args.get("thread_ts")
    assert "U0ALICE" in _texts(parent.args["blocks"])
    assert "careers page" in _texts(parent.args["blocks"])
    assert answer.args["channel"] == "D0ALICE"
    parent_ts = standin.messages["D0ALICE"][0]["ts"]
    assert answer.args["thread_ts"] == parent_ts
    seen = _texts(answer.args["blocks"])
    assert "Suggested reply" in seen and "Out of scope" in seen
    assert standin.calls_to("response") == []


def test_in_an_internal_channel_with_the_bot_the_triage_is_posted_there(slack_app, standin, database_url):
    slack_app.driver.slash_command(REQUEST, channel_id="C0INTERNAL")

    answer = _triage_reply(standin)
    assert {c.args["channel"] for c in _posts(standin)} == {"C0INTERNAL"}
    assert answer.args["thread_ts"] == standin.messages["C0INTERNAL"][0]["ts"]
    db = Database(database_url)
    [stored] = eventually(lambda: [t for t in recent_triages(db, "T0001", "U0ALICE") if t.permalink])
    assert stored.channel_id == "C0INTERNAL"
    assert stored.reply_ts == standin.messages["C0INTERNAL"][1]["ts"]
    assert stored.verdict in ("accept_with_conditions", "push_back") and "out_of_scope" in stored.reasons
    assert stored.permalink and "C0INTERNAL" in stored.permalink
    db.dispose()


@pytest.mark.parametrize("channel", [
    {"channel_id": "C0SHARED", "is_ext_shared": True, "is_member": True},
    {"channel_id": "C0NOBOT", "is_member": False},
])
def test_where_the_client_could_read_it_the_triage_goes_to_the_dm_with_a_private_pointer(slack_app, standin,
                                                                                          channel):
    channel_id = channel.pop("channel_id")
    standin.add_channel(channel_id, **channel)

    slack_app.driver.slash_command(REQUEST, channel_id=channel_id)

    answer = _triage_reply(standin)
    pointer = standin.wait_for("response")[0]
    assert answer.args["channel"] == "DU0ALICE"
    assert _posts(standin, channel_id) == []
    assert pointer.args["response_type"] == "ephemeral"
    assert "DM" in pointer.args["text"] and "https://" in pointer.args["text"]
    assert "careers" not in pointer.args["text"]


@pytest.mark.parametrize("guest_flag", ["is_restricted", "is_ultra_restricted"])
def test_an_internal_channel_with_a_guest_is_treated_as_external(slack_app, standin, guest_flag):
    """A client contact invited as a multi-channel (`is_restricted`) or single-channel (`is_ultra_restricted`)
    guest reads the channel like a Slack Connect one: the triage goes to the DM with a private pointer."""
    standin.add_user("U0ALICE")
    standin.add_user("U0BOB")
    standin.add_user("U0GUEST", **{guest_flag: True})
    standin.add_channel("C0GUESTS", members=["U0ALICE", "U0BOB", "U0GUEST"])

    reply = slack_app.driver.slash_command(REQUEST, channel_id="C0GUESTS")

    assert reply.status == 200
    answer = _triage_reply(standin)
    pointer = standin.wait_for("response")[0]
    assert answer.args["channel"] == "DU0ALICE"
    assert _posts(standin, "C0GUESTS") == []
    assert pointer.args["response_type"] == "ephemeral" and "outside your organisation" in pointer.args["text"]


def test_an_internal_channel_of_full_members_gets_the_triage_and_their_lookups_are_cached(slack_app, standin):
    standin.add_user("U0ALICE")
    standin.add_user("U0BOB")
    standin.add_channel("C0TEAM", members=["U0ALICE", "U0BOB"])

    slack_app.driver.slash_command(REQUEST, channel_id="C0TEAM")
    assert _triage_reply(standin).args["channel"] == "C0TEAM"
    looked_up = len(standin.calls_to("users.info"))
    standin.reset_calls()
    slack_app.driver.slash_command(REQUEST, channel_id="C0TEAM")

    assert _triage_reply(standin).args["channel"] == "C0TEAM"
    assert standin.calls_to("conversations.members")
    assert looked_up <= 2 and len(standin.calls_to("users.info")) <= looked_up  # the same worker asks no more


def test_a_channel_that_refuses_the_post_falls_back_to_the_dm(slack_app, standin):
    standin.fail("chat.postMessage", "not_in_channel")

    slack_app.driver.slash_command(REQUEST, channel_id="C0INTERNAL")

    answer = _triage_reply(standin)
    assert answer.args["channel"] == "DU0ALICE"
    assert standin.wait_for("response")[0].args["response_type"] == "ephemeral"


def test_pasted_mentions_never_reach_mrkdwn(slack_app, standin):
    slack_app.driver.slash_command("<!channel> <!here> <@U0BOSS> <!subteam^S0TEAM|@design> please add a page")

    answer = _triage_reply(standin)
    parent = _posts(standin)[0]
    for call in (parent, answer):
        for text in _mrkdwn_texts(call.args["blocks"]):
            assert "<!channel>" not in text and "<!here>" not in text and "<!subteam" not in text
            assert "U0BOSS" not in text
        assert "<!channel>" not in call.args.get("text", "")
    assert "<!channel>" in _texts(parent.args["blocks"])


def test_a_long_request_is_shortened_with_a_note(slack_app, standin):
    slack_app.driver.slash_command("Please add twenty more pages to the site at no extra cost. " * 100)

    _triage_reply(standin)
    parent = _posts(standin)[0]
    assert "Shortened: showing the first" in _texts(parent.args["blocks"])


def test_a_failure_after_the_ack_reaches_the_user_as_a_friendly_message(slack_app, standin):
    standin.add_channel("C0SHARED", is_ext_shared=True)
    standin.fail("conversations.open", "fatal_error", times=3)

    reply = slack_app.driver.slash_command(REQUEST, channel_id="C0SHARED")

    assert reply.status == 200
    said = standin.wait_for("response")[0].args
    assert said["response_type"] == "ephemeral"
    assert "something went wrong" in said["text"]
    assert "Traceback" not in said["text"]
    assert _posts(standin, "C0SHARED") == []


def test_a_triage_slack_refused_is_still_in_the_users_history(slack_app, standin, database_url):
    standin.fail("chat.postMessage", "fatal_error", times=1)

    slack_app.driver.slash_command(REQUEST, channel_id="C0INTERNAL")

    assert "something went wrong" in standin.wait_for("response")[0].args["text"]
    db = Database(database_url)
    [stored] = eventually(lambda: recent_triages(db, "T0001", "U0ALICE"))
    assert "out_of_scope" in stored.reasons and stored.channel_id is None and stored.reply_ts is None
    db.dispose()


def _refuse_new_triages(database_url: str) -> None:
    """Make the store refuse every new triage, as a full disk or a lost connection would."""
    db = Database(database_url)
    with db.engine.begin() as connection:
        if db.is_postgresql:
            connection.exec_driver_sql("CREATE FUNCTION refuse_triage() RETURNS trigger AS "
                                       "$$ BEGIN RAISE EXCEPTION 'refused'; END $$ LANGUAGE plpgsql")
            connection.exec_driver_sql("CREATE TRIGGER refuse_triage BEFORE INSERT ON triages "
                                       "FOR EACH ROW EXECUTE FUNCTION refuse_triage()")
        else:
            connection.exec_driver_sql("CREATE TRIGGER refuse_triage BEFORE INSERT ON triages "
                                       "BEGIN SELECT RAISE(ABORT, 'refused'); END")
    db.dispose()


def _job_statuses(db: Database) -> list[str]:
    with db.transaction() as session:
        return [str(status) for status in session.scalars(select(TriageJob.status))]


def test_a_triage_posted_but_not_stored_says_its_buttons_will_not_work(slack_app, standin, database_url):
    _refuse_new_triages(database_url)

    slack_app.driver.slash_command(REQUEST, channel_id="C0INTERNAL")

    answer = _triage_reply(standin)
    assert answer.args["channel"] == "C0INTERNAL" and "Suggested reply" in _texts(answer.args["blocks"])
    said = standin.wait_for("response")[0].args
    assert said["response_type"] == "ephemeral"
    assert "couldn't save it" in said["text"] and "Traceback" not in said["text"]
    assert eventually(lambda: _job_statuses(slack_app.db) == ["done"])  # no other instance posts it again
    standin.reset_calls()
    _press(slack_app, standin, answer.args["blocks"], "triage_tone_firmer")
    assert "older version" in standin.wait_for("response")[0].args["text"]
    assert standin.calls_to("chat.update") == []


# --- the message shortcut ----------------------------------------------------------------------------------

def test_shortcut_on_a_top_level_message_answers_in_its_thread(slack_app, standin):
    message = {"type": "message", "ts": "1700000100.000100", "user": "U0CLIENT", "text": REQUEST}

    slack_app.driver.message_shortcut(message, channel_id="C0INTERNAL")

    answer = _triage_reply(standin)
    assert answer.args["channel"] == "C0INTERNAL"
    assert answer.args["thread_ts"] == "1700000100.000100"
    assert len(_posts(standin)) == 1


def test_shortcut_on_a_threaded_reply_answers_in_the_same_thread(slack_app, standin):
    message = {"type": "message", "ts": "1700000200.000200", "thread_ts": "1700000100.000100", "text": REQUEST}

    slack_app.driver.message_shortcut(message, channel_id="C0INTERNAL")

    assert _triage_reply(standin).args["thread_ts"] == "1700000100.000100"


def test_shortcut_in_a_slack_connect_channel_goes_to_the_dm_with_a_link_to_the_message(slack_app, standin):
    standin.add_channel("C0SHARED", is_ext_shared=True)
    message = {"type": "message", "ts": "1700000300.000300", "text": REQUEST}

    slack_app.driver.message_shortcut(message, channel_id="C0SHARED")

    answer = _triage_reply(standin)
    assert answer.args["channel"] == "DU0ALICE"
    assert _posts(standin, "C0SHARED") == []
    dm_parent = _posts(standin, "DU0ALICE")[0]
    assert "C0SHARED/p1700000300000300" in _texts(dm_parent.args["blocks"]), dm_parent.args["blocks"][0]
    assert standin.wait_for("response")[0].args["response_type"] == "ephemeral"


def test_shortcut_on_a_message_without_text_explains_kindly(slack_app, standin):
    message = {"type": "message", "ts": "1700000400.000400", "text": "", "files": [{"id": "F1"}]}

    slack_app.driver.message_shortcut(message)

    said = standin.wait_for("response")[0].args
    assert "no text I can read" in said["text"]
    assert _posts(standin) == []


# --- buttons on the triage -------------------------------------------------------------------------------------

def _triage_in_channel(slack_app, standin):
    slack_app.driver.slash_command(REQUEST, channel_id="C0INTERNAL")
    answer = _triage_reply(standin)
    db = Database(slack_app.env["DATABASE_URL"])
    assert eventually(lambda: [t for t in recent_triages(db, "T0001", "U0ALICE") if t.permalink])
    db.dispose()
    standin.reset_calls()
    return answer


def _press(slack_app, standin, blocks, prefix, user_id="U0ALICE"):
    """Press a button on the triage reply in #C0INTERNAL, with the container Slack sends."""
    action_id, value = _action_value(blocks, prefix)
    reply_ts = standin.messages["C0INTERNAL"][1]["ts"]
    return slack_app.driver.block_action(
        action_id, value, user_id=user_id, channel_id="C0INTERNAL",
        container={"type": "message", "channel_id": "C0INTERNAL", "message_ts": reply_ts, "is_ephemeral": False})


def test_firmer_then_warmer_re_render_the_reply_in_place(slack_app, standin):
    answer = _triage_in_channel(slack_app, standin)

    _press(slack_app, standin, answer.args["blocks"], "triage_tone_firmer")

    update = standin.wait_for("chat.update")[0].args
    assert update["channel"] == "C0INTERNAL"
    assert update["ts"] == standin.messages["C0INTERNAL"][1]["ts"]
    assert "Suggested reply* (firm)" in _texts(update["blocks"])
    assert _texts(update["blocks"]) != _texts(answer.args["blocks"])
    _press(slack_app, standin, update["blocks"], "triage_tone_warmer")
    again = standin.wait_for("chat.update", count=2)[1].args
    assert "Suggested reply* (neutral)" in _texts(again["blocks"])


def test_someone_else_pressing_a_button_gets_a_polite_private_refusal(slack_app, standin):
    answer = _triage_in_channel(slack_app, standin)

    _press(slack_app, standin, answer.args["blocks"], "triage_tone_firmer", user_id="U0BOB")

    said = standin.wait_for("response")[0].args
    assert said["response_type"] == "ephemeral" and said["replace_original"] is False
    assert "Only <@U0ALICE>" in said["text"]
    assert standin.calls_to("chat.update") == []


def test_edit_and_copy_opens_the_reply_and_posts_the_final_text_in_the_thread(slack_app, standin):
    answer = _triage_in_channel(slack_app, standin)

    _press(slack_app, standin, answer.args["blocks"], "triage_edit")

    view = standin.wait_for("views.open")[0].args["view"]
    view = json.loads(view) if isinstance(view, str) else view
    initial = view["blocks"][0]["element"]["initial_value"]
    assert initial
    edited = initial + "\nBest, Alice"
    reply = slack_app.driver.view_submission(
        view["callback_id"], {"reply_block": {"reply_input": {"type": "plain_text_input", "value": edited}}},
        private_metadata=view["private_metadata"])
    assert reply.status == 200
    final = standin.wait_for("chat.postMessage")[0].args
    assert final["channel"] == "C0INTERNAL"
    assert final["thread_ts"] == standin.messages["C0INTERNAL"][0]["ts"]
    assert "Best, Alice" in _texts(final["blocks"])
    assert all(b["text"]["type"] == "plain_text" for b in final["blocks"][1:])


def test_an_edited_reply_submitted_after_the_channel_was_archived_reaches_the_dm(slack_app, standin):
    """The thread cannot take it any more: the final text goes to the user's DM rather than being lost."""
    _edited_reply_reaches_the_dm(slack_app, standin, lambda: standin.fail("chat.postMessage", "is_archived"))


@pytest.mark.parametrize("change", ["slack_connect", "guest"])
def test_an_edited_reply_goes_to_the_dm_when_the_channel_let_outsiders_in_since(slack_app, standin, change):
    """The channel is checked again when the final text is posted: shared with another organisation, or joined by
    a guest, since the triage, it gets nothing and the user gets the text in the DM."""
    def let_outsiders_in() -> None:
        if change == "slack_connect":
            standin.channels["C0INTERNAL"].is_ext_shared = True
        else:
            standin.add_user("U0GUEST", is_ultra_restricted=True)
            standin.channels["C0INTERNAL"].members.append("U0GUEST")

    _edited_reply_reaches_the_dm(slack_app, standin, let_outsiders_in)
    assert _posts(standin, "C0INTERNAL") == []


def _edited_reply_reaches_the_dm(slack_app, standin, before_submitting) -> None:
    """Triage in a channel, open Edit, let `before_submitting` change the world, submit the edited reply: it must
    reach the user's DM (not a thread)."""
    answer = _triage_in_channel(slack_app, standin)
    _press(slack_app, standin, answer.args["blocks"], "triage_edit")
    view = standin.wait_for("views.open")[0].args["view"]
    view = json.loads(view) if isinstance(view, str) else view
    edited = view["blocks"][0]["element"]["initial_value"] + "\nBest, Alice"
    before_submitting()

    reply = slack_app.driver.view_submission(
        view["callback_id"], {"reply_block": {"reply_input": {"type": "plain_text_input", "value": edited}}},
        private_metadata=view["private_metadata"])

    assert reply.status == 200
    in_dm = standin.wait_for("chat.postMessage", timeout=15, where=lambda c: str(c.args.get("channel")).startswith("D")
                             and "Best, Alice" in _texts(c.args.get("blocks") or []))[0].args
    assert not in_dm.get("thread_ts")


def test_an_empty_edited_reply_is_refused_in_the_modal(slack_app, standin):
    answer = _triage_in_channel(slack_app, standin)
    triage_id = int(_action_value(answer.args["blocks"], "triage_edit")[1])

    reply = slack_app.driver.view_submission(
        "edit_reply_submit", {"reply_block": {"reply_input": {"type": "plain_text_input", "value": "  "}}},
        private_metadata=json.dumps({"triage_id": triage_id}))

    assert reply.json()["response_action"] == "errors"
    assert standin.calls_to("chat.postMessage") == []


def test_an_expired_trigger_asks_the_user_to_try_again(slack_app, standin):
    answer = _triage_in_channel(slack_app, standin)
    standin.fail("views.open", "expired_trigger_id")

    _press(slack_app, standin, answer.args["blocks"], "triage_edit")

    said = standin.wait_for("response")[0].args
    assert said["response_type"] == "ephemeral" and "please try again" in said["text"].lower()


@pytest.mark.parametrize("choice", ["helpful", "not_helpful"])
def test_feedback_is_stored_with_the_triage_and_shown(slack_app, standin, database_url, choice):
    answer = _triage_in_channel(slack_app, standin)
    value = _action_value(answer.args["blocks"], f"triage_feedback_{choice}")[1]

    _press(slack_app, standin, answer.args["blocks"], f"triage_feedback_{choice}")

    update = standin.wait_for("chat.update")[0].args
    assert "Thanks for the feedback" in _texts(update["blocks"])
    db = Database(database_url)
    assert eventually(lambda: get_triage(db, int(value.split(":")[0]), "T0001").feedback == choice)
    db.dispose()


def test_the_paste_modal_triages_a_long_request(slack_app, standin):
    help_note = slack_app.driver.slash_command("help").json()
    action_id, value = _action_value(help_note["blocks"], "open_paste_modal")
    slack_app.driver.block_action(action_id, value, channel_id="C0INTERNAL")
    view = standin.wait_for("views.open")[0].args["view"]
    view = json.loads(view) if isinstance(view, str) else view

    slack_app.driver.view_submission(
        view["callback_id"], {"request_block": {"request_input": {"type": "plain_text_input", "value": REQUEST}}},
        private_metadata=view["private_metadata"])

    assert _triage_reply(standin).args["channel"] == "C0INTERNAL"


# --- App Home -------------------------------------------------------------------------------------------------

def test_app_home_shows_recent_triages_and_reason_counts(slack_app, standin):
    _triage_in_channel(slack_app, standin)

    def open_home() -> tuple[dict, str]:
        standin.reset_calls()
        slack_app.driver.event({"type": "app_home_opened", "user": "U0ALICE", "channel": "DU0ALICE",
                                  "tab": "home"})
        published = standin.wait_for("views.publish")[0].args
        view = published["view"] if isinstance(published["view"], dict) else json.loads(published["view"])
        return published, _texts(view["blocks"])

    homes: list[tuple[dict, str]] = []
    eventually(lambda: homes.append(open_home()) or "open thread" in homes[-1][1])
    published, seen = homes[-1]
    assert published["user_id"] == "U0ALICE"
    assert "Your recent triages" in seen
    assert "Out of scope: 1" in seen
    assert "open thread" in seen


# --- privacy ----------------------------------------------------------------------------------------------------

def test_logs_carry_ids_and_verdicts_never_the_clients_words_or_tokens(slack_app, standin):
    secret_phrase = "Zanzibar-Quokka-7731"
    slack_app.driver.slash_command(f"Please add a {secret_phrase} page at no extra cost, launch stays Friday.")
    _triage_reply(standin)
    standin.add_channel("C0SHARED", is_ext_shared=True)
    standin.fail("conversations.open", "fatal_error", times=3)
    slack_app.driver.slash_command(f"{secret_phrase} again", channel_id="C0SHARED")
    standin.wait_for("response")

    assert eventually(lambda: "triaged team=T0001 user=U0ALICE" in slack_app.log())
    log = slack_app.log()
    assert "triage failed team=T0001 user=U0ALICE" in log
    assert secret_phrase not in log
    assert "xoxb-test-token" not in log and "test-signing-secret" not in log
