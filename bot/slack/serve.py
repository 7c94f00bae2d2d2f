"""HTTP serving: Slack's endpoint and `/healthz` as one WSGI app, run by gunicorn; or Socket Mode."""

from __future__ import annotations

import functools
import gc
import io
import json
import logging
import os
import signal
import subprocess
import sys
import threading
import time
import traceback
from urllib.parse import parse_qs

from gunicorn.app.base import BaseApplication
from slack_bolt import App
from slack_bolt.adapter.socket_mode import SocketModeHandler
from slack_bolt.adapter.wsgi import SlackRequestHandler

from bot.db import Database, database_for
from bot.clock import Heartbeat, stall_seconds
from bot.settings import Settings
from bot.slack.reminders import start_reminder_scheduler
from bot.triage import check_knowledge
from handlers.app import create_app
from handlers.services import stop_taking_work

logger = logging.getLogger(__name__)

SLACK_EVENTS_PATH = "/slack/events"
HEALTH_PATH = "/healthz"
MAX_BODY_BYTES = 1_000_000
CLOCK_STOP_SECONDS = 15
CLOCK_RESTART_FIRST_SECONDS = 1.0
CLOCK_POLL_SECONDS = 0.25  # how often the supervisor looks whether the clock is still running
CLOCK_RESTART_MAX_SECONDS = 60.0
CLOCK_STEADY_SECONDS = 60.0  # a clock that ran this long before it died is restarted after the shortest wait
NO_CLOCK_HERE = "no reminder clock here (PUSHBACK_SCHEDULER=off): a `pushback clock` service runs it"


def _plain_answer(start_response, status: str, body: dict) -> list[bytes]:
    payload = json.dumps(body).encode()
    start_response(status, [("Content-Type", "application/json"), ("Content-Length", str(len(payload)))])
    return [payload]


class PushbackWsgi:
    """Routes `/healthz` to a database check (`Database.health`: answered within a second, whatever the database
    does) and everything else to Bolt, refusing oversized or undecodable
    bodies before they reach it. An exception escaping Bolt is logged with its traceback (its type and where it
    was raised, not its message, which may quote the request) and answered 500."""

    def __init__(self, app: App, db: Database, clock: ClockWatch | None = None) -> None:
        self.slack = SlackRequestHandler(app, path=SLACK_EVENTS_PATH)
        self.db = db
        self.clock = clock

    def __call__(self, environ, start_response):
        if environ.get("PATH_INFO") == HEALTH_PATH:
            if not self.db.health():
                return _plain_answer(start_response, "503 Service Unavailable", {"status": "database unavailable"})
            if self.clock is not None and self.clock.stalled():
                return _plain_answer(start_response, "503 Service Unavailable", {"status": "reminder clock stalled"})
            return _plain_answer(start_response, "200 OK", {"status": "ok"})
        if environ.get("REQUEST_METHOD") == "POST":
            try:
                length = int(environ.get("CONTENT_LENGTH") or 0)
            except ValueError:
                length = -1
            if length < 0 or length > MAX_BODY_BYTES:
                return _plain_answer(start_response, "413 Request Entity Too Large", {"error": "body too large"})
            body = environ["wsgi.input"].read(length)
            try:
                text = body.decode("utf-8")
            except UnicodeDecodeError:
                return _plain_answer(start_response, "400 Bad Request", {"error": "body is not UTF-8"})
            if not _readable_payload(environ.get("CONTENT_TYPE") or "", text):
                return _plain_answer(start_response, "400 Bad Request", {"error": "malformed payload"})
            environ["wsgi.input"] = io.BytesIO(body)
        try:
            return self.slack(environ, start_response)
        except Exception as error:  # noqa: BLE001 - logged with its traceback, not its message (it may quote a client)
            logger.error("request to %s failed: %s\n%s", environ.get("PATH_INFO"), type(error).__name__,
                         "".join(traceback.format_tb(error.__traceback__)).rstrip())
            return _plain_answer(start_response, "500 Internal Server Error", {"error": "internal error"})


class ClockWatch:
    """What a web worker knows of its instance's reminder clock: stalled when no tick has completed (nor a reminder
    gone out) for `stall_seconds`, counted from the worker's start while there has been none."""

    def __init__(self, heartbeat: Heartbeat, stall_after: float) -> None:
        self.heartbeat = heartbeat
        self.stall_after = stall_after
        self.since = time.time()

    def stalled(self) -> bool:
        """True when the clock has made no progress for too long."""
        return self.heartbeat.seconds_since(self.since) > self.stall_after


# Held while the clock process is being spawned, and taken by every `os.fork()` in this process (gunicorn forking a
# web worker): a worker forked while `subprocess.Popen` runs inherits Popen's exec-status pipe, and Popen then waits
# on that pipe for as long as the worker lives. `subprocess` itself does not run these fork hooks, so no deadlock.
_spawning = threading.Lock()
os.register_at_fork(before=_spawning.acquire, after_in_parent=_spawning.release, after_in_child=_spawning.release)


class ClockSupervisor:
    """Runs the reminder clock process and starts it again whenever it exits before `stop()`, after a wait that
    doubles with each quick failure (1 s up to 60 s) and goes back to 1 s once a clock has run for a minute."""

    def __init__(self, command: list[str]) -> None:
        self.command = command
        self.process: subprocess.Popen | None = None
        self.restarts = 0
        self._stopping = threading.Event()
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._supervise, name="clock-supervisor", daemon=True)

    def start(self) -> None:
        """Start the clock and watch over it."""
        self._thread.start()

    def _supervise(self) -> None:
        wait = CLOCK_RESTART_FIRST_SECONDS
        while True:
            with self._lock, _spawning:
                if self._stopping.is_set():
                    return
                self.process = subprocess.Popen(self.command)
                process = self.process
            began = time.monotonic()
            code = self._exit_code(process)
            if code is None:
                return
            if time.monotonic() - began >= CLOCK_STEADY_SECONDS:
                wait = CLOCK_RESTART_FIRST_SECONDS
            logger.error("reminder clock exited with %s; starting it again in %.0fs", code, wait)
            if self._stopping.wait(wait):
                return
            self.restarts += 1
            wait = min(wait * 2, CLOCK_RESTART_MAX_SECONDS)

    def _exit_code(self, process: subprocess.Popen) -> int | None:
        """Wait for the clock to exit by polling, and return its exit code, or None once `stop()` was called.

        Not `process.wait()`: gunicorn's arbiter reaps every child of the master with `waitpid(-1)`, and a thread
        blocked in `waitpid(pid)` on the same child can sleep through that exit for good (seen under load). A poll
        after someone else reaped the child reports it as exited (code 0)."""
        while not self._stopping.wait(CLOCK_POLL_SECONDS):
            code = process.poll()
            if code is not None:
                return code
        return None

    def stop(self) -> None:
        """Stop the clock (SIGTERM, then SIGKILL after `CLOCK_STOP_SECONDS`) and stop restarting it."""
        with self._lock:
            self._stopping.set()
            process = self.process
        if process is not None and process.poll() is None:
            process.terminate()
            try:
                process.wait(CLOCK_STOP_SECONDS)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _readable_payload(content_type: str, text: str) -> bool:
    """Whether an interactive request's `payload` field, when it has one, is a JSON object with what Bolt itself
    reads before any listener or middleware could refuse it (a view's `type`), as every payload from Slack is."""
    if not content_type.startswith("application/x-www-form-urlencoded") or "payload=" not in text:
        return True
    payloads = parse_qs(text, keep_blank_values=True).get("payload")
    if not payloads:
        return True
    try:
        payload = json.loads(payloads[0])
    except ValueError:
        return False
    if not isinstance(payload, dict):
        return False
    view = payload.get("view", {})
    return isinstance(view, dict) and ("view" not in payload or isinstance(view.get("type"), str))


def build_wsgi(settings: Settings) -> PushbackWsgi:
    """The whole HTTP app for one worker process."""
    db = database_for(settings)
    clock = (ClockWatch(Heartbeat.of_instance(settings.data_dir, os.getppid()), stall_seconds(settings.tick_seconds))
             if settings.scheduler_enabled else None)
    wsgi = PushbackWsgi(create_app(settings, db), db, clock)
    settle_heap()
    return wsgi


def settle_heap() -> None:
    """Load the triage's knowledge and model, then move everything loaded so far (libraries, the app, its
    listeners, the knowledge) out of the cyclic garbage collector's sight. Without this, each full collection
    walked some 90,000 start-up objects and stopped every thread of the worker, acks included, for 80-400 ms under
    load; they live as long as the process anyway."""
    check_knowledge()
    gc.freeze()


def _end_at_once_until_booted() -> None:
    """In a new worker, straight after the fork: a SIGTERM ends it at once until it boots (gunicorn's worker
    installs its graceful handler itself then). The worker inherits the master's handler, which would only note the
    signal in the worker's copy of the master's state, so the stop was lost and the master waited its whole graceful
    timeout. A SIGTERM sent while the fork was under way was held (`_hold_sigterm_over_forks`) and arrives now."""
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM})


def _hold_sigterm() -> None:
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTERM})


def _release_sigterm() -> None:
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM})


@functools.cache
def _hold_sigterm_over_forks() -> None:
    """In gunicorn's master, before it forks any worker: a SIGTERM is held while a worker is forked, and the new
    worker takes it with the default action (`_end_at_once_until_booted`), so no stop is lost in the instants
    between the fork and the worker's own handlers, however slow the machine. Registered once per process."""
    os.register_at_fork(before=_hold_sigterm, after_in_parent=_release_sigterm,
                        after_in_child=_end_at_once_until_booted)


def _stop_taking_work(_server, _worker) -> None:
    """gunicorn's `worker_exit` hook, in a worker that has stopped serving: before the process ends it drains the
    work after its acks, so what has not started yet only tells its user to send it again (see
    `handlers.services.stopping`)."""
    stop_taking_work()


class PushbackServer(BaseApplication):
    """gunicorn, embedded: threads in a few worker processes, graceful stop on SIGTERM."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.clock: ClockSupervisor | None = None
        self.heartbeat = Heartbeat.of_instance(settings.data_dir, os.getpid())
        super().__init__()

    def load_config(self) -> None:
        _hold_sigterm_over_forks()
        options = {
            "bind": f"0.0.0.0:{self.settings.port}",
            "workers": self.settings.web_workers,
            "worker_class": "gthread",
            "threads": self.settings.web_threads,
            "timeout": 30,
            "graceful_timeout": 20,
            "keepalive": 5,
            "loglevel": self.settings.log_level.lower(),
            "accesslog": None,
            "proc_name": "pushback",
            "control_socket_disable": True,
            "when_ready": self.start_clock,
            "worker_exit": _stop_taking_work,
            "on_exit": self.stop_clock,
        }
        for key, value in options.items():
            if key in self.cfg.settings:
                self.cfg.set(key, value)

    def load(self):
        return build_wsgi(self.settings)

    def start_clock(self, _arbiter) -> None:
        """Reminders tick in one clock process per instance, not once per worker, and not in the forking master;
        the master supervises it (`ClockSupervisor`) and the workers' `/healthz` reads its heartbeat."""
        if not self.settings.scheduler_enabled:
            logger.info(NO_CLOCK_HERE)
        else:
            self.clock = ClockSupervisor([sys.executable, "-m", "bot.cli", "clock",
                                          "--heartbeat", str(self.heartbeat.path)])
            self.clock.start()

    def stop_clock(self, _arbiter) -> None:
        """Stop the clock process and drop its heartbeat when gunicorn exits."""
        if self.clock is not None:
            self.clock.stop()
            self.heartbeat.remove()


def serve_http(settings: Settings) -> None:
    """Serve Slack's endpoint and `/healthz` on `settings.port` until SIGTERM or SIGINT."""
    logger.info("serving HTTP on port %s", settings.port)
    PushbackServer(settings).run()


def serve_socket_mode(settings: Settings) -> None:
    """Hold a Socket Mode connection until SIGTERM or SIGINT."""
    db = database_for(settings)
    app = create_app(settings, db)
    handler = SocketModeHandler(app, settings.slack_app_token)
    settle_heap()
    scheduler = start_reminder_scheduler(settings, db) if settings.scheduler_enabled else None
    if scheduler is None:
        logger.info(NO_CLOCK_HERE)

    def stop(signum, _frame):
        logger.info("signal %s: closing the Socket Mode connection", signum)
        stop_taking_work()
        if scheduler is not None:
            scheduler.shutdown(wait=False)
        handler.close()
        db.dispose()
        sys.exit(0)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    logger.info("connecting over Socket Mode")
    handler.start()
