"""SQLAlchemy 2.0 typed models: what Pushback stores."""

from __future__ import annotations

import enum
from datetime import date, datetime, timezone

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Enum,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.ext.associationproxy import AssociationProxy, association_proxy
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


TRIAGE_ID = BigInteger().with_variant(Integer, "sqlite")  # made by the app (`bot.triage_store.new_triage_id`)


class ReminderStatus(enum.StrEnum):
    """Where a reminder is: pending → sending → sent, or skipped / failed / cancelled."""

    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    SKIPPED = "skipped"
    FAILED = "failed"
    CANCELLED = "cancelled"


class TriageJobStatus(enum.StrEnum):
    """Where a triage acked but not yet answered is: queued → claimed → done, or failed."""

    QUEUED = "queued"
    CLAIMED = "claimed"
    DONE = "done"
    FAILED = "failed"


class Feedback(enum.StrEnum):
    """What a user thought of a triage."""

    HELPFUL = "helpful"
    NOT_HELPFUL = "not_helpful"


class Outcome(enum.StrEnum):
    """What came of a push-back (labels in `data/reminders.toml`, `[outcomes]`)."""

    SENT = "sent"
    AGREED = "agreed"
    INSISTED = "insisted"
    ESCALATED = "escalated"


def stored_enum(values: type[enum.StrEnum], name: str) -> Enum:
    """A column type for an enum, stored as its values in a VARCHAR with a CHECK constraint named `name` (no native
    ENUM type, so adding a value later is a new constraint, the same on SQLite and PostgreSQL)."""
    return Enum(values, name=name, native_enum=False, create_constraint=True, validate_strings=True, length=16,
                values_callable=lambda members: [member.value for member in members])


def utcnow() -> datetime:
    """The current time, timezone-aware in UTC."""
    return datetime.now(timezone.utc)


class Base(DeclarativeBase):
    """Declarative base for every Pushback table."""


class Triage(Base):
    """One triage a user asked for: where it was asked, what it concluded, and what they thought of it.

    `request_text` and `result` hold the client's words, so they are kept only until `text_expires_at`.
    """

    __tablename__ = "triages"
    __table_args__ = (Index("ix_triages_team_user_created", "team_id", "user_id", "created_at"),)

    id: Mapped[int] = mapped_column(TRIAGE_ID, primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    user_id: Mapped[str] = mapped_column(String(32))
    source: Mapped[str] = mapped_column(String(16))
    origin_channel_id: Mapped[str | None] = mapped_column(String(32))
    channel_id: Mapped[str | None] = mapped_column(String(32))
    parent_ts: Mapped[str | None] = mapped_column(String(32))
    reply_ts: Mapped[str | None] = mapped_column(String(32))
    permalink: Mapped[str | None] = mapped_column(String(512))
    verdict: Mapped[str] = mapped_column(String(32))
    reasons: Mapped[list[str]] = mapped_column(JSON, default=list)
    tone: Mapped[str] = mapped_column(String(16), default="neutral")
    feedback: Mapped[Feedback | None] = mapped_column(stored_enum(Feedback, "ck_triages_feedback"))
    request_text: Mapped[str | None] = mapped_column(Text)
    result: Mapped[dict | None] = mapped_column(JSON)
    text_expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)


class WorkspaceSettings(Base):
    """A workspace's reminder defaults (days before the QBR, local send time, the timezone fallback), and whether
    one of its admins turned on the configured language model for its replies (who, and when)."""

    __tablename__ = "workspace_settings"

    team_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    reminder_offsets: Mapped[list[int] | None] = mapped_column(JSON)
    send_time: Mapped[str | None] = mapped_column(String(5))
    timezone: Mapped[str | None] = mapped_column(String(64))
    model_writer_on: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    model_writer_changed_by: Mapped[str | None] = mapped_column(String(32))
    model_writer_changed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)


class Account(Base):
    """A client account: who owns it, when its next QBR is, and what its contract covers."""

    __tablename__ = "accounts"
    __table_args__ = (UniqueConstraint("team_id", "name", name="uq_accounts_team_name"),
                      Index("ix_accounts_team_owner", "team_id", "owner_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(120))
    owner_id: Mapped[str] = mapped_column(String(32))
    email_domain: Mapped[str | None] = mapped_column(String(255))
    next_qbr: Mapped[date] = mapped_column(Date)
    cadence_months: Mapped[int] = mapped_column(Integer, default=3)
    scope_notes: Mapped[str] = mapped_column(Text, default="")
    reminder_offsets: Mapped[list[int] | None] = mapped_column(JSON)
    send_time: Mapped[str | None] = mapped_column(String(5))
    owner_timezone: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)

    teammate_rows: Mapped[list[AccountTeammate]] = relationship(
        cascade="all, delete-orphan", passive_deletes=True, lazy="selectin", order_by="AccountTeammate.user_id")
    teammates: AssociationProxy[list[str]] = association_proxy(
        "teammate_rows", "user_id", creator=lambda user_id: AccountTeammate(user_id=user_id))


class AccountTeammate(Base):
    """Someone an account is shared with, besides its owner: they see and edit it too."""

    __tablename__ = "account_teammates"
    __table_args__ = (Index("ix_account_teammates_user", "user_id", "account_id"),)

    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(32), primary_key=True)


class PushbackLog(Base):
    """One ask pushed back on for an account, and what came of it."""

    __tablename__ = "pushback_log"
    __table_args__ = (Index("ix_pushback_log_account_logged", "account_id", "logged_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    triage_id: Mapped[int | None] = mapped_column(TRIAGE_ID, ForeignKey("triages.id", ondelete="SET NULL"))
    user_id: Mapped[str] = mapped_column(String(32))
    summary: Mapped[str] = mapped_column(String(200))
    verdict: Mapped[str] = mapped_column(String(32))
    reasons: Mapped[list[str]] = mapped_column(JSON, default=list)
    outcome: Mapped[Outcome | None] = mapped_column(stored_enum(Outcome, "ck_pushback_log_outcome"))
    logged_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    outcome_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class Reminder(Base):
    """One QBR reminder DM, keyed by (account, QBR date, days before, snooze number) so it exists once.

    `status` moves pending → sending → sent, or to skipped / failed / cancelled. A `sending` row whose
    `lease_until` has passed belongs to a tick that died mid-send; the next claim checks Slack before resending.
    """

    __tablename__ = "reminders"
    __table_args__ = (
        UniqueConstraint("account_id", "qbr_date", "offset_days", "snooze", name="uq_reminders_key"),
        Index("ix_reminders_status_due", "status", "due_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    owner_id: Mapped[str] = mapped_column(String(32))
    qbr_date: Mapped[date] = mapped_column(Date)
    offset_days: Mapped[int] = mapped_column(Integer)
    snooze: Mapped[int] = mapped_column(Integer, default=0)
    due_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    status: Mapped[ReminderStatus] = mapped_column(stored_enum(ReminderStatus, "ck_reminders_status"),
                                                   default=ReminderStatus.PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    claim_token: Mapped[str | None] = mapped_column(String(40))
    lease_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    channel_id: Mapped[str | None] = mapped_column(String(32))
    message_ts: Mapped[str | None] = mapped_column(String(32))
    error: Mapped[str | None] = mapped_column(String(200))
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)


class TriageJob(Base):
    """A triage acked to a user and owed to them: what it takes to finish it, kept from the ack until it is done, so
    another instance, or this one restarted, finishes it when the process that acked it cannot.

    `status` is claimed from the ack (by the acking instance), then done (or failed); queued when a stopping
    instance hands it back. A queued row is taken over once `available_at` has passed; a claimed one once
    `lease_until` has passed (its worker died).
    `request_text`, `details` and `response_url` are cleared when it is done, and the text expires with the
    retention (`text_expires_at`)."""

    __tablename__ = "triage_jobs"
    __table_args__ = (
        Index("ix_triage_jobs_status_available", "status", "available_at"),
        Index("ix_triage_jobs_team_user", "team_id", "user_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[str] = mapped_column(String(32))  # the ack's, for the log
    team_id: Mapped[str] = mapped_column(String(32))
    enterprise_id: Mapped[str | None] = mapped_column(String(32))
    user_id: Mapped[str] = mapped_column(String(32))
    source: Mapped[str] = mapped_column(String(16))
    channel_id: Mapped[str | None] = mapped_column(String(32))
    thread_ts: Mapped[str | None] = mapped_column(String(32))
    response_url: Mapped[str | None] = mapped_column(String(512))
    request_text: Mapped[str | None] = mapped_column(Text)
    details: Mapped[dict | None] = mapped_column(JSON)
    status: Mapped[TriageJobStatus] = mapped_column(stored_enum(TriageJobStatus, "ck_triage_jobs_status"),
                                                    default=TriageJobStatus.QUEUED)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    claim_token: Mapped[str | None] = mapped_column(String(40))
    lease_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    available_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    text_expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    asked_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class SeenRequest(Base):
    """A signed request from Slack seen within its replay window (the SHA-256 of its body), kept a little longer
    than the window so a replay of it inside the window is recognised by any instance."""

    __tablename__ = "seen_requests"
    __table_args__ = (Index("ix_seen_requests_seen_at", "seen_at"),)

    digest: Mapped[str] = mapped_column(String(64), primary_key=True)
    seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ForgetRequest(Base):
    """A user asked to be forgotten at `forgotten_at`: a triage they asked for before then is not stored after it.
    Kept for a day (`bot.privacy.FORGET_NOTE_KEPT`), then purged."""

    __tablename__ = "forget_requests"
    __table_args__ = (Index("ix_forget_requests_team_user", "team_id", "user_id", "forgotten_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    user_id: Mapped[str] = mapped_column(String(32))
    forgotten_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
