"""The blind panels' faults, as regressions in general terms: a reply never offers help with what it refuses nor
promises what it has just declined, uses a topic's paragraph only when the request is about that subject, never
names a garbled phrase lifted from the client's text, and leaves no blank alternative. Plans are built by hand
where the verdict matters, so the tests hold whatever the engine decides."""

import json
import re
from pathlib import Path

import pytest

from bot.triage import load_knowledge, triage
from bot.triage.reply import fitting_topics, render_reply
from bot.triage.result import ReplyPart, ReplyPlan
from bot.triage.slots import named_alone, quoted_in, read_ask, reads_cleanly, swap_person

HERE = Path(__file__).parent
PLACEHOLDER = re.compile(r"\[[^\]]*\]")
ALLOWED_PLACEHOLDERS = {"[day]", "[date]", "[price]", "[your name]"}
TONES = ("neutral", "warm", "firm")


def _render(verdict: str, part: ReplyPart, *, seed: int = 0, tone: str = "neutral", **plan) -> str:
    whole = ReplyPlan(verdict=verdict, topics=list(part.topics), day="Wednesday", name="Kit", seed=seed,
                      parts=[part], **plan)
    return render_reply(whole, tone, load_knowledge())[0].text


# 1. Harmful content: a refusal never offers to help with the refused route, never promises the impossible.

@pytest.mark.parametrize("obj", ["the 'consultancy fee' to the director's firm", "the invoice dated last year",
                                 "the 5,000 scraped addresses", "the review from a staff account"])
@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("tone", TONES)
def test_a_decline_with_no_catalogued_route_offers_a_lawful_one_never_to_draft_the_asked_one(obj, seed, tone):
    text = _render("decline", ReplyPart(verdict="decline", reasons=["unethical_or_illegal"], verb="send",
                                        object=obj), seed=seed, tone=tone)
    assert "draft that route" not in text
    assert "lawful" in text
    assert "shall i go ahead" not in text.lower()


@pytest.mark.parametrize("deadline", ["by 9am tomorrow", "by eod", "by end of day", "tonight"])
@pytest.mark.parametrize("seed", range(3))
def test_a_push_back_on_an_impossible_turnaround_never_promises_it_after_all(deadline, seed):
    text = _render("push_back", ReplyPart(verdict="push_back", reasons=["unreasonable", "would_be_late"],
                                          topics=["impossible_turnaround"], object="the full deck",
                                          deadline=deadline), seed=seed)
    assert "today or tomorrow" not in text
    assert "the part that matters most" in text
    assert "by [date] if it's still needed" in text
    assert "by [day]" not in text.split("\n\n")[-3]


@pytest.mark.parametrize(("reason", "topic"), [("would_be_late", "deadline"), ("would_be_late", ""),
                                               ("strains_team_or_suppliers", "team_strain")])
@pytest.mark.parametrize("event", ["the awards dinner", "the gala", "the launch party"])
def test_a_fixed_event_day_is_never_offered_a_later_date_or_phasing(reason, topic, event):
    text = _render("accept_with_conditions", ReplyPart(
        verdict="accept_with_conditions", reasons=[reason], topics=[topic] if topic else [],
        object="the string quartet", deadline="before 14 March"), event=event, one_off=True)
    assert "the rest by [date]" not in text
    assert "finished piece" not in text
    assert "phase it" not in text.lower()


@pytest.mark.parametrize("text", [
    "Need the whole 20-page brochure rewritten and redesigned by 9am tomorrow please, can the team stay late on it "
    "tonight? Thanks, Omar",
    "We need all 40 product pages rewritten by 9am tomorrow, can your writers pull an all-nighter? Thanks, Lena",
    "Can the crew rebuild the whole exhibition stand overnight so it is ready for 8am tomorrow? Thanks, Raj",
])
def test_a_push_back_never_says_yes_to_the_same_ask_in_the_next_paragraph(text):
    result = triage(text)
    assert result.verdict == "push_back"
    assert not re.search(r"\b(?:Yes, we can|We can do this|Happy to)\b", result.reply.text)


def test_an_accepted_ask_in_its_own_sentence_is_still_answered_in_a_push_back():
    plan = ReplyPlan(verdict="push_back", topics=[], day="", name="Maya", seed=1, parts=[
        ReplyPart(verdict="accept", verb="send", object="the brand guidelines PDF"),
        ReplyPart(verdict="accept", verb="book", object="the photographer"),
        ReplyPart(verdict="push_back", reasons=["unreasonable"], verb="add", object="two extra rounds",
                  free="at no extra cost")])
    text = render_reply(plan, "neutral", load_knowledge())[0].text
    assert "the brand guidelines PDF" in text
    assert "two extra rounds" in text


# 2. A topic's paragraph only when the request is about its subject.

@pytest.mark.parametrize(("topic", "reason", "text"), [
    ("doctored_report", "unethical_or_illegal",
     "Our director expects a consultancy fee of 6% paid to his brother's company if we renew. Hide it in costs."),
    ("team_strain", "strains_team_or_suppliers", "Can the launch move forward from 20 May to 6 May?"),
    ("free_work", "unreasonable", "Can you match the price you gave our sister company last year?"),
    ("free_work", "unreasonable", "Please move your 5 support engineers to work from our office from January."),
    ("fake_reviews", "unethical_or_illegal", "Can you tweak the headline so it sounds like the market leader?"),
    ("impossible_turnaround", "unreasonable", "We'd like unlimited revision rounds in the fixed fee."),
    ("bribery", "unethical_or_illegal", "Please hide the #ad label on the creator posts."),
    ("discount", "unreasonable", "For Black Friday let's put 50% off everything in the shop, premium range included."),
    ("payment_terms", "unreasonable", "The typeface is a paid foundry font. Please purchase the webfont licence."),
    ("scope_addition", "out_of_scope", "The CEO's name is misspelt in the brochure; we signed off the proof. Fix it?"),
])
def test_a_topic_the_request_never_raises_is_never_used(topic, reason, text):
    knowledge = load_knowledge()
    assert fitting_topics({reason: {topic: 5}}, [reason], knowledge, text) == []


@pytest.mark.parametrize(("topic", "reason", "text"), [
    ("doctored_report", "unethical_or_illegal", "Can you leave March out of the report so the figures look better?"),
    ("bribery", "unethical_or_illegal", "Send the buyer a hamper and some match tickets before the tender decision."),
    ("free_work", "unreasonable", "Could the French version go in at no extra cost?"),
    ("team_strain", "strains_team_or_suppliers", "We now need 3,000 more units, same crew as planned."),
    ("discount", "unreasonable", "We need 15% off the renewal or we go to tender."),
    ("payment_terms", "unreasonable", "From January we pay suppliers quarterly in arrears, 90 days after quarter end."),
    ("scope_addition", "out_of_scope", "Could you also film the podcast and cut it into YouTube videos?"),
])
def test_a_topic_the_request_is_about_is_kept(topic, reason, text):
    assert fitting_topics({reason: {topic: 5}}, [reason], load_knowledge(), text) == [topic]


def test_every_topic_about_a_particular_subject_says_when_it_fits():
    general = {"contradiction", "scope_addition", "scope_assumption"}
    missing = [name for name, topic in load_knowledge().topics.items() if "fits" not in topic and name not in general]
    assert missing == []


# 3. Wording spliced into nonsense: a lifted phrase is used only when it reads cleanly.

@pytest.mark.parametrize("phrase", [
    "the awards dinner on 14 March you'd",
    "100% plastic-free and carbon neutral' on the front",
    "UK's No.1 rated broadband' on the billboard",
    "the course' email to every new lead",
    "the Christmas night out we've organised on the invoice",
])
def test_a_phrase_that_runs_into_the_next_clause_or_breaks_a_quotation_does_not_read_cleanly(phrase):
    assert not reads_cleanly(phrase)
    assert named_alone(phrase) == ""


@pytest.mark.parametrize("phrase", [
    "them on our inventory platform from 1 September",
    "the extra deep clean of the ground floor the evening",
    "your tickets always jump the queue ahead",
    "it to every nurse",
    "Priya off the packaging to do the trade show graphics",
    "the 5 support engineers to work from our office",
])
def test_an_object_that_opens_with_a_pronoun_or_runs_two_phrases_together_is_not_named_alone(phrase):
    assert named_alone(phrase) == ""


@pytest.mark.parametrize(("phrase", "alone"), [
    ("the full 35-slide investor deck and the speaker notes finished",
     "the full 35-slide investor deck and the speaker notes"),
    ("the new 'Locations' page", "the new 'Locations' page"),
    ("Harbor & Co's website", "Harbor & Co's website"),
    ("the clients' data", "the clients' data"),
    ("the three changes (swap the logo, shorten the headline and recolour the chart)",
     "the three changes (swap the logo, shorten the headline and recolour the chart)"),
    ("the careers section with four pages and an application form",
     "the careers section with four pages and an application form"),
])
def test_a_clean_object_is_named_as_the_client_wrote_it(phrase, alone):
    assert named_alone(phrase) == alone


@pytest.mark.parametrize("phrase", [
    "the 2019 prospect list from our systems and confirm",
    "the fix keeps happening today",
    "his admin account on your tenant immediately",
    "the footer text Registered in England and Wales No",
])
def test_a_phrase_left_hanging_on_a_verb_an_adverb_or_a_clause_does_not_read_cleanly(phrase):
    assert not reads_cleanly(phrase)


@pytest.mark.parametrize("phrase", ["one", "both", "draft a calm FAQ for the account managers",
                                    "update the banner on the careers page"])
def test_a_word_that_names_nothing_or_a_verb_phrase_is_never_named_as_a_thing(phrase):
    assert named_alone(phrase) == ""


@pytest.mark.parametrize(("ask", "named"), [
    ("Please add the clause to the creator contract template that every post must carry #ad.",
     "the clause to the creator contract template"),
    ("Could you send the other bidders' submissions from that file?", "the other bidders' submissions from that file"),
    ("Could you provide the formal letter confirming that model XR-200 is discontinued?",
     "the formal letter confirming that model XR-200"),
    ("Please add 'Lashes styled with inserts' under the image on every placement.",
     "'Lashes styled with inserts' under the image on every placement"),
])
def test_an_object_cut_inside_a_relative_clause_is_named_up_to_it_and_quotes_that_pair_are_kept(ask, named):
    assert read_ask(ask).object == named


@pytest.mark.parametrize(("phrase", "quoted"), [
    ("recyclable outer sleeve' to '100% recyclable packaging' on the pack", "'100% recyclable packaging'"),
    ("the 'consultancy fee' of around 6% paid", "the 'consultancy fee'"),
    ('the "Book a call" button everywhere', 'the "Book a call"'),
    ("the banner on the homepage", ""),
])
def test_the_clients_quoted_words_are_what_a_garbled_phrase_falls_back_to(phrase, quoted):
    assert quoted_in(phrase) == quoted


@pytest.mark.parametrize(("ask", "named"), [
    ("Change 'recyclable outer sleeve' to '100% recyclable packaging' on the pack, please.",
     "'100% recyclable packaging'"),
    ("Can we put 'clinically proven to cut wrinkles' on the jar? We haven't tested it.",
     "'clinically proven to cut wrinkles'"),
    ("Please buy a 'ratings boost' package for the app.", "the 'ratings boost'"),
])
def test_a_decline_whose_object_is_garbled_names_the_clients_quoted_words(ask, named):
    assert quoted_in(ask) == named
    text = _render("decline", ReplyPart(verdict="decline", reasons=["unethical_or_illegal"], verb="change",
                                        object="recyclable outer sleeve' to on the pack", quoted=named))
    assert named in text


@pytest.mark.parametrize("ask", ["Under our new supplier governance programme, each supplier must:",
                                 "Three things from me:", "Quick list for Monday's call:"])
def test_a_sentence_that_only_introduces_a_list_names_nothing_to_say_yes_to(ask):
    slots = read_ask(ask)
    assert (slots.verb, slots.object) == ("", "")


@pytest.mark.parametrize(("ask", "obj", "deadline"), [
    ("Spotted a typo on page 4 of the report. Can you fix it before it goes to the printer on Wednesday?",
     "the typo on page 4", "before Wednesday"),
    ("There's a wrong date on slide 12. Could you correct it? The deck goes live on Friday.",
     "the wrong date on slide 12", "before Friday"),
])
def test_a_fix_names_what_is_fixed_and_keeps_the_date_it_must_beat(ask, obj, deadline):
    slots = read_ask(ask)
    assert (slots.object, slots.deadline) == (obj, deadline)


@pytest.mark.parametrize(("said", "back"), [
    ("the price you gave our sister company", "the price we gave your sister company"),
    ("the proposal you sent us", "the proposal we sent you"),
    ("the figures you quoted", "the figures we quoted"),
    ("a call with you", "a call with us"),
])
def test_you_is_said_back_as_we_when_it_is_the_subject(said, back):
    assert swap_person(said) == back


@pytest.mark.parametrize(("obj", "verb"), [
    ("the awards dinner on 14 March you'd", "make"),
    ("100% plastic-free and carbon neutral' on the front", "put"),
    ("them on our inventory platform from 1 September", ""),
    ("your tickets always jump the queue ahead", ""),
])
@pytest.mark.parametrize("verdict", ["accept_with_conditions", "push_back", "decline"])
def test_a_reply_never_names_a_garbled_object(obj, verb, verdict):
    reason = {"decline": "unethical_or_illegal", "push_back": "unreasonable"}.get(verdict, "out_of_scope")
    for seed in range(4):
        text = _render(verdict, ReplyPart(verdict=verdict, reasons=[reason], verb=verb, object=obj), seed=seed)
        assert obj not in text
        assert obj.split()[0].capitalize() + " " + obj.split()[1] not in text


def _requests() -> list[str]:
    texts = []
    for name in ("composer_panel.jsonl", "heldout_r14w.jsonl", "heldout_r15k.jsonl", "unseen3.jsonl"):
        texts += [json.loads(line)["text"] for line in (HERE / name).read_text().splitlines() if line.strip()]
    return texts


def test_no_reply_on_hundreds_of_requests_names_a_phrase_that_fails_the_garble_checks():
    bad = []
    for text in _requests():
        result = triage(text)
        for part in result.plan.parts if result.plan else []:
            if part.object and part.object in result.reply.text and not reads_cleanly(part.object, True):
                bad.append(part.object)
        if re.search(r"\b(?:you|we|they|I)'d[,.]", result.reply.text.split("\n\n", 2)[-1]):
            bad.append(result.reply.text)
    assert bad == []


# 4. No blank alternatives: the only placeholders are the account manager's day, date, price and name.

def test_no_reply_on_hundreds_of_requests_leaves_a_blank_to_invent():
    blanks = {found for text in _requests() for found in PLACEHOLDER.findall(triage(text).reply.text)}
    assert blanks <= ALLOWED_PLACEHOLDERS


@pytest.mark.parametrize("reason", ["unreasonable", "out_of_scope", "would_be_late", "strains_team_or_suppliers",
                                    "jeopardises_other_work", "illogical", "unethical_or_illegal"])
@pytest.mark.parametrize("deadline", ["", "by Friday"])
@pytest.mark.parametrize("seed", range(4))
def test_every_neutral_paragraph_offers_a_concrete_alternative(reason, deadline, seed):
    verdict = "decline" if reason == "unethical_or_illegal" else "push_back"
    text = _render(verdict, ReplyPart(verdict=verdict, reasons=[reason], object="the extra video",
                                      deadline=deadline), seed=seed)
    assert set(PLACEHOLDER.findall(text)) <= ALLOWED_PLACEHOLDERS
    assert any(word in text for word in ("[day]", "[date]", "[price]"))


# 5. Accepts confirm specifically.

@pytest.mark.parametrize(("verb", "obj"), [("fix", "the typo on page 4"), ("resend", "invoice INV-2291"),
                                           ("add", "Anika to the shared channel")])
@pytest.mark.parametrize("tone", TONES)
def test_a_yes_names_what_it_says_yes_to(verb, obj, tone):
    for seed in range(4):
        text = _render("accept", ReplyPart(verdict="accept", verb=verb, object=obj), seed=seed, tone=tone)
        assert obj in text


@pytest.mark.parametrize(("verb", "obj"), [("cut", "the 60-second recruitment video"),
                                           ("add", "the careers section"), ("build", "the second landing page")])
@pytest.mark.parametrize("tone", TONES)
def test_a_push_back_that_prices_the_extra_says_yes_with_the_condition_not_no_then_a_price(verb, obj, tone):
    for seed in range(4):
        text = _render("push_back", ReplyPart(verdict="push_back", reasons=["unreasonable", "out_of_scope"],
                                              topics=["scope_addition"], verb=verb, object=obj), seed=seed, tone=tone)
        assert "recommend we don't" not in text and "won't" not in text and "advise against" not in text
        assert "[day]" in text


@pytest.mark.parametrize(("verb", "obj", "named"), [
    ("together", "the 10-12 slide deck", "the 10-12 slide deck"),
    ("up", "the new price list", "the new price list"),
])
def test_a_particle_taken_for_the_verb_is_never_said_as_one(verb, obj, named):
    text = _render("accept_with_conditions", ReplyPart(verdict="accept_with_conditions", reasons=["out_of_scope"],
                                                       verb=verb, object=obj))
    assert f"{verb} {obj}" not in text
    assert named in text


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("topics", [[], ["bribery"], ["fake_reviews"]])
def test_a_warm_decline_never_offers_to_help_the_client_get_where_the_refused_ask_was_going(seed, topics):
    text = _render("decline", ReplyPart(verdict="decline", reasons=["unethical_or_illegal"], topics=topics,
                                        verb="pay", object="the 8% fee to the buyer's firm"), seed=seed, tone="warm")
    assert "help you get there" not in text
    assert not re.search(r"(?i)\bthank", text)


@pytest.mark.parametrize(("ask", "evidence", "wanted"), [
    ("Two things: 1) please send the signed contract, 2) we'd like an extra round of amends on the logo at no extra "
     "cost, and 3) can the review move to Friday?", "at no extra cost", "extra round of amends on the logo"),
    ("Quick list: 1) resend the invoice, 2) we need a second video for TikTok for free as well.", "for free",
     "second video for TikTok"),
])
def test_in_a_list_numbered_inline_the_refused_item_is_named_not_its_neighbour(ask, evidence, wanted):
    slots = read_ask(ask, [evidence])
    assert wanted in slots.object
    assert slots.verb not in ("send", "resend")


@pytest.mark.parametrize("text", [
    "Hi Leo - for the sprint:\n1. fix the broken links on the blog\n2. rewrite the meta descriptions\n\nThanks, Ravi",
    "Two things:\n- repair the broken footer link\n- add the new logo\nCheers, Ana",
])
def test_an_item_asking_to_fix_something_broken_is_not_taken_for_a_complaint_to_apologise_for(text):
    from bot.triage.slots import read_slots
    assert read_slots(text, text, [text]).complaint == ""
