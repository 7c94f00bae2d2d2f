"""Bolt's way of working after the ack, for the listeners each surface's `register(app, services)` wires.

A listener acks first, on the request's thread (Bolt answers Slack as soon as it returns, the app running with
`process_before_response=True`), and whatever calls Slack comes after, in Bolt's lazy listeners
(`app.action(...)(ack=..., lazy=[...])`), which Bolt runs on the app's `listener_executor`. A lazy listener gets a
copy of the request's context, so the services reach it through `register(app, services)`, never the context.
"""

from __future__ import annotations

import inspect
import logging
import re
import threading
import uuid
from collections.abc import Callable, Iterable
from concurrent import futures
from concurrent.futures import Future, ThreadPoolExecutor
from functools import partial
from typing import Any

from slack_bolt import App
from slack_bolt.kwargs_injection import Args

from bot.copy import message
from bot.slack.answers import say_privately
from bot.slack.delivery import tell_user
from bot.slack.services import Services
from bot.leases import new_claim_token
from bot.models import utcnow
from bot.triage_jobs import JobClaim, JobDraft, hand_back, queue_job

logger = logging.getLogger(__name__)

TRIAGE_JOB = "triage_job"  # the context key under which the ack leaves the key of the triage job it stores
JOB_STORE_WAIT_SECONDS = 0.5  # the ack waits no longer than this for its job to be stored
_job_stores = ThreadPoolExecutor(max_workers=4, thread_name_prefix="store-job")
_pending_jobs: dict[str, Future[JobClaim]] = {}
_pending_lock = threading.Lock()

def acknowledge(ack) -> None:
    """Ack alone: the listener's whole work comes after it."""
    ack()


# Set when this process stops (SIGTERM: a deploy, a scale-down): work after an ack that has not started yet is not
# started, so what the process drains before it ends is short; work already going finishes. A triage kept as a job
# is handed back for another instance (or this one, restarted) to finish; other work tells its user to send it again.
stopping = threading.Event()


def stop_taking_work() -> None:
    """From now on, work after an ack that has not started is handed back or refused (see `stopping`)."""
    stopping.set()


def _store_claimed(services: Services, draft: JobDraft) -> JobClaim:
    token, now = new_claim_token(), utcnow()
    job_id = queue_job(services.db, draft, services.settings.retention_days, token, now=now)
    return JobClaim(services.db, job_id, token, leased_at=now)


def keep_triage(services: Services, context, draft: JobDraft) -> None:
    """In the ack: store the triage it acks as a job claimed by this instance (one INSERT), so it is finished even
    when this process is not. The INSERT runs on a thread of its own and is waited for at most
    `JOB_STORE_WAIT_SECONDS`, so a database that stopped answering never holds the ack; the work after the ack
    learns the job's claim (`acked_job`)."""
    key = uuid.uuid4().hex
    stored = _job_stores.submit(_store_claimed, services, draft)
    with _pending_lock:
        _pending_jobs[key] = stored
    context[TRIAGE_JOB] = key
    futures.wait([stored], timeout=JOB_STORE_WAIT_SECONDS)


def acked_job(context) -> JobClaim | None:
    """This instance's claim on the job the ack stored for this request, once stored; None when it stored none,
    or storing failed (the triage is then done from memory alone, as before there were jobs)."""
    key = context.get(TRIAGE_JOB)
    with _pending_lock:
        stored = _pending_jobs.pop(key, None) if key is not None else None
    if stored is None:
        return None
    try:
        return stored.result()
    except Exception:  # the work goes on from memory
        logger.exception("triage job not stored team=%s user=%s request=%s", context.get("team_id"),
                         context.get("user_id"), context.get("request_id"))
        return None


def after_ack(services: Services, work: Callable[..., None]) -> Callable[[Args], None]:
    """`work(services, ...)` as a Bolt lazy listener: Bolt runs it on the listener executor once Slack has its
    answer and hands it Bolt's arguments (`Args`), of which it gets those it names. A failure is logged with ids
    and told to the user privately, where Bolt would only log its message (which may quote the client); so is
    work that had not started when the process began to stop."""
    bound = partial(work, services)
    names = tuple(inspect.signature(bound).parameters)

    def run(args: Args) -> None:
        if stopping.is_set():
            if not handed_back(services, args):
                tell_stopping(args)
            return
        try:
            bound(**{name: getattr(args, name) for name in names})
        except Exception as error:  # noqa: BLE001 - reported to the user
            report_failure(error, args.body, args.context, args.respond, args.logger)

    run.__name__ = run.__qualname__ = work.__name__
    run.__doc__ = work.__doc__
    return run


def workspace_url(context) -> str | None:
    """The workspace's URL from Bolt's authorize result, when Slack has told it (links to messages use it)."""
    result = context.authorize_result
    return result.url if result is not None else None


def register_buttons(app: App, services: Services,
                     buttons: Iterable[tuple[str | re.Pattern, Callable[..., None]]]) -> None:
    """Wire each button (an action id or a pattern of them) to ack at once, with its work after the ack."""
    for matcher, work in buttons:
        app.action(matcher)(ack=acknowledge, lazy=[after_ack(services, work)])


def register_modals(app: App, services: Services,
                    modals: Iterable[tuple[str, Callable[..., None], Callable[..., None]]]) -> None:
    """Wire each modal (a callback id) to `check(services, ack, ...)`, which answers in the ack (errors next to
    the fields, or none) using the store alone, and to its `work(services, ...)` after the ack."""
    for callback_id, check, work in modals:
        app.view(callback_id)(ack=partial(check, services), lazy=[after_ack(services, work)])


def handed_back(services: Services, args: Args) -> bool:
    """For a stopping process: leave the request's triage job, if the ack stored one, to any instance; True when
    it is (or another instance already has it), so the user need not send it again."""
    claim = acked_job(args.context)
    if claim is None:
        return False
    try:
        again = hand_back(services.db, claim.job_id, claim.token)
    except Exception:  # the job's lease runs out and another instance takes it anyway
        args.logger.exception("could not hand back triage job=%s", claim.job_id)
        return True
    args.logger.info("stopping: triage job=%s %s request=%s", claim.job_id,
                     "handed back for another instance" if again else "already taken by another instance",
                     args.context.get("request_id"))
    return True


def tell_stopping(args: Args) -> None:
    """Tell the user privately that their request was not done because the process is stopping."""
    context = args.context
    args.logger.warning("stopping: work after the ack not started team=%s user=%s request=%s", context.team_id,
                        context.user_id, context.get("request_id"))
    if context.user_id is None:
        return
    try:
        tell_user(context.response_url, args.client, context.user_id, context.channel_id, message("stopping"))
    except Exception:  # noqa: BLE001 - the process is going; the log has the ids
        args.logger.warning("could not tell the user the request was not done request=%s", context.get("request_id"))


def report_failure(error: Exception, body: dict[str, Any], context, respond, logger) -> None:
    """Log a listener's failure with ids only, and tell the user in a short private message."""
    user = (body.get("user") or {}).get("id") or body.get("user_id")
    logger.error("listener failed team=%s user=%s request=%s error=%s", context.get("team_id"), user,
                 context.get("request_id"), type(error).__name__, exc_info=error)
    if respond is not None and (body.get("response_url") or context.get("response_url")):
        try:
            say_privately(respond, message("failed"))
        except Exception:  # noqa: BLE001 - the failure is logged above; nothing more to do
            logger.warning("could not tell the user about the failure request=%s", context.get("request_id"))
