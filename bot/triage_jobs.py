"""Triages acked but not yet answered, kept as rows so that no acked triage is lost with the process that acked it.

The ack stores the job (one INSERT): who asked, where, and the request's text, born claimed by the acking
instance under a short lease (`bot.leases`), so the work after the ack needs no round trip to claim it. That work
renews the lease when it outlives a third of it, fences the post on the claim's token, and marks the job done,
which clears the client's words from the row. Whatever the acking process leaves behind (a SIGTERM before the work
started: handed back at once; a SIGKILL: when its lease runs out) is claimed by the recovery job of any instance's
clock and finished there.
Slack-free: posting is the adapter's (`bot.slack.triage_jobs`).
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Insert, and_, bindparam, delete, insert, or_, select, update
from sqlalchemy.orm import Session

from bot.db import Database, rows_changed
from bot.leases import Claims, Lease, LeaseKeeper, claim, finish, new_claim_token
from bot.models import TriageJob, TriageJobStatus, utcnow
from bot.triage_store import as_utc

JOB_LEASE = timedelta(seconds=30)  # a worker that stops renewing (its process died) loses the job this soon
RENEW_EVERY = timedelta(seconds=10)
RESPONSE_URL_LIFETIME = timedelta(minutes=30)  # Slack's; past it the user is reached with the bot token
MAX_ATTEMPTS = 5  # claims of one job; past this its user is told it could not be done
UNFINISHED_TEXT_KEPT = timedelta(hours=1)  # with PUSHBACK_RETENTION_DAYS=0: the text only while it is owed
FINISHED_KEPT = timedelta(days=1)  # a done or failed job's row (no client text left in it)
RECOVERY_BATCH = 20
METADATA_EVENT = "pushback_triage_job"

JOB_CLAIMS = Claims(TriageJob, TriageJobStatus.CLAIMED, JOB_LEASE, RENEW_EVERY)
UNFINISHED = (TriageJobStatus.QUEUED, TriageJobStatus.CLAIMED)
_LEASES = LeaseKeeper("lease-triage-jobs")


@dataclass(frozen=True)
class JobDraft:
    """What a triage acked to a user needs to be finished by any instance: who asked, where, what (`text`), and the
    surface's own few `details` (for the message shortcut: the message's ts, its sender, notes on how it was
    read)."""

    request_id: str
    team_id: str
    user_id: str
    source: str
    text: str
    channel_id: str | None = None
    thread_ts: str | None = None
    response_url: str | None = None
    enterprise_id: str | None = None
    details: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class QueuedJob:
    """A claimed job, detached from its session."""

    id: int
    request_id: str
    team_id: str
    enterprise_id: str | None
    user_id: str
    source: str
    channel_id: str | None
    thread_ts: str | None
    response_url: str | None
    text: str | None
    details: dict[str, Any]
    attempts: int
    asked_at: datetime

    def response_url_at(self, now: datetime) -> str | None:
        """The job's `response_url` while Slack still takes it (30 minutes from the ask), else None."""
        return self.response_url if now - self.asked_at < RESPONSE_URL_LIFETIME else None


_JOB_COLUMNS = ("request_id", "team_id", "enterprise_id", "user_id", "source", "channel_id", "thread_ts",
                "response_url", "request_text", "details", "claim_token", "lease_until", "available_at",
                "text_expires_at", "asked_at")


@functools.cache
def _insert_claimed_job() -> Insert:
    """INSERT ... RETURNING of a job born claimed (parameters named after `_JOB_COLUMNS`). Built once: a statement
    made anew for each ack cost more CPU than running it."""
    columns = TriageJob.__table__.c
    return insert(TriageJob).values(
        status=TriageJobStatus.CLAIMED, attempts=1,
        **{name: bindparam(name, type_=columns[name].type) for name in _JOB_COLUMNS}).returning(TriageJob.id)


def queue_job(db: Database, draft: JobDraft, retention_days: int, token: str, now: datetime | None = None) -> int:
    """Store an acked triage as a job claimed by `token`, its lease counted from `now` (one INSERT); its id. The
    acking instance holds it from the start: another takes it over only once the lease runs out, or when it is
    handed back. The text expires with the retention (with none, after `UNFINISHED_TEXT_KEPT`), and goes as soon as
    the job is done."""
    now = now or utcnow()
    kept = timedelta(days=retention_days) if retention_days > 0 else UNFINISHED_TEXT_KEPT
    with db.statements() as connection:
        return int(connection.execute(_insert_claimed_job(), {
            "request_id": draft.request_id, "team_id": draft.team_id, "enterprise_id": draft.enterprise_id,
            "user_id": draft.user_id, "source": draft.source, "channel_id": draft.channel_id,
            "thread_ts": draft.thread_ts, "response_url": draft.response_url, "request_text": draft.text,
            "details": draft.details or None, "claim_token": token, "lease_until": now + JOB_LEASE,
            "available_at": now, "text_expires_at": now + kept, "asked_at": now}).scalar_one())


def _stranded(now: datetime):
    return and_(TriageJob.request_text.is_not(None), or_(
        and_(TriageJob.status == TriageJobStatus.QUEUED, TriageJob.available_at <= now),
        and_(TriageJob.status == TriageJobStatus.CLAIMED, TriageJob.lease_until < now)))


def claim_stranded(db: Database, token: str, now: datetime | None = None, limit: int = RECOVERY_BATCH) -> list[int]:
    """Claim up to `limit` jobs their instance left behind: queued ones (handed back) from their `available_at`,
    claimed ones whose lease ran out (the process that acked or worked them died). Oldest first."""
    now = now or utcnow()
    return claim(db, JOB_CLAIMS, _stranded(now), token=token, leased_at=now, limit=limit,
                 order_by=TriageJob.asked_at, attempts=TriageJob.attempts + 1)


def load_job(db: Database, job_id: int, token: str) -> QueuedJob | None:
    """The job, when `token` still holds it."""
    with db.transaction() as session:
        row = session.scalar(select(TriageJob).where(TriageJob.id == job_id, JOB_CLAIMS.held(token)))
        if row is None or row.request_text is None:
            return None
        return QueuedJob(
            id=row.id, request_id=row.request_id, team_id=row.team_id, enterprise_id=row.enterprise_id,
            user_id=row.user_id, source=row.source, channel_id=row.channel_id, thread_ts=row.thread_ts,
            response_url=row.response_url, text=row.request_text, details=dict(row.details or {}),
            attempts=row.attempts, asked_at=as_utc(row.asked_at))


_CLEARED: dict[str, Any] = {"request_text": None, "details": None, "response_url": None, "text_expires_at": None}


def finish_job(db: Database, job_id: int, token: str, *, failed: bool = False, now: datetime | None = None,
               connection: Connection | None = None) -> bool:
    """Mark a claimed job done (or failed) and clear the client's words from it, when `token` still holds it (given
    `connection`, in the caller's unit of work)."""
    return finish(db, JOB_CLAIMS, job_id, token, status=TriageJobStatus.FAILED if failed else TriageJobStatus.DONE,
                  finished_at=now or utcnow(), connection=connection, **_CLEARED)


def hand_back(db: Database, job_id: int, token: str, now: datetime | None = None) -> bool:
    """A stopping instance gives back a job it holds under `token` and had not started: any instance may take it
    from now on, and that claim is not counted as an attempt. False when `token` no longer holds it."""
    with db.transaction() as session:
        return rows_changed(session.execute(update(TriageJob).where(
            TriageJob.id == job_id, JOB_CLAIMS.held(token)).values(
            status=TriageJobStatus.QUEUED, claim_token=None, lease_until=None, available_at=now or utcnow(),
            attempts=TriageJob.attempts - 1))) == 1


class JobClaim:
    """One job held under a claim token, leased at `leased_at` (when known): `hold()` renews the lease and says
    whether it is still held (the fence before posting); `kept_alive()` renews it in the background while the work
    runs, however long Slack takes; `metadata` marks what is posted for it, so a later claim can find it in Slack."""

    def __init__(self, db: Database, job_id: int, token: str | None = None,
                 leased_at: datetime | None = None) -> None:
        self.job_id = job_id
        self.lease = Lease(db, JOB_CLAIMS, token or new_claim_token(), leased_at=leased_at)
        self.done = False  # set once the job is marked done (in the triage's own storing)

    @property
    def token(self) -> str:
        """The claim's token."""
        return self.lease.token

    @property
    def metadata(self) -> dict[str, Any]:
        """Message metadata naming the job, carried by each message posted for it."""
        return {"event_type": METADATA_EVENT, "event_payload": {"job_id": self.job_id}}

    def hold(self, connection: Connection | None = None) -> bool:
        """Renew the lease and return True when the job is still this claim's (given `connection`, in the caller's
        unit of work)."""
        return self.lease.hold(self.job_id, connection)

    @contextmanager
    def kept_alive(self) -> Iterator[None]:
        """Renew the lease every `RENEW_EVERY` until the block ends (work that ends sooner renews nothing)."""
        with _LEASES.kept(self.lease, self.job_id):
            yield


def purge_jobs(db: Database, now: datetime | None = None) -> int:
    """Retention for jobs: a job whose text expired before it was done loses it and fails; finished rows go after
    `FINISHED_KEPT`. How many jobs lost their text."""
    now = now or utcnow()
    with db.transaction() as session:
        expired = rows_changed(session.execute(update(TriageJob).where(
            TriageJob.text_expires_at <= now, TriageJob.status.in_(UNFINISHED)).values(
            status=TriageJobStatus.FAILED, claim_token=None, lease_until=None, finished_at=now, **_CLEARED)))
        session.execute(delete(TriageJob).where(TriageJob.status.not_in(UNFINISHED),
                                                TriageJob.finished_at < now - FINISHED_KEPT))
    return expired


def forget_user_jobs(session: Session, team_id: str, user_id: str) -> int:
    """Delete the user's jobs, done or not (an unfinished one is then not finished); how many."""
    return rows_changed(session.execute(delete(TriageJob).where(TriageJob.team_id == team_id,
                                                                TriageJob.user_id == user_id)))

