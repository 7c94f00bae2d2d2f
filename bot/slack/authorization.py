"""Authorizing requests without ever making Slack's answer wait on Slack.

Bolt's own single-workspace authorization calls `auth.test` on the first request of each process, before any
listener acks (a slow Slack makes that first ack late), and turns any failure of it, a passing 500 included, into
"Please reinstall this app". Here the token's identity (team, bot user, workspace URL) is learned in the
background, at start and again after a failure; until it is known a request is authorized with the token alone.
Only Slack saying the token itself is dead (revoked, invalid) makes requests answer that the app needs reinstalling.
With OAuth installs (`StoredBotAuthorize`), the workspace's bot is read from our installation store, which holds
its ids already; Bolt's default would call `auth.test` on every request.
"""

from __future__ import annotations

import logging
import threading
import time

from slack_bolt import BoltContext
from slack_bolt.authorization import AuthorizeResult
from slack_bolt.authorization.authorize import Authorize
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.oauth.installation_store import InstallationStore
from slack_sdk.web import SlackResponse

logger = logging.getLogger(__name__)

RETRY_SECONDS = 30.0
DEAD_TOKEN_ERRORS = {"invalid_auth", "not_authed", "account_inactive", "token_revoked", "token_expired"}


class BotIdentity:
    """The bot token's `auth.test` answer, asked in a background thread; `authorize` is Bolt's `authorize`."""

    def __init__(self, client: WebClient, retry_seconds: float = RETRY_SECONDS) -> None:
        self.client = client
        self.retry_seconds = retry_seconds
        self._lock = threading.Lock()
        self._known: SlackResponse | None = None
        self._dead = False
        self._asking = False
        self._next_try = 0.0

    @property
    def known(self) -> bool:
        """True once Slack has said who the token is."""
        with self._lock:
            return self._known is not None

    def learn_in_background(self) -> None:
        """Ask Slack who the token is, in a thread of its own, unless it is known, being asked, or was asked
        less than `retry_seconds` ago."""
        with self._lock:
            if self._known is not None or self._asking or time.monotonic() < self._next_try:
                return
            self._asking = True
        threading.Thread(target=self._ask, name="bot-identity", daemon=True).start()

    def _ask(self) -> None:
        known, dead = None, False
        try:
            known = self.client.auth_test()
        except SlackApiError as error:
            dead = error.response.get("error") in DEAD_TOKEN_ERRORS
            logger.warning("auth.test refused (%s); asked again in %ss", error.response.get("error"),
                           self.retry_seconds)
        except Exception as error:  # noqa: BLE001 - Slack unreachable: asked again later
            logger.warning("auth.test failed (%s); asked again in %ss", type(error).__name__, self.retry_seconds)
        with self._lock:
            self._known, self._dead, self._asking = known, dead, False
            self._next_try = time.monotonic() + self.retry_seconds

    def authorize(self, enterprise_id: str | None, team_id: str | None) -> AuthorizeResult | None:
        """The request's authorization: the token with its identity when known, the token alone until then, and
        None (Bolt then says to reinstall) only when Slack said the token is dead."""
        self.learn_in_background()
        with self._lock:
            known, dead = self._known, self._dead
        if known is not None:
            return AuthorizeResult.from_auth_test_response(auth_test_response=known, bot_token=self.client.token)
        if dead:
            return None
        return AuthorizeResult(enterprise_id=enterprise_id, team_id=team_id, bot_token=self.client.token)


class StoredBotAuthorize(Authorize):
    """Bolt's `authorize` for OAuth installs: the workspace's bot as the installation store keeps it (token, ids,
    scopes), with no call to Slack. An uninstalled workspace has no bot left there (the token revocation
    listeners delete it), so Bolt says to reinstall."""

    def __init__(self, store: InstallationStore) -> None:
        self.store = store

    def __call__(self, *, context: BoltContext, enterprise_id: str | None, team_id: str | None,
                 user_id: str | None, actor_enterprise_id: str | None = None, actor_team_id: str | None = None,
                 actor_user_id: str | None = None) -> AuthorizeResult | None:
        """The request's authorization from the stored bot, or None when the workspace has none."""
        bot = self.store.find_bot(enterprise_id=enterprise_id, team_id=team_id,
                                  is_enterprise_install=context.is_enterprise_install)
        if bot is None:
            return None
        return AuthorizeResult(enterprise_id=bot.enterprise_id, team_id=bot.team_id, bot_token=bot.bot_token,
                               bot_id=bot.bot_id, bot_user_id=bot.bot_user_id, bot_scopes=bot.bot_scopes)
