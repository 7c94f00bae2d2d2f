"""The `pushback` command line: help lists the commands; bad settings and missing credentials explain themselves."""

import subprocess

from tests.support.process import PROJECT_ROOT, pushback_command


def _pushback(*args, env=None, cwd=PROJECT_ROOT):
    import os

    full_env = {key: value for key, value in os.environ.items() if not key.startswith(("SLACK_", "PORT"))}
    full_env.update(env or {})
    return subprocess.run([*pushback_command(), *args], capture_output=True, text=True, env=full_env, cwd=cwd,
                          timeout=60)


def test_help_lists_the_commands():
    result = _pushback("--help")

    assert result.returncode == 0
    for command in ("run", "db"):
        assert command in result.stdout


def test_db_upgrade_creates_the_default_sqlite_store_under_the_data_dir(tmp_path):
    result = _pushback("db", "upgrade", env={"PUSHBACK_DATA_DIR": str(tmp_path / "state")}, cwd=tmp_path)

    assert result.returncode == 0, result.stderr
    assert (tmp_path / "state" / "pushback.sqlite3").exists()


def test_run_without_credentials_explains_how_to_connect_and_fails(tmp_path):
    result = _pushback("run", env={"PUSHBACK_DATA_DIR": str(tmp_path)}, cwd=tmp_path)

    assert result.returncode != 0
    assert "manifest.json" in result.stderr
    assert "SLACK_BOT_TOKEN" in result.stderr
    assert "Traceback" not in result.stderr
    assert len(result.stderr.splitlines()) <= 8


def test_malformed_setting_is_one_line_without_traceback(tmp_path):
    result = _pushback("run", env={"PORT": "abc", "PUSHBACK_DATA_DIR": str(tmp_path)}, cwd=tmp_path)

    assert result.returncode == 2
    assert result.stderr.strip() == "pushback: PORT must be a whole number from 1 to 65535, not 'abc'."


def test_unreachable_database_is_one_friendly_line(tmp_path):
    result = _pushback("db", "upgrade", env={"DATABASE_URL": "postgresql+psycopg://nobody@127.0.0.1:1/x"},
                       cwd=tmp_path)

    assert result.returncode == 1
    assert "cannot reach the database" in result.stderr
    assert "Traceback" not in result.stderr
