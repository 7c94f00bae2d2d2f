"""Where the words of a text begin, by their first one to four lowercase characters, so a pattern known to start
with some literal text is tried only where such a word starts."""

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


