"""Reminder DMs through Slack's Web API: post with the reminder id in the message metadata, find one already
posted, and tell a temporary problem (retry later) from a permanent one (record and stop)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.accounts import purge_expired_summaries
from bot.blocks.accounts import reminder_message
from bot.privacy import purge_forget_notes
from bot.reminders.tick import METADATA_EVENT, Deferred, Failed, ReminderDM, Sent, run_due
from bot.clock import start_scheduler
from bot.settings import Settings
from bot.slack.client import make_web_client
from bot.slack.triage_jobs import recover_stranded
from bot.slack.workspaces import TokenDirectory
from bot.triage_jobs import purge_jobs
from bot.triage_store import purge_expired_text

logger = logging.getLogger(__name__)

TEMPORARY_ERRORS = {"ratelimited", "internal_error", "fatal_error", "service_unavailable", "request_timeout",
                    "team_added_to_org"}
HISTORY_LOOKBACK = 200


def _retry_after(error: SlackApiError) -> float:
    try:
        return float(error.response.headers.get("Retry-After", 60))
    except (TypeError, ValueError):
        return 60.0


def classify(error: Exception) -> Deferred | Failed:
    """What a failed call means for a reminder: try again later, or give up with the reason."""
    if isinstance(error, SlackApiError):
        code = str(error.response.get("error") or "")
        if error.response.status_code == 429 or code == "ratelimited":
            return Deferred("rate limited by Slack", _retry_after(error))
        if error.response.status_code >= 500 or code in TEMPORARY_ERRORS:
            return Deferred(f"Slack is unavailable ({code or error.response.status_code})")
        return Failed(code or f"HTTP {error.response.status_code}")
    return Deferred(f"network error ({type(error).__name__})")


class SlackReminderSender:
    """Sends reminder DMs with each workspace's bot token; `on_progress` is called after each attempt."""

    def __init__(self, settings: Settings, token_for, on_progress: Callable[[], None] | None = None) -> None:
        self.settings = settings
        self.token_for = token_for
        self.on_progress = on_progress
        self._clients: dict[str, WebClient] = {}

    def _client(self, team_id: str) -> WebClient | None:
        token = self.token_for(team_id)
        if token is None:
            return None
        if token not in self._clients:
            self._clients[token] = make_web_client(self.settings, token=token, wait_out_rate_limits=False)
        return self._clients[token]

    def already_sent(self, dm: ReminderDM) -> Sent | None:
        """Look in the owner's DM with the app for a message carrying this reminder's id."""
        client = self._client(dm.team_id)
        if client is None:
            return None
        try:
            channel = dm.channel_id or client.conversations_open(users=dm.owner_id)["channel"]["id"]
            history = client.conversations_history(channel=channel, limit=HISTORY_LOOKBACK,
                                                   include_all_metadata=True)
        except Exception:  # noqa: BLE001 - cannot check: sending again is safer than never sending
            logger.warning("could not check Slack for reminder=%s before resending", dm.reminder_id)
            return None
        messages: list[dict[str, Any]] = history.get("messages", [])
        for message in messages:
            metadata = message.get("metadata") or {}
            if (metadata.get("event_type") == METADATA_EVENT
                    and (metadata.get("event_payload") or {}).get("reminder_id") == dm.reminder_id):
                return Sent(channel, message["ts"])
        return None

    def send(self, dm: ReminderDM) -> Sent | Deferred | Failed:
        """Post the reminder to the owner's DM with the app."""
        try:
            return self._send(dm)
        finally:
            if self.on_progress is not None:
                self.on_progress()

    def _send(self, dm: ReminderDM) -> Sent | Deferred | Failed:
        client = self._client(dm.team_id)
        if client is None:
            return Failed("the app is no longer installed in this workspace")
        try:
            answer = client.chat_postMessage(channel=dm.owner_id, unfurl_links=False, **reminder_message(dm))
        except Exception as error:  # noqa: BLE001 - every failure is classified and recorded
            return classify(error)
        return Sent(answer["channel"], answer["ts"])


def owner_timezone(client: WebClient, user_id: str) -> str | None:
    """The user's Slack timezone (`users.info`), or None when Slack cannot say."""
    try:
        return client.users_info(user=user_id)["user"].get("tz") or None
    except Exception:  # noqa: BLE001 - the workspace default, then UTC, stand in
        logger.info("no timezone for user=%s; using the workspace default", user_id)
        return None


def reminder_jobs(settings: Settings, db, on_progress: Callable[[], None] | None = None):
    """The scheduler's two jobs for this process: the reminder tick and the retention purge. `on_progress` is
    called after each reminder the tick sends (a long tick is still a live clock)."""
    sender = SlackReminderSender(settings, TokenDirectory(settings, db).bot_token, on_progress)

    def tick():
        return run_due(db, sender, per_second=settings.reminders_per_second)

    def purge():
        purge_forget_notes(db)
        purge_jobs(db)
        summaries = purge_expired_summaries(db, settings.retention_days)
        purged = purge_expired_text(db)
        if purged or summaries:
            logger.info("retention purge: client text dropped from %s triage(s) and %s logged push-back(s)", purged,
                        summaries)
        return purged

    return tick, purge


def start_reminder_scheduler(settings: Settings, db, heartbeat: Callable[[], None] | None = None):
    """Start the clock for reminders, the recovery of acked triages (`bot.slack.triage_jobs`) and the purge, and
    return it. `heartbeat` is called whenever a tick completes or sends a reminder."""
    tick, purge = reminder_jobs(settings, db, heartbeat)
    return start_scheduler(tick, purge, settings.tick_seconds, on_tick_done=heartbeat,
                           recover=lambda: recover_stranded(settings, db))
