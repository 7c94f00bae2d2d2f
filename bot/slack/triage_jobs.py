"""Finishing acked triages kept as jobs (`bot.triage_jobs`): by the instance that acked one, right after the ack,
and by any instance's clock for the jobs another left behind (stopped before it started them, or killed).

A job is posted once: the post is fenced on the job's claim, and a job taken over from a worker that died is first
looked for in Slack (each message posted for it carries its id in the metadata), where the triage may already be.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.copy import message
from bot.db import Database
from bot.models import utcnow
from bot.settings import Settings
from bot.slack.client import make_web_client
from bot.slack.delivery import open_dm, permalink, take_back
from bot.slack.services import Services
from bot.slack.triage_flow import TriageAsk, tell_user_safely, triage_and_deliver
from bot.slack.workspaces import TokenDirectory
from bot.leases import new_claim_token
from bot.triage_jobs import (
    MAX_ATTEMPTS,
    METADATA_EVENT,
    JobClaim,
    QueuedJob,
    claim_stranded,
    finish_job,
    load_job,
)

logger = logging.getLogger(__name__)

HISTORY_LOOKBACK = 100
RECOVERY_RUN_SECONDS = 10.0  # a run claims no new batch after this, so a stopping clock is not held long


def triage_acked(client: WebClient, services: Services, claim: JobClaim | None, ask: TriageAsk) -> None:
    """The work after the ack of a triage: finish the job the ack stored, born claimed by this instance, from `ask`
    (its first step is the fence: a job another instance has taken over meanwhile is left to it); with no job
    (storing it failed at the ack), triage from memory alone."""
    if claim is None:
        triage_and_deliver(client, services, ask)
        return
    ids = f"team={ask.team_id} user={ask.user_id} request={ask.request_id} job={claim.job_id}"
    _work_then_mark_done(services, claim, ids, lambda: triage_and_deliver(client, services, ask, claim))


def finish_claimed(client: WebClient, services: Services, claim: JobClaim, now: datetime | None = None) -> None:
    """Finish a job claimed from the store: triage and post it from the row, renewing the claim meanwhile, and
    mark it done. A job claimed before (by a worker that died) is first looked for in Slack; one claimed too often
    is given up, and its user told."""
    db = services.db
    now = now or utcnow()
    job = load_job(db, claim.job_id, claim.token)
    if job is None:
        return
    ids = f"team={job.team_id} user={job.user_id} request={job.request_id} job={job.id}"
    if job.attempts > MAX_ATTEMPTS:
        logger.error("triage job given up after %s claims %s", job.attempts - 1, ids)
        if finish_job(db, job.id, claim.token, failed=True):
            tell_user_safely(client, job.response_url_at(now), job.user_id, job.channel_id,
                             message("job_given_up", asked=f"<!date^{int(job.asked_at.timestamp())}^{{time}}|"
                                                           f"{job.asked_at:%H:%M} UTC>"), ids)
        return
    def work() -> None:
        if job.attempts > 1 and posted_before(client, job):
            logger.info("triage job found already posted %s", ids)
        else:
            triage_and_deliver(client, services, ask_from_job(client, job, now), claim)

    _work_then_mark_done(services, claim, ids, work)


def _work_then_mark_done(services: Services, claim: JobClaim, ids: str, work: Callable[[], None]) -> None:
    """Run `work` with the claim kept alive, then mark the job done unless the work's storing of the triage did. A
    job that cannot be marked done stays claimed until its lease runs out; whoever takes it then finds its triage in
    Slack and does not post it again."""
    with claim.kept_alive():
        work()
    if claim.done:
        return
    try:
        done = finish_job(services.db, claim.job_id, claim.token)
    except Exception:  # the triage is posted; the recovery closes the job
        logger.exception("triage job not marked done %s", ids)
        return
    if not done:
        logger.warning("triage job not marked done (its claim ran out) %s", ids)


def ask_from_job(client: WebClient, job: QueuedJob, now: datetime) -> TriageAsk:
    """The triage a job asks for, as the acking instance had it (the response_url only while Slack takes it)."""
    details = job.details
    workspace = details.get("workspace_url")
    message_ts = details.get("message_ts")
    link = (permalink(client, job.channel_id, message_ts, workspace)
            if job.channel_id and isinstance(message_ts, str) else None)
    return TriageAsk(
        team_id=job.team_id, user_id=job.user_id, text=job.text or "", source=job.source,
        origin_channel_id=job.channel_id, response_url=job.response_url_at(now), thread_ts=job.thread_ts,
        message_link=link, request_id=job.request_id, sender_name=str(details.get("sender_name") or ""),
        sender_address=str(details.get("sender_address") or ""),
        notes=tuple(str(note) for note in details.get("notes") or ()), workspace_url=workspace,
        asked_at=job.asked_at,
    )


def _for_job(item: dict[str, Any], job_id: int) -> bool:
    metadata = item.get("metadata") or {}
    return (metadata.get("event_type") == METADATA_EVENT
            and (metadata.get("event_payload") or {}).get("job_id") == job_id)


def posted_before(client: WebClient, job: QueuedJob) -> bool:
    """True when an earlier claim of `job` posted its triage in full (the reply is in Slack). A parent message it
    posted without the reply is taken back, so posting again leaves one."""
    threads: list[tuple[str, str]] = [(job.channel_id, job.thread_ts)] if job.channel_id and job.thread_ts else []
    parents: list[tuple[str, str]] = []
    try:
        places = ([job.channel_id] if job.channel_id and not job.thread_ts else []) + [open_dm(client, job.user_id)]
        for channel in dict.fromkeys(places):
            try:
                history = client.conversations_history(channel=channel, limit=HISTORY_LOOKBACK,
                                                       include_all_metadata=True)
            except SlackApiError:
                continue
            parents += [(channel, item["ts"]) for item in history.get("messages") or [] if _for_job(item, job.id)]
        for channel, ts in threads + parents:
            try:
                replies = client.conversations_replies(channel=channel, ts=ts, include_all_metadata=True)
            except SlackApiError:
                continue
            if any(_for_job(item, job.id) and item.get("ts") != ts for item in replies.get("messages") or []):
                return True
    except Exception:  # noqa: BLE001 - cannot check: posting again is safer than never posting
        logger.warning("could not look in Slack for triage job=%s before posting it again", job.id)
        return False
    for channel, ts in parents:
        take_back(client, channel, ts)
    return False


def recover_stranded(settings: Settings, db: Database, services: Services | None = None) -> int:
    """Claim and finish the jobs other instances left behind, `settings.listener_threads` at a time, each with its
    workspace's bot token, claiming no new batch after `RECOVERY_RUN_SECONDS` (the next run goes on); how many
    were claimed."""
    services = services or Services(settings=settings, db=db)
    tokens = TokenDirectory(settings, db)
    clients: dict[str, WebClient] = {}
    total = 0
    with ThreadPoolExecutor(max_workers=settings.listener_threads, thread_name_prefix="recover-triage") as pool:
        deadline = time.monotonic() + RECOVERY_RUN_SECONDS
        while time.monotonic() < deadline:
            token, leased_at = new_claim_token(), utcnow()
            claimed = claim_stranded(db, token, now=leased_at, limit=settings.listener_threads)
            if not claimed:
                break
            total += len(claimed)
            list(pool.map(_recover, [(services, tokens, clients, JobClaim(db, job_id, token, leased_at))
                                     for job_id in claimed]))
    if total:
        logger.info("recovered %s triage job(s) left by a stopped or failed instance", total)
    return total


def _recover(work: tuple[Services, TokenDirectory, dict[str, WebClient], JobClaim]) -> None:
    services, tokens, clients, claim = work
    job = load_job(services.db, claim.job_id, claim.token)
    if job is None:
        return
    token = tokens.bot_token(job.team_id)
    if token is None:
        logger.error("triage job=%s team=%s cannot be finished: the app is no longer installed", job.id, job.team_id)
        finish_job(services.db, job.id, claim.token, failed=True)
        return
    client = clients.setdefault(token, make_web_client(services.settings, token=token))
    try:
        finish_claimed(client, services, claim)
    except Exception:  # one job's failure never stops the others; its lease lets the next pass try again
        logger.exception("triage job=%s could not be finished; it is tried again when its lease ends", job.id)
