"""Writing the suggested reply: one answer to the whole message, ask by ask in the client's order, built from the
slots read from the request and the triage's verdicts, in the chosen tone. The phrasing is data
(`replies.toml`, `topics.toml`); this module only chooses and fills it."""

from __future__ import annotations

import re
import zlib
from dataclasses import replace
from functools import lru_cache

from bot.triage.knowledge import OPTIONAL_SLOTS, Knowledge, template_slots
from bot.triage.result import Reply, ReplyPart, ReplyPlan
from bot.triage.slots import CLAUSE_VERBS, Slots, named_alone, quoted_in, reads_cleanly, runs_on

PLACEHOLDERS = {"day": "[day]", "date": "[date]", "price": "[price]"}
MAX_PARTS = 6
DECLINE_REASONS = ("unethical_or_illegal",)
PUSH_BACK_REASONS = ("unreasonable", "illogical", "misses_business_objectives", "misses_campaign_objectives",
                     "jeopardises_other_work")
# Verbs that take two objects ("give the careers page a refresh"), where "the" after a noun is not a run-on.
_TWO_OBJECT_VERBS = frozenset("give send get make show offer lend pay hand grant pitch tell write buy bring "
                               "promise find".split())
# Particles read as a verb from a phrasal verb ("put together a deck"): the object is named without them.
_PARTICLES = frozenset("together up out off over back through in down".split())
# Reasons whose neutral paragraph can only speak in general terms ("more than is fair"): a fitting topic of the ask's
# other reasons (the deadline it cannot make) says more.
GENERAL_REASONS = ("unreasonable",)
_MONEY_ACTION = re.compile(r"\b(?:off|discount|refund|rebate|credit|waive|fee|fees|invoice|price|rate)\b|[£$€%]",
                           re.IGNORECASE)
_SENTENCE_START = re.compile(r"(^|[.!?]\s+)([a-z])")
_SPACE_BEFORE_PUNCTUATION = re.compile(r"\s+([.,;:!?])")
_SPACED_PUNCTUATION = (" .", " ,", " ;", " :", " !", " ?")
_SENTENCE_START_LOWER = re.compile(r"[.!?]\s+[a-z]")
_COMMON_STARTS = frozenset("""it it's its that the this these those we we'd we're our your you you'd doing adding
taking getting as what there a an terms copying emailing images claims clauses posting paid reviews hiring to if
nobody excluding
payments sharing pretending aiming moving changing making putting using let let's here's what we'll tell""".split())
# Words that mark an ask as one of its own rather than a detail of the ask before it ("Also, please send …").
_FURTHER_ASK = re.compile(r"^\W*(?:(?:\w+\W+){0,2}?(?:also|additionally|separately|as well)\b|(?:and|plus|p\.?s\.?|"
                          r"in addition|on another note|one more thing)\b)", re.IGNORECASE)
_PLAIN_OPENERS = ("What ", "Let's ", "Let me ", "Here's ", "Here ", "Tell ", "I'd ", "We can ", "We'll ", "To ",
                  "If ")


def seed_of(text: str) -> int:
    """A stable number from the request's text, to vary the phrasing deterministically."""
    return zlib.crc32(" ".join(text.split()).encode("utf-8"))


def fitting_topics(topic_weights: dict[str, dict[str, int]], reasons: list[str], knowledge: Knowledge,
                   text: str) -> list[str]:
    """For each reason of an ask, the topic its cues named, when the request really is about it (the topic's
    `fits` pattern, if any, matches): no topic falls back to a reason's first, so no paragraph about a subject
    the request never raised."""
    order = list(knowledge.topics)
    chosen = []
    for reason in reasons:
        weights = {name: weight for name, weight in (topic_weights.get(reason) or {}).items()
                   if weight > 0 and name in knowledge.topics}
        if not weights:
            continue
        name = max(weights, key=lambda topic: (weights[topic], -order.index(topic)))
        fits = knowledge.topics[name].get("fits")
        if fits is None or fits.search(text):
            chosen.append(name)
    return list(dict.fromkeys(chosen))


def build_plan(verdict: str, asks: list, topics_per_ask: list[list[str]], slots: Slots, *, day: str,
               seed: int, checks: list[str] | None = None) -> ReplyPlan:
    """Everything the reply needs, kept so it can be re-rendered without the client's text."""
    parts = []
    for ask, topics, ask_slots in zip(asks, topics_per_ask, slots.asks):
        separate = bool(_FURTHER_ASK.search(ask.text))
        parts += [ReplyPart(verdict="accept", verb=verb, object=obj, separate=separate)
                  for verb, obj in ask_slots.also]
        parts.append(ReplyPart(verdict=ask.verdict, reasons=list(ask.reasons), topics=list(topics),
                               verb=ask_slots.verb, object=ask_slots.object, deadline=ask_slots.deadline,
                               amounts=list(ask_slots.amounts), practice=getattr(ask, "practice", "") or "",
                               free=ask_slots.free, purchase=ask_slots.purchase, covered=ask_slots.covered,
                               quoted=quoted_in(ask.text) if ask.verdict == "decline" else "",
                               separate=separate or bool(ask_slots.also)))
        if ask.verdict == "accept":
            parts += [ReplyPart(verdict="accept", verb=verb, object=obj, separate=True)
                      for verb, obj in ask_slots.then]
    parts = _folded_details(parts)
    main = next((part for part in parts if part.verdict == verdict), parts[0] if parts else None)
    return ReplyPlan(verdict=verdict, topics=list(main.topics) if main else [], day=day, name=slots.name,
                     parts=parts, deadline=slots.deadline, event=slots.event, one_off=slots.one_off,
                     admission=slots.admission, complaint=slots.complaint, free=slots.free, stakes=slots.stakes,
                     checks=list(checks or []), seed=seed, demand=slots.demand)


def _folded_details(parts: list[ReplyPart]) -> list[ReplyPart]:
    """The parts with an accepted ask merged into the condition or push-back right after it when that one names
    nothing of its own: "Can we hold it in the warehouse? … no extra budget" is one ask with its catch, so the reply
    must not say yes to the first half."""
    merged: list[ReplyPart] = []
    for part in parts:
        before = merged[-1] if merged else None
        if (before is not None and before.verdict == "accept" and before.object and not part.object
                and part.verdict in ("accept_with_conditions", "push_back")):
            merged[-1] = replace(part, verb=before.verb, object=before.object,
                                 deadline=part.deadline or before.deadline)
        else:
            merged.append(part)
    return merged


@lru_cache(maxsize=4096)
def _needs(template: str) -> tuple[frozenset[str], int]:
    """The optional slots a template needs, and how specific it is: the optional slots it names, the verb and
    object counting double and what is asked for (the object) counting more than the event it is for."""
    slots = template_slots(template)
    named = slots & OPTIONAL_SLOTS
    return named, 2 * len(named) + 2 * ("action" in slots) + ("object" in slots or "action" in slots)


def _after_colon(text: str) -> str:
    """`text` as it reads after a colon: a common first word in lower case."""
    first = text.split(" ", 1)[0]
    return text[0].lower() + text[1:] if first.lower() in _COMMON_STARTS else text


class _Writer:
    """Picks and fills templates for one reply: a variant whose slots are all known, varied by the seed."""

    def __init__(self, plan: ReplyPlan, tone: str, knowledge: Knowledge) -> None:
        self.plan = plan
        self.voice = knowledge.tones[tone]
        self.knowledge = knowledge
        self.tone = tone

    def pick(self, variants: list[str], values: dict[str, str], salt: str) -> str:
        """The variant to use: among those whose optional slots are all known, the ones naming the most of them,
        chosen by the seed; "" when none can be used."""
        known = {name for name, value in values.items() if value}
        usable = [(needs[1], variant) for variant in variants if (needs := _needs(variant))[0] <= known]
        if not usable:
            return ""
        most = max(count for count, _ in usable)
        best = [variant for count, variant in usable if count == most]
        chosen = best[(self.plan.seed + zlib.crc32(salt.encode())) % len(best)]
        return fill(chosen, values)

    def say(self, key: str, values: dict[str, str], salt: str = "") -> str:
        """A tone text by its key."""
        return self.pick(self.voice[key], values, key + salt)


def fill(template: str, values: dict[str, str]) -> str:
    """A template with its slots filled (placeholders for day, date and price), tidied into sentences."""
    text = " ".join(template.format_map(_Values({**PLACEHOLDERS, **values})).split())
    if any(mark in text for mark in _SPACED_PUNCTUATION):
        text = _SPACE_BEFORE_PUNCTUATION.sub(r"\1", text)
    if text[:1].islower() or _SENTENCE_START_LOWER.search(text):
        text = _SENTENCE_START.sub(_capitalised, text)
    return text


def _capitalised(found: re.Match) -> str:
    return found.group(1) + found.group(2).upper()


class _Values(dict):
    def __missing__(self, key: str) -> str:
        return ""


# Words read as the verb that are no action we would do ("get maybe 40 reviews up" read as "maybe …"): the lifted
# phrase is not used as "we will <verb> <object>".
_NOT_ACTION = frozenset("""maybe basically just really actually probably possibly also even literally simply kinda
perhaps still please definitely ideally hopefully somehow quickly urgently ever never always""".split())
# An object that opens on a preposition or a verb ("as samples", "land on the 3rd", "the happen"): the verb and object
# were cut in the wrong place, so the phrase does not read as "we will <verb> <object>".
_NOT_OBJECT_START = re.compile(r"^(?:(?:the|a|an|(?!(?:our|your|my|their|his|her)\b)[a-z]+)\s+)?(?:land|lands|"
                               r"happen|happens|be|go|goes|come|arrive|look|looks|move|get|see|make|do)(?![\w-])|"
                               r"^(?:as|on|to|for|with|at|in|from|by|into|about|up|out|off)\b", re.IGNORECASE)
# An object cut before the number it was counting ("the display units in your top" of "in your top 120 stores").
_CUT_BEFORE_NUMBER = re.compile(r"\b(?:in|on|at|for) (?:your|our|the) (?:top|bottom|first|last|best)$",
                                re.IGNORECASE)
# Verbs a phrase starting "as" may follow ("pose as a customer", "post as local parents").
_AS_VERBS = frozenset("pose post act pass appear pretend masquerade present write speak reply respond comment".split())
# Verbs "together" belongs to ("put the deck together"); after any other it is what was cut from "together with".
_GATHERING_VERBS = frozenset("put bring pull get piece stitch cobble throw".split())
# Verbs of the client seeing or receiving something from us ("can we see the final draft"): what we do is send it.
_TO_RECEIVE = frozenset(("see", "view", "get sight of"))
# Saying yes to signing or accepting terms: never in a reply that pushes back on or declines them.
_ASSENT = re.compile(r"\b(?:(?:counter-?)?sign(?:ed|ing)?|accept(?:ance|ed|ing)?|agree(?:ment|d)?|approve)\b",
                     re.IGNORECASE)


def _verb_and_object(part: ReplyPart) -> tuple[str, str]:
    """The part's verb and object as the reply can say them: "see X" is what we send ("send you X"); a verb that is
    no action or an object cut in the wrong place gives no verb."""
    verb = "" if part.verb in _PARTICLES else part.verb
    first = verb.split(" ", 1)[0].lower()
    if part.object.endswith(" together") and first not in _GATHERING_VERBS:
        part = replace(part, object=part.object[:-len(" together")])
    if verb.lower() in _TO_RECEIVE and part.object and not part.object.lower().startswith(("you", "us", "me")):
        return "send you", part.object
    if part.object.split(" ", 1)[0].lower() in _NOT_ACTION or _CUT_BEFORE_NUMBER.search(part.object):
        return "", ""
    if first in _NOT_ACTION or first.endswith("ly") or _NOT_OBJECT_START.match(part.object) and not (
            first in _AS_VERBS and part.object.lower().startswith("as ")):
        return "", ""
    return verb, part.object


def _values(plan: ReplyPlan, part: ReplyPart | None = None) -> dict[str, str]:
    values = {"name": plan.name, "event": plan.event, "admission": plan.admission, "complaint": plan.complaint,
              "deadline": plan.deadline, "free": plan.free}
    if part is not None:
        verb, obj = _verb_and_object(part)
        clause = part.verb in CLAUSE_VERBS
        clean = bool(obj) and reads_cleanly(obj, clause_allowed=clause)
        runs = clean and not clause and runs_on(obj)
        named = "" if clause else (clean and not runs and named_alone(obj, checked=True)) or quoted_in(obj)
        if not verb and (part.verdict in ("accept", "accept_with_conditions") and named.lower().startswith(
                ("your ", "our ")) or named.rsplit(" ", 1)[-1].lower() in _PARTICLES):
            named = ""
        values.update(object=named or part.quoted,
                      action=f"{verb} {obj}" if verb and clean and (
                          not runs or part.verb in _TWO_OBJECT_VERBS) else "",
                      amount=part.amounts[0] if part.amounts else "",
                      deadline=part.deadline or (plan.deadline if len(plan.parts) <= 1 else ""),
                      free="" if _MONEY_ACTION.search(part.object) or part.amounts else (
                          part.free if plan.parts else plan.free))
    return values


def _together(plan: ReplyPlan, parts: list[ReplyPart]) -> dict[str, str]:
    """The slots of one yes to several fine asks in a row: "add the cutdown and change the end card", with their
    date when they share one."""
    values = _values(plan, parts[0])
    if len(parts) == 1:
        return values
    each = [_values(plan, part) for part in parts]
    objects = [one["object"] for one in each]
    actions = [one["action"] for one in each]
    dates = {part.deadline for part in parts}
    return {**values, "object": _listed(objects) if all(objects) else _ALL_OF.get(len(parts), ""),
            "action": _listed(actions) if all(actions) else "", "deadline": dates.pop() if len(dates) == 1 else ""}


# Several fine asks named together when one of them cannot be named from the client's words: "all three".
_ALL_OF = {2: "both", 3: "all three", 4: "all four", 5: "all five", 6: "all six"}


def _listed(items: list[str]) -> str:
    """Items as a sentence lists them: "a, b and c"."""
    return f"{', '.join(items[:-1])} and {items[-1]}" if len(items) > 1 else "".join(items)


def _lead_reason(part: ReplyPart) -> str:
    """The reason the part's verdict stands on: the strongest of the verdict's own class."""
    wanted = {"decline": DECLINE_REASONS, "push_back": PUSH_BACK_REASONS}.get(part.verdict)
    for reason in part.reasons:
        if wanted is None or reason in wanted:
            return reason
    return part.reasons[0] if part.reasons else "unreasonable"


def _part_of_a_refusal(verdict: str, parts: list[ReplyPart], index: int) -> bool:
    """Whether an accepted ask follows right after an ask the reply refuses, in a message that pushes back or
    declines, without the client marking it as a further ask of its own ("also"): most often it is a detail of that
    ask ("Make them sound like real guests" after the fake reviews), so a cheerful yes to it would undo the no. A
    fine ask before the refused one ("update the footer address", then "the whole site in Italian for free") is its
    own ask and keeps its yes."""
    if verdict not in ("push_back", "decline") or index == 0 or parts[index].separate:
        return False
    return parts[index - 1].verdict in ("push_back", "decline")


# A pronoun pointing back at something said before ("recreate it", "copy them"): the refused ask is about it.
_BACK_REFERENCE = re.compile(r"\b(?:it|them|that|those|these|this)\b", re.IGNORECASE)


def _says_yes_to(plan: ReplyPlan, parts: list[ReplyPart], index: int, values: dict[str, str]) -> bool:
    """Whether the reply says a yes of its own to a fine ask: one it can name, not the client's own name, not a detail
    of an ask it refuses; and in a reply that pushes back or declines, never to signing or accepting terms, nor to a
    thing with no verb that the refused ask points back at ("yes to the billboards" before declining to copy them)
    or that a demand imposes ("an annual price freeze"); and in a decline no practice of the catalogue
    recognised, where which ask is the wrong one is the learned reader's guess, only to an ask the client marked as
    one of its own (a list item, "also")."""
    part = parts[index]
    if not (values["object"] or values["action"]) or re.sub(r"^the\s+", "", part.object) == plan.name:
        return False
    if plan.verdict in ("push_back", "decline"):
        if _ASSENT.search(f"{part.verb} {part.object}"):
            return False
        if plan.verdict == "decline" and not part.separate and not any(
                other.practice for other in parts if other.verdict == "decline"):
            return False
        refused_next = next((later for later in parts[index + 1:] if later.verdict != "accept"), None)
        if not values["action"] and (plan.demand or refused_next is not None and _BACK_REFERENCE.search(
                refused_next.object)):
            return False
    return not _part_of_a_refusal(plan.verdict, parts, index)


def _substance(part: ReplyPart, plan: ReplyPlan, knowledge: Knowledge, writer: _Writer) -> tuple[str, str, str,
                                                                                                  str, list[str], str]:
    """(source key, because, alternative, acknowledge, tactics, tip) for one part: a catalogued practice's words;
    for a yes whose condition is a push-back reason ("fine to do, but not for free"), that reason's condition
    texts, so it reads as a yes with a fee or trade, not a refusal; else the fitting topic's, else the neutral
    paragraph of its lead reason built from the slots."""
    values = _values(plan, part)
    reason = _lead_reason(part)
    practice = knowledge.practices.get(part.practice) if part.practice else None
    if practice and part.verdict in ("decline", "push_back"):
        return (f"practice:{part.practice}", fill(practice.why, values), fill(practice.lawful_route, values), "",
                list(knowledge.reason_texts[reason]["tactics"]), practice.tip or knowledge.reason_texts[reason]["tip"])
    texts = knowledge.reason_texts[reason]
    topic_name = next((name for name in part.topics if knowledge.topics[name]["reason"] == reason), "")
    if not topic_name and not part.free and reason in GENERAL_REASONS:
        topic_name = next((name for name in part.topics if knowledge.topics[name]["reason"] in part.reasons), "")
    condition = part.verdict == "accept_with_conditions" and "because_condition" in texts
    if condition and (not topic_name or knowledge.topics[topic_name]["reason"] in PUSH_BACK_REASONS):
        offers: list[str] = texts.get("alternative_condition") or texts["alternative"]
        return (f"reason:{reason}", writer.pick(texts["because_condition"], values, f"because{reason}"),
                writer.pick(offers, values, f"alternative{reason}"), "", list(texts["tactics"]), texts["tip"])
    if topic_name:
        topic = knowledge.topics[topic_name]
        values = {**values, "deadline": values["deadline"] or "on that timeline"}
        one_off = (plan.one_off or bool(part.deadline)) and bool(topic.get("alternative_one_off"))
        alternative: str = topic["alternative_one_off"] if one_off else topic["alternative"]
        return (f"topic:{topic_name}", fill(topic["because"], values), fill(alternative, values),
                fill(topic["acknowledge"], values), list(topic["tactics"]), topic["tip"])
    one_off = (plan.one_off or bool(part.deadline)) and not part.free and bool(texts.get("alternative_one_off"))
    alternatives: list[str] = texts["alternative_one_off"] if one_off else texts["alternative"]
    return (f"reason:{reason}", writer.pick(texts["because"], values, f"because{reason}"),
            writer.pick(alternatives, values, f"alternative{reason}"), "", list(texts["tactics"]), texts["tip"])


def _source_reason(source: str, knowledge: Knowledge) -> str:
    """The reason whose words a part's paragraph uses: a topic's reason, or the neutral paragraph's own."""
    kind, _, name = source.partition(":")
    if kind == "topic":
        return str(knowledge.topics[name]["reason"])
    return name if kind == "reason" else ""


def _tip(plan: ReplyPlan, main: ReplyPart, tip: str, knowledge: Knowledge, tactics: list[str]) -> str:
    """The coaching tip: the main ask's, the upstream fix for its reasons, and trusted firepower when the stakes
    call for it."""
    lines = [tip]
    for reason in [] if main.purchase else main.reasons:
        upstream = knowledge.reason_texts.get(reason, {}).get("upstream", "")
        if upstream and upstream not in lines:
            lines.append(upstream)
            break
    if plan.verdict == "decline" or (plan.stakes and plan.verdict == "push_back"):
        lines.append(knowledge.coaching["firepower"])
        if "trusted_firepower" not in tactics:
            tactics.append("trusted_firepower")
    return " ".join(line for line in lines if line)


def _checking(part: ReplyPart, plan: ReplyPlan, writer: _Writer) -> str:
    """What the holding reply says is being checked for one part, in the client's terms: its lead reason's
    `checking` text, or a plain "a couple of things on our side" when it has no reason."""
    if not part.reasons:
        return "a couple of things on our side"
    texts = writer.knowledge.reason_texts[_lead_reason(part)]["checking"]
    text = writer.pick(texts, _values(plan, part), "checking")
    return text[:1].lower() + text[1:]


def _holding(plan: ReplyPlan, writer: _Writer, opening: str, greeting: str, sign_off: str,
             knowledge: Knowledge) -> tuple[Reply, list[str], str]:
    """The answer to send while checking, ask by ask in the client's order: yes to the asks that are fine, named by
    what we'll do (an ask right after an unsure one, not marked as a further ask, may be a detail of it and gets no
    yes of its own), and for the others what is being checked and when the answer comes; never a yes to what is
    unsure, and no filler."""
    parts = plan.parts[:MAX_PARTS] or [ReplyPart(verdict=plan.verdict)]
    held_index = [index for index, part in enumerate(parts) if part.verdict != "accept"] or [
        next((index for index, part in enumerate(parts) if part.verdict == plan.verdict), 0)]
    paragraphs: list[str] = []
    yeses: list[ReplyPart] = []
    held: list[ReplyPart] = []

    def flush() -> None:
        if yeses:
            paragraphs.append(writer.say("yes", _together(plan, yeses), str(len(paragraphs))))
            yeses.clear()
        if held:
            each = [_values(plan, part) for part in held]
            dates = {one["deadline"] for one in each}
            values = {**each[0], "object": _listed([one["object"] for one in each if one["object"]]), "action": "",
                      "deadline": dates.pop() if len(dates) == 1 else "",
                      "because": _checking(held[0], plan, writer)}
            paragraphs.append(" ".join(filter(None, (writer.say("holding", values, str(len(paragraphs))),
                                                     writer.say("holding_alternative", values)))))
            held.clear()

    for index, part in enumerate(parts):
        if index in held_index:
            if yeses:
                flush()
            held.append(part)
            continue
        detail = index > 0 and (index - 1) in held_index and not part.separate
        values = _values(plan, part)
        if values["action"] and not detail and _says_yes_to(plan, parts, index, values):
            if held:
                flush()
            yeses.append(part)
    flush()
    text = "\n\n".join(piece for piece in (greeting, opening, *paragraphs, sign_off) if piece)
    tip = " ".join([knowledge.coaching["holding"], *plan.checks])
    holding = next((paragraph for paragraph in paragraphs if PLACEHOLDERS["day"] in paragraph),
                   paragraphs[-1] if paragraphs else "")
    others = " ".join(paragraph for paragraph in paragraphs if paragraph != holding)
    return Reply(f"{greeting}\n\n{opening}".strip(), holding, others or holding, text), ["rational_case"], tip


# Reasons a condition stands on that only say "it costs extra": moot for what the client already pays for.
_PRICE_REASONS = frozenset(("out_of_scope", "unreasonable"))


def _within_what_is_paid(plan: ReplyPlan) -> ReplyPlan:
    """The plan with a condition that only asks for a price turned into a yes when the client says the ask is within
    what they already pay for ("we've still got seats left on our plan"): routine admin is never billed."""
    if plan.verdict != "accept_with_conditions" or plan.checks:
        return plan
    conditioned = [part for part in plan.parts if part.verdict == "accept_with_conditions"]
    if not conditioned or not all(part.covered and set(part.reasons) <= _PRICE_REASONS for part in conditioned):
        return plan
    return replace(plan, verdict="accept", parts=[replace(part, verdict="accept") for part in plan.parts])


# An ask to leave something as it is ("keep the same menu", "stick with the current supplier"): it costs nothing.
_UNCHANGED = re.compile(r"^(?:keep|stick with|stay with|leave|retain)\s+(?:the|our|your|it|them)?\s*(?:same|current|"
                        r"existing|original|usual)\b", re.IGNORECASE)
# Verbs of an ask for more ("add 40 guests", "extend the run"): what a price condition is about.
_MORE = frozenset("add increase extend double expand raise grow up bump".split())


def _condition_on_the_change(plan: ReplyPlan) -> ReplyPlan:
    """The plan with a price condition the triage put on an ask to keep something unchanged ("keep the same menu")
    moved to the fine ask for more before it ("add 40 guests"): the condition names the ask it applies to."""
    parts = list(plan.parts)
    for index, part in enumerate(parts):
        if part.verdict != "accept_with_conditions" or not set(part.reasons) <= _PRICE_REASONS or not _UNCHANGED.match(
                f"{part.verb} {part.object}"):
            continue
        more = next((earlier for earlier in range(index - 1, -1, -1) if parts[earlier].verdict == "accept"
                     and parts[earlier].verb.split(" ", 1)[0].lower() in _MORE), None)
        if more is None:
            continue
        parts[more] = replace(parts[more], verdict=part.verdict, reasons=list(part.reasons), topics=list(part.topics),
                              free=part.free or parts[more].free)
        parts[index] = replace(part, verdict="accept", reasons=[], topics=[], separate=True)
    return replace(plan, parts=parts) if parts != plan.parts else plan


def render_reply(plan: ReplyPlan, tone: str, knowledge: Knowledge) -> tuple[Reply, list[str], str]:
    """The reply for `plan` in `tone`, the tactics it uses and the coaching tip."""
    plan = _condition_on_the_change(_within_what_is_paid(plan))
    writer = _Writer(plan, tone, knowledge)
    base = _values(plan)
    greeting = writer.say("greeting", base) if plan.name else writer.say("greeting_unnamed", base)
    sign_off = writer.say("sign_off", base)
    parts = plan.parts[:MAX_PARTS] or [ReplyPart(verdict=plan.verdict, topics=list(plan.topics))]
    main = next((part for part in parts if part.verdict == plan.verdict), parts[0])
    apology = writer.say("apology", base) if plan.complaint else ""
    if plan.checks:
        opening = apology or writer.say("acknowledge_plain", _values(plan, main))
        return _holding(plan, writer, opening, greeting, sign_off, knowledge)

    if plan.verdict == "accept":
        named = [part for part in parts if part.object]
        values = _together(plan, named) if named else _values(plan)
        body = writer.say("yes_only", values)
        text = "\n\n".join(piece for piece in (greeting, apology, body, sign_off) if piece)
        return (Reply(f"{greeting}\n\n{apology}".strip() if apology else greeting, "", "", text),
                list(knowledge.accept.get("tactics", [])), knowledge.accept["tip"])

    main_substance = _substance(main, plan, knowledge, writer)
    topic_acknowledge = main_substance[3]
    main_values = {**_values(plan, main), "acknowledge": topic_acknowledge}
    if main is not parts[0]:
        main_values["acknowledge"] = ""
    if apology:
        opening = apology
    elif plan.verdict == "decline":
        opening = writer.say("acknowledge_decline", main_values)
    elif plan.admission:
        opening = writer.say("admission", main_values)
    elif topic_acknowledge and not plan.demand and not main.purchase:
        opening = writer.say("acknowledge", main_values)
    else:
        opening = writer.say("acknowledge_plain", main_values)

    paragraphs: list[str] = []
    yeses: list[ReplyPart] = []
    used: dict[str, str] = {}
    tactics: list[str] = []
    main_reason = main_alternative = main_tip = ""
    options = False

    def flush_yeses() -> None:
        if yeses:
            paragraphs.append(writer.say("yes", _together(plan, yeses), str(len(paragraphs))))
            yeses.clear()

    for index, part in enumerate(parts):
        values = _values(plan, part)
        if part.verdict == "accept":
            if _says_yes_to(plan, parts, index, values):
                yeses.append(part)
            continue
        if (part.verdict != plan.verdict and not part.object and part is not main
                and _part_of_a_refusal(plan.verdict, parts, index)):
            continue
        flush_yeses()
        if part.purchase and part.verdict == "accept_with_conditions":
            paragraphs.append(writer.say("yes_with_price", values, str(index)))
            if part is main:
                main_reason, main_tip = paragraphs[-1], knowledge.accept["tip"]
            continue
        source, because, alternative, part_acknowledge, part_tactics, part_tip = (
            main_substance if part is main else _substance(part, plan, knowledge, writer))
        if source in used and part is not main:
            again = writer.say("same_again", values, str(index))
            if again:
                paragraphs.append(again)
            continue
        used[source] = part.object
        tactics += [tactic for tactic in part_tactics if tactic not in tactics]
        frame_values = {**values, "because": because}
        if _lead_reason(part) == "would_be_late":
            frame_values["deadline"] = ""
        frame_key = part.verdict
        if part.verdict == "push_back" and not part.free and _source_reason(source, knowledge) == "out_of_scope":
            frame_key = "accept_with_conditions"
        frame = writer.say(frame_key, frame_values, str(index))
        if because:
            frame = frame.replace(": " + because, ": " + _after_colon(because), 1)
        offer_key = "alternative_decline" if part.verdict == "decline" else "alternative"
        offer = writer.say(offer_key, {**values, "alternative": alternative}, str(index)) if alternative else ""
        if alternative.startswith(_PLAIN_OPENERS) or frame_key == "accept_with_conditions":
            offer = alternative
        elif alternative:
            offer = offer.replace(": " + alternative, ": " + _after_colon(alternative), 1)
        options = options or " or " in alternative or " or, " in alternative
        if part is main:
            main_reason, main_alternative, main_tip = frame, offer, part_tip
            lead_in = part_acknowledge if part is not parts[0] and part_acknowledge else ""
            paragraphs += [piece for piece in (" ".join(filter(None, (lead_in, frame))), offer) if piece]
        else:
            paragraphs.append(" ".join(piece for piece in (frame, offer) if piece))
    flush_yeses()

    reassure = writer.say("reassure", base) if writer.voice["reassure"] and not plan.complaint else ""
    if plan.verdict == "decline" and tone == "warm":
        reassure = ""
    if plan.verdict == "decline":
        closing = writer.say("close_decline", base)
    elif options:
        closing = writer.say("close_options", base)
    else:
        closing = writer.say("close_condition", base)
    tip = _tip(plan, main, main_tip, knowledge, tactics)
    pieces = [greeting, opening, *paragraphs, reassure, closing, sign_off]
    text = "\n\n".join(piece for piece in pieces if piece)
    acknowledge = f"{greeting}\n\n{opening}".strip()
    return Reply(acknowledge, main_reason, main_alternative, text), tactics, tip

