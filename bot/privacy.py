"""Privacy operations: forgetting a user on request and purging client text past its retention."""

from __future__ import annotations

from dataclasses import dataclass

from bot.accounts import forget_user_pushbacks
from bot.db import Database
from bot.reminders import forget_owner_reminders
from bot.triages import forget_user


@dataclass(frozen=True)
class Forgotten:
    """How much was deleted."""

    triages: int
    logs: int
    reminders: int = 0


def forget_user_data(db: Database, team_id: str, user_id: str) -> Forgotten:
    """Delete the user's triages, the push-backs they logged and the records of reminders already sent to them,
    in this workspace. Accounts they own stay: they belong to the agency, not to the user."""
    triages = forget_user(db, team_id, user_id)
    with db.transaction() as session:
        logs = forget_user_pushbacks(session, team_id, user_id)
        reminders = forget_owner_reminders(session, team_id, user_id)
    return Forgotten(triages=triages, logs=logs, reminders=reminders)
