"""The Web API client retries what Slack asks it to: 429 after Retry-After, 5xx, dropped connections; passes
errors on; keeps its connections open between calls; and never logs what it sends."""

import logging
import socket
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from email.message import Message
from urllib.error import URLError

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry import RetryHandler
from slack_sdk.http_retry.builtin_interval_calculators import FixedValueRetryIntervalCalculator

from bot.settings import configure_logging, settings_from_mapping
from bot.slack_api import KeepAliveWebClient, _content_type, keeping_connections, make_web_client


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


def test_calls_from_one_thread_share_one_open_connection(client, standin):
    for _ in range(5):
        client.chat_postMessage(channel="C0INTERNAL", text="hi")

    assert len(standin.calls_to("chat.postMessage")) == 5
    assert standin.connections == 1


def test_a_connection_the_server_closed_is_replaced_without_losing_or_repeating_a_call(client, standin):
    client.chat_postMessage(channel="C0INTERNAL", text="first")
    standin.drop_connections()

    assert client.chat_postMessage(channel="C0INTERNAL", text="second")["ok"]
    assert [call.args["text"] for call in standin.calls_to("chat.postMessage")] == ["first", "second"]
    assert standin.connections == 2


def test_threads_calling_at_once_each_get_an_answer(client, standin):
    def post(index: int) -> str:
        return client.chat_postMessage(channel="C0INTERNAL", text=f"message {index}")["message"]["text"]

    with ThreadPoolExecutor(4) as pool:
        answered = list(pool.map(post, range(20)))

    assert answered == [f"message {index}" for index in range(20)]
    assert standin.connections <= 4


def test_bolt_listeners_get_a_client_that_keeps_connections(client):
    plain = WebClient(token="xoxb-2", base_url=client.base_url, team_id="T0002")

    kept = keeping_connections(plain)

    assert isinstance(kept, KeepAliveWebClient)
    assert (kept.token, kept.base_url, kept.default_params) == ("xoxb-2", client.base_url, {"team_id": "T0002"})


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
    client = KeepAliveWebClient(token="xoxb-1", base_url=f"http://127.0.0.1:{listener.getsockname()[1]}/api/",
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


@pytest.mark.parametrize("header", [
    "application/json; charset=utf-8", "application/json;charset=UTF-8", "application/json",
    "text/plain; charset=\"latin-1\"", "Application/GZIP", "application/json; boundary=x; charset=iso-8859-1", "",
])
def test_content_type_is_read_as_the_email_parser_reads_it(header):
    parsed = Message()
    parsed["Content-Type"] = header

    expected = (parsed.get_content_type() if header else "", parsed.get_content_charset() or "utf-8")
    assert _content_type(header) == expected
