"""Settings: defaults, `.env` under the environment, and one clear line for each bad value."""

from pathlib import Path

import pytest

from bot.settings import SettingsError, load_settings, settings_from_mapping


def test_defaults_run_on_embedded_sqlite_under_the_data_dir():
    settings = settings_from_mapping({})

    assert settings.database_url == "sqlite:///pushback-data/pushback.sqlite3"
    assert settings.port == 3000
    assert settings.slack_api_url == "https://slack.com/api/"
    assert settings.retention_days == 30
    assert not settings.socket_mode
    assert settings.missing_for_run() == ["SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET"]


def test_data_dir_moves_the_default_database():
    settings = settings_from_mapping({"PUSHBACK_DATA_DIR": "/var/lib/pushback"})

    assert settings.data_dir == Path("/var/lib/pushback")
    assert settings.database_url == "sqlite:////var/lib/pushback/pushback.sqlite3"


def test_app_token_switches_to_socket_mode_without_a_signing_secret():
    settings = settings_from_mapping({"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_APP_TOKEN": "xapp-1"})

    assert settings.socket_mode
    assert settings.missing_for_run() == []


def test_plain_postgres_urls_use_psycopg_3():
    settings = settings_from_mapping({"DATABASE_URL": "postgres://u:p@db:5432/pushback"})

    assert settings.database_url == "postgresql+psycopg://u:p@db:5432/pushback"


def test_api_url_gets_a_trailing_slash():
    assert settings_from_mapping({"SLACK_API_URL": "http://127.0.0.1:9/api"}).slack_api_url == "http://127.0.0.1:9/api/"


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        ("PORT", "eighty", "PORT must be a whole number from 1 to 65535"),
        ("PORT", "70000", "PORT must be a whole number from 1 to 65535"),
        ("SLACK_BOT_TOKEN", "xapp-wrong-kind", "SLACK_BOT_TOKEN must start with 'xoxb-'"),
        ("SLACK_APP_TOKEN", "xoxb-wrong-kind", "SLACK_APP_TOKEN must start with 'xapp-'"),
        ("SLACK_API_URL", "slack.com/api", "SLACK_API_URL must be an http(s) URL"),
        ("DATABASE_URL", "not a url", "DATABASE_URL is not a database URL"),
        ("DATABASE_URL", "mysql://root@localhost/x", "DATABASE_URL must point to SQLite or PostgreSQL"),
        ("LOG_LEVEL", "chatty", "LOG_LEVEL must be one of"),
        ("PUSHBACK_RETENTION_DAYS", "-1", "PUSHBACK_RETENTION_DAYS must be a whole number from 0"),
    ],
)
def test_malformed_setting_names_itself_and_the_fix(name, value, expected):
    with pytest.raises(SettingsError) as raised:
        settings_from_mapping({name: value})

    assert expected in str(raised.value)
    assert "\n" not in str(raised.value)


def test_dotenv_is_read_and_the_environment_wins(tmp_path, monkeypatch):
    dotenv = tmp_path / ".env"
    dotenv.write_text("PORT=4000\nLOG_LEVEL=DEBUG\n")
    monkeypatch.setenv("PORT", "5000")
    monkeypatch.delenv("LOG_LEVEL", raising=False)

    settings = load_settings(dotenv)

    assert settings.port == 5000
    assert settings.log_level == "DEBUG"
