"""Round 2 of the composer (issue 17): replies that never say yes to what the verdict refuses, never paste a
garbled fragment of the client's text, put a date only where the client asked for it, and open with words that
fit a demand or a buying customer."""

from datetime import date

import pytest

from bot.triage import clean_message, triage
from bot.triage.slots import read_ask, reads_cleanly

TODAY = date(2026, 12, 7)


def _reply(text: str) -> str:
    return triage(text, today=TODAY).reply.text


@pytest.mark.parametrize("phrase", [
    "the brochure isnt", "the between you", "from 10", "another 12", "the retainer monthly",
    "the copy of the licence and the current", "the report we need", "the banner for",
    "the photos (the new ones",
])
def test_a_garbled_fragment_is_not_a_clean_object(phrase):
    assert not reads_cleanly(phrase)


@pytest.mark.parametrize("phrase", [
    "the French version of the site", "the typo on the About page", "Monday's review call from 9:30 to 11:00",
    "slide 14", "the illustration you found on Google for the brochure cover",
])
def test_a_noun_phrase_a_person_would_write_is_clean(phrase):
    assert reads_cleanly(phrase)


def test_a_moved_time_keeps_its_new_value():
    slots = read_ask("Could we shift Tuesday's kick-off call from 9:30 to 11:00?")
    assert (slots.verb, slots.object) == ("shift", "Tuesday's kick-off call from 9:30 to 11:00")
    assert "from 9:30 to 11:00" in _reply("Could we shift Tuesday's kick-off call from 9:30 to 11:00? Thanks, Greta")


def test_a_moved_date_keeps_its_new_value():
    slots = read_ask("Can we move the product shoot from the 3rd to the 10th? The samples are late.")
    assert slots.object == "the product shoot from the 3rd to the 10th"


@pytest.mark.parametrize(("text", "not_a_deadline"), [
    ("The credit note for August shows our old name; we rebranded in July. Could you reissue it?", "July"),
    ("Under order PO-5521 dated 3 October, could you send your insurance certificate?", "3 October"),
])
def test_a_date_given_as_context_is_not_the_asks_deadline(text, not_a_deadline):
    assert not_a_deadline not in read_ask(text).deadline
    assert f"by {not_a_deadline}" not in _reply(text)


def test_the_event_day_is_when_the_work_must_be_ready_not_the_day_to_act():
    slots = read_ask("For the gala on 14 February, can you let the florist know we are 20 fewer?")
    assert slots.deadline == "before 14 February"


def test_a_thread_forwarded_with_a_colleagues_note_answers_the_client_not_the_colleague():
    text = ("Fwd: renewal\n\n---------- Forwarded message ---------\nFrom: Ada Brandt <ada@kesteren.example>\n\n"
            "Before we renew, we want the next six months of reporting for free, and your team to redo the "
            "dashboards at your own cost. Please let me know.\n\n---\n"
            "Sam's note to me: could you draft a reply? We want to keep them, but not on these terms.")
    cleaned = clean_message(text)
    assert "draft" not in cleaned.text and "draft a reply" in cleaned.history
    reply = _reply(text)
    assert "draft" not in reply.lower()
    assert "no problem" not in reply.lower() and "we'll get it done" not in reply


def test_a_note_on_top_asking_for_a_draft_is_not_the_clients_ask():
    text = ("Can you draft something for me to send back? They are a big account and I don't want to lose them.\n\n"
            "---------- Forwarded message ---------\nFrom: Ada Brandt <ada@kesteren.example>\n\n"
            "Could you add a Spanish version of the whole site by Friday at no extra cost?")
    cleaned = clean_message(text)
    assert cleaned.text.startswith("Could you add a Spanish version")
    assert "draft something" in cleaned.history


def test_a_demand_to_confirm_acceptance_is_not_answered_with_acceptance():
    reply = _reply("Dear Sirs,\n\nWe require that you extend the service period on all installed pumps from 12 to "
                   "36 months at no additional cost, for every unit delivered since 2024.\n\nPlease confirm "
                   "acceptance by return.\n\nYours faithfully,\nP. Janssens\nProcurement")
    lowered = reply.lower()
    assert "confirm acceptance" not in lowered
    assert "good idea" not in lowered and "thanks for thinking of us" not in lowered


def test_a_customer_buying_more_gets_a_yes_with_a_price():
    result = triage("Hello, we'd like to buy 25 more licences for the Leeds team, and could they be live by "
                    "1 February? Regards, Ilse", today=TODAY)
    reply = result.reply.text
    assert result.verdict == "accept_with_conditions"
    assert "Yes" in reply and "price" in reply and "25 more licences" in reply
    for misfit in ("overload", "version-2", "good idea", "bigger than what this project covers"):
        assert misfit not in reply


def test_the_event_an_ask_is_for_is_not_what_the_reply_agrees_to():
    reply = _reply("The MD has seen the product page and now wants a 3D configurator instead of the photos. "
                   "Can that be ready for the launch? Ta, Femi")
    assert "take care of the launch" not in reply
    assert "Yes to the launch" not in reply


def test_a_fair_deal_is_not_a_trade_fair():
    reply = _reply("Hi Ben, could you tell me what your other clients pay per unit? Just so we know we're getting a "
                   "fair deal. Cheers, Tom")
    assert "for the fair" not in reply and "fair coming up" not in reply
