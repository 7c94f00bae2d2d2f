"""The same handlers answer through Bolt's Socket Mode request path: commands, and Events API events (App Home,
uninstall), whose first delivery carries `retry_attempt: 0`."""

import pytest
from slack_bolt.adapter.socket_mode import SocketModeHandler
from slack_sdk.oauth.installation_store import Installation

from bot.settings import settings_from_mapping
from bot.slack.workspaces import installation_store
from handlers.app import create_app
from tests.support.driver import eventually, socket_mode_request


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


def _event(event: dict, team_id: str = "T0001") -> dict:
    return {"token": "legacy", "team_id": team_id, "api_app_id": "A0PUSHBACK", "type": "event_callback",
            "event_id": "Ev" + event["type"], "event_time": 1_800_000_000, "event": event}


def test_app_home_is_published_over_socket_mode_on_the_first_delivery(socket_app, standin):
    """Slack's first delivery of an event over Socket Mode says `retry_attempt: 0`: it is not a retry."""
    envelope = _event({"type": "app_home_opened", "user": "U0ALICE", "tab": "home"})

    acks = socket_mode_request(socket_app, "events_api", envelope, retry_attempt=0, retry_reason="")

    assert len(acks) == 1
    assert standin.wait_for("views.publish")[0].args["user_id"] == "U0ALICE"


def test_a_real_retry_over_socket_mode_is_acked_and_not_handled_again(socket_app, standin):
    envelope = _event({"type": "app_home_opened", "user": "U0ALICE", "tab": "home"})

    acks = socket_mode_request(socket_app, "events_api", envelope, retry_attempt=1, retry_reason="timeout")

    assert len(acks) == 1
    assert standin.calls_to("views.publish") == []


@pytest.fixture
def socket_oauth_app(standin, db):
    settings = settings_from_mapping({"SLACK_CLIENT_ID": "111.222", "SLACK_CLIENT_SECRET": "oauth-secret",
                                      "SLACK_APP_TOKEN": "xapp-1", "SLACK_API_URL": standin.api_url,
                                      "DATABASE_URL": db.url})
    return SocketModeHandler(create_app(settings, db), settings.slack_app_token), settings


def test_app_uninstalled_over_socket_mode_deletes_the_workspaces_tokens(socket_oauth_app, db):
    handler, settings = socket_oauth_app
    store = installation_store(settings, db)
    store.save(Installation(app_id="A0PUSHBACK", team_id="T0002", user_id="U0ADMIN", bot_token="xoxb-t0002",
                            bot_id="B0BOT", bot_user_id="U0BOT", bot_scopes=["chat:write"]))
    assert store.find_bot(enterprise_id=None, team_id="T0002") is not None

    acks = socket_mode_request(handler, "events_api", _event({"type": "app_uninstalled"}, team_id="T0002"),
                               retry_attempt=0, retry_reason="")

    assert len(acks) == 1
    assert eventually(lambda: store.find_bot(enterprise_id=None, team_id="T0002") is None)
