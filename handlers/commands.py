"""The `/pushback` slash command."""

from __future__ import annotations

from slack_bolt import App

COMMAND = "/pushback"


def pushback_command(ack, respond, command, logger):
    """Ack at once, then answer the user privately."""
    ack()
    logger.info("pushback command team=%s user=%s", command.get("team_id"), command.get("user_id"))
    respond(response_type="ephemeral", text="Thanks! Triage is coming soon to /pushback.")


def register(app: App) -> None:
    """Wire the slash command."""
    app.command(COMMAND)(pushback_command)
