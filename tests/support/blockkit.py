"""Checks Block Kit against slack_sdk's block models and Slack's documented limits."""

from __future__ import annotations

from typing import Any

from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View

LIMITS = {"section": 3000, "header": 150, "context_element": 2000, "button_text": 75, "button_value": 2000,
          "message_blocks": 50, "view_blocks": 100, "modal_title": 24, "private_metadata": 3000}


def _walk_text(node, path="") -> list[tuple[str, str, str]]:
    found = []
    if isinstance(node, dict):
        if node.get("type") in ("plain_text", "mrkdwn") and "text" in node:
            found.append((path, node["type"], node["text"]))
        for key, value in node.items():
            found += _walk_text(value, f"{path}.{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found += _walk_text(value, f"{path}[{index}]")
    return found


def assert_valid_blocks(blocks: list[dict[str, Any]], limit: int = LIMITS["message_blocks"]) -> None:
    """Every block parses as slack_sdk's model, validates, and keeps within Slack's limits."""
    assert 0 < len(blocks) <= limit, f"{len(blocks)} blocks (limit {limit})"
    for block in blocks:
        model = Block.parse(block)
        assert model is not None, f"unknown block {block.get('type')}"
        model.validate_json()
        kind = block["type"]
        if kind == "section":
            assert len(block["text"]["text"]) <= LIMITS["section"]
        if kind == "header":
            assert len(block["text"]["text"]) <= LIMITS["header"]
        if kind == "context":
            assert len(block["elements"]) <= 10
            assert all(len(e.get("text", "")) <= LIMITS["context_element"] for e in block["elements"])
        if kind == "actions":
            assert len(block["elements"]) <= 25
            for element in block["elements"]:
                if element["type"] == "button":
                    assert len(element["text"]["text"]) <= LIMITS["button_text"]
                    assert len(element.get("value", "")) <= LIMITS["button_value"]
        for path, text_type, text in _walk_text(block):
            assert text.strip(), f"empty {text_type} text at {path}"


def assert_valid_view(view: dict[str, Any]) -> None:
    """A modal or Home view that slack_sdk's View model accepts, within Slack's limits."""
    View(**view).validate_json()
    limit = LIMITS["view_blocks"]
    assert_valid_blocks(view["blocks"], limit)
    if view["type"] == "modal":
        assert len(view["title"]["text"]) <= LIMITS["modal_title"]
    assert len(view.get("private_metadata", "")) <= LIMITS["private_metadata"]


def mrkdwn_texts(node) -> list[str]:
    """Every mrkdwn string anywhere in `node`: the only places Slack parses mentions and links."""
    return [text for _path, kind, text in _walk_text(node) if kind == "mrkdwn"]
