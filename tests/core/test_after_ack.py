"""Work after an ack runs on a pool, so Slack is answered the moment a listener acks: a failure there is logged
or reported to the user, a backed-up pool hands the work back to the caller's thread, `acked_promptly` returns
to Bolt as soon as the listener has acked, and `run_after_ack` lets a listener on Bolt's thread hand work on."""

import logging
import threading
import time

import pytest
from slack_bolt.util.utils import get_arg_names_of_callable

from handlers import after_ack
from handlers.after_ack import WorkPool, acked_promptly, run_after_ack
from tests.support.driver import eventually


def test_work_after_the_ack_runs_on_the_pool_and_a_failure_is_logged_not_raised(caplog):
    done = threading.Event()
    threads = []

    def work(fail):
        threads.append(threading.current_thread().name)
        done.set()
        if fail:
            raise RuntimeError("boom")

    pool = WorkPool("after-ack", threads=2, backlog=8)
    pool.submit(work, True)

    assert done.wait(5)
    pool._executor().shutdown(wait=True)
    assert threads[0].startswith("after-ack")
    assert "work after ack failed" in caplog.text


def test_when_the_pool_is_backed_up_the_work_runs_in_the_callers_thread():
    release = threading.Event()
    ran_in = []
    pool = WorkPool("after-ack", threads=1, backlog=1)

    pool.submit(release.wait, 5)
    pool.submit(lambda: ran_in.append(threading.current_thread()))

    assert ran_in == [threading.current_thread()]
    release.set()
    pool._executor().shutdown(wait=True)


class Ack:
    """Bolt's `ack`, as far as a listener sees it: what it was called with."""

    def __init__(self):
        self.calls = []

    def __call__(self, **kwargs):
        self.calls.append(kwargs)


class Respond:
    def __init__(self):
        self.said = []

    def __call__(self, **kwargs):
        self.said.append(kwargs)


def _arguments(**overrides):
    arguments = dict(ack=Ack(), action=None, body={"user": {"id": "U1"}, "response_url": "https://example.invalid/r"},
                     client=None, command=None, context={"team_id": "T1", "request_id": "r1"}, event=None,
                     logger=logging.getLogger("test"), respond=Respond(), shortcut=None, view=None)
    arguments.update(overrides)
    return arguments


def test_bolt_gets_its_answer_as_soon_as_the_listener_acks_while_the_rest_goes_on():
    release, finished = threading.Event(), threading.Event()

    def slow_listener(ack, body):
        ack()
        release.wait(5)
        finished.set()

    arguments = _arguments()
    started = time.monotonic()
    acked_promptly(slow_listener)(**arguments)

    assert time.monotonic() - started < 1
    assert arguments["ack"].calls == [{}] and not finished.is_set()
    release.set()
    assert finished.wait(5)


def test_what_the_listener_acks_with_reaches_bolt():
    def refusing_listener(ack, view):
        ack(response_action="errors", errors={"block": "Please write something."})

    arguments = _arguments(view={"id": "V1"})
    acked_promptly(refusing_listener)(**arguments)

    assert arguments["ack"].calls == [{"response_action": "errors", "errors": {"block": "Please write something."}}]


def test_a_failure_before_the_ack_is_raised_for_bolt_to_answer_and_report():
    def broken_listener(ack, body):
        raise LookupError("no such triage")

    with pytest.raises(LookupError):
        acked_promptly(broken_listener)(**_arguments())


def test_a_failure_after_the_ack_still_reaches_the_user_privately():
    def failing_late(ack, body, respond):
        ack()
        time.sleep(0.05)
        raise RuntimeError("Slack refused the update")

    arguments = _arguments()
    acked_promptly(failing_late)(**arguments)

    told = eventually(lambda: arguments["respond"].said, timeout=5)
    assert told and told[0]["response_type"] == "ephemeral"
    assert "went wrong" in told[0]["text"].lower()


def test_an_event_listener_is_not_waited_for():
    release, finished = threading.Event(), threading.Event()

    def home_opened(event, client):
        release.wait(5)
        finished.set()

    started = time.monotonic()
    acked_promptly(home_opened)(**_arguments(event={"type": "app_home_opened"}))

    assert time.monotonic() - started < 1 and not finished.is_set()
    release.set()
    assert finished.wait(5)


def test_a_listener_asking_for_an_argument_it_would_not_get_is_refused_when_registered():
    def wants_say(ack, say):
        ack()

    with pytest.raises(TypeError, match="say"):
        acked_promptly(wants_say)


def test_bolt_hands_the_wrapper_every_argument_a_listener_may_ask_for():
    def listener(ack, body):
        ack()

    wrapped = acked_promptly(listener)

    assert wrapped.__name__ == "listener"
    assert set(get_arg_names_of_callable(wrapped)) == set(after_ack.LISTENER_ARGUMENTS)


def test_work_handed_on_after_the_ack_runs_elsewhere_and_a_failure_reaches_the_user_privately():
    release = threading.Event()
    ran_in = []

    def listing(fail):
        ran_in.append(threading.current_thread())
        release.wait(5)
        if fail:
            raise RuntimeError("the store is down")

    arguments = _arguments()
    run_after_ack(listing, True, body=arguments["body"], context=arguments["context"],
                  respond=arguments["respond"], logger=arguments["logger"])

    assert not arguments["respond"].said
    release.set()
    told = eventually(lambda: arguments["respond"].said, timeout=5)
    assert ran_in and ran_in[0] is not threading.current_thread()
    assert told and told[0]["response_type"] == "ephemeral" and "went wrong" in told[0]["text"].lower()
