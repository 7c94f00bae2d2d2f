"""When a QBR reminder is due: days before the QBR and a local send time, in the owner's timezone, as UTC.

Also the reminder knowledge file `data/reminders.toml`, loaded once and checked.
"""

from __future__ import annotations

import calendar
from datetime import date, datetime, time, timedelta, timezone
from functools import cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.datafiles import DATA_DIR, read_toml

REMINDERS_FILE = DATA_DIR / "reminders.toml"
REQUIRED = {"defaults": ("offsets", "send_time", "cadence_months", "frequent_pushbacks"),
            "dm": ("title", "intro", "checklist", "agenda", "fallback_text", "summary_expired"),
            "buttons": ("snooze", "prepared", "change_date"), "outcomes": ()}


class ReminderCopyError(Exception):
    """`data/reminders.toml` is malformed or incomplete; the message names the file and the key."""


@cache
def load_reminder_copy(path: Path = REMINDERS_FILE) -> dict[str, Any]:
    """The parsed, checked reminder file."""
    data = read_toml(path, ReminderCopyError)
    for section, keys in REQUIRED.items():
        if not isinstance(data.get(section), dict):
            raise ReminderCopyError(f"{path}: missing section [{section}]")
        for key in keys:
            if key not in data[section]:
                raise ReminderCopyError(f"{path}: [{section}] needs '{key}'")
    return data


def months_later(day: date, months: int) -> date:
    """`day` moved by whole months, clamped to the month's last day (31 Jan + 1 month = 28/29 Feb)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    return date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def zone(name: str | None) -> ZoneInfo | timezone:
    """The timezone called `name`, or UTC when it is empty or unknown."""
    if not name:
        return timezone.utc
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return timezone.utc


def due_moment(qbr_date: date, offset_days: int, send_time: str, timezone_name: str | None) -> datetime:
    """The UTC instant of `send_time` local time, `offset_days` before the QBR, in the owner's timezone.

    Local wall-clock time is kept across DST changes: 09:00 is 09:00 before and after the clocks move.
    """
    hour, minute = (int(part) for part in send_time.split(":"))
    local = datetime.combine(qbr_date - timedelta(days=offset_days), time(hour, minute), tzinfo=zone(timezone_name))
    return local.astimezone(timezone.utc)


def local_today(now: datetime, timezone_name: str | None) -> date:
    """The owner's calendar date at `now`."""
    return now.astimezone(zone(timezone_name)).date()


def default_offsets() -> list[int]:
    """Days before a QBR when reminders go out, unless a workspace or account says otherwise."""
    return list(load_reminder_copy()["defaults"]["offsets"])


def default_send_time() -> str:
    """Local send time of reminders, unless a workspace or account says otherwise."""
    return str(load_reminder_copy()["defaults"]["send_time"])
