"""The same handlers answer through Bolt's Socket Mode request path."""

import pytest
from slack_bolt.adapter.socket_mode import SocketModeHandler

from bot.settings import settings_from_mapping
from handlers.app import create_app
from tests.support.driver import socket_mode_request


@pytest.fixture
def socket_app(standin, db):
    settings = settings_from_mapping({"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_APP_TOKEN": "xapp-1",
                                      "SLACK_API_URL": standin.api_url, "DATABASE_URL": db.url})
    app = create_app(settings, db)
    return SocketModeHandler(app, settings.slack_app_token)


def test_slash_command_over_socket_mode_is_acked_and_answered(socket_app, standin):
    payload = {"command": "/pushback", "text": "hello", "team_id": "T0001", "user_id": "U0ALICE",
               "channel_id": "C0INTERNAL", "response_url": standin.response_url("socket"),
               "trigger_id": "trigger-socket"}

    acks = socket_mode_request(socket_app, "slash_commands", payload)

    assert len(acks) == 1
    standin.wait_for("response")
