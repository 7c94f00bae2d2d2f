"""The reply composer: one reply for the whole message, ask by ask, specific, with placeholders instead of invented
figures, tones that change the content, and the misfits of issue 17 as regressions."""

import dataclasses
import re
import shutil
from datetime import date

import pytest

from bot.triage import KnowledgeError, TriageResult, load_knowledge, triage, with_tone
from bot.triage.knowledge import DEFAULT_DIRECTORY
from bot.triage.reply import render_reply
from bot.triage.result import ReplyPart, ReplyPlan

TODAY = date(2026, 12, 7)
THREE_ASKS = ("Hi team, three things:\n1) typo on the About page ('recieve')\n"
              "2) can you add a new 'Locations' page with a store map?\n"
              "3) could a few of you leave us Google reviews to get our rating above 4.5?\nThanks!\nBen")
FREE_FRENCH = "Hi Sam, can you add a French version of the site by Friday at no extra cost? Thanks, Jordan"
FAKE_REVIEWS = ("Could your team write 20 five-star Google reviews for the clinic from personal accounts?"
                "\n\nBest,\nNadia")
HEDGES = re.compile(r"(?i)\b(i think|perhaps|maybe|might|i'm afraid|unfortunately|hopefully|just|i feel)\b")


def _reply(text: str, tone: str = "neutral"):
    return triage(text, tone=tone, today=TODAY)


def test_every_ask_is_answered_in_the_clients_order():
    result = _reply(THREE_ASKS)
    text = result.reply.text
    assert result.verdict == "decline"
    assert text.startswith("Hi Ben,\n\n")
    typo, page, reviews = (text.index("the typo on the About page"), text.index("the new 'Locations' page"),
                           text.index("leave Google reviews"))
    assert typo < page < reviews


def test_the_reply_names_the_object_the_date_and_greets_the_sender():
    text = _reply(FREE_FRENCH).reply.text
    assert text.startswith("Hi Jordan,\n\n")
    assert "the French version of the site" in text
    assert text.rstrip().endswith("[your name]")


def test_no_price_or_date_is_invented_placeholders_stay_visible():
    for text in (FREE_FRENCH, THREE_ASKS):
        reply = _reply(text).reply.text
        assert not re.search(r"[£$€]\s?\d", reply)
        assert "[day]" in reply
        assert not re.search(r"\bby (Monday|Tuesday|Wednesday|Thursday)\b", reply)
    reply = _reply("Can the landing page be ready by 1 December instead of the 15th?").reply.text
    assert "1 December" in reply and not re.search(r"\b([2-9]|1[0-9]) December", reply)


def test_warm_never_thanks_a_client_for_an_unethical_ask():
    result = _reply(FAKE_REVIEWS, "warm")
    assert result.verdict == "decline"
    assert not re.search(r"(?i)\bthank", result.reply.text.split("\n\n", 1)[1])


def test_warm_never_thanks_a_client_for_a_complaint():
    text = ("The checkout has been broken for a week and nobody has called me back. Can you also add the new "
            "loyalty page before the sale?\n\nRegards,\nJanet")
    reply = _reply(text, "warm").reply.text
    body = reply.split("\n\n", 1)[1]
    assert body.startswith("I'm really sorry the checkout has been broken for a week") or body.startswith(
        "Before anything else: I'm so sorry the checkout has been broken for a week")
    assert not re.search(r"(?i)\bthank", body.rsplit("\n\n", 1)[0])


@pytest.mark.parametrize("text", [FREE_FRENCH, THREE_ASKS, FAKE_REVIEWS,
                                  "We need 25% off the renewal or we'll put the contract out to tender."])
def test_firm_has_no_hedges_and_no_threat(text):
    reply = _reply(text, "firm").reply.text
    assert not HEDGES.search(reply)
    assert "and we won't" not in reply.lower()


def test_the_three_tones_change_the_body_not_only_the_frame():
    bodies = {tone: _reply(FREE_FRENCH, tone).reply.text.split("\n\n")[1:-1] for tone in ("warm", "neutral", "firm")}
    assert bodies["warm"] != bodies["neutral"] != bodies["firm"]
    assert len(" ".join(bodies["firm"])) < len(" ".join(bodies["warm"]))


def test_a_voice_over_re_record_gets_no_discount_talk():
    text = "Can you re-record the voice-over for the radio ad with a new artist by tomorrow morning?\n\nThanks,\nMia"
    reply = _reply(text).reply.text
    assert not re.search(r"(?i)discount|budget", reply)


def test_a_headline_tweak_gets_no_fake_reviews_talk():
    reply = _reply("Can you make the headline on the homepage punchier? Thanks, Tom").reply.text
    assert "review" not in reply.lower()


def test_a_broken_checkout_complaint_gets_an_apology_first_and_is_named():
    text = ("The checkout has been broken for a week and nobody has called me back. We also want a new loyalty "
            "page added to the site before the sale.\n\nRegards,\nJanet")
    paragraphs = _reply(text).reply.text.split("\n\n")
    assert paragraphs[0] == "Hi Janet,"
    assert paragraphs[1].startswith("I'm sorry the checkout has been broken for a week") or paragraphs[1].startswith(
        "First, I'm sorry the checkout has been broken for a week")
    assert "I love that" not in "\n".join(paragraphs)


@pytest.mark.parametrize("tone", ["warm", "neutral", "firm"])
def test_a_decline_never_ends_by_asking_to_go_ahead(tone):
    for text in (FAKE_REVIEWS, THREE_ASKS, "Please buy 20,000 followers so the account looks established."):
        result = _reply(text, tone)
        assert result.verdict == "decline"
        assert "shall i go ahead" not in result.reply.text.lower()
        assert not result.reply.text.split("\n\n")[-2].endswith("?")


def test_a_one_night_event_is_never_told_to_phase_it():
    text = ("For the gala dinner on Saturday, can your team also build and staff a second bar and a photo booth, "
            "on top of the 12 stations already planned? Same crew, no extra hands. Thanks, Ana")
    reply = _reply(text).reply.text
    assert "phase" not in reply.lower()


def test_the_closing_question_matches_what_was_offered():
    reply = _reply(FREE_FRENCH).reply.text
    closing = reply.split("\n\n")[-2]
    assert " or " in reply and closing in load_knowledge().tones["neutral"]["close_options"]


def test_no_closing_sentence_is_used_by_most_replies():
    texts = [f"Can you add a {thing} page to the {site} at no extra cost?" for thing in
             ("careers", "press", "events", "FAQ", "partners", "blog", "team", "pricing", "jobs", "history")
             for site in ("site", "intranet")]
    last_lines = [_reply(text).reply.text.split("\n")[-1] for text in texts]
    questions = [_reply(text).reply.text.split("\n\n")[-2] for text in texts]
    assert max(last_lines.count(line) for line in last_lines) <= 0.4 * len(texts)
    assert len(set(questions)) >= 3


def test_with_tone_re_renders_from_the_stored_plan_without_the_text():
    stored = _reply(THREE_ASKS).to_dict()
    warmer = with_tone(TriageResult.from_dict(stored), "warm")
    assert warmer.reply.text.startswith("Hi Ben,")
    assert "the new 'Locations' page" in warmer.reply.text and warmer.reply.text != stored["reply"]["text"]
    assert TriageResult.from_dict(warmer.to_dict()) == warmer


def test_an_old_stored_result_without_the_new_plan_fields_still_loads_and_re_renders():
    stored = _reply(FREE_FRENCH).to_dict()
    stored["plan"] = {"verdict": stored["verdict"], "topics": stored["plan"]["topics"], "day": "Wednesday"}
    stored.pop("checks", None)
    result = with_tone(TriageResult.from_dict(stored), "firm")
    assert result.reply.text.startswith("Hello,") and result.reply.reason


def test_when_the_triage_is_unsure_the_reply_holds_rather_than_says_yes():
    plan = ReplyPlan(verdict="accept_with_conditions", topics=[], day="", name="Helen",
                     parts=[ReplyPart(verdict="accept_with_conditions", reasons=["out_of_scope"], verb="add",
                                      object="the Harrogate case study")],
                     checks=["Is this in the SOW?"], seed=3)
    reply, _, tip = render_reply(plan, "neutral", load_knowledge())
    assert reply.text.startswith("Hi Helen,")
    assert "[day]" in reply.text and "Yes to" not in reply.text
    assert tip.endswith("Is this in the SOW?")
    accepted = dataclasses.replace(plan, verdict="accept", parts=[dataclasses.replace(plan.parts[0], verdict="accept")])
    held, _, _ = render_reply(accepted, "warm", load_knowledge())
    assert "[day]" in held.text and "Absolutely" not in held.text


def test_a_catalogued_practice_drives_the_decline():
    practice = load_knowledge().practices["alter_record"]
    result = triage("Hi Laura,\n\nCould you date the January invoice 28 December instead? We need it to land in "
                    "last financial year's budget.\n\nThanks, Helen", today=date(2026, 12, 7))
    assert result.verdict == "decline" and result.asks[0].practice == "alter_record"
    assert practice.why.split(":")[0] in result.reply.reason
    assert practice.lawful_route.split(";")[0] in result.reply.alternative
    assert result.reply.text.startswith("Hi Helen,") and "Shall I go ahead" not in result.reply.text


def test_coaching_looks_upstream_and_calls_for_firepower_when_stakes_are_high():
    assert "SOW" in _reply(FREE_FRENCH).tip
    tender = _reply("We're one of your biggest accounts. We need an extra 25% off the renewal or we'll put the "
                    "contract out to tender.")
    assert "trusted firepower" in tender.tip and "trusted_firepower" in tender.tactics


@pytest.fixture
def replies_copy(tmp_path):
    target = tmp_path / "triage"
    shutil.copytree(DEFAULT_DIRECTORY, target)
    return target


@pytest.mark.parametrize(("old", "new", "problem"), [
    ('greeting = ["Hi {name},"]', 'greeting = ["Hi {nmae},"]', "unknown slot {nmae}"),
    ('reassure = []\nclose_options = ["Which would you prefer?"', 'close_options = ["Which would you prefer?"',
     "missing the texts 'reassure'"),
    ('holding_alternative = ["As it\'s needed {deadline}, it comes first.", ""]',
     'holding_alternative = ["As it\'s needed {deadline}, it comes first."]',
     "needs at least one text that uses no optional slot"),
    ('checking = ["what it would involve', 'checking = ["{object}: what it would involve',
     "needs at least one text that uses no optional slot"),
    ("[coaching]\nfirepower = ", "[coaching]\nfire = ", "[coaching] is missing the text 'firepower'"),
])
def test_a_bad_reply_template_names_the_file_and_the_problem(replies_copy, old, new, problem):
    path = replies_copy / "replies.toml"
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))
    with pytest.raises(KnowledgeError) as raised:
        load_knowledge(replies_copy)
    assert "replies.toml" in str(raised.value) and problem in str(raised.value)


def test_a_discount_asked_as_a_goodwill_gesture_is_never_half_agreed():
    text = ("Hi Sam, the campaign went well but our budget is tight this year. Can you knock 20% off the final "
            "invoice as a goodwill gesture?\n\nThanks,\nDeborah")
    reply = _reply(text).reply.text
    assert "20% off the final invoice" in reply
    assert "Happy to knock" not in reply and "but not as a goodwill gesture" not in reply


def test_the_senders_sign_off_line_is_never_answered_as_an_ask():
    text = ("Found a vendor selling 40,000 HR director emails for $600. Can you load them into Mailchimp and send "
            "the webinar invite on Thursday?\n\n- Oliver")
    reply = _reply(text).reply.text
    assert reply.startswith("Hi Oliver,") and reply.count("Oliver") == 1


def test_my_panel_replies_greet_by_name_and_never_ask_to_go_ahead_on_a_decline():
    import json
    from pathlib import Path

    for line in (Path(__file__).parent / "composer_panel.jsonl").read_text().splitlines():
        case = json.loads(line)
        result = _reply(case["text"])
        first_line = result.reply.text.split("\n", 1)[0]
        assert first_line == (f"Hi {case['name']}," if case["name"] else "Hi there,"), case["id"]
        if result.verdict == "decline":
            assert "shall i go ahead" not in result.reply.text.lower(), case["id"]


def test_a_refusal_never_says_yes_to_a_detail_of_the_refused_ask():
    result = triage("Hey Jess, can your team write 30 five-star reviews on TripAdvisor for the hotel from different "
                    "accounts? Our rating dropped after the renovation noise. Make them sound like real guests. "
                    "Ricardo", today=date(2026, 12, 7))
    assert result.verdict == "decline"
    assert "real guests" not in result.reply.text and "Happy to" not in result.reply.text
