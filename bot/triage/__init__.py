"""Triage: from a client's message to a verdict, reasons with evidence, and a push-back that carries a reason
and an alternative. Offline, deterministic and explainable; its knowledge lives in `data/triage/`."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

from bot.triage.asks import is_request, split_asks
from bot.triage.cleaning import CleanedMessage, clean_message
from bot.triage.dates import working_days_ahead
from bot.triage.engine import UNSURE, Decision, decide_reasons, read_message, strictest, to_ask
from bot.triage.knowledge import REASONS, TONES, KnowledgeError, load_knowledge
from bot.triage.model import load_model
from bot.triage.reply import build_plan, fitting_topics, render_reply, seed_of
from bot.triage.result import VERDICTS, Ask, Reply, ReplyPart, ReplyPlan, TriageResult
from bot.triage.slots import read_slots

__all__ = [
    "REASONS", "VERDICTS", "TONES", "AccountContext", "Ask", "CleanedMessage", "EmptyRequestError",
    "KnowledgeError", "Reply", "ReplyPart", "ReplyPlan", "TriageResult", "clean_message", "load_knowledge",
    "split_asks", "triage", "with_tone", "check_knowledge",
]

SUMMARY_LIMIT = 120
PRACTICE_CONFIDENCE = 0.95
CHECK_BELOW = UNSURE  # a verdict more likely wrong than right comes with what to check, and a holding reply
MAX_CHECKS = 3
_NOT_WORDS = re.compile(r"@[\w.-]+|https?://\S+|www\.\S+")


class EmptyRequestError(ValueError):
    """There is nothing to triage: the message is empty, blank, or only quoted history, mentions, links and
    markup."""


@dataclass(frozen=True)
class AccountContext:
    """What we know of the client's account: its name, the scope notes of the contract, and what was pushed back on
    for it this quarter (one line each, for a language model's prompt; the offline triage reads the notes only)."""

    name: str = ""
    scope_notes: str = ""
    pushbacks: tuple[str, ...] = ()


def _summary(ask_text: str) -> str:
    sentences = [s for s in split_asks(ask_text)] or [ask_text]
    request = next((s for s in sentences if is_request(s)), sentences[0])
    flat = " ".join(request.split())
    return flat if len(flat) <= SUMMARY_LIMIT else flat[: SUMMARY_LIMIT - 1].rsplit(" ", 1)[0] + "…"


def _apply_scope_notes(ask: Ask, account: AccountContext | None) -> Ask:
    """Sharpen `out_of_scope` with the account's scope notes: an ask the notes cover is in scope."""
    if account is None or not account.scope_notes.strip():
        return ask
    from bot.triage.scope import covered_by, excluded_by

    reasons = list(ask.reasons)
    evidence = dict(ask.evidence)
    if "out_of_scope" in reasons and covered_by(ask.text, account.scope_notes):
        reasons.remove("out_of_scope")
        evidence.pop("out_of_scope", None)
    elif "out_of_scope" not in reasons and (excluded := excluded_by(ask.text, account.scope_notes)):
        reasons.append("out_of_scope")
        evidence["out_of_scope"] = [excluded]
    if reasons == ask.reasons:
        return ask
    from bot.triage.engine import verdict_for

    return replace(ask, verdict=verdict_for(reasons), reasons=reasons, evidence=evidence)


def _confidence(asks: list[Ask], decision: Decision, learned: dict[str, float] | None = None) -> float:
    """How sure the triage is of the strictest verdict of `asks` (0 to 1). With the learned reader's verdict
    columns (`learned`, for these asks): their probability of that verdict, high for a practice from the
    catalogue, below `CHECK_BELOW` for an accept held for a check. Without them (an older model): a practice from
    the catalogue: high. A push-back or decline: as sure as the stronger of the caution column (the message's
    `needs_no`) and the reader's belief in its likeliest reason; an accept with conditions: the stronger of that
    belief and the column's doubt that a no is needed; an accept: the column's doubt alone. A verdict the engine
    leaned to is unsure by definition."""
    verdict = strictest([ask.verdict for ask in asks])
    if learned:
        if decision.leaned:
            return round(min(learned["accept"], learned[verdict], CHECK_BELOW - 0.01), 2)
        if any(ask.practice and ask.verdict == verdict for ask in asks):
            return max(PRACTICE_CONFIDENCE, round(learned[verdict], 2))
        return round(learned[verdict], 2)
    if any(ask.practice and ask.verdict == verdict for ask in asks):
        return PRACTICE_CONFIDENCE
    needs_no = decision.needs_no
    support = max((decision.probabilities.get(reason, 0.0) for ask in asks for reason in ask.reasons), default=0.0)
    if verdict in ("push_back", "decline"):
        agreement = max(needs_no, support)
    elif verdict == "accept_with_conditions":
        agreement = max(support, 1.0 - needs_no)
    else:
        agreement = 1.0 - needs_no
    if decision.leaned:
        agreement = min(agreement, CHECK_BELOW - 0.01)
    return round(agreement, 2)


def check_knowledge(knowledge_dir: Path | None = None) -> None:
    """Load and validate the knowledge files and the learned reader now; raises `KnowledgeError` naming the file,
    the line and the problem."""
    load_knowledge(knowledge_dir)
    load_model(knowledge_dir)


def triage(text: str, *, tone: str = "neutral", today: date | None = None,
           account: AccountContext | None = None, knowledge_dir: Path | None = None) -> TriageResult:
    """Triage a client's message. Raises `EmptyRequestError` when there is nothing to triage."""
    if tone not in TONES:
        raise ValueError(f"tone must be one of {', '.join(TONES)}")
    knowledge = load_knowledge(knowledge_dir)
    today = today or date.today()
    cleaned = clean_message(text if isinstance(text, str) else str(text))
    if not any(character.isalnum() for character in _NOT_WORDS.sub(" ", cleaned.text)):
        raise EmptyRequestError("Nothing to triage: the message has no text of its own.")
    readings = read_message(cleaned, knowledge, today)
    decision = decide_reasons(readings, cleaned.text, load_model(knowledge_dir))
    asks = [_apply_scope_notes(to_ask(reading, decision.verdict), account) for reading in readings]
    per_ask = decision.ask_verdicts or (None,) * len(asks)
    asks = [replace(ask, confidence=_confidence([ask], decision, learned)) for ask, learned in zip(asks, per_ask)]
    confidence = _confidence(asks, decision, decision.verdicts)
    verdict = strictest([ask.verdict for ask in asks])
    reasons: list[str] = []
    evidence: dict[str, list[str]] = {}
    for ask in sorted(asks, key=lambda a: -VERDICTS.index(a.verdict)):
        for reason in ask.reasons:
            if reason not in reasons:
                reasons.append(reason)
            evidence.setdefault(reason, [])
            evidence[reason] += [snippet for snippet in ask.evidence.get(reason, []) if snippet not in evidence[reason]]
    main_index = next(i for i, ask in enumerate(asks) if ask.verdict == verdict)
    main_ask = asks[main_index]
    unsure_about = reasons or list(decision.likeliest)
    checks = ([knowledge.catalogue.checks[reason] for reason in unsure_about[:MAX_CHECKS]]
              if confidence < CHECK_BELOW else [])
    slots = read_slots(text if isinstance(text, str) else str(text), cleaned.text, [r.text for r in readings],
                       [ask.evidence.get(ask.reasons[0], []) if ask.reasons else [] for ask in asks])
    topics_per_ask = [fitting_topics(reading.topic_weights, ask.reasons, knowledge, reading.text)
                      for reading, ask in zip(readings, asks)]
    plan = build_plan(verdict, asks, topics_per_ask, slots, day=working_days_ahead(today, 2).strftime("%A"),
                      seed=seed_of(cleaned.text), checks=checks)
    reply, tactics, tip = render_reply(plan, tone, knowledge)
    return TriageResult(verdict=verdict, reasons=reasons, evidence=evidence, asks=asks, reply=reply,
                        tactics=tactics, tip=tip, tone=tone, notes=list(cleaned.notes),
                        summary=_summary(main_ask.text), plan=plan, confidence=confidence, checks=checks)


def with_tone(result: TriageResult, tone: str, knowledge_dir: Path | None = None) -> TriageResult:
    """The same triage with its reply re-rendered in `tone` by the offline engine, from what its plan kept (the
    client's text is not needed, and may have been purged)."""
    if tone not in TONES:
        raise ValueError(f"tone must be one of {', '.join(TONES)}")
    plan = result.plan or ReplyPlan(verdict=result.verdict, topics=[], day="")
    if result.checks and not plan.checks:
        plan = replace(plan, checks=list(result.checks))
    reply, tactics, tip = render_reply(plan, tone, load_knowledge(knowledge_dir))
    return replace(result, reply=reply, tactics=tactics, tip=tip, tone=tone, writer="offline", model="", flags=[])
