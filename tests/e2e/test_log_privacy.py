"""Privacy at LOG_LEVEL=DEBUG: the Slack libraries' own request, answer and Socket Mode message dumps never put
a client's words or a secret into the log, in HTTP mode (a real `pushback run`) and in Socket Mode."""

from __future__ import annotations

import json
import logging
import uuid

import pytest
from slack_bolt.adapter.socket_mode import SocketModeHandler

from bot.settings import configure_logging, settings_from_mapping
from handlers.app import create_app
from tests.conftest import BOT_TOKEN, SIGNING_SECRET, assert_no_client_text_logged
from tests.support.driver import eventually
from tests.support.process import AppProcess

SECRET_PHRASE = "Zanzibar-Quokka-7731"
REQUEST = f"Please add a {SECRET_PHRASE} page at no extra cost, and launch stays Friday."


def test_http_mode_at_debug_logs_debug_records_but_never_the_clients_words(app_env, standin, tmp_path):
    process = AppProcess({**app_env, "LOG_LEVEL": "DEBUG"}, standin, SIGNING_SECRET, tmp_path)
    process.start()
    try:
        process.driver.slash_command(REQUEST)
        standin.wait_for("chat.postMessage", where=lambda call: call.args.get("thread_ts"))
        assert eventually(lambda: "triaged team=T0001 user=U0ALICE" in process.log())
    finally:
        process.stop()

    log = process.log()
    assert "DEBUG" in log
    assert SECRET_PHRASE not in log
    assert_no_client_text_logged(log, process.driver.client_texts)


@pytest.fixture
def debug_logging(caplog):
    """LOG_LEVEL=DEBUG as `pushback run` sets it, recorded by caplog; the root logger is restored afterwards."""
    root = logging.getLogger()
    level, handlers = root.level, root.handlers[:]
    configure_logging(settings_from_mapping({"SLACK_BOT_TOKEN": BOT_TOKEN, "LOG_LEVEL": "DEBUG"}))
    root.addHandler(caplog.handler)  # configure_logging replaced the root's handlers
    caplog.handler.setLevel(logging.DEBUG)
    yield caplog
    root.handlers[:] = handlers
    root.setLevel(level)
    configure_logging(settings_from_mapping({"SLACK_BOT_TOKEN": BOT_TOKEN}))
    root.handlers[:] = handlers
    root.setLevel(level)


def test_socket_mode_at_debug_never_logs_the_clients_words(standin, db, debug_logging):
    settings = settings_from_mapping({"SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_APP_TOKEN": "xapp-1",
                                      "SLACK_API_URL": standin.api_url, "DATABASE_URL": db.url, "LOG_LEVEL": "DEBUG"})
    handler = SocketModeHandler(create_app(settings, db), settings.slack_app_token)
    payload = {"command": "/pushback", "text": REQUEST, "team_id": "T0001", "user_id": "U0ALICE",
               "channel_id": "C0INTERNAL", "response_url": standin.response_url("socket"), "trigger_id": "trigger-1"}
    envelope = {"type": "slash_commands", "envelope_id": uuid.uuid4().hex, "payload": payload,
                "accepts_response_payload": True}
    try:
        handler.client.enqueue_message(json.dumps(envelope))
        handler.client.process_message()
        standin.wait_for("chat.postMessage", where=lambda call: call.args.get("thread_ts"))
        logging.getLogger("bot").debug("debug records are kept")
    finally:
        handler.client.close()

    assert "debug records are kept" in debug_logging.text
    assert SECRET_PHRASE not in debug_logging.text
    assert BOT_TOKEN not in debug_logging.text
