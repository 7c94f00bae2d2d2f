"""Stopping `pushback run`: a SIGTERM that reaches a worker while it is still being forked ends it instead of being
lost, so the app stops at once rather than after gunicorn's whole graceful timeout."""

import os
import signal
import subprocess
import time

import pytest

from bot.slack.serve import _end_at_once_until_booted
from tests.support.process import PROJECT_ROOT, free_port, pushback_command

GRACEFUL_TIMEOUT_SECONDS = 20


@pytest.fixture
def sigterm_handler_restored():
    before = signal.getsignal(signal.SIGTERM)
    yield
    signal.signal(signal.SIGTERM, before)


def test_until_a_worker_has_booted_a_sigterm_ends_it(sigterm_handler_restored):
    signal.signal(signal.SIGTERM, lambda *_: None)  # what a new worker inherits from gunicorn's master

    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTERM})  # held over the fork
    _end_at_once_until_booted()

    assert signal.getsignal(signal.SIGTERM) == signal.SIG_DFL
    assert signal.SIGTERM not in signal.pthread_sigmask(signal.SIG_BLOCK, set())


def test_a_sigterm_while_the_workers_start_stops_the_app_well_within_the_graceful_timeout(app_env, tmp_path):
    for attempt in range(3):
        log_path = tmp_path / f"run-{attempt}.log"
        with log_path.open("wb") as log:
            process = subprocess.Popen([*pushback_command(), "run"], cwd=PROJECT_ROOT, stdout=log,
                                       stderr=subprocess.STDOUT, start_new_session=True,
                                       env={**os.environ, **app_env, "PORT": str(free_port()),
                                            "PUSHBACK_WEB_WORKERS": "4", "PUSHBACK_SCHEDULER": "0"})
        try:
            deadline = time.monotonic() + 30
            while "Booting worker" not in log_path.read_text(errors="replace"):
                assert process.poll() is None and time.monotonic() < deadline, log_path.read_text(errors="replace")
                time.sleep(0.005)
            process.send_signal(signal.SIGTERM)
            started = time.monotonic()
            process.wait(GRACEFUL_TIMEOUT_SECONDS + 10)
            assert time.monotonic() - started < GRACEFUL_TIMEOUT_SECONDS / 2, log_path.read_text(errors="replace")
        finally:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
