"""Settings: read once from the environment and `.env` into one typed, validated object.

Nothing else in the code reads `os.environ`; callers receive a `Settings`.
A missing or malformed value raises `SettingsError` whose message names the variable and how to fix it.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

from dotenv import dotenv_values
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

DEFAULT_SLACK_API_URL = "https://slack.com/api/"
DEFAULT_DATA_DIR = "./pushback-data"  # runtime files only; the shipped knowledge is package data
DEFAULT_PORT = 3000
DEFAULT_RETENTION_DAYS = 30
DEFAULT_LLM_TIMEOUT_SECONDS = 8
# The Slack Web API clients' logger and the Slack libraries' own, never below INFO: slack_sdk and slack_bolt log
# whole requests, answers and Socket Mode messages at DEBUG, and in a triage they hold the client's words, which the
# log never keeps.
SLACK_CLIENT_LOGGER = "bot.slack.client"
SLACK_LOGGERS = (SLACK_CLIENT_LOGGER, "slack_sdk", "slack_sdk.web", "slack_sdk.webhook", "slack_sdk.socket_mode",
                 "slack_sdk.oauth", "slack_bolt")
LOG_LEVELS = ("CRITICAL", "ERROR", "WARNING", "INFO", "DEBUG")


class SettingsError(Exception):
    """A setting is missing or malformed; the message names it and says how to fix it."""


@dataclass(frozen=True)
class ModelSettings:
    """The workspace's own language model, an OpenAI-compatible chat-completions endpoint; unset: offline only."""

    base_url: str | None = None
    model: str | None = None
    api_key: str | None = field(default=None, repr=False)
    timeout_seconds: int = DEFAULT_LLM_TIMEOUT_SECONDS

    @property
    def enabled(self) -> bool:
        """True when a model is configured, so replies may be written by it."""
        return bool(self.base_url and self.model)


@dataclass(frozen=True)
class Settings:
    """Every setting the app reads, typed and validated."""

    slack_bot_token: str | None = None
    slack_signing_secret: str | None = None
    slack_app_token: str | None = None
    slack_client_id: str | None = None
    slack_client_secret: str | None = None
    slack_api_url: str = DEFAULT_SLACK_API_URL
    data_dir: Path = field(default_factory=lambda: Path(DEFAULT_DATA_DIR))
    database_url: str = ""
    port: int = DEFAULT_PORT
    log_level: str = "INFO"
    retention_days: int = DEFAULT_RETENTION_DAYS
    web_workers: int = 2
    web_threads: int = 8
    listener_threads: int = 2
    scheduler_enabled: bool = True
    database_wait_seconds: int = 60
    database_connect_timeout_seconds: int = 5
    database_statement_timeout_seconds: int = 15
    database_pool_size: int = 5
    tick_seconds: int = 60
    reminders_per_second: int = 5
    llm: ModelSettings = field(default_factory=ModelSettings)

    @property
    def socket_mode(self) -> bool:
        """True when an app-level token is set, so the app connects out over Socket Mode."""
        return bool(self.slack_app_token)

    @property
    def oauth_enabled(self) -> bool:
        """True when the app installs into many workspaces through Slack's OAuth flow."""
        return bool(self.slack_client_id and self.slack_client_secret)

    def missing_for_run(self) -> list[str]:
        """Names of the variables `pushback run` still needs, empty when it can start."""
        missing = []
        if not self.oauth_enabled and not self.slack_bot_token:
            missing.append("SLACK_BOT_TOKEN")
        if not self.slack_signing_secret and not self.socket_mode:
            missing.append("SLACK_SIGNING_SECRET")
        return missing


def _text(env: Mapping[str, str], name: str) -> str | None:
    value = env.get(name)
    if value is None:
        return None
    value = value.strip()
    return value or None


def _prefixed(env: Mapping[str, str], name: str, prefix: str, what: str) -> str | None:
    value = _text(env, name)
    if value is not None and not value.startswith(prefix):
        raise SettingsError(
            f"{name} must start with '{prefix}' ({what}); copy it from your app's settings page into .env."
        )
    return value


def _integer(env: Mapping[str, str], name: str, default: int, low: int, high: int) -> int:
    raw = _text(env, name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise SettingsError(f"{name} must be a whole number from {low} to {high}, not {raw!r}.") from None
    if not low <= value <= high:
        raise SettingsError(f"{name} must be a whole number from {low} to {high}, not {value}.")
    return value


def _switch(env: Mapping[str, str], name: str, default: bool) -> bool:
    raw = (_text(env, name) or "").lower()
    if not raw:
        return default
    if raw in ("1", "true", "yes", "on"):
        return True
    if raw in ("0", "false", "no", "off"):
        return False
    raise SettingsError(f"{name} must be on or off, not {raw!r}.")


def _api_url(env: Mapping[str, str]) -> str:
    raw = _text(env, "SLACK_API_URL") or DEFAULT_SLACK_API_URL
    parsed = urlparse(raw)
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        raise SettingsError(f"SLACK_API_URL must be an http(s) URL such as {DEFAULT_SLACK_API_URL}, not {raw!r}.")
    return raw if raw.endswith("/") else raw + "/"


def _database_url(env: Mapping[str, str], data_dir: Path) -> str:
    raw = _text(env, "DATABASE_URL")
    if raw is None:
        return f"sqlite:///{(data_dir / 'pushback.sqlite3').as_posix()}"
    if raw.startswith("postgres://"):
        raw = "postgresql://" + raw[len("postgres://") :]
    try:
        url = make_url(raw)
    except ArgumentError:
        raise SettingsError(
            "DATABASE_URL is not a database URL; use e.g. sqlite:///pushback-data/pushback.sqlite3 "
            "or postgresql+psycopg://user@host:5432/pushback."
        ) from None
    if url.get_backend_name() not in ("sqlite", "postgresql"):
        raise SettingsError(f"DATABASE_URL must point to SQLite or PostgreSQL, not {url.get_backend_name()!r}.")
    if url.get_backend_name() == "postgresql" and url.drivername == "postgresql":
        url = url.set(drivername="postgresql+psycopg")
    return url.render_as_string(hide_password=False)


def _log_level(env: Mapping[str, str]) -> str:
    raw = (_text(env, "LOG_LEVEL") or "INFO").upper()
    if raw not in LOG_LEVELS:
        raise SettingsError(f"LOG_LEVEL must be one of {', '.join(LOG_LEVELS)}, not {raw!r}.")
    return raw


def model_settings_from_mapping(env: Mapping[str, str]) -> ModelSettings:
    """Validate the `PUSHBACK_LLM_*` variables: a base URL and a model name together, or neither."""
    base_url = _text(env, "PUSHBACK_LLM_BASE_URL")
    model = _text(env, "PUSHBACK_LLM_MODEL")
    if base_url is not None:
        parsed = urlparse(base_url)
        if parsed.scheme not in ("http", "https") or not parsed.netloc:
            raise SettingsError("PUSHBACK_LLM_BASE_URL must be an http(s) URL of an OpenAI-compatible API, such as "
                                f"http://localhost:11434/v1, not {base_url!r}.")
    if bool(base_url) != bool(model):
        given, needed = (("PUSHBACK_LLM_BASE_URL", "PUSHBACK_LLM_MODEL") if base_url
                         else ("PUSHBACK_LLM_MODEL", "PUSHBACK_LLM_BASE_URL"))
        raise SettingsError(f"{given} is set but {needed} is not; set both to use your own model, or neither.")
    return ModelSettings(base_url=base_url, model=model, api_key=_text(env, "PUSHBACK_LLM_API_KEY"),
                         timeout_seconds=_integer(env, "PUSHBACK_LLM_TIMEOUT_SECONDS", DEFAULT_LLM_TIMEOUT_SECONDS,
                                                  1, 120))


def settings_from_mapping(env: Mapping[str, str]) -> Settings:
    """Validate a mapping of variable names to values into `Settings`."""
    data_dir = Path(_text(env, "PUSHBACK_DATA_DIR") or DEFAULT_DATA_DIR)
    return Settings(
        slack_bot_token=_prefixed(env, "SLACK_BOT_TOKEN", "xoxb-", "a bot token"),
        slack_signing_secret=_text(env, "SLACK_SIGNING_SECRET"),
        slack_app_token=_prefixed(env, "SLACK_APP_TOKEN", "xapp-", "an app-level token with connections:write"),
        slack_client_id=_text(env, "SLACK_CLIENT_ID"),
        slack_client_secret=_text(env, "SLACK_CLIENT_SECRET"),
        slack_api_url=_api_url(env),
        data_dir=data_dir,
        database_url=_database_url(env, data_dir),
        port=_integer(env, "PORT", DEFAULT_PORT, 1, 65535),
        log_level=_log_level(env),
        retention_days=_integer(env, "PUSHBACK_RETENTION_DAYS", DEFAULT_RETENTION_DAYS, 0, 3650),
        web_workers=_integer(env, "PUSHBACK_WEB_WORKERS", 2, 1, 64),
        web_threads=_integer(env, "PUSHBACK_WEB_THREADS", 8, 1, 256),
        listener_threads=_integer(env, "PUSHBACK_LISTENER_THREADS", 2, 1, 256),
        scheduler_enabled=_switch(env, "PUSHBACK_SCHEDULER", True),
        database_wait_seconds=_integer(env, "PUSHBACK_DATABASE_WAIT_SECONDS", 60, 0, 3600),
        database_connect_timeout_seconds=_integer(env, "PUSHBACK_DATABASE_CONNECT_TIMEOUT_SECONDS", 5, 2, 300),
        database_statement_timeout_seconds=_integer(env, "PUSHBACK_DATABASE_STATEMENT_TIMEOUT_SECONDS", 15, 1, 3600),
        database_pool_size=_integer(env, "PUSHBACK_DATABASE_POOL_SIZE", 5, 1, 50),
        tick_seconds=_integer(env, "PUSHBACK_TICK_SECONDS", 60, 1, 3600),
        reminders_per_second=_integer(env, "PUSHBACK_REMINDERS_PER_SECOND", 5, 0, 100),
        llm=model_settings_from_mapping(env),
    )


def _environment(dotenv_path: str | os.PathLike[str]) -> dict[str, str]:
    merged = {key: value for key, value in dotenv_values(dotenv_path).items() if value is not None}
    merged.update(os.environ)
    return merged


def load_settings(dotenv_path: str | os.PathLike[str] = ".env") -> Settings:
    """Read `.env` (if present) under the process environment, which wins, and validate it."""
    return settings_from_mapping(_environment(dotenv_path))


def load_model_settings(dotenv_path: str | os.PathLike[str] = ".env") -> ModelSettings:
    """Only the language-model settings, for commands such as `pushback triage` that need nothing of Slack."""
    return model_settings_from_mapping(_environment(dotenv_path))


def configure_logging(settings: Settings) -> None:
    """Send log records to stderr at the configured level, one line each."""
    logging.basicConfig(
        level=settings.log_level,
        format="%(asctime)s %(levelname)s %(name)s %(message)s",
        force=True,
    )
    level = logging.getLevelName(settings.log_level)
    for chatty in ("alembic", "apscheduler"):
        logging.getLogger(chatty).setLevel(max(logging.WARNING, level))
    hold_slack_loggers(level)


def hold_slack_loggers(level: int = logging.INFO) -> None:
    """Set the Slack libraries' loggers to `level`, but never below INFO (see `SLACK_LOGGERS`)."""
    for name in SLACK_LOGGERS:
        logging.getLogger(name).setLevel(max(logging.INFO, level))


def client_logger() -> logging.Logger:
    """The Web API clients' logger; a Slack logger with no level of its own (`configure_logging` not called) is
    held at INFO."""
    for name in SLACK_LOGGERS:
        if logging.getLogger(name).level == logging.NOTSET:
            logging.getLogger(name).setLevel(logging.INFO)
    return logging.getLogger(SLACK_CLIENT_LOGGER)
