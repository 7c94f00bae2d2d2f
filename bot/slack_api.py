"""The Slack Web API client: pointed at `SLACK_API_URL`, retrying what is worth retrying, and keeping its HTTP
connections open between calls."""

from __future__ import annotations

import functools
import http.client
import io
import json
import logging
import os
import select
import ssl
import threading
import time
from dataclasses import dataclass
from typing import Any
from urllib.error import HTTPError, URLError
from urllib.parse import urlencode, urlsplit
from urllib.request import Request

from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)
from slack_sdk.http_retry.request import HttpRequest as RetryHttpRequest
from slack_sdk.http_retry.response import HttpResponse as RetryHttpResponse
from slack_sdk.http_retry.state import RetryState

from bot.settings import SLACK_CLIENT_LOGGER, Settings

REQUEST_TIMEOUT_SECONDS = 10
IDLE_CONNECTION_SECONDS = 30  # a connection unused for longer is closed rather than reused: servers drop idle ones

# slack_sdk builds its DEBUG message of each request (the whole body) whenever its logger has no level of its own,
# on every call; this one has INFO unless `configure_logging` has set LOG_LEVEL, when that is higher.
_CLIENT_LOGGER = logging.getLogger(SLACK_CLIENT_LOGGER)
if _CLIENT_LOGGER.level == logging.NOTSET:
    _CLIENT_LOGGER.setLevel(logging.INFO)


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
_FAILURE_HANDLERS = (ConnectionErrorRetryHandler, RateLimitErrorRetryHandler, ServerErrorRetryHandler)


@functools.cache
def _default_tls() -> ssl.SSLContext:
    return ssl.create_default_context()


def _only_failures_retried(handlers: list) -> bool:
    """Whether every handler is one of slack_sdk's own for dropped connections, 5xx and 429 answers, none of
    which retries a 2xx answer."""
    return all(type(handler) in _FAILURE_HANDLERS for handler in handlers)


def _answer_to(error: HTTPError) -> dict[str, Any]:
    """A non-2xx answer as slack_sdk's urllib path returns it, a 429's Retry-After under both spellings."""
    headers = dict(error.headers.items())
    retry_after = headers.get("Retry-After", headers.get("retry-after"))
    if error.code == 429 and retry_after is not None:
        headers["Retry-After"] = headers["retry-after"] = retry_after
    charset = error.headers.get_content_charset() or "utf-8"
    return {"status": error.code, "headers": headers, "body": error.read().decode(charset)}


def _content_type(value: str | None) -> tuple[str, str]:
    """The media type and charset (utf-8 when none is named) of a Content-Type header, read as `email.message`
    reads them, for a fraction of its cost."""
    media_type, *parameters = (value or "").split(";")
    charset = "utf-8"
    for parameter in parameters:
        name, _, setting = parameter.partition("=")
        if name.strip().lower() == "charset" and setting.strip().strip('"'):
            charset = setting.strip().strip('"').lower()
    return media_type.strip().lower(), charset


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
    HTTPS, handshakes) a new one for every call. Calls through a proxy, and file uploads, take slack_sdk's own
    path unchanged.

    Errors look exactly as slack_sdk's urllib path raises them, so its retry handlers and error handling work
    as before: a failure to connect or send is a `URLError`, a non-2xx answer an `HTTPError`. Unlike slack_sdk,
    it asks the retry handlers only about failures: none of the handlers it is given retries a 2xx answer, and
    asking costs each call a second parse of Slack's answer."""

    def _perform_urllib_http_request(self, *, url: str, args: dict[str, dict[str, Any]]) -> dict[str, Any]:
        if args["data"] or not self._keeps_connection(url) or not _only_failures_retried(self.retry_handlers):
            return super()._perform_urllib_http_request(url=url, args=args)
        headers = args["headers"]
        body: bytes | None = None
        if args["json"]:
            body = json.dumps(args["json"]).encode("utf-8")
            headers["Content-Type"] = "application/json;charset=utf-8"
        elif args["params"]:
            body = urlencode(args["params"]).encode("utf-8")
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        state = RetryState()
        while True:
            state.next_attempt_requested = False
            try:
                return self._exchange(url, body, headers)
            except HTTPError as error:
                answer = _answer_to(error)
                retried = RetryHttpResponse(status_code=error.code, data=answer["body"].encode("utf-8"),
                                            headers={name: [value] for name, value in answer["headers"].items()})
                if not self._retry(state, url, headers, body, retried, error):
                    return answer
            except Exception as error:
                self._logger.error(f"Failed to send a request to Slack API server: {error}")
                if not self._retry(state, url, headers, body, None, error):
                    raise

    def _retry(self, state: RetryState, url: str, headers: dict, body: bytes | None,
               response: RetryHttpResponse | None, error: Exception) -> bool:
        """Ask the retry handlers, as slack_sdk does; the first that takes the failure waits before the next try."""
        request = RetryHttpRequest(method="POST", url=url, headers=headers, data=body)
        for handler in self.retry_handlers:
            if handler.can_retry(state=state, request=request, response=response, error=error):
                handler.prepare_for_next_attempt(state=state, request=request, response=response, error=error)
                return True
        return False

    def _perform_urllib_http_request_internal(self, url: str, req: Request) -> dict[str, Any]:
        if not self._keeps_connection(url):
            return super()._perform_urllib_http_request_internal(url, req)
        return self._exchange(url, req.data, dict(req.header_items()))

    def _keeps_connection(self, url: str) -> bool:
        """Whether a call to `url` goes over a kept connection (not through a proxy, and over HTTP)."""
        return not self.proxy and url.startswith(("http://", "https://"))

    def _exchange(self, url: str, body: bytes | None, headers: dict[str, str]) -> dict[str, Any]:
        """One POST on this thread's open connection to the host (a new one when there is none, or the server
        closed it); a 2xx answer as slack_sdk's urllib path returns it, anything else as an `HTTPError`."""
        parts = urlsplit(url)
        key = (os.getpid(), parts.scheme, parts.netloc)
        kept = _CONNECTIONS.by_origin.pop(key, None)
        if kept is not None and (time.monotonic() - kept.last_used > IDLE_CONNECTION_SECONDS
                                 or _dropped(kept.connection)):
            kept.connection.close()
            kept = None
        connection = kept.connection if kept else self._connect(parts.scheme, parts.netloc)
        selector = f"{parts.path}?{parts.query}" if parts.query else parts.path
        try:
            try:
                connection.request("POST", selector or "/", body, headers)
            except OSError as error:
                raise URLError(error) from error
            response = connection.getresponse()
            content = response.read()
        except BaseException:
            connection.close()
            raise
        if not response.will_close:
            _CONNECTIONS.by_origin[key] = _Kept(connection, time.monotonic())
        else:
            connection.close()
        if not 200 <= response.status < 300:
            raise HTTPError(url, response.status, response.reason, response.headers, io.BytesIO(content))
        media_type, charset = _content_type(response.getheader("Content-Type"))
        if media_type == "application/gzip":
            return {"status": response.status, "headers": response.headers, "body": content}
        return {"status": response.status, "headers": response.headers, "body": content.decode(charset)}

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
        headers=client.headers, team_id=client.default_params.get("team_id"), logger=_CLIENT_LOGGER,
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
        logger=_CLIENT_LOGGER,
    )
