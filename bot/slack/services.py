"""What listeners need, handed to each surface's `register(app, services)`: the settings, the store, the configured
language model's writer, and what the app remembers about Slack users."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.db import Database
from bot.settings import Settings
from bot.slack.delivery import GUEST_CACHE_SECONDS, GUEST_CACHE_SIZE, TtlCache
from bot.triage.writer import Writer

VIEWER_CACHE_SECONDS = 1800.0  # a modal opened by an admin is usually submitted within half an hour


def guest_cache() -> TtlCache:
    """Each Slack user's guest flag, remembered for a few minutes (see `bot.slack.delivery.is_guest`)."""
    return TtlCache(GUEST_CACHE_SECONDS, GUEST_CACHE_SIZE)


def viewer_cache() -> TtlCache:
    """Whether each user is a workspace admin or owner, as learned when they last opened an account modal."""
    return TtlCache(VIEWER_CACHE_SECONDS, GUEST_CACHE_SIZE)


@dataclass(frozen=True)
class Services:
    """The settings, the store, the language model's writer (None unless one is configured; a workspace uses it
    once its admins turn it on), and what listeners remember about Slack users (per app, so two apps in one
    process, as in tests, never share what they learned)."""

    settings: Settings
    db: Database
    writer: Writer | None = None
    guests: TtlCache = field(default_factory=guest_cache)
    viewers: TtlCache = field(default_factory=viewer_cache)
