"""Whether a workspace lets the configured language model write its replies: off until one of its admins turns it
on (in App Home), stored with who changed it and when."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.db import Database
from bot.models import WorkspaceSettings, utcnow
from bot.triage_store import as_utc


@dataclass(frozen=True)
class ModelOptIn:
    """A workspace's switch: on or off, and who last changed it, when (None when nobody has)."""

    on: bool = False
    changed_by: str | None = None
    changed_at: datetime | None = None


def model_opt_in(db: Database, team_id: str) -> ModelOptIn:
    """The workspace's switch as stored; off when it was never set."""
    with db.transaction() as session:
        row = session.get(WorkspaceSettings, team_id)
        if row is None:
            return ModelOptIn()
        changed_at = as_utc(row.model_writer_changed_at) if row.model_writer_changed_at else None
        return ModelOptIn(bool(row.model_writer_on), row.model_writer_changed_by, changed_at)


def set_model_opt_in(db: Database, team_id: str, on: bool, user_id: str, now: datetime | None = None) -> ModelOptIn:
    """Turn the workspace's switch on or off, as `user_id` (the caller has checked they may)."""
    now = now or utcnow()
    with db.transaction() as session:
        row = session.get(WorkspaceSettings, team_id) or WorkspaceSettings(team_id=team_id)
        row.model_writer_on, row.model_writer_changed_by, row.model_writer_changed_at = on, user_id, now
        session.add(row)
    return ModelOptIn(on, user_id, now)
