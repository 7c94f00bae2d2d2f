"""The Web API client retries what Slack asks it to: 429 after Retry-After, 5xx, dropped connections; passes
errors on; is slack_sdk's stock client; and never logs what it sends."""

import logging
import socket
import threading
import time
from urllib.error import URLError

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry import RetryHandler
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)
from slack_sdk.http_retry.builtin_interval_calculators import FixedValueRetryIntervalCalculator

from bot.settings import configure_logging, settings_from_mapping
from bot.slack.client import make_web_client


@pytest.fixture
def client(standin):
    return make_web_client(settings_from_mapping({"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_API_URL": standin.api_url}))


def test_rate_limit_is_retried_after_retry_after(client, standin):
    standin.rate_limit("chat.postMessage", retry_after=1)

    started = time.monotonic()
    response = client.chat_postMessage(channel="C0INTERNAL", text="hi")

    assert response["ok"]
    assert time.monotonic() - started >= 1.0
    assert len(standin.calls_to("chat.postMessage")) == 2


def test_server_errors_are_retried(client, standin):
    standin.server_error("chat.postMessage", times=2)

    assert client.chat_postMessage(channel="C0INTERNAL", text="hi")["ok"]
    assert len(standin.calls_to("chat.postMessage")) == 3


def test_slack_errors_reach_the_caller(client, standin):
    standin.add_channel("C0NOTIN", is_member=False)

    with pytest.raises(SlackApiError) as raised:
        client.chat_postMessage(channel="C0NOTIN", text="hi")

    assert raised.value.response["error"] == "not_in_channel"


def test_the_token_is_sent_as_a_bearer_header(client, standin):
    client.auth_test()

    assert standin.calls_to("auth.test")[0].token == "xoxb-1"


def test_a_connection_dropped_before_the_answer_is_tried_again_and_the_call_answered(standin):
    proxy = HangUpFirst(standin, times=1)
    client = make_web_client(settings_from_mapping({"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_API_URL": proxy.api_url}))
    for handler in client.retry_handlers:
        handler.interval_calculator = FixedValueRetryIntervalCalculator(0)
    try:
        assert client.chat_postMessage(channel="C0INTERNAL", text="hi")["ok"]
    finally:
        proxy.close()

    assert proxy.accepted == 2
    assert len(standin.calls_to("chat.postMessage")) == 1


def test_the_client_is_slack_sdks_own_with_its_public_retry_handlers(client):
    assert type(client) is WebClient
    assert [type(handler) for handler in client.retry_handlers] == [
        RateLimitErrorRetryHandler, ConnectionErrorRetryHandler, ServerErrorRetryHandler]


def test_a_rate_limit_the_caller_handles_itself_reaches_it_with_retry_after(standin):
    client = make_web_client(settings_from_mapping({"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_API_URL": standin.api_url}),
                             wait_out_rate_limits=False)
    standin.rate_limit("chat.postMessage", retry_after=7)

    with pytest.raises(SlackApiError) as raised:
        client.chat_postMessage(channel="C0INTERNAL", text="hi")

    assert raised.value.response.status_code == 429
    assert raised.value.response.headers["Retry-After"] == "7"
    assert len(standin.calls_to("chat.postMessage")) == 1


def test_a_server_that_hangs_up_without_answering_is_tried_three_times_then_reported():
    listener = socket.create_server(("127.0.0.1", 0))
    accepted = []

    def hang_up_on_each():
        while True:
            try:
                connection, _ = listener.accept()
            except OSError:
                return
            accepted.append(connection)
            connection.close()

    threading.Thread(target=hang_up_on_each, daemon=True).start()
    handlers = make_web_client(settings_from_mapping({"SLACK_BOT_TOKEN": "xoxb-1"})).retry_handlers
    for handler in handlers:
        handler.interval_calculator = FixedValueRetryIntervalCalculator(0)
    client = WebClient(token="xoxb-1", base_url=f"http://127.0.0.1:{listener.getsockname()[1]}/api/",
                       retry_handlers=handlers)
    try:
        with pytest.raises((URLError, ConnectionError)):
            client.chat_postMessage(channel="C0INTERNAL", text="hi")
    finally:
        listener.close()

    assert len(accepted) == 3


def test_a_handler_of_our_own_is_still_asked_about_answers_that_succeeded(client, standin):
    class RetryOnceOnFatalError(RetryHandler):
        def _can_retry(self, *, state, request, response=None, error=None):
            return response is not None and (response.body or {}).get("error") == "fatal_error"

    client.retry_handlers.append(RetryOnceOnFatalError(interval_calculator=FixedValueRetryIntervalCalculator(0)))
    standin.fail("chat.postMessage", "fatal_error")

    assert client.chat_postMessage(channel="C0INTERNAL", text="hi")["ok"]
    assert len(standin.calls_to("chat.postMessage")) == 2


@pytest.fixture
def restored_logging():
    root = logging.getLogger()
    level, handlers = root.level, root.handlers[:]
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


def test_what_is_sent_to_slack_never_reaches_the_log_even_at_debug(client, standin, caplog, restored_logging):
    configure_logging(settings_from_mapping({"SLACK_BOT_TOKEN": "xoxb-1", "LOG_LEVEL": "DEBUG"}))
    logging.getLogger().addHandler(caplog.handler)  # configure_logging replaced the root's handlers

    client.chat_postMessage(channel="C0INTERNAL", text="the client's own words")
    logging.getLogger("bot").debug("debug records are kept")

    assert standin.calls_to("chat.postMessage")
    assert "debug records are kept" in caplog.text
    assert "the client's own words" not in caplog.text


class HangUpFirst:
    """A loopback port that hangs up on its first `times` connections without answering, as a server dropping
    a connection does, and forwards the later ones to the stand-in."""

    def __init__(self, standin, times: int) -> None:
        host, port = standin.url.removeprefix("http://").split(":")
        self.target = (host, int(port))
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.api_url = f"http://127.0.0.1:{self.listener.getsockname()[1]}/api/"
        self.accepted = 0
        self.times = times
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                connection, _ = self.listener.accept()
            except OSError:
                return
            self.accepted += 1
            if self.accepted <= self.times:
                connection.recv(65536)
                connection.close()
                continue
            upstream = socket.create_connection(self.target)
            for source, sink in ((connection, upstream), (upstream, connection)):
                threading.Thread(target=_pipe, args=(source, sink), daemon=True).start()

    def close(self) -> None:
        """Stop listening."""
        self.listener.close()


def _pipe(source: socket.socket, sink: socket.socket) -> None:
    try:
        while data := source.recv(65536):
            sink.sendall(data)
    except OSError:
        pass
    finally:
        for end in (source, sink):
            end.close()
