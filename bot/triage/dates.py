"""Reading dates in a request against today: is the ask pressed for time?"""

from __future__ import annotations

import re
from datetime import date, timedelta

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
          "november", "december")
_RELATIVE = re.compile(r"\b(today|tonight|tomorrow|this (morning|afternoon|evening|week)|end of (the )?week|"
                       r"eod|asap|first thing)\b", re.IGNORECASE)
_IN_DAYS = re.compile(r"\bin (\d{1,2}|one|two|three|four|five|six|seven) (days?|working days?)\b", re.IGNORECASE)
_WEEKDAY = re.compile(r"\b(next |this |on |by |before |until |till )?(" + "|".join(WEEKDAYS) + r")\b", re.IGNORECASE)
_DAY_MONTH = re.compile(r"\b(\d{1,2})(st|nd|rd|th)?\s+(of\s+)?(" + "|".join(m[:3] for m in MONTHS) + r")[a-z]*\b|"
                        r"\b(" + "|".join(m[:3] for m in MONTHS) + r")[a-z]*\s+(\d{1,2})(st|nd|rd|th)?\b"
                        r"(?:,?\s+(20\d\d)\b)?", re.IGNORECASE)
_YEAR_AFTER = re.compile(r"\A,?\s+(20\d\d)\b")
_ISO = re.compile(r"\b(20\d\d)-(\d\d)-(\d\d)\b")
_DIGIT = re.compile(r"\d")
_WORD_NUMBERS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7}


def _month_day(month: int, day: int, today: date, year: int | None = None) -> date | None:
    if year is not None:
        try:
            return date(year, month, day)
        except ValueError:
            return None
    for year in (today.year, today.year + 1):
        try:
            candidate = date(year, month, day)
        except ValueError:
            return None
        if candidate >= today:
            return candidate
    return None


def could_name_days_or_numbers(text: str) -> tuple[bool, bool]:
    """Whether `text` has "day" in it (every weekday, and "in N days"), and whether it has a digit (day-month and
    ISO dates). Python's `re` tries an alternation at every character, so `days_until` tries those patterns only
    on a text that could hold their dates."""
    return "day" in text.lower(), _DIGIT.search(text) is not None


def days_until(text: str, today: date) -> tuple[int, str] | None:
    """The nearest date the text names, as (days from today, the words), or None when it names none."""
    found: list[tuple[int, str]] = []
    names_a_day, has_digit = could_name_days_or_numbers(text)
    if match := _RELATIVE.search(text):
        words = match.group(0).lower()
        found.append((1 if words.startswith(("tomorrow", "first")) else
                       (5 - today.weekday()) % 7 if "week" in words else 0, match.group(0)))
    if names_a_day and (match := _IN_DAYS.search(text)):
        amount = match.group(1).lower()
        found.append((int(amount) if amount.isdigit() else _WORD_NUMBERS[amount], match.group(0)))
    for match in _WEEKDAY.finditer(text) if names_a_day else ():
        ahead = (WEEKDAYS.index(match.group(2).lower()) - today.weekday()) % 7 or 7
        if (match.group(1) or "").strip().lower() == "next" and ahead < 7:
            ahead += 7
        found.append((ahead, match.group(0).strip()))
    for match in _DAY_MONTH.finditer(text) if has_digit else ():
        day = int(match.group(1) or match.group(6))
        month_name = (match.group(4) or match.group(5)).lower()[:3]
        month = [m[:3] for m in MONTHS].index(month_name) + 1
        stated_year = match.group(8) or ((year := _YEAR_AFTER.match(text[match.end():])) and year.group(1))
        when = _month_day(month, day, today, int(stated_year) if stated_year else None)
        if when and when >= today:
            found.append(((when - today).days, match.group(0)))
    for match in _ISO.finditer(text) if has_digit else ():
        try:
            when = date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
        except ValueError:
            continue
        if when >= today:
            found.append(((when - today).days, match.group(0)))
    return min(found, default=None)


def working_days_ahead(today: date, days: int) -> date:
    """The date `days` working days after `today`."""
    current = today
    while days > 0:
        current += timedelta(days=1)
        if current.weekday() < 5:
            days -= 1
    return current
