"""The WSGI front of HTTP mode, in process: an exception escaping Bolt is a 500 logged with its traceback and no
client text; a payload that is not a JSON object is the sender's fault, a 400; `/healthz` reports the reminder
clock only where this instance runs one."""

from __future__ import annotations

import io
import json
import logging
import os
from urllib.parse import urlencode

import pytest

from bot.clock import Heartbeat
from bot.settings import settings_from_mapping
from bot.slack.serve import PushbackWsgi, build_wsgi
from handlers.app import create_app

CLIENT_TEXT = "Please add a Zanzibar-Quokka-7731 page for free"


@pytest.fixture
def wsgi(db, standin):
    settings = settings_from_mapping({"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "secret",
                                      "SLACK_API_URL": standin.api_url, "DATABASE_URL": db.url})
    return PushbackWsgi(create_app(settings, db), db)


def _post(wsgi, body: str) -> tuple[str, dict]:
    raw = body.encode()
    environ = {"REQUEST_METHOD": "POST", "PATH_INFO": "/slack/events", "CONTENT_LENGTH": str(len(raw)),
               "CONTENT_TYPE": "application/x-www-form-urlencoded", "wsgi.input": io.BytesIO(raw),
               "QUERY_STRING": "", "SERVER_NAME": "localhost", "SERVER_PORT": "3000", "wsgi.url_scheme": "http"}
    answered = []
    chunks = wsgi(environ, lambda status, headers: answered.append(status))
    return answered[0], json.loads(b"".join(chunks))


def test_an_exception_escaping_bolt_is_a_500_logged_with_its_traceback_and_no_client_text(wsgi, caplog):
    def fail(_environ, _start_response):
        raise RuntimeError(f"could not handle {CLIENT_TEXT}")

    wsgi.slack = fail
    with caplog.at_level(logging.ERROR, logger="bot.slack.serve"):
        status, body = _post(wsgi, urlencode({"command": "/pushback", "text": CLIENT_TEXT}))

    assert status.startswith("500 ")
    assert body == {"error": "internal error"}
    assert "request to /slack/events failed: RuntimeError" in caplog.text
    assert 'in fail\n    raise RuntimeError(f"could not handle {CLIENT_TEXT}")' in caplog.text
    assert "Zanzibar" not in caplog.text


@pytest.mark.parametrize("payload", [
    "not json at all", "[1, 2, 3]", '"text"', "",
    json.dumps({"type": "view_submission", "user": {"id": "U0ALICE"}, "view": {"callback_id": "nope"}}),
    json.dumps({"type": "view_submission", "user": {"id": "U0ALICE"}, "view": "nope"}),
])
def test_an_interactive_payload_that_is_not_a_json_object_is_refused_with_400(wsgi, payload):
    status, body = _post(wsgi, urlencode({"payload": payload}))

    assert status.startswith("400 ")
    assert body == {"error": "malformed payload"}


@pytest.mark.parametrize(("scheduler", "expected"), [("on", ("503 Service Unavailable", "reminder clock stalled")),
                                                      ("off", ("200 OK", "ok"))])
def test_healthz_reports_a_stalled_clock_only_when_this_instance_runs_the_clock(db, standin, tmp_path, scheduler,
                                                                                expected, monkeypatch):
    monkeypatch.setattr("bot.slack.serve.settle_heap", lambda: None)  # gc.freeze() would outlive the test
    settings = settings_from_mapping({"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "secret",
                                      "SLACK_API_URL": standin.api_url, "DATABASE_URL": db.url,
                                      "PUSHBACK_DATA_DIR": str(tmp_path), "PUSHBACK_SCHEDULER": scheduler})
    heartbeat = Heartbeat.of_instance(settings.data_dir, os.getppid())
    heartbeat.beat()
    an_hour_ago = heartbeat.path.stat().st_mtime - 3600
    os.utime(heartbeat.path, (an_hour_ago, an_hour_ago))
    wsgi = build_wsgi(settings)
    answered = []

    body = wsgi({"REQUEST_METHOD": "GET", "PATH_INFO": "/healthz"}, lambda status, headers: answered.append(status))

    assert (answered[0], json.loads(b"".join(body))["status"]) == expected
