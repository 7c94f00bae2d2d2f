"""Pure tests of the triage Block Kit builders: valid for Slack, within limits, client text never in mrkdwn."""

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.blocks.home import home_view
from bot.blocks.triage import (
    edit_reply_modal,
    final_reply_message,
    parent_message,
    paste_request_modal,
    shortcut_parent_message,
    triage_message,
    usage_message,
)
from tests.support.blockkit import assert_valid_blocks, assert_valid_view, mrkdwn_texts

HOSTILE = "<!channel> <!here> <@U0BOSS> <!subteam^S1|@design> *bold* <https://evil.example|click> & done"


def _result(verdict="push_back", reasons=("unreasonable", "out_of_scope"), tone="neutral", asks=2, text=HOSTILE):
    return {
        "verdict": verdict,
        "reasons": list(reasons),
        "evidence": {label: [text[:80], "second " + text[:40]] for label in reasons},
        "asks": [{"text": f"ask {n}: {text}", "verdict": verdict, "reasons": list(reasons),
                  "evidence": {}} for n in range(asks)],
        "reply": {"acknowledge": "Thanks for this.", "reason": "It's outside the agreed scope.",
                  "alternative": "I can price it as an add-on.", "text": f"Thanks. {text} I can price it."},
        "tactics": ["better_solution"], "tip": "Acknowledge first.", "tone": tone, "notes": [], "summary": "x",
    }


def test_triage_message_shows_verdict_reasons_evidence_reply_and_buttons():
    content = triage_message(7, _result())

    assert_valid_blocks(content["blocks"])
    seen = json.dumps(content["blocks"], ensure_ascii=False)
    assert "Push back" in seen and "Unreasonable" in seen and "Out of scope" in seen
    assert "Suggested reply" in seen and "I can price it" in seen
    action_ids = [e["action_id"] for e in content["blocks"][-1]["elements"]]
    assert action_ids == ["triage_tone_warmer", "triage_tone_firmer", "triage_edit", "triage_log_to_account",
                          "triage_feedback_helpful",
                          "triage_feedback_not_helpful"]
    assert "Push back" in content["text"]


def test_an_unsure_triage_says_what_to_check_before_the_reply_and_a_sure_one_its_confidence():
    unsure = triage_message(7, {**_result(), "confidence": 0.41, "checks": ["Is this in the SOW or the retainer?"]})
    assert_valid_blocks(unsure["blocks"])
    texts = [json.dumps(block) for block in unsure["blocks"]]
    check_at = next(i for i, text in enumerate(texts) if "Is this in the SOW or the retainer?" in text)
    reply_at = next(i for i, text in enumerate(texts) if "Suggested reply" in text)
    assert check_at < reply_at and "confidence 0.41" in texts[check_at]
    sure = json.dumps(triage_message(7, {**_result(), "confidence": 0.93, "checks": []})["blocks"])
    assert "Confidence 0.93" in sure and "Check before you answer" not in sure


@pytest.mark.parametrize(("tone", "expected"), [("warm", ["Firmer"]), ("neutral", ["Warmer", "Firmer"]),
                                                ("firm", ["Warmer"])])
def test_tone_buttons_only_offer_a_direction_that_exists(tone, expected):
    controls = triage_message(1, _result(tone=tone))["blocks"][-1]["elements"]

    assert [e["text"]["text"] for e in controls if e["action_id"].startswith("triage_tone")] == expected


def test_client_words_never_reach_mrkdwn():
    for content in (triage_message(1, _result()), parent_message("U1", HOSTILE),
                    shortcut_parent_message("U1", HOSTILE, "C1", "https://x.slack.com/archives/C1/p1"),
                    final_reply_message("U1", HOSTILE)):
        for text in mrkdwn_texts(content["blocks"]) + [content["text"]]:
            assert "<!channel>" not in text and "<@U0BOSS>" not in text and "evil.example" not in text
        assert "<!channel>" in json.dumps(content["blocks"], ensure_ascii=False)


def test_long_request_is_shortened_with_a_note_not_rejected():
    content = parent_message("U1", "word " * 5000)

    assert_valid_blocks(content["blocks"])
    assert "Shortened: showing the first" in json.dumps(content["blocks"], ensure_ascii=False)


def test_many_asks_and_long_evidence_stay_within_limits():
    content = triage_message(1, _result(asks=40, text="x" * 20000, reasons=(
        "unreasonable", "illogical", "out_of_scope", "unethical_or_illegal", "misses_business_objectives",
        "misses_campaign_objectives", "jeopardises_other_work", "would_be_late", "strains_team_or_suppliers")))

    assert_valid_blocks(content["blocks"])
    assert "and 30 more" in json.dumps(content["blocks"], ensure_ascii=False)


def test_accept_has_a_confirmation_and_no_reasons():
    result = _result(verdict="accept", reasons=(), asks=1)
    result["reply"] = {"acknowledge": "", "reason": "", "alternative": "", "text": "Sure, on it."}

    content = triage_message(3, result, feedback="helpful")

    assert_valid_blocks(content["blocks"])
    seen = json.dumps(content["blocks"], ensure_ascii=False)
    assert "Accept" in seen and "Sure, on it." in seen and "Helpful ✓" in seen


def test_usage_message_says_what_is_stored_and_offers_the_paste_modal():
    for days, phrase in ((30, "kept for 30 days"), (1, "kept for 1 day"), (0, "never stored")):
        content = usage_message(days)
        assert_valid_blocks(content["blocks"])
        assert phrase in json.dumps(content["blocks"], ensure_ascii=False)


def test_modals_are_valid_and_carry_their_state():
    paste = paste_request_modal("C1", "https://hooks.slack.com/commands/x")
    edit = edit_reply_modal(42, "y" * 5000)

    assert_valid_view(paste)
    assert_valid_view(edit)
    assert json.loads(paste["private_metadata"]) == {"channel_id": "C1", "response_url": "https://hooks.slack.com/commands/x"}
    assert json.loads(edit["private_metadata"]) == {"triage_id": 42}
    assert len(edit["blocks"][0]["element"]["initial_value"]) <= 3000


def test_final_reply_is_plain_text_split_into_copyable_chunks():
    content = final_reply_message("U1", "z" * 7000)

    assert_valid_blocks(content["blocks"])
    assert "".join(b["text"]["text"] for b in content["blocks"][1:]) == "z" * 7000


def test_home_view_is_valid_empty_and_full():
    from collections import Counter
    from datetime import datetime, timezone

    from bot.triage_store import TriageRecord

    record = TriageRecord(id=1, team_id="T", user_id="U", source="command", origin_channel_id="C",
                          channel_id="C", parent_ts="1.0", reply_ts="1.1", permalink="https://x/archives/C/p1",
                          verdict="push_back", reasons=["unreasonable"], tone="neutral", feedback=None,
                          result=None, has_text=False, created_at=datetime(2026, 11, 1, tzinfo=timezone.utc))
    assert_valid_view(home_view([], Counter()))
    full = home_view([record] * 30, Counter({"unreasonable": 3, "out_of_scope": 1}))
    assert_valid_view(full)
    assert "Unreasonable: 3" in json.dumps(full)


@settings(max_examples=60, deadline=None)
@given(text=st.text(min_size=1, max_size=4000))
def test_any_client_text_gives_valid_blocks(text):
    for content in (parent_message("U1", text), triage_message(1, _result(text=text)),
                    final_reply_message("U1", text)):
        assert_valid_blocks(content["blocks"])
