"""The literal prefixes a cue's pattern must start with are read from the pattern's text with public means only,
soundly (every match starts with one of them), and for every pattern the knowledge files ship."""

from __future__ import annotations

import re

import pytest

from bot.triage.knowledge import load_knowledge
from bot.triage.practices import term_prefixes
from bot.triage.words import WordStarts, literal_prefixes


@pytest.mark.parametrize(("pattern", "expected"), [
    (r"\bfree\b", {"free"}),
    (r"\b(make|making)\b", {"make", "maki"}),
    (r"\b(paying|paid|pay)\b", {"payi", "paid", "pay"}),
    (r"\bcut(s|ting)?\b", {"cut"}),
    (r"\b(a |an )?(summer|easter)\b", {"a ", "an ", "summ", "east"}),
    (r"\b\d{2}\s?%", set("0123456789")),
    (r"\b[0-9]+ days", set("0123456789")),
    (r"\b(fake|made[- ]up) reviews\b|\bsock ?puppets?\b", {"fake", "made", "sock"}),
    (r"\b(bought|buy)\b(?!\s+one)", {"boug", "buy"}),
    (r"\b(?:we|they) (?P<verb>need|want)", {"we ", "they"}),
    (r"\b(ab)+c", {"ab"}),
    (r"\b(ab)*c", {"ab", "c"}),
    (r"\bx+y", {"x"}),
])
def test_prefixes_are_read_from_the_patterns_text(pattern, expected):
    assert literal_prefixes(pattern) == frozenset(expected)


@pytest.mark.parametrize("pattern", [
    r"free\b", r"\b\w+ free", r"\b[a-z]+", r"\b(?i)free", r"\b(a)\1", r"\b\x41bc", r"\b(-|\+)\d", r"\bfree|now",
    r"\b(?<=x)free", r"\b.free", r"\b[^x]yz", r"\bfoo(?i:bar)", r"\b(a)(?(1)b|c)", r"\bab)",
])
def test_a_pattern_whose_start_cannot_be_read_runs_without_the_shortcut(pattern):
    assert literal_prefixes(pattern) is None


def test_repeated_groups_give_prefixes_that_every_match_starts_with():
    for pattern, text in [(r"\b(ab)+c", "xx ababc"), (r"\b(ab)*c", "ababc and c"), (r"\bx+y", "xxy")]:
        prefixes = literal_prefixes(pattern)
        for match in re.finditer(pattern, text, re.IGNORECASE):
            assert any(text[match.start():].lower().startswith(prefix) for prefix in prefixes), (pattern, match)


def test_every_shipped_cue_and_mitigation_has_prefixes():
    knowledge = load_knowledge()
    unread = [cue.pattern.pattern for cue in knowledge.cues if cue.prefixes is None]
    unread += [item.pattern.pattern for item in knowledge.mitigations if item.prefixes is None]
    assert len(unread) <= 4, unread


@pytest.mark.parametrize(("term", "expected"), [
    ("re:\\bfrom\\s+\\S*\\d", {"from"}),
    ("re:(?:\\byour\\s+(?:\\w+\\s+)?(?:designer|developer)s?\\b)", {"your"}),
    ("re:\\b(?:you|your)\\b", {"you"}),
    ("re:\\#ad(?!\\w)", None),
    ("re:(?:\\b(?-i:[A-Z])\\w+'s\\b)", None),
    ("backdat*", {"back"}),
    ("#sponsored", None),
])
def test_catalogue_terms_raw_expressions_included_are_indexed_by_their_first_letters(term, expected):
    assert term_prefixes(term) == (None if expected is None else frozenset(expected))


def test_indexing_the_catalogues_terms_by_prefix_loses_no_term_group():
    """Terms, raw `re:` expressions included, are tried only where a word with their first letters starts; on real
    asks that finds the same term groups as trying every term everywhere."""
    catalogue = load_knowledge().catalogue
    texts = [example for practice in catalogue.practices.values() for example in practice.examples]
    texts += ["Could you change the CTR from 1.2% to 2.1% on slide 4?", "Your media buyer, could we hire her?",
              "Under £5,000 so it skips procurement, please split it", "Send us what Acme's paying you per month"]
    for text in texts:
        indexed = WordStarts(text)
        everywhere = WordStarts(text + "\u0130")  # a character whose lowercase form is longer: no index applies
        assert not everywhere.aligned
        found = {group for group, hits in catalogue.found_terms(indexed).items() if hits}
        scanned = {group for group, hits in catalogue.found_terms(everywhere).items()
                   if any(hit.start() < len(text) for hit in hits)}
        assert scanned <= found, text
