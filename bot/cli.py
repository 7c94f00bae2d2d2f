"""The `pushback` command line: run the app, migrate the store, triage from the shell."""

from __future__ import annotations

import argparse
import logging
import sys

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
    from bot.db import Database

    return Database(settings.database_url)


def command_run(settings: Settings, _args) -> int:
    """Upgrade the store, then serve Slack over HTTP or Socket Mode."""
    missing = settings.missing_for_run()
    if missing:
        print(CONNECT_HELP.format(missing=", ".join(missing)), file=sys.stderr)
        return 2
    db = _store(settings)
    db.upgrade()
    db.dispose()
    from handlers import web

    if settings.socket_mode:
        web.serve_socket_mode(settings)
    else:
        web.serve_http(settings)
    return 0


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
    return parser


def command_triage(_settings, args) -> int:
    """Triage from the shell; needs no settings."""
    from bot.triage import command as triage_command

    return triage_command.run(args, sys.stdin, sys.stdout, sys.stderr)


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
    except Exception as error:  # noqa: BLE001 - the CLI shows one line, the log keeps the detail
        logger.debug("command failed", exc_info=True)
        print(f"pushback: {describe_failure(error)}", file=sys.stderr)
        return 1


def describe_failure(error: Exception) -> str:
    """One friendly line for an error that reached the command line."""
    from sqlalchemy.exc import OperationalError

    if isinstance(error, OperationalError):
        return "cannot reach the database; check DATABASE_URL and that the server is running."
    return f"{type(error).__name__}: {error}"


if __name__ == "__main__":
    sys.exit(main())
