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
    except (TypeError, ValueError):
        return {}
    return value if isinstance(value, dict) else {}


def view_value(view: dict[str, Any], block_id: str, action_id: str) -> dict[str, Any]:
    """The state of one input element of a submitted modal ({} when it is missing or not an object)."""
    state = view.get("state")
    values = state.get("values") if isinstance(state, dict) else None
    block = values.get(block_id) if isinstance(values, dict) else None
    element = block.get(action_id) if isinstance(block, dict) else None
    return element if isinstance(element, dict) else {}


def view_text(view: dict[str, Any], block_id: str, action_id: str) -> str:
    """A text input's value, '' when empty or not text."""
    return view_string(view, block_id, action_id, "value")


def view_string(view: dict[str, Any], block_id: str, action_id: str, key: str) -> str:
    """One string field of an input's state (`value`, `selected_date`, ...), '' when missing or not a string."""
    value = view_value(view, block_id, action_id).get(key)
    return value if isinstance(value, str) else ""


def view_option(view: dict[str, Any], block_id: str, action_id: str) -> str:
    """The value of a select's chosen option, '' when none (or not shaped as Slack sends it)."""
    option = view_value(view, block_id, action_id).get("selected_option")
    value = option.get("value") if isinstance(option, dict) else None
    return value if isinstance(value, str) else ""


def view_choices(view: dict[str, Any], block_id: str, action_id: str) -> list[str]:
    """The values of the options ticked in a checkboxes input ([] when none, or not shaped as Slack sends it)."""
    options = view_value(view, block_id, action_id).get("selected_options")
    if not isinstance(options, list):
        return []
    return [option["value"] for option in options if isinstance(option, dict) and isinstance(option.get("value"), str)]


def view_users(view: dict[str, Any], block_id: str, action_id: str) -> list[str]:
    """The user ids a users select holds ([] when not a list of strings)."""
    users = view_value(view, block_id, action_id).get("selected_users")
    return [user for user in users if isinstance(user, str)] if isinstance(users, list) else []


def malformed_view(view: Any) -> str | None:
    """What is wrong with a submitted view's shape (None when nothing): Slack sends a callback id and private
    metadata as strings, and its state as objects of objects of objects."""
    if not isinstance(view, dict):
        return "view"
    if not isinstance(view.get("callback_id", ""), str):
        return "view callback_id"
    if not isinstance(view.get("private_metadata", ""), str):
        return "view private_metadata"
    state = view.get("state", {})
    if not isinstance(state, dict) or not isinstance(state.get("values", {}), dict):
        return "view state"
    for block in state.get("values", {}).values():
        if not isinstance(block, dict) or not all(isinstance(element, dict) for element in block.values()):
            return "view state"
    return None


def readable_text(text: object) -> str:
    """Text safe to store and send: lone surrogates and other unencodable code points become U+FFFD, and NUL
    characters are dropped (PostgreSQL stores no NUL in text or JSON, so a triage with one was never stored)."""
    return str(text or "").replace("\x00", "").encode("utf-8", "surrogatepass").decode("utf-8", "replace")
