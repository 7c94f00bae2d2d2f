"""The Web API client retries what Slack asks it to: 429 after Retry-After, 5xx; passes errors on; and keeps
its connections open between calls."""

import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.settings import settings_from_mapping
from bot.slack_api import KeepAliveWebClient, keeping_connections, make_web_client


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
