"""Reading a Slack message as a person would: the client's request in its text, its blocks, its attachments or an
email forwarded to Slack, shaped like the email it came from ("Subject: …", then the body).

Pure functions over the payload's dict: nothing here calls Slack. When the payload holds only a preview of an
email, the reading says so (`needs_full_email`); the caller fetches the file with `files.info` and reads again
with it. Addresses other than the sender's (the To and Cc lists) are never read into the request.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from email.utils import parseaddr, parsedate_to_datetime
from typing import Any

from bot.triage import clean_message

TEXT = "text"
BLOCKS = "blocks"
ATTACHMENT = "attachment"
SHARED_MESSAGE = "shared_message"
UNFURL = "unfurl"
EMAIL = "email"
NOTHING = ""

SIGN_OFF_LINES = 4  # a body's last lines that may already carry the sender's name
_WORD = re.compile(r"\w+")
_FORWARD_MARK = re.compile(r"^\s*(-{2,}\s*Forwarded message\s*-{2,}|Begin forwarded message:?)\s*$",
                           re.IGNORECASE | re.MULTILINE)
_HEADER = re.compile(r"^\s*(From|Sent|Date|To|Cc|Subject):\s*(.*)$", re.IGNORECASE)
_HISTORY_MARK = re.compile(r"^\s*(>|On\b.{0,300}\bwrote:\s*$|-{2,}\s*(Original|Reply) Message\s*-{2,}\s*$|_{8,}\s*$|"
                           r"From:\s)", re.IGNORECASE | re.MULTILINE)
_FORWARD_LEAD_WORDS = 12
_REPLY_PREFIX = re.compile(r"^\s*((fwd?|fw)\s*:\s*)+", re.IGNORECASE)


@dataclass(frozen=True)
class Reading:
    """What a message asks, ready to triage, and where it came from.

    `source` is one of `text`, `blocks`, `attachment`, `shared_message`, `unfurl`, `email`, or '' when nothing
    was readable. `items` counts the files (for an email) or attachments (otherwise) the message holds: only the
    first is read. `file_id` names the email's file; `needs_full_email` is set when the payload held only a
    preview of it (or a copy cut short) and `files.info` should be asked for the whole.
    """

    text: str = ""
    source: str = NOTHING
    subject: str = ""
    sender_name: str = ""
    sender_address: str = ""
    date: str = ""
    items: int = 1
    file_id: str = ""
    needs_full_email: bool = False

    @property
    def first_name(self) -> str:
        """The sender's first name, '' when unknown."""
        return first_name(self.sender_name)


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _str(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def _raw(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _int(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 100 else 0


def _words(text: str) -> int:
    return len(_WORD.findall(text))


def first_name(name: str) -> str:
    """The first name in a display name: "Jordan Lee" and "Lee, Jordan" both give "Jordan"."""
    name = _str(name).strip("\"'")
    if "," in name:
        last, _, first = name.partition(",")
        name = first.strip() or last.strip()
    return name.split()[0] if name.split() else ""


def display_name(name: str) -> str:
    """A display name as it is said: "Lee, Jordan" becomes "Jordan Lee"; quotes around it dropped."""
    name = " ".join(_str(name).strip("\"'").split())
    if name.count(",") == 1 and "@" not in name:
        last, first = (part.strip() for part in name.split(","))
        if first and last:
            return f"{first} {last}"
    return name


def _fuller(*candidates: tuple[str, str]) -> tuple[str, str]:
    """The candidate (source, text) with the most words; the earliest wins a tie. Text and blocks that say the
    same thing are read once, and a summary loses to the full words it summarises."""
    best = (NOTHING, "")
    for source, text in candidates:
        if _words(text) > _words(best[1]):
            best = (source, text)
    return best


# --- blocks ---------------------------------------------------------------------------------------------------

def _rich_element_text(element: dict[str, Any]) -> str:
    kind = element.get("type")
    if kind == "text":
        return _raw(element.get("text"))
    if kind == "link":
        return _raw(element.get("text")) or _raw(element.get("url"))
    if kind == "user":
        return f"<@{_str(element.get('user_id'))}>"
    if kind == "channel":
        return f"<#{_str(element.get('channel_id'))}>"
    if kind == "usergroup":
        return f"<!subteam^{_str(element.get('usergroup_id'))}>"
    if kind == "broadcast":
        return f"@{_str(element.get('range')) or 'here'}"
    if kind == "emoji":
        code, name = _str(element.get("unicode")), _str(element.get("name"))
        try:
            return "".join(chr(int(part, 16)) for part in code.split("-")) if code else f":{name}:"
        except (ValueError, OverflowError):
            return f":{name}:"
    if kind == "date":
        return _raw(element.get("fallback"))
    return _raw(element.get("text"))


def _rich_line(section: dict[str, Any]) -> str:
    return "".join(_rich_element_text(element) for element in _list(section.get("elements"))
                   if isinstance(element, dict))


def _rich_text(block: dict[str, Any]) -> str:
    parts = []
    for element in _list(block.get("elements")):
        element = _dict(element)
        kind = element.get("type")
        if kind in ("rich_text_section", "rich_text_quote", "rich_text_preformatted"):
            parts.append(_rich_line(element).strip("\n"))
        elif kind == "rich_text_list":
            indent = "  " * _int(element.get("indent"))
            items = [_rich_line(_dict(item)).strip() for item in _list(element.get("elements"))]
            ordered = element.get("style") == "ordered"
            start = _int(element.get("offset"))
            parts.append("\n".join(f"{indent}{f'{start + n}.' if ordered else '-'} {item}"
                                   for n, item in enumerate(items, 1) if item))
    return "\n".join(part for part in parts if part.strip())


def _text_object(value: Any) -> str:
    return _str(_dict(value).get("text"))


def blocks_text(blocks: Any) -> str:
    """The words of a message's blocks: rich text (sections, lists, quotes, preformatted), section text and
    fields, and headers; one paragraph per block. Buttons, images, dividers and context lines are not words to
    triage."""
    paragraphs = []
    for block in _list(blocks):
        block = _dict(block)
        kind = block.get("type")
        if kind == "rich_text":
            paragraphs.append(_rich_text(block))
        elif kind == "section":
            fields = [_text_object(field) for field in _list(block.get("fields"))]
            paragraphs.append("\n".join(part for part in [_text_object(block.get("text")), *fields] if part))
        elif kind == "header":
            paragraphs.append(_text_object(block.get("text")))
    return "\n\n".join(paragraph.strip() for paragraph in paragraphs if paragraph.strip())


# --- attachments ------------------------------------------------------------------------------------------------

def _attachment_kind(attachment: dict[str, Any]) -> str:
    if attachment.get("is_share") or attachment.get("is_msg_unfurl"):
        return SHARED_MESSAGE
    if attachment.get("from_url") or attachment.get("original_url") or attachment.get("app_unfurl_url"):
        return UNFURL
    return ATTACHMENT


def _attachment_body(attachment: dict[str, Any]) -> str:
    shared_blocks = "\n\n".join(blocks_text(_dict(_dict(item).get("message")).get("blocks"))
                                for item in _list(attachment.get("message_blocks")))
    body = _fuller((TEXT, _str(attachment.get("text"))), (BLOCKS, shared_blocks.strip()),
                   (BLOCKS, blocks_text(attachment.get("blocks"))))[1]
    return body or _str(attachment.get("fallback"))  # a fallback is a summary, often dated: the last resort


def _attachment_reading(attachment: dict[str, Any], items: int) -> Reading:
    kind = _attachment_kind(attachment)
    body = _attachment_body(attachment)
    title = _str(attachment.get("title"))
    name, address = parseaddr(_str(attachment.get("author_name")))
    if not address or "@" not in address:
        name, address = _str(attachment.get("author_name")), ""
    if kind == SHARED_MESSAGE or not title or _words(title) and title in body:
        subject, text = "", body
    else:
        subject, text = title, f"Subject: {title}\n\n{body}" if body else title
    return Reading(text=text.strip(), source=kind, subject=subject, sender_name=display_name(name),
                   sender_address=address, items=items)


def _attachments(message: dict[str, Any]) -> Reading | None:
    readable = [a for a in map(_dict, _list(message.get("attachments")))
                if _attachment_body(a) or _str(a.get("title"))]
    if not readable:
        return None
    kind = _attachment_kind(readable[0])
    return _attachment_reading(readable[0], items=sum(_attachment_kind(a) == kind for a in readable))


# --- email files ---------------------------------------------------------------------------------------------

def is_email(file: Any) -> bool:
    """Whether a file object is an email forwarded to Slack."""
    file = _dict(file)
    return file.get("filetype") == "email" or file.get("mode") == "email"


def _email_date(file: dict[str, Any]) -> str:
    raw = _str(_dict(file.get("headers")).get("date"))
    if raw:
        try:
            return parsedate_to_datetime(raw).strftime("%a %-d %b %Y, %H:%M")
        except (TypeError, ValueError, IndexError):
            return raw
    created = file.get("created") or file.get("timestamp")
    if isinstance(created, (int, float)) and not isinstance(created, bool) and created > 0:
        try:
            return datetime.fromtimestamp(created, timezone.utc).strftime("%a %-d %b %Y, %H:%M UTC")
        except (OverflowError, ValueError, OSError):
            return ""
    return ""


def _forwarded_header(body: str) -> dict[str, str]:
    """The From and Subject of an email forwarded inside the body (a forward with at most a short note above
    it), whose author is the client rather than whoever forwarded it."""
    mark = _FORWARD_MARK.search(body)
    if not mark or _words(body[: mark.start()]) >= _FORWARD_LEAD_WORDS:
        return {}
    found: dict[str, str] = {}
    for line in body[mark.end():].lstrip("\n").split("\n"):
        header = _HEADER.match(line)
        if not header:
            break
        found.setdefault(header.group(1).lower(), header.group(2).strip())
    return found


def _email_reading(file: dict[str, Any], items: int, fetched: bool) -> Reading:
    plain = _str(file.get("plain_text"))
    body = plain or _str(file.get("preview_plain_text"))
    cut_short = not plain or (bool(file.get("has_more")) and not fetched)
    sender = _dict(_list(file.get("from"))[0]) if _list(file.get("from")) else {}
    name = display_name(_str(sender.get("name")) or parseaddr(_str(sender.get("original")))[0])
    address = _str(sender.get("address")) or parseaddr(_str(sender.get("original")))[1]
    subject = _str(file.get("subject")) or _str(file.get("title"))
    inner = _forwarded_header(body)
    if inner.get("from"):
        inner_name, inner_address = parseaddr(inner["from"])
        name, address = display_name(inner_name), inner_address
        if inner.get("subject") and (not subject or _REPLY_PREFIX.match(subject)):
            subject = inner["subject"]
    text = "\n\n".join(part for part in (f"Subject: {subject}" if subject else "", body) if part)
    return Reading(text=text, source=EMAIL, subject=subject, sender_name=name, sender_address=address,
                   date=_email_date(file), items=items, file_id=_str(file.get("id")), needs_full_email=cut_short)


def _emails(message: dict[str, Any], full_files: Mapping[str, dict[str, Any]]) -> Reading | None:
    files = [_dict(file) for file in _list(message.get("files"))]
    email = next((file for file in files if is_email(file)), None)
    if email is None:
        return None
    full = _dict(full_files.get(_str(email.get("id"))))
    return _email_reading({**email, **full}, items=len(files), fetched=bool(full))


# --- the whole message -------------------------------------------------------------------------------------------

def read_message(message: Any, full_files: Mapping[str, dict[str, Any]] | None = None) -> Reading:
    """The request a message carries: its text, else its blocks, else its attachments, else an email forwarded to
    Slack. A message's own words lose to a shared message or an email that says more (the words around a share
    are a colleague's note, not the client's); a link's preview never wins over them. `full_files` are file
    objects from `files.info`, by id, read in place of the payload's copies."""
    message = _dict(message)
    own = _fuller((TEXT, _str(message.get("text"))), (BLOCKS, blocks_text(message.get("blocks"))))
    attachment = _attachments(message)
    email = _emails(message, full_files or {})
    if own[1]:
        for other in (attachment, email):
            if other is not None and other.source != UNFURL and _words(other.text) > _words(own[1]):
                return other
        return Reading(text=own[1], source=own[0])
    for other in (attachment, email):
        if other is not None and (other.text or other.needs_full_email):
            return other
    return Reading()


# --- the sender's sign-off ----------------------------------------------------------------------------------------

def _own_part(text: str) -> tuple[int, int]:
    """Where the writer's own words begin and where the quoted history begins in `text` (its length when there is
    none). A forward with a short note above it is read through to the forwarded email's body, as the triage's
    cleaning does."""
    start = 0
    mark = _FORWARD_MARK.search(text)
    if mark and _words(text[: mark.start()]) < _FORWARD_LEAD_WORDS:
        start = mark.end()
        for line in text[start:].splitlines(keepends=True):
            if line.strip() and not _HEADER.match(line):
                break
            start += len(line)
    history = _HISTORY_MARK.search(text, start)
    return start, history.start() if history else len(text)


def with_sign_off(text: str, sender_name: str) -> str:
    """`text` signed by its sender when its own part (above any quoted history) does not end with their name
    already, so whatever reads the client's sign-off finds who wrote it. The sign-off is one a person would write
    and the triage's cleaning sets aside: the triage of the words is the same with it as without."""
    name = first_name(sender_name)
    if not name or not text.strip():
        return text
    start, cut = _own_part(text)
    own, history = text[:cut].rstrip(), text[cut:].lstrip("\n")
    tail = [line for line in own[start:].split("\n") if line.strip()][-SIGN_OFF_LINES:]
    if any(re.search(rf"(?<!\w){re.escape(name)}(?!\w)", line, re.IGNORECASE) for line in tail):
        return text
    cleaned = clean_message(text).text
    for sign_off in (f"\n{name}", f"\n\nThanks,\n{name}"):
        signed = own + sign_off + ("\n\n" + history if history else "")
        if clean_message(signed).text == cleaned:
            return signed
    return text
