"""The words Pushback shows in Slack, loaded once from `data/slack_copy.toml` and checked for completeness."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from bot.datafiles import DATA_DIR, read_toml

COPY_FILE = DATA_DIR / "slack_copy.toml"
VERDICT_KEYS = ("title", "emoji", "summary")
REQUIRED_SECTIONS = ("verdicts", "reasons", "tones", "help", "messages", "forget", "model_writer")


class CopyError(Exception):
    """The copy file is missing a key or is malformed; the message names the file and the key."""


@cache
def load_copy(path: Path = COPY_FILE) -> dict[str, Any]:
    """The parsed copy file, validated: every section, every verdict's title, emoji and summary."""
    data = read_toml(path, CopyError)
    for section in REQUIRED_SECTIONS:
        if not isinstance(data.get(section), dict):
            raise CopyError(f"{path}: missing section [{section}]")
    for verdict, fields in data["verdicts"].items():
        for key in VERDICT_KEYS:
            if not isinstance(fields.get(key), str):
                raise CopyError(f"{path}: [verdicts.{verdict}] needs a text '{key}'")
    return data


def message(key: str, **slots: Any) -> str:
    """One of the `[messages]` strings with its `{slots}` filled."""
    return load_copy()["messages"][key].format(**slots)


def reason_title(label: str) -> str:
    """The display name of a reason label."""
    return load_copy()["reasons"].get(label, label.replace("_", " ").capitalize())


def verdict_copy(verdict: str) -> dict[str, str]:
    """Title, emoji and summary of a verdict."""
    return load_copy()["verdicts"][verdict]


def retention_phrase(days: int) -> str:
    """'30 days', '1 day'."""
    return f"{days} day{'s' if days != 1 else ''}"
