"""The catalogue of practices (`data/triage/practices.toml`): each practice recognised from asks phrased unlike the
catalogue's own examples, lawful look-alikes left alone, negation respected, the file validated, and "accept"
earned rather than given when the learned reader's caution column says a request needs a no."""

from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path

import pytest

from bot.triage import CHECK_BELOW, KnowledgeError, check_knowledge, load_knowledge, triage
from bot.triage.knowledge import DEFAULT_DIRECTORY
from bot.triage.model import load_model

TODAY = date(2026, 12, 7)

# Asks a client might write, each phrased unlike the catalogue's examples: (practice, verdict, text).
FRESH_ASKS = [
    ("alter_figures", "decline", "The open rate was 14% but the franchise owners expect 25. Could you bump it up to "
                                 "25% in the monthly report? They never look at the platform."),
    ("alter_figures", "decline", "hey, for the awards submission pls inflate the attendance figure a bit, say 12k "
                                 "instead of 7k"),
    ("alter_record", "decline", "Our budget year ends 31 March. Can you backdate the April invoice so it falls in "
                                "this year?"),
    ("alter_record", "decline", "Would it be possible to date the invoice for the February work as 30 January "
                                "instead? Our finance team would like it in the previous quarter."),
    ("share_other_client_data", "decline", "Quick one before our call - what does Brightwater pay you for their "
                                           "retainer? Just so I know we're getting a fair deal."),
    ("share_other_client_data", "decline", "You ran the launch for our rival last spring. Could you share their "
                                           "campaign results so we can compare?"),
    ("undisclosed_endorsement", "decline", "For the gym launch, the ambassadors should post about the protein bar "
                                           "without the #ad - we want it to look natural."),
    ("bought_engagement", "decline", "Can we buy a few thousand followers for the new TikTok before the launch? It "
                                     "looks empty."),
    ("bought_engagement", "decline", "Could your team write some five-star reviews on Trustpilot from different "
                                     "accounts? We only have four."),
    ("personal_data_without_consent", "decline", "Please scrape the contact emails of every dentist in Yorkshire "
                                                 "and start the outreach sequence on Monday."),
    ("discriminatory_targeting", "decline", "For the graduate jobs campaign, exclude everyone over 40 from the "
                                            "LinkedIn targeting please."),
    ("copied_work", "decline", "Could you lift their homepage copy word for word and just swap in our name?"),
    ("misleading_claim", "decline", "Put 'award-winning' on the menu cards - we were only shortlisted but nobody "
                                    "will check."),
    ("bypass_client_controls", "decline", "The quote is £14k and my sign-off limit is £10k, so could you split it "
                                          "into two invoices, each under the limit?"),
    ("bypass_client_controls", "decline", "We'll sort out the data processing agreement later, just start loading "
                                          "the patient records now."),
    ("poach_staff", "push_back", "Your photographer is brilliant - would she be open to us hiring her for our "
                                 "in-house studio?"),
    ("favour_over_other_accounts", "push_back", "We need your print slot on the 14th. Can you push the other client's "
                                                "job back a week so ours goes first?"),
    ("unfair_commercial_terms", "push_back", "Next year we'll fall below the contracted minimum volumes but we'd "
                                             "like to keep the tier pricing."),
    ("extra_rounds", "push_back", "I know we're over the agreed rounds, but the MD has a few more changes to the "
                                  "brochure."),
    ("fix_resale_prices", "decline", "The online dealers keep discounting your kettles. Tell them to hold the price "
                                     "at 89 or cut off supply, otherwise we drop the range."),
    ("bribery", "decline", "For the framework agreement, quote 5% higher and pass the extra to my cousin's company; "
                           "then the award is yours."),
    # The circumstance comes a sentence after the ask.
    ("misleading_claim", "decline", "Please print 'clinically tested' on the serum boxes. We haven't done any trials "
                                    "yet, but it sells."),
    ("personal_data_without_consent", "decline", "Load the expo badge scans into the newsletter tool today. The "
                                                 "visitors never said yes to marketing, but they came to our stand."),
    ("personal_data_without_consent", "decline", "Could the booking kiosk quietly record callers too? Secretly is "
                                                 "fine, the customers won't know."),
    ("share_other_client_data", "decline", "Out of interest, what unit prices are you charging the other chains "
                                           "for the 500ml range? We'd like to see where we sit."),
    ("share_other_client_data", "decline", "Which rebate does Marlow Retail get from you on the same volumes?"),
    ("destroy_records", "decline", "The regulator's inspection is on Tuesday. Could your team purge the complaint "
                                   "logs from last spring before then?"),
    ("destroy_records", "decline", "Before the tribunal hearing, can you erase the WhatsApp messages with our "
                                   "former sales manager from the shared phone?"),
]

# Look-alikes that are fine: the same objects, a lawful action.
LAWFUL_ASKS = [
    "Could you re-issue the November invoice with our new PO number on it? Finance rejected the old one.",
    "The CTR on slide 4 is wrong, it was a tracking error: the verified figure is 1.4%, please correct it.",
    "Can you share our own Q3 results with our board? They'd like the campaign figures.",
    "Our creators will post about the launch with #ad and the paid partnership label, as the guidelines say.",
    "Could we send a review request email to customers who bought in the last month, good or bad?",
    "We bought the licence for the stock photos, please use them in the brochure.",
    "Please don't change the figures in the report, they're final.",
    "Please email the newsletter to our subscribers who opted in at checkout.",
    "Our competitors keep undercutting us. Could you price a bundle so we can compete on more than the unit price?",
    "Please add a recommended retail price to the dealer price list for next season.",
    "A customer made an erasure request: please delete her records from the CRM and confirm in writing.",
    "After the audit is signed off, please archive last year's project files as our retention policy says.",
    "Please record the support calls as usual; the announcement at the start tells callers.",
    "Our competitors offer a 5% discount on annual plans; could you look at matching it for our renewal?",
]


def _triage(text: str):
    return triage(text, today=TODAY)


@pytest.mark.parametrize("practice,verdict,text", FRESH_ASKS, ids=[f"{p}-{i}" for i, (p, _, _) in
                                                                   enumerate(FRESH_ASKS)])
def test_a_practice_is_recognised_from_an_ask_phrased_unlike_its_examples(practice, verdict, text):
    assert text not in load_knowledge().practices[practice].examples
    result = _triage(text)
    assert result.verdict == verdict
    assert practice in [ask.practice for ask in result.asks]
    reason = load_knowledge().practices[practice].reason
    assert reason in result.reasons and result.evidence[reason]


@pytest.mark.parametrize("text", LAWFUL_ASKS)
def test_a_lawful_look_alike_is_no_practice(text):
    result = _triage(text)
    assert [ask.practice for ask in result.asks if ask.practice] == []
    assert result.verdict != "decline"


def test_every_example_in_the_catalogue_is_recognised_as_its_practice():
    knowledge = load_knowledge()
    for name, practice in knowledge.practices.items():
        for example in practice.examples:
            assert name in [ask.practice for ask in _triage(example).asks], (name, example)


def test_a_practice_survives_a_learned_reader_that_would_drop_it_and_names_itself_in_the_ask():
    result = _triage("Hi Sam,\n\nCan you share what Acme pays you per month? I want to benchmark our fee.\n\n"
                     "Thanks, Jo")
    assert result.verdict == "decline"
    assert result.confidence >= 0.9
    assert result.checks == []


def test_in_a_message_with_several_asks_only_the_unethical_ask_is_declined():
    result = _triage("Hi Priya,\n\n- Please send the final logo files in SVG.\n"
                     "- Could you backdate the December invoice to November so it lands in last year's budget?\n\n"
                     "Thanks, Mo")
    verdicts = {ask.text: ask.verdict for ask in result.asks}
    assert result.verdict == "decline"
    assert verdicts["Please send the final logo files in SVG."] == "accept"
    assert [ask.practice for ask in result.asks if ask.verdict == "decline"] == ["alter_record"]


def _knowledge_copy(tmp_path: Path) -> Path:
    target = tmp_path / "triage"
    shutil.copytree(DEFAULT_DIRECTORY, target, ignore=shutil.ignore_patterns("examples"))
    return target


def _with_earned(tmp_path: Path, earned: float) -> Path:
    directory = _knowledge_copy(tmp_path)
    model = json.loads((directory / "model.json").read_text())
    model["verdicts"]["earned"] = earned
    (directory / "model.json").write_text(json.dumps(model))
    return directory


def test_accept_is_earned_only_when_the_verdict_columns_are_sure_enough(tmp_path):
    text = "Could you move the Thursday check-in to 3pm?"
    assert _triage(text).verdict == "accept"
    cautious = triage(text, today=TODAY, knowledge_dir=_with_earned(tmp_path, 1.0))
    assert cautious.verdict == "accept_with_conditions"
    assert cautious.confidence < CHECK_BELOW
    assert cautious.checks and all(check.endswith("?") for check in cautious.checks)
    assert "Sure" not in cautious.reply.text and "[day]" in cautious.reply.text


def test_a_confident_accept_has_nothing_to_check(tmp_path):
    result = triage("Could you move the Thursday check-in to 3pm?", today=TODAY,
                    knowledge_dir=_with_earned(tmp_path, 0.0))
    assert result.verdict == "accept"
    assert result.checks == []


def test_confidence_and_checks_round_trip_through_the_stored_result():
    from bot.triage import TriageResult

    result = _triage("Can you backdate the contract to 1 October?")
    again = TriageResult.from_dict(json.loads(json.dumps(result.to_dict())))
    assert (again.confidence, again.checks, [a.practice for a in again.asks]) == (
        result.confidence, result.checks, [a.practice for a in result.asks])


@pytest.mark.parametrize("edit,problem", [
    (lambda text: text.replace('rules = [["backdate", "record_document"]', 'rules = [["backdate", "no_such_group"]'),
     "unknown term group 'no_such_group'"),
    (lambda text: text.replace('reason = "unreasonable"\nwhat = "Hiring', 'reason = "rude"\nwhat = "Hiring'),
     "unknown reason 'rude'"),
    (lambda text: text.replace('out_of_scope = "Is this in the SOW or the retainer?"\n', ''),
     "[checks] needs a question for 'out_of_scope'"),
    (lambda text: text.replace('backdate = ["backdat*"', 'backdate = ["re:(unclosed"'), "bad term"),
])
def test_a_malformed_catalogue_is_refused_with_the_file_and_the_line(tmp_path, edit, problem):
    directory = _knowledge_copy(tmp_path)
    path = directory / "practices.toml"
    path.write_text(edit(path.read_text()))
    load_knowledge.cache_clear()
    load_model.cache_clear()
    try:
        with pytest.raises(KnowledgeError) as raised:
            check_knowledge(directory)
    finally:
        load_knowledge.cache_clear()
        load_model.cache_clear()
    assert "practices.toml line" in str(raised.value) and problem in str(raised.value)
