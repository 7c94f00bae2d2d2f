"""Client accounts and the push-back log: who owns an account, when its QBR is, what its contract covers, and
what was pushed back on for it. Every query is scoped by workspace; a user sees the accounts they own or share.
"""

from __future__ import annotations

import csv
import functools
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import (
    BindParameter,
    ColumnElement,
    Connection,
    Row,
    Select,
    bindparam,
    delete,
    exists,
    func,
    or_,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.db import Database, rows_changed
from bot.models import Account, AccountTeammate, Outcome, PushbackLog, Triage, utcnow
from bot.reminders.plan import load_reminder_copy, months_later
from bot.reminders.schedule import schedule_account, schedule_accounts
from bot.triage import AccountContext
from bot.triage_store import as_utc

USER_ID = re.compile(r"^[UW][A-Z0-9]{2,31}$")
TEAM_ID = re.compile(r"^[TE][A-Z0-9]{2,31}$")
SEND_TIME = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")
DOMAIN = re.compile(r"^(?=.{3,255}$)[a-z0-9-]+(\.[a-z0-9-]+)+$")
NAME_LIMIT = 120
SCOPE_LIMIT = 3000
MAX_OFFSET_DAYS = 90
QBR_YEARS = (2000, 2999)
CSV_COLUMNS = ("name", "owner", "qbr", "scope", "team", "cadence_months", "teammates", "email_domain")


class AccountError(ValueError):
    """An account's details are invalid or clash with another; the message says which and how to fix it, and
    `field` names the detail at fault."""

    def __init__(self, text: str, field: str = "name") -> None:
        super().__init__(text)
        self.field = field


@dataclass(frozen=True)
class AccountRecord:
    """A stored account, detached from its session."""

    id: int
    team_id: str
    name: str
    owner_id: str
    teammates: list[str]
    email_domain: str | None
    next_qbr: date
    cadence_months: int
    scope_notes: str
    reminder_offsets: list[int] | None
    send_time: str | None
    owner_timezone: str | None

    def visible_to(self, user_id: str) -> bool:
        """True for the owner and the teammates the account is shared with."""
        return user_id == self.owner_id or user_id in self.teammates


@dataclass(frozen=True)
class LoggedPushback:
    """One ask pushed back on for an account."""

    id: int
    account_id: int
    triage_id: int | None
    user_id: str
    summary: str
    verdict: str
    reasons: list[str]
    outcome: str | None
    logged_at: datetime


@dataclass
class AccountDraft:
    """An account's details as typed by someone, before validation."""

    name: str
    owner_id: str
    next_qbr: str | date
    team_id: str
    scope_notes: str = ""
    cadence_months: int | str = 3
    teammates: Sequence[str] = field(default_factory=list)
    email_domain: str | None = None
    reminder_offsets: Sequence[int] | str | None = None
    send_time: str | None = None
    owner_timezone: str | None = None


def account_record(row: Account | Row[Any], teammates: list[str] | None = None) -> AccountRecord:
    """The detached form of a stored account: an ORM object, or a row of the accounts table with its `teammates`."""
    return AccountRecord(
        id=row.id, team_id=row.team_id, name=row.name, owner_id=row.owner_id,
        teammates=list(row.teammates or []) if teammates is None else teammates,
        email_domain=row.email_domain, next_qbr=row.next_qbr, cadence_months=row.cadence_months,
        scope_notes=row.scope_notes or "", reminder_offsets=row.reminder_offsets, send_time=row.send_time,
        owner_timezone=row.owner_timezone,
    )


def parse_qbr_date(value: str | date) -> date:
    """A QBR date from `YYYY-MM-DD`, between the years `QBR_YEARS` (reminders and quarters are reckoned months
    around it, which the calendar cannot do near year 1 or 9999)."""
    if isinstance(value, date):
        day = value
    else:
        try:
            day = date.fromisoformat(str(value).strip())
        except ValueError:
            raise AccountError(f"QBR date '{value}' is not a date; use YYYY-MM-DD, e.g. 2027-01-15.",
                               "next_qbr") from None
    if not QBR_YEARS[0] <= day.year <= QBR_YEARS[1]:
        raise AccountError(f"QBR date '{value}' is out of range; use a date between {QBR_YEARS[0]} and "
                           f"{QBR_YEARS[1]}.", "next_qbr")
    return day


def parse_offsets(value: Sequence[int] | str | None) -> list[int] | None:
    """Reminder offsets from `14,2` or a list: distinct days before the QBR, largest first."""
    if value is None or value == "":
        return None
    items = value.replace(";", ",").split(",") if isinstance(value, str) else list(value)
    try:
        days = sorted({int(str(item).strip()) for item in items if str(item).strip()}, reverse=True)
    except ValueError:
        raise AccountError(f"Reminder days '{value}' must be whole numbers, e.g. 14,2.", "reminder_offsets") from None
    if not days or any(day < 0 or day > MAX_OFFSET_DAYS for day in days):
        raise AccountError(f"Reminder days must be between 0 and {MAX_OFFSET_DAYS} before the QBR, e.g. 14,2.",
                           "reminder_offsets")
    return days


def parse_send_time(value: str | None) -> str | None:
    """A local send time `HH:MM`, or None for the default."""
    if value is None or not value.strip():
        return None
    value = value.strip()
    if len(value) == 4 and value[1] == ":":
        value = "0" + value
    if not SEND_TIME.match(value):
        raise AccountError(f"Send time '{value}' must be HH:MM on a 24-hour clock, e.g. 09:00.", "send_time")
    return value


def validate(draft: AccountDraft) -> dict[str, Any]:
    """The draft's fields, cleaned, or an `AccountError` naming the first problem."""
    name = " ".join((draft.name or "").replace("\x00", "").split())  # PostgreSQL stores no NUL in text
    if not name:
        raise AccountError("An account needs a name.")
    if len(name) > NAME_LIMIT:
        raise AccountError(f"Account names are at most {NAME_LIMIT} characters.")
    owner = (draft.owner_id or "").strip().lstrip("@").upper()
    if not USER_ID.match(owner):
        raise AccountError(f"Owner '{draft.owner_id}' is not a Slack user id; it looks like U012AB3CD.", "owner_id")
    team = (draft.team_id or "").strip().upper()
    if not TEAM_ID.match(team):
        raise AccountError(f"Workspace '{draft.team_id}' is not a Slack team id; it looks like T012AB3CD.", "team_id")
    try:
        cadence = int(str(draft.cadence_months).strip() or 3)
    except ValueError:
        raise AccountError(f"Cadence '{draft.cadence_months}' must be a whole number of months.",
                           "cadence_months") from None
    if not 1 <= cadence <= 12:
        raise AccountError("Cadence must be between 1 and 12 months.", "cadence_months")
    teammates = [mate.strip().upper() for mate in draft.teammates if mate and mate.strip()]
    for mate in teammates:
        if not USER_ID.match(mate):
            raise AccountError(f"Teammate '{mate}' is not a Slack user id.", "teammates")
    domain = (draft.email_domain or "").strip().lower().lstrip("@") or None
    if domain and not DOMAIN.match(domain):
        raise AccountError(f"Email domain '{draft.email_domain}' does not look like example.com.", "email_domain")
    scope = (draft.scope_notes or "").replace("\x00", "").strip()
    if len(scope) > SCOPE_LIMIT:
        raise AccountError(f"Scope notes are at most {SCOPE_LIMIT} characters.", "scope_notes")
    return {
        "name": name, "owner_id": owner, "team_id": team, "next_qbr": parse_qbr_date(draft.next_qbr),
        "cadence_months": cadence, "teammates": sorted(set(teammates) - {owner}), "email_domain": domain,
        "scope_notes": scope, "reminder_offsets": parse_offsets(draft.reminder_offsets),
        "send_time": parse_send_time(draft.send_time), "owner_timezone": draft.owner_timezone,
    }


def _schedule(session: Session, account: Account, now: datetime) -> None:
    session.flush()
    schedule_account(session, account, now)


def add_account(db: Database, draft: AccountDraft, now: datetime | None = None) -> AccountRecord:
    """Create an account and schedule its QBR reminders."""
    fields = validate(draft)
    now = now or utcnow()
    try:
        with db.transaction() as session:
            _refuse_name_clash(session, fields["team_id"], fields["name"])
            row = Account(**fields)
            session.add(row)
            _schedule(session, row, now)
            return account_record(row)
    except IntegrityError:
        raise AccountError(f"There is already an account called '{fields['name']}' in this workspace.") from None


def update_account(db: Database, account_id: int, draft: AccountDraft, editor_id: str | None = None,
                   now: datetime | None = None) -> AccountRecord:
    """Change an account; its pending reminders follow the new date, days and time."""
    fields = validate(draft)
    now = now or utcnow()
    try:
        with db.transaction() as session:
            row = _visible_row(session, fields["team_id"], account_id, editor_id)
            _refuse_name_clash(session, fields["team_id"], fields["name"], account_id)
            if fields["owner_timezone"] is None:
                fields["owner_timezone"] = row.owner_timezone
            for key, value in fields.items():
                setattr(row, key, value)
            _schedule(session, row, now)
            return account_record(row)
    except IntegrityError:
        raise AccountError(f"There is already an account called '{fields['name']}' in this workspace.") from None


def _refuse_name_clash(session: Session, team_id: str, name: str, account_id: int | None = None) -> None:
    """Account names are unique in a workspace whatever their case, as the CSV import has always had them."""
    clash = select(Account.id).where(Account.team_id == team_id, func.lower(Account.name) == name.lower())
    if account_id is not None:
        clash = clash.where(Account.id != account_id)
    if session.scalar(clash.limit(1)) is not None:
        raise AccountError(f"There is already an account called '{name}' in this workspace.")


def move_qbr(db: Database, team_id: str, account_id: int, new_date: date, editor_id: str | None = None,
             now: datetime | None = None) -> AccountRecord:
    """Set an account's next QBR date and reschedule its pending reminders."""
    with db.transaction() as session:
        row = _visible_row(session, team_id, account_id, editor_id)
        row.next_qbr = new_date
        _schedule(session, row, now or utcnow())
        return account_record(row)


def delete_account(db: Database, team_id: str, account_id: int, editor_id: str | None = None) -> None:
    """Delete an account with its push-back log; its reminders are cancelled with it."""
    with db.transaction() as session:
        row = _visible_row(session, team_id, account_id, editor_id)
        session.delete(row)


def _visible_row(session: Session, team_id: str, account_id: int, user_id: str | None) -> Account:
    row = session.scalar(select(Account).where(Account.team_id == team_id, Account.id == account_id))
    if row is None or (user_id is not None and not account_record(row).visible_to(user_id)):
        raise AccountError("That account does not exist, or it is not shared with you.")
    return row


def get_account(db: Database, team_id: str, account_id: int, user_id: str | None = None) -> AccountRecord | None:
    """One account of the workspace; with `user_id`, only when that user owns or shares it."""
    with db.transaction() as session:
        row = session.scalar(select(Account).where(Account.team_id == team_id, Account.id == account_id))
        record = account_record(row) if row else None
    if record is None or (user_id is not None and not record.visible_to(user_id)):
        return None
    return record


def shared_with(user_id: str | BindParameter[str]) -> ColumnElement[bool]:
    """A condition on accounts: `user_id` (a value, or a parameter) owns the account or is one of its teammates."""
    return or_(Account.owner_id == user_id,
               exists().where(AccountTeammate.account_id == Account.id, AccountTeammate.user_id == user_id))


@functools.cache
def _accounts_query(for_a_user: bool) -> Select[Any]:
    """The rows of the workspace `team_id`'s accounts (a parameter), only those shared with `user_id` when
    `for_a_user`, by next QBR. Built once: every triage reads them, and a statement made anew cost twice its
    running."""
    accounts = Account.__table__
    query = select(accounts).where(Account.team_id == bindparam("team_id")).order_by(Account.next_qbr, Account.name)
    return query.where(shared_with(bindparam("user_id"))) if for_a_user else query


_TEAMMATES_OF = (select(AccountTeammate.account_id, AccountTeammate.user_id)
                 .where(AccountTeammate.account_id.in_(bindparam("account_ids", expanding=True)))
                 .order_by(AccountTeammate.account_id, AccountTeammate.user_id))


def accounts_for(db: Database, team_id: str, user_id: str | None = None, *,
                 connection: Connection | None = None) -> list[AccountRecord]:
    """A user's accounts (owned or shared) in a workspace, by next QBR; every account when `user_id` is None.
    Two statements whatever the number (one when there is none): the accounts, then their teammates. Read as
    Core rows, without the ORM session's cost: every triage reads them (given `connection`, in the triage's
    unit of work)."""
    with db.statements(connection) as unit:
        rows = unit.execute(_accounts_query(user_id is not None), {"team_id": team_id, "user_id": user_id}).all()
        teammates: dict[int, list[str]] = {row.id: [] for row in rows}
        if teammates:
            for account_id, teammate in unit.execute(_TEAMMATES_OF, {"account_ids": list(teammates)}):
                teammates[account_id].append(teammate)
    return [account_record(row, teammates[row.id]) for row in rows]


def suggest_account(accounts: Iterable[AccountRecord], text: str) -> AccountRecord | None:
    """The account a request most likely concerns: its email domain or its name appears in the text."""
    lowered = (text or "").lower()
    for account in accounts:
        if account.email_domain and re.search(rf"[@.\b]{re.escape(account.email_domain)}\b", lowered):
            return account
    for account in sorted(accounts, key=lambda a: -len(a.name)):
        if re.search(rf"(?<![\w]){re.escape(account.name.lower())}(?![\w])", lowered):
            return account
    return None


@dataclass
class ImportReport:
    """What an import did: accounts created, or the rows that stopped it (and nothing was written)."""

    created: list[AccountRecord] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def import_accounts(db: Database, csv_text: str, default_team_id: str | None,
                    now: datetime | None = None) -> ImportReport:
    """Import accounts from CSV with a header row; all rows or none. Errors name the line and the problem."""
    report = ImportReport()
    reader = csv.DictReader(io.StringIO(csv_text.lstrip("\ufeff")))
    try:
        header = [column.strip().lower() for column in reader.fieldnames or []]
    except csv.Error as error:
        report.errors.append(f"line 1: the header is not valid CSV ({error})")
        return report
    missing = [column for column in ("name", "owner", "qbr") if column not in header]
    if missing:
        report.errors.append(f"line 1: the header needs the columns {', '.join(missing)} "
                             f"(known columns: {', '.join(CSV_COLUMNS)})")
        return report
    unknown = [column for column in header if column and column not in CSV_COLUMNS]
    if unknown:
        report.errors += [f"line 1: unknown column '{column}'{_did_you_mean(column)} "
                          f"(known columns: {', '.join(CSV_COLUMNS)})" for column in unknown]
        return report
    drafts: list[tuple[int, dict[str, Any]]] = []
    seen: dict[tuple[str, str], int] = {}
    rows = iter(reader)
    while True:
        try:
            row = next(rows)
        except StopIteration:
            break
        except csv.Error as error:
            report.errors.append(f"line {reader.line_num + 1}: not valid CSV ({error}; scope notes are at most "
                                 f"{SCOPE_LIMIT} characters)")
            break
        line = reader.line_num
        cells = {(key or "").strip().lower(): (value or "").strip() for key, value in row.items() if key}
        if not any(cells.values()):
            continue
        try:
            fields = validate(AccountDraft(
                name=cells.get("name", ""), owner_id=cells.get("owner", ""), next_qbr=cells.get("qbr", ""),
                team_id=cells.get("team") or default_team_id or "", scope_notes=cells.get("scope", ""),
                cadence_months=cells.get("cadence_months") or 3,
                teammates=[mate for mate in re.split(r"[\s,;]+", cells.get("teammates", "")) if mate],
                email_domain=cells.get("email_domain") or None,
            ))
        except AccountError as error:
            report.errors.append(f"line {line}: {error}")
            continue
        key = (fields["team_id"], fields["name"].lower())
        if key in seen:
            report.errors.append(f"line {line}: '{fields['name']}' is already on line {seen[key]}")
            continue
        seen[key] = line
        drafts.append((line, fields))
    if report.errors:
        return report
    now = now or utcnow()
    with db.transaction() as session:
        existing = {(team, name.lower()) for team, name in session.execute(select(Account.team_id, Account.name))}
        clashes = [f"line {line}: there is already an account called '{fields['name']}'"
                   for line, fields in drafts if (fields["team_id"], fields["name"].lower()) in existing]
        if clashes:
            report.errors += clashes
            return report
        accounts = [Account(**fields) for _, fields in drafts]
        session.add_all(accounts)
        session.flush()
        schedule_accounts(session, accounts, now)
        report.created = [account_record(account) for account in accounts]
    return report


def _did_you_mean(column: str) -> str:
    from difflib import get_close_matches

    close = get_close_matches(column, CSV_COLUMNS, n=1)
    return f" (did you mean '{close[0]}'?)" if close else ""


def quarter_start(account: AccountRecord | Account) -> date:
    """The day after the previous QBR: the start of the quarter this QBR reviews."""
    return months_later(account.next_qbr, -account.cadence_months)


def quarter_pushbacks(session: Session, account: AccountRecord | Account) -> list[LoggedPushback]:
    """What was pushed back on for the account since its previous QBR, oldest first."""
    rows = session.scalars(select(PushbackLog).where(PushbackLog.account_id == account.id,
                                                     PushbackLog.logged_at >= _since(quarter_start(account)))
                           .order_by(PushbackLog.logged_at))
    return [_logged(row) for row in rows]


def _since(day: date) -> datetime:
    """The first moment of `day`, in UTC."""
    return datetime.combine(day, datetime.min.time()).replace(tzinfo=utcnow().tzinfo)


def _logged(row: PushbackLog) -> LoggedPushback:
    return LoggedPushback(id=row.id, account_id=row.account_id, triage_id=row.triage_id, user_id=row.user_id,
                          summary=row.summary, verdict=row.verdict, reasons=list(row.reasons or []),
                          outcome=row.outcome, logged_at=as_utc(row.logged_at))


def writer_context(db: Database, team_id: str, account_id: int) -> AccountContext | None:
    """What a language model writing a reply is told of the account: its name, scope notes and this quarter's
    push-backs, one line each (when, verdict, reasons, the ask, what came of it); None when there is no such
    account."""
    with db.transaction() as session:
        row = session.scalar(select(Account).where(Account.team_id == team_id, Account.id == account_id))
        if row is None:
            return None
        logged = quarter_pushbacks(session, row)
        name, scope_notes = row.name, row.scope_notes or ""
    lines = tuple(f"{entry.logged_at:%d %b %Y}: {entry.verdict} ({', '.join(entry.reasons) or 'no reason given'})"
                  + (f": {entry.summary}" if entry.summary else "")
                  + (f"; outcome: {entry.outcome}" if entry.outcome else "") for entry in logged)
    return AccountContext(name, scope_notes, lines)


def pushback_counts(db: Database, accounts: Sequence[AccountRecord]) -> dict[int, int]:
    """This quarter's push-back count for each account, in one statement whatever the number of accounts: the
    log's times since the earliest quarter start among them, each counted against its own account's quarter."""
    if not accounts:
        return {}
    starts = {account.id: _since(quarter_start(account)) for account in accounts}
    counts = dict.fromkeys(starts, 0)
    with db.transaction() as session:
        logged = session.execute(select(PushbackLog.account_id, PushbackLog.logged_at).where(
            PushbackLog.account_id.in_(starts), PushbackLog.logged_at >= min(starts.values())))
        for account_id, logged_at in logged:
            if as_utc(logged_at) >= starts[account_id]:
                counts[account_id] += 1
    return counts


def log_pushback(db: Database, *, team_id: str, account_id: int, user_id: str, triage_id: int | None,
                 summary: str, verdict: str, reasons: Sequence[str]) -> LoggedPushback:
    """Record an ask pushed back on for an account the user owns or shares."""
    with db.transaction() as session:
        _visible_row(session, team_id, account_id, user_id)
        row = PushbackLog(team_id=team_id, account_id=account_id, triage_id=triage_id, user_id=user_id,
                          summary=summary[:200], verdict=verdict, reasons=list(reasons))
        session.add(row)
        session.flush()
        return _logged(row)


def outcomes() -> dict[str, str]:
    """Outcome values of a logged push-back (`Outcome`) and their labels."""
    labels = load_reminder_copy()["outcomes"]
    return {outcome.value: labels.get(outcome.value, outcome.value) for outcome in Outcome}


class OutcomeNotAllowed(AccountError):
    """Someone outside the account's team pressed an outcome button; `logged_by` logged the push-back."""

    def __init__(self, logged_by: str) -> None:
        super().__init__("Only the people the account is shared with can record what came of this push-back.")
        self.logged_by = logged_by


def set_outcome(db: Database, team_id: str, log_id: int, user_id: str, outcome: str) -> LoggedPushback | None:
    """Record what came of a logged push-back: the person who logged it can, and so can anyone the account is
    shared with (its owner and teammates). None when there is no such log in the workspace; `OutcomeNotAllowed`
    for anyone else."""
    try:
        recorded = Outcome(outcome)
    except ValueError:
        raise AccountError(f"Unknown outcome '{outcome}'.") from None
    with db.transaction() as session:
        row = session.scalar(select(PushbackLog).where(PushbackLog.id == log_id, PushbackLog.team_id == team_id))
        if row is None:
            return None
        account = session.get(Account, row.account_id)
        if user_id != row.user_id and (account is None or not account_record(account).visible_to(user_id)):
            raise OutcomeNotAllowed(row.user_id)
        row.outcome, row.outcome_at = recorded, utcnow()
        session.flush()
        return _logged(row)


def purge_expired_summaries(db: Database, retention_days: int, now: datetime | None = None) -> int:
    """Drop the client's words from logged push-backs past retention: a summary (the ask's first sentence) is
    emptied when the triage it came from has lost its text, or `retention_days` after it was logged, whichever
    comes first. Verdict, reasons and outcome stay. How many were purged."""
    now = now or utcnow()
    expired_triages = select(Triage.id).where(Triage.text_expires_at.is_not(None), Triage.text_expires_at <= now)
    with db.transaction() as session:
        purged = session.execute(update(PushbackLog).where(
            PushbackLog.summary != "",
            or_(PushbackLog.logged_at <= now - timedelta(days=max(0, retention_days)),
                PushbackLog.triage_id.in_(expired_triages))).values(summary=""))
        return rows_changed(purged)


def forget_user_pushbacks(session: Session, team_id: str, user_id: str) -> int:
    """Delete the push-backs a user logged; how many."""
    return rows_changed(session.execute(delete(PushbackLog).where(PushbackLog.team_id == team_id,
                                                                  PushbackLog.user_id == user_id)))
