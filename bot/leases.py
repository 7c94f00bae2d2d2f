"""Rows claimed under a lease: what reminders and triage jobs share so that several instances never work one row at
once, and a row whose worker died is taken over.

A claim sets a row's status to its kind's claimed status, a claim token and `lease_until` (the lease counted from
the moment of the claim). The worker renews the lease while it works and fences every outside effect on the token
(`Lease.hold`): a worker that ran past its lease may have lost the row to another and does nothing more for it.
PostgreSQL takes the candidates with `FOR UPDATE SKIP LOCKED`, so concurrent claims take different rows; SQLite's
single writer makes the same conditional update atomic, and `RETURNING` says which rows a claim won.

The statements a claim runs for every row it works (renewing, finishing) are built once per kind of claim: built
for each use, through an ORM session, they cost more CPU than running them.
"""

from __future__ import annotations

import functools
import logging
import threading
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

from sqlalchemy import Connection, Update, and_, bindparam, select, update
from sqlalchemy.sql import ColumnElement

from bot.db import Database, rows_changed
from bot.models import utcnow

logger = logging.getLogger(__name__)

NEVER = datetime.max.replace(tzinfo=timezone.utc)


@dataclass(frozen=True)
class Claims:
    """How rows of one table are claimed: the mapped class (with `id`, `status`, `claim_token` and `lease_until`
    columns), the status a claimed row has, how long a lease runs and how often a batch's lease is renewed."""

    model: Any
    claimed: str
    lease: timedelta
    renew_every: timedelta

    def held(self, token: str | ColumnElement[str]) -> ColumnElement[bool]:
        """The rows claimed under `token` (a value, or a statement's parameter) and still claimed."""
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


@functools.cache
def _finishing(claims: Claims, names: tuple[str, ...]) -> Update:
    """UPDATE of a held row (parameters `row_id` and `token`) to the values of the columns `names` (parameters named
    after them), ending its claim."""
    model = claims.model
    columns = model.__table__.c
    return (update(model).where(model.id == bindparam("row_id"), model.status == claims.claimed,
                                model.claim_token == bindparam("token"))
            .values(claim_token=None, lease_until=None,
                    **{name: bindparam(name, type_=columns[name].type) for name in names}))


def finish(db: Database, claims: Claims, row_id: int, token: str | None, *, connection: Connection | None = None,
           **values: Any) -> bool:
    """Record a claimed row's outcome (`values`), ending the claim, when `token` still holds it; True when it did.
    In a unit of work of its own or, given `connection`, in the caller's."""
    with db.statements(connection) as unit:
        changed = unit.execute(_finishing(claims, tuple(sorted(values))), {**values, "row_id": row_id, "token": token})
        return rows_changed(changed) == 1


@functools.cache
def _renewing(claims: Claims, one_row: bool) -> Update:
    """UPDATE ... RETURNING of the rows held under the parameter `token` (with `one_row`, only the row `row_id`),
    leased until the parameter `lease_until`."""
    model = claims.model
    which = claims.held(bindparam("token"))
    if one_row:
        which = and_(which, model.id == bindparam("row_id"))
    return update(model).where(which).values(lease_until=bindparam("lease_until")).returning(model.id)


class Lease:
    """What one claim holds: its token and a clock. `hold(row_id)` is the fence before every outside effect: it
    renews the lease and says whether the claim still holds the row. The lease of every row under the token is
    renewed at most every `renew_every`, so a batch that takes longer than the lease to work through stays this
    claim's."""

    def __init__(self, db: Database, claims: Claims, token: str,
                 clock: Callable[[], datetime] = utcnow, leased_at: datetime | None = None) -> None:
        self.db = db
        self.claims = claims
        self.token = token
        self.clock = clock
        self.renewed_batch_at: datetime | None = leased_at  # the claim's own moment, when it is known

    def hold(self, row_id: int, connection: Connection | None = None) -> bool:
        """Renew the lease (the whole batch's, when due) and return True when `row_id` is still this claim's (given
        `connection`, in the caller's unit of work)."""
        moment = self.clock()
        renew_batch = self.renewed_batch_at is None or moment - self.renewed_batch_at >= self.claims.renew_every
        with self.db.statements(connection) as unit:
            rows = unit.execute(_renewing(self.claims, not renew_batch), {
                "token": self.token, "row_id": row_id, "lease_until": moment + self.claims.lease}).scalars().all()
        if renew_batch:
            self.renewed_batch_at = moment
        return row_id in rows

    def renewal_due_at(self) -> datetime | None:
        """When the batch's lease is next due for renewal (None: at once, it never was)."""
        return None if self.renewed_batch_at is None else self.renewed_batch_at + self.claims.renew_every


class LeaseKeeper:
    """Renews the leases of the work under way in this process, each when it is due (`Lease.renewal_due_at`), on one
    daemon thread started at the first use. Work that ends before its first renewal is due (most of it, in
    milliseconds) costs no database round trip and no thread of its own. A lease that could not be renewed, or whose
    row is no longer held, is left to run out: the fence before the next outside effect stops the work."""

    def __init__(self, name: str = "lease-keeper") -> None:
        self.name = name
        self._kept: dict[int, tuple[Lease, int]] = {}
        self._changed = threading.Condition()
        self._wakes_at: datetime | None = None  # while the thread waits: when it wakes (`NEVER`: when told)
        self._thread: threading.Thread | None = None

    @contextmanager
    def kept(self, lease: Lease, row_id: int) -> Iterator[None]:
        """Renew `lease` for `row_id` whenever it is due, until the block ends."""
        key = id(lease)
        due = lease.renewal_due_at()
        with self._changed:
            self._kept[key] = (lease, row_id)
            if self._thread is None:
                self._thread = threading.Thread(target=self._renew_forever, name=self.name, daemon=True)
                self._thread.start()
            elif self._wakes_at is not None and (due is None or due < self._wakes_at):
                self._changed.notify()
        try:
            yield
        finally:
            with self._changed:
                self._kept.pop(key, None)

    def _renew_forever(self) -> None:
        while True:
            with self._changed:
                now = utcnow()
                dues = [(lease.renewal_due_at() or now, key) for key, (lease, _) in self._kept.items()]
                waiting = [due for due, _ in dues if due > now]
                due_now = [self._kept[key] for due, key in dues if due <= now]
                if not due_now:
                    self._wakes_at = min(waiting, default=NEVER)
                    self._changed.wait(None if self._wakes_at is NEVER else (self._wakes_at - now).total_seconds())
                    self._wakes_at = None
                    continue
            for lease, row_id in due_now:
                self._renew(lease, row_id)

    def _renew(self, lease: Lease, row_id: int) -> None:
        try:
            held = lease.hold(row_id)
        except Exception:  # noqa: BLE001 - the lease runs out and another instance takes over; the fence stops this one
            logger.warning("could not renew the lease of row %s", row_id)
            held = False
        if not held:
            with self._changed:
                if self._kept.get(id(lease), (None, None))[0] is lease:
                    del self._kept[id(lease)]
