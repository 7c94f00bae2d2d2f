"""The triage log: each triage a user asked for, what it concluded, where it was posted, and their feedback.

The client's words (`request_text` and the triage `result`, whose evidence quotes them) are kept only for the
retention window; verdict, reasons, tone and feedback stay so App Home can show a history.
"""

from __future__ import annotations

import functools
import secrets
import time
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

from sqlalchemy import Connection, Insert, and_, bindparam, delete, exists, insert, select, update

from bot.db import Database, rows_changed
from bot.models import Feedback, ForgetRequest, Triage, utcnow

FEEDBACK_VALUES = tuple(Feedback)
ID_EPOCH_MS = 1_577_836_800_000  # 2020-01-01 UTC
ID_RANDOM_BITS = 22
PURGE_BATCH = 1000  # triages purged per transaction
STORING_SECONDS = 3.0  # how long after its id was made a triage may still be on its way to the store


@dataclass(frozen=True)
class TriageRecord:
    """A stored triage, detached from its session."""

    id: int
    team_id: str
    user_id: str
    source: str
    origin_channel_id: str | None
    channel_id: str | None
    parent_ts: str | None
    reply_ts: str | None
    permalink: str | None
    verdict: str
    reasons: list[str]
    tone: str
    feedback: str | None
    result: dict[str, Any] | None
    has_text: bool
    created_at: datetime
    request_text: str | None = None

    @property
    def top_reason(self) -> str | None:
        """The strongest reason, or None for an accepted request."""
        return self.reasons[0] if self.reasons else None


def as_utc(moment: datetime) -> datetime:
    """`moment` as an aware UTC datetime (SQLite hands back naive ones)."""
    return moment.replace(tzinfo=timezone.utc) if moment.tzinfo is None else moment


def _record(row: Triage) -> TriageRecord:
    return TriageRecord(
        id=row.id, team_id=row.team_id, user_id=row.user_id, source=row.source,
        origin_channel_id=row.origin_channel_id, channel_id=row.channel_id, parent_ts=row.parent_ts,
        reply_ts=row.reply_ts, permalink=row.permalink, verdict=row.verdict, reasons=list(row.reasons or []),
        tone=row.tone, feedback=row.feedback, result=row.result, has_text=row.result is not None,
        created_at=as_utc(row.created_at), request_text=row.request_text,
    )


def new_triage_id() -> int:
    """An id for a triage not stored yet, so the buttons posted with it can carry it and the triage is stored once,
    with where it was posted. Milliseconds since 2020 above 22 random bits: ids rise with time as a sequence's
    would, and two triages share one only by landing in the same millisecond with the same random bits."""
    return (time.time_ns() // 1_000_000 - ID_EPOCH_MS) << ID_RANDOM_BITS | secrets.randbits(ID_RANDOM_BITS)


@functools.cache
def _insert_triage_unless_forgotten(names: tuple[str, ...]) -> Insert:
    """INSERT ... SELECT of a triage's columns `names` (parameters named after them), which inserts nothing when
    its user asked to be forgotten since `asked_at`. Built once: a statement made anew for each triage cost more
    CPU than running it."""
    columns = Triage.__table__.c
    forgotten_since = exists().where(ForgetRequest.team_id == bindparam("team_id"),
                                     ForgetRequest.user_id == bindparam("user_id"),
                                     ForgetRequest.forgotten_at >= bindparam("asked_at"))
    row = select(*[bindparam(name, type_=columns[name].type) for name in names]).where(~forgotten_since)
    return insert(Triage).from_select(list(names), row)


def record_triage(
    db: Database,
    *,
    team_id: str,
    user_id: str,
    source: str,
    origin_channel_id: str | None,
    request_text: str,
    result: dict[str, Any],
    retention_days: int,
    triage_id: int | None = None,
    channel_id: str | None = None,
    parent_ts: str | None = None,
    reply_ts: str | None = None,
    permalink: str | None = None,
    now: datetime | None = None,
    asked_at: datetime | None = None,
    connection: Connection | None = None,
) -> TriageRecord:
    """Store a triage (under `triage_id`, or a new id), with where it was posted when it was; the client's words
    only when `retention_days` > 0. Not stored when the user asked to be forgotten since `asked_at` (when they
    asked for the triage; default `now`). One INSERT ... SELECT, the only statement a triage's storing takes, in
    a unit of work of its own or, given `connection`, in the caller's."""
    now = now or utcnow()
    keep_text = retention_days > 0
    values = dict(
        id=triage_id if triage_id is not None else new_triage_id(), team_id=team_id, user_id=user_id,
        source=source, origin_channel_id=origin_channel_id, channel_id=channel_id, parent_ts=parent_ts,
        reply_ts=reply_ts, permalink=permalink, verdict=result["verdict"], reasons=list(result.get("reasons") or []),
        tone=result.get("tone", "neutral"), feedback=None, request_text=request_text if keep_text else None,
        result=result if keep_text else None,
        text_expires_at=now + timedelta(days=retention_days) if keep_text else None, created_at=now, updated_at=now,
    )
    with db.statements(connection) as unit:
        unit.execute(_insert_triage_unless_forgotten(tuple(values)), {**values, "asked_at": asked_at or now})
    return TriageRecord(
        id=values["id"], team_id=team_id, user_id=user_id, source=source, origin_channel_id=origin_channel_id,
        channel_id=channel_id, parent_ts=parent_ts, reply_ts=reply_ts, permalink=permalink,
        verdict=values["verdict"], reasons=list(values["reasons"]), tone=values["tone"], feedback=None,
        result=values["result"], has_text=values["result"] is not None, created_at=as_utc(now),
    )


def get_triage(db: Database, triage_id: int, team_id: str) -> TriageRecord | None:
    """The triage with this id in this workspace, or None."""
    with db.transaction() as session:
        row = session.scalar(select(Triage).where(Triage.id == triage_id, Triage.team_id == team_id))
        return _record(row) if row else None


def _seconds_since_made(triage_id: int) -> float:
    return time.time() - ((triage_id >> ID_RANDOM_BITS) + ID_EPOCH_MS) / 1000


def get_posted_triage(db: Database, triage_id: int, team_id: str, poll_seconds: float = 0.05) -> TriageRecord | None:
    """`get_triage` for a button on a triage's message. A triage is stored a moment after it is posted, so one
    whose id was made less than `STORING_SECONDS` ago is waited for, never longer than that, rather than reported
    missing (the bound holds even when another instance's clock, which made the id, runs ahead of this one's)."""
    deadline = time.monotonic() + STORING_SECONDS
    while ((record := get_triage(db, triage_id, team_id)) is None and _seconds_since_made(triage_id) < STORING_SECONDS
           and time.monotonic() < deadline):
        time.sleep(poll_seconds)
    return record


def set_tone(db: Database, triage_id: int, tone: str, result: dict[str, Any]) -> None:
    """Store the triage re-rendered in another tone."""
    with db.transaction() as session:
        session.execute(update(Triage).where(Triage.id == triage_id, Triage.result.is_not(None)).values(
            tone=tone, result=result, updated_at=utcnow()))


def store_rewritten(db: Database, triage_id: int, result: dict[str, Any], *, only_if_untouched: bool = True) -> bool:
    """Store a triage's rewritten result: its verdict and reasons, and the result itself while the client's text is
    kept. With `only_if_untouched`, only when nobody has changed the triage since it was stored (no tone, no
    feedback chosen yet). False when there was no such triage to change."""
    with db.transaction() as session:
        row = session.get(Triage, triage_id, with_for_update=True)
        if row is None or (only_if_untouched and row.updated_at != row.created_at):
            return False
        row.verdict, row.reasons, row.tone = result["verdict"], list(result.get("reasons") or []), result["tone"]
        if row.result is not None:
            row.result = result
        return True


def set_feedback(db: Database, triage_id: int, feedback: str) -> None:
    """Store whether the user found the triage helpful."""
    if feedback not in FEEDBACK_VALUES:
        raise ValueError(f"feedback must be one of {', '.join(FEEDBACK_VALUES)}")
    with db.transaction() as session:
        session.execute(update(Triage).where(Triage.id == triage_id).values(feedback=feedback, updated_at=utcnow()))


def recent_triages(db: Database, team_id: str, user_id: str, limit: int = 10) -> list[TriageRecord]:
    """The user's latest triages, newest first."""
    with db.transaction() as session:
        rows = session.scalars(
            select(Triage).where(Triage.team_id == team_id, Triage.user_id == user_id)
            .order_by(Triage.created_at.desc(), Triage.id.desc()).limit(limit)
        ).all()
        return [_record(row) for row in rows]


def reason_counts(db: Database, team_id: str, user_id: str, since: datetime) -> Counter:
    """How often each reason came up in the user's triages since `since`."""
    with db.transaction() as session:
        reason_lists = session.scalars(
            select(Triage.reasons).where(Triage.team_id == team_id, Triage.user_id == user_id,
                                         Triage.created_at >= since)
        ).all()
    return Counter(reason for reasons in reason_lists for reason in (reasons or []))


def purge_expired_text(db: Database, now: datetime | None = None, batch_size: int = PURGE_BATCH) -> int:
    """Drop the client's words from triages past their retention; returns how many were purged.

    In batches of `batch_size`, each its own transaction: on SQLite a single UPDATE over every expired triage held
    the only writer lock for the whole purge, and triages stored meanwhile failed with "database is locked"."""
    now = now or utcnow()
    expired = and_(Triage.text_expires_at.is_not(None), Triage.text_expires_at <= now)
    total = 0
    while True:
        with db.transaction() as session:
            ids = session.scalars(select(Triage.id).where(expired).limit(batch_size)
                                  .with_for_update(skip_locked=True)).all()
            if ids:
                total += rows_changed(session.execute(
                    update(Triage).where(Triage.id.in_(ids), expired)
                    .values(request_text=None, result=None, text_expires_at=None, updated_at=now)
                ))
        if len(ids) < batch_size:
            return total


def forget_user(db: Database, team_id: str, user_id: str) -> int:
    """Delete every triage the user asked for in this workspace; returns how many."""
    with db.transaction() as session:
        deleted = session.execute(delete(Triage).where(Triage.team_id == team_id, Triage.user_id == user_id))
        return rows_changed(deleted) or 0
