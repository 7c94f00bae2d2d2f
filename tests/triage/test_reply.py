"""The suggested reply: acknowledge, reason, alternative; a decline still offers a lawful route; three tones."""

from datetime import date

import pytest

from bot.triage import TONES, TriageResult, triage, with_tone

TODAY = date(2026, 11, 23)
PUSH_BACK = "We'd like 40% off the final invoice even though the campaign went fine."
DECLINE = "Please buy 20,000 followers so the account looks established."


@pytest.mark.parametrize("text", [PUSH_BACK, DECLINE, "Could you also design a careers page?"])
@pytest.mark.parametrize("tone", TONES)
def test_every_push_back_has_an_acknowledgement_a_reason_and_an_alternative(text, tone):
    reply = triage(text, tone=tone, today=TODAY).reply
    assert reply.acknowledge.strip() and reply.reason.strip() and reply.alternative.strip()
    for part in (reply.acknowledge, reply.reason, reply.alternative):
        assert part.strip() in reply.text


def test_a_decline_offers_a_lawful_route_to_the_goal():
    result = triage(DECLINE, today=TODAY)
    assert result.verdict == "decline"
    assert result.reply.alternative and result.tactics and result.tip


def test_an_accept_gets_a_short_confirmation():
    result = triage("Could you resend the media plan? The attachment didn't come through.", today=TODAY)
    assert result.verdict == "accept"
    assert 0 < len(result.reply.text) < 300


def test_the_three_tones_read_differently_and_keep_the_judgement():
    results = {tone: triage(PUSH_BACK, tone=tone, today=TODAY) for tone in TONES}
    assert len({result.reply.text for result in results.values()}) == 3
    assert {result.verdict for result in results.values()} == {"push_back"}


def test_with_tone_re_renders_a_stored_result_without_the_original_text():
    stored = triage(PUSH_BACK, today=TODAY).to_dict()
    firmer = with_tone(TriageResult.from_dict(stored), "firm")
    assert firmer.tone == "firm" and firmer.verdict == stored["verdict"]
    assert firmer.reply.text != stored["reply"]["text"]


def test_tactics_are_from_the_six():
    allowed = {"better_solution", "their_reasoning", "rational_case", "fold_in_their_idea", "examples",
               "trusted_firepower"}
    assert set(triage(PUSH_BACK, today=TODAY).tactics) <= allowed
