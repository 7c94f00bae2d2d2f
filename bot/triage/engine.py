"""Reading each ask for the nine reasons: cues in context (negation, mitigation, quoted history, dates),
then a verdict per ask and the strictest for the message."""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from bot.triage.asks import is_request, split_asks
from bot.triage.cleaning import CleanedMessage
from bot.triage.dates import days_until
from bot.triage.knowledge import REASONS, Knowledge
from bot.triage.words import WordStarts
from bot.triage.model import ReasonModel
from bot.triage.result import VERDICTS, Ask

THRESHOLD = 2
LIKELIEST = 2  # reasons named as what to check when the engine is unsure and found none
PRACTICE_WEIGHT = 4  # a practice from the catalogue: above any single cue, and kept whatever the learned reader says
DECLINE_REASONS = {"unethical_or_illegal"}
PUSH_BACK_REASONS = {"unreasonable", "illogical", "misses_business_objectives", "misses_campaign_objectives",
                     "jeopardises_other_work"}
EVIDENCE_PER_REASON = 3
VETO = 0.1  # the learned reader's probability below which a reason the cues raised is dropped
UNSURE = 0.5  # a verdict less likely than this is more likely wrong than right
_WORD = re.compile(r"[a-z']+")


@dataclass
class AskReading:
    """The scores, evidence and topics one ask earned."""

    text: str
    scores: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    evidence: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    topic_weights: dict[str, dict[str, int]] = field(default_factory=lambda: defaultdict(lambda: defaultdict(int)))
    mitigated: set[str] = field(default_factory=set)
    practice: str = ""
    trade: str = ""

    def add(self, reason: str, weight: int, snippet: str, topic: str | None) -> None:
        """Count one cue."""
        self.scores[reason] += weight
        snippet = snippet.strip(" ,;:-")
        if snippet and snippet not in self.evidence[reason] and len(self.evidence[reason]) < EVIDENCE_PER_REASON:
            self.evidence[reason].append(snippet[:160])
        if topic:
            self.topic_weights[reason][topic] += weight

    def reasons(self) -> list[str]:
        """The reasons that reached the threshold, strongest first."""
        active = [reason for reason in REASONS if self.scores.get(reason, 0) >= THRESHOLD]
        return sorted(active, key=lambda reason: (-self.scores[reason], REASONS.index(reason)))


def _negated(text: str, start: int, negations: frozenset[str]) -> bool:
    """A negation word among the three words before the match, or a clause that opens by ruling out what
    follows ("please don't ...", "no need to ...", "we don't want ...")."""
    before = _WORD.findall(text[max(0, start - 30):start].lower())[-3:]
    if any(word in negations for word in before):
        return True
    return bool(_RULED_OUT.search(text[max(0, start - 80):start]))


_OPENER = r"(?:(?:please|just|so|and|also|really|honestly|but)\s+)?"
_NOT_ASKING = r"no need to|there'?s no need to|(?:we|i)'?(?:re| are| am|m) not asking"
_RULING_OUT = rf"{_OPENER}(?:(?:we|i)\s+)?(?:don'?t|do not|never|won'?t|will not|{_NOT_ASKING})"
_NOT_RULING_OUT = r"forget|worry|hesitate|mind"
_RULED_OUT = re.compile(
    rf"(?:^|[.;:!?,\n(]|\b(?:and|but|so)\b)\s*{_RULING_OUT}(?!\s+(?:{_NOT_RULING_OUT})\b)\b[^.;:!?,\n]*$",
    re.IGNORECASE)


URGENT_DAYS = 1


def read_ask(text: str, history: str, knowledge: Knowledge, today: date, message: str = "",
             around: dict[str, list[re.Match]] | None = None) -> AskReading:
    """Score one ask against every cue, in context (the quoted history, the whole message's urgency, and the
    catalogue's terms `around` it in the message)."""
    reading = AskReading(text)
    starts = WordStarts(text)
    ruled_out: dict[int, bool] = {}

    def negated(ask: str, start: int) -> bool:
        if start not in ruled_out:
            ruled_out[start] = _negated(ask, start, knowledge.negations)
        return ruled_out[start]

    for index, where in knowledge.cue_index.candidates(starts):
        cue = knowledge.cues[index]
        match = starts.first_match(cue.pattern, where)
        while match and cue.negatable and negated(text, match.start()):
            match = starts.first_match(cue.pattern, where, match.end())
        if match:
            reading.add(cue.reason, cue.weight, match.group(0), cue.topic)
    if history and (insisting := knowledge.insistence.search(text)):
        for reason, pattern in knowledge.history_cues:
            if found := pattern.search(history):
                reading.add(reason, THRESHOLD, found.group(0), None)
                reading.add(reason, 0, insisting.group(0), None)
    sightings = knowledge.catalogue.recognise(text, negated, starts, around)
    for sighting in sightings:
        reading.add(sighting.practice.reason, PRACTICE_WEIGHT, sighting.evidence, None)
    if sightings:
        strictest_first = sorted(sightings, key=lambda sighting: sighting.practice.reason not in DECLINE_REASONS)
        reading.practice = strictest_first[0].practice.name
    if knowledge.trade is not None and (offered := knowledge.trade.search(text)) and not negated(text, offered.start()):
        reading.trade = offered.group(0)
    mitigated = reading.mitigated
    for index, where in knowledge.mitigation_index.candidates(starts):
        mitigation = knowledge.mitigations[index]
        found = starts.first_match(mitigation.pattern, where)
        while found and negated(text, found.start()):
            found = starts.first_match(mitigation.pattern, where, found.end())
        if found:
            mitigated.update(mitigation.reasons)
            for reason in mitigation.reasons:
                reading.scores[reason] = 0
    if reading.practice and reading.scores.get(knowledge.practices[reading.practice].reason, 0) == 0:
        reading.practice = ""
    if max(reading.scores.get("out_of_scope", 0), reading.scores.get("strains_team_or_suppliers", 0)) >= THRESHOLD:
        near = days_until(text, today)
        if near is not None and near[0] <= knowledge.near_date_days:
            reading.add("would_be_late", 2 if near[0] <= URGENT_DAYS + 1 else 1, near[1], "deadline")
        elif (urgent := days_until(message, today)) is not None and urgent[0] <= URGENT_DAYS:
            reading.add("would_be_late", 1, urgent[1], "deadline")
        if "would_be_late" in mitigated:
            reading.scores["would_be_late"] = 0
    return reading


def read_message(cleaned: CleanedMessage, knowledge: Knowledge, today: date) -> list[AskReading]:
    """Each ask of a cleaned message, read by `read_ask`."""
    asks = split_asks(cleaned.text)
    around = knowledge.catalogue.found_circumstances(WordStarts(cleaned.text)) if len(asks) > 1 else None
    return [read_ask(ask, cleaned.history, knowledge, today, cleaned.text, around) for ask in asks]


_CLAUSE = re.compile(r"[^.;!?\n]+[.;!?]?")


def _clause_with(text: str, words: list[str]) -> str:
    """The clause of `text` holding most of `words` (the first clause when none holds any)."""
    clauses = [found.group(0).strip() for found in _CLAUSE.finditer(text) if found.group(0).strip()] or [text]
    lowered = [clause.lower() for clause in clauses]
    best = max(range(len(clauses)), key=lambda i: (sum(word in lowered[i] for word in words), -i))
    return clauses[best]


_NOT_TELLING = r"mention|say|tell|disclose|reveal|label|tag|admit|ask|flag|let|show"
_CLAUSE_RULING_OUT = (rf"{_OPENER}(?:don'?t|do not|never|{_NOT_ASKING}|"
                      r"(?:we|i)\s+(?:don'?t|do not|won'?t|will not|never)\s+(?:want|need|expect|require))")
_CLAUSE_RULED_OUT = re.compile(rf"\s*{_CLAUSE_RULING_OUT}(?!\s+(?:{_NOT_RULING_OUT}|{_NOT_TELLING})\b)\b",
                               re.IGNORECASE)


def asked_for(text: str) -> str:
    """What the learned reader reads, since it knows words but little of negation: `text` without the clauses in which
    the client rules something out ("No need to ...", "Please don't ...", "We don't want ..."); nothing at all when
    what is left only gives context and asks for nothing. A clause that states a fact ("We don't own a licence
    for it, so ...") stays, and so does one that rules out telling ("don't mention ...", "no need to ask ..."),
    which asks for concealment."""
    clauses = [found.group(0) for found in _CLAUSE.finditer(text)]
    kept = [clause for clause in clauses if not _CLAUSE_RULED_OUT.match(clause)]
    if len(kept) < len(clauses) and not any(is_request(clause) for clause in kept):
        return ""
    return " ".join(kept)


def cue_signals(readings: list[AskReading]) -> list[str]:
    """What the cues found in a message, as features for the learned reader: each reason they raised (`k strong`),
    hinted at below the threshold (`k weak`), or saw cancelled by the client's own words (`k mitigated`)."""
    signals = set()
    for reading in readings:
        for reason, score in reading.scores.items():
            if score >= THRESHOLD:
                signals.add(f"k strong {reason}")
            elif score > 0:
                signals.add(f"k weak {reason}")
        signals.update(f"k mitigated {reason}" for reason in reading.mitigated)
    return sorted(signals)


def settled_reasons(probabilities: dict[str, float], cue_reasons: set[str], cancelled: set[str],
                    threshold: float) -> set[str]:
    """A message's reasons once the learned reader has weighed the cues: those the cues raised, unless the reader
    all but rules them out (below `VETO`), and those the reader finds (at `threshold`) that the client's own words
    do not cancel in every ask."""
    kept = {reason for reason in cue_reasons if probabilities[reason] >= VETO}
    return kept | {reason for reason, p in probabilities.items() if p >= threshold and reason not in cancelled}


def cancelled_everywhere(readings: list[AskReading]) -> set[str]:
    """The reasons every ask's own words cancel (a mitigation in each)."""
    return set.intersection(*(reading.mitigated for reading in readings)) if readings else set()


@dataclass(frozen=True)
class Decision:
    """What the learned reader made of a message: how likely it needs a no at all (the caution column), and
    whether the engine leaned to caution because nothing else found a reason the caution column expects; the
    reader's likeliest reasons and its probabilities."""

    needs_no: float
    leaned: bool
    likeliest: tuple[str, ...] = ()
    probabilities: dict[str, float] = field(default_factory=dict)
    verdict: str = ""
    verdicts: dict[str, float] = field(default_factory=dict)
    ask_verdicts: tuple[dict[str, float], ...] = ()


def decide_reasons(readings: list[AskReading], message: str, model: ReasonModel) -> Decision:
    """Let the learned reader, reading what the message asks for and what the cues found, settle its reasons and,
    with its verdict columns, the verdict: the likeliest verdict for what the message asks for ("accept" when it
    rules out all it mentions), "accept" only when earned (at the model's `earned` probability; below it the
    message is held for a check; an accept more likely wrong than right, `UNSURE`, gives way to the reasons the
    cues and the reader found, short of a decline), and never below what a practice of the catalogue in one of its
    asks calls for. The asks' reasons are then aligned to that verdict.

    A reason the cues raised keeps its ask and evidence unless the reader, having weighed the cue, all but rules it
    out (below `VETO`); a practice from the catalogue is kept whatever the reader says. A reason the reader finds
    goes to the ask whose cues hinted at it, else to the ask that reads most like it (never one whose own words
    cancel the reason), with the clause that carried it as evidence. When no reason is left but the caution column
    says the message likely needs a no (at the model's `lean`), "accept" is not earned: the reader's likeliest
    reason is taken, and the decision says it leaned."""
    signals = cue_signals(readings)
    asked = asked_for(message)
    probabilities = model.probabilities(asked, signals)
    cancelled = cancelled_everywhere(readings)
    settled = settled_reasons(probabilities, {reason for reading in readings for reason in reading.reasons()},
                              cancelled, model.threshold)
    settled |= {reason for reading in readings if reading.practice
                for reason in reading.reasons() if reading.scores[reason] >= PRACTICE_WEIGHT}
    for reading in readings:
        for reason in [reason for reason in reading.scores if reason not in settled]:
            reading.scores[reason] = 0
    present = {reason for reading in readings for reason in reading.reasons()}
    _place(readings, [reason for reason in REASONS if reason in settled and reason not in present], model)
    needs_no = model.needs_no(asked, signals)
    leaned = False
    if needs_no >= model.lean and not any(reading.reasons() for reading in readings):
        open_reasons = [reason for reason in REASONS if reason not in cancelled]
        if open_reasons:
            _place(readings, [max(open_reasons, key=lambda reason: probabilities[reason])], model)
            leaned = True
    likeliest = tuple(sorted(REASONS, key=lambda reason: -probabilities[reason])[:LIKELIEST])
    verdicts = model.verdict_probabilities(asked or message, signals)
    if not verdicts:
        return Decision(needs_no, leaned, likeliest, probabilities)
    verdict = max(VERDICTS, key=verdicts.__getitem__) if asked else "accept"
    found = strictest([verdict_for(reading.reasons()) for reading in readings])
    held = False
    if asked and verdict == "accept" and verdicts["accept"] < UNSURE and found != "accept":
        verdict = min(found, "push_back", key=VERDICTS.index)
    elif asked and verdict == "accept" and verdicts["accept"] < model.earned:
        verdict, held = "accept_with_conditions", True
    floor = strictest([verdict_for([reason for reason in reading.reasons()
                                    if reading.scores[reason] >= PRACTICE_WEIGHT])
                       for reading in readings if reading.practice])
    if VERDICTS.index(floor) > VERDICTS.index(verdict):
        verdict, held = floor, False
    align_to_verdict(readings, verdict, held, probabilities, cancelled, model)
    ask_verdicts = (tuple(model.verdict_probabilities(reading.text, cue_signals([reading])) for reading in readings)
                    if len(readings) > 1 else (verdicts,))
    return Decision(needs_no, held, likeliest, probabilities, verdict, verdicts, ask_verdicts)


def align_to_verdict(readings: list[AskReading], verdict: str, held: bool, probabilities: dict[str, float],
                     cancelled: set[str], model: ReasonModel) -> None:
    """Make the asks' reasons fit the verdict the learned reader read for the whole message: drop a reason that
    calls for something stricter (a practice goes with it), except that a yes with conditions keeps a push-back
    reason as its condition ("not for free"; `to_ask` caps the verdict); when nothing calls for the verdict, give the
    reason most likely to the ask that reads most like it: for a yes with conditions, or an accept `held` for a
    check, the likeliest short of a decline (it says what to check); otherwise the likeliest that calls for the
    verdict. An accept that is not held keeps no reason."""
    rank = VERDICTS.index(verdict)
    if not held:
        for reading in readings:
            stricter = [reason for reason in reading.reasons() if VERDICTS.index(verdict_for([reason])) > rank
                        and not (verdict == "accept_with_conditions" and reason in PUSH_BACK_REASONS)]
            for reason in stricter:
                reading.scores[reason] = 0
            if stricter:
                reading.practice = ""
    if VERDICTS.index(strictest([verdict_for(reading.reasons()) for reading in readings])) >= rank:
        return
    conditional = held or verdict == "accept_with_conditions"
    candidates = [reason for reason in REASONS if reason not in cancelled
                  and (reason not in DECLINE_REASONS if conditional else verdict_for([reason]) == verdict)]
    if candidates:
        _place(readings, [max(candidates, key=lambda reason: probabilities[reason])], model)


def _place(readings: list[AskReading], missing: list[str], model: ReasonModel) -> None:
    """Give each of the `missing` reasons to the ask that reads most like it, with the clause that carried it."""
    if not missing:
        return
    per_ask = ([model.probabilities(asked_for(reading.text), cue_signals([reading])) for reading in readings]
               if len(readings) > 1 else None)
    for reason in missing:
        candidates = [index for index, reading in enumerate(readings) if reason not in reading.mitigated]
        if not candidates:
            continue
        best = max(candidates, key=lambda index: (bool(readings[index].evidence.get(reason)),
                                                  per_ask[index][reason] if per_ask else 0.0))
        reading = readings[best]
        if reading.evidence.get(reason):
            reading.scores[reason] = THRESHOLD
        else:
            reading.add(reason, THRESHOLD, _clause_with(reading.text, model.telling_words(reading.text, reason)),
                        None)


def verdict_for(reasons: list[str]) -> str:
    """The verdict a set of reasons calls for."""
    if DECLINE_REASONS & set(reasons):
        return "decline"
    if PUSH_BACK_REASONS & set(reasons):
        return "push_back"
    if reasons:
        return "accept_with_conditions"
    return "accept"


def strictest(verdicts: list[str]) -> str:
    """The strictest of several verdicts."""
    return max(verdicts, key=VERDICTS.index, default="accept")


def to_ask(reading: AskReading, cap: str = "") -> Ask:
    """The public view of one ask's reading. An ask whose only reason to push back is that it asks more than is
    fair, with a trade offered for it, gets conditions (the trade) rather than a refusal. No ask is stricter than
    `cap`, the verdict the learned reader read for the whole message, when it read one."""
    reasons = reading.reasons()
    verdict = verdict_for(reasons)
    if cap and VERDICTS.index(verdict) > VERDICTS.index(cap):
        verdict = cap
    if verdict == "push_back" and reading.trade and PUSH_BACK_REASONS & set(reasons) == {"unreasonable"}:
        verdict = "accept_with_conditions"
    return Ask(text=reading.text, verdict=verdict, reasons=reasons,
               evidence={reason: list(reading.evidence[reason]) for reason in reasons}, practice=reading.practice)
