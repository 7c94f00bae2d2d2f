"""Answering the person who pressed or submitted: a note only they see, and a modal Slack may find too late to
open (its trigger lasts 3 seconds)."""

from __future__ import annotations

from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.copy import message


def say_privately(respond, text: str) -> None:
    """A note only the user sees, below the message they acted on."""
    respond(response_type="ephemeral", replace_original=False, text=text)


def open_modal(client: WebClient, respond, trigger_id: str, view: dict[str, Any]) -> None:
    """Open a modal; an expired trigger gets a "please try again"."""
    try:
        client.views_open(trigger_id=trigger_id, view=view)
    except SlackApiError as error:
        if error.response.get("error") != "expired_trigger_id":
            raise
        say_privately(respond, message("try_again"))
