"""Scoring an engine on labelled requests (`pushback eval`, the quality tests and the benchmarks): the figures of
`../shared/eval/score.py` (verdict accuracy, reason macro-F1, decline recall, let-through, waved-through, false
alarm) and two of the reply checks of `../shared/eval/replies.py` (specific, greeted)."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from typing import Any

from bot.triage import REASONS, EmptyRequestError, TriageResult, triage

STOP = frozenset("""a an the and or but if then so to of in on at by for with from up about into over after before this
that these those it its is are was were be been being do does did can could would should will shall may might must we
you i our your my me us they them their he she his her please thanks thank hi hello hey just also any some all more
less not no yes as than too very really there here what which who when where why how get got make made need needs want
wants like one two let know see send sent today tomorrow week day time""".split())
SIGNOFF = re.compile(r"(?im)^\s*(?:thanks|thank you|many thanks|cheers|best|best regards|regards|kind regards|"
                     r"warm regards|thx|ta)\s*[,!.]?\s*(?:\n\s*|\s+|-\s*)([A-Z][a-z]{2,})\b")
WHEN = re.compile(r"(?i)\b(monday|tuesday|wednesday|thursday|friday|saturday|sunday|january|february|march|april|may|"
                  r"june|july|august|september|october|november|december|eod|tonight|tomorrow)\b")
Engine = Callable[[str, date], TriageResult]


def predict(cases: list[dict[str, Any]], engine: Engine, default_today: date) -> list[dict[str, Any]]:
    """Each case triaged by `engine` as of its `today` (else `default_today`), as the triage's JSON; a message
    with nothing to triage reads as a plain accept."""
    results = []
    for case in cases:
        today = date.fromisoformat(case["today"]) if case.get("today") else default_today
        try:
            results.append(engine(case["text"], today).to_dict())
        except EmptyRequestError as error:
            results.append({"error": str(error), "verdict": "accept", "reasons": [], "confidence": 1.0})
    return results


def offline_engine(text: str, today: date) -> TriageResult:
    """The offline triage, as an `Engine`."""
    return triage(text, today=today)


def _share(part: int, whole: int) -> float:
    return part / max(1, whole)


def verdict_figures(cases: list[dict[str, Any]], predictions: list[dict[str, Any]]) -> dict[str, Any]:
    """Verdict accuracy, reason macro-F1 (over the labels the cases use), decline recall, how many must-declines
    were let through (accepted, with or without conditions), the share of needed no's waved through with a plain
    accept, and the share of acceptable requests pushed back on or declined."""
    counts = {label: [0, 0, 0] for label in REASONS}
    for case, predicted in zip(cases, predictions):
        gold, said = set(case["reasons"]), set(predicted.get("reasons") or [])
        for label in REASONS:
            counts[label][0] += label in gold and label in said
            counts[label][1] += label not in gold and label in said
            counts[label][2] += label in gold and label not in said
    f1s = [2 * tp / (2 * tp + fp + fn) if tp else 0.0 for tp, fp, fn in counts.values() if tp + fn]
    pairs = [(case["verdict"], predicted.get("verdict")) for case, predicted in zip(cases, predictions)]
    declines = [said for gold, said in pairs if gold == "decline"]
    needs_no = [said for gold, said in pairs if gold in ("push_back", "decline")]
    acceptable = [said for gold, said in pairs if gold == "accept"]
    return {"n": len(cases), "verdict_accuracy": _share(sum(gold == said for gold, said in pairs), len(pairs)),
            "reason_macro_f1": sum(f1s) / max(1, len(f1s)),
            "decline_recall": _share(declines.count("decline"), len(declines)),
            "let_through": sum(said in ("accept", "accept_with_conditions") for said in declines),
            "waved_through": _share(needs_no.count("accept"), len(needs_no)),
            "false_alarm": _share(sum(said in ("push_back", "decline") for said in acceptable), len(acceptable))}


def _sentences(text: str) -> list[str]:
    return [sentence.strip() for sentence in re.split(r"(?<=[.!?])\s+|\n+", text) if sentence.strip()]


def is_specific(request: str, reply: str) -> bool:
    """Whether the reply echoes the request: a number, date or amount, a weekday or month, or two content words in
    a row."""
    lowered = reply.lower()
    for token in re.findall(r"[£$€]?\d[\d,.:]*\s?(?:%|k|m|am|pm)?", request):
        token = token.strip().rstrip(".,")
        if len(token) >= 2 and token.lower() in lowered:
            return True
    if any(when.lower() in lowered for when in WHEN.findall(request)):
        return True
    words = [word.strip(".,") for word in
             re.findall(r"[a-z0-9£$€%][a-z0-9'£$€%.,-]*[a-z0-9%]|[a-z]", request.lower())]
    return any(first not in STOP and second not in STOP and len(first) > 2 and len(second) > 2
               and f"{first} {second}" in lowered for first, second in zip(words, words[1:]))


def reply_figures(cases: list[dict[str, Any]], predictions: list[dict[str, Any]]) -> dict[str, Any]:
    """The share of replies needing a condition or a no that are specific to the request, and the share of
    requests signed with a first name whose reply greets that name in its first sentence."""
    texts = [(case["text"], (predicted.get("reply") or {}).get("text", ""), predicted.get("verdict"))
             for case, predicted in zip(cases, predictions)]
    non_accept = [(request, reply) for request, reply, verdict in texts if verdict not in (None, "accept")]
    named = [(match.group(1), reply) for request, reply, _verdict in texts
             if (match := SIGNOFF.search(request)) and match.group(1).lower() not in STOP]
    greeted = [name for name, reply in named if re.search(rf"\b{name}\b", (_sentences(reply) or [""])[0])]
    return {"specific": _share(sum(is_specific(request, reply) for request, reply in non_accept), len(non_accept)),
            "greeted": _share(len(greeted), len(named))}


def evaluate(cases: list[dict[str, Any]], engine: Engine, default_today: date) -> dict[str, Any]:
    """Every figure for `engine` on the labelled `cases`."""
    predictions = predict(cases, engine, default_today)
    return {**verdict_figures(cases, predictions), **reply_figures(cases, predictions)}


class CasesError(ValueError):
    """The labelled file cannot be read; the message names the line and what is wrong."""


def load_cases(text: str) -> list[dict[str, Any]]:
    """Labelled cases from JSON lines with `text`, `verdict` and `reasons` (and optionally `id`, `today`)."""
    import json

    cases = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            case = json.loads(line)
        except json.JSONDecodeError:
            raise CasesError(f"line {number} is not JSON") from None
        if (not isinstance(case, dict) or not isinstance(case.get("text"), str)
                or case.get("verdict") not in ("accept", "accept_with_conditions", "push_back", "decline")
                or not isinstance(case.get("reasons"), list)):
            raise CasesError(f'line {number} needs "text", a "verdict" (accept, accept_with_conditions, push_back or '
                             'decline) and a list of "reasons"')
        if case.get("today"):
            try:
                date.fromisoformat(case["today"])
            except (TypeError, ValueError):
                raise CasesError(f'line {number}: "today" must be a date, YYYY-MM-DD') from None
        cases.append(case)
    if not cases:
        raise CasesError("the file holds no cases")
    return cases


FIGURES = ("n", "verdict_accuracy", "reason_macro_f1", "decline_recall", "let_through", "waved_through",
           "false_alarm", "specific", "greeted")


def report(figures: dict[str, Any], engine: str) -> str:
    """The figures as lines for a terminal, three decimals each."""
    lines = [f"engine: {engine}"]
    lines += [f"{name}: {figures[name] if isinstance(figures[name], int) else f'{figures[name]:.3f}'}"
              for name in FIGURES]
    return "\n".join(lines)
