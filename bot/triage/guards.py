"""The guards a model's draft passes before anyone sees it: its shape, a verdict no more lenient than the offline
triage allows, evidence that quotes the client verbatim, and no amount, price or date the request and the account
do not hold (replaced by a placeholder and flagged)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import replace
from typing import Any

from bot.triage import CHECK_BELOW, AccountContext, Reply, TriageResult
from bot.triage.engine import strictest
from bot.triage.knowledge import REASONS
from bot.triage.result import VERDICTS

MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_MONTH = (r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?"
          r"|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\b")
_NUMBER = r"\d+(?:,\d{3})*(?:\.\d+)?"
_DAY = r"(\d{1,2})(?:st|nd|rd|th)?"
DATES = re.compile(rf"(?i)\b{_DAY}\s+(?:of\s+)?({_MONTH})|\b({_MONTH})\s+{_DAY}\b"
                   r"|\b(\d{4})-(\d{2})-(\d{2})\b|\b(\d{1,2})[/.](\d{1,2})(?:[/.]\d{2,4})?\b")
AMOUNTS = re.compile(rf"(?i)[£$€]\s?{_NUMBER}(?:\s?(?:k|m|bn)\b)?"
                     rf"|\b{_NUMBER}\s?(?:k|m)?\s?(?:%|percent\b|per cent\b|pounds\b|dollars\b|euros\b|"
                     r"eur\b|usd\b|gbp\b)")
NUMBERS = re.compile(rf"(?i){_NUMBER}(?:\s?(?:k|m|bn)\b)?")
MULTIPLIERS = {"k": 1_000, "m": 1_000_000, "bn": 1_000_000_000}
REPLY_FIELDS = ("acknowledge", "reason", "alternative", "text")


class InvalidAnswer(ValueError):
    """The model's answer does not validate or breaks a guard it cannot be repaired under; the message names the
    kind only."""


def verdict_floor(offline: TriageResult) -> str | None:
    """The most lenient verdict a model may give: the offline one when the offline engine is confident, and at
    least `decline` when an ask matched a practice of the catalogue that declines; None when the model is free."""
    floors = [offline.verdict] if offline.confidence >= CHECK_BELOW else []
    floors += ["decline" for ask in offline.asks if ask.practice and ask.verdict == "decline"]
    return strictest(floors) if floors else None


def _value(number: str) -> float | None:
    """The numeric value of `12,000`, `£12k`, `1.5m`; None when it is not a number."""
    match = NUMBERS.search(number)
    if match is None:
        return None
    token = match.group().lower().replace(",", "").replace(" ", "")
    suffix = next((s for s in ("bn", "k", "m") if token.endswith(s)), "")
    try:
        return float(token[: len(token) - len(suffix)]) * MULTIPLIERS.get(suffix, 1)
    except ValueError:
        return None


def _day_months(match: re.Match) -> set[tuple[int, int]]:
    """The (day, month) pairs a date may mean; a numeric date is read both ways round."""
    groups = match.groups()
    if groups[0]:
        return {(int(groups[0]), MONTHS.index(groups[1][:3].lower()) + 1)}
    if groups[2]:
        return {(int(groups[3]), MONTHS.index(groups[2][:3].lower()) + 1)}
    if groups[4]:
        return {(int(groups[6]), int(groups[5]))}
    first, second = int(groups[7]), int(groups[8])
    return {(first, second), (second, first)}


def _known(sources: Iterable[str]) -> tuple[set[float], set[tuple[int, int]]]:
    values: set[float] = set()
    dates: set[tuple[int, int]] = set()
    for source in sources:
        values |= {value for match in NUMBERS.finditer(source) if (value := _value(match.group())) is not None}
        for match in DATES.finditer(source):
            dates |= _day_months(match)
    return values, dates


def replace_invented(draft: str, sources: Iterable[str]) -> tuple[str, list[str]]:
    """The draft with each amount, price or date that none of `sources` holds replaced by `[price]` or `[date]`,
    and one flag per replacement."""
    values, dates = _known(sources)
    flags: list[str] = []

    def date_or_placeholder(match: re.Match) -> str:
        if _day_months(match) & dates:
            return match.group()
        flags.append(f"The model wrote the date \"{match.group()}\", which neither the request nor the account "
                     "gives: replaced with [date]; fill it in.")
        return "[date]"

    def amount_or_placeholder(match: re.Match) -> str:
        if _value(match.group()) in values:
            return match.group()
        flags.append(f"The model wrote the amount \"{match.group().strip()}\", which neither the request nor the "
                     "account gives: replaced with [price]; fill it in.")
        return "[price]"

    return AMOUNTS.sub(amount_or_placeholder, DATES.sub(date_or_placeholder, draft)), flags


def _flat(text: str) -> str:
    return " ".join(text.split())


def _strings(value: Any) -> list[str]:
    return [item for item in value if isinstance(item, str) and item.strip()] if isinstance(value, list) else []


def _reply(value: Any) -> dict[str, str]:
    if isinstance(value, str):
        value = {"text": value}
    if not isinstance(value, dict) or not isinstance(value.get("text"), str) or not value["text"].strip():
        raise InvalidAnswer("no reply text")
    return {name: part if isinstance(part := value.get(name), str) else "" for name in REPLY_FIELDS}


def guarded(offline: TriageResult, answer: Any, text: str, account: AccountContext | None,
            known_tactics: Iterable[str] = ()) -> TriageResult:
    """The offline triage with the model's verdict, reasons, evidence and reply, once each guard holds; raises
    `InvalidAnswer` when the answer has not the triage's shape or is more lenient than `verdict_floor` allows. Only
    tactics among `known_tactics` are kept; none left, the offline triage's."""
    if not isinstance(answer, dict) or answer.get("verdict") not in VERDICTS:
        raise InvalidAnswer("not a triage")
    verdict = answer["verdict"]
    floor = verdict_floor(offline)
    if floor is not None and strictest([verdict, floor]) != verdict:
        raise InvalidAnswer("more lenient than the offline triage allows")
    reply = _reply(answer.get("reply"))
    reasons = [reason for reason in _strings(answer.get("reasons")) if reason in REASONS]
    if floor is not None or (verdict != "accept" and not reasons):
        reasons = list(dict.fromkeys([*offline.reasons, *reasons]))
    if verdict == "accept":
        reasons = []
    client = _flat(text)
    said = answer["evidence"] if isinstance(answer.get("evidence"), dict) else {}
    quoted = {reason: [quote for quote in _strings(said.get(reason)) if _flat(quote) in client] for reason in reasons}
    evidence = {reason: list(dict.fromkeys([*offline.evidence.get(reason, []), *quoted[reason]])) for reason in reasons}
    sources = [text, *([account.name, account.scope_notes, *account.pushbacks] if account else [])]
    flags: list[str] = []
    checked = {}
    for name in REPLY_FIELDS:
        checked[name], found = replace_invented(reply[name], sources)
        flags += [flag for flag in found if flag not in flags]
    tip, tip_flags = (replace_invented(answer["tip"], sources) if isinstance(answer.get("tip"), str)
                      else (offline.tip, []))
    tactics = [tactic for tactic in _strings(answer.get("tactics")) if tactic in known_tactics] or offline.tactics
    return replace(offline, verdict=verdict, reasons=reasons, evidence=evidence, reply=Reply(**checked),
                   tactics=tactics, tip=tip, flags=[*flags, *(flag for flag in tip_flags if flag not in flags)])
