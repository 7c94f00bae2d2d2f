"""The third blind panel's faults, in general terms: a refusal never says yes to what it refuses (signing the terms,
the thing it declines to copy), a condition names the ask it applies to and never bills routine admin within what the
client pays for, a phrase lifted from the client reads as "we will <verb> <object>" or is not used, asks to see
something are answered by sending it, the out-of-scope wording fits any sector, and a bracketed organisation after a
signed name keeps the name. Plans are built by hand where the verdict matters, so the tests hold whatever the engine
decides."""

import json
import re
from pathlib import Path

import pytest

from bot.triage import load_knowledge, triage
from bot.triage.reply import render_reply
from bot.triage.result import ReplyPart, ReplyPlan
from bot.triage.slots import read_slots, sender_name

HERE = Path(__file__).parent
TONES = ("neutral", "warm", "firm")
# Shapes of a sentence built wrongly from the client's words.
BROKEN = {
    "modal or adverb where the verb should be": re.compile(
        r"\b(?:can't|we'll|to|can) (?:maybe|basically|literally|kinda|perhaps|probably|possibly|actually)\b"),
    "an article before a verb": re.compile(r"\bthe (?:happen|be|do|go|make|get|see|land|come)(?![\w-])"),
    "we see what the client asked to see": re.compile(r"\b(?:we'll|happy to|we can) (?:see|view)\b", re.IGNORECASE),
    "a verb with no object before 'as'": re.compile(r"\b(?:can't|to|we'll|can) (?:declare|use|schedule|come|quote|"
                                                     r"report) as (?!soon|per)\w"),
    "the client's own account said back as a thing": re.compile(r"\bYes to (?:your|our) (?:account|team|top)\b"),
}


def _render(verdict: str, parts: list[ReplyPart], *, seed: int = 0, tone: str = "neutral", **plan) -> str:
    whole = ReplyPlan(verdict=verdict, topics=[], day="Wednesday", name="Kit", seed=seed, parts=parts, **plan)
    return render_reply(whole, tone, load_knowledge())[0].text


# 1. Harm: a refusal never says yes to what it refuses.

@pytest.mark.parametrize(("verb", "obj"), [("countersign and return", "the attached letter of acceptance"),
                                           ("sign", "the revised supplier agreement"),
                                           ("confirm", "your acceptance of the new terms"),
                                           ("return", "the signed addendum")])
@pytest.mark.parametrize("tone", TONES)
@pytest.mark.parametrize("seed", range(3))
def test_a_push_back_on_terms_never_offers_to_sign_or_accept_them(verb, obj, tone, seed):
    text = _render("push_back", [
        ReplyPart(verdict="push_back", reasons=["unreasonable"], object="the 120-day payment terms"),
        ReplyPart(verdict="accept", verb=verb, object=obj, separate=True)], tone=tone, seed=seed, demand=True)
    assert obj not in text
    assert not re.search(r"(?i)\b(?:counter)?sign\b", text)


@pytest.mark.parametrize(("seen", "refused"), [
    ("the new Nomad Oat billboards", "recreate it for us with our logo"),
    ("the competitor's radio ad", "copy it word for word"),
    ("their packaging", "make ours look exactly like that"),
])
@pytest.mark.parametrize("tone", TONES)
def test_a_decline_never_says_yes_to_the_thing_it_declines_to_copy(seen, refused, tone):
    verb, obj = refused.split(" ", 1)
    text = _render("decline", [ReplyPart(verdict="accept", object=seen),
                               ReplyPart(verdict="decline", reasons=["unethical_or_illegal"], verb=verb, object=obj)],
                   tone=tone)
    assert seen not in text
    assert "Yes to" not in text


@pytest.mark.parametrize("term", ["an annual price freeze for 2027", "a 6% retrospective rebate"])
def test_a_push_back_on_a_demand_never_says_yes_to_a_term_it_imposes(term):
    text = _render("push_back", [
        ReplyPart(verdict="push_back", reasons=["unreasonable"], object="the 120-day payment terms"),
        ReplyPart(verdict="accept", object=term, separate=True)], demand=True)
    assert term not in text


@pytest.mark.parametrize("text", [
    "Hi Sam, two new joiners start Monday. Could you add them to our workspace as editors? We've still got seats "
    "left on our plan. Thanks, Ola",
    "Can you set up logins for our three new analysts? It's within our licences, we have five unused. Cheers, Ben",
    "Please add Priya and Tom as admins, we have spare seats. Thanks, Jo",
])
def test_the_client_saying_an_ask_is_within_what_they_pay_for_is_read(text):
    slots = read_slots(text, text, [text])
    assert slots.asks[0].covered


@pytest.mark.parametrize("tone", TONES)
@pytest.mark.parametrize("reason", ["out_of_scope", "unreasonable"])
def test_routine_admin_within_what_the_client_pays_for_is_never_priced(tone, reason):
    text = _render("accept_with_conditions", [
        ReplyPart(verdict="accept_with_conditions", reasons=[reason], verb="add", object="two new users",
                  covered=True)], tone=tone)
    assert "[price]" not in text and "price" not in text.lower() and "estimate" not in text
    assert "add two new users" in text


def test_a_condition_that_is_not_only_about_price_still_stands_within_the_plan():
    text = _render("accept_with_conditions", [
        ReplyPart(verdict="accept_with_conditions", reasons=["would_be_late"], verb="add",
                  object="two new users", covered=True, deadline="by 9am tomorrow")])
    assert "condition" in text or "flag" in text


@pytest.mark.parametrize(("more", "same"), [(("add", "40 guests to the gala"), ("keep", "the same menu")),
                                            (("increase", "the print run to 5,000"), ("keep", "the current paper")),
                                            (("extend", "the campaign by two weeks"), ("stick with", "the existing "
                                                                                                 "creative"))])
@pytest.mark.parametrize("tone", TONES)
def test_a_price_condition_names_the_ask_for_more_never_keeping_things_the_same(more, same, tone):
    text = _render("accept_with_conditions", [
        ReplyPart(verdict="accept", verb=more[0], object=more[1]),
        ReplyPart(verdict="accept_with_conditions", reasons=["out_of_scope"], topics=["scope_addition"], verb=same[0],
                  object=same[1], separate=True)], tone=tone)
    condition = next(paragraph for paragraph in text.split("\n\n") if "condition" in paragraph or "flag" in paragraph
                     or "not as it stands" in paragraph)
    assert more[1] in condition
    assert same[1] not in condition


# 2. Phrases lifted from the client's words: "we will <verb> <object>" or not used.

@pytest.mark.parametrize(("verdict", "reasons", "verb", "obj"), [
    ("decline", ["unethical_or_illegal"], "maybe", "40-50 five-star reviews up over the next fortnight"),
    ("decline", ["unethical_or_illegal"], "basically", "recreate it for you, same layout"),
    ("decline", ["unethical_or_illegal"], "declare", "as samples with no commercial value"),
    ("accept_with_conditions", ["out_of_scope"], "make", "the happen"),
    ("accept_with_conditions", ["out_of_scope"], "shoot", "move from Thursday to Saturday"),
    ("accept", [], "report", "land on the 3rd working day"),
    ("accept", [], "use", "as they"),
    ("accept_with_conditions", ["out_of_scope"], "", "your account"),
    ("accept", [], "", "the display units in your top"),
])
@pytest.mark.parametrize("tone", TONES)
@pytest.mark.parametrize("seed", range(3))
def test_a_phrase_that_does_not_read_as_an_action_is_never_lifted(verdict, reasons, verb, obj, tone, seed):
    text = _render(verdict, [ReplyPart(verdict=verdict, reasons=reasons, verb=verb, object=obj)], tone=tone,
                   seed=seed)
    assert obj not in text
    for shape, pattern in BROKEN.items():
        assert not pattern.search(text), shape


@pytest.mark.parametrize("obj", ["the final draft of the release", "the Q1 social calendar draft",
                                 "the analytics for the Christmas campaign"])
@pytest.mark.parametrize("verb", ["see", "view"])
@pytest.mark.parametrize("tone", TONES)
def test_an_ask_to_see_something_is_answered_by_sending_it(obj, verb, tone):
    text = _render("accept", [ReplyPart(verdict="accept", verb=verb, object=obj)], tone=tone)
    assert f"send you {obj}" in text
    assert f"{verb} {obj}" not in text


@pytest.mark.parametrize(("verb", "obj", "named"), [
    ("send", "the certificate for batch 4471 together", "send the certificate for batch 4471"),
    ("ship", "the spare parts together", "ship the spare parts"),
    ("put", "the pitch deck together", "put the pitch deck together"),
])
def test_together_cut_from_together_with_is_dropped_but_kept_after_put(verb, obj, named):
    text = _render("accept", [ReplyPart(verdict="accept", verb=verb, object=obj, deadline="next week")])
    assert f"{named} next week" in text


@pytest.mark.parametrize("tone", TONES)
def test_fine_asks_that_cannot_all_be_named_are_counted_not_called_it(tone):
    text = _render("accept", [ReplyPart(verdict="accept", verb="report", object="land on the 3rd working day"),
                              ReplyPart(verdict="accept", verb="add", object="Maria Santos"),
                              ReplyPart(verdict="accept", verb="use", object="the new logo")], tone=tone)
    assert "land on" not in text
    assert "all three" in text or tone == "firm"


def test_no_reply_to_the_labelled_requests_has_a_broken_shape():
    texts = []
    for path in sorted(HERE.glob("*.jsonl")):
        texts += [json.loads(line).get("text", "") for line in path.read_text().splitlines() if line.strip()]
    broken = []
    for text in dict.fromkeys(filter(None, texts)):
        reply = triage(text).reply.text
        broken += [(shape, text[:60]) for shape, pattern in BROKEN.items() if pattern.search(reply)]
    assert not broken


# 3. Wording that fits any sector.

def test_out_of_scope_wording_never_assumes_a_creative_project():
    knowledge = load_knowledge()
    texts = [json.dumps(knowledge.reason_texts[reason], default=str) for reason in ("out_of_scope", "unreasonable")]
    texts.append(json.dumps(knowledge.topics["scope_addition"], default=str))
    for text in texts:
        assert "this project" not in text
        assert "similar size" not in text


# 4. Names.

@pytest.mark.parametrize(("text", "name"), [
    ("Can we get Saturday deliveries for three weeks? Cheers, Gary (Northfield Garden Centres)", "Gary"),
    ("Could you resend the invoice? Thanks, Priya (Acme Ltd).", "Priya"),
    ("Please move the call to 3pm. Best Tom (ops)", "Tom"),
    ("Can you send the CoC with the delivery?\nKind regards,\nGünther Maier (Quality)", "Günther"),
])
def test_a_bracketed_organisation_after_the_signed_name_keeps_the_name(text, name):
    assert sender_name(text) == name


@pytest.mark.parametrize("tone", ["neutral", "warm", "firm"])
@pytest.mark.parametrize("seed", [1, 7, 42])
def test_a_decline_no_practice_recognised_says_yes_only_to_an_ask_the_client_marked_as_its_own(tone, seed):
    def reply(practice: str = "", separate: bool = False) -> str:
        plan = ReplyPlan(verdict="decline", topics=[], day="Wednesday", name="Ola", seed=seed, parts=[
            ReplyPart(verdict="accept", verb="send", object="the delivery report", separate=separate),
            ReplyPart(verdict="decline", reasons=["unethical_or_illegal"], verb="change", object="the log",
                      practice=practice)])
        return render_reply(plan, tone, load_knowledge())[0].text

    assert "delivery report" not in reply()
    assert "delivery report" in reply(separate=True)
    assert "delivery report" in reply(practice="alter_record")
