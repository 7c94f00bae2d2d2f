"""The holding reply (the triage is unsure): worth sending as it is, with a yes to every fine ask, what is being
checked for the others in the client's terms and when the answer comes, in the client's order and without filler;
and a fine ask beside a refused one keeps its yes when it is its own ask."""

import pytest

from bot.triage import load_knowledge
from bot.triage.reply import render_reply
from bot.triage.result import ReplyPart, ReplyPlan
from bot.triage.slots import reads_cleanly

TONES = ("warm", "neutral", "firm")


def _held(parts: list[ReplyPart], seed: int, verdict: str = "accept_with_conditions") -> ReplyPlan:
    return ReplyPlan(verdict=verdict, topics=[], day="Wednesday", name="Gus", seed=seed, parts=parts,
                     checks=["Is this in the SOW or the retainer?"])


@pytest.mark.parametrize("tone", TONES)
@pytest.mark.parametrize("seed", range(6))
def test_a_holding_reply_says_yes_to_the_fine_asks_and_names_what_it_checks_for_the_rest(tone, seed):
    plan = _held([ReplyPart(verdict="accept", verb="correct", object="the phone number in the footer"),
                  ReplyPart(verdict="accept_with_conditions", reasons=["out_of_scope"], verb="build",
                            object="the customer portal with logins"),
                  ReplyPart(verdict="accept", verb="send", object="the media plan", separate=True)], seed)
    text = render_reply(plan, tone, load_knowledge())[0].text
    assert "correct the phone number in the footer" in text and "send the media plan" in text
    assert "the customer portal with logins" in text and "covered by what we've agreed" in text
    assert text.index("phone number") < text.index("customer portal") < text.index("media plan")
    assert "[day]" in text
    assert "urgent" not in text and "Happy to build" not in text


@pytest.mark.parametrize(("reason", "checked"), [
    ("would_be_late", "by Friday"),
    ("strains_team_or_suppliers", "availability"),
    ("unreasonable", "how it fits with what we agreed"),
    ("unethical_or_illegal", "legal and finance colleagues"),
])
def test_a_holding_reply_says_what_is_being_checked_in_the_clients_terms(reason, checked):
    for seed in range(6):
        plan = _held([ReplyPart(verdict="push_back", reasons=[reason], verb="redesign", object="the annual report",
                                deadline="by Friday")], seed, verdict="push_back")
        text = render_reply(plan, "neutral", load_knowledge())[0].text
        assert checked in text and "a couple of things" not in text
        assert "the annual report" in text


def test_a_holding_reply_with_a_date_says_it_comes_first_and_without_one_adds_nothing():
    knowledge = load_knowledge()
    dated = _held([ReplyPart(verdict="accept_with_conditions", reasons=["out_of_scope"], verb="add",
                             object="the careers page", deadline="by Thursday")], 1)
    undated = _held([ReplyPart(verdict="accept_with_conditions", reasons=["out_of_scope"], verb="add",
                               object="the careers page")], 1)
    assert "As you need it by Thursday" in render_reply(dated, "neutral", knowledge)[0].text
    plain = render_reply(undated, "neutral", knowledge)[0].text
    assert plain.count("\n\n") == 3  # greeting, opening, the holding line, sign-off


@pytest.mark.parametrize("seed", range(4))
def test_an_ask_right_after_an_unsure_one_is_not_said_yes_to_unless_marked_as_its_own(seed):
    knowledge = load_knowledge()
    unsure = ReplyPart(verdict="accept_with_conditions", reasons=["out_of_scope"], verb="pass",
                       object="the illustrator's contact details")
    detail = ReplyPart(verdict="accept", verb="skip", object="the agency mark-up")
    own = ReplyPart(verdict="accept", verb="skip", object="the agency mark-up", separate=True)
    assert "agency mark-up" not in render_reply(_held([unsure, detail], seed), "neutral", knowledge)[0].text
    assert "skip the agency mark-up" in render_reply(_held([unsure, own], seed), "neutral", knowledge)[0].text


@pytest.mark.parametrize("verdict", ["push_back", "decline"])
@pytest.mark.parametrize("seed", range(4))
def test_a_fine_ask_after_a_refusal_keeps_its_yes_when_the_client_marks_it_as_a_further_ask(verdict, seed):
    reason = "unethical_or_illegal" if verdict == "decline" else "unreasonable"
    refused = ReplyPart(verdict=verdict, reasons=[reason], verb="write", object="the five-star reviews")
    further = ReplyPart(verdict="accept", verb="send", object="the media plan", separate=True)
    detail = ReplyPart(verdict="accept", verb="make", object="the reviewers sound real")
    plan = ReplyPlan(verdict=verdict, topics=[], day="Wednesday", name="Gus", seed=seed,
                     parts=[refused, further])
    assert "send the media plan" in render_reply(plan, "neutral", load_knowledge())[0].text
    plan = ReplyPlan(verdict=verdict, topics=[], day="Wednesday", name="Gus", seed=seed, parts=[refused, detail])
    assert "sound real" not in render_reply(plan, "neutral", load_knowledge())[0].text


@pytest.mark.parametrize("seed", range(4))
def test_several_fine_asks_in_an_accepted_message_are_all_named(seed):
    plan = ReplyPlan(verdict="accept", topics=[], day="Wednesday", name="Ellie", seed=seed,
                     parts=[ReplyPart(verdict="accept", verb="move", object="Thursday's review"),
                            ReplyPart(verdict="accept", verb="add", object="Dana to the distribution list")])
    text = render_reply(plan, "neutral", load_knowledge())[0].text
    assert "Thursday's review" in text and "Dana to the distribution list" in text


@pytest.mark.parametrize("phrase", ["the within the current contract", "the without any delay", "a before the launch",
                                    "the and the logo"])
def test_an_article_followed_by_a_preposition_or_conjunction_is_not_a_clean_object(phrase):
    assert not reads_cleanly(phrase)


REFUSAL_WORDS = ("isn't something we can", "advise against", "can't", "beyond what we can fairly", "recommend we don't")


@pytest.mark.parametrize("tone", TONES)
@pytest.mark.parametrize("free", ["", "for free", "at no extra cost", "as a goodwill gesture"])
def test_a_yes_whose_condition_is_free_work_reads_as_a_yes_with_a_price_not_a_refusal(tone, free):
    for seed in range(6):
        plan = ReplyPlan(verdict="accept_with_conditions", topics=[], day="Wednesday", name="Claire", seed=seed,
                         free=free, parts=[ReplyPart(verdict="accept_with_conditions", reasons=["unreasonable"],
                                                     verb="run", object="the Manchester event", free=free)])
        text = render_reply(plan, tone, load_knowledge())[0].text
        assert "run the Manchester event" in text or "the Manchester event" in text
        assert "price" in text and "[day]" in text
        assert not any(words in text for words in REFUSAL_WORDS), text


@pytest.mark.parametrize("reason", ["illogical", "misses_business_objectives", "misses_campaign_objectives",
                                    "jeopardises_other_work"])
def test_a_yes_with_any_push_back_reason_as_its_condition_is_never_worded_as_a_refusal(reason):
    for seed in range(6):
        plan = ReplyPlan(verdict="accept_with_conditions", topics=[], day="Wednesday", name="Claire", seed=seed,
                         parts=[ReplyPart(verdict="accept_with_conditions", reasons=[reason], verb="add",
                                          object="the autoplay video")])
        text = render_reply(plan, "neutral", load_knowledge())[0].text
        assert "with one condition" in text or "one thing to flag" in text
        assert not any(words in text for words in REFUSAL_WORDS), text


@pytest.mark.parametrize(("text", "named"), [
    ("Hi Max,\n\nCould you move Thursday's review from 11:00 to 15:00, and add our new CFO, Dana Webb, to the "
     "distribution list for the monthly report?\n\nThanks,\nEllie", ("Thursday's review", "add your new CFO")),
    ("Hi Sam, can you book the venue and send the invites to the board? Thanks, Lou", ("the venue", "the invites")),
])
def test_a_fine_message_asking_two_things_in_one_sentence_gets_a_yes_to_both(text, named):
    from datetime import date

    from bot.triage import triage

    result = triage(text, today=date(2026, 12, 7))
    if result.verdict != "accept" or result.checks:
        pytest.skip("the engine does not accept this request outright")
    assert all(words in result.reply.text for words in named)


@pytest.mark.parametrize("tone", TONES)
def test_a_holding_reply_on_a_possibly_unlawful_ask_never_leans_towards_doing_it(tone):
    for seed in range(8):
        plan = _held([ReplyPart(verdict="decline", reasons=["unethical_or_illegal"], verb="delay",
                                object="the rival's order")], seed, verdict="decline")
        text = render_reply(plan, tone, load_knowledge())[0].text
        assert "confirm" not in text and "Happy to" not in text and "legal and finance colleagues" in text
        assert "price" not in text and "trade" not in text


@pytest.mark.parametrize("seed", range(6))
def test_a_holding_reply_names_the_unsure_asks_it_can_even_when_one_cannot_be_named(seed):
    plan = _held([ReplyPart(verdict="accept_with_conditions", reasons=["unreasonable"]),
                  ReplyPart(verdict="accept_with_conditions", reasons=["unreasonable"],
                            object="24/7 phone support for critical faults"),
                  ReplyPart(verdict="accept_with_conditions", reasons=["unreasonable"], verb="send",
                            object="the proposal")], seed)
    text = render_reply(plan, "neutral", load_knowledge())[0].text
    assert "24/7 phone support for critical faults and the proposal" in text


@pytest.mark.parametrize("phrase", ["the answer", "an answer", "a reply", "your response"])
def test_an_answer_itself_is_not_named_back_as_the_object(phrase):
    assert not reads_cleanly(phrase)
