"""Replays inside Slack's signature window: a signed request is accepted for 5 minutes after its timestamp, so a
captured one could be sent again and processed again. Each request's body is recorded (its SHA-256) in the
database, shared by every instance and process, and a body seen before within the window is not processed twice.
"""

from __future__ import annotations

import hashlib
import logging
import queue
import threading
import time
from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import bindparam, delete
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from bot.db import Database
from bot.models import SeenRequest, utcnow

logger = logging.getLogger(__name__)

REPLAY_WINDOW = timedelta(minutes=5)  # Slack's: a signature older (or newer) than this is refused anyway
KEEP_FOR = 2 * REPLAY_WINDOW + timedelta(minutes=1)  # a timestamp may be up to the window ahead of this clock
CLEANUP_EVERY_SECONDS = 60.0
CHECK_WAIT_SECONDS = 0.5  # a request is acked by then at the latest, whatever the database does
CHECKS_IN_FLIGHT = 8  # past this many checks waiting on the database, requests go unchecked at once
CHECK_THREAD_IDLE_SECONDS = 30.0  # a check thread with nothing to do for this long ends


def request_digest(raw_body: str | bytes) -> str:
    """The key a request is remembered by: the SHA-256 of its body, which carries Slack's unique ids (trigger id,
    event id, action time) and which the signature covers."""
    data = raw_body.encode("utf-8", "surrogatepass") if isinstance(raw_body, str) else raw_body
    return hashlib.sha256(data).hexdigest()


class CheckThreads:
    """Daemon threads that run the checks handed to them, at most one per check in flight, each ending after
    `CHECK_THREAD_IDLE_SECONDS` with nothing to do. Starting a thread for every check cost more CPU than the check
    itself; daemon threads, unlike an executor's, never hold the process's exit behind a database that stopped
    answering."""

    def __init__(self, name: str = "replay-check", idle_seconds: float = CHECK_THREAD_IDLE_SECONDS) -> None:
        self.name = name
        self.idle_seconds = idle_seconds
        self._tasks: queue.SimpleQueue[Callable[[], None]] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._alive = 0
        self._busy = 0

    def run(self, task: Callable[[], None]) -> None:
        """Run `task` on one of the threads, starting one when every thread alive has a check to finish."""
        with self._lock:
            self._tasks.put(task)
            self._busy += 1
            if self._busy <= self._alive:
                return
            self._alive += 1
        threading.Thread(target=self._serve, name=self.name, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                task = self._tasks.get(timeout=self.idle_seconds)
            except queue.Empty:
                with self._lock:
                    if self._tasks.empty():
                        self._alive -= 1
                        return
                continue
            try:
                task()
            finally:
                with self._lock:
                    self._busy -= 1


class ReplayGuard:
    """Remembers the requests seen, in the shared database, forgetting them once no replay could pass the
    signature check."""

    def __init__(self, db: Database) -> None:
        self.db = db
        insert = postgresql_insert if db.is_postgresql else sqlite_insert
        self._record = (insert(SeenRequest).values(digest=bindparam("digest"), seen_at=bindparam("seen_at"))
                        .on_conflict_do_nothing(index_elements=["digest"]).returning(SeenRequest.digest))
        self._lock = threading.Lock()
        self._cleaned_at = time.monotonic()
        self._in_flight = threading.BoundedSemaphore(CHECKS_IN_FLIGHT)
        self._threads = CheckThreads()

    def first_sighting_promptly(self, raw_body: str | bytes) -> bool:
        """`first_sighting`, waited for no longer than `CHECK_WAIT_SECONDS`, on a check thread, so that a
        database that stopped answering (a frozen link) cannot hold the request, and its ack, with it. Unanswered
        in time, or with `CHECKS_IN_FLIGHT` checks already stuck: True, as for any database failure."""
        if not self._in_flight.acquire(blocking=False):
            logger.warning("could not check the request against replays seen: the database is not answering")
            return True
        answer: list[bool] = []
        done = threading.Event()

        def check() -> None:
            try:
                answer.append(self.first_sighting(raw_body))
            finally:
                self._in_flight.release()
                done.set()

        self._threads.run(check)
        if not done.wait(CHECK_WAIT_SECONDS):
            logger.warning("could not check the request against replays seen in %ss", CHECK_WAIT_SECONDS)
            return True
        return answer[0] if answer else True

    def first_sighting(self, raw_body: str | bytes, now: datetime | None = None) -> bool:
        """True the first time this body is seen (and records it); False for a replay. When the database cannot
        say, True: the request is handled as any other and meets the same database trouble there."""
        now = now or utcnow()
        try:
            with self.db.statements() as connection:
                first = connection.execute(self._record, {"digest": request_digest(raw_body),
                                                          "seen_at": now}).first() is not None
            self._clean_up(now)
        except Exception:  # noqa: BLE001 - fail open: refusing every request while the store is down helps no one
            logger.warning("could not check the request against replays seen")
            return True
        return first

    def _clean_up(self, now: datetime) -> None:
        with self._lock:
            if time.monotonic() - self._cleaned_at < CLEANUP_EVERY_SECONDS:
                return
            self._cleaned_at = time.monotonic()
        with self.db.transaction() as session:
            session.execute(delete(SeenRequest).where(SeenRequest.seen_at < now - KEEP_FOR))
