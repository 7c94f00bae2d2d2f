"""Serving a stand-in on loopback: a free port, a thread per connection, nothing left running after the test."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

# How often the serving thread looks whether it was told to stop: `shutdown()` waits up to this long, and with
# http.server's default (0.5 s) every test that used a stand-in spent half a second just stopping it.
STOP_POLL_SECONDS = 0.01


def serve_on_loopback(handler: type[BaseHTTPRequestHandler]) -> ThreadingHTTPServer:
    """A server for `handler` on a free loopback port, serving from a daemon thread."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, args=(STOP_POLL_SECONDS,), daemon=True).start()
    return server


def stop_serving(server: ThreadingHTTPServer | None) -> None:
    """Stop `server` (if any) and release its port."""
    if server is not None:
        server.shutdown()
        server.server_close()
