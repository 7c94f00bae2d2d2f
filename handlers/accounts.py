"""Client accounts in Slack: Add / Edit account modals, `/pushback accounts`, "Log to account" on a triage with
its outcome buttons, and the buttons on a QBR reminder (Snooze 1 day, Mark prepared, Change QBR date)."""

from __future__ import annotations

import logging
import re
from dataclasses import replace
from datetime import date
from functools import partial

from slack_bolt import App

from bot.accounts import (
    AccountDraft,
    AccountError,
    AccountRecord,
    OutcomeNotAllowed,
    accounts_for,
    add_account,
    delete_account,
    get_account,
    log_pushback,
    move_qbr,
    pushback_counts,
    set_outcome,
    update_account,
)
from bot.blocks.accounts import (
    ACTION_ACCOUNT_PICKER,
    ACTION_ADD_ACCOUNT,
    ACTION_CHANGE_DATE,
    ACTION_EDIT_ACCOUNT,
    ACTION_OUTCOME,
    ACTION_PREPARED,
    ACTION_SNOOZE,
    VIEW_ACCOUNT,
    VIEW_LOG_TO_ACCOUNT,
    VIEW_QBR_DATE,
    account_modal,
    account_options,
    accounts_list_message,
    log_to_account_modal,
    logged_message,
    no_accounts_modal,
    qbr_date_modal,
    reminder_done_message,
)
from bot.blocks.triage import ACTION_LOG_TO_ACCOUNT
from bot.copy import message
from bot.reminders.plan import load_reminder_copy
from bot.reminders.actions import mark_prepared, reminder_account_id, snooze
from bot.slack.answers import open_modal, say_privately
from bot.slack.delivery import post_in_thread_or_dm
from bot.slack.payloads import team_of, view_choices, view_metadata, view_option, view_string, view_text, view_users
from bot.slack.reminders import owner_timezone
from bot.slack.services import Services
from bot.slack.viewers import account_viewer, known_viewer
from bot.triage_store import TriageRecord, get_posted_triage, get_triage
from handlers.home import publish_home
from handlers.services import register_buttons, register_modals

logger = logging.getLogger(__name__)

FIELD_BLOCKS = {"owner_id": "owner_block", "next_qbr": "qbr_block", "cadence_months": "cadence_block",
                "teammates": "teammates_block", "scope_notes": "scope_block", "email_domain": "domain_block",
                "reminder_offsets": "offsets_block", "send_time": "send_time_block"}


def list_accounts(services: Services, respond, client, team_id: str, user_id: str) -> None:
    """`/pushback accounts`: the accounts the user may see, privately."""
    accounts = accounts_for(services.db, team_id, account_viewer(services, client, user_id))
    respond(response_type="ephemeral", **accounts_list_message(accounts, pushback_counts(services.db, accounts)))


def open_add_account(services: Services, body, client, respond):
    """Open the Add account modal."""
    account_viewer(services, client, body["user"]["id"])  # remembered for the submission's ack
    open_modal(client, respond, body["trigger_id"], account_modal())


def open_edit_account(services: Services, body, action, client, respond):
    """Open the Edit account modal for an account the user owns or shares."""
    value = action.get("value", "")
    viewer = account_viewer(services, client, body["user"]["id"])
    account = get_account(services.db, team_of(body), int(value), viewer) if value.isdigit() else None
    if account is None:
        say_privately(respond, message("unknown_action"))
        return
    open_modal(client, respond, body["trigger_id"], account_modal(account))


SAVED_ACCOUNT = "saved_account"  # what `save_account` tells its lazy listener through the context


def account_draft(view, team_id: str, owner: str) -> AccountDraft:
    """The Add / Edit account modal's fields as a draft for the store."""
    return AccountDraft(
        name=view_text(view, "name_block", "name_input"), owner_id=owner, team_id=team_id,
        next_qbr=view_string(view, "qbr_block", "qbr_input", "selected_date"),
        cadence_months=view_option(view, "cadence_block", "cadence_input") or 3,
        teammates=view_users(view, "teammates_block", "teammates_input"),
        scope_notes=view_text(view, "scope_block", "scope_input"),
        email_domain=view_text(view, "domain_block", "domain_input") or None,
        reminder_offsets=view_text(view, "offsets_block", "offsets_input") or None,
        send_time=view_text(view, "send_time_block", "send_time_input") or None,
    )


def save_account(services: Services, ack, body, view, client, context):
    """Save the Add / Edit account modal, or delete the account; problems are shown next to the field. Only the
    store is asked before the ack: whether the user is an admin comes from when they opened the modal, and the
    owner's Slack timezone is filled in after the ack (`after_account_saved`)."""
    db, team_id, user_id = services.db, team_of(body), body["user"]["id"]
    account_id = view_metadata(view).get("account_id")
    viewer = known_viewer(services, client.token, user_id) if isinstance(account_id, int) else user_id
    existing = get_account(db, team_id, account_id, viewer) if isinstance(account_id, int) else None
    if account_id is not None and existing is None:
        ack(response_action="errors", errors={"name_block": message("unknown_action")})
        return
    if existing is not None and "delete" in view_choices(view, "delete_block", "delete_input"):
        try:
            delete_account(db, team_id, existing.id, editor_id=viewer)
        except AccountError as error:
            ack(response_action="errors", errors={"delete_block": str(error)[:150]})
            return
        ack()
        logger.info("account deleted team=%s user=%s account=%s", team_id, user_id, existing.id)
        context[SAVED_ACCOUNT] = {"id": existing.id, "new_owner": False}
        return
    owner = (view_string(view, "owner_block", "owner_input", "selected_user") or existing.owner_id) if existing \
        else user_id
    draft = account_draft(view, team_id, owner)
    try:
        if not draft.next_qbr:
            raise AccountError("QBR date is needed: pick the next QBR.", "next_qbr")
        account = add_account(db, draft) if existing is None else update_account(db, existing.id, draft,
                                                                                 editor_id=viewer)
    except AccountError as error:
        ack(response_action="errors", errors={FIELD_BLOCKS.get(error.field, "name_block"): str(error)[:150]})
        return
    ack()
    logger.info("account saved team=%s user=%s account=%s", team_id, user_id, account.id)
    context[SAVED_ACCOUNT] = {"id": account.id, "new_owner": existing is None or owner != existing.owner_id}


def after_account_saved(services: Services, body, view, client, context):
    """After the ack of a saved (or deleted) account: its owner's Slack timezone when the owner is new to it,
    then the user's App Home again."""
    saved, team_id, user_id = context.get(SAVED_ACCOUNT), team_of(body), body["user"]["id"]
    if saved is None:
        return
    viewer = known_viewer(services, client.token, user_id)
    account = get_account(services.db, team_id, saved["id"], viewer)
    if account is not None and saved["new_owner"]:
        timezone = owner_timezone(client, account.owner_id)
        if timezone and timezone != account.owner_timezone:
            draft = replace(account_draft(view, team_id, account.owner_id), owner_timezone=timezone)
            update_account(services.db, account.id, draft, editor_id=viewer)
    publish_home(services, client, team_id, user_id)


def open_log_to_account(services: Services, body, action, client, respond):
    """Open the account picker for a triage, the likely account chosen already."""
    db, team_id, user_id = services.db, team_of(body), body["user"]["id"]
    value = action.get("value", "")
    record = get_posted_triage(db, int(value), team_id) if value.isdigit() else None
    if record is None:
        say_privately(respond, message("unknown_action"))
        return
    if record.user_id != user_id:
        say_privately(respond, message("not_yours", user=record.user_id))
        return
    accounts = accounts_for(db, team_id, user_id)
    if not accounts:
        open_modal(client, respond, body["trigger_id"], no_accounts_modal())
        return
    hint = (record.result or {}).get("account_id")
    suggested = next((account for account in accounts if account.id == hint), None)
    summary = (record.result or {}).get("summary") or ""
    open_modal(client, respond, body["trigger_id"], log_to_account_modal(record.id, summary, accounts, suggested))


def search_accounts(services: Services, ack, body):
    """The account picker's options as the user types: their own and shared accounts whose name contains it."""
    user_id = (body.get("user") or {}).get("id") or ""
    accounts = accounts_for(services.db, team_of(body), user_id) if user_id else []
    ack(options=account_options(accounts, str(body.get("value") or "")))


def chosen_for_log(services: Services, body, view) -> tuple[TriageRecord, AccountRecord] | None:
    """The triage the Log to account modal is for and the account picked, when both are the submitter's."""
    team_id, user_id = team_of(body), body["user"]["id"]
    triage_id = view_metadata(view).get("triage_id")
    chosen = view_option(view, "account_block", ACTION_ACCOUNT_PICKER)
    record = get_triage(services.db, triage_id, team_id) if isinstance(triage_id, int) else None
    account = get_account(services.db, team_id, int(chosen), user_id) if chosen.isdigit() else None
    if record is None or record.user_id != user_id or account is None:
        return None
    return record, account


def check_log_to_account(services: Services, ack, body, view):
    """Refuse a pick that is not the submitter's next to the field; otherwise close the modal."""
    if chosen_for_log(services, body, view) is None:
        ack(response_action="errors", errors={"account_block": message("unknown_action")})
        return
    ack()


def log_to_account(services: Services, body, view, client):
    """After the ack: log the triaged ask to the chosen account and post it in the triage's thread (or the DM)
    with outcome buttons."""
    chosen = chosen_for_log(services, body, view)
    if chosen is None:
        return
    record, account = chosen
    team_id, user_id = team_of(body), body["user"]["id"]
    summary = (record.result or {}).get("summary") or ", ".join(record.reasons) or record.verdict
    logged = log_pushback(services.db, team_id=team_id, account_id=account.id, user_id=user_id,
                          triage_id=record.id, summary=summary, verdict=record.verdict, reasons=record.reasons)
    logger.info("push-back logged team=%s user=%s triage=%s account=%s", team_id, user_id, record.id, account.id)
    if record.channel_id:
        post_in_thread_or_dm(client, services.guests, user_id, record.channel_id,
                             logged_message(logged.id, account.name, None), record.parent_ts,
                             dm_note={"text": message("logged_to_dm")})


def record_outcome(services: Services, body, action, client, respond):
    """Store what came of a logged push-back and show it on the message."""
    head, _, outcome = action.get("value", "").partition(":")
    team_id, user_id = team_of(body), body["user"]["id"]
    try:
        logged = set_outcome(services.db, team_id, int(head), user_id, outcome) if head.isdigit() else None
    except OutcomeNotAllowed as refused:
        say_privately(respond, message("outcome_not_yours", user=refused.logged_by))
        return
    except AccountError:
        logged = None
    if logged is None:
        say_privately(respond, message("unknown_action"))
        return
    account = get_account(services.db, team_id, logged.account_id)
    container = body.get("container") or {}
    client.chat_update(channel=container.get("channel_id"), ts=container.get("message_ts"),
                       **logged_message(logged.id, account.name if account else "the account", outcome))


def _reminder_id(action) -> int | None:
    value = action.get("value", "")
    return int(value) if value.isdigit() else None


def _update_reminder(client, body, note: str) -> None:
    container = body.get("container") or {}
    original = (body.get("message") or {}).get("blocks") or []
    client.chat_update(channel=container.get("channel_id"), ts=container.get("message_ts"),
                       **reminder_done_message(original, note))


def _on_reminder(services: Services, body, action, respond, change):
    """Apply `change(db, team, reminder_id, user)` to the reminder a button is on and return its result; None
    (and a private note) when the reminder is unknown or not the presser's."""
    reminder_id = _reminder_id(action)
    result = change(services.db, team_of(body), reminder_id, body["user"]["id"]) if reminder_id else None
    if result is None:
        say_privately(respond, message("unknown_action"))
    return result


def snooze_reminder(services: Services, body, action, client, respond):
    """Remind again in a day."""
    due = _on_reminder(services, body, action, respond, snooze)
    if due is not None:
        when = f"<!date^{int(due.timestamp())}^{{date_short_pretty}} at {{time}}|in a day>"
        _update_reminder(client, body, load_reminder_copy()["dm"]["snoozed"].format(when=when))


def prepared_reminder(services: Services, body, action, client, respond):
    """The owner is ready for this QBR: no more reminders for it."""
    if _on_reminder(services, body, action, respond, mark_prepared) is not None:
        _update_reminder(client, body, load_reminder_copy()["dm"]["prepared"])


def open_change_date(services: Services, body, action, client, respond):
    """Open a date picker to move the QBR."""
    team_id, user_id = team_of(body), body["user"]["id"]
    reminder_id = _reminder_id(action)
    account_id = reminder_account_id(services.db, team_id, reminder_id, user_id) if reminder_id else None
    account = get_account(services.db, team_id, account_id, user_id) if account_id else None
    if account is None or reminder_id is None:
        say_privately(respond, message("unknown_action"))
        return
    open_modal(client, respond, body["trigger_id"], qbr_date_modal(reminder_id, account.name, account.next_qbr))


MOVED_TO = "qbr_moved_to"  # what `move_qbr_date` tells its lazy listener through the context


def move_qbr_date(services: Services, ack, body, view, context):
    """Move the QBR (its pending reminders follow); a problem is shown next to the date."""
    db, team_id, user_id = services.db, team_of(body), body["user"]["id"]
    reminder_id = view_metadata(view).get("reminder_id")
    picked = view_string(view, "qbr_block", "qbr_input", "selected_date")
    account_id = reminder_account_id(db, team_id, reminder_id, user_id) if isinstance(reminder_id, int) else None
    if account_id is None or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", picked):
        ack(response_action="errors", errors={"qbr_block": message("unknown_action")})
        return
    try:
        account = move_qbr(db, team_id, account_id, date.fromisoformat(picked), editor_id=user_id)
    except (AccountError, ValueError) as error:
        ack(response_action="errors", errors={"qbr_block": str(error)[:150]})
        return
    ack()
    context[MOVED_TO] = account.next_qbr.isoformat()


def confirm_qbr_moved(services: Services, body, client, context):
    """After the ack: tell the owner by DM that the QBR moved."""
    if context.get(MOVED_TO):
        client.chat_postMessage(channel=body["user"]["id"],
                                text=load_reminder_copy()["dm"]["moved"].format(date=context[MOVED_TO]))


def register(app: App, services: Services) -> None:
    """Wire the account and reminder surfaces: buttons ack at once; modals are checked against the store in the
    ack; whatever asks Slack comes after."""
    register_buttons(app, services, (
        (ACTION_ADD_ACCOUNT, open_add_account), (ACTION_EDIT_ACCOUNT, open_edit_account),
        (ACTION_LOG_TO_ACCOUNT, open_log_to_account), (re.compile(f"^{ACTION_OUTCOME}_"), record_outcome),
        (ACTION_SNOOZE, snooze_reminder), (ACTION_PREPARED, prepared_reminder), (ACTION_CHANGE_DATE, open_change_date),
    ))
    register_modals(app, services, (
        (VIEW_ACCOUNT, save_account, after_account_saved),
        (VIEW_LOG_TO_ACCOUNT, check_log_to_account, log_to_account),
        (VIEW_QBR_DATE, move_qbr_date, confirm_qbr_moved),
    ))
    app.options(ACTION_ACCOUNT_PICKER)(partial(search_accounts, services))
