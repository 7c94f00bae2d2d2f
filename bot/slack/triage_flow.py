"""From a request someone wants triaged to a stored triage posted where only the right people see it."""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field, replace
from datetime import datetime
from functools import partial
from typing import Any

from slack_sdk import WebClient

from bot.accounts import accounts_for, suggest_account
from bot.blocks.triage import parent_message, shortcut_parent_message, triage_message
from bot.copy import message
from bot.db import Database
from bot.models import utcnow
from bot.slack.delivery import PartlyPosted, deliver, pointer_text, tell_user
from bot.slack.message_reader import with_sign_off
from bot.slack.model_writer import rewrite_posted_triage
from bot.slack.payloads import readable_text
from bot.slack.services import Services
from bot.triage import AccountContext, EmptyRequestError, triage
from bot.triage_jobs import JobClaim, finish_job
from bot.triage_store import new_triage_id, record_triage

logger = logging.getLogger(__name__)

# The triage engine is pure-Python CPU: two triages computing at once in one process only take turns on the GIL,
# each slower, with the acks waiting behind both. One computes at a time; the other thread posts or stores.
_ENGINE = threading.Lock()


@dataclass(frozen=True)
class TriageAsk:
    """Who wants what triaged, from where."""

    team_id: str
    user_id: str
    text: str
    source: str
    origin_channel_id: str | None
    response_url: str | None = None
    thread_ts: str | None = None
    message_link: str | None = None
    request_id: str = "-"
    sender_name: str = ""
    sender_address: str = ""
    notes: tuple[str, ...] = ()
    workspace_url: str | None = None  # Bolt's `authorize_result.url`, for links to messages
    asked_at: datetime = field(default_factory=utcnow)


def triage_input(ask: TriageAsk) -> str:
    """The text the triage reads: the request, signed by its sender when it is known and the request's own words
    carry no sign-off (so the reply can greet them). The request as stored and quoted stays as the client wrote
    it."""
    return with_sign_off(ask.text, ask.sender_name)


def triage_and_deliver(client: WebClient, services: Services, ask: TriageAsk, job: JobClaim | None = None) -> None:
    """Triage `ask.text`, post it privately enough, store it with where it went, and tell the user where that is
    when not obvious. For a triage kept as a job (`bot.triage_jobs`), the work is fenced on the job's claim (in
    the unit of work that reads the user's accounts, before the triage and its post: a claim another instance has
    taken over triages and posts nothing), the post carries the job's metadata, and the job is marked done in the
    unit of work that stores the triage.

    Any failure reaches the user as a short friendly message; the log keeps ids, never the client's text.
    """
    ids = f"team={ask.team_id} user={ask.user_id} request={ask.request_id}"
    db = services.db
    ask = replace(ask, text=readable_text(ask.text), sender_name=readable_text(ask.sender_name),
                  sender_address=readable_text(ask.sender_address),
                  notes=tuple(readable_text(note) for note in ask.notes))
    try:
        with db.statements() as connection:  # the read first: on SQLite the fence's UPDATE takes the write lock
            accounts = accounts_for(db, ask.team_id, ask.user_id, connection=connection)
            if job is not None and not job.hold(connection):
                logger.warning("triage not done %s job=%s: another instance has taken the job over", ids, job.job_id)
                return
        try:
            account = suggest_account(accounts, "\n".join(part for part in (ask.text, ask.sender_address) if part))
            context = AccountContext(account.name, account.scope_notes) if account else None
            with _ENGINE:
                result = triage(triage_input(ask), account=context).to_dict()
            if account is not None:
                result["account_id"] = account.id
            if ask.notes:
                result["notes"] = [*ask.notes, *(result.get("notes") or [])]
        except EmptyRequestError:
            tell_user(ask.response_url, client, ask.user_id, ask.origin_channel_id, message("nothing_to_triage"))
            return
        triage_id = new_triage_id()
        store = partial(_store, db, job, triage_id=triage_id, team_id=ask.team_id, user_id=ask.user_id,
                        source=ask.source, origin_channel_id=ask.origin_channel_id, request_text=ask.text,
                        result=result, retention_days=services.settings.retention_days, asked_at=ask.asked_at)
        in_thread = ask.thread_ts is not None
        try:  # posted first, its buttons carrying the new id, then stored with where it went: one INSERT
            posted = deliver(
                client, services.guests, user_id=ask.user_id, origin_channel_id=ask.origin_channel_id,
                parent=None if in_thread else parent_message(ask.user_id, ask.text),
                dm_parent=(shortcut_parent_message(ask.user_id, ask.text, ask.origin_channel_id or "", ask.message_link)
                           if in_thread else parent_message(ask.user_id, ask.text)),
                reply=triage_message(triage_id, result), thread_ts=ask.thread_ts, workspace_url=ask.workspace_url,
                metadata=job.metadata if job is not None else None,
            )
        except Exception:
            store()  # kept even though Slack refused it, so the user's history has every triage they asked for
            raise
        try:
            store(**posted.place())
        except Exception:  # the triage is in Slack: say why its buttons will not work, and go on
            logger.exception("triage posted but not stored %s triage=%s", ids, triage_id)
            tell_user_safely(client, ask.response_url, ask.user_id, None, message("not_stored"), ids)
        logger.info("triaged %s triage=%s verdict=%s reasons=%s private=%s", ids, triage_id, result["verdict"],
                    ",".join(result["reasons"]), posted.private_reason or "no")
        if posted.private_reason:
            tell_user(ask.response_url, client, ask.user_id, None, pointer_text(posted))
        rewrite_posted_triage(client, services, team_id=ask.team_id, triage_id=triage_id, text=triage_input(ask),
                              result=result, channel_id=posted.channel_id, ts=posted.reply_ts,
                              request_id=ask.request_id)
    except Exception as error:  # whatever broke, the user hears about it, truthfully
        logger.exception("triage failed %s", ids)
        said = (message("failed_partly", channel=error.channel_id) if isinstance(error, PartlyPosted)
                else message("failed"))
        tell_user_safely(client, ask.response_url, ask.user_id, ask.origin_channel_id, said, ids)


def _store(db: Database, job: JobClaim | None, **triage: Any) -> None:
    """Store the triage and, for a job, mark it done (when its claim still holds it), in one unit of work."""
    with db.statements() as connection:
        record_triage(db, connection=connection, **triage)
        done = job is not None and finish_job(db, job.job_id, job.token, connection=connection)
    if job is not None:
        job.done = done


def tell_user_safely(client: WebClient, response_url: str | None, user_id: str, channel_id: str | None, text: str,
                     ids: str) -> None:
    """`tell_user`, logging instead of raising when even that fails."""
    try:
        tell_user(response_url, client, user_id, channel_id, text)
    except Exception:  # nothing more can be done; the log has the ids
        logger.exception("could not tell the user about a failure %s", ids)
