"""Where the words of a text begin, by their first one to four lowercase characters, and which literal text a
pattern's matches must start with, so a pattern is tried only where such a word starts."""

from __future__ import annotations

import re

PREFIX_LENGTH = 4
_WORD_START = re.compile(r"\b\w")


class WordStarts:
    """Where the words of a text begin, by their first one to four lowercase characters: a pattern with known
    literal prefixes is tried only where one of them starts a word, instead of at every character."""

    def __init__(self, text: str) -> None:
        self.text = text
        lowered = text.lower()
        self.aligned = len(lowered) == len(text)
        self.positions: dict[str, list[int]] = {}
        for found in _WORD_START.finditer(lowered):
            index = found.start()
            for length in range(1, PREFIX_LENGTH + 1):
                self.positions.setdefault(lowered[index:index + length], []).append(index)
        self.present = frozenset(self.positions)

    def where(self, prefixes: frozenset[str] | None) -> list[int] | None:
        """Where a word starting with one of `prefixes` starts, in order; None for anywhere (no prefixes known, or
        a text whose lowercase form has another length, so positions would not line up)."""
        if prefixes is None or not self.aligned:
            return None
        return merged([self.positions[prefix] for prefix in prefixes.intersection(self.present)])

    def first_match(self, pattern: re.Pattern, where: list[int] | None, start: int = 0) -> re.Match | None:
        """The same match as `pattern.search(text, start)`, for a pattern whose matches can only start `where`
        (from `where()` or `PrefixIndex.candidates`), found faster."""
        if where is None:
            return pattern.search(self.text, start)
        for index in where:
            if index >= start and (match := pattern.match(self.text, index)):
                return match
        return None


def merged(position_lists: list[list[int]]) -> list[int]:
    """Sorted positions, each once, from several sorted lists."""
    if len(position_lists) == 1:
        return position_lists[0]
    return sorted(set().union(*position_lists))


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
        self.known = frozenset(self.by_prefix)

    def candidates(self, starts: WordStarts) -> list[tuple[int, list[int] | None]]:
        """The patterns worth trying on `starts.text`, in order, each with where its matches can start (as
        `WordStarts.where` gives it, found here for all of them at once)."""
        if not starts.aligned:
            return [(index, None) for index in range(self.size)]
        found: dict[int, list[list[int]]] = {}
        for prefix in starts.present & self.known:
            for index in self.by_prefix[prefix]:
                found.setdefault(index, []).append(starts.positions[prefix])
        chosen: list[tuple[int, list[int] | None]] = [(index, None) for index in self.always]
        chosen += [(index, merged(lists)) for index, lists in found.items()]
        chosen.sort(key=lambda item: item[0])
        return chosen
