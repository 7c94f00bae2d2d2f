"""Answering Slack as soon as a listener has acked, with the rest of its work on a pool.

The app runs Bolt with `process_before_response=True`: Bolt answers Slack when a listener returns. Bolt's other
mode runs each listener on a second thread while the request's thread polls for `ack()` every 10 ms, which put
10-15 ms before every answer (see BENCHMARKS.md). Here a listener that works after its ack is registered through
`acked_promptly`, which runs it on `listener_pool` and returns to Bolt the moment it has acked, woken by an event
rather than a poll. A listener that only acks and hands its work to a pool (a triage to `triage_pool`, see
`handlers.triage_flow`; anything else through `run_after_ack`) is registered as it is: Bolt runs it on the
request's thread and answers as soon as it returns, without a hand-over to another thread and back. Buttons and
modals never queue behind triages.
"""

from __future__ import annotations

import inspect
import logging
import os
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from bot.copy import message

logger = logging.getLogger(__name__)

ACK_WAIT_SECONDS = 3.0  # Slack's limit: past it Slack has given up on the answer anyway
LISTENER_ARGUMENTS = ("ack", "action", "body", "client", "command", "context", "event", "logger", "respond",
                      "shortcut", "view")


class WorkPool:
    """A process's pool for work after an ack. With `backlog` jobs already in hand, new work runs in the calling
    thread instead, so a flood slows the answers to Slack down rather than queueing without bound."""

    def __init__(self, name: str, threads: int, backlog: int) -> None:
        self.name = name
        self.threads = threads
        self._lock = threading.Lock()
        self._pool: ThreadPoolExecutor | None = None
        self._pid: int | None = None
        self._waiting = threading.BoundedSemaphore(backlog)

    def _executor(self) -> ThreadPoolExecutor:
        with self._lock:
            if self._pool is None or self._pid != os.getpid():  # made lazily, in the process that uses it
                self._pool = ThreadPoolExecutor(self.threads, thread_name_prefix=self.name)
                self._pid = os.getpid()
            return self._pool

    def submit(self, work: Callable[..., None], *args) -> None:
        """Run `work(*args)` soon on the pool (or now, in this thread, when the pool is backed up)."""
        if not self._waiting.acquire(blocking=False):
            _run_logged(work, *args)
            return

        def run() -> None:
            try:
                _run_logged(work, *args)
            finally:
                self._waiting.release()

        try:
            self._executor().submit(run)
        except RuntimeError:  # the interpreter is shutting down: do it here rather than drop it
            self._waiting.release()
            _run_logged(work, *args)


def _run_logged(work: Callable[..., None], *args) -> None:
    try:
        work(*args)
    except Exception:  # no listener is left to report it; the log has it
        logger.exception("work after ack failed")


# The triage is pure-Python CPU: more threads per process would only take turns on the GIL (see triage_flow).
triage_pool = WorkPool("triage", threads=2, backlog=256)
# Buttons, modals and App Home: mostly waiting on Slack and the store, and never queued behind triages.
listener_pool = WorkPool("listener", threads=6, backlog=256)


def report_failure(error, body, context, respond, logger):
    """Log a listener's failure with ids only, and tell the user in a short private message."""
    user = (body.get("user") or {}).get("id") or body.get("user_id")
    logger.error("listener failed team=%s user=%s request=%s error=%s", context.get("team_id"), user,
                 context.get("request_id"), type(error).__name__, exc_info=error)
    if respond is not None and (body.get("response_url") or context.get("response_url")):
        try:
            respond(response_type="ephemeral", replace_original=False, text=message("failed"))
        except Exception:  # noqa: BLE001 - the failure is logged above; nothing more to do
            logger.warning("could not tell the user about the failure request=%s", context.get("request_id"))


def run_after_ack(work: Callable[..., None], *args, body: dict, context, respond, logger) -> None:
    """Run `work(*args)` on `listener_pool`, for a listener Bolt runs on the request's thread once it has acked; a
    failure is reported to the user by `report_failure`, as `acked_promptly` reports one after the ack."""

    def run() -> None:
        try:
            work(*args)
        except Exception as error:  # noqa: BLE001 - reported to the user
            report_failure(error, body, context, respond, logger)

    listener_pool.submit(run)


class _Handover:
    """One listener call's state between Bolt's thread and the pool's: acked yet, Bolt's thread gone yet, and a
    failure that came before the ack (which Bolt's thread raises, so Bolt answers 500 and reports it)."""

    def __init__(self) -> None:
        self.acked = threading.Event()
        self.lock = threading.Lock()
        self.returned = False
        self.failure: Exception | None = None


def acked_promptly(listener: Callable[..., None]) -> Callable[..., None]:
    """`listener`, run on `listener_pool`; Bolt's thread returns as soon as it has acked (or finished, or after
    Slack's 3 s). A listener without `ack` (an event's: Bolt acks it) is not waited for. A failure after the ack
    is reported by `report_failure`, since Bolt no longer sees it."""
    wanted = inspect.getfullargspec(listener).args
    unknown = sorted(set(wanted) - set(LISTENER_ARGUMENTS))
    if unknown:
        raise TypeError(f"{listener.__name__} asks for {unknown}, which acked_promptly does not pass on")

    def run(ack, action, body, client, command, context, event, logger, respond, shortcut, view):
        handover = _Handover()

        def ack_and_release(*args, **kwargs):
            try:
                return ack(*args, **kwargs)
            finally:
                handover.acked.set()

        given = {"ack": ack_and_release, "action": action, "body": body, "client": client, "command": command,
                 "context": context, "event": event, "logger": logger, "respond": respond, "shortcut": shortcut,
                 "view": view}

        def work() -> None:
            try:
                listener(**{name: given[name] for name in wanted})
            except Exception as error:  # noqa: BLE001 - reported to the user one way or the other
                with handover.lock:
                    before_ack = not handover.acked.is_set() and not handover.returned
                    if before_ack:
                        handover.failure = error
                if not before_ack:
                    report_failure(error, body, context, respond, logger)
            finally:
                handover.acked.set()

        listener_pool.submit(work)
        if "ack" in wanted:
            handover.acked.wait(ACK_WAIT_SECONDS)
        with handover.lock:
            handover.returned = True
            failure = handover.failure
        if failure is not None:
            raise failure

    run.__name__, run.__qualname__, run.__doc__ = listener.__name__, listener.__qualname__, listener.__doc__
    return run
