"""The "Push back on this" message shortcut: the triage in that message's thread, or privately in the DM."""

from __future__ import annotations

import logging
from functools import partial

from slack_bolt import App
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.copy import message
from bot.slack.delivery import permalink, tell_user
from bot.slack.message_reader import ATTACHMENT, EMAIL, SHARED_MESSAGE, Reading, read_message
from bot.slack.payloads import team_of
from bot.slack.services import Services
from bot.slack.triage_flow import TriageAsk
from bot.slack.triage_jobs import triage_acked
from bot.triage_jobs import JobDraft
from handlers.services import acked_job, after_ack, keep_triage, workspace_url

CALLBACK_ID = "pushback_message"

module_logger = logging.getLogger(__name__)


def read_with_full_email(client: WebClient, original: dict, reading: Reading, ids: str = "") -> Reading:
    """`reading` again with the whole email from `files.info` when the payload held only a preview of it; as it
    was when Slack will not give the file (the preview is triaged, and the user told so)."""
    if not (reading.needs_full_email and reading.file_id):
        return reading
    try:
        file = client.files_info(file=reading.file_id).get("file")
    except SlackApiError as error:
        module_logger.warning("files.info refused %s file=%s: %s", ids, reading.file_id, error.response.get("error"))
        return reading
    return read_message(original, {reading.file_id: file}) if isinstance(file, dict) else reading


def reading_notes(reading: Reading) -> tuple[str, ...]:
    """What the user is told about how the request was read: which email or shared message, from whom, when;
    that only a preview could be read; that only the first of several files or attachments was."""
    notes = []
    sender = (f"{reading.sender_name} <{reading.sender_address}>" if reading.sender_name and reading.sender_address
              else reading.sender_name or reading.sender_address)
    if reading.source == EMAIL:
        subject = reading.subject or message("no_subject")
        sender = sender or message("unknown_sender")
        notes.append(message("read_email", subject=subject, sender=sender, date=reading.date) if reading.date
                     else message("read_email_undated", subject=subject, sender=sender))
        if reading.needs_full_email:
            notes.append(message("email_preview_only"))
        if reading.items > 1:
            notes.append(message("several_files", count=reading.items))
    elif reading.source in (SHARED_MESSAGE, ATTACHMENT):
        if sender:
            notes.append(message("read_titled", subject=reading.subject, sender=sender) if reading.subject
                         else message("read_shared", sender=sender))
        if reading.items > 1:
            notes.append(message("several_attachments", count=reading.items))
    return tuple(notes)


def ack_shortcut(services: Services, ack, shortcut, context):
    """Ack at once, keeping the triage as a job first when the message's payload holds words to triage (the
    message as Slack sent it, read here without calling Slack: an email's preview, which the work after the ack
    replaces with the whole email when it can)."""
    original = shortcut.get("message") or {}
    reading = read_message(original)
    if reading.text.strip():
        keep_triage(services, context, JobDraft(
            request_id=context.get("request_id", "-"), team_id=team_of(shortcut), enterprise_id=context.enterprise_id,
            user_id=shortcut["user"]["id"], source="shortcut", text=reading.text,
            channel_id=(shortcut.get("channel") or {}).get("id"), response_url=shortcut.get("response_url"),
            thread_ts=original.get("thread_ts") or original.get("ts") or shortcut.get("message_ts"),
            details={"workspace_url": workspace_url(context), "message_ts": original.get("ts")
                     or shortcut.get("message_ts"), "sender_name": reading.sender_name,
                     "sender_address": reading.sender_address, "notes": list(reading_notes(reading))}))
    ack()


def push_back_on_message(services: Services, shortcut, client, context):
    """After the ack: triage what the message asks (its text, blocks, attachments or forwarded email) in its
    thread (or the user's DM where the client could read it)."""
    user_id = shortcut["user"]["id"]
    channel_id = (shortcut.get("channel") or {}).get("id")
    original = shortcut.get("message") or {}
    team_id = team_of(shortcut)
    ids = f"team={team_id} user={user_id} request={context.get('request_id', '-')}"
    reading = read_with_full_email(client, original, read_message(original), ids)
    claim = acked_job(context)
    if not reading.text.strip() and claim is None:
        tell_user(shortcut.get("response_url"), client, user_id, channel_id, message("no_text"))
        return
    message_ts = original.get("ts") or shortcut.get("message_ts")
    base_url = workspace_url(context)
    triage_acked(client, services, claim, TriageAsk(
        team_id=team_id, user_id=user_id, text=reading.text, source="shortcut", origin_channel_id=channel_id,
        response_url=shortcut.get("response_url"), thread_ts=original.get("thread_ts") or message_ts,
        message_link=permalink(client, channel_id, message_ts, base_url) if channel_id and message_ts else None,
        request_id=context.get("request_id", "-"), sender_name=reading.sender_name,
        sender_address=reading.sender_address, notes=reading_notes(reading), workspace_url=base_url,
    ))


def register(app: App, services: Services) -> None:
    """Wire the message shortcut."""
    app.shortcut(CALLBACK_ID)(ack=partial(ack_shortcut, services), lazy=[after_ack(services, push_back_on_message)])
