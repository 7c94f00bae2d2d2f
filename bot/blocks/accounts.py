"""Block Kit for client accounts and QBR reminders: the reminder DM, the account modals, the App Home section,
the log-to-account flow. Pure functions returning dicts; client words always go in plain text, and every string a
user typed (account names, errors) is escaped wherever Slack reads mrkdwn, the message's fallback `text` included."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date
from typing import Any

from bot.accounts import AccountRecord, outcomes
from bot.blocks.kit import (
    MESSAGE_BLOCK_LIMIT,
    MODAL_TITLE_LIMIT,
    OPTION_TEXT_LIMIT,
    PRIVATE_METADATA_LIMIT,
    Block,
    actions,
    button,
    cap_blocks,
    context,
    divider,
    escape_mrkdwn,
    header,
    plain,
    plain_section,
    section,
    shorten,
)
from bot.copy import reason_title
from bot.reminders.plan import load_reminder_copy
from bot.reminders.actions import ReminderProblem
from bot.reminders.tick import METADATA_EVENT, ReminderDM

ACTION_SNOOZE = "reminder_snooze"
ACTION_PREPARED = "reminder_prepared"
ACTION_CHANGE_DATE = "reminder_change_date"
ACTION_ADD_ACCOUNT = "account_add"
ACTION_EDIT_ACCOUNT = "account_edit"
ACTION_OUTCOME = "pushback_outcome"
VIEW_ACCOUNT = "account_submit"
VIEW_QBR_DATE = "qbr_date_submit"
VIEW_LOG_TO_ACCOUNT = "log_to_account_submit"
ACTION_ACCOUNT_PICKER = "account_input"
ACCOUNTS_SHOWN = 15
ASKS_PER_REASON = 5
SELECT_OPTIONS_LIMIT = 100


def _metadata(values: dict[str, Any]) -> str:
    encoded = json.dumps(values, separators=(",", ":"))
    if len(encoded) > PRIVATE_METADATA_LIMIT:
        raise ValueError("private metadata over Slack's limit")
    return encoded


def _days_phrase(days: int) -> str:
    return "1 day" if days == 1 else f"{days} days"


def _slack_date(day: date) -> str:
    return day.strftime("%a %d %b %Y")


def reminder_message(dm: ReminderDM) -> dict[str, Any]:
    """The QBR reminder DM: the account and date, this quarter's push-backs by reason, a flag when there were
    many, a checklist, an agenda item, and Snooze / Mark prepared / Change QBR date."""
    copy = load_reminder_copy()
    words = copy["dm"]
    name = escape_mrkdwn(dm.account_name)
    intro = (words["intro_today"] if dm.days_before == 0 else words["intro"]).format(
        account=name, days=_days_phrase(dm.days_before))
    blocks: list[Block] = [header(shorten(words["title"].format(account=dm.account_name,
                                                                 date=_slack_date(dm.qbr_date)), 150)),
                           section(intro), divider(), section(words["pushbacks_heading"])]
    if dm.pushbacks:
        by_reason: dict[str, list[str]] = {}
        for pushback in dm.pushbacks:
            for reason in pushback.reasons or ["other"]:
                by_reason.setdefault(reason, []).append(pushback.summary or words["summary_expired"])
        for reason, count in dm.reasons.most_common():
            blocks.append(section(f"*{reason_title(reason)}*: {count}"))
            asks = by_reason[reason]
            listed = "\n".join(f"• {ask}" for ask in asks[:ASKS_PER_REASON])
            if len(asks) > ASKS_PER_REASON:
                listed += f"\n…and {len(asks) - ASKS_PER_REASON} more"
            blocks.append(plain_section(listed))
        if dm.frequent:
            blocks.append(section(words["frequent"].format(count=len(dm.pushbacks))))
    else:
        blocks.append(context(words["no_pushbacks"].format(account=name)))
    checklist = "\n".join(f"☐ {item}" for item in words["checklist"])
    blocks += [divider(), section(f"{words['checklist_heading']}\n{checklist}"),
               section(f"{words['agenda_heading']}\n{words['agenda']}")]
    blocks = cap_blocks(blocks, MESSAGE_BLOCK_LIMIT - 1)
    buttons = copy["buttons"]
    value = str(dm.reminder_id)
    blocks.append(actions(f"reminder_{dm.reminder_id}", button(buttons["snooze"], ACTION_SNOOZE, value),
                          button(buttons["prepared"], ACTION_PREPARED, value, style="primary"),
                          button(buttons["change_date"], ACTION_CHANGE_DATE, value)))
    return {
        "text": words["fallback_text"].format(account=name, date=_slack_date(dm.qbr_date)),
        "blocks": blocks,
        "metadata": {"event_type": METADATA_EVENT, "event_payload": {"reminder_id": dm.reminder_id}},
    }


def reminder_done_message(original_blocks: list[Block], note: str) -> dict[str, Any]:
    """The reminder DM after a button: the same content, the buttons replaced by what happened."""
    kept = [block for block in original_blocks if block.get("type") != "actions"]
    return {"text": note, "blocks": cap_blocks(kept + [context(note)], MESSAGE_BLOCK_LIMIT)}


def qbr_date_modal(reminder_id: int, account_name: str, current: date) -> dict[str, Any]:
    """A modal with a date picker to move the QBR."""
    return {
        "type": "modal", "callback_id": VIEW_QBR_DATE,
        "title": plain("Change QBR date", MODAL_TITLE_LIMIT), "submit": plain("Save", MODAL_TITLE_LIMIT),
        "close": plain("Cancel", MODAL_TITLE_LIMIT),
        "private_metadata": _metadata({"reminder_id": reminder_id}),
        "blocks": [
            plain_section(f"Next QBR with {account_name}"),
            {"type": "input", "block_id": "qbr_block", "label": plain("QBR date"),
             "element": {"type": "datepicker", "action_id": "qbr_input", "initial_date": current.isoformat()}},
        ],
    }


def _option(text: str, value: str) -> dict[str, Any]:
    return {"text": plain(text, OPTION_TEXT_LIMIT), "value": value}


def account_modal(account: AccountRecord | None = None) -> dict[str, Any]:
    """The Add account / Edit account modal: name, QBR date, cadence, teammates, scope notes, email domain,
    reminder days and send time."""
    cadence_options = [_option(f"Every {months} month{'s' if months > 1 else ''}", str(months))
                       for months in (1, 2, 3, 4, 6, 12)]
    cadence = str(account.cadence_months) if account else "3"
    cadence_element: dict[str, Any] = {"type": "static_select", "action_id": "cadence_input",
                                       "options": cadence_options}
    chosen = next((option for option in cadence_options if option["value"] == cadence), cadence_options[2])
    cadence_element["initial_option"] = chosen
    qbr_element: dict[str, Any] = {"type": "datepicker", "action_id": "qbr_input"}
    teammates_element: dict[str, Any] = {"type": "multi_users_select", "action_id": "teammates_input"}

    def text_input(block_id: str, label: str, value: str | None, *, multiline: bool = False, optional: bool = True,
                   hint: str | None = None, max_length: int = 3000) -> Block:
        element: dict[str, Any] = {"type": "plain_text_input", "action_id": f"{block_id}_input",
                                   "multiline": multiline, "max_length": max_length}
        if value:
            element["initial_value"] = shorten(value, max_length)
        block: Block = {"type": "input", "block_id": f"{block_id}_block", "label": plain(label),
                        "optional": optional, "element": element}
        if hint:
            block["hint"] = plain(hint)
        return block

    if account:
        qbr_element["initial_date"] = account.next_qbr.isoformat()
        if account.teammates:
            teammates_element["initial_users"] = account.teammates
    blocks = [
        text_input("name", "Client account", account.name if account else None, optional=False, max_length=120),
        {"type": "input", "block_id": "qbr_block", "label": plain("Next QBR"), "element": qbr_element},
        {"type": "input", "block_id": "cadence_block", "label": plain("QBR cadence"), "element": cadence_element},
        {"type": "input", "block_id": "teammates_block", "label": plain("Shared with"), "optional": True,
         "element": teammates_element},
        text_input("scope", "Scope notes", account.scope_notes if account else None, multiline=True,
                   hint="What the contract covers. Pushback uses it to judge what is out of scope."),
        text_input("domain", "Client email domain", account.email_domain if account else None, max_length=255,
                   hint="e.g. northwind.com, to suggest this account when you log a push-back"),
        text_input("offsets", "Reminder days before the QBR",
                   ",".join(map(str, account.reminder_offsets)) if account and account.reminder_offsets else None,
                   max_length=40, hint="e.g. 14,2 (empty: the workspace default)"),
        text_input("send_time", "Send reminders at", account.send_time if account else None, max_length=5,
                   hint="Your local time, HH:MM (empty: the workspace default, 09:00)"),
    ]
    if account:
        blocks += [
            {"type": "input", "block_id": "owner_block", "label": plain("Owner"),
             "hint": plain("Who gets the QBR reminders. Anyone the account is shared with can hand it over."),
             "element": {"type": "users_select", "action_id": "owner_input", "initial_user": account.owner_id}},
            {"type": "input", "block_id": "delete_block", "label": plain("Delete"), "optional": True,
             "element": {"type": "checkboxes", "action_id": "delete_input", "options": [
                 _option("Delete this account, its push-back log and its reminders", "delete")]}},
        ]
    return {
        "type": "modal", "callback_id": VIEW_ACCOUNT,
        "title": plain("Edit account" if account else "Add account", MODAL_TITLE_LIMIT),
        "submit": plain("Save", MODAL_TITLE_LIMIT), "close": plain("Cancel", MODAL_TITLE_LIMIT),
        "private_metadata": _metadata({"account_id": account.id if account else None}),
        "blocks": blocks,
    }


def _account_line(account: AccountRecord, pushbacks: int) -> str:
    shared = " · shared" if account.teammates else ""
    return (f"*{escape_mrkdwn(account.name)}*\nNext QBR {_slack_date(account.next_qbr)} · "
            f"{pushbacks} push-back{'s' if pushbacks != 1 else ''} this quarter{shared}")


def accounts_home_section(accounts: Sequence[AccountRecord], pushback_counts: dict[int, int],
                          problems: Sequence[ReminderProblem] = ()) -> list[Block]:
    """App Home's accounts: each with its next QBR and this quarter's push-backs, Edit, and Add account; then
    any reminders that could not be delivered."""
    blocks: list[Block] = [divider(), section("*Your client accounts*", accessory=button(
        "Add account", ACTION_ADD_ACCOUNT, "add", style="primary"))]
    if not accounts:
        blocks.append(context("No accounts yet. Add one to get QBR reminders with what you pushed back on."))
    for account in accounts[:ACCOUNTS_SHOWN]:
        blocks.append(section(_account_line(account, pushback_counts.get(account.id, 0)),
                              accessory=button("Edit", ACTION_EDIT_ACCOUNT, str(account.id))))
    if len(accounts) > ACCOUNTS_SHOWN:
        blocks.append(context(f"…and {len(accounts) - ACCOUNTS_SHOWN} more; `/pushback accounts` lists them all."))
    for problem in problems:
        blocks.append(context(f":warning: The reminder for *{escape_mrkdwn(problem.account_name)}*'s QBR on "
                              f"{_slack_date(problem.qbr_date)} could not be sent: {escape_mrkdwn(problem.error)}"))
    return blocks


def accounts_list_message(accounts: Sequence[AccountRecord], pushback_counts: dict[int, int]) -> dict[str, Any]:
    """The ephemeral answer to `/pushback accounts`."""
    if not accounts:
        return {"text": "You have no client accounts yet.",
                "blocks": [section("You have no client accounts yet."),
                           actions("accounts_actions", button("Add account", ACTION_ADD_ACCOUNT, "add",
                                                              style="primary"))]}
    lines = [section(_account_line(account, pushback_counts.get(account.id, 0))) for account in accounts]
    blocks = cap_blocks([section(f"*Your client accounts* ({len(accounts)})"), *lines], MESSAGE_BLOCK_LIMIT - 1)
    blocks.append(actions("accounts_actions", button("Add account", ACTION_ADD_ACCOUNT, "add", style="primary")))
    return {"text": f"Your client accounts ({len(accounts)})", "blocks": blocks}


def account_options(accounts: Sequence[AccountRecord], query: str = "") -> list[dict[str, Any]]:
    """Options for the account picker: the accounts whose name contains `query` (any case), names starting with it
    first, at most the 100 a menu holds."""
    wanted = " ".join(query.lower().split())
    matching = [account for account in accounts if wanted in account.name.lower()]
    matching.sort(key=lambda account: (not account.name.lower().startswith(wanted), account.name.lower()))
    return [_option(account.name, str(account.id)) for account in matching[:SELECT_OPTIONS_LIMIT]]


def log_to_account_modal(triage_id: int, summary: str, accounts: Sequence[AccountRecord],
                         suggested: AccountRecord | None) -> dict[str, Any]:
    """Pick the account a triaged ask belongs to; the likely one is chosen already. Up to 100 accounts are listed;
    past that the picker searches them as the user types (an external select answered by `account_options`)."""
    element: dict[str, Any]
    if len(accounts) <= SELECT_OPTIONS_LIMIT:
        element = {"type": "static_select", "action_id": ACTION_ACCOUNT_PICKER, "options": account_options(accounts),
                   "placeholder": plain("Choose an account")}
    else:
        element = {"type": "external_select", "action_id": ACTION_ACCOUNT_PICKER, "min_query_length": 0,
                   "placeholder": plain("Type to search your accounts")}
    if suggested is not None:
        element["initial_option"] = _option(suggested.name, str(suggested.id))
    return {
        "type": "modal", "callback_id": VIEW_LOG_TO_ACCOUNT,
        "title": plain("Log to account", MODAL_TITLE_LIMIT), "submit": plain("Log", MODAL_TITLE_LIMIT),
        "close": plain("Cancel", MODAL_TITLE_LIMIT),
        "private_metadata": _metadata({"triage_id": triage_id}),
        "blocks": [
            plain_section(shorten(summary, 500) or "This triage"),
            {"type": "input", "block_id": "account_block", "label": plain("Client account"), "element": element},
            context("It appears in the account's next QBR reminder, with the outcome you set."),
        ],
    }


def no_accounts_modal() -> dict[str, Any]:
    """Shown instead of the picker when the user has no accounts yet."""
    return {"type": "modal", "title": plain("Log to account", MODAL_TITLE_LIMIT),
            "close": plain("Close", MODAL_TITLE_LIMIT),
            "blocks": [section("You have no client accounts yet. Add one from Pushback's App Home "
                               "(or `/pushback accounts`), then log this push-back.")]}


def logged_message(log_id: int, account_name: str, outcome: str | None) -> dict[str, Any]:
    """In the triage's thread: the push-back logged to an account, with buttons to record its outcome."""
    labels = outcomes()
    state = f" Outcome: *{labels[outcome]}*." if outcome in labels else " What happened next?"
    buttons = [button(label + (" ✓" if value == outcome else ""), f"{ACTION_OUTCOME}_{value}", f"{log_id}:{value}")
               for value, label in labels.items()]
    text = f"Logged to *{escape_mrkdwn(account_name)}*.{state}"
    return {"text": f"Logged to {escape_mrkdwn(account_name)}.",
            "blocks": [section(text), actions(f"outcome_{log_id}", *buttons)]}
