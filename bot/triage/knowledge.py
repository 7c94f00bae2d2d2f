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
from bot.triage.words import PrefixIndex, literal_prefixes

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
             "close_decline", "holding", "holding_alternative", "yes_with_price")
TONE_KEYS_ALWAYS = ("greeting_unnamed", "sign_off", "acknowledge_plain", "acknowledge_decline", "yes_only",
                    "accept_with_conditions", "push_back", "decline", "alternative", "alternative_decline",
                    "close_options", "close_condition", "close_decline", "holding", "holding_alternative",
                    "yes_with_price")
REASON_KEYS = ("because", "alternative", "checking", "tactics", "tip", "upstream")
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
    trade: re.Pattern | None = None
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
        for key in ("because", "alternative", "alternative_one_off", "checking", "because_condition",
                    "alternative_condition"):
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
    trade = file.regex(data["trade"], "trade") if "trade" in data else None
    return (frozenset(word.lower() for word in negations), tuple(mitigations),
            file.regex(data.get("insistence"), "insistence"), history, days, trade)


@lru_cache(maxsize=8)
def load_knowledge(directory: Path | None = None) -> Knowledge:
    """Load and validate the knowledge files in `directory` (default `data/triage`); cached."""
    directory = Path(directory or DEFAULT_DIRECTORY)
    topics = _topics(_File(directory / "topics.toml"))
    cues = _cues(_File(directory / "cues.toml"), topics)
    negations, mitigations, insistence, history, days, trade = _context(_File(directory / "context.toml"))
    tones, accept, tactics, reason_texts, coaching = _replies(_File(directory / "replies.toml"))
    try:
        catalogue = load_catalogue(directory / "practices.toml", REASONS)
    except PracticeError as error:
        raise KnowledgeError(str(error)) from None
    return Knowledge(cues, negations, mitigations, insistence, history, days, topics, tones, accept, tactics,
                     catalogue, reason_texts, coaching, trade)
