"""Rows claimed under a lease: what reminders and triage jobs share so that several instances never work one row at
once, and a row whose worker died is taken over.

A claim sets a row's status to its kind's claimed status, a claim token and `lease_until` (the lease counted from
the moment of the claim). The worker renews the lease while it works and fences every outside effect on the token
(`Lease.hold`): a worker that ran past its lease may have lost the row to another and does nothing more for it.
PostgreSQL takes the candidates with `FOR UPDATE SKIP LOCKED`, so concurrent claims take different rows; SQLite's
single writer makes the same conditional update atomic, and `RETURNING` says which rows a claim won.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, select, update
from sqlalchemy.sql import ColumnElement

from bot.db import Database, rows_changed
from bot.models import utcnow


@dataclass(frozen=True)
class Claims:
    """How rows of one table are claimed: the mapped class (with `id`, `status`, `claim_token` and `lease_until`
    columns), the status a claimed row has, how long a lease runs and how often a batch's lease is renewed."""

    model: Any
    claimed: str
    lease: timedelta
    renew_every: timedelta

    def held(self, token: str) -> ColumnElement[bool]:
        """The rows claimed under `token` and still claimed."""
        return and_(self.model.claim_token == token, self.model.status == self.claimed)


def new_claim_token() -> str:
    """A token naming one claim; every outside effect and outcome of a claimed row is fenced on it."""
    return uuid.uuid4().hex


def claim(db: Database, claims: Claims, due: ColumnElement[bool], *, token: str, leased_at: datetime, limit: int,
          order_by: Any, **values: Any) -> list[int]:
    """Atomically claim up to `limit` rows matching `due` under `token`, leased from `leased_at`, setting `values`
    as well; the ids this claim won, in order."""
    model = claims.model
    with db.transaction() as session:
        candidates = session.scalars(select(model.id).where(due).order_by(order_by).limit(limit)
                                     .with_for_update(skip_locked=True)).all()
        if not candidates:
            return []
        won = session.execute(
            update(model).where(model.id.in_(candidates), due)
            .values(status=claims.claimed, claim_token=token, lease_until=leased_at + claims.lease, **values)
            .returning(model.id)).scalars().all()
    return sorted(won)


def finish(db: Database, claims: Claims, row_id: int, token: str | None, **values: Any) -> bool:
    """Record a claimed row's outcome (`values`), ending the claim, when `token` still holds it; True when it did."""
    model = claims.model
    with db.transaction() as session:
        changed = session.execute(update(model).where(model.id == row_id, model.status == claims.claimed,
                                                      model.claim_token == token)
                                  .values(claim_token=None, lease_until=None, **values))
        return rows_changed(changed) == 1


class Lease:
    """What one claim holds: its token and a clock. `hold(row_id)` is the fence before every outside effect: it
    renews the lease and says whether the claim still holds the row. The lease of every row under the token is
    renewed at most every `renew_every`, so a batch that takes longer than the lease to work through stays this
    claim's."""

    def __init__(self, db: Database, claims: Claims, token: str,
                 clock: Callable[[], datetime] = utcnow) -> None:
        self.db = db
        self.claims = claims
        self.token = token
        self.clock = clock
        self.renewed_batch_at: datetime | None = None

    def hold(self, row_id: int) -> bool:
        """Renew the lease (the whole batch's, when due) and return True when `row_id` is still this claim's."""
        moment = self.clock()
        renew_batch = self.renewed_batch_at is None or moment - self.renewed_batch_at >= self.claims.renew_every
        held = self.claims.held(self.token)
        which = held if renew_batch else and_(held, self.claims.model.id == row_id)
        with self.db.transaction() as session:
            rows = session.execute(update(self.claims.model).where(which)
                                   .values(lease_until=moment + self.claims.lease)
                                   .returning(self.claims.model.id)).scalars().all()
        if renew_batch:
            self.renewed_batch_at = moment
        return row_id in rows
