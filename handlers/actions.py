"""Buttons on a triage reply: Warmer / Firmer, Edit & copy, Helpful / Not helpful; and the help note's button.

Only the person who asked for a triage can use its buttons; anyone else gets a polite private refusal.
"""

from __future__ import annotations

import re

from slack_bolt import App

from bot.blocks.triage import (
    ACTION_EDIT,
    ACTION_FEEDBACK,
    ACTION_FORGET_ME,
    ACTION_OPEN_PASTE_MODAL,
    ACTION_TONE,
    edit_reply_modal,
    paste_request_modal,
    triage_message,
)
from bot.copy import load_copy, message, retention_phrase
from bot.privacy import forget_user_data
from bot.slack.answers import open_modal, say_privately
from bot.slack.model_writer import retoned
from bot.slack.payloads import team_of
from bot.slack.services import Services
from bot.triage import TONES
from bot.triage_store import (
    FEEDBACK_VALUES,
    TriageRecord,
    get_posted_triage,
    set_feedback,
    set_tone,
)
from handlers.services import register_buttons


def _parse(value: str, choices=None) -> tuple[int, str] | None:
    """'12:warm' → (12, 'warm'); '12' → (12, ''); None when malformed or not one of `choices`."""
    head, _, tail = (value or "").partition(":")
    if not head.isdigit() or (choices is not None and tail not in choices):
        return None
    return int(head), tail


def _pressed_triage(services: Services, body, action, respond, choices=None,
                    needs_result: bool = False) -> tuple[TriageRecord, str] | None:
    """The triage a button belongs to and the button's choice, when the presser is the one who asked.

    Otherwise (a malformed value, an unknown triage, someone else's, or its text already purged when
    `needs_result`) tell the presser why privately and return None.
    """
    parsed = _parse(action.get("value", ""), choices)
    if parsed is None:
        say_privately(respond, message("unknown_action"))
        return None
    team_id = team_of(body)
    record = get_posted_triage(services.db, parsed[0], team_id)
    if record is None:
        say_privately(respond, message("unknown_action"))
        return None
    if record.user_id != body["user"]["id"]:
        say_privately(respond, message("not_yours", user=record.user_id))
        return None
    if needs_result and record.result is None:
        say_privately(respond, message("text_expired",
                                        retention=retention_phrase(services.settings.retention_days)))
        return None
    return record, parsed[1]


def _refresh(client, body, record: TriageRecord, result: dict, feedback: str | None) -> None:
    """Update the triage message in place: the one the button is on, as Slack says, else where we posted it."""
    container = body.get("container") or {}
    channel = container.get("channel_id") or record.channel_id
    ts = container.get("message_ts") or record.reply_ts
    client.chat_update(channel=channel, ts=ts, **triage_message(record.id, result, feedback))


def change_tone(services: Services, body, action, client, respond, context):
    """Re-write the suggested reply warmer or firmer (by the model when the workspace has it on), updating the
    message in place."""
    pressed = _pressed_triage(services, body, action, respond, TONES, needs_result=True)
    if pressed is None:
        return
    record, tone = pressed
    result = retoned(services, team_of(body), record, tone, context.get("request_id", "-"))
    set_tone(services.db, record.id, tone, result)
    _refresh(client, body, record, result, record.feedback)


def edit_and_copy(services: Services, body, action, client, respond):
    """Open a modal with the suggested reply to edit before posting it in the thread."""
    pressed = _pressed_triage(services, body, action, respond, needs_result=True)
    if pressed is None:
        return
    record = pressed[0]
    open_modal(client, respond, body["trigger_id"], edit_reply_modal(record.id, (record.result or {})["reply"]["text"]))


def give_feedback(services: Services, body, action, client, respond):
    """Store Helpful / Not helpful with the triage and show it on the message."""
    pressed = _pressed_triage(services, body, action, respond, FEEDBACK_VALUES)
    if pressed is None:
        return
    record, feedback = pressed
    set_feedback(services.db, record.id, feedback)
    if record.result is not None:
        _refresh(client, body, record, record.result, feedback)
    else:
        say_privately(respond, message("feedback_thanks"))


def open_paste_modal(services: Services, body, client, respond):
    """Open the modal for pasting a longer request."""
    channel_id = (body.get("channel") or {}).get("id") or (body.get("container") or {}).get("channel_id", "")
    open_modal(client, respond, body["trigger_id"], paste_request_modal(channel_id, body.get("response_url")))


def forget_me(services: Services, body, respond, logger):
    """Delete the presser's own stored data, after Slack's confirm dialog."""
    team_id = team_of(body)
    deleted = forget_user_data(services.db, team_id, body["user"]["id"])
    logger.info("forgot user team=%s user=%s triages=%s logs=%s reminders=%s", team_id, body["user"]["id"],
                deleted.triages, deleted.logs, deleted.reminders)
    respond(response_type="ephemeral", replace_original=True,
            text=load_copy()["forget"]["done"].format(triages=deleted.triages, logs=deleted.logs,
                                                      reminders=deleted.reminders))


def unknown_action(services: Services, respond):
    """A button this version does not know: say so instead of failing silently."""
    say_privately(respond, message("unknown_action"))


def register(app: App, services: Services) -> None:
    """Wire the triage buttons: each acks at once, and its work comes after."""
    register_buttons(app, services, (
        (re.compile(f"^{ACTION_TONE}_"), change_tone), (ACTION_EDIT, edit_and_copy),
        (re.compile(f"^{ACTION_FEEDBACK}_"), give_feedback), (ACTION_OPEN_PASTE_MODAL, open_paste_modal),
        (ACTION_FORGET_ME, forget_me),
    ))


def register_fallback(app: App, services: Services) -> None:
    """Answer any button no surface knows (registered last, so it matches only what nothing else did)."""
    register_buttons(app, services, ((re.compile(".*"), unknown_action),))
