"""Pushback's Bolt app in the test's own process, played as Slack plays it: signed requests handed to
`app.dispatch(BoltRequest(...))`, as bolt-python's scenario tests do, against the Slack stand-in. No process to start;
the WSGI front, gunicorn and signals are left to the end-to-end tests."""

from __future__ import annotations

import io
import logging
import time
from concurrent.futures import ThreadPoolExecutor

from slack_bolt import BoltRequest

from bot.db import Database
from bot.settings import settings_from_mapping
from bot.slack.authorization import BotIdentity
from bot.slack.client import make_web_client
from handlers.app import create_app
from tests.support.driver import Reply, SlackDriver
from tests.support.slack_standin import SlackStandIn

LOG_FORMAT = "%(levelname)s %(name)s %(message)s"


class InProcessApp:
    """The app `pushback run` serves, built from `env` in this process; `driver` plays Slack to it, `log()` is
    everything it logged. `close()` waits for the work after the acks before the store goes."""

    def __init__(self, env: dict[str, str], standin: SlackStandIn, signing_secret: str) -> None:
        self.env = env
        self.settings = settings_from_mapping(env)
        self.db = Database(env["DATABASE_URL"])
        self.db.upgrade()
        self.executor = ThreadPoolExecutor(max_workers=4, thread_name_prefix="after-ack-test")
        self.identity = BotIdentity(make_web_client(self.settings))
        self.app = create_app(self.settings, self.db, listener_executor=self.executor, identity=self.identity)
        self.driver = SlackDriver("in-process", signing_secret, standin, send=self.dispatch)
        self._log = io.StringIO()
        self._handler = logging.StreamHandler(self._log)
        self._handler.setFormatter(logging.Formatter(LOG_FORMAT))
        root = logging.getLogger()
        self._root_level = root.level
        root.addHandler(self._handler)
        root.setLevel(logging.INFO)

    def dispatch(self, raw: bytes, headers: dict[str, str]) -> Reply:
        """Hand one signed request to Bolt, as the HTTP adapter would, and return its answer."""
        started = time.perf_counter()
        response = self.app.dispatch(BoltRequest(body=raw.decode("utf-8", "surrogatepass"),
                                                 headers={name.lower(): [value] for name, value in headers.items()}))
        return Reply(response.status, response.body, time.perf_counter() - started)

    def log(self) -> str:
        """Everything logged while the app was up."""
        return self._log.getvalue()

    def close(self) -> None:
        """Let the work after the acks finish, then release the store and the log."""
        self.executor.shutdown(wait=True)
        root = logging.getLogger()
        root.removeHandler(self._handler)
        root.setLevel(self._root_level)
        self.db.dispose()
