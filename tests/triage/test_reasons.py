"""Each of the nine reasons is found with the words that triggered it, and context changes the reading:
negation, mitigation ("we'll pay for it", "within the retainer"), quoted history and dates against today."""

from datetime import date

import pytest

from bot.triage import AccountContext, triage

TODAY = date(2026, 11, 23)

REASON_EXAMPLES = {
    "unreasonable": "We'd like 40% off the final invoice even though the campaign went fine.",
    "illogical": "Make the logo bigger but also take up less space on the page.",
    "out_of_scope": "While you're at it, could you also design a careers page?",
    "unethical_or_illegal": "Can your team leave us five-star reviews from their personal accounts?",
    "misses_business_objectives": "Let's hold a press conference to announce our new office printer.",
    "misses_campaign_objectives": "For the luxury launch, make the ads look cheap with discount stickers.",
    "jeopardises_other_work": "Take the designers off our website project and put them on Christmas cards.",
    "would_be_late": "Can you bring the launch forward to this Friday instead of the end of the month?",
    "strains_team_or_suppliers": "Can your team work over the weekend so the printer gets files Monday 8am?",
}


# The same kind of ask, ruled out by the client: none of these should raise the reason.
NEGATED_EXAMPLES = {
    "unreasonable": "We're not asking for 40% off the final invoice; the campaign went fine.",
    "illogical": "There's no need to make the logo bigger but also take up less space on the page.",
    "out_of_scope": "No need to design a careers page after all, we've dropped the idea.",
    "unethical_or_illegal": "We don't want fake reviews. Could you set up a post-purchase email asking real "
                            "customers for honest ones?",
    "misses_business_objectives": "Please don't make the logo bigger, it looks right as it is.",
    "misses_campaign_objectives": "Please don't remove the call to action from the lead-gen ads.",
    "jeopardises_other_work": "Don't take the designers off our website project, the Christmas cards can wait.",
    "would_be_late": "No need to bring the launch forward, the end of the month is fine.",
    "strains_team_or_suppliers": "Please don't work over the weekend on this, Monday is fine for the printer.",
}


@pytest.mark.parametrize("reason", list(REASON_EXAMPLES))
def test_each_reason_is_found_with_evidence_from_the_message(reason):
    result = triage(REASON_EXAMPLES[reason], today=TODAY)
    assert reason in result.reasons
    assert result.evidence[reason]
    assert all(snippet.lower() in REASON_EXAMPLES[reason].lower() for snippet in result.evidence[reason])


@pytest.mark.parametrize("reason", list(NEGATED_EXAMPLES))
def test_a_ruled_out_ask_does_not_raise_the_reason(reason):
    result = triage(NEGATED_EXAMPLES[reason], today=TODAY)
    assert reason not in result.reasons, result.evidence
    assert result.verdict == "accept"


@pytest.mark.parametrize(("text", "reason"), [
    ("Offer the food critic a free dinner in exchange for a glowing review.", "unethical_or_illegal"),
    ("Hide the unsubscribe link so fewer people opt out.", "unethical_or_illegal"),
    ("Target the loan ads at people searching for debt help.", "unethical_or_illegal"),
    ("Make the packaging look like Cadbury's purple one, people will think it's theirs.", "unethical_or_illegal"),
    ("The retainer includes two posts a week, but we'd like five a week from now on, same fee.", "unreasonable"),
    ("From January we'd like a competitor report added to the SEO retainer.", "out_of_scope"),
    ("At the moment you only run our Search ads; please set up Shopping too.", "out_of_scope"),
    ("Could someone be on site at our launch event on Saturday to help?", "strains_team_or_suppliers"),
    ("Let's use the Q1 campaign budget for the pop-up now and sort Q1 out later.", "jeopardises_other_work"),
])
def test_general_kinds_of_ask_are_recognised_in_new_wording(text, reason):
    result = triage(text, today=TODAY)
    assert reason in result.reasons and result.evidence[reason]


@pytest.mark.parametrize("text", [
    "Could you resize the approved banner into the two sizes listed in the brief? They're included in the quote "
    "at no extra cost.",
    "Please put the discount banner up: 20% off everything until Sunday.",
    "Could you schedule the LinkedIn posts for 9am instead of 8am?",
    "Can you write this month's blog post? That's within the current retainer's one post a month.",
])
def test_ordinary_requests_that_share_words_with_cues_are_accepted(text):
    assert triage(text, today=TODAY).verdict == "accept"


def test_a_negated_offer_to_pay_is_not_a_mitigation():
    result = triage("Can you redo our whole brand identity as part of the social retainer? There's no extra budget.",
                    today=TODAY)
    assert "out_of_scope" in result.reasons and "unreasonable" in result.reasons


def test_verdicts_follow_the_strongest_reason():
    assert triage(REASON_EXAMPLES["unethical_or_illegal"], today=TODAY).verdict == "decline"
    assert triage(REASON_EXAMPLES["unreasonable"], today=TODAY).verdict == "push_back"
    assert triage(REASON_EXAMPLES["out_of_scope"], today=TODAY).verdict == "accept_with_conditions"
    assert triage("Could you send last month's report when you get a chance?", today=TODAY).verdict == "accept"


def test_negation_cancels_a_cue():
    assert triage("Not asking for a discount, just sending the invoice early this month.",
                  today=TODAY).verdict == "accept"


def test_paying_for_it_or_the_retainer_covering_it_removes_out_of_scope():
    assert "out_of_scope" not in triage("We'd like a Spanish landing page. Happy to pay for it as an add-on.",
                                        today=TODAY).reasons
    assert triage("Can you write two extra blog posts? We have hours left within the current retainer.",
                  today=TODAY).verdict == "accept"


def test_at_no_extra_cost_makes_an_addition_unreasonable_and_never_a_free_yes():
    result = triage("Can you add a French version of the site at no extra cost?", today=TODAY)
    assert "unreasonable" in result.reasons and result.verdict in ("accept_with_conditions", "push_back")
    assert any(words in result.reply.text for words in ("for free", "not at no extra cost",
                                                        "rather than done at no extra cost"))


def test_quoted_history_is_context_not_a_new_ask():
    text = "Sounds good, Friday works.\n\nOn Tue, 17 Nov 2026, Sam wrote:\n> Could we get it all for free?"
    assert triage(text, today=TODAY).verdict == "accept"


def test_a_date_against_today_makes_added_work_late():
    soon = triage("Please add three landing pages by 25 November 2026.", today=TODAY)
    later = triage("Please add three landing pages by 25 November 2027.", today=TODAY)
    assert "would_be_late" in soon.reasons
    assert "would_be_late" not in later.reasons


def test_a_message_takes_the_strictest_verdict_of_its_asks():
    result = triage("Please send the report. Also, can you post fake reviews for us on Google?", today=TODAY)
    assert result.verdict == "decline"
    assert [ask.verdict for ask in result.asks] == ["accept", "decline"]


def test_scope_notes_sharpen_out_of_scope():
    ask = "Could you also translate the landing page into French?"
    covered = AccountContext("Northwind", "Covers website copy and French translations.")
    excluded = AccountContext("Northwind", "Excludes: translations of any kind.")
    assert "out_of_scope" not in triage(ask, today=TODAY, account=covered).reasons
    assert "out_of_scope" in triage("Could you translate our newsletter?", today=TODAY, account=excluded).reasons


def test_the_same_input_gives_the_same_result():
    text = REASON_EXAMPLES["unreasonable"] + " " + REASON_EXAMPLES["out_of_scope"]
    assert triage(text, today=TODAY).to_dict() == triage(text, today=TODAY).to_dict()


@pytest.mark.parametrize("text", [
    "Our CFO wants the day rate cut by 15% next year. In return for a longer contract, two years instead of one, "
    "of course.",
    "Please take 20% off next year's retainer. We'd be happy to sign for three years.",
])
def test_an_ask_for_more_than_is_fair_with_a_trade_offered_gets_conditions(text):
    result = triage(text, today=TODAY)
    assert "unreasonable" in result.reasons
    assert result.verdict == "accept_with_conditions"


def test_the_same_ask_without_a_trade_is_pushed_back_on():
    result = triage("Our CFO wants the day rate cut by 15% next year, and the contract stays at one year.",
                    today=TODAY)
    assert result.verdict == "push_back" and "unreasonable" in result.reasons
