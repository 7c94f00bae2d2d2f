"""The language model in Slack, through the app in process (`slack_app`) with the loopback model stand-in: the App
Home switch only admins may turn, the offline triage posted at once and then updated in place with the model's
reply, the offline reply kept when the model fails, Warmer asking the model again, the account's context in the
prompt, and nothing sent while the workspace has not turned it on."""

from __future__ import annotations

import json

import pytest

from bot.accounts import AccountDraft, add_account, log_pushback
from bot.db import Database
from bot.model_opt_in import model_opt_in, set_model_opt_in
from bot.triage_store import recent_triages
from tests.conftest import app_environment
from tests.support.driver import eventually
from tests.support.model_standin import ModelStandIn, Scripted

pytest.importorskip("openai")

TEAM = "T0001"
MODEL = "standin-7b"
REQUEST = ("Hi team, while you're at it could you also redo the careers page and add a live chat for Northwind? "
           "Launch date stays the same. Thanks, Ben")
MODEL_REPLY = ("Hi Ben,\n\nThanks for thinking of the careers page and the live chat. Both are new work beyond the "
               "agreed scope, so I'd quote them as an add-on at £900 and plan them after launch, so the date holds."
               "\n\nShall I send the change note?\n\nBest, [your name]")
WARM_REPLY = ("Hi Ben,\n\nLove that you're thinking ahead about the careers page and the live chat! They're new "
              "work beyond what we agreed, so let's keep the launch safe and plan them as a follow-on add-on."
              "\n\nWould that work for you?\n\nWarmly, [your name]")
FIRM_REPLY = ("Hi Ben,\n\nThe careers page and the live chat are outside the agreed scope and would put the launch "
              "at risk, so they can't go into this phase. I'll scope them as a separate add-on after launch."
              "\n\nBest, [your name]")


def _draft(text: str) -> dict:
    return {"verdict": "push_back", "reasons": ["out_of_scope"],
            "evidence": {"out_of_scope": ["redo the careers page"]},
            "reply": {"acknowledge": "Thanks for thinking of the careers page.", "reason": "", "alternative": "",
                      "text": text},
            "tactics": ["better_solution"], "tip": "Name the add-on and its date."}


@pytest.fixture
def model():
    standin = ModelStandIn().start()
    standin.answer(Scripted(_draft(MODEL_REPLY)))
    yield standin
    standin.stop()


@pytest.fixture
def app_env(standin, database_url, tmp_path, model, request):
    """The app's environment with the model stand-in configured (left out for a test marked `no_model`)."""
    env = app_environment(standin, database_url, tmp_path)
    if request.node.get_closest_marker("no_model") is None:
        env.update(PUSHBACK_LLM_BASE_URL=model.base_url, PUSHBACK_LLM_MODEL=MODEL, PUSHBACK_LLM_TIMEOUT_SECONDS="5")
    return env


@pytest.fixture
def store(app_env):
    database = Database(app_env["DATABASE_URL"])
    yield database
    database.dispose()


def _texts(blocks) -> str:
    return json.dumps(blocks, ensure_ascii=False)


def _open_home(slack_app, standin, user_id: str) -> list[dict]:
    standin.reset_calls()
    slack_app.driver.event({"type": "app_home_opened", "user": user_id, "channel": f"D{user_id}", "tab": "home"})
    view = standin.wait_for("views.publish")[0].args["view"]
    return (view if isinstance(view, dict) else json.loads(view))["blocks"]


def _switch(blocks) -> dict | None:
    """The model switch's button in App Home, if shown."""
    for block in blocks:
        accessory = block.get("accessory") or {}
        if str(accessory.get("action_id", "")).startswith("model_writer_"):
            return accessory
    return None


def _press_switch(slack_app, user_id: str, action_id: str):
    return slack_app.driver.block_action(action_id, action_id.rpartition("_")[2], user_id=user_id,
                                         container={"type": "view", "view_id": "V0HOME"}, block_id="model_writer")


def _posted_reply(standin):
    return standin.wait_for("chat.postMessage", where=lambda c: c.args.get("thread_ts"))[0]


def _press_tone(slack_app, standin, blocks, action_id: str):
    """Press Warmer or Firmer on the triage reply in #C0INTERNAL, as shown in `blocks`."""
    button = next(element for block in blocks if block["type"] == "actions"
                  for element in block["elements"] if element["action_id"] == action_id)
    return slack_app.driver.block_action(button["action_id"], button["value"], channel_id="C0INTERNAL", container={
        "type": "message", "channel_id": "C0INTERNAL", "message_ts": standin.messages["C0INTERNAL"][1]["ts"],
        "is_ephemeral": False})


def _shown_reply(blocks) -> str:
    """The suggested reply's text as the message shows it (the quote after "Suggested reply")."""
    index = next(index for index, block in enumerate(blocks) if "Suggested reply" in _texts(block))
    return blocks[index + 1]["elements"][0]["elements"][0]["text"]


def _settled(slack_app) -> None:
    """Wait until every piece of work after the acks has finished (the app takes no more requests after)."""
    slack_app.executor.shutdown(wait=True)


# --- App Home -------------------------------------------------------------------------------------------------

def test_an_admin_sees_what_is_sent_where_and_turns_the_model_on(slack_app, standin, store, model):
    standin.add_user("U0ADMIN", is_admin=True)

    home = _open_home(slack_app, standin, "U0ADMIN")

    seen = _texts(home)
    assert "Replies written by your language model" in seen and MODEL in seen and "`127.0.0.1`" in seen
    assert "e-mail addresses and phone numbers masked" in seen and "scope notes" in seen
    assert "Nothing is sent until an admin turns it on" in seen and "*Off* in this workspace" in seen
    switch = _switch(home)
    assert switch is not None and switch["action_id"] == "model_writer_on" and "confirm" in switch
    assert not model_opt_in(store, TEAM).on

    standin.reset_calls()
    _press_switch(slack_app, "U0ADMIN", "model_writer_on")

    republished = standin.wait_for("views.publish")[0].args["view"]
    republished = republished if isinstance(republished, dict) else json.loads(republished)
    assert "*On* in this workspace: turned on by <@U0ADMIN>" in _texts(republished["blocks"])
    assert _switch(republished["blocks"])["action_id"] == "model_writer_off"
    opt_in = model_opt_in(store, TEAM)
    assert opt_in.on and opt_in.changed_by == "U0ADMIN"
    assert model.requests == []


def test_someone_who_is_not_an_admin_sees_the_switch_read_only_and_cannot_turn_it(slack_app, standin, store):
    standin.add_user("U0BOB")

    home = _open_home(slack_app, standin, "U0BOB")

    assert "*Off* in this workspace" in _texts(home) and _switch(home) is None
    assert "Only a workspace admin or owner" in _texts(home)
    standin.reset_calls()
    _press_switch(slack_app, "U0BOB", "model_writer_on")
    republished = standin.wait_for("views.publish")[0].args["view"]
    republished = republished if isinstance(republished, dict) else json.loads(republished)
    assert "*Off* in this workspace" in _texts(republished["blocks"])
    assert not model_opt_in(store, TEAM).on
    assert "model writer switch refused: not an admin team=T0001 user=U0BOB" in slack_app.log()


@pytest.mark.no_model
def test_without_a_configured_model_app_home_has_no_switch(slack_app, standin):
    standin.add_user("U0ADMIN", is_admin=True)

    home = _open_home(slack_app, standin, "U0ADMIN")

    assert "language model" not in _texts(home) and _switch(home) is None


# --- the triage -----------------------------------------------------------------------------------------------

def test_the_offline_triage_is_posted_at_once_then_updated_in_place_with_the_models_reply(slack_app, standin,
                                                                                          store, model):
    set_model_opt_in(store, TEAM, True, "U0ADMIN")

    slack_app.driver.slash_command(REQUEST, channel_id="C0INTERNAL")

    posted = _posted_reply(standin)
    assert "careers page and the live chat" not in _texts(posted.args["blocks"])
    assert "Reply written by" not in _texts(posted.args["blocks"])
    update = standin.wait_for("chat.update")[0].args
    assert (update["channel"], update["ts"]) == ("C0INTERNAL", standin.messages["C0INTERNAL"][1]["ts"])
    shown = _texts(update["blocks"])
    assert "Thanks for thinking of the careers page and the live chat" in shown
    assert f"Reply written by {MODEL}" in shown
    assert "as an add-on at [price]" in shown and "The model wrote the amount \\\"£900\\\"" in shown
    assert "triage_edit" in shown and "triage_tone_warmer" in shown and "triage_log_to_account" in shown
    [record] = recent_triages(store, TEAM, "U0ALICE")
    assert record.result["writer"] == "model" and record.result["model"] == MODEL
    assert "£900" not in record.result["reply"]["text"] and record.result["flags"]
    assert record.result["reply"]["text"] == _shown_reply(update["blocks"])
    assert record.verdict == "push_back"
    sent = model.sent_text()
    assert "redo the careers page" in sent and '"tone": "neutral"' in sent


def test_when_the_model_fails_the_offline_reply_stays_and_nothing_alarming_is_shown(slack_app, standin, store,
                                                                                     model):
    set_model_opt_in(store, TEAM, True, "U0ADMIN")
    model.answer(Scripted(status=500))

    slack_app.driver.slash_command(REQUEST, channel_id="C0INTERNAL")

    posted = _posted_reply(standin)
    assert eventually(lambda: "model writer fell back to the offline reply" in slack_app.log())
    _settled(slack_app)
    assert len(model.requests) == 1
    assert standin.calls_to("chat.update") == [] and standin.calls_to("response") == []
    assert standin.messages["C0INTERNAL"][1]["blocks"] == posted.args["blocks"]
    [record] = recent_triages(store, TEAM, "U0ALICE")
    assert record.result["writer"] == "offline" and record.permalink
    fallback = next(line for line in slack_app.log().splitlines() if "fell back" in line)
    assert f"model={MODEL}" in fallback and "request=" in fallback and "Ben" not in fallback


def test_warmer_asks_the_model_again_in_that_tone_and_updates_the_message(slack_app, standin, store, model):
    set_model_opt_in(store, TEAM, True, "U0ADMIN")
    model.answer(Scripted(_draft(MODEL_REPLY)), Scripted(_draft(WARM_REPLY)))
    slack_app.driver.slash_command(REQUEST, channel_id="C0INTERNAL")
    first = standin.wait_for("chat.update")[0].args

    _press_tone(slack_app, standin, first["blocks"], "triage_tone_warmer")

    again = standin.wait_for("chat.update", count=2)[1].args
    shown = _texts(again["blocks"])
    assert again["ts"] == standin.messages["C0INTERNAL"][1]["ts"]
    assert "Love that you're thinking ahead" in shown and "Suggested reply* (warm)" in shown
    assert f"Reply written by {MODEL}" in shown
    assert len(model.requests) == 2 and '"tone": "warm"' in model.requests[1]["messages"][1]["content"]
    [record] = recent_triages(store, TEAM, "U0ALICE")
    assert record.tone == "warm" and record.result["reply"]["text"].startswith("Hi Ben,\n\nLove that")


def test_off_by_default_the_model_is_never_asked(slack_app, standin, store, model):
    slack_app.driver.slash_command(REQUEST, channel_id="C0INTERNAL")
    posted = _posted_reply(standin)
    assert eventually(lambda: [t for t in recent_triages(store, TEAM, "U0ALICE") if t.permalink])

    _press_tone(slack_app, standin, posted.args["blocks"], "triage_tone_firmer")

    update = standin.wait_for("chat.update")[0].args
    _settled(slack_app)
    assert "Suggested reply* (firm)" in _texts(update["blocks"]) and "Reply written by" not in _texts(update["blocks"])
    assert model.requests == []
    assert not model_opt_in(store, TEAM).on


def test_the_model_is_given_the_accounts_scope_notes_and_this_quarters_pushbacks(slack_app, standin, store, model):
    account = add_account(store, AccountDraft(name="Northwind", owner_id="U0ALICE", next_qbr="2027-01-15",
                                              team_id=TEAM, scope_notes="Website build: 12 pages, one landing page "
                                                                        "a month; no careers section."))
    log_pushback(store, team_id=TEAM, account_id=account.id, user_id="U0ALICE", triage_id=None,
                 summary="Asked for a free app icon set", verdict="push_back", reasons=["out_of_scope"])
    set_model_opt_in(store, TEAM, True, "U0ADMIN")

    slack_app.driver.slash_command(REQUEST, channel_id="C0INTERNAL")

    standin.wait_for("chat.update")
    frame = json.loads(model.requests[0]["messages"][1]["content"].split("(JSON):\n", 1)[1].split("\n\n", 1)[0])
    assert frame["account"]["name"] == "Northwind"
    assert "no careers section" in frame["account"]["scope_notes"]
    [pushed] = frame["account"]["pushed_back_this_quarter"]
    assert "Asked for a free app icon set" in pushed and "push_back" in pushed and "out_of_scope" in pushed


def test_a_model_reply_that_arrives_after_the_user_changed_the_tone_does_not_overwrite_it(slack_app, standin, store,
                                                                                          model):
    set_model_opt_in(store, TEAM, True, "U0ADMIN")
    model.answer(Scripted(_draft(MODEL_REPLY), held=True), Scripted(_draft(FIRM_REPLY)))
    slack_app.driver.slash_command(REQUEST, channel_id="C0INTERNAL")
    posted = _posted_reply(standin)
    assert eventually(lambda: [t for t in recent_triages(store, TEAM, "U0ALICE") if t.permalink])
    assert eventually(lambda: len(model.requests) == 1)
    _press_tone(slack_app, standin, posted.args["blocks"], "triage_tone_firmer")
    standin.wait_for("chat.update")
    model.released.set()

    assert eventually(lambda: "the triage changed meanwhile" in slack_app.log())
    _settled(slack_app)
    [update] = standin.calls_to("chat.update")
    assert "can't go into this phase" in _texts(update.args["blocks"])
    assert _texts(standin.messages["C0INTERNAL"][1]["blocks"]) == _texts(update.args["blocks"])
    [record] = recent_triages(store, TEAM, "U0ALICE")
    assert record.tone == "firm" and record.result["reply"]["text"] == _shown_reply(update.args["blocks"])
