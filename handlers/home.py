"""App Home: published whenever the user opens the Home tab; and the workspace's switch for the language model,
which only its admins and owners may turn on or off."""

from __future__ import annotations

import logging
import re
from datetime import timedelta
from urllib.parse import urlparse

from slack_bolt import App

from bot.accounts import accounts_for, pushback_counts
from bot.blocks.accounts import accounts_home_section
from bot.blocks.home import ACTION_MODEL_WRITER_OFF, ACTION_MODEL_WRITER_ON, home_view, model_writer_section
from bot.model_opt_in import model_opt_in, set_model_opt_in
from bot.models import utcnow
from bot.reminders.actions import failed_reminders
from bot.slack.payloads import team_of
from bot.slack.services import Services
from bot.slack.viewers import account_viewer
from bot.triage_store import reason_counts, recent_triages
from handlers.services import acknowledge, after_ack, register_buttons

REASON_WINDOW = timedelta(days=90)
MODEL_WRITER_SWITCH = re.compile(f"^({ACTION_MODEL_WRITER_ON}|{ACTION_MODEL_WRITER_OFF})$")

logger = logging.getLogger(__name__)


def publish_home(services: Services, client, team_id: str, user_id: str) -> None:
    """Build and publish the user's App Home: recent triages, reasons, their client accounts, and, when a language
    model is configured, the workspace's switch for it."""
    db = services.db
    viewer = account_viewer(services, client, user_id)
    accounts = accounts_for(db, team_id, viewer)
    extra = accounts_home_section(accounts, pushback_counts(db, accounts), failed_reminders(db, team_id, user_id))
    llm = services.settings.llm
    if services.writer is not None:  # only when a model is configured
        extra += model_writer_section(llm.model or "", urlparse(llm.base_url or "").hostname or "",
                                      model_opt_in(db, team_id), can_change=viewer is None)
    view = home_view(recent_triages(db, team_id, user_id),
                     reason_counts(db, team_id, user_id, since=utcnow() - REASON_WINDOW), extra)
    client.views_publish(user_id=user_id, view=view)


def app_home_opened(services: Services, event, client, context):
    """After Bolt's ack: publish App Home when its Home tab is opened."""
    if event.get("tab", "home") != "home":
        return
    publish_home(services, client, context.get("team_id") or "", event["user"])


def switch_model_writer(services: Services, body, action, client):
    """Turn the language model on or off for the workspace, when the presser is one of its admins or owners (asked
    of Slack); anyone else changes nothing. App Home is published again either way, showing the switch as it is."""
    team_id, user_id = team_of(body), body["user"]["id"]
    turn_on = action["action_id"] == ACTION_MODEL_WRITER_ON
    if services.writer is None:
        logger.warning("model writer switch pressed with no model configured team=%s user=%s", team_id, user_id)
    elif account_viewer(services, client, user_id) is not None:
        logger.warning("model writer switch refused: not an admin team=%s user=%s", team_id, user_id)
    else:
        set_model_opt_in(services.db, team_id, turn_on, user_id)
        logger.info("model writer turned %s team=%s user=%s", "on" if turn_on else "off", team_id, user_id)
    publish_home(services, client, team_id, user_id)


def register(app: App, services: Services) -> None:
    """Wire the App Home event and the language model's switch."""
    app.event("app_home_opened")(ack=acknowledge, lazy=[after_ack(services, app_home_opened)])
    register_buttons(app, services, ((MODEL_WRITER_SWITCH, switch_model_writer),))
