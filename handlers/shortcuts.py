"""The "Push back on this" message shortcut: the triage in that message's thread, or privately in the DM."""

from __future__ import annotations

from slack_bolt import App

from bot.copy import message
from handlers.after_ack import acked_promptly
from handlers.delivery import permalink, tell_user
from handlers.triage_flow import TriageAsk, triage_and_deliver_after_ack

CALLBACK_ID = "pushback_message"


def push_back_on_message(ack, shortcut, client, context, logger):
    """Ack, then triage the message's text in its thread (or the user's DM where the client could read it)."""
    ack()
    user_id = shortcut["user"]["id"]
    channel_id = (shortcut.get("channel") or {}).get("id")
    original = shortcut.get("message") or {}
    text = (original.get("text") or "").strip()
    if not text:
        tell_user(shortcut.get("response_url"), client, user_id, channel_id, message("no_text"))
        return
    message_ts = original.get("ts") or shortcut.get("message_ts")
    triage_and_deliver_after_ack(client, context["db"], context["settings"], TriageAsk(
        team_id=(shortcut.get("team") or {}).get("id") or shortcut["user"].get("team_id", ""),
        user_id=user_id, text=text, source="shortcut", origin_channel_id=channel_id,
        response_url=shortcut.get("response_url"), thread_ts=original.get("thread_ts") or message_ts,
        message_link=permalink(client, channel_id, message_ts) if channel_id and message_ts else None,
        request_id=context.get("request_id", "-"),
    ))


def register(app: App) -> None:
    """Wire the message shortcut."""
    app.shortcut(CALLBACK_ID)(acked_promptly(push_back_on_message))
