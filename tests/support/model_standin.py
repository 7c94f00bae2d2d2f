"""An OpenAI-compatible chat-completions stand-in on loopback: `POST /v1/chat/completions` answers with scripted
replies (a JSON draft, a refusal, garbage, an error, or a held answer that waits until the test lets it go) and
records every request it was sent."""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from tests.support.loopback import serve_on_loopback, stop_serving


@dataclass
class Scripted:
    """One answer: the message `content` (a dict is sent as its JSON), or a `refusal`, or an HTTP `status` error;
    `held` answers only once the stand-in is released."""

    content: Any = None
    refusal: str | None = None
    status: int = 200
    held: bool = False


@dataclass
class ModelStandIn:
    """Start with `start()`; point `PUSHBACK_LLM_BASE_URL` at `base_url`."""

    script: list[Scripted] = field(default_factory=list)
    requests: list[dict[str, Any]] = field(default_factory=list)
    released: threading.Event = field(default_factory=threading.Event)
    answered: threading.Event = field(default_factory=threading.Event)
    server: ThreadingHTTPServer | None = None

    def answer(self, *answers: Scripted) -> None:
        """Answer the next requests with these, in turn; the last one repeats."""
        self.script[:] = list(answers)

    @property
    def base_url(self) -> str:
        """The API root, as a client library expects it."""
        assert self.server is not None
        return f"http://127.0.0.1:{self.server.server_address[1]}/v1"

    def sent_text(self) -> str:
        """Everything the app sent in its messages, joined."""
        return "\n".join(message["content"] for request in self.requests for message in request["messages"])

    def start(self) -> ModelStandIn:
        """Listen on a free loopback port."""
        standin = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
                standin.requests.append(body)
                scripted = standin.script.pop(0) if len(standin.script) > 1 else standin.script[0]
                if scripted.held:
                    standin.released.wait()
                if scripted.status != 200:
                    self._send(scripted.status, {"error": {"message": "scripted failure", "type": "server_error"}})
                else:
                    content = scripted.content
                    text = json.dumps(content) if isinstance(content, dict) else content
                    message = {"role": "assistant", "content": None if scripted.refusal else text,
                               "refusal": scripted.refusal}
                    self._send(200, {"id": "chatcmpl-standin", "object": "chat.completion", "created": 0,
                                     "model": body.get("model", ""), "choices": [
                                         {"index": 0, "message": message, "finish_reason": "stop"}]})
                standin.answered.set()

            def _send(self, status: int, payload: dict) -> None:
                data = json.dumps(payload).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    return

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - http.server's signature
                return

        self.server = serve_on_loopback(Handler)
        return self

    def stop(self) -> None:
        """Let held answers go and stop listening."""
        self.released.set()
        stop_serving(self.server)
