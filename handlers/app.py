"""The Bolt app: built from settings and a store, with every surface registered."""

from __future__ import annotations

import logging
import re
import uuid

from slack_bolt import App, BoltResponse
from slack_bolt.middleware import Middleware
from slack_bolt.oauth import OAuthFlow
from slack_bolt.oauth.oauth_settings import OAuthSettings

from bot.db import Database
from bot.replays import ReplayGuard
from bot.settings import Settings
from bot.slack_api import make_web_client
from bot.workspaces import bot_scopes, installation_store, oauth_state_store
from handlers import accounts, actions, commands, home, shortcuts, views
from handlers.after_ack import acked_promptly, report_failure
from handlers.payloads import malformed_view

SURFACES = (commands, shortcuts, actions, views, home, accounts)


def create_app(settings: Settings, db: Database) -> App:
    """A Bolt app wired to `db`, with each surface's `register(app)` applied.

    The bot token is checked with Slack on the first request rather than at start, so an instance starts (and
    answers /healthz) while Slack is unreachable."""
    app = App(
        client=make_web_client(settings),
        signing_secret=settings.slack_signing_secret or "",
        request_verification_enabled=not settings.socket_mode,
        token_verification_enabled=False,
        oauth_flow=_oauth_flow(settings, db) if settings.oauth_enabled else None,
        logger=logging.getLogger("slack_bolt"),
        process_before_response=True,  # every listener returns once it has acked: see handlers.after_ack
    )
    if settings.oauth_enabled:
        app.enable_token_revocation_listeners()

    def provide_services(request, next):
        """Hand the store, the settings and a request id to every listener through its context."""
        context = request.context
        context["db"] = db
        context["settings"] = settings
        context["request_id"] = uuid.uuid4().hex[:12]
        next()

    middlewares = [ignore_slack_retries, refuse_malformed_payloads, provide_services]
    if not settings.socket_mode:
        middlewares.insert(2, refuse_replays(ReplayGuard(db)))
    for middleware in middlewares:
        app.use(CalledDirectly(middleware))
    app.error(report_failure)
    for surface in SURFACES:
        surface.register(app)
    app.action(re.compile(".*"))(acked_promptly(actions.unknown_action))
    return app


def _oauth_flow(settings: Settings, db: Database) -> OAuthFlow:
    """Slack's install flow at /slack/install and /slack/oauth_redirect, kept in our database."""
    store = installation_store(settings, db)
    return OAuthFlow(
        client=make_web_client(settings, token=None),
        settings=OAuthSettings(
            client_id=settings.slack_client_id, client_secret=settings.slack_client_secret, scopes=list(bot_scopes()),
            installation_store=store, installation_store_bot_only=True, state_store=oauth_state_store(db),
        ),
    )


class CalledDirectly(Middleware):
    """A global middleware that is a plain function of the request and `next`, called as such. Bolt calls a
    function middleware through its argument injection, which builds some thirty candidate arguments (the payload
    read six ways, say, respond, ...) for every call of every middleware, on every request."""

    def __init__(self, function) -> None:
        self.function = function

    def process(self, *, req, resp, next):  # Bolt's own names for its arguments
        return self.function(req, next)


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
