"""Where a triage may be posted, and posting it there: in the thread when the channel is internal and the bot
is in it; otherwise in the user's DM with the app, with a private note pointing to it.

Coaching about a client must never appear where the client can read it: a Slack Connect channel (or one being
shared) and a channel with guests (single- or multi-channel guests, as client contacts are often invited) count as
external. Guests are found from the channel's members (`conversations.members`) and each member's `users.info`
(`is_restricted`, `is_ultra_restricted`); those answers are kept for a few minutes per token and user, in the
`TtlCache` the caller holds (the app's `Services`).
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.webhook import WebhookClient

from bot.copy import message

logger = logging.getLogger(__name__)

EXTERNAL = "external"
NOT_POSTABLE = "not_postable"
CANNOT_POST_ERRORS = {
    "not_in_channel", "channel_not_found", "is_archived", "restricted_action", "restricted_action_read_only_channel",
    "restricted_action_non_threadable_channel", "restricted_action_thread_only_channel", "cannot_reply_to_message",
    "ekm_access_denied", "team_access_not_granted", "message_not_found", "thread_not_found",
}


class CannotPostHere(Exception):
    """Slack refused a post in this conversation in a way that sending it to the DM instead fixes."""


class PartlyPosted(Exception):
    """The triage's parent message went out but its reply did not, and the parent could not be taken back: the
    user must not be told that nothing was posted."""

    def __init__(self, channel_id: str, parent_ts: str) -> None:
        super().__init__(f"parent posted in {channel_id} at {parent_ts}, reply failed")
        self.channel_id = channel_id
        self.parent_ts = parent_ts


@dataclass(frozen=True)
class Posted:
    """Where a triage ended up."""

    channel_id: str
    parent_ts: str | None
    reply_ts: str
    permalink: str | None
    private_reason: str | None
    parent_left_in: str | None = None  # the channel where a quoted request stays whose reply went to the DM

    def place(self) -> dict[str, Any]:
        """Where it is, as the triage log stores it."""
        return {"channel_id": self.channel_id, "parent_ts": self.parent_ts, "reply_ts": self.reply_ts,
                "permalink": self.permalink}


GUEST_CACHE_SECONDS = 300.0
GUEST_CACHE_SIZE = 20_000
MEMBERS_PAGE = 1000


class TtlCache:
    """A small thread-safe map whose entries expire `seconds` after they were stored; past `size` entries the
    oldest go first."""

    def __init__(self, seconds: float, size: int) -> None:
        self.seconds = seconds
        self.size = size
        self._entries: dict[Any, tuple[float, Any]] = {}
        self._lock = threading.Lock()

    def get(self, key: Any) -> Any | None:
        """The value stored under `key`, or None when there is none or it expired."""
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return None
            if entry[0] <= time.monotonic():
                del self._entries[key]
                return None
            return entry[1]

    def put(self, key: Any, value: Any) -> None:
        """Store `value` under `key` for `seconds`."""
        with self._lock:
            self._entries.pop(key, None)
            while len(self._entries) >= self.size:
                del self._entries[next(iter(self._entries))]
            self._entries[key] = (time.monotonic() + self.seconds, value)

    def clear(self) -> None:
        """Forget everything."""
        with self._lock:
            self._entries.clear()


def is_guest(client: WebClient, user_id: str, guests: TtlCache) -> bool:
    """True when `user_id` is a single- or multi-channel guest, or cannot be looked up (then they might be one);
    answers are kept in `guests` per token and user."""
    key = (client.token or "", user_id)
    known = guests.get(key)
    if known is not None:
        return bool(known)
    try:
        user = client.users_info(user=user_id)["user"]
    except SlackApiError as error:
        logger.info("users.info refused (%s): member counted as a guest", error.response.get("error"))
        return True
    guest = bool(user.get("is_restricted") or user.get("is_ultra_restricted"))
    guests.put(key, guest)
    return guest


def has_guests(client: WebClient, channel_id: str, guests: TtlCache) -> bool:
    """True when any member of the channel is a guest, or the members cannot be listed. The member list is read
    each time (a guest may have joined a moment ago); only each member's guest flag is cached."""
    cursor = None
    while True:
        try:
            page = client.conversations_members(channel=channel_id, limit=MEMBERS_PAGE, cursor=cursor)
        except SlackApiError as error:
            logger.info("conversations.members refused (%s): channel counted as external", error.response.get("error"))
            return True
        if any(is_guest(client, member, guests) for member in page.get("members") or []):
            return True
        cursor = (page.get("response_metadata") or {}).get("next_cursor")
        if not cursor:
            return False


def private_reason(client: WebClient, channel_id: str | None, guests: TtlCache) -> str | None:
    """Why the triage must not go to this conversation (`external`, `not_postable`), or None when it may. A
    channel shared with another organisation, or with a guest among its members, is external. It calls Slack:
    never before `ack()`."""
    if not channel_id:
        return NOT_POSTABLE
    if channel_id.startswith("D"):
        return None  # a bot can post only in its own DMs; anyone else's fails and falls back to the user's DM
    try:
        info = client.conversations_info(channel=channel_id)["channel"]
    except SlackApiError:
        return NOT_POSTABLE
    if info.get("is_ext_shared") or info.get("is_pending_ext_shared"):
        return EXTERNAL
    if info.get("is_im"):
        return None
    if not info.get("is_member"):
        return NOT_POSTABLE
    if has_guests(client, channel_id, guests):
        return EXTERNAL
    return None


def post_in_thread_or_dm(client: WebClient, guests: TtlCache, user_id: str, channel_id: str,
                         content: dict[str, Any], thread_ts: str | None, dm_note: dict[str, Any] | None = None) -> str:
    """Post `content` in a triage's thread after checking the channel again (it may have become Slack Connect,
    gained a guest, been archived or lost the bot since); otherwise post it in the user's DM, after `dm_note` when
    given. Returns the channel it went to."""
    reason = private_reason(client, channel_id, guests)
    if reason is None:
        try:
            post(client, channel_id, content, thread_ts=thread_ts)
            return channel_id
        except CannotPostHere as error:
            reason = f"{NOT_POSTABLE} ({error})"
    logger.info("not posting in the triage's channel (%s); sent to the DM user=%s", reason, user_id)
    dm_channel = open_dm(client, user_id)
    if dm_note is not None:
        post(client, dm_channel, dm_note)
    post(client, dm_channel, content)
    return dm_channel


def post(client: WebClient, channel_id: str, content: dict[str, Any], thread_ts: str | None = None,
         metadata: dict[str, Any] | None = None) -> str:
    """Post `content` (text and blocks); returns its ts. Raises `CannotPostHere` where the DM should be used."""
    try:
        response = client.chat_postMessage(channel=channel_id, thread_ts=thread_ts, unfurl_links=False,
                                           unfurl_media=False, metadata=metadata, **content)
    except SlackApiError as error:
        if error.response.get("error") in CANNOT_POST_ERRORS:
            raise CannotPostHere(error.response.get("error")) from error
        raise
    return response["ts"]


def permalink(client: WebClient, channel_id: str, ts: str, workspace_url: str | None) -> str | None:
    """A link to a message, in Slack's permalink form on the workspace's URL (Bolt's `authorize_result.url`);
    Slack's chat.getPermalink when that is not known."""
    if workspace_url:
        return f"{workspace_url.rstrip('/')}/archives/{channel_id}/p{ts.replace('.', '')}"
    try:
        return client.chat_getPermalink(channel=channel_id, message_ts=ts)["permalink"]
    except SlackApiError:
        return None


def open_dm(client: WebClient, user_id: str) -> str:
    """The id of the user's DM with the app."""
    return client.conversations_open(users=user_id)["channel"]["id"]


def tell_user(response_url: str | None, client: WebClient, user_id: str, channel_id: str | None, text: str) -> None:
    """Say `text` to the user alone: through `response_url` when there is one, else ephemerally, else by DM."""
    if response_url:
        try:
            response = WebhookClient(response_url, timeout=10).send(text=text, response_type="ephemeral",
                                                                    replace_original=False)
        except Exception as error:  # noqa: BLE001 - a network error: the ephemeral or the DM still reaches them
            logger.warning("response_url unreachable (%s); falling back", type(error).__name__)
        else:
            if response.status_code < 400:
                return
            logger.warning("response_url answered %s; falling back", response.status_code)
    if channel_id:
        try:
            client.chat_postEphemeral(channel=channel_id, user=user_id, text=text)
            return
        except SlackApiError as error:
            logger.info("ephemeral refused (%s); sending by DM", error.response.get("error"))
    client.chat_postMessage(channel=open_dm(client, user_id), text=text)


def deliver(client: WebClient, guests: TtlCache, *, user_id: str, origin_channel_id: str | None,
            parent: dict[str, Any] | None, dm_parent: dict[str, Any], reply: dict[str, Any],
            thread_ts: str | None = None, workspace_url: str | None = None,
            metadata: dict[str, Any] | None = None) -> Posted:
    """Post a triage: in `origin_channel_id` (under a new `parent`, or in the existing `thread_ts`) when that is
    private to the team and the bot is in it; otherwise `dm_parent` and the reply go to the user's DM. The links
    to it are made on `workspace_url` when known; each message posted carries `metadata` when given."""
    reason = private_reason(client, origin_channel_id, guests)
    left_in = None
    if reason is None:
        assert origin_channel_id is not None  # private_reason gives a reason when there is no channel
        try:
            parent_ts = post(client, origin_channel_id, parent, metadata=metadata) if parent is not None else thread_ts
        except CannotPostHere as error:
            logger.info("cannot post in the origin channel (%s); using the DM", error)
            reason = NOT_POSTABLE
        else:
            try:
                reply_ts = post(client, origin_channel_id, reply, thread_ts=parent_ts, metadata=metadata)
                return Posted(origin_channel_id, parent_ts, reply_ts,
                              permalink(client, origin_channel_id, reply_ts, workspace_url), None)
            except Exception as error:
                kept_ts = (parent_ts if parent is not None and parent_ts is not None
                           and not take_back(client, origin_channel_id, parent_ts) else None)
                kept = kept_ts is not None
                if not isinstance(error, CannotPostHere):
                    if kept_ts is not None:
                        raise PartlyPosted(origin_channel_id, kept_ts) from error
                    raise
                logger.info("cannot reply in the origin channel (%s); using the DM", error)
                reason, left_in = NOT_POSTABLE, origin_channel_id if kept else None
    dm_channel = open_dm(client, user_id)
    parent_ts = post(client, dm_channel, dm_parent, metadata=metadata)
    try:
        reply_ts = post(client, dm_channel, reply, thread_ts=parent_ts, metadata=metadata)
    except Exception as error:
        if not take_back(client, dm_channel, parent_ts):
            raise PartlyPosted(dm_channel, parent_ts) from error
        raise
    return Posted(dm_channel, parent_ts, reply_ts, permalink(client, dm_channel, parent_ts, workspace_url), reason,
                  left_in)


def take_back(client: WebClient, channel_id: str, ts: str) -> bool:
    """Delete a message the app posted (a triage's parent whose reply failed); True when it is gone."""
    try:
        client.chat_delete(channel=channel_id, ts=ts)
        return True
    except Exception as error:  # noqa: BLE001 - the caller tells the user it stays
        logger.warning("could not take back a message in %s: %s", channel_id, type(error).__name__)
        return False


def pointer_text(posted: Posted) -> str:
    """The private note that tells the user where their triage went (and that a quoted request stayed behind,
    when it could not be taken back)."""
    key = "sent_to_dm_external" if posted.private_reason == EXTERNAL else "sent_to_dm_private"
    text = message(key, link=posted.permalink or f"slack://channel?id={posted.channel_id}")
    if posted.parent_left_in:
        text += " " + message("parent_left_behind", channel=posted.parent_left_in)
    return text
