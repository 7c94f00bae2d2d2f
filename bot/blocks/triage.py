"""Block Kit for a triage: the parent message quoting the request, the triage reply, its modals and notes.

Client words (the request, evidence, asks, the suggested reply built from them) only ever go into
`plain_text` or `rich_text`, so a pasted `<!channel>` or `<@U…>` is shown, never acted on.
"""

from __future__ import annotations

import json
from typing import Any

from bot.blocks.kit import (
    MESSAGE_BLOCK_LIMIT,
    MODAL_TITLE_LIMIT,
    PLAIN_INPUT_LIMIT,
    PRIVATE_METADATA_LIMIT,
    RICH_TEXT_LIMIT,
    Block,
    actions,
    button,
    cap_blocks,
    context,
    divider,
    header,
    plain,
    plain_section,
    quote,
    section,
    shorten,
)
from bot.copy import load_copy, message, reason_title, retention_phrase, verdict_copy

PARENT_QUOTE_LIMIT = 2500
ASKS_SHOWN = 10
FLAGS_SHOWN = 5
TONE_ORDER = ("warm", "neutral", "firm")

ACTION_TONE = "triage_tone"
ACTION_EDIT = "triage_edit"
ACTION_FEEDBACK = "triage_feedback"
ACTION_OPEN_PASTE_MODAL = "open_paste_modal"
ACTION_FORGET_ME = "forget_me_confirm"
ACTION_LOG_TO_ACCOUNT = "triage_log_to_account"
VIEW_PASTE_REQUEST = "paste_request_submit"
VIEW_EDIT_REPLY = "edit_reply_submit"
REPLY_INPUT_BLOCK = "reply_block"
REPLY_INPUT_ACTION = "reply_input"
REQUEST_INPUT_BLOCK = "request_block"
REQUEST_INPUT_ACTION = "request_input"


def _rich_line(*parts: tuple[str, bool]) -> Block:
    """A rich_text block of one section; each part is (text, bold)."""
    elements = []
    for text, bold in parts:
        element: dict[str, Any] = {"type": "text", "text": text}
        if bold:
            element["style"] = {"bold": True}
        elements.append(element)
    return {"type": "rich_text", "elements": [{"type": "rich_text_section", "elements": elements}]}


def _shortened_quote(text: str, limit: int) -> list[Block]:
    blocks = [quote(text, limit)]
    if len(text) > limit:
        blocks.append(context(message("shortened", shown=f"{limit - 1:,}", total=f"{len(text):,}")))
    return blocks


def parent_message(user_id: str, request_text: str) -> dict[str, Any]:
    """The parent message: who asked, and the client's request quoted as typed (long text shortened)."""
    return {
        "text": message("asked_by", user=user_id),
        "blocks": [section(message("asked_by", user=user_id)), *_shortened_quote(request_text, PARENT_QUOTE_LIMIT)],
    }


def shortcut_parent_message(user_id: str, request_text: str, channel_id: str, link: str | None) -> dict[str, Any]:
    """The parent message in the user's DM for a shortcut used where the triage could not be posted."""
    intro = (message("asked_about_message", user=user_id, link=link, channel=channel_id) if link
             else message("asked_about_message_no_link", user=user_id, channel=channel_id))
    return {"text": intro, "blocks": [section(intro), *_shortened_quote(request_text, PARENT_QUOTE_LIMIT)]}


def _evidence_blocks(result: dict[str, Any]) -> list[Block]:
    blocks = []
    for label in result.get("reasons") or []:
        snippets = [snippet for snippet in (result.get("evidence") or {}).get(label, []) if snippet]
        said = " · ".join(f"“{snippet}”" for snippet in snippets[:3])
        parts = [(reason_title(label), True)]
        if said:
            parts.append((": " + shorten(said, RICH_TEXT_LIMIT - 100), False))
        blocks.append(_rich_line(*parts))
    return blocks


def _asks_block(asks: list[dict[str, Any]]) -> list[Block]:
    if len(asks) < 2:
        return []
    items = []
    for ask in asks[:ASKS_SHOWN]:
        verdict = verdict_copy(ask["verdict"])["title"]
        reasons = ", ".join(reason_title(label) for label in ask.get("reasons") or [])
        items.append({"type": "rich_text_section", "elements": [
            {"type": "text", "text": shorten(ask.get("text", ""), 300)},
            {"type": "text", "text": f"  →  {verdict}" + (f" ({reasons})" if reasons else ""), "style": {"bold": True}},
        ]})
    blocks: list[Block] = [
        _rich_line((f"{len(asks)} asks in this message, each with its own verdict:", True)),
        {"type": "rich_text", "elements": [{"type": "rich_text_list", "style": "ordered", "elements": items}]},
    ]
    if len(asks) > ASKS_SHOWN:
        blocks.append(context(f"…and {len(asks) - ASKS_SHOWN} more."))
    return blocks


def _unsure_blocks(result: dict[str, Any]) -> list[Block]:
    """What to check when the triage is unsure (our own questions, never the client's words), or else its
    confidence as a quiet line."""
    confidence = f"{float(result.get('confidence', 1.0)):.2f}"
    checks = result.get("checks") or []
    if not checks:
        return [context(message("confidence", confidence=confidence))]
    lines = [message("unsure", confidence=confidence)] + [f"• {check}" for check in checks]
    return [section("\n".join(lines))]


def _writer_blocks(result: dict[str, Any]) -> list[Block]:
    """Under a reply a language model wrote: who wrote it, and what its guards ask the user to check (such as a
    placeholder to fill in). Nothing under the offline engine's reply."""
    if result.get("writer") != "model":
        return []
    lines = [message("written_by_model", model=result.get("model") or "the model")]
    lines += [message("model_flag", flag=flag) for flag in (result.get("flags") or [])[:FLAGS_SHOWN]]
    return [{"type": "context", "elements": [plain(line, 2000)]} for line in lines]


def _tone_buttons(triage_id: int, tone: str) -> list[dict[str, Any]]:
    position = TONE_ORDER.index(tone) if tone in TONE_ORDER else 1
    buttons = []
    if position > 0:
        buttons.append(button("Warmer", f"{ACTION_TONE}_warmer", f"{triage_id}:{TONE_ORDER[position - 1]}"))
    if position < len(TONE_ORDER) - 1:
        buttons.append(button("Firmer", f"{ACTION_TONE}_firmer", f"{triage_id}:{TONE_ORDER[position + 1]}"))
    return buttons


def triage_controls(triage_id: int, tone: str, feedback: str | None) -> Block:
    """The buttons under a triage reply: tone, edit & copy, log to account, feedback."""
    return actions(
        f"triage_actions_{triage_id}",
        *_tone_buttons(triage_id, tone),
        button("Edit & copy", ACTION_EDIT, str(triage_id), style="primary"),
        button("Log to account", ACTION_LOG_TO_ACCOUNT, str(triage_id)),
        button("Helpful" + (" ✓" if feedback == "helpful" else ""), f"{ACTION_FEEDBACK}_helpful",
               f"{triage_id}:helpful"),
        button("Not helpful" + (" ✓" if feedback == "not_helpful" else ""), f"{ACTION_FEEDBACK}_not_helpful",
               f"{triage_id}:not_helpful"),
    )


def triage_message(triage_id: int, result: dict[str, Any], feedback: str | None = None) -> dict[str, Any]:
    """The triage in a thread: verdict, reasons with evidence, asks, the suggested reply, the tip, the buttons."""
    verdict = verdict_copy(result["verdict"])
    reply = result.get("reply") or {}
    tone = result.get("tone", "neutral")
    blocks: list[Block] = [header(f"{verdict['emoji']} {verdict['title']}"), section(verdict["summary"])]
    blocks += _evidence_blocks(result)
    blocks += _asks_block(result.get("asks") or [])
    blocks += _unsure_blocks(result)
    blocks += [
        divider(),
        section(f"*Suggested reply* ({tone})"),
        quote(reply.get("text", ""), RICH_TEXT_LIMIT),
    ]
    blocks += _writer_blocks(result)
    tip = result.get("tip")
    if tip:
        blocks.append({"type": "context", "elements": [plain(f"💡 {tip}", 2000)]})
    for note in (result.get("notes") or [])[:3]:
        blocks.append({"type": "context", "elements": [plain(note, 2000)]})
    if feedback:
        blocks.append(context(message("feedback_thanks")))
    blocks = cap_blocks(blocks, MESSAGE_BLOCK_LIMIT - 1)
    blocks.append(triage_controls(triage_id, tone, feedback))
    reasons = ", ".join(reason_title(label) for label in result.get("reasons") or [])
    fallback = f"Pushback: {verdict['title']}" + (f" ({reasons})" if reasons else "")
    return {"text": fallback, "blocks": blocks}


def usage_message(retention_days: int) -> dict[str, Any]:
    """The ephemeral help for an empty `/pushback` or `/pushback help`."""
    copy = load_copy()["help"]
    stored = (copy["stored"].format(retention=retention_phrase(retention_days)) if retention_days > 0
              else copy["stored_never"])
    examples = "\n".join(f"• `{example}`" for example in copy["examples"])
    return {
        "text": copy["title"],
        "blocks": [
            section(f"*{copy['title']}*\n{copy['body']}"),
            section(f"*Examples*\n{examples}"),
            context(stored),
            actions("help_actions", button(copy["paste_button"], ACTION_OPEN_PASTE_MODAL, "open", style="primary")),
        ],
    }


def _metadata(values: dict[str, Any]) -> str:
    encoded = json.dumps(values, separators=(",", ":"))
    if len(encoded) > PRIVATE_METADATA_LIMIT:
        raise ValueError("private metadata over Slack's limit")
    return encoded


def paste_request_modal(channel_id: str, response_url: str | None) -> dict[str, Any]:
    """A modal to paste a longer request than a slash command comfortably takes."""
    return {
        "type": "modal",
        "callback_id": VIEW_PASTE_REQUEST,
        "title": plain("Pushback", MODAL_TITLE_LIMIT),
        "submit": plain("Triage", MODAL_TITLE_LIMIT),
        "close": plain("Cancel", MODAL_TITLE_LIMIT),
        "private_metadata": _metadata({"channel_id": channel_id, "response_url": response_url}),
        "blocks": [
            {"type": "input", "block_id": REQUEST_INPUT_BLOCK, "label": plain("The client's request"),
             "element": {"type": "plain_text_input", "action_id": REQUEST_INPUT_ACTION, "multiline": True,
                         "max_length": PLAIN_INPUT_LIMIT,
                         "placeholder": plain("Paste the email or message, quoted history and all")}},
        ],
    }


def edit_reply_modal(triage_id: int, reply_text: str) -> dict[str, Any]:
    """A modal with the suggested reply to edit; submitting posts the final text in the thread."""
    return {
        "type": "modal",
        "callback_id": VIEW_EDIT_REPLY,
        "title": plain("Edit your reply", MODAL_TITLE_LIMIT),
        "submit": plain("Post to thread", MODAL_TITLE_LIMIT),
        "close": plain("Cancel", MODAL_TITLE_LIMIT),
        "private_metadata": _metadata({"triage_id": triage_id}),
        "blocks": [
            {"type": "input", "block_id": REPLY_INPUT_BLOCK, "label": plain("Your reply"),
             "element": {"type": "plain_text_input", "action_id": REPLY_INPUT_ACTION, "multiline": True,
                         "max_length": PLAIN_INPUT_LIMIT, "initial_value": shorten(reply_text, PLAIN_INPUT_LIMIT)}},
            context("Only you see this. The final text goes into the triage's thread, ready to copy."),
        ],
    }


def final_reply_message(user_id: str, reply_text: str) -> dict[str, Any]:
    """The edited reply, posted in the thread as plain blocks that copy cleanly."""
    chunks = [reply_text[start:start + 2900] for start in range(0, len(reply_text), 2900)] or [" "]
    return {
        "text": message("final_reply", user=user_id),
        "blocks": [section(message("final_reply", user=user_id)), *[plain_section(chunk) for chunk in chunks[:10]]],
    }


def forget_me_message() -> dict[str, Any]:
    """The ephemeral confirmation for `/pushback forget me`, with a confirm dialog on the button."""
    copy = load_copy()["forget"]
    confirm = {"title": plain(copy["confirm_title"], 100), "text": plain(copy["confirm_text"], 300),
               "confirm": plain(copy["confirm_yes"], 30), "deny": plain(copy["confirm_no"], 30), "style": "danger"}
    delete = button(copy["button"], ACTION_FORGET_ME, "forget", style="danger")
    delete["confirm"] = confirm
    return {"text": copy["prompt"], "blocks": [section(copy["prompt"]), actions("forget_actions", delete)]}
