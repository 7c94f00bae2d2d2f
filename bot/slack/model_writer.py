"""The language model in Slack: a workspace's replies are written by the configured model only once one of its
admins has turned it on in App Home. The offline triage is posted at once; then, still after the ack on the
listener executor, the model writes the reply inside its guards and the same message is updated in place. Warmer
and Firmer ask the model again in that tone. Whatever fails, the offline reply stays, and the log has ids only."""

from __future__ import annotations

import logging
from typing import Any

from slack_sdk import WebClient

from bot.accounts import writer_context
from bot.blocks.triage import triage_message
from bot.model_opt_in import model_opt_in
from bot.slack.services import Services
from bot.triage import AccountContext, TriageResult, with_tone
from bot.triage.writer import Writer, write
from bot.triage_store import TriageRecord, store_rewritten

logger = logging.getLogger(__name__)


def workspace_writer(services: Services, team_id: str) -> Writer | None:
    """The model's writer when one is configured and the workspace has turned it on; else None (offline)."""
    if services.writer is None or not model_opt_in(services.db, team_id).on:
        return None
    return services.writer


def _account(services: Services, team_id: str, result: dict[str, Any]) -> AccountContext | None:
    """The account the triage was matched to, with its scope notes and this quarter's push-backs."""
    account_id = result.get("account_id")
    return writer_context(services.db, team_id, account_id) if isinstance(account_id, int) else None


def _written(services: Services, writer: Writer, team_id: str, offline: TriageResult, text: str,
             result: dict[str, Any], request_id: str) -> dict[str, Any]:
    """The stored result with the model's reply inside the guards, or the offline one when the model gave none
    usable (keeping what the stored result adds, such as its account)."""
    written = write(offline, text, writer, account=_account(services, team_id, result), request_id=request_id)
    return {**result, **written.to_dict()}


def rewrite_posted_triage(client: WebClient, services: Services, *, team_id: str, triage_id: int, text: str,
                          result: dict[str, Any], channel_id: str | None, ts: str | None, request_id: str) -> None:
    """When the workspace has the model on: ask it to write the reply of the triage just posted (and stored) at
    `channel_id`/`ts`, then store the model's version and update the message with it. Nothing changes when the
    model fails, or when the user has already pressed a button on the triage."""
    ids = f"team={team_id} triage={triage_id} request={request_id}"
    try:
        _rewrite(client, services, team_id, triage_id, text, result, channel_id, ts, request_id, ids)
    except Exception as error:  # noqa: BLE001 - the offline triage is posted and stored; the log has the ids
        logger.warning("model reply not shown %s error=%s", ids, type(error).__name__)


def _rewrite(client: WebClient, services: Services, team_id: str, triage_id: int, text: str, result: dict[str, Any],
             channel_id: str | None, ts: str | None, request_id: str, ids: str) -> None:
    writer = workspace_writer(services, team_id)
    if writer is None or not channel_id or not ts:
        return
    shown = _written(services, writer, team_id, TriageResult.from_dict(result), text, result, request_id)
    if shown.get("writer") != "model":
        return
    if not store_rewritten(services.db, triage_id, shown):
        logger.info("model reply not shown: the triage changed meanwhile or is not stored %s", ids)
        return
    try:
        client.chat_update(channel=channel_id, ts=ts, **triage_message(triage_id, shown))
    except Exception as error:  # noqa: BLE001 - the offline reply stays shown, and stored
        logger.warning("model reply not shown: chat.update failed %s error=%s", ids, type(error).__name__)
        store_rewritten(services.db, triage_id, result, only_if_untouched=False)


def retoned(services: Services, team_id: str, record: TriageRecord, tone: str, request_id: str) -> dict[str, Any]:
    """The triage's result with its reply in `tone`: written again by the model when the workspace has it on and
    the client's text is still kept, else (or when the model gives nothing usable) re-rendered offline."""
    stored = record.result or {}
    offline = with_tone(TriageResult.from_dict(stored), tone)
    writer = workspace_writer(services, team_id)
    if writer is None or not record.request_text:
        return {**stored, **offline.to_dict()}
    return _written(services, writer, team_id, offline, record.request_text, stored, request_id)
