"""`pushback run` as a real process with a language model configured (the loopback stand-in): an admin turns it on
in App Home, and a `/pushback` triage is posted at once, then updated in place with the model's reply."""

from __future__ import annotations

import json

import pytest

from tests.conftest import app_environment
from tests.support.model_standin import ModelStandIn, Scripted

pytest.importorskip("openai")

MODEL = "standin-7b"
REQUEST = ("Hi team, while you're at it could you also redo the careers page and add a live chat? "
           "Launch date stays the same. Thanks, Ben")
MODEL_REPLY = ("Hi Ben,\n\nThanks for thinking ahead about the careers page and the live chat. They're beyond the "
               "agreed scope, so I'll quote them as an add-on and plan them after launch.\n\nBest, [your name]")


@pytest.fixture
def model():
    standin = ModelStandIn().start()
    standin.answer(Scripted({"verdict": "push_back", "reasons": ["out_of_scope"], "evidence": {},
                             "reply": {"text": MODEL_REPLY}, "tactics": [], "tip": "Name the add-on."}))
    yield standin
    standin.stop()


@pytest.fixture
def app_env(standin, database_url, tmp_path, model):
    """`pushback run`'s environment, with the model stand-in configured."""
    env = app_environment(standin, database_url, tmp_path)
    env.update(PUSHBACK_LLM_BASE_URL=model.base_url, PUSHBACK_LLM_MODEL=MODEL, PUSHBACK_LLM_TIMEOUT_SECONDS="5")
    return env


def test_a_triage_is_updated_in_place_with_the_models_reply_once_an_admin_turned_it_on(running_app, standin, model):
    standin.add_user("U0ADMIN", is_admin=True)
    running_app.driver.block_action("model_writer_on", "on", user_id="U0ADMIN",
                                    container={"type": "view", "view_id": "V0HOME"}, block_id="model_writer")
    view = standin.wait_for("views.publish")[0].args["view"]
    assert "*On* in this workspace" in json.dumps(view if isinstance(view, dict) else json.loads(view))

    reply = running_app.driver.slash_command(REQUEST, channel_id="C0INTERNAL")

    assert reply.status == 200
    posted = standin.wait_for("chat.postMessage", where=lambda c: c.args.get("thread_ts"))[0]
    assert "careers page and the live chat" not in json.dumps(posted.args["blocks"])
    update = standin.wait_for("chat.update")[0].args
    shown = json.dumps(update["blocks"], ensure_ascii=False)
    assert update["ts"] == standin.messages["C0INTERNAL"][1]["ts"]
    assert "Thanks for thinking ahead about the careers page and the live chat" in shown
    assert f"Reply written by {MODEL}" in shown
    assert len(model.requests) == 1 and "redo the careers page" in model.sent_text()
