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
from bot.slack.delivery import post_in_thread_or_dm
from bot.slack.payloads import readable_text, team_of, view_metadata, view_text
from bot.slack.services import Services
from bot.slack.triage_flow import TriageAsk
from bot.slack.triage_jobs import triage_acked
from bot.triage_jobs import JobDraft
from bot.triage_store import TriageRecord, get_triage
from handlers.services import acked_job, keep_triage, register_modals, workspace_url

logger = logging.getLogger(__name__)


def pasted_request(view) -> str:
    """The request pasted into the modal, '' when there is none."""
    return view_text(view, REQUEST_INPUT_BLOCK, REQUEST_INPUT_ACTION).strip()


def check_pasted_request(services: Services, ack, body, view, context):
    """Refuse an empty paste next to the field; otherwise keep the triage as a job and close the modal (the triage
    comes after)."""
    text = pasted_request(view)
    if not text:
        ack(response_action="errors", errors={REQUEST_INPUT_BLOCK: message("nothing_to_triage")})
        return
    metadata = view_metadata(view)
    keep_triage(services, context, JobDraft(
        request_id=context.get("request_id", "-"), team_id=team_of(body), enterprise_id=context.enterprise_id,
        user_id=body["user"]["id"], source="modal", text=text, channel_id=metadata.get("channel_id"),
        response_url=metadata.get("response_url"), details={"workspace_url": workspace_url(context)}))
    ack()


def triage_pasted_request(services: Services, body, view, client, context):
    """After the ack: triage the pasted request, posted where the help note was asked for (or privately)."""
    text = pasted_request(view)
    if not text:
        return
    metadata = view_metadata(view)
    triage_acked(client, services, acked_job(context), TriageAsk(
        team_id=team_of(body), user_id=body["user"]["id"],
        text=text, source="modal", origin_channel_id=metadata.get("channel_id"),
        response_url=metadata.get("response_url"), request_id=context.get("request_id", "-"),
        workspace_url=workspace_url(context),
    ))


def edited_reply(services: Services, body, view) -> tuple[TriageRecord, str] | None:
    """The triage an edited reply belongs to and its text, when the submitter asked for that triage and it was
    posted somewhere; None otherwise."""
    text = readable_text(view_text(view, REPLY_INPUT_BLOCK, REPLY_INPUT_ACTION)).strip()
    triage_id = view_metadata(view).get("triage_id")
    record = get_triage(services.db, triage_id, team_of(body)) if text and isinstance(triage_id, int) else None
    if record is None or record.user_id != body["user"]["id"] or not record.channel_id:
        return None
    return record, text


def check_edited_reply(services: Services, ack, body, view):
    """Refuse an empty reply, or one for a triage that is not the submitter's, next to the field."""
    if not readable_text(view_text(view, REPLY_INPUT_BLOCK, REPLY_INPUT_ACTION)).strip():
        ack(response_action="errors", errors={REPLY_INPUT_BLOCK: message("reply_empty")})
    elif edited_reply(services, body, view) is None:
        ack(response_action="errors", errors={REPLY_INPUT_BLOCK: message("unknown_action")})
    else:
        ack()


def post_edited_reply(services: Services, body, view, client):
    """After the ack: post the edited reply in the triage's thread as plain text, ready to copy (or in the DM
    where the channel no longer suits)."""
    edited = edited_reply(services, body, view)
    if edited is None:
        return
    record, text = edited
    went_to = post_in_thread_or_dm(client, services.guests, record.user_id, record.channel_id or "",
                                   final_reply_message(record.user_id, text), record.parent_ts,
                                   dm_note={"text": message("final_reply_to_dm")})
    logger.info("final reply posted team=%s user=%s triage=%s in_thread=%s", record.team_id, record.user_id,
                record.id, "yes" if went_to == record.channel_id else "no")


def register(app: App, services: Services) -> None:
    """Wire the modal submissions."""
    register_modals(app, services, ((VIEW_PASTE_REQUEST, check_pasted_request, triage_pasted_request),
                                    (VIEW_EDIT_REPLY, check_edited_reply, post_edited_reply)))
