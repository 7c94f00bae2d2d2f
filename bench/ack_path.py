"""The ack path alone: how long Bolt takes to answer a signed `/pushback <request>` and a message shortcut, in this
process, with the work after the ack left out (its executor drops it), on SQLite and PostgreSQL.

Run from a checkout: `python -m bench.ack_path [--requests N] [--postgres URL]`. Run against another checkout's
code with `PYTHONPATH=that/checkout` to compare two versions on the same machine in the same minutes.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from concurrent.futures import Executor, Future
from pathlib import Path

from slack_bolt import BoltRequest

from bench.stores import fresh_postgres_schema
from bot.db import Database
from bot.settings import settings_from_mapping
from bot.slack.authorization import BotIdentity
from bot.slack.client import make_web_client
from handlers.app import create_app
from tests.support.driver import Reply, SlackDriver
from tests.support.slack_standin import SlackStandIn

SECRET = "bench-signing-secret"
REQUEST = ("Hi Sam, thanks for the draft. Could you add a French version of the site by Friday at no extra cost? "
           "The board meets Monday. Thanks, Jordan")


class DropWork(Executor):
    """An executor that never runs what it is given: the work after the ack is not what is measured."""

    def submit(self, fn, /, *args, **kwargs) -> Future:
        future: Future = Future()
        future.set_result(None)
        return future


def _percentiles(samples: list[float]) -> str:
    ordered = sorted(samples)
    pick = lambda share: ordered[min(len(ordered) - 1, int(share * len(ordered)))] * 1000  # noqa: E731
    return (f"p50 {statistics.median(ordered) * 1000:.2f} ms, p95 {pick(0.95):.2f} ms, p99 {pick(0.99):.2f} ms, "
            f"mean {statistics.fmean(ordered) * 1000:.2f} ms")


def measure(database_url: str, requests: int, folder: Path) -> dict[str, str]:
    """Ack times of `requests` commands and as many shortcuts (after 50 of each to warm up)."""
    standin = SlackStandIn().start()
    env = {"SLACK_BOT_TOKEN": "xoxb-bench", "SLACK_SIGNING_SECRET": SECRET, "SLACK_API_URL": standin.api_url,
           "DATABASE_URL": database_url, "PUSHBACK_DATA_DIR": str(folder)}
    settings = settings_from_mapping(env)
    db = Database(database_url)
    db.upgrade()
    app = create_app(settings, db, listener_executor=DropWork(), identity=BotIdentity(make_web_client(settings)))

    def dispatch(raw: bytes, headers: dict[str, str]) -> Reply:
        started = time.perf_counter()
        response = app.dispatch(BoltRequest(body=raw.decode("utf-8"),
                                            headers={name.lower(): [value] for name, value in headers.items()}))
        return Reply(response.status, response.body, time.perf_counter() - started)

    driver = SlackDriver("in-process", SECRET, standin, send=dispatch)
    figures = {}
    try:
        time.sleep(0.5)  # the bot identity is learned in the background
        for name, send in (("command", lambda n: driver.slash_command(f"{REQUEST} ({n})", channel_id="C0INTERNAL")),
                           ("shortcut", lambda n: driver.message_shortcut(
                               {"type": "message", "user": "U0CLIENT", "ts": f"1700000000.{n:06d}",
                                "text": f"{REQUEST} ({n})"}))):
            for number in range(50):
                send(number)
            samples = []
            for number in range(requests):
                reply = send(1000 + number)
                assert reply.status == 200, reply
                samples.append(reply.seconds)
            figures[name] = _percentiles(samples)
    finally:
        db.dispose()
        standin.stop()
    return figures


def main() -> None:
    """Print the ack path's times on SQLite, and on PostgreSQL when a URL is given."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=500)
    parser.add_argument("--postgres", default="")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        for name, figures in measure(f"sqlite:///{folder}/bench.sqlite3", args.requests, Path(folder)).items():
            print(f"SQLite {name}: {figures}")
        if args.postgres:
            url, drop = fresh_postgres_schema(args.postgres)
            try:
                for name, figures in measure(url, args.requests, Path(folder)).items():
                    print(f"PostgreSQL {name}: {figures}")
            finally:
                drop()


if __name__ == "__main__":
    main()
