"""A signed request replayed within Slack's 5-minute window is processed once, whichever instance gets the replay:
two apps on one store, each with its own engine, as two instances would be."""

from __future__ import annotations

import threading
import time
from urllib.parse import urlencode

import pytest
from slack_bolt import BoltRequest

from bot.db import Database
from bot.settings import settings_from_mapping
from bot.replays import CheckThreads, ReplayGuard
from handlers.app import create_app
from tests.conftest import BOT_TOKEN, SIGNING_SECRET
from tests.support.driver import eventually, sign


def _instance(database_url, standin):
    settings = settings_from_mapping({"SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_SIGNING_SECRET": SIGNING_SECRET,
                                      "SLACK_API_URL": standin.api_url, "DATABASE_URL": database_url})
    store = Database(database_url)
    return create_app(settings, store), store


@pytest.fixture
def two_instances(db, database_url, standin):
    first, first_store = _instance(database_url, standin)
    second, second_store = _instance(database_url, standin)
    yield first, second
    first_store.dispose()
    second_store.dispose()


def _signed(body: str, timestamp: int | None = None) -> dict:
    return {"content-type": ["application/x-www-form-urlencoded"],
            **{key.lower(): [value] for key, value in sign(SIGNING_SECRET, body, timestamp).items()}}


def _help_command(trigger: str) -> str:
    return urlencode({"command": "/pushback", "text": "help", "team_id": "T0001", "user_id": "U0ALICE",
                      "channel_id": "D0ALICE", "response_url": "http://127.0.0.1:9/x", "trigger_id": trigger})


def test_a_request_replayed_within_the_window_is_not_processed_again_by_any_instance(two_instances, fault_figures):
    first, second = two_instances
    body, stamp = _help_command("trigger-1"), int(time.time()) - 60
    headers = _signed(body, stamp)

    original = first.dispatch(BoltRequest(body=body, headers=headers))
    on_another_instance = second.dispatch(BoltRequest(body=body, headers=headers))
    on_the_same_instance = first.dispatch(BoltRequest(body=body, headers=headers))

    processed = [reply.body for reply in (original, on_another_instance, on_the_same_instance)
                 if "pushback" in reply.body.lower()]
    fault_figures(replays_sent=2, replays_processed=len(processed) - 1)
    assert original.status == 200 and "pushback" in original.body.lower()
    assert (on_another_instance.status, on_another_instance.body) == (200, "")
    assert (on_the_same_instance.status, on_the_same_instance.body) == (200, "")


def test_a_new_request_with_its_own_trigger_is_processed(two_instances):
    first, second = two_instances
    for trigger, app in (("trigger-1", first), ("trigger-2", second), ("trigger-3", first)):
        body = _help_command(trigger)
        reply = app.dispatch(BoltRequest(body=body, headers=_signed(body)))
        assert reply.status == 200 and "pushback" in reply.body.lower()


def test_requests_checked_one_after_another_share_one_check_thread(db):
    guard = ReplayGuard(db)
    checked_on: list[threading.Thread] = []
    check = guard.first_sighting

    def noting_the_thread(raw_body):
        checked_on.append(threading.current_thread())
        return check(raw_body)

    guard.first_sighting = noting_the_thread  # type: ignore[method-assign]
    answers = [guard.first_sighting_promptly(f"body {index}") for index in range(20)]
    replayed = guard.first_sighting_promptly("body 3")

    assert answers == [True] * 20 and replayed is False
    assert len({id(thread) for thread in checked_on}) == 1


def test_a_check_stuck_on_the_database_does_not_hold_the_next_one():
    threads = CheckThreads()
    release, second_ran = threading.Event(), threading.Event()
    threads.run(lambda: release.wait(10))
    try:
        threads.run(second_ran.set)
        assert second_ran.wait(5)
    finally:
        release.set()


def test_idle_check_threads_end_and_a_later_check_still_runs():
    threads = CheckThreads(name="replay-check-idle-test", idle_seconds=0.05)
    first, later = threading.Event(), threading.Event()
    threads.run(first.set)
    assert first.wait(5)

    assert eventually(lambda: not any(thread.name == "replay-check-idle-test" for thread in threading.enumerate()))
    threads.run(later.set)
    assert later.wait(5)
