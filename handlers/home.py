"""App Home: published whenever the user opens the Home tab."""

from __future__ import annotations

from datetime import timedelta

from slack_bolt import App

from bot.accounts import accounts_for, pushback_counts
from bot.blocks.accounts import accounts_home_section
from bot.blocks.home import home_view
from bot.models import utcnow
from bot.reminders import failed_reminders
from bot.slack.services import Services
from bot.slack.viewers import account_viewer
from bot.triages import reason_counts, recent_triages
from handlers.services import acknowledge, after_ack

REASON_WINDOW = timedelta(days=90)


def publish_home(services: Services, client, team_id: str, user_id: str) -> None:
    """Build and publish the user's App Home: recent triages, reasons, and their client accounts."""
    db = services.db
    accounts = accounts_for(db, team_id, account_viewer(services, client, user_id))
    extra = accounts_home_section(accounts, pushback_counts(db, accounts), failed_reminders(db, team_id, user_id))
    view = home_view(recent_triages(db, team_id, user_id),
                     reason_counts(db, team_id, user_id, since=utcnow() - REASON_WINDOW), extra)
    client.views_publish(user_id=user_id, view=view)


def app_home_opened(services: Services, event, client, context):
    """After Bolt's ack: publish App Home when its Home tab is opened."""
    if event.get("tab", "home") != "home":
        return
    publish_home(services, client, context.get("team_id") or "", event["user"])


def register(app: App, services: Services) -> None:
    """Wire the App Home event."""
    app.event("app_home_opened")(ack=acknowledge, lazy=[after_ack(services, app_home_opened)])
