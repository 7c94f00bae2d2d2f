"""Buttons on a triage reply: Warmer / Firmer, Edit & copy, Helpful / Not helpful; and the help note's button.

Only the person who asked for a triage can use its buttons; anyone else gets a polite private refusal.
"""

from __future__ import annotations

import re

from slack_bolt import App
from slack_sdk.errors import SlackApiError

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
from bot.triage import TONES, TriageResult, with_tone
from bot.triages import (
    FEEDBACK_VALUES,
    TriageRecord,
    get_posted_triage,
    set_feedback,
    set_tone,
)
from handlers.after_ack import acked_promptly
from handlers.payloads import team_of


def _say_privately(respond, text: str) -> None:
    respond(response_type="ephemeral", replace_original=False, text=text)


def _parse(value: str, choices=None) -> tuple[int, str] | None:
    """'12:warm' → (12, 'warm'); '12' → (12, ''); None when malformed or not one of `choices`."""
    head, _, tail = (value or "").partition(":")
    if not head.isdigit() or (choices is not None and tail not in choices):
        return None
    return int(head), tail


def _pressed_triage(body, action, context, respond, choices=None,
                    needs_result: bool = False) -> tuple[TriageRecord, str] | None:
    """The triage a button belongs to and the button's choice, when the presser is the one who asked.

    Otherwise (a malformed value, an unknown triage, someone else's, or its text already purged when
    `needs_result`) tell the presser why privately and return None.
    """
    parsed = _parse(action.get("value", ""), choices)
    if parsed is None:
        _say_privately(respond, message("unknown_action"))
        return None
    team_id = team_of(body)
    record = get_posted_triage(context["db"], parsed[0], team_id)
    if record is None:
        _say_privately(respond, message("unknown_action"))
        return None
    if record.user_id != body["user"]["id"]:
        _say_privately(respond, message("not_yours", user=record.user_id))
        return None
    if needs_result and record.result is None:
        _say_privately(respond, message("text_expired",
                                        retention=retention_phrase(context["settings"].retention_days)))
        return None
    return record, parsed[1]


def _refresh(client, body, record: TriageRecord, result: dict, feedback: str | None) -> None:
    """Update the triage message in place: the one the button is on, as Slack says, else where we posted it."""
    container = body.get("container") or {}
    channel = container.get("channel_id") or record.channel_id
    ts = container.get("message_ts") or record.reply_ts
    client.chat_update(channel=channel, ts=ts, **triage_message(record.id, result, feedback))


def change_tone(ack, body, action, client, context, respond):
    """Re-render the suggested reply warmer or firmer, updating the message in place."""
    ack()
    pressed = _pressed_triage(body, action, context, respond, TONES, needs_result=True)
    if pressed is None:
        return
    record, tone = pressed
    result = with_tone(TriageResult.from_dict(record.result), tone).to_dict()
    set_tone(context["db"], record.id, tone, result)
    _refresh(client, body, record, result, record.feedback)


def edit_and_copy(ack, body, action, client, context, respond):
    """Open a modal with the suggested reply to edit before posting it in the thread."""
    ack()
    pressed = _pressed_triage(body, action, context, respond, needs_result=True)
    if pressed is None:
        return
    record = pressed[0]
    try:
        client.views_open(trigger_id=body["trigger_id"],
                          view=edit_reply_modal(record.id, record.result["reply"]["text"]))
    except SlackApiError as error:
        if error.response.get("error") != "expired_trigger_id":
            raise
        _say_privately(respond, message("try_again"))


def give_feedback(ack, body, action, client, context, respond):
    """Store Helpful / Not helpful with the triage and show it on the message."""
    ack()
    pressed = _pressed_triage(body, action, context, respond, FEEDBACK_VALUES)
    if pressed is None:
        return
    record, feedback = pressed
    set_feedback(context["db"], record.id, feedback)
    if record.result is not None:
        _refresh(client, body, record, record.result, feedback)
    else:
        _say_privately(respond, message("feedback_thanks"))


def open_paste_modal(ack, body, client, context, respond):
    """Open the modal for pasting a longer request."""
    ack()
    channel_id = (body.get("channel") or {}).get("id") or (body.get("container") or {}).get("channel_id", "")
    try:
        client.views_open(trigger_id=body["trigger_id"],
                          view=paste_request_modal(channel_id, body.get("response_url")))
    except SlackApiError as error:
        if error.response.get("error") != "expired_trigger_id":
            raise
        _say_privately(respond, message("try_again"))


def forget_me(ack, body, context, respond, logger):
    """Delete the presser's own stored data, after Slack's confirm dialog."""
    ack()
    team_id = team_of(body)
    deleted = forget_user_data(context["db"], team_id, body["user"]["id"])
    logger.info("forgot user team=%s user=%s triages=%s logs=%s reminders=%s", team_id, body["user"]["id"],
                deleted.triages, deleted.logs, deleted.reminders)
    respond(response_type="ephemeral", replace_original=True,
            text=load_copy()["forget"]["done"].format(triages=deleted.triages, logs=deleted.logs,
                                                      reminders=deleted.reminders))


def unknown_action(ack, respond):
    """A button this version does not know: say so instead of failing silently."""
    ack()
    _say_privately(respond, message("unknown_action"))


def register(app: App) -> None:
    """Wire the triage buttons."""
    app.action(re.compile(f"^{ACTION_TONE}_"))(acked_promptly(change_tone))
    app.action(ACTION_EDIT)(acked_promptly(edit_and_copy))
    app.action(re.compile(f"^{ACTION_FEEDBACK}_"))(acked_promptly(give_feedback))
    app.action(ACTION_OPEN_PASTE_MODAL)(acked_promptly(open_paste_modal))
    app.action(ACTION_FORGET_ME)(acked_promptly(forget_me))
