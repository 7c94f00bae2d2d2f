"""The `pushback` command line: run the app, migrate the store, triage from the shell.

Each command imports what it needs when it runs, so `pushback triage` starts without loading Slack's libraries or the
store; none of these imports hides a cycle (`tests/core/test_layering.py` counts them too)."""

from __future__ import annotations

import argparse
import logging
import sys
from datetime import date

from bot.settings import Settings, SettingsError, configure_logging, load_settings

logger = logging.getLogger("pushback")

CONNECT_HELP = """\
Pushback needs Slack credentials to run; missing: {missing}.
  1. Create the app from manifest.json: api.slack.com/apps > Create New App > From a manifest.
  2. Install it to your workspace; copy the Bot User OAuth Token (xoxb-...) to SLACK_BOT_TOKEN
     and the Signing Secret (Basic Information) to SLACK_SIGNING_SECRET in .env.
  3. For Socket Mode (no public URL needed) also create an app-level token with connections:write
     and set it as SLACK_APP_TOKEN (xapp-...).
  4. Run `pushback run` again. .env.example lists every setting."""


def _store(settings: Settings):
    from bot.db import database_for

    return database_for(settings)


def command_run(settings: Settings, _args) -> int:
    """Upgrade the store, then serve Slack over HTTP or Socket Mode."""
    missing = settings.missing_for_run()
    if missing:
        print(CONNECT_HELP.format(missing=", ".join(missing)), file=sys.stderr)
        return 2
    from bot.triage import check_knowledge

    check_knowledge()
    _ready_store(settings).dispose()
    from bot.slack import serve

    if settings.socket_mode:
        serve.serve_socket_mode(settings)
    else:
        serve.serve_http(settings)
    return 0


def _ready_store(settings: Settings):
    """The store, once it answers (waiting up to `PUSHBACK_DATABASE_WAIT_SECONDS`, saying so) and is migrated; a
    `CommandError` naming the database when it never answers."""
    db = _store(settings)
    reachable = db.wait_until_reachable(
        settings.database_wait_seconds,
        lambda waited: print(f"pushback: waiting for the database at {_redacted(settings.database_url)} "
                             f"({waited:.0f}s so far)...", file=sys.stderr, flush=True))
    if not reachable:
        db.dispose()
        raise CommandError(f"cannot reach the database at {_redacted(settings.database_url)} after "
                           f"{settings.database_wait_seconds}s; check DATABASE_URL and that the server is running.")
    db.upgrade()
    return db


def command_db_upgrade(settings: Settings, _args) -> int:
    """Apply every pending migration."""
    db = _store(settings)
    db.upgrade()
    db.dispose()
    print(f"Database is up to date: {_redacted(settings.database_url)}")
    return 0


def _redacted(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser for every `pushback` command."""
    parser = argparse.ArgumentParser(
        prog="pushback",
        description="Pushback coaches account managers to say no to clients like a pro.",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    run = commands.add_parser("run", help="serve the Slack app (Socket Mode with SLACK_APP_TOKEN, else HTTP)")
    run.set_defaults(handler=command_run)

    db = commands.add_parser("db", help="manage the database")
    db_commands = db.add_subparsers(dest="db_command", metavar="ACTION")
    upgrade = db_commands.add_parser("upgrade", help="apply pending migrations")
    upgrade.set_defaults(handler=command_db_upgrade)
    db.set_defaults(handler=lambda _settings, _args: _usage(db))

    from bot.triage import command as triage_command

    triage = commands.add_parser("triage", help="triage a client's request and print the suggested push-back")
    triage_command.add_arguments(triage)
    triage.set_defaults(handler=command_triage, needs_settings=False)
    evaluation = commands.add_parser("eval", help="score the configured engine (offline or model) on labelled "
                                                  "JSON lines {text, verdict, reasons[, id, today]}")
    evaluation.add_argument("file", help="the labelled JSON lines file, or - for stdin")
    evaluation.add_argument("--json", action="store_true", help="print one JSON object")
    evaluation.add_argument("--today", type=date.fromisoformat, default=None, metavar="YYYY-MM-DD",
                            help="the date to read cases without their own `today` against (default: today)")
    evaluation.set_defaults(handler=command_eval, needs_settings=False)
    _add_account_commands(commands)
    clock = commands.add_parser("clock", help="run only the reminder tick, the recovery of acked triages and the "
                                              "retention purge (no Slack listener), e.g. as a service of its own")
    clock.add_argument("--heartbeat", help="the file touched whenever a tick completes (default: clock.heartbeat in "
                                           "PUSHBACK_DATA_DIR)")
    clock.add_argument("--check", action="store_true", help="do not run the clock: exit 0 when the running one has "
                                                            "ticked lately, 1 when it has stalled (a health check)")
    clock.set_defaults(handler=command_clock)
    return parser


def command_triage(_settings, args) -> int:
    """Triage from the shell; needs no Slack settings, and uses the language model when one is configured. With
    `--account`, the account's scope notes (and, for the model, this quarter's push-backs) from the store."""
    from bot.triage import command as triage_command

    account = _triage_account(args.account, args.team) if args.account else None
    return triage_command.run(args, sys.stdin, sys.stdout, sys.stderr, _writer(), account)


def _triage_account(name: str, team: str | None):
    """The context of the client account called `name` (any case) in the workspace, from the store the settings
    name; a `CommandError` naming the problem when there is none."""
    from bot.accounts import accounts_for, writer_context

    try:
        settings = load_settings()
    except SettingsError as error:
        raise CommandError(str(error)) from None
    db = _store(settings)
    try:
        team_id = _default_team(settings, team)
        wanted = " ".join(name.split()).lower()
        found = next((account for account in accounts_for(db, team_id) if account.name.lower() == wanted), None)
        context = writer_context(db, team_id, found.id) if found else None
    finally:
        db.dispose()
    if context is None:
        raise CommandError(f"no account called '{name}' in workspace {team_id}; `pushback accounts list` shows them")
    return context


def command_eval(_settings, args) -> int:
    """Score the configured engine on a labelled file: the triage's figures and the reply checks."""
    import json

    from bot.triage.evaluation import CasesError, evaluate, load_cases, report
    from bot.triage.writer import triage_with

    try:
        text = sys.stdin.read() if args.file == "-" else open(args.file, encoding="utf-8-sig").read()
        cases = load_cases(text)
    except (OSError, UnicodeDecodeError, CasesError) as error:
        raise CommandError(f"cannot score {args.file}: {error}") from None
    writer = _writer()
    engine = f"model {writer.name}" if writer else "offline"
    figures = evaluate(cases, lambda request, today: triage_with(request, writer, today=today),
                       args.today or date.today())
    print(json.dumps({"engine": engine, **figures}) if args.json else report(figures, engine))
    return 0


def _writer():
    """The configured language model's writer, or None (offline only)."""
    from bot.settings import load_model_settings
    from bot.triage.openai_writer import writer_for
    from bot.triage.writer import WriterError

    try:
        return writer_for(load_model_settings())
    except (SettingsError, WriterError) as error:
        raise CommandError(str(error)) from None


def _slack_client(settings: Settings):
    """A Web API client for the configured bot token, or None without one."""
    if not settings.slack_bot_token:
        return None
    from bot.slack.client import make_web_client

    return make_web_client(settings)


def _default_team(settings: Settings, given: str | None) -> str:
    """`--team`, else the workspace of the configured bot token (asked of Slack with auth.test)."""
    if given:
        return given
    client = _slack_client(settings)
    if client is None:
        raise CommandError("--team is needed: no SLACK_BOT_TOKEN is set to find the workspace from.")
    try:
        return client.auth_test()["team_id"]
    except Exception:  # noqa: BLE001 - one clear line instead of a traceback
        raise CommandError("could not ask Slack which workspace SLACK_BOT_TOKEN belongs to; pass --team T...") from None


class CommandError(Exception):
    """A command cannot go on; the message says why and what to do."""


def command_accounts_add(settings: Settings, args) -> int:
    """Add a client account and schedule its QBR reminders."""
    from bot.accounts import AccountDraft, add_account
    from bot.slack.reminders import owner_timezone

    client = _slack_client(settings)
    draft = AccountDraft(name=args.name, owner_id=args.owner, next_qbr=args.qbr,
                         team_id=_default_team(settings, args.team), scope_notes=args.scope or "",
                         cadence_months=args.cadence_months, teammates=args.teammate or [],
                         email_domain=args.email_domain, reminder_offsets=args.offsets, send_time=args.send_time)
    draft.owner_timezone = owner_timezone(client, draft.owner_id.upper()) if client else None
    db = _store(settings)
    db.upgrade()
    account = add_account(db, draft)
    print(f"Added {account.name} (id {account.id}) in {account.team_id}: owner {account.owner_id}, "
          f"next QBR {account.next_qbr}, every {account.cadence_months} month(s), "
          f"timezone {account.owner_timezone or 'workspace default'}.")
    return 0


def command_accounts_list(settings: Settings, args) -> int:
    """List the accounts of a workspace."""
    from bot.accounts import accounts_for, pushback_counts

    db = _store(settings)
    db.upgrade()
    team = _default_team(settings, args.team)
    accounts = accounts_for(db, team, args.owner.upper() if args.owner else None)
    if not accounts:
        print(f"No accounts in {team}.")
        return 0
    counts = pushback_counts(db, accounts)
    print(f"{'id':>5}  {'account':<30} {'owner':<12} {'next QBR':<10}  push-backs this quarter")
    for account in accounts:
        print(f"{account.id:>5}  {account.name[:30]:<30} {account.owner_id:<12} {account.next_qbr.isoformat():<10}"
              f"  {counts.get(account.id, 0)}")
    return 0


def command_accounts_import(settings: Settings, args) -> int:
    """Import accounts from a CSV file; all rows or none."""
    from pathlib import Path

    from bot.accounts import import_accounts

    path = Path(args.file)
    try:
        text = sys.stdin.read() if args.file == "-" else path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        raise CommandError(f"cannot read {args.file}: {error}") from None
    db = _store(settings)
    db.upgrade()
    team = args.team or (_default_team(settings, None) if settings.slack_bot_token else None)
    report = import_accounts(db, text, team)
    if report.errors:
        print(f"Nothing imported from {args.file}; fix these rows and run it again:", file=sys.stderr)
        for problem in report.errors:
            print(f"  {problem}", file=sys.stderr)
        return 1
    print(f"Imported {len(report.created)} account(s) from {args.file}.")
    return 0


def command_reminders_run_due(settings: Settings, args) -> int:
    """Run one reminder tick (the scheduler's code) and print what it sent, skipped and deferred."""
    from datetime import datetime, timezone

    from bot.slack.reminders import SlackReminderSender
    from bot.reminders.tick import run_due
    from bot.slack.workspaces import TokenDirectory

    now = None
    if args.now:
        try:
            now = datetime.fromisoformat(args.now.replace("Z", "+00:00"))
        except ValueError:
            raise CommandError(f"--now '{args.now}' is not a time; use e.g. 2027-01-01T14:00:00Z.") from None
        now = now if now.tzinfo else now.replace(tzinfo=timezone.utc)
    if not settings.slack_bot_token and not settings.oauth_enabled:
        raise CommandError("reminders need Slack: set SLACK_BOT_TOKEN (or SLACK_CLIENT_ID/SECRET) in .env.")
    db = _store(settings)
    db.upgrade()
    sender = SlackReminderSender(settings, TokenDirectory(settings, db).bot_token)
    report = run_due(db, sender, now, per_second=settings.reminders_per_second)
    for line in report.lines():
        print(line)
    return 0


def command_reminders_defaults(settings: Settings, args) -> int:
    """Set a workspace's reminder days, send time and fallback timezone."""
    from bot.accounts import parse_offsets, parse_send_time
    from bot.reminders.plan import zone
    from bot.reminders.actions import set_workspace_defaults

    if args.timezone and zone(args.timezone).__class__.__name__ != "ZoneInfo":
        raise CommandError(f"unknown timezone '{args.timezone}'; use a name like Europe/London.")
    db = _store(settings)
    db.upgrade()
    team = _default_team(settings, args.team)
    set_workspace_defaults(db, team, offsets=parse_offsets(args.offsets), send_time=parse_send_time(args.send_time),
                           timezone_name=args.timezone)
    print(f"Reminder defaults for {team} saved; its accounts' pending reminders follow them.")
    return 0


def command_clock(settings: Settings, args) -> int:
    """Run the reminder tick, the recovery of acked triages and the retention purge until SIGTERM, touching the
    heartbeat file whenever a tick completes or sends a reminder; or, with `--check`, say whether that file shows a
    live clock. `pushback run` starts one itself unless `PUSHBACK_SCHEDULER=off`; this command always runs it."""
    import signal
    import threading
    from pathlib import Path

    from bot.clock import Heartbeat

    heartbeat = (Heartbeat(Path(args.heartbeat)) if getattr(args, "heartbeat", None)
                 else Heartbeat.of_clock_service(settings.data_dir))
    if getattr(args, "check", False):
        return _check_clock(heartbeat, settings.tick_seconds)
    from bot.slack.reminders import start_reminder_scheduler

    db = _ready_store(settings)
    heartbeat.beat()
    scheduler = start_reminder_scheduler(settings, db, heartbeat.beat)
    stopped = threading.Event()
    signal.signal(signal.SIGTERM, lambda _signum, _frame: stopped.set())
    signal.signal(signal.SIGINT, lambda _signum, _frame: stopped.set())
    stopped.wait()
    scheduler.shutdown(wait=True)
    db.dispose()
    return 0


def _check_clock(heartbeat, tick_seconds: float) -> int:
    """0 when the clock's last tick (or reminder sent) is more recent than the stall limit, else 1, saying which."""
    from bot.clock import stall_seconds

    age = heartbeat.age()
    limit = stall_seconds(tick_seconds)
    if age is None:
        print(f"clock not started: no heartbeat at {heartbeat.path}", file=sys.stderr)
        return 1
    if age > limit:
        print(f"clock stalled: no tick for {age:.0f}s (the limit is {limit:.0f}s)", file=sys.stderr)
        return 1
    print(f"clock ticking: last tick {age:.0f}s ago")
    return 0


def _add_account_commands(commands) -> None:
    accounts = commands.add_parser("accounts", help="manage client accounts")
    actions = accounts.add_subparsers(dest="accounts_command", metavar="ACTION")
    add = actions.add_parser("add", help="add a client account")
    add.add_argument("name")
    add.add_argument("--owner", required=True, help="the owner's Slack user id, e.g. U012AB3CD")
    add.add_argument("--qbr", required=True, help="next QBR date, YYYY-MM-DD")
    add.add_argument("--scope", help="what the contract covers (sharpens out-of-scope judgements)")
    add.add_argument("--team", help="Slack team id (default: the workspace of SLACK_BOT_TOKEN)")
    add.add_argument("--cadence-months", type=int, default=3, help="months between QBRs (default 3)")
    add.add_argument("--teammate", action="append", help="a teammate's Slack user id (repeatable)")
    add.add_argument("--email-domain", help="the client's email domain, e.g. northwind.com")
    add.add_argument("--offsets", help="reminder days before the QBR, e.g. 14,2 (default: workspace's)")
    add.add_argument("--send-time", help="local send time HH:MM (default: workspace's, 09:00)")
    add.set_defaults(handler=command_accounts_add)
    listing = actions.add_parser("list", help="list client accounts")
    listing.add_argument("--team", help="Slack team id (default: the workspace of SLACK_BOT_TOKEN)")
    listing.add_argument("--owner", help="only this owner's accounts (and those shared with them)")
    listing.set_defaults(handler=command_accounts_list)
    importing = actions.add_parser("import", help="import accounts from CSV (header: name,owner,qbr[,scope,team,"
                                                  "cadence_months,teammates,email_domain])")
    importing.add_argument("file", help="the CSV file, or - for stdin")
    importing.add_argument("--team", help="team for rows without a team column")
    importing.set_defaults(handler=command_accounts_import)
    accounts.set_defaults(handler=lambda _settings, _args: _usage(accounts))

    reminders = commands.add_parser("reminders", help="QBR reminders: run one tick, set a workspace's defaults")
    reminder_actions = reminders.add_subparsers(dest="reminders_command", metavar="ACTION")
    run_due = reminder_actions.add_parser("run-due", help="run one reminder tick now and print what happened")
    run_due.add_argument("--now", help="stand-in for the clock, e.g. 2027-01-01T14:00:00Z")
    run_due.set_defaults(handler=command_reminders_run_due)
    defaults = reminder_actions.add_parser("defaults", help="set a workspace's reminder days, time and timezone")
    defaults.add_argument("--team", help="Slack team id (default: the workspace of SLACK_BOT_TOKEN)")
    defaults.add_argument("--offsets", help="days before the QBR, e.g. 14,7,2")
    defaults.add_argument("--send-time", help="local send time HH:MM")
    defaults.add_argument("--timezone", help="timezone for owners whose Slack timezone is unknown")
    defaults.set_defaults(handler=command_reminders_defaults)
    reminders.set_defaults(handler=lambda _settings, _args: _usage(reminders))


def _usage(parser: argparse.ArgumentParser) -> int:
    parser.print_help(sys.stderr)
    return 2


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `pushback` console script."""
    parser = build_parser()
    args = parser.parse_args(argv)
    handler = getattr(args, "handler", None)
    if handler is None:
        parser.print_help()
        return 0
    if getattr(args, "needs_settings", True):
        try:
            settings = load_settings()
        except SettingsError as error:
            print(f"pushback: {error}", file=sys.stderr)
            return 2
        configure_logging(settings)
    else:
        settings = None
    try:
        return handler(settings, args)
    except KeyboardInterrupt:
        return 130
    except CommandError as error:
        print(f"pushback: {error}", file=sys.stderr)
        return 2
    except Exception as error:  # the CLI shows one line, the log keeps the detail
        logger.debug("command failed", exc_info=True)
        print(f"pushback: {describe_failure(error)}", file=sys.stderr)
        return 1


def describe_failure(error: Exception) -> str:
    """One friendly line for an error that reached the command line."""
    from sqlalchemy.exc import DBAPIError

    from bot.accounts import AccountError
    from bot.triage import KnowledgeError

    if isinstance(error, KnowledgeError):
        return f"the triage knowledge is broken: {error}"
    if isinstance(error, DBAPIError):
        return describe_database_failure(error)
    if isinstance(error, AccountError):
        return str(error)
    return f"{type(error).__name__}: {error}"


UNREACHABLE_SIGNS = ("could not connect", "connection refused", "connection timed out", "timeout expired",
                    "could not translate host name", "name or service not known", "no route to host",
                    "server closed the connection", "unable to open database file", "connection is closed")


def describe_database_failure(error) -> str:
    """One line for a database error, by its cause: unreachable, locked by another process, or the database's own
    words for anything else (a migration's "table triages already exists", say). Only the driver's first line is
    shown, never the statement or its parameters."""
    lines = (str(error.orig) if error.orig is not None else str(error)).strip().splitlines()
    cause = lines[0] if lines else type(error).__name__
    lowered = cause.lower()
    if error.connection_invalidated or any(sign in lowered for sign in UNREACHABLE_SIGNS):
        return f"cannot reach the database ({cause}); check DATABASE_URL and that the server is running."
    if "database is locked" in lowered:
        return f"the database is locked by another process ({cause}); try again in a moment."
    return f"the database refused the operation: {cause}"


if __name__ == "__main__":
    sys.exit(main())
