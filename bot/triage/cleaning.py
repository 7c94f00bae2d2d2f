"""Cleaning a pasted message: Slack markup resolved, junk removed, and the new text separated from the quoted
history, greeting, signature and legal footer."""

from __future__ import annotations

import html
import re
import unicodedata
from dataclasses import dataclass, field

MAX_TRIAGED_CHARS = 20_000

_SLACK_LINK = re.compile(r"<((?:https?|mailto):[^|>\s]+)(?:\|([^>]*))?>")
_SLACK_USER = re.compile(r"<@([A-Z0-9]+)(?:\|([^>]*))?>")
_SLACK_CHANNEL = re.compile(r"<#([A-Z0-9]+)(?:\|([^>]*))?>")
_SLACK_SUBTEAM = re.compile(r"<!subteam\^[A-Z0-9]+(?:\|([^>]*))?>")
_SLACK_SPECIAL = re.compile(r"<!(here|channel|everyone)(?:\|[^>]*)?>")
_SLACK_DATE = re.compile(r"<!date\^[^|>]*\|([^>]*)>")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]")
_QUOTES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u2013": "-", "\u2014": " - ",
                         "\u00a0": " ", "\u2026": "..."})

_REPLY_HEADER = re.compile(r"^\s*On\b[^\n]{0,300}?\bwrote:\s*$|^\s*On\b[^\n]{0,200}\n[^\n]{0,200}\bwrote:\s*$",
                           re.IGNORECASE | re.MULTILINE)
_ORIGINAL = re.compile(r"^\s*-{2,}\s*(Original Message|Reply Message)\s*-{2,}\s*$|^\s*_{8,}\s*$",
                       re.IGNORECASE | re.MULTILINE)
_FORWARD = re.compile(r"^\s*(-{2,}\s*Forwarded message\s*-{2,}|Begin forwarded message:?)\s*$",
                      re.IGNORECASE | re.MULTILINE)
_HEADER_BLOCK = re.compile(r"^\s*From:\s[^\n]+\n(\s*(Sent|Date|To|Cc|Subject):[^\n]*\n?){1,5}",
                           re.IGNORECASE | re.MULTILINE)
_HEADER_LINE = re.compile(r"^\s*(From|Sent|Date|To|Cc|Subject):[^\n]*$", re.IGNORECASE)
_GREETING = re.compile(r"^\s*(hi|hello|hey|dear|hiya|morning|good (morning|afternoon|evening)|greetings)\b"
                       r"((\s+[\w.'&-]+){0,3}\s*[,!:]|(\s+[\w.'&-]+){0,2}\s*\.?)\s*$", re.IGNORECASE)
_SIGN_OFF = re.compile(r"^\s*(thanks|thank you|thanks again|many thanks|cheers|best|best wishes|best regards|"
                       r"kind regards|warm regards|regards|all the best|sincerely|yours|ta|thx|speak soon|"
                       r"talk soon)[,!.]?(\s+[\w.'-]+){0,2}\s*$", re.IGNORECASE)
_SIGNATURE_MARK = re.compile(r"^\s*(--\s*|Sent from my [^\n]+|Get Outlook for [^\n]+)$", re.IGNORECASE)
_FOOTER = re.compile(r"^\s*(this (e-?mail|message)( and any (files|attachments)[^\n]{0,40})? "
                     r"(is|are|may be|contains?)\b[^\n]*confidential|confidentiality notice|disclaimer:|"
                     r"the information (contained )?in this "
                     r"(e-?mail|message)|if you (are not|have received this)[^\n]{0,40}(intended|in error)|"
                     r"please consider the environment)", re.IGNORECASE)
_FORWARD_LEAD_WORDS = 12
# A colleague's note on a forwarded thread, to the account manager rather than from the client: it asks for help
# with the answer ("can you draft something?", "how should we reply?") or is labelled as a note.
_COLLEAGUE_NOTE = re.compile(r"\b(?:draft|write|put together|suggest)\s+(?:something|a (?:reply|response|answer|"
                             r"note)|an? (?:answer|email)|the (?:reply|response))|\bhow (?:should|do|would|can) "
                             r"(?:we|i) (?:reply|respond|answer|handle|play)|\bhelp me (?:reply|respond|answer)|"
                             r"^\s*[\w .'-]{1,40}(?:'s)? note(?: to (?:me|you))?\s*:", re.IGNORECASE | re.MULTILINE)
_NOTE_SEPARATOR = re.compile(r"^\s*(?:-{3,}|_{3,}|\*{3,})\s*$", re.MULTILINE)
_SIGNATURE_TAIL_LINES = 7


@dataclass(frozen=True)
class CleanedMessage:
    """The new text to triage, the quoted history kept as context, and notes for the user."""

    text: str
    history: str = ""
    notes: tuple[str, ...] = field(default_factory=tuple)


def resolve_slack_markup(text: str) -> str:
    """Slack's markup turned into what a person reads: links to labels, mentions to names, entities unescaped."""
    text = _SLACK_LINK.sub(lambda m: m.group(2) or m.group(1), text)
    text = _SLACK_USER.sub(lambda m: "@" + (m.group(2) or "someone"), text)
    text = _SLACK_CHANNEL.sub(lambda m: "#" + (m.group(2) or "channel"), text)
    text = _SLACK_SUBTEAM.sub(lambda m: m.group(1) or "@team", text)
    text = _SLACK_SPECIAL.sub(lambda m: "@" + m.group(1), text)
    text = _SLACK_DATE.sub(lambda m: m.group(1), text)
    return html.unescape(text)


def normalise(text: str) -> str:
    """Valid text whatever came in: surrogates replaced, control characters dropped, quotes and dashes plain."""
    text = text.encode("utf-8", "replace").decode("utf-8")
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))
    return _CONTROL.sub("", text).translate(_QUOTES)


def _split_history(text: str) -> tuple[str, str]:
    """(new text, quoted history), using the earliest reply/forward marker; `>` lines are history too."""
    lines = text.split("\n")
    quoted = [line for line in lines if line.lstrip().startswith(">")]
    text = "\n".join(line for line in lines if not line.lstrip().startswith(">"))
    markers = [m for pattern in (_REPLY_HEADER, _ORIGINAL, _HEADER_BLOCK) if (m := pattern.search(text))]
    forward = _FORWARD.search(text)
    cut = min((m.start() for m in markers), default=len(text))
    if forward and forward.start() <= cut:
        lead = text[: forward.start()]
        if len(lead.split()) < _FORWARD_LEAD_WORDS or _COLLEAGUE_NOTE.search(lead):
            body = "\n".join(line for line in text[forward.end():].split("\n") if not _HEADER_LINE.match(line))
            body, note = _without_colleague_note(body)
            notes = [lead.strip()] if len(lead.split()) >= _FORWARD_LEAD_WORDS else []
            return _split_history(body)[0], "\n".join([*notes, note, *quoted]).strip()
        cut = forward.start()
    history = "\n".join([text[cut:], *quoted]).strip()
    return text[:cut], history


def _without_colleague_note(body: str) -> tuple[str, str]:
    """(the forwarded client's message, the colleague's note after it): a block after a separator line that asks
    the account manager for help with the reply is the forwarder's, not the client's ask."""
    for separator in reversed(list(_NOTE_SEPARATOR.finditer(body))):
        after = body[separator.end():]
        if _COLLEAGUE_NOTE.search(after):
            return body[:separator.start()], after.strip()
    return body, ""


def _strip_footer_and_signature(text: str) -> str:
    lines = text.rstrip().split("\n")
    for index, line in enumerate(lines):
        if _FOOTER.match(line) or _SIGNATURE_MARK.match(line):
            lines = lines[:index]
            break
    for index in range(len(lines) - 1, max(-1, len(lines) - _SIGNATURE_TAIL_LINES - 1), -1):
        if _SIGN_OFF.match(lines[index]):
            lines = lines[:index]
            break
    while lines and _GREETING.match(lines[0]):
        lines = lines[1:]
    return "\n".join(lines).strip()


def clean_message(text: str) -> CleanedMessage:
    """Clean a pasted message into the new text to triage and its quoted history."""
    text = normalise(resolve_slack_markup(normalise(text or "")))
    new_text, history = _split_history(text)
    new_text = _strip_footer_and_signature(new_text)
    new_text = re.sub(r"[ \t]+", " ", new_text)
    new_text = re.sub(r"\n{3,}", "\n\n", new_text).strip()
    notes = []
    if len(new_text) > MAX_TRIAGED_CHARS:
        cut = new_text.rfind(". ", 0, MAX_TRIAGED_CHARS)
        new_text = new_text[: cut + 1 if cut > MAX_TRIAGED_CHARS // 2 else MAX_TRIAGED_CHARS]
        notes.append(f"Only the first {len(new_text):,} characters were triaged; the rest was too long to read.")
    return CleanedMessage(new_text, history.strip()[:MAX_TRIAGED_CHARS], tuple(notes))
