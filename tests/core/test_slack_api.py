"""The Web API client retries what Slack asks it to: 429 after Retry-After, 5xx; and passes errors on."""

import time

import pytest
from slack_sdk.errors import SlackApiError

from bot.settings import settings_from_mapping
from bot.slack_api import make_web_client


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
