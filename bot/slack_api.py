"""The Slack Web API client: pointed at `SLACK_API_URL`, retrying what is worth retrying, and keeping its HTTP
connections open between calls."""

from __future__ import annotations

import functools
import http.client
import io
import os
import select
import ssl
import threading
import time
from dataclasses import dataclass
from typing import Any
from urllib.error import HTTPError, URLError
from urllib.parse import urlsplit
from urllib.request import Request

from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)

from bot.settings import Settings

REQUEST_TIMEOUT_SECONDS = 10
IDLE_CONNECTION_SECONDS = 30  # a connection unused for longer is closed rather than reused: servers drop idle ones


def retry_handlers(wait_out_rate_limits: bool = True) -> list:
    """Retry dropped connections and 5xx answers twice each, and 429s after their Retry-After unless the caller
    would rather put the work off itself."""
    handlers = [ConnectionErrorRetryHandler(max_retry_count=2), ServerErrorRetryHandler(max_retry_count=2)]
    if wait_out_rate_limits:
        handlers.insert(0, RateLimitErrorRetryHandler(max_retry_count=2))
    return handlers


@dataclass
class _Kept:
    connection: http.client.HTTPConnection
    last_used: float


class _ThreadConnections(threading.local):
    """Each thread's open connections, by process and origin (a forked process opens its own)."""

    def __init__(self) -> None:
        self.by_origin: dict[tuple[int, str, str], _Kept] = {}


_CONNECTIONS = _ThreadConnections()


@functools.cache
def _default_tls() -> ssl.SSLContext:
    return ssl.create_default_context()


def _dropped(connection: http.client.HTTPConnection) -> bool:
    """Whether the server has closed an idle connection (its socket reads as ready: end of file or junk)."""
    if connection.sock is None:
        return True
    try:
        poller = select.poll()
        poller.register(connection.sock, select.POLLIN)
        return bool(poller.poll(0))
    except (OSError, ValueError):
        return True


class KeepAliveWebClient(WebClient):
    """A WebClient that reuses one open connection per thread and API host, where slack_sdk opens (and for
    HTTPS, handshakes) a new one for every call. Calls through a proxy take slack_sdk's own path unchanged.

    Errors look exactly as slack_sdk's urllib path raises them, so its retry handlers and error handling work
    as before: a failure to connect or send is a `URLError`, a non-2xx answer an `HTTPError`."""

    def _perform_urllib_http_request_internal(self, url: str, req: Request) -> dict[str, Any]:
        parts = urlsplit(url)
        if self.proxy or parts.scheme not in ("http", "https"):
            return super()._perform_urllib_http_request_internal(url, req)
        key = (os.getpid(), parts.scheme, parts.netloc)
        kept = _CONNECTIONS.by_origin.pop(key, None)
        if kept is not None and (time.monotonic() - kept.last_used > IDLE_CONNECTION_SECONDS
                                 or _dropped(kept.connection)):
            kept.connection.close()
            kept = None
        connection = kept.connection if kept else self._connect(parts.scheme, parts.netloc)
        try:
            try:
                connection.request(req.get_method(), req.selector, req.data, dict(req.header_items()))
            except OSError as error:
                raise URLError(error) from error
            response = connection.getresponse()
            body = response.read()
        except BaseException:
            connection.close()
            raise
        if not response.will_close:
            _CONNECTIONS.by_origin[key] = _Kept(connection, time.monotonic())
        else:
            connection.close()
        if not 200 <= response.status < 300:
            raise HTTPError(url, response.status, response.reason, response.headers, io.BytesIO(body))
        if response.headers.get_content_type() == "application/gzip":
            return {"status": response.status, "headers": response.headers, "body": body}
        charset = response.headers.get_content_charset() or "utf-8"
        return {"status": response.status, "headers": response.headers, "body": body.decode(charset)}

    def _connect(self, scheme: str, netloc: str) -> http.client.HTTPConnection:
        if scheme == "https":
            return http.client.HTTPSConnection(netloc, timeout=self.timeout, context=self.ssl or _default_tls())
        return http.client.HTTPConnection(netloc, timeout=self.timeout)


def keeping_connections(client: WebClient) -> WebClient:
    """The same client (token, URL, timeout, retries) as a `KeepAliveWebClient`. Bolt makes a plain WebClient
    for every request; listeners get this one instead."""
    if isinstance(client, KeepAliveWebClient):
        return client
    return KeepAliveWebClient(
        token=client.token, base_url=client.base_url, timeout=client.timeout, ssl=client.ssl, proxy=client.proxy,
        headers=client.headers, team_id=client.default_params.get("team_id"), logger=client.logger,
        retry_handlers=client.retry_handlers,
    )


def make_web_client(settings: Settings, token: str | None = None, wait_out_rate_limits: bool = True) -> WebClient:
    """A WebClient for `token` (default: the configured bot token) against the configured API URL.

    Reminder delivery passes `wait_out_rate_limits=False`: a rate-limited reminder goes back to the queue until
    its Retry-After instead of holding the tick."""
    return KeepAliveWebClient(
        token=token or settings.slack_bot_token,
        base_url=settings.slack_api_url,
        timeout=REQUEST_TIMEOUT_SECONDS,
        retry_handlers=retry_handlers(wait_out_rate_limits),
    )
