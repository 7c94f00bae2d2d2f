"""Privacy operations: forgetting a user on request and purging client text past its retention."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete

from bot.accounts import forget_user_pushbacks
from bot.db import Database, rows_changed
from bot.models import ForgetRequest, utcnow
from bot.reminders.actions import forget_owner_reminders
from bot.triage_jobs import forget_user_jobs
from bot.triage_store import forget_user


@dataclass(frozen=True)
class Forgotten:
    """How much was deleted."""

    triages: int
    logs: int
    reminders: int = 0
    jobs: int = 0


FORGET_NOTE_KEPT = timedelta(days=1)


def forget_user_data(db: Database, team_id: str, user_id: str, now: datetime | None = None) -> Forgotten:
    """Delete the user's triages, those acked and not yet done (`bot.triage_jobs`), the push-backs they logged and
    the records of reminders already sent to them, in this workspace. Accounts they own or share stay, with their
    pending reminders: they belong to the agency, not to the user. A note that they asked is committed first and
    kept for `FORGET_NOTE_KEPT`, so a triage they asked for before and still in progress (on any instance) is not
    stored after it."""
    with db.transaction() as session:
        session.add(ForgetRequest(team_id=team_id, user_id=user_id, forgotten_at=now or utcnow()))
    triages = forget_user(db, team_id, user_id)
    with db.transaction() as session:
        logs = forget_user_pushbacks(session, team_id, user_id)
        reminders = forget_owner_reminders(session, team_id, user_id)
        jobs = forget_user_jobs(session, team_id, user_id)
    return Forgotten(triages=triages, logs=logs, reminders=reminders, jobs=jobs)


def purge_forget_notes(db: Database, now: datetime | None = None) -> int:
    """Drop the notes of forget-me requests older than `FORGET_NOTE_KEPT`; how many."""
    with db.transaction() as session:
        return rows_changed(session.execute(delete(ForgetRequest).where(
            ForgetRequest.forgotten_at < (now or utcnow()) - FORGET_NOTE_KEPT)))
