"""Whose client accounts a Slack user may see and edit: a workspace admin or owner sees every account."""

from __future__ import annotations

from bot.slack.services import Services


def account_viewer(services: Services, client, user_id: str) -> str | None:
    """Whose accounts a user may see and edit: their own and shared ones (their id), or, for a workspace admin or
    owner, every account of the workspace (None). It asks Slack (`users.info`): never before `ack()`; the answer
    is remembered for `known_viewer`."""
    try:
        user = client.users_info(user=user_id)["user"]
    except Exception:  # noqa: BLE001 - when Slack cannot say, the narrower view is the safe one
        return user_id
    admin = bool(user.get("is_admin") or user.get("is_owner"))
    services.viewers.put((client.token or "", user_id), admin)
    return None if admin else user_id


def known_viewer(services: Services, token: str | None, user_id: str) -> str | None:
    """`account_viewer` as last learned (when the user opened the modal they submit), without asking Slack, so it
    can run before `ack()`; the narrower view when nothing is known."""
    return None if services.viewers.get((token or "", user_id)) else user_id
