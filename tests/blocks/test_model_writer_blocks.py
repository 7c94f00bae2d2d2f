"""Pure tests of what the language model adds to Slack's blocks: App Home's switch (what is sent where, on or off,
a button only for admins) and, under a reply the model wrote, who wrote it and what to check."""

from __future__ import annotations

import json
from collections import Counter
from datetime import datetime, timezone

from bot.blocks.home import ACTION_MODEL_WRITER_OFF, ACTION_MODEL_WRITER_ON, home_view, model_writer_section
from bot.blocks.triage import triage_message
from bot.model_opt_in import ModelOptIn
from tests.support.blockkit import assert_valid_blocks, assert_valid_view

TURNED_ON = ModelOptIn(True, "U0ADMIN", datetime(2026, 12, 1, 9, 30, tzinfo=timezone.utc))
FLAG = ('The model wrote the amount "£900", which neither the request nor the account gives: replaced with [price]; '
        "fill it in.")


def _buttons(blocks) -> list[dict]:
    return [block["accessory"] for block in blocks if (block.get("accessory") or {}).get("type") == "button"]


def _result(**changes) -> dict:
    result = {"verdict": "push_back", "reasons": ["out_of_scope"], "evidence": {"out_of_scope": ["redo the page"]},
              "asks": [], "reply": {"text": "Hi Ben, that's an add-on at [price]."}, "tactics": [], "tip": "Be clear.",
              "tone": "neutral", "notes": [], "writer": "offline", "model": "", "flags": []}
    return {**result, **changes}


def test_an_admin_sees_what_is_sent_where_and_a_button_to_turn_it_on_that_asks_first():
    blocks = model_writer_section("llama3.1:8b", "ollama.internal", ModelOptIn(), can_change=True)

    assert_valid_blocks(blocks)
    seen = json.dumps(blocks)
    assert "llama3.1:8b" in seen and "ollama.internal" in seen
    assert "masked" in seen and "scope notes" in seen and "push-backs" in seen and "*Off*" in seen
    [switch] = _buttons(blocks)
    assert switch["action_id"] == ACTION_MODEL_WRITER_ON
    assert "ollama.internal" in switch["confirm"]["text"]["text"]


def test_when_on_the_switch_says_who_turned_it_on_and_offers_to_turn_it_off():
    blocks = model_writer_section("gpt-4o-mini", "api.example", TURNED_ON, can_change=True)

    seen = json.dumps(blocks)
    assert "*On*" in seen and "<@U0ADMIN>" in seen and "<!date^1796117400^" in seen
    assert [button["action_id"] for button in _buttons(blocks)] == [ACTION_MODEL_WRITER_OFF]


def test_someone_who_is_not_an_admin_sees_the_state_and_no_button():
    blocks = model_writer_section("gpt-4o-mini", "api.example", TURNED_ON, can_change=False)

    assert _buttons(blocks) == [] and "*On*" in json.dumps(blocks)
    assert "Only a workspace admin or owner" in json.dumps(blocks)
    assert_valid_view(home_view([], Counter(), blocks))


def test_a_model_name_with_markup_stays_inert():
    seen = json.dumps(model_writer_section("<!channel>", "host", ModelOptIn(), can_change=True))

    assert "<!channel>" not in seen and "&lt;!channel&gt;" in seen


def test_a_reply_the_model_wrote_says_so_and_shows_what_to_check():
    blocks = triage_message(7, _result(writer="model", model="llama3.1:8b", flags=[FLAG]))["blocks"]

    assert_valid_blocks(blocks)
    seen = json.dumps(blocks, ensure_ascii=False)
    assert "Reply written by llama3.1:8b" in seen and FLAG.replace('"', '\\"') in seen


def test_the_offline_engines_reply_looks_as_it_always_has():
    offline = triage_message(7, _result())["blocks"]

    assert "Reply written by" not in json.dumps(offline)
    assert offline == triage_message(7, {key: value for key, value in _result().items()
                                         if key not in ("writer", "model", "flags")})["blocks"]
