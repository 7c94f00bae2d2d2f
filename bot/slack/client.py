"""The Slack Web API client: slack_sdk's stock `WebClient` pointed at `SLACK_API_URL`, with slack_sdk's public
retry handlers for 429s, 5xx answers and dropped connections."""

from __future__ import annotations

from slack_sdk import WebClient
from slack_sdk.http_retry import RetryHandler
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)

from bot.settings import Settings, client_logger

REQUEST_TIMEOUT_SECONDS = 10


def retry_handlers(wait_out_rate_limits: bool = True) -> list[RetryHandler]:
    """Retry dropped connections and 5xx answers twice each, and 429s after their Retry-After unless the caller
    would rather put the work off itself."""
    handlers: list[RetryHandler] = [
        ConnectionErrorRetryHandler(max_retry_count=2),
        ServerErrorRetryHandler(max_retry_count=2),
    ]
    if wait_out_rate_limits:
        handlers.insert(0, RateLimitErrorRetryHandler(max_retry_count=2))
    return handlers


def make_web_client(settings: Settings, token: str | None = None, wait_out_rate_limits: bool = True,
                    anonymous: bool = False) -> WebClient:
    """A WebClient for `token` (default: the configured bot token; none when `anonymous`) against the configured
    API URL.

    Bolt copies this client's URL, timeout, logger and retry handlers into the client it gives each listener, with
    the token its authorization found (so the app's own client is `anonymous`). Reminder delivery passes
    `wait_out_rate_limits=False`: a rate-limited reminder goes back to the queue until its Retry-After instead of
    holding the tick."""
    return WebClient(
        token=None if anonymous else token or settings.slack_bot_token,
        base_url=settings.slack_api_url,
        timeout=REQUEST_TIMEOUT_SECONDS,
        retry_handlers=retry_handlers(wait_out_rate_limits),
        logger=client_logger(),
    )
