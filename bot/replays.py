"""Replays inside Slack's signature window: a signed request is accepted for 5 minutes after its timestamp, so a
captured one could be sent again and processed again. Each request's body is recorded (its SHA-256) in the
database, shared by every instance and process, and a body seen before within the window is not processed twice.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from datetime import datetime, timedelta

from sqlalchemy import delete
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


def request_digest(raw_body: str | bytes) -> str:
    """The key a request is remembered by: the SHA-256 of its body, which carries Slack's unique ids (trigger id,
    event id, action time) and which the signature covers."""
    data = raw_body.encode("utf-8", "surrogatepass") if isinstance(raw_body, str) else raw_body
    return hashlib.sha256(data).hexdigest()


class ReplayGuard:
    """Remembers the requests seen, in the shared database, forgetting them once no replay could pass the
    signature check."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self._insert = postgresql_insert if db.is_postgresql else sqlite_insert
        self._lock = threading.Lock()
        self._cleaned_at = time.monotonic()
        self._in_flight = threading.BoundedSemaphore(CHECKS_IN_FLIGHT)

    def first_sighting_promptly(self, raw_body: str | bytes) -> bool:
        """`first_sighting`, waited for no longer than `CHECK_WAIT_SECONDS`, on a thread of its own, so that a
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

        threading.Thread(target=check, name="replay-check", daemon=True).start()
        if not done.wait(CHECK_WAIT_SECONDS):
            logger.warning("could not check the request against replays seen in %ss", CHECK_WAIT_SECONDS)
            return True
        return answer[0] if answer else True

    def first_sighting(self, raw_body: str | bytes, now: datetime | None = None) -> bool:
        """True the first time this body is seen (and records it); False for a replay. When the database cannot
        say, True: the request is handled as any other and meets the same database trouble there."""
        now = now or utcnow()
        statement = (self._insert(SeenRequest).values(digest=request_digest(raw_body), seen_at=now)
                     .on_conflict_do_nothing(index_elements=["digest"]).returning(SeenRequest.digest))
        try:
            with self.db.transaction() as session:
                first = session.execute(statement).first() is not None
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
