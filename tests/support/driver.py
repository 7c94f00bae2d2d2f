"""Sends correctly signed Slack requests (slash commands, shortcuts, actions, view submissions, events)
to the app's HTTP endpoint, and Socket Mode requests through Bolt's own Socket Mode path."""

from __future__ import annotations

import http.client
import json
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode, urlparse

from slack_sdk.signature import SignatureVerifier

from tests.support.slack_standin import TEAM_ID, SlackStandIn


CLIENT_WORD_KEYS = ("text", "plain_text", "preview_plain_text", "subject", "title", "fallback", "author_name",
                    "name", "value")


@dataclass
class Reply:
    """The app's HTTP answer."""

    status: int
    body: str
    seconds: float

    def json(self) -> Any:
        """The body parsed as JSON."""
        return json.loads(self.body)


def eventually(check, timeout: float = 10.0, interval: float = 0.05):
    """Call `check` until it returns something truthy (work after Slack's ack finishes a moment later)."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(interval)


def sign(secret: str, body: str, timestamp: int | None = None) -> dict[str, str]:
    """The headers Slack sends with `body`, signed with `secret`."""
    stamp = str(int(time.time()) if timestamp is None else timestamp)
    signature = SignatureVerifier(secret).generate_signature(timestamp=stamp, body=body)
    return {"X-Slack-Request-Timestamp": stamp, "X-Slack-Signature": signature}


def http_request(url: str, method: str = "GET", body: bytes = b"", headers: dict | None = None,
                 timeout: float = 10.0) -> Reply:
    """One HTTP request with the standard library; returns status, body and how long it took."""
    parsed = urlparse(url)
    connection = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=timeout)
    started = time.perf_counter()
    try:
        connection.request(method, parsed.path + (f"?{parsed.query}" if parsed.query else ""), body=body,
                           headers=headers or {})
        response = connection.getresponse()
        text = response.read().decode("utf-8", "replace")
        return Reply(response.status, text, time.perf_counter() - started)
    finally:
        connection.close()


class SlackDriver:
    """Plays Slack: builds payloads as Slack does, signs them and posts them to `app_url` (or hands them to
    `send`, for an app in this process)."""

    def __init__(self, app_url: str, signing_secret: str, standin: SlackStandIn, team_id: str = TEAM_ID,
                 send: Callable[[bytes, dict[str, str]], Reply] | None = None):
        self.app_url = app_url.rstrip("/")
        self.send = send or self.send_over_http
        self.signing_secret = signing_secret
        self.standin = standin
        self.team_id = team_id
        self.client_texts: list[str] = []
        self.client_addresses: list[str] = []

    def remember_client_words(self, payload: Any) -> None:
        """Note the client's words and email addresses anywhere in `payload` (a message, a file, an attachment),
        so the app's log can be searched for them afterwards."""
        if isinstance(payload, dict):
            for key, value in payload.items():
                if key in ("address", "original") and isinstance(value, str):
                    self.client_addresses.append(value)
                elif key in CLIENT_WORD_KEYS and isinstance(value, str):
                    self.client_texts.append(value)
                else:
                    self.remember_client_words(value)
        elif isinstance(payload, list):
            for value in payload:
                self.remember_client_words(value)

    def post(self, body: str, content_type: str = "application/x-www-form-urlencoded",
             headers: dict[str, str] | None = None, signed: bool = True) -> Reply:
        """Post a raw body to /slack/events, signed unless told otherwise."""
        all_headers = {"Content-Type": content_type}
        if signed:
            all_headers.update(sign(self.signing_secret, body))
        all_headers.update(headers or {})
        return self.send(body.encode("utf-8", "surrogatepass"), all_headers)

    def send_over_http(self, raw: bytes, headers: dict[str, str]) -> Reply:
        """POST a request to the app's /slack/events."""
        return http_request(f"{self.app_url}/slack/events", "POST", raw, headers)

    def slash_command(self, text: str, user_id: str = "U0ALICE", channel_id: str = "C0INTERNAL",
                      command: str = "/pushback", **extra: str) -> Reply:
        """`/pushback text` as typed by `user_id` in `channel_id`."""
        self.client_texts.append(text)
        response_id = uuid.uuid4().hex
        form = {
            "token": "legacy", "team_id": self.team_id, "team_domain": "acme-agency", "channel_id": channel_id,
            "channel_name": "client-acme", "user_id": user_id, "user_name": user_id.lower(), "command": command,
            "text": text, "api_app_id": "A0PUSHBACK", "is_enterprise_install": "false",
            "response_url": self.standin.response_url(response_id), "trigger_id": f"trigger-{response_id}",
        }
        form.update(extra)
        return self.post(urlencode(form))

    def interactive(self, payload: dict[str, Any]) -> Reply:
        """Any interactive payload, form-encoded as Slack sends it."""
        payload.setdefault("team", {"id": self.team_id, "domain": "acme-agency"})
        payload.setdefault("api_app_id", "A0PUSHBACK")
        payload.setdefault("token", "legacy")
        return self.post(urlencode({"payload": json.dumps(payload)}))

    def message_shortcut(self, message: dict[str, Any], user_id: str = "U0ALICE", channel_id: str = "C0INTERNAL",
                         callback_id: str = "pushback_message") -> Reply:
        """The message shortcut used on `message` in `channel_id`."""
        self.client_texts.append(str(message.get("text") or ""))
        self.remember_client_words({key: value for key, value in message.items() if key != "text"})
        response_id = uuid.uuid4().hex
        return self.interactive({
            "type": "message_action", "callback_id": callback_id, "trigger_id": f"trigger-{response_id}",
            "user": {"id": user_id, "name": user_id.lower(), "team_id": self.team_id},
            "channel": {"id": channel_id, "name": "client-acme"}, "message": message,
            "message_ts": message.get("ts"), "response_url": self.standin.response_url(response_id),
        })

    def block_action(self, action_id: str, value: str = "", user_id: str = "U0ALICE",
                     container: dict[str, Any] | None = None, message: dict[str, Any] | None = None,
                     channel_id: str | None = None, view: dict[str, Any] | None = None,
                     block_id: str = "actions") -> Reply:
        """A button press on a message or in a view."""
        response_id = uuid.uuid4().hex
        payload: dict[str, Any] = {
            "type": "block_actions", "trigger_id": f"trigger-{response_id}",
            "user": {"id": user_id, "name": user_id.lower(), "team_id": self.team_id},
            "container": container or {}, "response_url": self.standin.response_url(response_id),
            "actions": [{"type": "button", "action_id": action_id, "block_id": block_id, "value": value,
                         "action_ts": str(time.time())}],
        }
        if channel_id:
            payload["channel"] = {"id": channel_id}
        if message is not None:
            payload["message"] = message
        if view is not None:
            payload["view"] = view
        return self.interactive(payload)

    def view_submission(self, callback_id: str, values: dict[str, Any], private_metadata: str = "",
                        user_id: str = "U0ALICE") -> Reply:
        """A modal submitted with `values` (Slack's `state.values` shape)."""
        return self.interactive({
            "type": "view_submission", "trigger_id": f"trigger-{uuid.uuid4().hex}",
            "user": {"id": user_id, "name": user_id.lower(), "team_id": self.team_id},
            "view": {"id": "V0MODAL", "type": "modal", "callback_id": callback_id,
                     "private_metadata": private_metadata, "state": {"values": values}},
        })

    def event(self, event: dict[str, Any], retry_num: int | None = None) -> Reply:
        """An Events API callback."""
        body = json.dumps({"token": "legacy", "team_id": self.team_id, "api_app_id": "A0PUSHBACK",
                           "type": "event_callback", "event_id": "Ev" + uuid.uuid4().hex[:10],
                           "event_time": int(time.time()), "event": event})
        headers = {"X-Slack-Retry-Num": str(retry_num), "X-Slack-Retry-Reason": "http_timeout"} if retry_num else {}
        return self.post(body, content_type="application/json", headers=headers)


class RecordingSocketModeClient:
    """Stands in for the websocket: records the envelopes the app acknowledges."""

    def __init__(self, logger) -> None:
        self.logger = logger
        self.responses: list[Any] = []

    def send_socket_mode_response(self, response) -> None:
        """Record one acknowledgement."""
        self.responses.append(response)


def socket_mode_request(handler, request_type: str, payload: dict[str, Any], retry_attempt: int | None = None,
                        retry_reason: str | None = None):
    """Deliver one Socket Mode envelope to a Bolt `SocketModeHandler`, as its websocket loop would. Slack's
    Events API envelopes carry `retry_attempt` (0 on the first delivery) and `retry_reason` ("" then)."""
    import logging

    from slack_sdk.socket_mode.request import SocketModeRequest

    client = RecordingSocketModeClient(logging.getLogger("socket-mode-test"))
    envelope = SocketModeRequest(type=request_type, envelope_id=uuid.uuid4().hex, payload=payload,
                                 retry_attempt=retry_attempt, retry_reason=retry_reason)
    handler.handle(client, envelope)
    return client.responses
