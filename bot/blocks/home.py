"""Block Kit for App Home: what Pushback does, the user's recent triages, and their reasons over 90 days."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

from bot.blocks.kit import (
    VIEW_BLOCK_LIMIT,
    Block,
    cap_blocks,
    context,
    divider,
    header,
    section,
)
from bot.copy import load_copy, reason_title, verdict_copy
from bot.triages import TriageRecord

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
