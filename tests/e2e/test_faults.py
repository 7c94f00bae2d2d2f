"""Faults end to end: the database down at start and mid-run, processes killed mid-request and mid-tick.

Each test says what it counted: requests answered, reminders delivered, duplicates.
"""

from __future__ import annotations

import os
import signal
import subprocess
import threading
import time
from collections import Counter

import pytest

from bot.accounts import AccountDraft, add_account
from bot.reminders.actions import reminders_of
from tests.conftest import BOT_TOKEN, SIGNING_SECRET
from tests.support.driver import eventually, http_request
from tests.support.process import PROJECT_ROOT, AppProcess, pushback_command
from tests.support.proxy import TcpProxy

PG_PORT = ":5432/"


def _delivered(standin) -> Counter:
    return Counter(m["metadata"]["event_payload"]["reminder_id"] for channel, messages in standin.messages.items()
                   if channel.startswith("D") for m in messages
                   if (m.get("metadata") or {}).get("event_type") == "pushback_qbr_reminder")


def test_database_down_at_start_is_waited_for_then_named_clearly(tmp_path, standin):
    env = {**os.environ, "SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_SIGNING_SECRET": SIGNING_SECRET,
           "SLACK_API_URL": standin.api_url, "DATABASE_URL": "postgresql+psycopg://postgres@127.0.0.1:1/none",
           "PUSHBACK_DATABASE_WAIT_SECONDS": "2", "PUSHBACK_DATA_DIR": str(tmp_path)}
    result = subprocess.run([*pushback_command(), "run"], env=env, cwd=tmp_path, capture_output=True, text=True,
                            timeout=60)

    assert result.returncode == 2
    assert "waiting for the database" in result.stderr
    assert result.stderr.strip().splitlines()[-1].startswith("pushback: cannot reach the database")
    assert "Traceback" not in result.stderr


def test_a_database_that_accepts_tcp_but_never_answers_is_given_up_on_in_time(tmp_path, standin, fault_figures):
    """The connect timeout bounds each attempt, so `pushback run` keeps to PUSHBACK_DATABASE_WAIT_SECONDS and
    ends with one clear line instead of hanging silently."""
    proxy = TcpProxy(("127.0.0.1", 5432))
    proxy.freeze()
    env = {**os.environ, "SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_SIGNING_SECRET": SIGNING_SECRET,
           "SLACK_API_URL": standin.api_url, "PUSHBACK_DATA_DIR": str(tmp_path),
           "DATABASE_URL": f"postgresql+psycopg://postgres@127.0.0.1:{proxy.port}/none",
           "PUSHBACK_DATABASE_WAIT_SECONDS": "3"}
    started = time.monotonic()
    try:
        result = subprocess.run([*pushback_command(), "run"], env=env, cwd=tmp_path, capture_output=True, text=True,
                                timeout=60)
    finally:
        proxy.close()
    seconds = time.monotonic() - started
    fault_figures(wait_seconds=3, gave_up_after_seconds=round(seconds, 1), connections_held=1)
    assert result.returncode == 2, result.stderr
    assert result.stderr.strip().splitlines()[-1].startswith("pushback: cannot reach the database")
    assert "Traceback" not in result.stderr
    assert seconds < 3 + 4  # the wait, plus the interpreter's start and the last attempt's connect timeout


@pytest.fixture
def database_behind_proxy(database_url):
    if PG_PORT not in database_url:
        pytest.skip("SQLite is embedded in the process: a database outage is a PostgreSQL case")
    proxy = TcpProxy(("127.0.0.1", 5432))
    yield proxy, database_url.replace(PG_PORT, f":{proxy.port}/")
    proxy.close()


def test_database_down_mid_run_gives_a_friendly_error_and_defers_reminders(database_behind_proxy, db, app_env,
                                                                           standin, tmp_path, fault_figures):
    proxy, proxied_url = database_behind_proxy
    account = add_account(db, AccountDraft(name="Northwind", owner_id="U0ALICE", next_qbr="2027-01-15",
                                           team_id="T0001"))
    env = {**app_env, "DATABASE_URL": proxied_url, "PUSHBACK_SCHEDULER": "off"}
    app = AppProcess(env, standin, SIGNING_SECRET, tmp_path)
    app.start()
    try:
        proxy.cut()
        reply = app.driver.slash_command("Please take 40% off the final invoice", channel_id="D0ALICE")
        assert reply.status == 200
        told = standin.wait_for("response", timeout=30)[0]
        assert "something went wrong" in str(told.args).lower()
        assert http_request(f"{app.url}/healthz").status == 503
        tick = subprocess.run([*pushback_command(), "reminders", "run-due", "--now", "2027-01-01T09:00:00Z"],
                              env={**os.environ, **env}, cwd=PROJECT_ROOT, capture_output=True, text=True,
                              timeout=60)
        assert tick.returncode == 1 and "cannot reach the database" in tick.stderr
        assert _delivered(standin) == Counter()

        proxy.restore()
        assert eventually(lambda: http_request(f"{app.url}/healthz").status == 200, timeout=20)
        app.driver.slash_command("Please take 40% off the final invoice", channel_id="D0ALICE")
        answered = standin.wait_for("chat.postMessage", where=lambda c: c.args.get("thread_ts"), timeout=30)
        tick = subprocess.run([*pushback_command(), "reminders", "run-due", "--now", "2027-01-01T09:00:00Z"],
                              env={**os.environ, **env}, cwd=PROJECT_ROOT, capture_output=True, text=True,
                              timeout=60)
    finally:
        app.stop()
    delivered = _delivered(standin)
    fault_figures(requests=2, told_friendly_error=1, answered_after_restore=len(answered),
                  reminders_due=1, reminders_delivered=len(delivered),
                  duplicates=sum(delivered.values()) - len(delivered))
    assert len(answered) == 1 and tick.returncode == 0, tick.stderr
    assert list(delivered.values()) == [1]
    assert reminders_of(db, account.id)[0].status == "sent"


def test_killed_mid_request_the_restarted_app_answers_the_next_one(app_env, standin, tmp_path, fault_figures):
    standin.delay("chat.postMessage", 3)
    app = AppProcess({**app_env, "PUSHBACK_SCHEDULER": "off"}, standin, SIGNING_SECRET, tmp_path)
    app.start()
    reply = app.driver.slash_command("Please take 40% off the final invoice", channel_id="D0ALICE")
    assert reply.status == 200
    standin.wait_for("chat.postMessage")
    app.kill()
    standin.delay("chat.postMessage", 0)

    again = AppProcess({**app_env, "PUSHBACK_SCHEDULER": "off"}, standin, SIGNING_SECRET, tmp_path)
    again.start()
    try:
        standin.reset_calls()
        again.driver.slash_command("Please take 40% off the final invoice", channel_id="D0ALICE")
        answered = standin.wait_for("chat.postMessage", where=lambda c: c.args.get("thread_ts"), timeout=20)
    finally:
        again.stop()
    fault_figures(requests_after_restart=1, answered=len(answered))
    assert len(answered) == 1


def test_a_tick_killed_mid_send_is_finished_by_the_next_without_duplicates(db, database_url, standin, tmp_path,
                                                                           fault_figures):
    for number in range(5):
        add_account(db, AccountDraft(name=f"Client {number}", owner_id=f"U0OWNER{number}", next_qbr="2027-01-15",
                                     team_id="T0001"))
    env = {**os.environ, "SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_API_URL": standin.api_url,
           "DATABASE_URL": database_url, "PUSHBACK_DATA_DIR": str(tmp_path), "PUSHBACK_REMINDERS_PER_SECOND": "0"}
    standin.delay("chat.postMessage", 2)
    tick = subprocess.Popen([*pushback_command(), "reminders", "run-due", "--now", "2027-01-01T09:00:00Z"],
                            env=env, cwd=PROJECT_ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    assert eventually(lambda: len(_delivered(standin)) >= 1, timeout=30)
    tick.kill()
    tick.wait()
    time.sleep(2.5)
    standin.delay("chat.postMessage", 0)
    assert len(_delivered(standin)) == 1  # Slack has the first DM; the tick died before recording it

    later = subprocess.run([*pushback_command(), "reminders", "run-due", "--now", "2027-01-01T09:06:00Z"],
                           env=env, cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=60)

    assert later.returncode == 0, later.stderr
    assert "found already sent" in later.stdout
    delivered = _delivered(standin)
    fault_figures(reminders_due=5, reminders_delivered=len(delivered),
                  duplicates=sum(delivered.values()) - len(delivered))
    assert len(delivered) == 5 and set(delivered.values()) == {1}


def test_slack_unreachable_at_start_does_not_stop_the_app_from_serving(app_env, standin, tmp_path):
    env = {**app_env, "SLACK_API_URL": "http://127.0.0.1:9/api/", "PUSHBACK_SCHEDULER": "off"}
    app = AppProcess(env, standin, SIGNING_SECRET, tmp_path)
    app.start()
    try:
        assert http_request(f"{app.url}/healthz").status == 200
        app.driver.slash_command("Please take 40% off")
        assert app.process.poll() is None
        assert http_request(f"{app.url}/healthz").status == 200
    finally:
        app.stop()


def test_a_frozen_database_link_gives_a_prompt_503_and_help_is_still_acked(database_behind_proxy, app_env, standin,
                                                                           tmp_path, fault_figures):
    """Twenty load-balancer probes at once while the database link carries nothing: each answers 503 within 1 s
    (the check has its own short deadline and holds no request thread past it), and `/pushback help` is acked."""
    proxy, proxied_url = database_behind_proxy
    app = AppProcess({**app_env, "DATABASE_URL": proxied_url, "PUSHBACK_SCHEDULER": "off"}, standin,
                     SIGNING_SECRET, tmp_path)
    app.start()
    answers: list[tuple[int, float]] = []
    try:
        app.driver.slash_command("Please take 40% off the final invoice", channel_id="D0ALICE")
        standin.wait_for("chat.postMessage", where=lambda c: c.args.get("thread_ts"), timeout=30)
        proxy.freeze()

        def probe() -> None:
            began = time.monotonic()
            try:
                status = http_request(f"{app.url}/healthz", timeout=10).status
            except OSError:
                status = 0
            answers.append((status, time.monotonic() - began))

        probes = [threading.Thread(target=probe) for _ in range(20)]
        for thread in probes:
            thread.start()
        for thread in probes:
            thread.join()
        help_reply = app.driver.slash_command("help", channel_id="D0ALICE")
        proxy.thaw()
        healthy_again = eventually(lambda: http_request(f"{app.url}/healthz").status == 200, timeout=30)
    finally:
        proxy.thaw()
        app.stop()
    slowest = max(seconds for _, seconds in answers)
    fault_figures(probes=len(answers), answered_503=sum(status == 503 for status, _ in answers),
                  slowest_probe_seconds=round(slowest, 2), help_acked_seconds=round(help_reply.seconds, 2))
    assert [status for status, _ in answers] == [503] * 20
    assert slowest < 1.0
    assert help_reply.status == 200 and help_reply.seconds < 3
    assert "Examples" in str(help_reply.json())
    assert healthy_again


def _clock_pids(master_pid: int) -> list[int]:
    """The live reminder clock processes `pushback run` (HTTP mode) started beside its web workers."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/cmdline", "rb") as handle:
                command = handle.read().split(b"\0")
            with open(f"/proc/{entry}/stat") as handle:
                parent = int(handle.read().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        if parent == master_pid and b"bot.cli" in command and b"clock" in command:
            found.append(int(entry))
    return found


def test_a_dead_reminder_clock_is_restarted_and_a_stalled_one_makes_healthz_503(app_env, standin, tmp_path,
                                                                                 fault_figures):
    """HTTP mode's clock process is supervised: killed, it is started again; stopped (no tick completes for
    several tick intervals), `/healthz` says so with a 503 until it ticks again."""
    app = AppProcess({**app_env, "PUSHBACK_TICK_SECONDS": "1"}, standin, SIGNING_SECRET, tmp_path)
    app.start()
    assert app.process is not None
    master = app.process.pid
    try:
        [first] = eventually(lambda: _clock_pids(master), timeout=20)
        os.kill(first, signal.SIGKILL)
        restarted = eventually(lambda: [pid for pid in _clock_pids(master) if pid != first], timeout=20)
        assert restarted, f"the clock was not restarted:\n{app.log()}"
        healthy_with_new_clock = eventually(lambda: http_request(f"{app.url}/healthz").status == 200, timeout=20)
        os.kill(restarted[0], signal.SIGSTOP)
        began = time.monotonic()
        try:
            stalled = eventually(lambda: http_request(f"{app.url}/healthz").status == 503, timeout=30)
            noticed_after = time.monotonic() - began
        finally:
            os.kill(restarted[0], signal.SIGCONT)
        healthy_again = eventually(lambda: http_request(f"{app.url}/healthz").status == 200, timeout=30)
    finally:
        app.stop()
    fault_figures(clocks_killed=1, clocks_restarted=len(restarted), stall_noticed_after_seconds=round(noticed_after, 1),
                  healthy_again=healthy_again)
    assert healthy_with_new_clock and stalled and healthy_again
