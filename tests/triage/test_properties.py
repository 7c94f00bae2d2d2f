"""Property tests: any text gives a valid triage (or a clear "nothing to triage"), and the speed-ups that try
cues only where their literal prefixes start a word, and date patterns only on texts that could hold their dates,
never change what is found."""

import json
from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.triage import REASONS, TONES, VERDICTS, EmptyRequestError, clean_message, triage
from bot.triage import dates
from bot.triage.knowledge import DEFAULT_DIRECTORY, load_knowledge
from bot.triage.words import WordStarts

WORDS = st.sampled_from(["please", "add", "free", "page", "by", "Friday", "no", "not", "extra", "cost", "reviews",
                         "fake", "also", "launch", "40%", "off", "can", "you", "the", "logo", "bigger", "but",
                         "smaller", "weekend", "tomorrow", ">", "\n", "On Tue, Sam wrote:", "<@U1>", "&amp;", "?",
                         "🙏", "שלום", "日本語", "\u202e", "\x00"])
EXAMPLES = DEFAULT_DIRECTORY / "examples"
TEXTS = st.one_of(st.text(max_size=400), st.lists(WORDS, max_size=60).map(" ".join))


def _prefixed_patterns():
    knowledge = load_knowledge()
    return [(cue.pattern, cue.prefixes) for cue in knowledge.cues] + [
        (mitigation.pattern, mitigation.prefixes) for mitigation in knowledge.mitigations]


def _valid(result) -> None:
    assert result.verdict in VERDICTS and set(result.reasons) <= set(REASONS)
    assert set(result.evidence) == set(result.reasons)
    assert result.asks and all(ask.verdict in VERDICTS for ask in result.asks)
    assert VERDICTS.index(result.verdict) == max(VERDICTS.index(ask.verdict) for ask in result.asks)
    if result.verdict in ("push_back", "decline"):
        assert result.reply.reason.strip() and result.reply.alternative.strip()
    assert result.reply.text.strip() and result.tip.strip() is not None
    result.to_dict()


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(TEXTS, st.sampled_from(TONES))
def test_any_text_gives_a_valid_result_or_nothing_to_triage(text, tone):
    try:
        result = triage(text, tone=tone, today=date(2026, 11, 23))
    except EmptyRequestError:
        return
    _valid(result)


@settings(max_examples=200, deadline=None)
@given(TEXTS)
def test_cleaning_always_gives_valid_utf8(text):
    cleaned = clean_message(text)
    cleaned.text.encode("utf-8")
    cleaned.history.encode("utf-8")


@settings(max_examples=300, deadline=None)
@given(TEXTS)
def test_the_word_start_shortcut_finds_exactly_what_a_full_search_finds(text):
    starts = WordStarts(text)
    for pattern, prefixes in _prefixed_patterns():
        expected = pattern.search(text)
        found = starts.first_match(pattern, starts.where(prefixes))
        assert (found and found.span()) == (expected and expected.span()), pattern.pattern
        if expected:
            later = pattern.search(text, expected.end())
            again = starts.first_match(pattern, starts.where(prefixes), expected.end())
            assert (again and again.span()) == (later and later.span()), pattern.pattern


def _labelled_texts() -> list[str]:
    """The text of every labelled example the learned reader is trained on."""
    return [json.loads(line)["text"] for path in sorted(EXAMPLES.glob("*.jsonl"))
            for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


@pytest.mark.slow  # some 40 s (256 patterns in full over 9,500 texts): .ci/run runs it; the property test above is fast
def test_the_word_start_shortcut_agrees_with_a_full_search_on_every_labelled_example():
    texts = _labelled_texts()
    assert len(texts) > 1000
    patterns = _prefixed_patterns()
    for text in texts:
        starts = WordStarts(text)
        for pattern, prefixes in patterns:
            expected, found = pattern.search(text), starts.first_match(pattern, starts.where(prefixes))
            assert (found and found.span()) == (expected and expected.span()), (text, pattern.pattern)


def _index_agrees_with_each_pattern(text: str) -> None:
    """The index picks, for every cue and mitigation, the same places to try as its own prefixes give, and leaves
    out only those with none."""
    knowledge = load_knowledge()
    starts = WordStarts(text)
    for prefix_index, items in ((knowledge.cue_index, knowledge.cues),
                                (knowledge.mitigation_index, knowledge.mitigations)):
        chosen = dict(prefix_index.candidates(starts))
        assert [position for position, _ in prefix_index.candidates(starts)] == sorted(chosen)
        for position, item in enumerate(items):
            where = starts.where(item.prefixes)
            assert chosen.get(position, []) == where, (text, item.pattern.pattern)


@settings(max_examples=200, deadline=None)
@given(TEXTS)
def test_the_prefix_index_tries_each_pattern_where_its_own_prefixes_say(text):
    _index_agrees_with_each_pattern(text)


@pytest.mark.slow  # some 8 s: .ci/run runs it; the property test above is the default run's
def test_the_prefix_index_agrees_with_each_pattern_on_every_labelled_example():
    for text in _labelled_texts():
        _index_agrees_with_each_pattern(text)


DATE_WORDS = st.sampled_from(["by", "next", "on", "FRIDAY", "Monday", "tuesDAY", "in", "3", "two", "days", "working",
                              "day", "12th", "of", "March", "mar", "Dec", "2027", "2026-12-01", "today", "EOD", "week",
                              "\u0661\u0662", "\uff11", "\u0130", "\u017f", "D\u0041Y", ",", "."])
DATE_TEXTS = st.one_of(TEXTS, st.lists(DATE_WORDS, max_size=40).map(" ".join))


def _date_patterns_are_tried_wherever_they_match(text: str) -> None:
    """`days_until` skips its weekday and "in N days" patterns, and its day-month and ISO ones, where
    `could_name_days_or_numbers` says the text cannot hold their dates: that must never skip a match."""
    names_a_day, has_digit = dates.could_name_days_or_numbers(text)
    if dates._WEEKDAY.search(text) or dates._IN_DAYS.search(text):
        assert names_a_day, text
    if dates._DAY_MONTH.search(text) or dates._ISO.search(text):
        assert has_digit, text


@settings(max_examples=400, deadline=None)
@given(DATE_TEXTS)
def test_date_patterns_are_skipped_only_where_they_cannot_match(text):
    _date_patterns_are_tried_wherever_they_match(text)


def test_date_patterns_are_skipped_only_where_they_cannot_match_on_every_labelled_example():
    for text in _labelled_texts():
        _date_patterns_are_tried_wherever_they_match(text)
