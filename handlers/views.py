"""Modal submissions: a pasted request to triage, and an edited reply to post in the thread."""

from __future__ import annotations

import logging

from slack_bolt import App

from bot.blocks.triage import (
    REPLY_INPUT_ACTION,
    REPLY_INPUT_BLOCK,
    REQUEST_INPUT_ACTION,
    REQUEST_INPUT_BLOCK,
    VIEW_EDIT_REPLY,
    VIEW_PASTE_REQUEST,
    final_reply_message,
)
from bot.copy import message
from bot.triages import get_triage
from handlers.after_ack import acked_promptly
from handlers.delivery import post_in_thread_or_dm
from handlers.payloads import readable_text, team_of, view_metadata, view_text
from handlers.triage_flow import TriageAsk, triage_and_deliver_after_ack

logger = logging.getLogger(__name__)


def submit_pasted_request(ack, body, view, client, context):
    """Triage the pasted request, posted where the help note was asked for (or privately). It only acks and hands
    the triage to a pool, so Bolt runs it on the request's thread."""
    text = view_text(view, REQUEST_INPUT_BLOCK, REQUEST_INPUT_ACTION).strip()
    if not text:
        ack(response_action="errors", errors={REQUEST_INPUT_BLOCK: message("nothing_to_triage")})
        return
    ack()
    metadata = view_metadata(view)
    triage_and_deliver_after_ack(client, context["db"], context["settings"], TriageAsk(
        team_id=team_of(body), user_id=body["user"]["id"],
        text=text, source="modal", origin_channel_id=metadata.get("channel_id"),
        response_url=metadata.get("response_url"), request_id=context.get("request_id", "-"),
    ))


def submit_edited_reply(ack, body, view, client, context):
    """Post the edited reply in the triage's thread as plain text, ready to copy."""
    text = readable_text(view_text(view, REPLY_INPUT_BLOCK, REPLY_INPUT_ACTION)).strip()
    if not text:
        ack(response_action="errors", errors={REPLY_INPUT_BLOCK: message("reply_empty")})
        return
    triage_id = view_metadata(view).get("triage_id")
    team_id = team_of(body)
    record = get_triage(context["db"], triage_id, team_id) if isinstance(triage_id, int) else None
    if record is None or record.user_id != body["user"]["id"] or not record.channel_id:
        ack(response_action="errors", errors={REPLY_INPUT_BLOCK: message("unknown_action")})
        return
    ack()
    went_to = post_in_thread_or_dm(client, record.user_id, record.channel_id,
                                   final_reply_message(record.user_id, text), record.parent_ts,
                                   dm_note={"text": message("final_reply_to_dm")})
    logger.info("final reply posted team=%s user=%s triage=%s in_thread=%s", team_id, record.user_id, record.id,
                "yes" if went_to == record.channel_id else "no")


def register(app: App) -> None:
    """Wire the modal submissions."""
    app.view(VIEW_PASTE_REQUEST)(submit_pasted_request)
    app.view(VIEW_EDIT_REPLY)(acked_promptly(submit_edited_reply))
