"""Workspaces: which bot token speaks for a team, whether one workspace (a configured token) or many (OAuth).

Installations are kept by slack_sdk's SQLAlchemy installation store in our own database; tables come from our
Alembic migrations.
"""

from __future__ import annotations

import json
from functools import lru_cache

from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore

from bot.datafiles import MANIFEST_FILE
from bot.db import Database
from bot.settings import Settings

MANIFEST = MANIFEST_FILE
OAUTH_STATE_SECONDS = 600


@lru_cache(maxsize=1)
def bot_scopes() -> tuple[str, ...]:
    """The bot scopes the app asks for, read from manifest.json so there is one list."""
    manifest = json.loads(MANIFEST.read_text(encoding="utf-8"))
    return tuple(manifest["oauth_config"]["scopes"]["bot"])


def installation_store(settings: Settings, db: Database) -> SQLAlchemyInstallationStore:
    """slack_sdk's installation store on our database."""
    return SQLAlchemyInstallationStore(client_id=settings.slack_client_id or "", engine=db.engine)


def oauth_state_store(db: Database) -> SQLAlchemyOAuthStateStore:
    """slack_sdk's OAuth state store on our database."""
    return SQLAlchemyOAuthStateStore(expiration_seconds=OAUTH_STATE_SECONDS, engine=db.engine)


class TokenDirectory:
    """Finds the bot token for a team: the configured one, or the team's installation under OAuth."""

    def __init__(self, settings: Settings, db: Database) -> None:
        self.settings = settings
        self.store = installation_store(settings, db) if settings.oauth_enabled else None

    def bot_token(self, team_id: str | None) -> str | None:
        """The team's bot token, or None when the app is not installed there."""
        if self.store is None:
            return self.settings.slack_bot_token
        bot = self.store.find_bot(enterprise_id=None, team_id=team_id)
        return bot.bot_token if bot else None
