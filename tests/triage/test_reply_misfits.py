"""The panel's open misfits of issue 17, as regressions: objects that read as a human would write them, a position
(not a holding line) when the triage is sure, every ask and its date kept, and alternatives that serve the date."""

import re
from datetime import date

import pytest

from bot.triage import load_knowledge, triage
from bot.triage.reply import fitting_topics, render_reply
from bot.triage.result import ReplyPart, ReplyPlan
from bot.triage.slots import read_ask, sender_name

TODAY = date(2026, 12, 7)


@pytest.mark.parametrize(("ask", "verb", "obj"), [
    ("could u guys like write 12 glowing testimonials for the landing page?", "write",
     "12 glowing testimonials for the landing page"),
    ("can we pls get the brochure proofread?", "get", "the brochure proofread"),
    ("Please can the studio also retouch the product shots?", "retouch", "the product shots"),
    ("could you kind of tidy the footer links?", "tidy", "the footer links"),
])
def test_filler_words_and_modals_are_never_taken_for_the_verb(ask, verb, obj):
    assert (read_ask(ask).verb, read_ask(ask).object) == (verb, obj)


def test_a_long_object_is_cut_at_a_phrase_boundary_never_mid_phrase():
    slots = read_ask("Can you swap the hero banner on the careers page for the new team photo from the offsite?")
    assert slots.object == "the hero banner on the careers page"


def test_a_list_of_things_is_named_whole():
    slots = read_ask("Could you produce a press kit, two product videos and an investor one-pager for the same budget?")
    assert slots.object == "the press kit, two product videos and the investor one-pager"
    assert slots.free == "for the same budget"


def test_a_list_of_changes_is_named_together_when_no_single_object_stands_out():
    slots = read_ask("The partners reviewed it: swap the logo, shorten the headline, and recolour the chart. "
                     "Final needed by the 9th.")
    assert slots.object == "the three changes (swap the logo, shorten the headline and recolour the chart)"
    assert slots.deadline == "by the 9th"


@pytest.mark.parametrize(("ask", "obj"), [
    ("could we get the case study rewritten in plain English at no charge?",
     "the case study rewritten in plain English"),
    ("We need 500 flyers printed and posted to our members by Monday.", "500 flyers printed and posted"),
])
def test_what_is_to_be_done_stays_with_the_object(ask, obj):
    assert read_ask(ask).object == obj


def test_a_date_in_the_object_is_not_a_second_deadline():
    slots = read_ask("can we shift the photo shoot to Sunday? the studio is booked Wednesday")
    assert slots.object == "the photo shoot to Sunday" and slots.deadline == ""


def test_a_posing_qualifier_stays_with_what_is_declined():
    slots = read_ask("We'd like your team to post comments posing as happy parents in the school forums.")
    assert slots.verb == "post" and "posing as happy parents" in slots.object


@pytest.mark.parametrize(("text", "name"), [
    ("could you resend the invoice? cheers Tomasz", "Tomasz"),
    ("Hi Ana, could you resend the invoice? thanks Ana", ""),
])
def test_a_sign_off_without_a_comma_names_the_sender_but_never_the_greeted(text, name):
    assert sender_name(text) == name


def test_asking_to_get_something_is_not_an_admission():
    result = triage("Could we get the whole website translated into Polish for free? Regards, Olga", today=TODAY)
    assert "upfront" not in result.reply.text and "flagging that" not in result.reply.text


def test_a_complaint_is_owned_without_the_greeting_in_it():
    result = triage("Hi Raj, the booking form has been broken since Monday and customers are complaining. "
                    "Can you also add a PayPal option? Thanks, Zoe", today=TODAY)
    assert "sorry the booking form has been broken since Monday" in result.reply.text
    assert "Raj" not in result.reply.text


def test_a_fine_ask_in_the_same_sentence_as_a_conditional_one_still_gets_its_yes():
    result = triage("Hi Mel, can you correct the phone number in the footer, and also build us a customer "
                    "portal with logins by Thursday? Thanks, Gus", today=TODAY)
    text = result.reply.text
    assert result.verdict != "accept"
    assert "correct the phone number in the footer" in text and "customer portal" in text
    assert text.index("phone number") < text.index("customer portal")


def test_a_yes_keeps_its_own_date_and_no_ask_borrows_another_asks_date():
    plan = ReplyPlan(verdict="accept_with_conditions", topics=[], day="Wednesday", name="Ivy", seed=5,
                     parts=[ReplyPart(verdict="accept_with_conditions", reasons=["out_of_scope"], verb="extend",
                                      object="the survey"),
                            ReplyPart(verdict="accept", verb="hold", object="the print slot",
                                      deadline="for the 18th")],
                     deadline="for the 18th")
    text = render_reply(plan, "neutral", load_knowledge())[0].text
    assert "the print slot for the 18th" in text
    assert "the survey for the 18th" not in text


@pytest.mark.parametrize("reason", ["unreasonable", "illogical", "unethical_or_illegal", "strains_team_or_suppliers"])
def test_a_sure_verdict_takes_a_position_rather_than_promising_to_come_back(reason):
    knowledge = load_knowledge()
    verdict = {"unethical_or_illegal": "decline", "strains_team_or_suppliers": "accept_with_conditions"}.get(
        reason, "push_back")
    for seed in range(12):
        plan = ReplyPlan(verdict=verdict, topics=[], day="Wednesday", name="Kit", seed=seed,
                         parts=[ReplyPart(verdict=verdict, reasons=[reason])])
        text = render_reply(plan, "neutral", knowledge)[0].text
        assert not re.search(r"(?i)come back to you|get back to you|before I (?:confirm|give you an answer)", text)


def test_a_request_with_a_fixed_date_is_not_told_to_park_it_for_later():
    result = triage("Hi Lee, please add a store locator to the site by the 20th, we launch the week after. "
                    "Thanks, Noor", today=TODAY)
    assert result.verdict == "accept_with_conditions"
    assert "version-2" not in result.reply.text and "next phase" not in result.reply.text


def test_a_shoot_move_is_not_answered_with_volume_talk():
    result = triage("Could we move the product shoot from Tuesday to Thursday? The crew is already booked for "
                    "Tuesday I know. Best, Ola", today=TODAY)
    assert "volume" not in result.reply.text and "phase it" not in result.reply.text.lower()


def test_a_plain_yes_keeps_the_clients_date():
    result = triage("Hi Bea, could you export the media plan as a spreadsheet by Tuesday? Thanks, Cal", today=TODAY)
    assert result.verdict == "accept"
    assert "by Tuesday" in result.reply.text


@pytest.mark.parametrize("tone", ["warm", "firm", "neutral"])
@pytest.mark.parametrize("verb", ["film", ""])
def test_each_tone_keeps_the_date_of_a_conditional_yes(tone, verb):
    plan = ReplyPlan(verdict="accept_with_conditions", topics=[], day="Wednesday", name="Di", seed=2,
                     parts=[ReplyPart(verdict="accept_with_conditions", reasons=["out_of_scope"], verb=verb,
                                      object="two extra cutdowns", deadline="by the 3rd")])
    assert "two extra cutdowns by the 3rd" in render_reply(plan, tone, load_knowledge())[0].text


def test_warm_does_not_open_by_thanking_twice():
    result = triage("Can you knock 20% off the March invoice? Money is tight this quarter. Ta, Fin", tone="warm",
                    today=TODAY)
    opening = result.reply.text.split("\n\n")[1]
    assert len(re.findall(r"(?i)\bthank", opening)) <= 1


def test_a_name_signed_with_a_title_in_brackets_is_still_the_sender():
    assert sender_name("Morning all,\n\nCan we pause the display ads?\n\nBest,\nRosa (Head of Growth)") == "Rosa"


def test_a_bare_count_is_never_named_as_the_object():
    assert not read_ask("Could you book 40 of them for the launch?").object.startswith("40")


def test_a_second_verb_ends_the_first_object():
    assert read_ask("Please print the menus and laminate the table cards.").object == "the menus"


def test_fine_asks_in_a_row_get_one_yes_not_a_string_of_happy_tos():
    result = triage("Hi Al,\n\nFrom the review:\n- Can you crop the hero video for mobile?\n- Please update the "
                    "footer address.\n- We also need the whole site in Italian by the 30th, within the current "
                    "budget.\n\nThanks,\nBo", today=TODAY)
    text = result.reply.text
    assert "crop the hero video for mobile and update the footer address" in text
    assert text.count("Happy to") <= 1


def test_a_forwarded_email_is_signed_by_the_forwarded_sender():
    text = ("---------- Forwarded message ---------\nFrom: Dee Marsh <dee@client.example>\nSubject: Menus\n\n"
            "Hi Cy,\n\nCan you reprint the menus with the new prices?\n\nSpeak soon,\nDee")
    assert sender_name(text) == "Dee"


def test_an_object_without_a_verb_is_not_named_with_its_comparative():
    assert read_ask("We are need the poster more bright and the title bigger.").object == "the poster"


def test_that_standing_for_a_whole_clause_is_not_resolved_to_a_stray_noun():
    slots = read_ask("The buyer wants a promise of 20% more sales from the new shelf units. Can we write that "
                     "into the contract?")
    assert "shelf units" not in slots.object


def test_the_bought_list_text_fits_only_a_request_about_a_list():
    knowledge = load_knowledge()
    named = {"unethical_or_illegal": {"bought_list": 3}}
    assert fitting_topics(named, ["unethical_or_illegal"], knowledge,
                          "please hide the unsubscribe link in the footer of our emails, too many people opt out") == []
    assert fitting_topics(named, ["unethical_or_illegal"], knowledge,
                          "we bought 10k contacts from a broker, can you mail them on Monday?") == ["bought_list"]
    assert fitting_topics(named, ["unethical_or_illegal"], knowledge,
                          "a supplier offers 20,000 hospital-manager emails; can you upload them to the CRM?"
                          ) == ["bought_list"]


def test_the_sign_off_is_never_read_as_the_thing_asked_for():
    slots = read_ask("Hello, kindly make sure the survey closes at midnight on the 31st. Best regards, Ingrid")
    assert "regards" not in slots.object.lower() and "Ingrid" not in slots.object


def test_a_clause_is_named_with_its_verb_never_alone():
    plan = ReplyPlan(verdict="push_back", topics=[], day="Friday", name="Uma", seed=0, checks=["Is it agreed?"],
                     parts=[ReplyPart(verdict="push_back", reasons=["unreasonable"], verb="guarantee",
                                      object="you'll be top of the app store in a week")])
    text = render_reply(plan, "neutral", load_knowledge())[0].text
    assert "check you'll be" not in text and "confirm you'll be" not in text


def test_a_push_back_on_free_work_keeps_the_clients_date():
    result = triage("Hey Lu, could you add a Welsh version of the booking page by Monday for free? Cheers, Dai",
                    today=TODAY)
    assert result.verdict in ("accept_with_conditions", "push_back") and "by Monday" in result.reply.text
    assert "free" in result.reply.text


@pytest.mark.parametrize(("text", "name"), [
    ("Could you resend the proofs? Thanks, Zoë", "Zoë"),
    ("pls fix the menu prices\n\nBest,\nSøren Lund", "Søren"),
    ("can u move the call to 3pm? cheers Ayşe", "Ayşe"),
])
def test_a_name_with_accents_is_still_the_sender(text, name):
    assert sender_name(text) == name


def test_a_runaway_word_is_never_named_as_the_object():
    assert read_ask("please update " + "z" * 500).object == ""


@pytest.mark.parametrize(("ask", "obj"), [
    ("We'd love Pinterest added as well.", "Pinterest"),
    ("we need extra revision rounds included in the retainer", "extra revision rounds"),
    ("Please add the logo, her quote and a signed photo on the back cover.",
     "the logo, her quote and the signed photo on the back cover"),
])
def test_a_state_word_or_a_short_place_is_kept_out_of_or_in_the_object_as_a_person_would(ask, obj):
    assert read_ask(ask).object == obj
