"""The `/pushback` slash command: help, or triage the pasted request."""

from __future__ import annotations

from slack_bolt import App

from bot.blocks.triage import forget_me_message, usage_message
from handlers.accounts import list_accounts
from handlers.after_ack import run_after_ack
from handlers.triage_flow import TriageAsk, triage_and_deliver_after_ack

COMMAND = "/pushback"
HELP_WORDS = {"", "help", "?", "-h", "--help"}
FORGET_WORDS = {"forget me", "forget-me", "delete my data"}
ACCOUNTS_WORDS = {"accounts", "account", "my accounts"}


def pushback_command(ack, command, client, context, respond, logger):
    """Help, forget-me, or an ack and then the user's accounts or the triage in a thread, each handed to a pool:
    Bolt runs this on the request's thread and answers Slack as soon as it returns."""
    text = (command.get("text") or "").strip()
    settings = context["settings"]
    if text.lower() in HELP_WORDS:
        ack(response_type="ephemeral", **usage_message(settings.retention_days))
        return
    if " ".join(text.lower().split()) in FORGET_WORDS:
        ack(response_type="ephemeral", **forget_me_message())
        return
    if " ".join(text.lower().split()) in ACCOUNTS_WORDS:
        ack()
        run_after_ack(list_accounts, respond, client, context["db"], command.get("team_id", ""),
                      command.get("user_id", ""), body=command, context=context, respond=respond, logger=logger)
        return
    ack()
    triage_and_deliver_after_ack(client, context["db"], settings, TriageAsk(
        team_id=command.get("team_id", ""), user_id=command.get("user_id", ""), text=text, source="command",
        origin_channel_id=command.get("channel_id"), response_url=command.get("response_url"),
        request_id=context.get("request_id", "-"),
    ))


def register(app: App) -> None:
    """Wire the slash command."""
    app.command(COMMAND)(pushback_command)
