"""The triage's knowledge: cues, context, the catalogue of practices, topics and reply framing, loaded once from
`data/triage/*.toml` and validated, so a domain expert can edit them without touching code."""

from __future__ import annotations

import re
import string
import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from bot.datafiles import TRIAGE_DIR
from bot.triage.practices import Catalogue, Practice, PracticeError, load_catalogue
from bot.triage.words import PREFIX_LENGTH, WordStarts, merged

REASONS = (
    "unreasonable", "illogical", "out_of_scope", "unethical_or_illegal", "misses_business_objectives",
    "misses_campaign_objectives", "jeopardises_other_work", "would_be_late", "strains_team_or_suppliers",
)
TONES = ("warm", "neutral", "firm")
TACTICS = ("better_solution", "their_reasoning", "rational_case", "fold_in_their_idea", "examples",
           "trusted_firepower")
DEFAULT_DIRECTORY = TRIAGE_DIR
TOPIC_KEYS = ("reason", "acknowledge", "because", "alternative", "tactics", "tip")
TOPIC_TEXT_KEYS = ("acknowledge", "because", "alternative", "alternative_one_off")
# Reply templates: the slots a request may fill (a variant that uses one is picked only when it is known), and
# those always known (the placeholders the account manager fills, and the parts the composer builds).
OPTIONAL_SLOTS = frozenset({"name", "object", "action", "deadline", "event", "amount", "free", "admission",
                            "complaint", "acknowledge"})
ALWAYS_SLOTS = frozenset({"because", "alternative", "day", "date", "price"})
# Tone texts that must always have a variant usable with no optional slot (the rest may all need one).
TONE_KEYS = ("greeting", "greeting_unnamed", "sign_off", "apology", "admission", "acknowledge", "acknowledge_plain",
             "acknowledge_decline", "yes", "yes_only", "accept_with_conditions", "push_back", "decline",
             "same_again", "alternative", "alternative_decline", "reassure", "close_options", "close_condition",
             "close_decline", "holding", "holding_alternative")
TONE_KEYS_ALWAYS = ("greeting_unnamed", "sign_off", "acknowledge_plain", "acknowledge_decline", "yes_only",
                    "accept_with_conditions", "push_back", "decline", "alternative", "alternative_decline",
                    "close_options", "close_condition", "close_decline", "holding", "holding_alternative")
REASON_KEYS = ("because", "alternative", "tactics", "tip", "upstream")
COACHING_KEYS = ("firepower", "holding")


class KnowledgeError(Exception):
    """A knowledge file is malformed; the message names the file, the line and the problem."""


@dataclass(frozen=True)
class Cue:
    """A pattern in a client's words that points to a reason.

    `prefixes`, when known, are lowercase strings (of at most four characters) one of which every match starts
    with, at the start of a word: the pattern is tried only where such a word starts, and not at all in an ask
    without one (the triage's main speed-up)."""

    reason: str
    pattern: re.Pattern
    weight: int
    topic: str | None
    negatable: bool
    prefixes: frozenset[str] | None = None


_DIGITS = frozenset("0123456789")
_QUANTIFIER = re.compile(r"\{(\d*)(?:,(\d*))?\}")
# A group's opening: lookarounds (group 1, which match nothing), named, non-capturing or plain groups.
_GROUP_OPENING = re.compile(r"\((?:(\?<?[=!])|\?P<\w+>|\?:)?")
_CONTROL_ESCAPES = {"n": "\n", "r": "\r", "t": "\t", "f": "\f", "v": "\v"}


class _Unsupported(Exception):
    """A construct the prefix reader does not know; the pattern then runs without the shortcut."""


# The prefix reader works on the pattern's own text, read as a sequence of items: ("lit", char), ("bound",) for
# `\b`, ("group", [alternative, ...]), ("repeat", least, [item]), ("set", chars) for a class of literal characters
# or `\d`, and ("other",) for anything else (which only ends a prefix). What it cannot read it refuses.
def _parse(pattern: str) -> list[tuple]:
    alternatives, end = _alternatives(pattern, 0)
    if end != len(pattern):
        raise _Unsupported("unmatched )")
    return alternatives[0] if len(alternatives) == 1 else [("group", alternatives)]


def _alternatives(pattern: str, index: int) -> tuple[list[list[tuple]], int]:
    """The `|`-separated sequences from `index` up to an unmatched `)` or the end, and where they stop."""
    alternatives = []
    while True:
        sequence, index = _sequence(pattern, index)
        alternatives.append(sequence)
        if index < len(pattern) and pattern[index] == "|":
            index += 1
            continue
        return alternatives, index


def _sequence(pattern: str, index: int) -> tuple[list[tuple], int]:
    items: list[tuple] = []
    while index < len(pattern) and pattern[index] not in "|)":
        char = pattern[index]
        if char in "*+?" or (char == "{" and _QUANTIFIER.match(pattern, index)):
            index = _quantify(pattern, index, items)
            continue
        if char == "(":
            opening = _GROUP_OPENING.match(pattern, index)
            if opening is None or pattern[opening.end():opening.end() + 1] == "?":  # inline flags, conditionals
                raise _Unsupported(pattern[index:index + 3])
            alternatives, index = _alternatives(pattern, opening.end())
            if index >= len(pattern):
                raise _Unsupported("unclosed group")
            looking = opening.group(1) is not None
            items.append(("other",) if looking else ("group", alternatives))
            index += 1
        elif char == "[":
            item, index = _character_set(pattern, index + 1)
            items.append(item)
        elif char == "\\":
            items.append(_escape(pattern[index + 1]))
            index += 2
        elif char in ".^$":
            items.append(("other",))
            index += 1
        else:
            items.append(("lit", char))
            index += 1
    return items, index


def _quantify(pattern: str, index: int, items: list[tuple]) -> int:
    """Apply the quantifier at `index` to the last item; where the pattern goes on."""
    if not items:
        raise _Unsupported("nothing to repeat")
    if pattern[index] == "{":
        found = _QUANTIFIER.match(pattern, index)
        assert found is not None
        least, index = int(found.group(1) or 0), found.end()
    else:
        least, index = (1 if pattern[index] == "+" else 0), index + 1
    if index < len(pattern) and pattern[index] in "?+":  # lazy or possessive: the same possible starts
        index += 1
    items[-1] = ("repeat", least, [items[-1]])
    return index


def _escape(char: str) -> tuple:
    if char == "b":
        return ("bound",)
    if char == "d":
        return ("set", _DIGITS)
    if char in "BwWsSDAZ":
        return ("other",)
    if char in _CONTROL_ESCAPES:
        return ("lit", _CONTROL_ESCAPES[char])
    if char.isalnum():  # backreferences, \x.., \u...., \N{...}: not read here
        raise _Unsupported("\\" + char)
    return ("lit", char)


def _character_set(pattern: str, index: int) -> tuple[tuple, int]:
    """A `[...]` starting after its `[`: the set of its characters when they are all literal (or it is `[\\d]`
    or `[0-9]`), else ("other",); and where the pattern goes on."""
    chars: set[str] = set()
    known = pattern[index:index + 1] != "^"
    first = index
    while index < len(pattern) and (pattern[index] != "]" or index == first):
        char = pattern[index]
        if char == "\\":
            escaped = pattern[index + 1]
            if escaped == "d":
                chars |= _DIGITS
            elif escaped.isalnum():
                known = False
            else:
                chars.add(escaped)
            index += 2
        elif pattern.startswith("0-9", index):
            chars |= _DIGITS
            index += 3
        elif char == "-" and index != first and pattern[index + 1:index + 2] != "]":
            known = False
            index += 1
        else:
            chars.add(char)
            index += 1
    if index >= len(pattern):
        raise _Unsupported("unclosed set")
    return (("set", frozenset(char.lower() for char in chars)) if known and chars else ("other",)), index + 1


def _leading_literals(items: list[tuple]) -> set[str] | None:
    """The lowercase strings (up to `PREFIX_LENGTH` characters) one of which every match of `items` starts
    with, or None when it cannot be said."""
    text = ""
    for position, item in enumerate(items):
        kind, rest = item[0], items[position + 1:]
        if kind == "bound" and not text:
            continue
        if kind == "lit":
            text += item[1].lower()
            if len(text) >= PREFIX_LENGTH:
                return {text}
            continue
        if text:
            return {text}
        if kind == "group":
            found: set[str] = set()
            for alternative in item[1]:
                prefixes = _leading_literals(alternative + rest)
                if not prefixes:
                    return None
                found |= prefixes
            return found
        if kind == "repeat":
            least, repeated = item[1], item[2]
            inside = _leading_literals(repeated + [("repeat", 0, repeated)] + rest)
            if least:
                return inside
            after = _leading_literals(rest)
            return inside | after if inside and after else None
        if kind == "set":
            return set(item[1])
        return None
    return {text} if text else None


def _at_word_boundary(items: list[tuple]) -> bool:
    """Whether every match of `items` starts with `\\b` (itself, or in each alternative of a leading group)."""
    if not items:
        return False
    if items[0] == ("bound",):
        return True
    return items[0][0] == "group" and all(_at_word_boundary(alternative) for alternative in items[0][1])


def literal_prefixes(pattern: str) -> frozenset[str] | None:
    """See `Cue.prefixes`: known only for a pattern that begins at a word boundary with literal text or digits.
    Read from the pattern's text with the constructs the knowledge files use; anything else gives None."""
    try:
        items = _parse(pattern)
    except (_Unsupported, IndexError):
        return None
    if not _at_word_boundary(items):
        return None
    prefixes = _leading_literals(items)
    if not prefixes or not all(prefix[:1].isalnum() for prefix in prefixes):
        return None
    return frozenset(prefixes)


class PrefixIndex:
    """Which of a list of patterns (by position) could match in a text: those with a literal prefix that starts
    a word there, and those without known prefixes. The rest need not be tried at all."""

    def __init__(self, prefix_sets: list[frozenset[str] | None]) -> None:
        self.size = len(prefix_sets)
        self.always = tuple(index for index, prefixes in enumerate(prefix_sets) if prefixes is None)
        by_prefix: dict[str, list[int]] = {}
        for index, prefixes in enumerate(prefix_sets):
            for prefix in prefixes or ():
                by_prefix.setdefault(prefix, []).append(index)
        self.by_prefix = {prefix: tuple(indexes) for prefix, indexes in by_prefix.items()}

    def candidates(self, starts: WordStarts) -> list[tuple[int, list[int] | None]]:
        """The patterns worth trying on `starts.text`, in order, each with where its matches can start (as
        `WordStarts.where` gives it, found here for all of them at once)."""
        if not starts.aligned:
            return [(index, None) for index in range(self.size)]
        found: dict[int, list[list[int]]] = {}
        for prefix in starts.present.intersection(self.by_prefix):
            for index in self.by_prefix[prefix]:
                found.setdefault(index, []).append(starts.positions[prefix])
        chosen: list[tuple[int, list[int] | None]] = [(index, None) for index in self.always]
        chosen += [(index, merged(lists)) for index, lists in found.items()]
        chosen.sort(key=lambda item: item[0])
        return chosen


@dataclass(frozen=True)
class Mitigation:
    """Words that cancel some reasons in the same ask (`prefixes` as for `Cue`)."""

    reasons: tuple[str, ...]
    pattern: re.Pattern
    prefixes: frozenset[str] | None = None


@dataclass(frozen=True)
class Knowledge:
    """Everything the triage knows, validated."""

    cues: tuple[Cue, ...]
    negations: frozenset[str]
    mitigations: tuple[Mitigation, ...]
    insistence: re.Pattern
    history_cues: tuple[tuple[str, re.Pattern], ...]
    near_date_days: int
    topics: dict[str, dict[str, Any]]
    tones: dict[str, dict[str, list[str]]]
    accept: dict[str, Any]
    tactics: dict[str, str]
    catalogue: Catalogue
    reason_texts: dict[str, dict[str, Any]] = field(default_factory=dict)
    coaching: dict[str, str] = field(default_factory=dict)
    cue_index: PrefixIndex = field(init=False, repr=False, compare=False)
    mitigation_index: PrefixIndex = field(init=False, repr=False, compare=False)

    @property
    def practices(self) -> dict[str, Practice]:
        """The catalogue's practices by name."""
        return self.catalogue.practices

    def __post_init__(self) -> None:
        object.__setattr__(self, "cue_index", PrefixIndex([cue.prefixes for cue in self.cues]))
        object.__setattr__(self, "mitigation_index", PrefixIndex([item.prefixes for item in self.mitigations]))


def _line_of(text: str, needle: str) -> int:
    """The 1-based line where `needle` first appears in `text` (1 when it cannot be found)."""
    index = text.find(needle)
    return text.count("\n", 0, index) + 1 if index >= 0 else 1


class _File:
    """One parsed knowledge file, able to say where a problem is."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            self.text = path.read_text(encoding="utf-8")
        except OSError as error:
            raise KnowledgeError(f"{path}: cannot read ({error.strerror})") from None
        try:
            self.data = tomllib.loads(self.text)
        except tomllib.TOMLDecodeError as error:
            where = "" if "line" in str(error) else f" line {self.text.count(chr(10)) + 1}"
            raise KnowledgeError(f"{path}{where}: {error}") from None

    def fail(self, needle: str, problem: str) -> KnowledgeError:
        return KnowledgeError(f"{self.path} line {_line_of(self.text, needle)}: {problem}")

    def regex(self, source: Any, needle: str) -> re.Pattern:
        if not isinstance(source, str) or not source:
            raise self.fail(needle, "pattern must be a non-empty string")
        try:
            return re.compile(source, re.IGNORECASE)
        except re.error as error:
            raise self.fail(needle, f"bad regular expression ({error})") from None

    def reason(self, label: Any, needle: str) -> str:
        if label not in REASONS:
            raise self.fail(needle, f"unknown reason {label!r}; use one of {', '.join(REASONS)}")
        return label


def _cues(file: _File, topics: dict[str, dict[str, Any]]) -> tuple[Cue, ...]:
    cues = []
    for entry in file.data.get("cue", []):
        needle = str(entry.get("pattern", entry.get("reason", "[[cue]]")))
        reason = file.reason(entry.get("reason"), f"reason = \"{entry.get('reason')}\"")
        weight = entry.get("weight", 1)
        if not isinstance(weight, int) or not 1 <= weight <= 5:
            raise file.fail(needle, "weight must be a whole number from 1 to 5")
        topic = entry.get("topic")
        if topic is not None and topic not in topics:
            raise file.fail(f'topic = "{topic}"', f"unknown topic {topic!r}; add it to topics.toml")
        cues.append(Cue(reason, file.regex(entry.get("pattern"), needle), weight, topic,
                        bool(entry.get("negatable", True)), literal_prefixes(entry.get("pattern"))))
    if not cues:
        raise file.fail("[[cue]]", "no cues defined")
    return tuple(cues)


@lru_cache(maxsize=4096)
def template_slots(template: str) -> frozenset[str]:
    """The slot names a template uses ("{object}" gives "object"); ValueError for a malformed template."""
    return frozenset(name for _, name, _, _ in string.Formatter().parse(template) if name is not None)


def _check_template(file: _File, where: str, template: Any) -> frozenset[str]:
    """The slots of one template, or a KnowledgeError naming the file, the place and the problem."""
    if not isinstance(template, str):
        raise file.fail(where, f"{where}: each text must be a string")
    try:
        slots = template_slots(template)
    except ValueError as error:
        raise file.fail(where, f"{where}: malformed template {template[:40]!r} ({error})") from None
    if unknown := slots - OPTIONAL_SLOTS - ALWAYS_SLOTS:
        raise file.fail(where, f"{where}: unknown slot {{{sorted(unknown)[0]}}}; use one of "
                               f"{', '.join(sorted(OPTIONAL_SLOTS | ALWAYS_SLOTS))}")
    return slots


def _check_variants(file: _File, where: str, needle: str, variants: Any, always: bool) -> list[str]:
    """A list of template variants, checked; with `always`, one of them must need no optional slot."""
    if isinstance(variants, str):
        variants = [variants]
    if not isinstance(variants, list):
        raise file.fail(needle, f"{where} must be a list of texts")
    usable = [variant for variant in variants if not _check_template(file, where, variant) & OPTIONAL_SLOTS]
    if always and not usable:
        raise file.fail(needle, f"{where} needs at least one text that uses no optional slot "
                                f"({', '.join(sorted(OPTIONAL_SLOTS))})")
    return list(variants)


def _topics(file: _File) -> dict[str, dict[str, Any]]:
    topics = file.data.get("topics")
    if not isinstance(topics, dict) or not topics:
        raise file.fail("[topics", "no [topics.NAME] tables")
    for name, topic in topics.items():
        for key in TOPIC_KEYS:
            if key not in topic:
                raise file.fail(f"[topics.{name}]", f"topic {name!r} is missing {key!r}")
        file.reason(topic["reason"], f"[topics.{name}]")
        for tactic in topic["tactics"]:
            if tactic not in TACTICS:
                raise file.fail(f"[topics.{name}]", f"unknown tactic {tactic!r}; use one of {', '.join(TACTICS)}")
        for key in TOPIC_TEXT_KEYS:
            if key in topic:
                _check_template(file, f"[topics.{name}] {key}", topic[key])
        if "fits" in topic:
            topic["fits"] = file.regex(topic["fits"], f"[topics.{name}]")
    return topics


def _replies(file: _File) -> tuple:
    tones = file.data.get("tones", {})
    for tone in TONES:
        if tone not in tones:
            raise file.fail("[tones", f"missing [tones.{tone}]")
        for key in TONE_KEYS:
            if key not in tones[tone]:
                raise file.fail(f"[tones.{tone}]", f"[tones.{tone}] is missing the texts {key!r}")
            tones[tone][key] = _check_variants(file, f"[tones.{tone}] {key}", f"[tones.{tone}]", tones[tone][key],
                                               key in TONE_KEYS_ALWAYS)
    reasons = file.data.get("reasons", {})
    for reason in REASONS:
        if reason not in reasons:
            raise file.fail("[reasons", f"missing [reasons.{reason}]")
        for key in REASON_KEYS:
            if key not in reasons[reason]:
                raise file.fail(f"[reasons.{reason}]", f"[reasons.{reason}] is missing {key!r}")
        for key in ("because", "alternative", "alternative_one_off"):
            if key in reasons[reason]:
                reasons[reason][key] = _check_variants(file, f"[reasons.{reason}] {key}", f"[reasons.{reason}]",
                                                       reasons[reason][key], True)
        for tactic in reasons[reason]["tactics"]:
            if tactic not in TACTICS:
                raise file.fail(f"[reasons.{reason}]", f"unknown tactic {tactic!r}; use one of {', '.join(TACTICS)}")
    for key in sorted(set(reasons) - set(REASONS)):
        raise file.fail(f"[reasons.{key}]", f"unknown reason {key!r}; use one of {', '.join(REASONS)}")
    coaching = file.data.get("coaching", {})
    for key in COACHING_KEYS:
        if not isinstance(coaching.get(key), str):
            raise file.fail("[coaching]", f"[coaching] is missing the text {key!r}")
    tactics = file.data.get("tactics", {})
    for tactic in TACTICS:
        if tactic not in tactics:
            raise file.fail("[tactics]", f"[tactics] is missing {tactic!r}")
    return tones, file.data.get("accept", {"tip": "", "tactics": []}), tactics, reasons, coaching


def _context(file: _File) -> tuple:
    data = file.data
    negations = data.get("negations")
    if not isinstance(negations, list) or not all(isinstance(word, str) for word in negations):
        raise file.fail("negations", "negations must be a list of words")
    mitigations = []
    for entry in data.get("mitigation", []):
        reasons = tuple(file.reason(label, f'"{label}"') for label in entry.get("reasons", []))
        mitigations.append(Mitigation(reasons, file.regex(entry.get("pattern"), "[[mitigation]]"),
                                      literal_prefixes(entry.get("pattern"))))
    history = tuple((file.reason(entry.get("reason"), "[[history_cue]]"),
                     file.regex(entry.get("pattern"), "[[history_cue]]")) for entry in data.get("history_cue", []))
    days = data.get("near_date_days", 7)
    if not isinstance(days, int) or days < 0:
        raise file.fail("near_date_days", "near_date_days must be a whole number of days")
    return (frozenset(word.lower() for word in negations), tuple(mitigations),
            file.regex(data.get("insistence"), "insistence"), history, days)


@lru_cache(maxsize=8)
def load_knowledge(directory: Path | None = None) -> Knowledge:
    """Load and validate the knowledge files in `directory` (default `data/triage`); cached."""
    directory = Path(directory or DEFAULT_DIRECTORY)
    topics = _topics(_File(directory / "topics.toml"))
    cues = _cues(_File(directory / "cues.toml"), topics)
    negations, mitigations, insistence, history, days = _context(_File(directory / "context.toml"))
    tones, accept, tactics, reason_texts, coaching = _replies(_File(directory / "replies.toml"))
    try:
        catalogue = load_catalogue(directory / "practices.toml", REASONS)
    except PracticeError as error:
        raise KnowledgeError(str(error)) from None
    return Knowledge(cues, negations, mitigations, insistence, history, days, topics, tones, accept, tactics,
                     catalogue, reason_texts, coaching)
