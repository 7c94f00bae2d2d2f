"""The `/pushback` slash command: help, or triage the pasted request."""

from __future__ import annotations

from functools import partial

from slack_bolt import App

from bot.blocks.triage import forget_me_message, usage_message
from bot.slack.services import Services
from bot.slack.triage_flow import TriageAsk
from bot.slack.triage_jobs import triage_acked
from bot.triage_jobs import JobDraft
from handlers.accounts import list_accounts
from handlers.services import acked_job, after_ack, keep_triage, workspace_url

COMMAND = "/pushback"
HELP_WORDS = {"", "help", "?", "-h", "--help"}
FORGET_WORDS = {"forget me", "forget-me", "delete my data"}
ACCOUNTS_WORDS = {"accounts", "account", "my accounts"}

HELP, FORGET, ACCOUNTS, TRIAGE = "help", "forget", "accounts", "triage"


def command_kind(text: str) -> str:
    """What `/pushback text` asks for: help, forget-me, the user's accounts, or a triage of the text."""
    words = " ".join(text.lower().split())
    if words in HELP_WORDS:
        return HELP
    if words in FORGET_WORDS:
        return FORGET
    if words in ACCOUNTS_WORDS:
        return ACCOUNTS
    return TRIAGE


def ack_command(services: Services, ack, command, context) -> None:
    """Answer help and forget-me in the ack itself; ack anything else at once (its work is `answer_command`),
    keeping a triage as a job first."""
    text = (command.get("text") or "").strip()
    kind = command_kind(text)
    if kind == HELP:
        ack(response_type="ephemeral", **usage_message(services.settings.retention_days))
    elif kind == FORGET:
        ack(response_type="ephemeral", **forget_me_message())
    else:
        if kind == TRIAGE:
            keep_triage(services, context, JobDraft(
                request_id=context.get("request_id", "-"), team_id=command.get("team_id", ""),
                enterprise_id=command.get("enterprise_id"), user_id=command.get("user_id", ""), source="command",
                text=text, channel_id=command.get("channel_id"), response_url=command.get("response_url"),
                details={"workspace_url": workspace_url(context)}))
        ack()


def answer_command(services: Services, command, client, context, respond) -> None:
    """After the ack: the user's accounts, privately, or the triage in a thread (or the DM)."""
    text = (command.get("text") or "").strip()
    kind = command_kind(text)
    if kind == ACCOUNTS:
        list_accounts(services, respond, client, command.get("team_id", ""), command.get("user_id", ""))
    elif kind == TRIAGE:
        triage_acked(client, services, acked_job(context), TriageAsk(
            team_id=command.get("team_id", ""), user_id=command.get("user_id", ""), text=text, source="command",
            origin_channel_id=command.get("channel_id"), response_url=command.get("response_url"),
            request_id=context.get("request_id", "-"), workspace_url=workspace_url(context),
        ))


def register(app: App, services: Services) -> None:
    """Wire the slash command."""
    app.command(COMMAND)(ack=partial(ack_command, services), lazy=[after_ack(services, answer_command)])
