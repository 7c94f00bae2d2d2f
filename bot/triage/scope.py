"""Reading an account's scope notes: is an ask covered by the contract, or explicitly excluded?"""

from __future__ import annotations

import re

_WORDS = re.compile(r"[a-z][a-z-]{2,}")
_EXCLUDED = re.compile(r"\b(excludes?|excluding|not included|not covered|out of scope|does not include|"
                       r"doesn'?t include|except)\b:?\s*([^.\n]+)", re.IGNORECASE)
_STOP = {"the", "and", "for", "with", "our", "your", "you", "can", "could", "also", "please", "any", "all", "new",
         "page", "pages", "site", "website", "would", "like", "add", "make", "this", "that", "more", "per", "month",
         "included", "include", "includes", "covered", "covers", "scope", "not", "are", "but"}


_STEM = 6


def _terms(text: str) -> set[str]:
    """Content words of `text`, cut to a common stem so "translate" meets "translations"."""
    return {word[:_STEM] for word in _WORDS.findall(text.lower()) if word not in _STOP}


def _split_notes(notes: str) -> tuple[str, list[str]]:
    excluded = [match.group(2) for match in _EXCLUDED.finditer(notes)]
    covered = _EXCLUDED.sub(" ", notes)
    return covered, excluded


def covered_by(ask: str, notes: str) -> bool:
    """True when the ask names something the notes say the contract covers."""
    covered, excluded = _split_notes(notes)
    ask_terms = _terms(ask)
    if any(ask_terms & _terms(part) for part in excluded):
        return False
    return bool(ask_terms & _terms(covered))


def excluded_by(ask: str, notes: str) -> str | None:
    """The notes' words that exclude what the ask names, or None."""
    _covered, excluded = _split_notes(notes)
    ask_terms = _terms(ask)
    for part in excluded:
        if ask_terms & _terms(part):
            return part.strip()
    return None
