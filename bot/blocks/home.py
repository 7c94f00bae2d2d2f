"""Block Kit for App Home: what Pushback does, the user's recent triages, their reasons over 90 days, and the
workspace's switch for the language model that writes replies."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

from bot.blocks.kit import (
    VIEW_BLOCK_LIMIT,
    Block,
    button,
    cap_blocks,
    context,
    divider,
    escape_mrkdwn,
    header,
    plain,
    section,
)
from bot.copy import load_copy, reason_title, verdict_copy
from bot.model_opt_in import ModelOptIn
from bot.triage_store import TriageRecord

ACTION_MODEL_WRITER_ON = "model_writer_on"
ACTION_MODEL_WRITER_OFF = "model_writer_off"

RECENT_SHOWN = 10


def _triage_line(record: TriageRecord) -> str:
    verdict = verdict_copy(record.verdict)
    parts = [f"{verdict['emoji']} *{verdict['title']}*"]
    if record.top_reason:
        parts.append(reason_title(record.top_reason))
    parts.append(f"<!date^{int(record.created_at.timestamp())}^{{date_short}}|{record.created_at:%d %b %Y}>")
    if record.permalink:
        parts.append(f"<{record.permalink}|open thread>")
    return " · ".join(parts)


def home_view(recent: Sequence[TriageRecord], reasons_90_days: Counter,
              extra_sections: Sequence[Block] = ()) -> dict[str, Any]:
    """The App Home tab for one user."""
    copy = load_copy()["help"]
    examples = "\n".join(f"• `{example}`" for example in copy["examples"])
    blocks: list[Block] = [
        header("Pushback"),
        section(f"*{copy['title']}*\n{copy['body']}"),
        section(f"*Try it*\n{examples}"),
        divider(),
        section("*Your recent triages*"),
    ]
    if recent:
        blocks += [section(_triage_line(record)) for record in recent[:RECENT_SHOWN]]
    else:
        blocks.append(context("None yet. Run `/pushback` with a client's request to get your first."))
    blocks.append(section("*Your reasons to push back, last 90 days*"))
    if reasons_90_days:
        counts = "\n".join(f"• {reason_title(label)}: {count}" for label, count in reasons_90_days.most_common())
        blocks.append(section(counts))
    else:
        blocks.append(context("No push-backs in the last 90 days."))
    blocks += list(extra_sections)
    return {"type": "home", "blocks": cap_blocks(blocks, VIEW_BLOCK_LIMIT)}


def _turn_on_button(host: str) -> dict[str, Any]:
    copy = load_copy()["model_writer"]
    element = button(copy["turn_on"], ACTION_MODEL_WRITER_ON, "on", style="primary")
    element["confirm"] = {"title": plain(copy["confirm_title"], 100),
                          "text": plain(copy["confirm_text"].format(host=host), 300),
                          "confirm": plain(copy["confirm_yes"], 30), "deny": plain(copy["confirm_no"], 30)}
    return element


def model_writer_section(model: str, host: str, opt_in: ModelOptIn, can_change: bool) -> list[Block]:
    """App Home's switch for the configured language model: what is sent where, whether it is on in this workspace
    (and who turned it on, when), and the button to change it for an admin (`can_change`), a note for others."""
    copy = load_copy()["model_writer"]
    if opt_in.on:
        when = (f"<!date^{int(opt_in.changed_at.timestamp())}^on {{date_short}}|on {opt_in.changed_at:%d %b %Y}>"
                if opt_in.changed_at else "")
        state = copy["state_on"].format(user=opt_in.changed_by or "", when=when)
    else:
        state = copy["state_off"]
    switch = (button(copy["turn_off"], ACTION_MODEL_WRITER_OFF, "off") if opt_in.on else _turn_on_button(host))
    return [
        divider(),
        section(f"*{copy['title']}*\n" + copy["what"].format(model=escape_mrkdwn(model), host=escape_mrkdwn(host))),
        section(state, accessory=switch) if can_change else section(state),
        *([] if can_change else [context(copy["admins_only"])]),
    ]
