"""The catalogue of unfair and unethical practices (`data/triage/practices.toml`): what each is, why it is wrong,
the lawful route to the client's goal, and how to recognise it from what is asked for.

A practice is recognised from the object and the action, not from one trigger phrase: each rule names term groups
(an action such as "re-date", an object such as "invoice", a purpose such as "last financial year"), and the rule
holds when every group has a term in the same ask, the first two (the action and its object) close together, the
action not ruled out by a negation just before it ("don't change the CTR"), and none of the practice's `unless`
groups (a genuine error, an opt-in) there outside the words the rule matched. So "date the January invoice 28 December
instead" and "can the invoice say last year" meet the same rule without either phrase being listed."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from bot.triage.words import PREFIX_LENGTH, WordStarts, literal_prefixes

PRACTICE_KEYS = ("reason", "what", "why", "lawful_route", "tip", "rules", "examples")
MAX_GAP_WORDS = 4
PROXIMITY = 80  # characters: a rule's action and its object must be this close
_GAP = rf"(?:\W+\w+){{0,{MAX_GAP_WORDS}}}?\W+"


class PracticeError(ValueError):
    """The catalogue is malformed; the message names the file, the line and the problem."""


@dataclass(frozen=True)
class Practice:
    """One practice: its reason label, the client-facing why and lawful route, a coaching tip, and how to see it."""

    name: str
    reason: str
    what: str
    why: str
    lawful_route: str
    tip: str
    rules: tuple[tuple[str, ...], ...]
    unless: tuple[str, ...]
    examples: tuple[str, ...]


@dataclass(frozen=True)
class Sighting:
    """A practice seen in an ask, with the client's words that showed it."""

    practice: Practice
    evidence: str


def term_pattern(term: str) -> str:
    """The regular expression for one catalogue term: words at word boundaries, each with its plain inflections, any
    run of spaces or hyphens between them, `*` at the end of a word for any ending ("invoice*": invoices,
    invoiced), `...` for up to four words in between ("make ... look"), or a raw expression after `re:`."""
    if term.startswith("re:"):
        return f"(?:{term[3:]})"
    body = term.strip()
    pieces = [r"[\s-]+".join(_word_pattern(word) for word in part.split()) for part in body.split("...")]
    pattern = _GAP.join(piece for piece in pieces if piece)
    start = r"(?<!\w)" if body[:1].isalnum() else ""
    end = r"(?!\w)" if body[-1:].isalnum() else ""
    return f"{start}{pattern}{end}"


def term_prefixes(term: str) -> frozenset[str] | None:
    """The lowercase texts (up to four letters) one of which every match of `term` starts with, at the start of a
    word; None when that cannot be said (a term or expression that starts with a symbol, or an expression the
    prefix reader does not know). No prefix in the set starts another, so a word start is tried once."""
    if term.startswith("re:"):
        prefixes = literal_prefixes(term[3:])
        if prefixes is None:
            return None
        return frozenset(prefix for prefix in prefixes
                         if not any(other != prefix and prefix.startswith(other) for other in prefixes))
    prefix = term_prefix(term)
    return None if prefix is None else frozenset({prefix})


def term_prefix(term: str) -> str | None:
    """The lowercase letters (up to four) every match of a plain `term` starts with, at the start of a word; None
    for a raw expression or a term that does not start with a letter or digit."""
    if term.startswith("re:") or not term[:1].isalnum():
        return None
    first = term.split()[0].split("...")[0].lower()
    if first.endswith("*"):
        first = first[:-1]
    elif len(first) >= 3 and first.isalpha() and first.endswith("e"):
        first = first[:-1]
    return first[:PREFIX_LENGTH] or None


def _word_pattern(word: str) -> str:
    """One word of a term: any ending when it ends in `*`; else the word and its plain inflections (a word of three
    or more letters also matches with -s, -es, -ed, -d or -ing: "offer" finds "offered", "quote" finds "quotes"
    and "quoting")."""
    if word.endswith("*"):
        return re.escape(word[:-1]) + r"\w*"
    if len(word) < 3 or not word.isalpha():
        return re.escape(word)
    if word.endswith("e"):
        return re.escape(word[:-1]) + "(?:e|es|ed|ing)"
    return re.escape(word) + "(?:s|es|ed|ing)?"


class _Catalogue:
    """The parsed file, able to say where a problem is."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            self.text = path.read_text(encoding="utf-8")
            self.data = tomllib.loads(self.text)
        except OSError as error:
            raise PracticeError(f"{path}: cannot read ({error.strerror})") from None
        except tomllib.TOMLDecodeError as error:
            raise PracticeError(f"{path}: {error}") from None

    def fail(self, needle: str, problem: str) -> PracticeError:
        index = self.text.find(needle)
        line = self.text.count("\n", 0, index) + 1 if index >= 0 else 1
        return PracticeError(f"{self.path} line {line}: {problem}")


@dataclass(frozen=True)
class _TermIndex:
    """Term patterns by group, indexed by the first letters of the words they start with."""

    by_prefix: dict[str, tuple[tuple[str, re.Pattern], ...]]
    prefixes: frozenset[str]
    unindexed: tuple[tuple[str, re.Pattern], ...]

    def found(self, starts: WordStarts) -> dict[str, list[re.Match]]:
        """Every group's terms found in `starts.text` (see `Catalogue.found_terms`)."""
        text = starts.text
        found: dict[str, list[re.Match]] = {}
        if starts.aligned:
            for prefix in starts.present & self.prefixes:
                for position in starts.positions[prefix]:
                    for group, pattern in self.by_prefix[prefix]:
                        if hit := pattern.match(text, position):
                            found.setdefault(group, []).append(hit)
            scanned = self.unindexed
        else:
            scanned = tuple((group, pattern) for terms in self.by_prefix.values() for group, pattern in terms)
            scanned += self.unindexed
        for group, pattern in scanned:
            found.setdefault(group, []).extend(pattern.finditer(text))
        for hits in found.values():
            hits.sort(key=lambda hit: (hit.start(), -hit.end()))
        return found


@dataclass(frozen=True)
class Catalogue:
    """The practices, the names of the term groups, and the groups' terms compiled and indexed by their first
    letters (`by_prefix`; raw expressions and terms that start with a symbol in `unindexed`)."""

    practices: dict[str, Practice]
    groups: frozenset[str]
    checks: dict[str, str]
    by_prefix: dict[str, tuple[tuple[str, re.Pattern], ...]] = field(default_factory=dict)
    unindexed: tuple[tuple[str, re.Pattern], ...] = ()
    indexed_prefixes: frozenset[str] = field(init=False, repr=False, compare=False)
    circumstances: _TermIndex = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "indexed_prefixes", frozenset(self.by_prefix))
        wanted = {group for practice in self.practices.values() for rule in practice.rules for group in rule[2:]}
        by_prefix = {prefix: kept for prefix, terms in self.by_prefix.items()
                     if (kept := tuple(term for term in terms if term[0] in wanted))}
        object.__setattr__(self, "circumstances", _TermIndex(
            by_prefix, frozenset(by_prefix), tuple(term for term in self.unindexed if term[0] in wanted)))

    def found_terms(self, starts: WordStarts) -> dict[str, list[re.Match]]:
        """Every group's terms found in `starts.text`, by group, in order (at most one hit per group where a word
        starts). A term that starts with a literal word is tried only where a word with its first letters starts
        (`WordStarts`), with the group's other terms of the same first letters, which keeps a 1 KB ask to a few
        hundred short matches instead of every group's alternation at every character."""
        return _TermIndex(self.by_prefix, self.indexed_prefixes, self.unindexed).found(starts)

    def found_circumstances(self, starts: WordStarts) -> dict[str, list[re.Match]]:
        """`found_terms` for the groups rules use as circumstances (their third and further groups) only: what
        `recognise` looks for `around` an ask."""
        return self.circumstances.found(starts)

    def recognise(self, text: str, negated: Callable[[str, int], bool], starts: WordStarts | None = None,
                  around: dict[str, list[re.Match]] | None = None) -> list[Sighting]:
        """The practices `text` (one ask) asks for, in catalogue order. A rule's first two groups (the action and
        its object) must meet within `PROXIMITY` characters ("bump the font size up" is not "bump the results up"
        when the results are a sentence away). `negated(text, start)` says whether a term found at `start` is ruled
        out by the words before it; only a rule's first group (its action) and the `unless` groups are read that
        way, since the other groups often carry a negation of their own ("none of them opted in", "it doesn't need
        to be accurate"). A rule's further groups (the circumstances: "they never opted in", "we haven't tested
        it") may also be found `around` the ask, in the rest of the message (`found_terms` of the whole message),
        since a client often gives them in the next sentence."""
        terms = self.found_terms(starts or WordStarts(text))
        pairs: dict[tuple[str, str], tuple[re.Match, re.Match] | None] = {}
        affirmed_hits: dict[str, list[re.Match]] = {}

        def affirmed(group: str) -> list[re.Match]:
            if group not in affirmed_hits:
                affirmed_hits[group] = [hit for hit in terms.get(group, ()) if not negated(text, hit.start())]
            return affirmed_hits[group]

        def pair(action: str, target: str) -> tuple[re.Match, re.Match] | None:
            if (action, target) not in pairs:
                pairs[action, target] = next(
                    ((hit, near) for hit in affirmed(action) for near in terms.get(target, ())
                     if abs(near.start() - hit.start()) <= PROXIMITY), None)
            return pairs[action, target]

        sightings = []
        for practice in self.practices.values():
            for rule in practice.rules:
                if len(rule) == 1:
                    hits: list[re.Match | None] = [next(iter(affirmed(rule[0])), None)]
                else:
                    found = pair(rule[0], rule[1])
                    hits = [*(found or (None, None)),
                            *(next(iter(terms.get(group, ())), None) for group in rule[2:])]
                    if found and around and not all(hits):
                        hits[2:] = [hit or next(iter(around.get(group, ())), None)
                                    for hit, group in zip(hits[2:], rule[2:])]
                if not all(hits):
                    continue
                spans = [hit.span() for hit in hits[:2] if hit]
                asked = [hit.span() for group in rule for hit in terms.get(group, ())]
                if any(_outside(terms.get(group, ()), text, asked, negated) for group in practice.unless):
                    continue
                sightings.append(Sighting(practice, _sentence_around(text, min(spans)[0])))
                break
        return sightings



def _outside(hits: list[re.Match] | tuple, text: str, spans: list[tuple[int, int]],
             negated: Callable[[str, int], bool]) -> bool:
    """Whether one of an `unless` group's `hits` is not negated and not part of a term of the rule's groups ("#ad"
    inside "leave off #ad" does not count as a disclosure, nor "exclude" as an opt-out where it is the action)."""
    for hit in hits:
        inside = any(start < hit.end() and hit.start() < end for start, end in spans)
        if not inside and not negated(text, hit.start()):
            return True
    return False


_SENTENCE_BREAK = re.compile(r"[.!?\n](?:\s|$)")


def _sentence_around(text: str, index: int) -> str:
    """The sentence of `text` that holds position `index`."""
    start = 0
    for found in _SENTENCE_BREAK.finditer(text, 0, index):
        start = found.end()
    end_match = _SENTENCE_BREAK.search(text, index)
    end = end_match.start() + 1 if end_match else len(text)
    return text[start:end].strip()[:160]


def _strings(file: _Catalogue, value: Any, needle: str, what: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not value or not all(isinstance(item, str) and item for item in value):
        raise file.fail(needle, f"{what} must be a non-empty list of strings")
    return tuple(value)


@lru_cache(maxsize=8)
def load_catalogue(path: Path, reasons: tuple[str, ...]) -> Catalogue:
    """Load and validate the catalogue at `path`; `reasons` are the labels a practice may carry. Cached."""
    file = _Catalogue(path)
    terms = file.data.get("terms")
    if not isinstance(terms, dict) or not terms:
        raise file.fail("[terms]", "no [terms] table")
    by_prefix: dict[str, list[tuple[str, re.Pattern]]] = {}
    unindexed: list[tuple[str, re.Pattern]] = []
    for name, words in terms.items():
        listed = _strings(file, words, f"{name} =", f"term group {name!r}")
        try:
            indexed: dict[str, list[str]] = {}
            for term in listed:
                prefixes = term_prefixes(term)
                if prefixes is None:
                    unindexed.append((name, re.compile(term_pattern(term), re.IGNORECASE)))
                for prefix in prefixes or ():
                    indexed.setdefault(prefix, []).append(term_pattern(term))
            for prefix, patterns in indexed.items():
                by_prefix.setdefault(prefix, []).append((name, re.compile("|".join(patterns), re.IGNORECASE)))
        except re.error as error:
            raise file.fail(f"{name} =", f"term group {name!r} has a bad term ({error})") from None
    practices: dict[str, Practice] = {}
    for name, entry in (file.data.get("practices") or {}).items():
        needle = f"[practices.{name}]"
        for key in PRACTICE_KEYS:
            if key not in entry:
                raise file.fail(needle, f"practice {name!r} is missing {key!r}")
        if entry["reason"] not in reasons:
            raise file.fail(needle, f"practice {name!r}: unknown reason {entry['reason']!r}")
        rules = entry["rules"]
        if not isinstance(rules, list) or not rules:
            raise file.fail(needle, f"practice {name!r}: rules must be a non-empty list of lists of term groups")
        checked_rules = tuple(_strings(file, rule, needle, f"a rule of {name!r}") for rule in rules)
        unless = tuple(entry.get("unless", []))
        for group in {group for rule in checked_rules for group in rule} | set(unless):
            if group not in terms:
                raise file.fail(needle, f"practice {name!r} names the unknown term group {group!r}")
        for key in ("what", "why", "lawful_route", "tip"):
            if not isinstance(entry[key], str) or not entry[key].strip():
                raise file.fail(needle, f"practice {name!r}: {key!r} must be a non-empty text")
        practices[name] = Practice(name, entry["reason"], entry["what"], entry["why"], entry["lawful_route"],
                                   entry["tip"], checked_rules, unless,
                                   _strings(file, entry["examples"], needle, f"the examples of {name!r}"))
    if not practices:
        raise file.fail("[practices", "no [practices.NAME] tables")
    checks = file.data.get("checks") or {}
    for reason in reasons:
        if not isinstance(checks.get(reason), str) or not checks[reason].strip():
            raise file.fail("[checks]", f"[checks] needs a question for {reason!r}")
    return Catalogue(practices, frozenset(terms), {reason: checks[reason] for reason in reasons},
                     {prefix: tuple(found) for prefix, found in by_prefix.items()}, tuple(unindexed))
