"""Reading Slack payloads: the team of an interaction, a modal's private metadata and its input values."""

from __future__ import annotations

import json
from typing import Any


def team_of(body: dict[str, Any]) -> str:
    """The workspace an interaction came from."""
    return (body.get("team") or {}).get("id") or (body.get("user") or {}).get("team_id", "") or ""


def view_metadata(view: dict[str, Any]) -> dict[str, Any]:
    """A modal's private metadata as a dict (empty when missing or not ours)."""
    try:
        value = json.loads(view.get("private_metadata") or "{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def view_value(view: dict[str, Any], block_id: str, action_id: str) -> dict[str, Any]:
    """The state of one input element of a submitted modal."""
    return ((view.get("state") or {}).get("values") or {}).get(block_id, {}).get(action_id, {}) or {}


def view_text(view: dict[str, Any], block_id: str, action_id: str) -> str:
    """A text input's value, '' when empty."""
    return view_value(view, block_id, action_id).get("value") or ""


def readable_text(text: object) -> str:
    """Text safe to store and send: lone surrogates and other unencodable code points become U+FFFD, and NUL
    characters are dropped (PostgreSQL stores no NUL in text or JSON, so a triage with one was never stored)."""
    return str(text or "").replace("\x00", "").encode("utf-8", "surrogatepass").decode("utf-8", "replace")
