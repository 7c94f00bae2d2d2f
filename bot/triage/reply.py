"""Writing the suggested reply: acknowledge, an honest reason, a better alternative, in the chosen tone."""

from __future__ import annotations

from bot.triage.knowledge import Knowledge
from bot.triage.result import Reply, ReplyPlan

MAX_TOPICS = 2


def render_reply(plan: ReplyPlan, tone: str, knowledge: Knowledge) -> tuple[Reply, list[str], str]:
    """The reply for `plan` in `tone`, the tactics it uses and the coaching tip."""
    voice = knowledge.tones[tone]
    if plan.verdict == "accept" or not plan.topics:
        return Reply("", "", "", voice["accept"]), list(knowledge.accept.get("tactics", [])), knowledge.accept["tip"]
    topics = [knowledge.topics[name] for name in plan.topics[:MAX_TOPICS]]
    main = topics[0]
    acknowledge = voice["acknowledge"].format(acknowledge=main["acknowledge"])
    because = " ".join(topic["because"] for topic in topics)
    reason = voice[plan.verdict].format(because=because)
    alternative = voice["alternative"].format(alternative=main["alternative"].format(day=plan.day))
    text = "\n\n".join([acknowledge, reason, alternative, voice["closing"]])
    tactics = list(dict.fromkeys(tactic for topic in topics for tactic in topic["tactics"]))
    return Reply(acknowledge, reason, alternative, text), tactics, main["tip"]
