"""Client accounts in Slack: Add / Edit account modals, `/pushback accounts`, "Log to account" on a triage with
its outcome buttons, and the buttons on a QBR reminder (Snooze 1 day, Mark prepared, Change QBR date)."""

from __future__ import annotations

import logging
import re
from datetime import date

from slack_bolt import App
from slack_sdk.errors import SlackApiError

from bot.accounts import (
    AccountDraft,
    AccountError,
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
from bot.reminder_plan import load_reminder_copy
from bot.reminder_slack import owner_timezone
from bot.reminders import mark_prepared, reminder_account_id, snooze
from bot.triages import get_posted_triage, get_triage
from handlers.after_ack import acked_promptly
from handlers.delivery import post_in_thread_or_dm
from handlers.home import publish_home
from handlers.payloads import (
    team_of,
    view_choices,
    view_metadata,
    view_option,
    view_string,
    view_text,
    view_users,
)

logger = logging.getLogger(__name__)

FIELD_BLOCKS = {"owner_id": "owner_block", "next_qbr": "qbr_block", "cadence_months": "cadence_block",
                "teammates": "teammates_block", "scope_notes": "scope_block", "email_domain": "domain_block",
                "reminder_offsets": "offsets_block", "send_time": "send_time_block"}


def _say_privately(respond, text: str) -> None:
    respond(response_type="ephemeral", replace_original=False, text=text)


def _open(client, respond, trigger_id: str, view: dict) -> None:
    """Open a modal; an expired trigger gets a "please try again"."""
    try:
        client.views_open(trigger_id=trigger_id, view=view)
    except SlackApiError as error:
        if error.response.get("error") != "expired_trigger_id":
            raise
        _say_privately(respond, message("try_again"))


def account_viewer(client, user_id: str) -> str | None:
    """Whose accounts a user may see and edit: their own and shared ones (their id), or, for a workspace admin or
    owner, every account of the workspace (None)."""
    try:
        user = client.users_info(user=user_id)["user"]
    except Exception:  # noqa: BLE001 - when Slack cannot say, the narrower view is the safe one
        return user_id
    return None if user.get("is_admin") or user.get("is_owner") else user_id


def list_accounts(respond, client, db, team_id: str, user_id: str) -> None:
    """`/pushback accounts`: the accounts the user may see, privately."""
    accounts = accounts_for(db, team_id, account_viewer(client, user_id))
    respond(response_type="ephemeral", **accounts_list_message(accounts, pushback_counts(db, accounts)))


def open_add_account(ack, body, client, respond):
    """Open the Add account modal."""
    ack()
    _open(client, respond, body["trigger_id"], account_modal())


def open_edit_account(ack, body, action, client, context, respond):
    """Open the Edit account modal for an account the user owns or shares."""
    ack()
    value = action.get("value", "")
    viewer = account_viewer(client, body["user"]["id"])
    account = get_account(context["db"], team_of(body), int(value), viewer) if value.isdigit() else None
    if account is None:
        _say_privately(respond, message("unknown_action"))
        return
    _open(client, respond, body["trigger_id"], account_modal(account))


def submit_account(ack, body, view, client, context):
    """Save the Add / Edit account modal; problems are shown next to the field."""
    db, team_id, user_id = context["db"], team_of(body), body["user"]["id"]
    account_id = view_metadata(view).get("account_id")
    viewer = account_viewer(client, user_id) if isinstance(account_id, int) else user_id
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
        publish_home(client, db, team_id, user_id)
        return
    owner = (view_string(view, "owner_block", "owner_input", "selected_user") or existing.owner_id) if existing \
        else user_id
    draft = AccountDraft(
        name=view_text(view, "name_block", "name_input"), owner_id=owner, team_id=team_id,
        next_qbr=view_string(view, "qbr_block", "qbr_input", "selected_date"),
        cadence_months=view_option(view, "cadence_block", "cadence_input") or 3,
        teammates=view_users(view, "teammates_block", "teammates_input"),
        scope_notes=view_text(view, "scope_block", "scope_input"),
        email_domain=view_text(view, "domain_block", "domain_input") or None,
        reminder_offsets=view_text(view, "offsets_block", "offsets_input") or None,
        send_time=view_text(view, "send_time_block", "send_time_input") or None,
    )
    try:
        if not draft.next_qbr:
            raise AccountError("QBR date is needed: pick the next QBR.", "next_qbr")
        if existing is None:
            draft.owner_timezone = owner_timezone(client, owner)
            account = add_account(db, draft)
        else:
            if owner != existing.owner_id:
                draft.owner_timezone = owner_timezone(client, owner)
            account = update_account(db, existing.id, draft, editor_id=viewer)
    except AccountError as error:
        ack(response_action="errors", errors={FIELD_BLOCKS.get(error.field, "name_block"): str(error)[:150]})
        return
    ack()
    logger.info("account saved team=%s user=%s account=%s", team_id, user_id, account.id)
    publish_home(client, db, team_id, user_id)


def open_log_to_account(ack, body, action, client, context, respond):
    """Open the account picker for a triage, the likely account chosen already."""
    ack()
    db, team_id, user_id = context["db"], team_of(body), body["user"]["id"]
    value = action.get("value", "")
    record = get_posted_triage(db, int(value), team_id) if value.isdigit() else None
    if record is None:
        _say_privately(respond, message("unknown_action"))
        return
    if record.user_id != user_id:
        _say_privately(respond, message("not_yours", user=record.user_id))
        return
    accounts = accounts_for(db, team_id, user_id)
    if not accounts:
        _open(client, respond, body["trigger_id"], no_accounts_modal())
        return
    hint = (record.result or {}).get("account_id")
    suggested = next((account for account in accounts if account.id == hint), None)
    summary = (record.result or {}).get("summary") or ""
    _open(client, respond, body["trigger_id"], log_to_account_modal(record.id, summary, accounts, suggested))


def search_accounts(ack, body, context):
    """The account picker's options as the user types: their own and shared accounts whose name contains it."""
    user_id = (body.get("user") or {}).get("id") or ""
    accounts = accounts_for(context["db"], team_of(body), user_id) if user_id else []
    ack(options=account_options(accounts, str(body.get("value") or "")))


def submit_log_to_account(ack, body, view, client, context):
    """Log the triaged ask to the chosen account and post it in the triage's thread with outcome buttons."""
    db, team_id, user_id = context["db"], team_of(body), body["user"]["id"]
    triage_id = view_metadata(view).get("triage_id")
    chosen = view_option(view, "account_block", ACTION_ACCOUNT_PICKER)
    record = get_triage(db, triage_id, team_id) if isinstance(triage_id, int) else None
    account = get_account(db, team_id, int(chosen), user_id) if chosen.isdigit() else None
    if record is None or record.user_id != user_id or account is None:
        ack(response_action="errors", errors={"account_block": message("unknown_action")})
        return
    ack()
    summary = (record.result or {}).get("summary") or ", ".join(record.reasons) or record.verdict
    logged = log_pushback(db, team_id=team_id, account_id=account.id, user_id=user_id, triage_id=record.id,
                          summary=summary, verdict=record.verdict, reasons=record.reasons)
    logger.info("push-back logged team=%s user=%s triage=%s account=%s", team_id, user_id, record.id, account.id)
    if record.channel_id:
        post_in_thread_or_dm(client, user_id, record.channel_id, logged_message(logged.id, account.name, None),
                             record.parent_ts, dm_note={"text": message("logged_to_dm")})


def record_outcome(ack, body, action, client, context, respond):
    """Store what came of a logged push-back and show it on the message."""
    ack()
    head, _, outcome = action.get("value", "").partition(":")
    team_id, user_id = team_of(body), body["user"]["id"]
    try:
        logged = set_outcome(context["db"], team_id, int(head), user_id, outcome) if head.isdigit() else None
    except OutcomeNotAllowed as refused:
        _say_privately(respond, message("outcome_not_yours", user=refused.logged_by))
        return
    except AccountError:
        logged = None
    if logged is None:
        _say_privately(respond, message("unknown_action"))
        return
    account = get_account(context["db"], team_id, logged.account_id)
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


def _on_reminder(body, action, context, respond, change):
    """Apply `change(db, team, reminder_id, user)` to the reminder a button is on and return its result; None
    (and a private note) when the reminder is unknown or not the presser's."""
    reminder_id = _reminder_id(action)
    result = change(context["db"], team_of(body), reminder_id, body["user"]["id"]) if reminder_id else None
    if result is None:
        _say_privately(respond, message("unknown_action"))
    return result


def snooze_reminder(ack, body, action, client, context, respond):
    """Remind again in a day."""
    ack()
    due = _on_reminder(body, action, context, respond, snooze)
    if due is not None:
        when = f"<!date^{int(due.timestamp())}^{{date_short_pretty}} at {{time}}|in a day>"
        _update_reminder(client, body, load_reminder_copy()["dm"]["snoozed"].format(when=when))


def prepared_reminder(ack, body, action, client, context, respond):
    """The owner is ready for this QBR: no more reminders for it."""
    ack()
    if _on_reminder(body, action, context, respond, mark_prepared) is not None:
        _update_reminder(client, body, load_reminder_copy()["dm"]["prepared"])


def open_change_date(ack, body, action, client, context, respond):
    """Open a date picker to move the QBR."""
    ack()
    team_id, user_id = team_of(body), body["user"]["id"]
    reminder_id = _reminder_id(action)
    account_id = reminder_account_id(context["db"], team_id, reminder_id, user_id) if reminder_id else None
    account = get_account(context["db"], team_id, account_id, user_id) if account_id else None
    if account is None:
        _say_privately(respond, message("unknown_action"))
        return
    _open(client, respond, body["trigger_id"], qbr_date_modal(reminder_id, account.name, account.next_qbr))


def submit_qbr_date(ack, body, view, client, context):
    """Move the QBR; its pending reminders follow."""
    db, team_id, user_id = context["db"], team_of(body), body["user"]["id"]
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
    client.chat_postMessage(channel=user_id,
                            text=load_reminder_copy()["dm"]["moved"].format(date=account.next_qbr.isoformat()))


def register(app: App) -> None:
    """Wire the account and reminder surfaces."""
    app.action(ACTION_ADD_ACCOUNT)(acked_promptly(open_add_account))
    app.action(ACTION_EDIT_ACCOUNT)(acked_promptly(open_edit_account))
    app.view(VIEW_ACCOUNT)(acked_promptly(submit_account))
    app.action(ACTION_LOG_TO_ACCOUNT)(acked_promptly(open_log_to_account))
    app.view(VIEW_LOG_TO_ACCOUNT)(acked_promptly(submit_log_to_account))
    app.options(ACTION_ACCOUNT_PICKER)(search_accounts)
    app.action(re.compile(f"^{ACTION_OUTCOME}_"))(acked_promptly(record_outcome))
    app.action(ACTION_SNOOZE)(acked_promptly(snooze_reminder))
    app.action(ACTION_PREPARED)(acked_promptly(prepared_reminder))
    app.action(ACTION_CHANGE_DATE)(acked_promptly(open_change_date))
    app.view(VIEW_QBR_DATE)(acked_promptly(submit_qbr_date))
