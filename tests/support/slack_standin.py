"""A Slack Web API stand-in on loopback that records every call and can be told how to fail.

It keeps just enough state to answer like Slack: channels (internal, Slack Connect, bot not a member) with their
members, users with time zones and guest flags (`is_restricted`, `is_ultra_restricted`), files for `files.info`,
and the messages the app posted, so `conversations.history` can find them again.
`response_url`s point at it too (`/response/<id>`), so whatever the app says there is recorded as well.
"""

from __future__ import annotations

import itertools
import json
import socket
import threading
import time
from collections import defaultdict, deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl

from tests.support.loopback import serve_on_loopback, stop_serving

TEAM_ID = "T0001"
BOT_USER_ID = "UBOT"
BOT_ID = "BBOT"


@dataclass
class Call:
    """One request the app made: the API method (or `response_url`) and its arguments."""

    method: str
    args: dict[str, Any]
    token: str | None
    at: float = field(default_factory=time.monotonic)


@dataclass
class Channel:
    """What the stand-in knows of a conversation."""

    id: str
    name: str = "general"
    is_ext_shared: bool = False
    is_member: bool = True
    is_im: bool = False
    user: str | None = None
    members: list[str] = field(default_factory=list)


def _decode(raw: str) -> Any:
    if raw[:1] not in ("{", "["):
        return raw
    try:
        return json.loads(raw)
    except (TypeError, ValueError):
        return raw


class SlackStandIn:
    """Start with `start()`; point the app's `SLACK_API_URL` at `api_url`."""

    def __init__(self) -> None:
        self.calls: list[Call] = []
        self.channels: dict[str, Channel] = {}
        self.users: dict[str, dict[str, Any]] = {}
        self.messages: dict[str, list[dict[str, Any]]] = defaultdict(list)
        self.team_timezone = "UTC"
        self.workspaces: dict[str, dict[str, str]] = {}
        self.files: dict[str, dict[str, Any]] = {}
        self._scripted: dict[str, deque] = defaultdict(deque)
        self._delays: dict[str, float] = {}
        self._holds: dict[str, threading.Event] = {}
        self._lock = threading.Condition()
        self._ts = itertools.count(1)
        self._server: ThreadingHTTPServer | None = None
        self.connections = 0  # TCP connections accepted so far
        self._open: set = set()
        self.add_channel("C0INTERNAL", name="client-acme")

    # --- life cycle -------------------------------------------------------------------------------------------
    def start(self) -> SlackStandIn:
        """Listen on a free loopback port in a background thread."""
        standin = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive, as Slack's servers do
            disable_nagle_algorithm = True  # the headers and the body leave at once, not 40 ms apart

            def setup(self):
                super().setup()
                with standin._lock:
                    standin.connections += 1
                    standin._open.add(self.connection)

            def finish(self):
                with standin._lock:
                    standin._open.discard(self.connection)
                super().finish()

            def do_POST(self):  # the http.server interface
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length).decode("utf-8", "replace")
                status, headers, body = standin._handle(self.path, self.headers, raw)
                payload = json.dumps(body).encode()
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            do_GET = do_POST  # noqa: N815

            def log_message(self, *_args):
                return

        self._server = serve_on_loopback(Handler)
        return self

    def stop(self) -> None:
        """Stop listening."""
        if self._server:
            stop_serving(self._server)
            self.drop_connections()

    def drop_connections(self) -> None:
        """Close every open client connection, as a server does with idle ones."""
        with self._lock:
            open_now = list(self._open)
        for connection in open_now:
            try:
                connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    @property
    def url(self) -> str:
        """The base URL, e.g. http://127.0.0.1:54321."""
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def api_url(self) -> str:
        """The value for `SLACK_API_URL`."""
        return f"{self.url}/api/"

    def response_url(self, name: str) -> str:
        """A `response_url` that records what the app says to it."""
        return f"{self.url}/response/{name}"

    # --- scripting -----------------------------------------------------------------------------------------------
    def add_channel(self, channel_id: str, **attributes) -> Channel:
        """Describe a channel: `is_ext_shared=True` for Slack Connect, `is_member=False` when the bot is not in it,
        `members=[...]` for `conversations.members` (each described with `add_user`, guests with `is_restricted` or
        `is_ultra_restricted`)."""
        channel = Channel(id=channel_id, **attributes)
        self.channels[channel_id] = channel
        return channel

    def add_user(self, user_id: str, tz: str = "Europe/London", **attributes) -> None:
        """Describe a user for `users.info`."""
        self.users[user_id] = {"id": user_id, "tz": tz, "deleted": False, "is_bot": False, **attributes}

    def add_file(self, file: dict[str, Any]) -> None:
        """A file `files.info` returns whole (an email's full `plain_text`, say), by its `id`."""
        self.files[file["id"]] = file

    def fail(self, method: str, error: str, times: int = 1) -> None:
        """Answer the next `times` calls of `method` with `{"ok": false, "error": error}`."""
        for _ in range(times):
            self._scripted[method].append((200, {}, {"ok": False, "error": error}))

    def rate_limit(self, method: str, retry_after: int = 1, times: int = 1) -> None:
        """Answer the next `times` calls of `method` with 429 and Retry-After."""
        for _ in range(times):
            self._scripted[method].append(
                (429, {"Retry-After": str(retry_after)}, {"ok": False, "error": "ratelimited"})
            )

    def delay(self, method: str, seconds: float) -> None:
        """Answer `method` only after `seconds`, having done its work first (a slow Slack, or a slow network)."""
        self._delays[method] = seconds

    def hold(self, method: str) -> threading.Event:
        """Keep every call of `method` waiting, unanswered, until the returned event is set (at most a minute):
        a Slack that has not answered yet."""
        release = threading.Event()
        self._holds[method] = release
        return release

    def server_error(self, method: str, times: int = 1) -> None:
        """Answer the next `times` calls of `method` with HTTP 500."""
        for _ in range(times):
            self._scripted[method].append((500, {}, {"ok": False, "error": "internal_error"}))

    # --- reading what happened ---------------------------------------------------------------------------------
    def calls_to(self, method: str) -> list[Call]:
        """Every call so far to `method` (use "response" for response_url posts)."""
        with self._lock:
            return [call for call in self.calls if call.method == method]

    def wait_for(self, method: str, count: int = 1, timeout: float = 10.0, where=None) -> list[Call]:
        """Block until `count` calls to `method` (matching `where`) arrived; fail the test after `timeout`."""
        deadline = time.monotonic() + timeout
        with self._lock:
            while True:
                found = [c for c in self.calls if c.method == method and (where is None or where(c))]
                if len(found) >= count:
                    return found
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    seen = sorted({c.method for c in self.calls})
                    raise AssertionError(f"expected {count} call(s) to {method}, got {len(found)}; seen {seen}")
                self._lock.wait(remaining)

    def reset_calls(self) -> None:
        """Forget the calls recorded so far."""
        with self._lock:
            self.calls.clear()

    # --- answering ------------------------------------------------------------------------------------------------
    def _handle(self, path: str, headers, raw: str):
        content_type = headers.get("Content-Type", "")
        if "json" in content_type:
            args = json.loads(raw or "{}")
        else:
            args = {key: _decode(value) for key, value in parse_qsl(raw, keep_blank_values=True)}
        token = (headers.get("Authorization") or "").removeprefix("Bearer ") or args.get("token")
        if path.startswith("/response/"):
            method = "response"
            args["response_url_id"] = path.split("/response/", 1)[1]
        else:
            method = path.split("/api/", 1)[-1].split("?", 1)[0]
        with self._lock:
            self.calls.append(Call(method=method, args=args, token=token))
            scripted = self._scripted[method].popleft() if self._scripted[method] else None
            self._lock.notify_all()
        if method in self._holds:
            self._holds[method].wait(60)
        if scripted:
            return scripted
        if method == "response":
            return 200, {}, {"ok": True}
        answer = getattr(self, "_api_" + method.replace(".", "_"), None)
        body = answer({**args, "_token": token}) if answer else {"ok": True}
        if self._delays.get(method):
            time.sleep(self._delays[method])
        return 200, {}, body

    def _next_ts(self) -> str:
        return f"{1_700_000_000 + next(self._ts)}.{next(self._ts):06d}"

    def _channel_for_post(self, channel_id: str) -> tuple[Channel | None, str | None]:
        if channel_id.startswith("D") or channel_id.startswith("U"):
            return Channel(id=channel_id, is_im=True), None
        channel = self.channels.get(channel_id)
        if channel is None:
            return None, "channel_not_found"
        if not channel.is_member:
            return None, "not_in_channel"
        return channel, None

    def add_workspace(self, team_id: str, name: str, code: str) -> str:
        """A workspace that installs the app with OAuth `code`; returns the bot token it will be issued."""
        token = f"xoxb-{team_id.lower()}-installed"
        self.workspaces[code] = {"team_id": team_id, "name": name, "token": token}
        return token

    def _workspace_for_token(self, token: str | None) -> dict[str, str] | None:
        return next((w for w in self.workspaces.values() if w["token"] == token), None)

    def _api_auth_test(self, args):
        workspace = self._workspace_for_token(args.get("_token"))
        team_id, name = (workspace["team_id"], workspace["name"]) if workspace else (TEAM_ID, "Acme Agency")
        return {"ok": True, "team_id": team_id, "team": name, "user_id": BOT_USER_ID, "bot_id": BOT_ID,
                "url": f"https://{name.lower().replace(' ', '-')}.slack.com/"}

    def _api_oauth_v2_access(self, args):
        workspace = self.workspaces.get(str(args.get("code", "")))
        if workspace is None:
            return {"ok": False, "error": "invalid_code"}
        return {"ok": True, "app_id": "A0PUSHBACK", "access_token": workspace["token"], "token_type": "bot",
                "scope": "commands,chat:write", "bot_user_id": BOT_USER_ID,
                "team": {"id": workspace["team_id"], "name": workspace["name"]}, "enterprise": None,
                "is_enterprise_install": False, "authed_user": {"id": "U0INSTALLER"}}

    def _api_chat_postMessage(self, args):  # noqa: N802 - Slack's method name
        channel_id = str(args.get("channel", ""))
        channel, error = self._channel_for_post(channel_id)
        if error:
            return {"ok": False, "error": error}
        if channel.is_im and channel_id.startswith("U"):
            channel_id = "D" + channel_id
        message = {"type": "message", "ts": self._next_ts(), "user": BOT_USER_ID, "bot_id": BOT_ID,
                   "text": args.get("text", ""), "blocks": args.get("blocks"), "thread_ts": args.get("thread_ts"),
                   "metadata": args.get("metadata")}
        with self._lock:
            self.messages[channel_id].append(message)
        return {"ok": True, "channel": channel_id, "ts": message["ts"], "message": message}

    def _api_chat_update(self, args):
        channel_id, ts = str(args.get("channel", "")), str(args.get("ts", ""))
        with self._lock:
            for message in self.messages.get(channel_id, []):
                if message["ts"] == ts:
                    message.update({k: args[k] for k in ("text", "blocks", "metadata") if k in args})
                    return {"ok": True, "channel": channel_id, "ts": ts}
        return {"ok": False, "error": "message_not_found"}

    def _api_chat_delete(self, args):
        channel_id, ts = str(args.get("channel", "")), str(args.get("ts", ""))
        with self._lock:
            kept = [message for message in self.messages.get(channel_id, []) if message["ts"] != ts]
            if len(kept) == len(self.messages.get(channel_id, [])):
                return {"ok": False, "error": "message_not_found"}
            self.messages[channel_id] = kept
        return {"ok": True, "channel": channel_id, "ts": ts}

    def _api_chat_postEphemeral(self, args):  # noqa: N802
        return {"ok": True, "message_ts": self._next_ts()}

    def _api_chat_getPermalink(self, args):  # noqa: N802
        ts = str(args.get("message_ts", "")).replace(".", "")
        return {"ok": True, "channel": args.get("channel"),
                "permalink": f"https://acme-agency.slack.com/archives/{args.get('channel')}/p{ts}"}

    def _api_conversations_info(self, args):
        channel_id = str(args.get("channel", ""))
        if channel_id.startswith("D"):
            return {"ok": True, "channel": {"id": channel_id, "is_im": True, "is_member": True, "user": None}}
        channel = self.channels.get(channel_id)
        if channel is None:
            return {"ok": False, "error": "channel_not_found"}
        return {"ok": True, "channel": {"id": channel.id, "name": channel.name, "is_channel": True,
                                        "is_ext_shared": channel.is_ext_shared, "is_shared": channel.is_ext_shared,
                                        "is_member": channel.is_member, "is_im": channel.is_im}}

    def _api_conversations_members(self, args):
        channel = self.channels.get(str(args.get("channel", "")))
        if channel is None:
            return {"ok": False, "error": "channel_not_found"}
        start = int(args.get("cursor") or 0)
        limit = int(args.get("limit") or 100)
        page = channel.members[start:start + limit]
        more = start + limit < len(channel.members)
        return {"ok": True, "members": page, "response_metadata": {"next_cursor": str(start + limit) if more else ""}}

    def _api_conversations_open(self, args):
        users = str(args.get("users", ""))
        return {"ok": True, "channel": {"id": "D" + users.split(",")[0]}}

    def _messages_in(self, channel_id: str) -> list[dict[str, Any]]:
        with self._lock:
            return list(self.messages.get(channel_id, []))

    def _api_conversations_history(self, args):
        oldest = float(args.get("oldest") or 0)
        top_level = [m for m in self._messages_in(str(args.get("channel", "")))
                     if not m.get("thread_ts") or m.get("thread_ts") == m["ts"]]
        newest_first = [m for m in reversed(top_level) if float(m["ts"]) >= oldest]
        return {"ok": True, "messages": newest_first[: int(args.get("limit") or 100)], "has_more": False}

    def _api_conversations_replies(self, args):
        thread = str(args.get("ts", ""))
        replies = [m for m in self._messages_in(str(args.get("channel", "")))
                   if m["ts"] == thread or m.get("thread_ts") == thread]
        return {"ok": True, "messages": replies, "has_more": False}

    def _api_users_info(self, args):
        user = self.users.get(str(args.get("user", "")))
        if user is None:
            return {"ok": False, "error": "user_not_found"}
        return {"ok": True, "user": user}

    def _api_files_info(self, args):
        file = self.files.get(str(args.get("file", "")))
        if file is None:
            return {"ok": False, "error": "file_not_found"}
        return {"ok": True, "file": file, "comments": [], "response_metadata": {"next_cursor": ""}}

    def _api_team_info(self, _args):
        return {"ok": True, "team": {"id": TEAM_ID, "name": "Acme Agency", "domain": "acme-agency"}}

    def _view_answer(self, args):
        view = args.get("view") or {}
        if isinstance(view, str):
            view = json.loads(view)
        return {"ok": True, "view": {"id": "V" + str(next(self._ts)), **view}}

    _api_views_open = _view_answer
    _api_views_update = _view_answer
    _api_views_push = _view_answer
    _api_views_publish = _view_answer
