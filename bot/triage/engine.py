"""Reading each ask for the nine reasons: cues in context (negation, mitigation, quoted history, dates),
then a verdict per ask and the strictest for the message."""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from bot.triage.dates import days_until
from bot.triage.knowledge import REASONS, Knowledge, word_starts
from bot.triage.result import VERDICTS, Ask

THRESHOLD = 2
DECLINE_REASONS = {"unethical_or_illegal"}
PUSH_BACK_REASONS = {"unreasonable", "illogical", "misses_business_objectives", "misses_campaign_objectives",
                     "jeopardises_other_work"}
EVIDENCE_PER_REASON = 3
_WORD = re.compile(r"[a-z']+")


@dataclass
class AskReading:
    """The scores, evidence and topics one ask earned."""

    text: str
    scores: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    evidence: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    topic_weights: dict[str, dict[str, int]] = field(default_factory=lambda: defaultdict(lambda: defaultdict(int)))

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

    def topic(self, reason: str, knowledge: Knowledge) -> str:
        """The topic that best explains `reason` in this ask."""
        weights = self.topic_weights.get(reason)
        if weights:
            return max(weights, key=lambda name: (weights[name], -list(knowledge.topics).index(name)))
        return next(name for name, topic in knowledge.topics.items() if topic["reason"] == reason)


def _negated(text: str, start: int, negations: frozenset[str]) -> bool:
    before = _WORD.findall(text[max(0, start - 30):start].lower())[-3:]
    return any(word in negations for word in before)


URGENT_DAYS = 1


def read_ask(text: str, history: str, knowledge: Knowledge, today: date, message: str = "") -> AskReading:
    """Score one ask against every cue, in context (the quoted history, and the whole message's urgency)."""
    reading = AskReading(text)
    starts = word_starts(text.lower())
    for cue in knowledge.cues:
        if cue.prefixes is not None and starts.isdisjoint(cue.prefixes):
            continue
        match = cue.pattern.search(text)
        while match and cue.negatable and _negated(text, match.start(), knowledge.negations):
            match = cue.pattern.search(text, match.end())
        if match:
            reading.add(cue.reason, cue.weight, match.group(0), cue.topic)
    if history and (insisting := knowledge.insistence.search(text)):
        for reason, pattern in knowledge.history_cues:
            if found := pattern.search(history):
                reading.add(reason, THRESHOLD, found.group(0), None)
                reading.add(reason, 0, insisting.group(0), None)
    if reading.scores.get("out_of_scope", 0) or reading.scores.get("strains_team_or_suppliers", 0):
        near = days_until(text, today)
        if near is not None and near[0] <= knowledge.near_date_days:
            reading.add("would_be_late", 2 if near[0] <= URGENT_DAYS + 1 else 1, near[1], "deadline")
        elif (urgent := days_until(message, today)) is not None and urgent[0] <= URGENT_DAYS:
            reading.add("would_be_late", 1, urgent[1], "deadline")
    for mitigation in knowledge.mitigations:
        if mitigation.pattern.search(text):
            for reason in mitigation.reasons:
                reading.scores[reason] = 0
    return reading


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


def to_ask(reading: AskReading) -> Ask:
    """The public view of one ask's reading."""
    reasons = reading.reasons()
    return Ask(text=reading.text, verdict=verdict_for(reasons), reasons=reasons,
               evidence={reason: list(reading.evidence[reason]) for reason in reasons})
