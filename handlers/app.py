"""The Bolt app: built from settings and a store, with every surface registered."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from concurrent.futures import Executor, ThreadPoolExecutor
from typing import cast

from slack_bolt import App, BoltResponse
from slack_bolt.authorization import AuthorizeResult
from slack_bolt.oauth import OAuthFlow
from slack_bolt.oauth.oauth_settings import OAuthSettings
from slack_sdk.oauth.installation_store import InstallationStore

from bot.db import Database
from bot.replays import ReplayGuard
from bot.settings import Settings
from bot.slack.authorization import BotIdentity, StoredBotAuthorize
from bot.slack.client import make_web_client
from bot.slack.payloads import malformed_view
from bot.slack.services import Services
from bot.slack.workspaces import bot_scopes, installation_store, oauth_state_store
from bot.triage.openai_writer import writer_for
from handlers import accounts, actions, commands, home, shortcuts, views
from handlers.services import report_failure

SURFACES = (commands, shortcuts, actions, views, home, accounts)


def create_app(settings: Settings, db: Database, listener_executor: Executor | None = None,
               identity: BotIdentity | None = None) -> App:
    """A Bolt app wired to `db`, with each surface's `register(app, services)` applied.

    Listeners ack on the request's thread and Bolt answers Slack as soon as they return; their work after the ack
    runs as Bolt lazy listeners on `listener_executor` (by default `settings.listener_threads` threads). No Slack
    call comes before an ack: with one bot token, its identity is learned in the background (`BotIdentity`), so an
    instance starts, and answers, while Slack is slow or unreachable (`identity`: one made here by default)."""
    installations = installation_store(settings, db) if settings.oauth_enabled else None
    authorize: Callable[..., AuthorizeResult | None] = (
        _authorize_bot_token(identity or BotIdentity(make_web_client(settings))) if installations is None
        else StoredBotAuthorize(installations))
    app = App(
        client=make_web_client(settings, anonymous=True),
        signing_secret=settings.slack_signing_secret or "",
        request_verification_enabled=not settings.socket_mode,
        # Bolt's annotation asks for an AuthorizeResult; its middleware reads None as "not installed"
        authorize=cast(Callable[..., AuthorizeResult], authorize),
        oauth_flow=None if installations is None else _oauth_flow(settings, db, installations),
        logger=logging.getLogger("slack_bolt"),
        process_before_response=True,  # Slack is answered when the ack listener returns; the rest is lazy
        listener_executor=listener_executor or ThreadPoolExecutor(max_workers=settings.listener_threads,
                                                                  thread_name_prefix="after-ack"),
    )
    if settings.oauth_enabled:
        app.enable_token_revocation_listeners()

    middlewares = [ignore_slack_retries, refuse_malformed_payloads, tag_request]
    if not settings.socket_mode:
        middlewares.insert(2, refuse_replays(ReplayGuard(db)))
    for middleware in middlewares:
        app.use(middleware)
    app.error(report_failure)
    services = Services(settings=settings, db=db, writer=writer_for(settings.llm))
    for surface in SURFACES:
        surface.register(app, services)
    actions.register_fallback(app, services)
    return app


def _authorize_bot_token(identity: BotIdentity) -> Callable[..., AuthorizeResult | None]:
    """Bolt's `authorize` for the one bot token: its identity once Slack has told it (see `BotIdentity`), whose
    learning starts now."""
    identity.learn_in_background()

    def authorize(enterprise_id, team_id):
        return identity.authorize(enterprise_id, team_id)

    return authorize


def _oauth_flow(settings: Settings, db: Database, store: InstallationStore) -> OAuthFlow:
    """Slack's install flow at /slack/install and /slack/oauth_redirect, kept in our database."""
    return OAuthFlow(
        client=make_web_client(settings, anonymous=True),
        settings=OAuthSettings(
            client_id=settings.slack_client_id, client_secret=settings.slack_client_secret, scopes=list(bot_scopes()),
            installation_store=store, installation_store_bot_only=True, state_store=oauth_state_store(db),
        ),
    )


def tag_request(context, next):
    """A short id for the request, logged by every listener (never the client's words)."""
    context["request_id"] = uuid.uuid4().hex[:12]
    return next()


def ignore_slack_retries(request, next):
    """Slack re-sends an event it thinks went unanswered; the first delivery is already being handled. A retry is
    a retry number above 0: over HTTP Slack sends the header only on retries, but Bolt's Socket Mode adapter
    passes on every envelope's `retry_attempt`, which is 0 on the first delivery."""
    if is_slack_retry(request.headers.get("x-slack-retry-num")):
        return BoltResponse(status=200, body="")
    return next()


def is_slack_retry(retry_num) -> bool:
    """True when Slack's retry number (a header value: a string, or a list of them) says this is a re-delivery."""
    values = retry_num if isinstance(retry_num, (list, tuple)) else [retry_num]
    for value in values:
        text = str(value or "").strip()
        if text and (not text.isdigit() or int(text) > 0):
            return True
    return False


REPEATABLE_TYPES = ("block_suggestion",)  # a search typed again is the same body, and answering it changes nothing


def refuse_replays(guard: ReplayGuard):
    """A middleware that answers an empty 200, and does nothing else, to a signed request whose body was already
    seen within Slack's 5-minute signature window, by this instance or any other (Bolt has checked the signature
    before it runs). Slack's own retries of events are answered by `ignore_slack_retries` first."""

    def refuse(request, next):
        if (request.mode == "http" and request.body.get("type") not in REPEATABLE_TYPES
                and not guard.first_sighting_promptly(request.raw_body)):
            logging.getLogger(__name__).warning("replayed request ignored team=%s", request.context.get("team_id"))
            return BoltResponse(status=200, body="")
        return next()

    return refuse


INTERACTIVE_TYPES = ("block_actions", "view_submission", "view_closed", "message_action", "shortcut")


def refuse_malformed_payloads(request, next):
    """Answer 400 to an interactive payload that lacks what every listener relies on (who pressed, which action,
    which view), instead of failing inside the listener matching."""
    body = request.body
    kind = body.get("type")
    if kind in INTERACTIVE_TYPES and not isinstance((body.get("user") or {}).get("id"), str):
        return BoltResponse(status=400, body={"error": "malformed payload: no user"})
    if kind == "block_actions" and not all(isinstance(action, dict) and isinstance(action.get("action_id"), str)
                                           for action in body.get("actions") or [None]):
        return BoltResponse(status=400, body={"error": "malformed payload: actions"})
    if kind in ("view_submission", "view_closed") and (problem := malformed_view(body.get("view"))):
        return BoltResponse(status=400, body={"error": f"malformed payload: {problem}"})
    return next()
