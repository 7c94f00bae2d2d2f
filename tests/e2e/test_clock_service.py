"""The reminder clock as a service of its own, as compose and Kubernetes run it: web instances told to run no clock
(`PUSHBACK_SCHEDULER=off`) start none and keep `/healthz` about themselves, while `pushback clock` sends the
reminders and `pushback clock --check` (the service's health check) follows its heartbeat."""

from __future__ import annotations

import os
import signal
import subprocess

from bot.slack.serve import NO_CLOCK_HERE
from tests.conftest import SIGNING_SECRET
from tests.support.cli import run_pushback
from tests.support.driver import eventually, http_request
from tests.support.reminders import accounts_due_tomorrow, all_reminders_sent
from tests.support.process import PROJECT_ROOT, AppProcess, pushback_command

ACCOUNTS = 5


def test_a_clock_service_sends_the_reminders_of_web_instances_that_run_no_clock(db, app_env, standin, tmp_path,
                                                                                 fault_figures):
    created = accounts_due_tomorrow(db, ACCOUNTS)
    clock_env = {**app_env, "PUSHBACK_TICK_SECONDS": "1", "PUSHBACK_REMINDERS_PER_SECOND": "0",
                 "PUSHBACK_DATA_DIR": str(tmp_path / "clock-data")}

    def check():
        return run_pushback("clock", "--check", env=clock_env)

    before = check()
    web = AppProcess({**app_env, "PUSHBACK_SCHEDULER": "off", "PUSHBACK_TICK_SECONDS": "1"}, standin,
                     SIGNING_SECRET, tmp_path)
    clock_log = tmp_path / "clock.log"
    with open(clock_log, "wb") as log:
        clock = subprocess.Popen([*pushback_command(), "clock"], env={**os.environ, **clock_env}, cwd=PROJECT_ROOT,
                                 stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        web.start()
        sent = eventually(lambda: all_reminders_sent(db, created), timeout=60)
        ticking = eventually(lambda: check().returncode == 0, timeout=20, interval=0.5)
        os.kill(clock.pid, signal.SIGSTOP)
        try:
            stalled = eventually(lambda: "clock stalled" in check().stderr, timeout=30, interval=0.5)
            web_health_while_stalled = http_request(f"{web.url}/healthz").status
        finally:
            os.kill(clock.pid, signal.SIGCONT)
        ticking_again = eventually(lambda: check().returncode == 0, timeout=30, interval=0.5)
    finally:
        web.stop()
        clock.terminate()
        clock_exit = clock.wait(20)
    fault_figures(reminders_due=ACCOUNTS, clock_stall_noticed=stalled,
                  web_health_while_clock_stalled=web_health_while_stalled)
    assert before.returncode == 1 and "clock not started" in before.stderr
    assert sent, clock_log.read_text()
    assert ticking and stalled and ticking_again
    assert web_health_while_stalled == 200
    assert "scheduler started" not in web.log() and NO_CLOCK_HERE in web.log()
    assert "scheduler started" in clock_log.read_text()
    assert clock_exit == 0
