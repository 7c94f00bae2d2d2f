"""The Bolt app: built from settings and a store, with every surface registered."""

from __future__ import annotations

import logging

from slack_bolt import App

from bot.db import Database
from bot.settings import Settings
from bot.slack_api import make_web_client
from handlers import commands

logger = logging.getLogger(__name__)

SURFACES = (commands,)


def create_app(settings: Settings, db: Database) -> App:
    """A Bolt app wired to `db`, with each surface's `register(app)` applied."""
    app = App(
        client=make_web_client(settings),
        signing_secret=settings.slack_signing_secret or "",
        request_verification_enabled=not settings.socket_mode,
        logger=logging.getLogger("slack_bolt"),
    )

    def provide_services(context, next):
        """Hand the store and settings to every listener through its context."""
        context["db"] = db
        context["settings"] = settings
        next()

    app.use(provide_services)
    for surface in SURFACES:
        surface.register(app)
    return app
