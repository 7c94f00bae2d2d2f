"""Splitting the new text of a message into asks: bullet and numbered items, and request sentences with the
context sentences around them."""

from __future__ import annotations

import re

MAX_ASKS = 20

_BULLET = re.compile(r"^\s*(?:[-*\u2022\u00b7\u25aa\u2013]|\(?\d{1,2}[.):]|\(?[a-hA-H][.)])\s+")
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"')\]]*\s+(?=[\"'(\[]?[A-Z0-9@#])")
_REQUEST = re.compile(
    r"\?\s*$|^\s*(please|pls|kindly|can|could|would|will|let'?s|lets|just|don'?t|also|oh,? and|"
    r"one (last|more) thing|and (can|could|would|make|add|also))\b|"
    r"^\s*(make|add|change|use|send|take|put|remove|fix|redo|do|tell|give|update|move|switch|launch|drop|skip|"
    r"need|ensure|get|create|build|design|print|copy|write|leave|post|position|include|cut|reduce|rework|pause|"
    r"stop|offer|hire|book|schedule|confirm|prepare|start|run|swap|keep|replace|set up|call|pay|waive|lower|"
    r"extend|deliver|ship|translate|refund|share|sell|buy|hide|remove|delete|publish|email|tag|target)\s+"
    r"(the|a|an|our|my|your|this|that|these|those|it|them|him|her|all|some|every|any|\d+|up|out|in|off|on|over|"
    r"back|me|us|down|away|more|less|another|two|three|four|five|ten)\b|"
    r"\b(can|could|would|will) (you|your|we|one of you|a few of you|someone)\b|\bplease\b|\b(we|i) (really )?"
    r"(need|want|would like|'d like|must|have to)\b|\b(we|i)'d (like|love)\b|\blet'?s\b|\bmust\b|\bhave to\b|"
    r"\bneeds? to\b|\bwe'?re (going|planning) to\b|\bwe expect\b",
    re.IGNORECASE,
)


def _segments(text: str) -> list[tuple[str, bool]]:
    """(segment, is_bullet) pairs: bullet items whole, other text split into sentences."""
    segments: list[tuple[str, bool]] = []
    paragraph: list[str] = []

    def flush():
        if paragraph:
            joined = " ".join(paragraph).strip()
            segments.extend((sentence.strip(), False) for sentence in _SENTENCE_END.split(joined) if sentence.strip())
            paragraph.clear()

    for line in text.split("\n"):
        if _BULLET.match(line):
            flush()
            item = _BULLET.sub("", line).strip()
            if item:
                segments.append((item, True))
        elif not line.strip():
            flush()
        else:
            paragraph.append(line.strip())
    flush()
    return segments


def is_request(sentence: str) -> bool:
    """True when a sentence asks for something, rather than only giving context."""
    return bool(_REQUEST.search(sentence))


def split_asks(text: str) -> list[str]:
    """The distinct asks in `text`, each with the context sentences that lead into or follow it."""
    segments = _segments(text)
    if not segments:
        return []
    asks: list[str] = []
    context: list[str] = []
    for segment, is_bullet in segments:
        if is_bullet or is_request(segment):
            asks.append(" ".join([*context, segment]))
            context = []
        else:
            context.append(segment)
    if not asks:
        return [" ".join(context)]
    if context:
        asks[-1] = " ".join([asks[-1], *context])
    if len(asks) > MAX_ASKS:
        asks = asks[: MAX_ASKS - 1] + [" ".join(asks[MAX_ASKS - 1:])]
    return asks
