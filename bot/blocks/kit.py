"""Small pure helpers for Block Kit: text objects, common blocks and Slack's size limits."""

from __future__ import annotations

from typing import Any

SECTION_TEXT_LIMIT = 3000
HEADER_TEXT_LIMIT = 150
CONTEXT_TEXT_LIMIT = 2000
BUTTON_TEXT_LIMIT = 75
BUTTON_VALUE_LIMIT = 2000
MESSAGE_BLOCK_LIMIT = 50
VIEW_BLOCK_LIMIT = 100
MODAL_TITLE_LIMIT = 24
PRIVATE_METADATA_LIMIT = 3000
MESSAGE_TEXT_LIMIT = 3000
OPTION_TEXT_LIMIT = 75
RICH_TEXT_LIMIT = 3000
PLAIN_INPUT_LIMIT = 3000

Block = dict[str, Any]


def shorten(text: str, limit: int, note: str = "…") -> str:
    """`text` cut to at most `limit` characters, on a word boundary where one is near, ending with `note`."""
    text = text or ""
    if len(text) <= limit:
        return text
    room = max(0, limit - len(note))
    cut = text[:room]
    space = cut.rfind(" ")
    if space > room * 0.8:
        cut = cut[:space]
    return cut.rstrip() + note


EMPTY = "(empty)"


def _visible(text: str, limit: int) -> str:
    shortened = shorten(text, limit)
    return shortened if shortened.strip() else EMPTY


def escape_mrkdwn(text: str) -> str:
    """`text` with the three characters Slack treats as markup escaped, so `<!channel>` stays inert."""
    return (text or "").replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def plain(text: str, limit: int = SECTION_TEXT_LIMIT, emoji: bool = True) -> dict[str, Any]:
    """A `plain_text` object, shortened to `limit`."""
    return {"type": "plain_text", "text": _visible(text, limit), "emoji": emoji}


def mrkdwn(text: str, limit: int = SECTION_TEXT_LIMIT) -> dict[str, Any]:
    """A `mrkdwn` object for text we wrote ourselves (never a client's words), shortened to `limit`."""
    return {"type": "mrkdwn", "text": _visible(text, limit)}


def header(text: str) -> Block:
    """A header block."""
    return {"type": "header", "text": plain(text, HEADER_TEXT_LIMIT)}


def section(text: str, block_id: str | None = None, accessory: dict[str, Any] | None = None) -> Block:
    """A mrkdwn section of our own words."""
    block: Block = {"type": "section", "text": mrkdwn(text)}
    if block_id:
        block["block_id"] = block_id
    if accessory:
        block["accessory"] = accessory
    return block


def plain_section(text: str, block_id: str | None = None) -> Block:
    """A section whose text is shown as typed: for anything that came from a client or a user."""
    block: Block = {"type": "section", "text": plain(text)}
    if block_id:
        block["block_id"] = block_id
    return block


def context(*texts: str) -> Block:
    """A context block of small mrkdwn lines (at most ten elements)."""
    return {"type": "context", "elements": [mrkdwn(text, CONTEXT_TEXT_LIMIT) for text in texts[:10]]}


def divider() -> Block:
    """A divider."""
    return {"type": "divider"}


def button(text: str, action_id: str, value: str = "", style: str | None = None, url: str | None = None) -> dict:
    """A button element; `style` is "primary" or "danger"."""
    element: dict[str, Any] = {"type": "button", "text": plain(text, BUTTON_TEXT_LIMIT), "action_id": action_id}
    if value:
        element["value"] = value[:BUTTON_VALUE_LIMIT]
    if style:
        element["style"] = style
    if url:
        element["url"] = url
    return element


def actions(block_id: str, *elements: dict[str, Any]) -> Block:
    """An actions block (at most 25 elements)."""
    return {"type": "actions", "block_id": block_id, "elements": list(elements[:25])}


def quote(text: str, limit: int = RICH_TEXT_LIMIT) -> Block:
    """A client's words as a rich_text quote: shown as typed, mentions and links never parsed."""
    return {
        "type": "rich_text",
        "elements": [{"type": "rich_text_quote", "elements": [{"type": "text", "text": _visible(text, limit)}]}],
    }


def preformatted(text: str, limit: int = RICH_TEXT_LIMIT) -> Block:
    """Text in a rich_text code block: easy to copy, never parsed as markup."""
    return {
        "type": "rich_text",
        "elements": [{"type": "rich_text_preformatted", "elements": [{"type": "text", "text": _visible(text, limit)}]}],
    }


def cap_blocks(blocks: list[Block], limit: int = MESSAGE_BLOCK_LIMIT,
               note: str = "More was cut to fit Slack.") -> list[Block]:
    """`blocks` cut to `limit`, the last place taken by a note when anything was dropped."""
    if len(blocks) <= limit:
        return blocks
    return blocks[: limit - 1] + [context(note)]
