"""`pushback accounts` and `pushback reminders` from the shell (run in process, `tests.support.cli`), on the test
store and the Slack stand-in."""

from __future__ import annotations

from tests.conftest import BOT_TOKEN
from tests.support.cli import run_pushback


def _env(database_url, tmp_path, standin=None):
    env = {"DATABASE_URL": database_url, "PUSHBACK_DATA_DIR": str(tmp_path), "PUSHBACK_REMINDERS_PER_SECOND": "0"}
    if standin is not None:
        env.update({"SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_API_URL": standin.api_url})
    return env


def test_add_then_list_shows_the_account_with_its_next_qbr(database_url, tmp_path):
    env = _env(database_url, tmp_path)
    added = run_pushback("accounts", "add", "Northwind", "--owner", "U0ALICE", "--qbr", "2027-01-15", "--team",
                      "T0001", "--scope", "Monthly SEO report", env=env, cwd=tmp_path)
    assert added.returncode == 0, added.stderr
    assert "Added Northwind" in added.stdout

    again = run_pushback("accounts", "add", "Northwind", "--owner", "U0ALICE", "--qbr", "2027-01-15", "--team",
                      "T0001", env=env, cwd=tmp_path)
    assert again.returncode == 1
    assert "already an account called 'Northwind'" in again.stderr and "Traceback" not in again.stderr

    listed = run_pushback("accounts", "list", "--team", "T0001", env=env, cwd=tmp_path)
    assert "Northwind" in listed.stdout and "2027-01-15" in listed.stdout


def test_team_defaults_to_the_bot_tokens_workspace(database_url, tmp_path, standin):
    added = run_pushback("accounts", "add", "Northwind", "--owner", "U0ALICE", "--qbr", "2027-01-15",
                      env=_env(database_url, tmp_path, standin), cwd=tmp_path)
    assert added.returncode == 0, added.stderr
    assert "in T0001" in added.stdout
    assert standin.calls_to("auth.test")


def test_without_a_team_or_token_it_says_what_to_pass(database_url, tmp_path):
    result = run_pushback("accounts", "add", "Northwind", "--owner", "U0ALICE", "--qbr", "2027-01-15",
                       env=_env(database_url, tmp_path), cwd=tmp_path)
    assert result.returncode == 2
    assert "--team" in result.stderr and "Traceback" not in result.stderr


def test_import_names_each_bad_row_and_imports_nothing(database_url, tmp_path):
    env = _env(database_url, tmp_path)
    bad = tmp_path / "bad.csv"
    bad.write_text("name,owner,qbr,scope\nNorthwind,U0ALICE,2027-01-15,SEO\nContoso,bob,2027-02-01,\n"
                   "Fabrikam,U0CAROL,next week,\n")
    result = run_pushback("accounts", "import", str(bad), "--team", "T0001", env=env, cwd=tmp_path)
    assert result.returncode == 1
    assert "line 3: Owner 'bob'" in result.stderr and "line 4: QBR date 'next week'" in result.stderr
    assert "No accounts" in run_pushback("accounts", "list", "--team", "T0001", env=env, cwd=tmp_path).stdout

    good = tmp_path / "good.csv"
    good.write_text("name,owner,qbr,scope\nNorthwind,U0ALICE,2027-01-15,SEO\nContoso,U0BOB,2027-02-01,\n")
    result = run_pushback("accounts", "import", str(good), "--team", "T0001", env=env, cwd=tmp_path)
    assert result.returncode == 0 and "Imported 2 account(s)" in result.stdout


def test_run_due_sends_what_is_due_at_the_given_time_and_only_once(database_url, tmp_path, standin):
    env = _env(database_url, tmp_path, standin)
    run_pushback("accounts", "add", "Northwind", "--owner", "U0ALICE", "--qbr", "2027-01-15", "--team", "T0001",
              env=env, cwd=tmp_path)

    early = run_pushback("reminders", "run-due", "--now", "2026-12-31T09:00:00Z", env=env, cwd=tmp_path)
    assert early.returncode == 0 and "nothing due" in early.stdout
    due = run_pushback("reminders", "run-due", "--now", "2027-01-01T09:00:00Z", env=env, cwd=tmp_path)
    assert due.returncode == 0, due.stderr
    assert "sent" in due.stdout and "days_before=14" in due.stdout
    again = run_pushback("reminders", "run-due", "--now", "2027-01-01T09:05:00Z", env=env, cwd=tmp_path)
    assert "nothing due" in again.stdout
    assert len(standin.calls_to("chat.postMessage")) == 1


def test_run_due_with_a_bad_time_or_no_slack_explains(database_url, tmp_path):
    env = _env(database_url, tmp_path)
    no_slack = run_pushback("reminders", "run-due", env=env, cwd=tmp_path)
    assert no_slack.returncode == 2 and "SLACK_BOT_TOKEN" in no_slack.stderr
    bad = run_pushback("reminders", "run-due", "--now", "tomorrow", env={**env, "SLACK_BOT_TOKEN": BOT_TOKEN},
                    cwd=tmp_path)
    assert bad.returncode == 2 and "--now 'tomorrow'" in bad.stderr
