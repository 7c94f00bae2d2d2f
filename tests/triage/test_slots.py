"""Reading a request into slots: the sender's name from the sign-off (never the greeting's), each ask's verb and
object, dates, amounts, the event at stake, an admission and a complaint."""

import pytest

from bot.triage.asks import split_asks
from bot.triage.cleaning import clean_message
from bot.triage.slots import read_ask, read_slots, sender_name, swap_person


def _slots(text: str):
    cleaned = clean_message(text)
    return read_slots(text, cleaned.text, split_asks(cleaned.text))


@pytest.mark.parametrize(("text", "name"), [
    ("Hi Sam, can you add a French version of the site by Friday at no extra cost? Thanks, Jordan", "Jordan"),
    ("Hi Laura,\n\nCould you swap the cover photo?\n\nBest,\nHelen", "Helen"),
    ("We need 15% off the renewal.\n- Priya", "Priya"),
    ("I'll mostly call you on Saturdays from now on, hope that's ok! - Priya", "Priya"),
    ("Can you reissue the invoice?\n\nThanks a million,\nHelen Okafor\nMarketing Lead, Brightwell", "Helen"),
    ("Please move the call.\n\nCheers,\nBen\n\n--\nBen Achterberg | CRM Manager", "Ben"),
    ("Hi Dan, can you resend the media plan?", ""),
    ("Can you resend the media plan? Thanks again!", ""),
    ("Hi team, please send the files.\n\nThanks,\nThe Team", ""),
    ("Hey Jess, can your team update the menu? Our prices changed. Ricardo", "Ricardo"),
    ("Hi Sam,\n\nCould you send the final PDF?\n\nJoanne", "Joanne"),
    ("Kev here. We need the whole team on call over Christmas.", "Kev"),
    ("Please send the report today. Urgent", ""),
    ("Quick one: can you push the post?\n\nThanks\n\n> On Tue, Sam wrote:\n> Best,\n> Sam", ""),
])
def test_the_sender_is_the_name_they_signed_with_never_the_greeting(text, name):
    assert sender_name(text) == name


@pytest.mark.parametrize("text,name", [
    ("Please send the audit file.\n\nKind regards,\nDr. Marta Nowak\nHead of Quality, Vistula Foods S.A.", "Dr Nowak"),
    ("Could you confirm the new quantities? Regards, Mr. T. Jansen, Buying", "Mr Jansen"),
    ("Please confirm by return.\n\nYours faithfully,\nK. Verbeke\nCategory Manager", "K. Verbeke"),
    ("Can you move the call? Regards, Ingrid Solberg", "Ingrid"),
    ("Please advise on lead times.\n\nBest regards,\nSøren Åkesson\nPlant Manager", "Søren"),
    ("The venue fell through, can you help?? x Hannah", "Hannah"),
    ("Please note the new invoicing address.\n\nKind regards,\nFinance Operations\nHarbour Stores Ltd", ""),
])
def test_formal_and_foreign_signatures_give_the_name_to_greet_and_a_team_gives_none(text, name):
    assert sender_name(text) == name


@pytest.mark.parametrize(("ask", "verb", "obj"), [
    ("Can you add a French version of the site by Friday at no extra cost?", "add", "the French version of the site"),
    ("Could you write a 3,000-word whitepaper on grid storage?", "write", "the 3,000-word whitepaper on grid storage"),
    ("Please update your invoices accordingly.", "update", "our invoices"),
    ("could a few of you leave us Google reviews to get our rating above 4.5?", "leave", "Google reviews"),
    ("Use this illustration I found on Google for the brochure cover.", "use",
     "the illustration you found on Google for the brochure cover"),
    ("Just add the page and keep the 14th.", "add", "the page"),
    ("We need an extra 25% off the renewal or we'll put the contract out to tender.", "",
     "the extra 25% off the renewal"),
    ("Can the deck be ready by Friday?", "", "the deck"),
    ("Can your social team leave them a few one-star reviews?", "leave", "one-star reviews"),
    ("Could we go from four to eight blog posts next month?", "go", "from four to eight blog posts"),
    ("Please tell the creators NOT to use #ad - it kills engagement.", "tell", "the creators NOT to use #ad"),
    ("Can you say the range is 'made in Britain'?", "say", "the range is 'made in Britain'"),
    ("The client's MD didn't like the voice-over on the radio spot. Can you re-record it with a new artist?",
     "re-record", "the voice-over on the radio spot with a new artist"),
])
def test_each_ask_names_its_verb_and_object_in_the_account_managers_words(ask, verb, obj):
    slots = read_ask(ask)
    assert (slots.verb, slots.object) == (verb, obj)


@pytest.mark.parametrize(("text", "deadline"), [
    ("Can the deck be ready by Friday?", "by Friday"),
    ("We need the subtitles by 9am tomorrow.", "by 9am tomorrow"),
    ("The print slot is on 21 March, can you make it?", "before 21 March"),
    ("Photos won't be ready until 2 December. Can we still launch?", ""),
    ("Can you send it over?", ""),
])
def test_a_deadline_is_the_clients_date_with_its_preposition(text, deadline):
    assert _slots(text).deadline == deadline


def test_amounts_percentages_and_currency_are_read():
    slots = _slots("Procurement wants 15% off the £84,000 licence, and €1,800 back on the fonts.")
    assert slots.amounts == ["15%", "£84,000", "€1,800"]


def test_the_event_at_stake_and_whether_it_is_one_night():
    gala = _slots("Can you add 40 more guests to the gala dinner on 12 December?")
    assert gala.event == "the gala dinner" and gala.one_off
    launch = _slots("Can the landing page be ready for the product launch?")
    assert launch.event == "the product launch" and not launch.one_off


def test_an_admission_is_kept_in_the_account_managers_words():
    slots = _slots("I know v3 was the last round, but could you swap the cover photo?\n\nBest,\nHelen")
    assert slots.admission == "v3 was the last round"


def test_a_complaint_is_kept_to_apologise_for_and_our_own_mistake_is_not_one():
    slots = _slots("The checkout has been broken for a week and nobody has called me back. Can you fix it today?")
    assert slots.complaint == "the checkout has been broken for a week and nobody has called you back"
    assert _slots("Our mistake: we approved the proof with the wrong hours. Please reprint.").complaint == ""


def test_pronouns_are_turned_round():
    assert swap_person("our site and my deck for us") == "your site and your deck for you"
    assert swap_person("you sent the wrong file to your printer") == "we sent the wrong file to our printer"


def test_free_work_and_stakes_are_noticed():
    slots = _slots("We're one of your biggest accounts. Can you add the app at no extra cost or we go to tender?")
    assert slots.free == "at no extra cost" and slots.stakes


@pytest.mark.parametrize(("ask", "first", "then"), [
    ("Could you move Thursday's review from 11:00 to 15:00, and add our new CFO to the distribution list?",
     "Thursday's review from 11:00 to 15:00", ("add", "your new CFO")),
    ("Can you resend the logo files and update the footer address?", "the logo files",
     ("update", "the footer address")),
    ("Please update the price list, and also change the hero image on the homepage.", "the price list",
     ("change", "the hero image on the homepage")),
    ("Can you book the venue and send the invites to the board?", "the venue", ("send", "the invites")),
])
def test_what_a_sentence_asks_for_after_its_first_object_is_kept_for_the_reply(ask, first, then):
    slots = read_ask(ask)
    assert slots.object == first
    assert slots.then[0][0] == then[0] and slots.then[0][1].startswith(then[1])


def test_a_pronoun_after_the_first_object_is_not_a_further_ask():
    assert read_ask("Can you write 20 reviews and post them on Google?").then == []


@pytest.mark.parametrize(("ask", "obj"), [
    ("We want the homepage ultra minimal with lots of white space, but every service needs a photo.", "the homepage"),
    ("Can you make the checkout really simple for first-time buyers?", "the checkout"),
    ("Please make the site fully responsive by Friday.", "the site"),
])
def test_an_object_ends_where_what_it_should_become_begins(ask, obj):
    assert read_ask(ask).object == obj


@pytest.mark.parametrize("ask", ["Could your team run a second, smaller version in Manchester?",
                                 "Can you do a third, shorter cut for TikTok?"])
def test_a_bare_ordinal_is_never_named_as_the_object(ask):
    assert read_ask(ask).object not in ("the second", "a second", "the third", "a third")


@pytest.mark.parametrize(("text", "said_back"), [
    ("the illustrator you brought in", "the illustrator we brought in"),
    ("the photographer you hired last year", "the photographer we hired last year"),
])
def test_you_as_the_subject_of_a_relative_clause_is_said_back_as_we(text, said_back):
    assert swap_person(text) == said_back


@pytest.mark.parametrize(("ask", "verb", "obj"), [
    ("I kindly ask you to prepare the offer for the catalogue printing.", "prepare",
     "the offer for the catalogue printing"),
    ("Can I ask you to resend the invoice?", "resend", "the invoice"),
    ("Could we ask your team to update the price list?", "update", "the price list"),
])
def test_asking_someone_to_do_something_names_what_they_are_asked_to_do(ask, verb, obj):
    slots = read_ask(ask)
    assert (slots.verb, slots.object) == (verb, obj)


@pytest.mark.parametrize(("ask", "obj"), [
    ("Given our growth we'd like a dedicated account manager who only handles us, based in our Leeds office.",
     "the dedicated account manager"),
    ("We'd like a named project director for the rollout.", "the named project director"),
])
def test_a_person_asked_for_as_a_service_is_named_as_the_object(ask, obj):
    assert read_ask(ask).object.startswith(obj)
