"""The triage result: verdict, reasons with evidence, asks, the reply, tactics and tip; the same as JSON."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

VERDICTS = ("accept", "accept_with_conditions", "push_back", "decline")


@dataclass(frozen=True)
class Ask:
    """One distinct request in the message, with its own verdict, reasons and evidence."""

    text: str
    verdict: str
    reasons: list[str]
    evidence: dict[str, list[str]]
    practice: str = ""
    confidence: float = 1.0


@dataclass(frozen=True)
class Reply:
    """The suggested answer in the account manager's voice."""

    acknowledge: str
    reason: str
    alternative: str
    text: str


@dataclass(frozen=True)
class ReplyPart:
    """One ask as the reply answers it: its verdict and reasons, the topic whose text fits it ("" for none), what
    it asks for (verb and object, from the client's words), its date and amounts, the practice it matched, and the
    words asking for it free ("at no extra cost"), whether it buys more of what the client already has (more
    seats, more copies): a yes with a price, not scope creep; and the client's quoted words (a claim, a label),
    which a decline names when the object does not read cleanly; and whether the client marked it as a further ask
    of its own ("Also, please send the media plan"), so it is never read as a detail of the ask before it; and
    whether the client says it is within what they already pay for ("we've still got seats left on our plan"), so
    it gets a plain yes, never a price."""

    verdict: str
    reasons: list[str] = field(default_factory=list)
    topics: list[str] = field(default_factory=list)
    verb: str = ""
    object: str = ""
    deadline: str = ""
    amounts: list[str] = field(default_factory=list)
    practice: str = ""
    free: str = ""
    purchase: bool = False
    quoted: str = ""
    separate: bool = False
    covered: bool = False

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ReplyPart:
        """A part back from its dict; unknown keys are ignored."""
        known = {name: data[name] for name in cls.__dataclass_fields__ if name in data}
        return cls(**known)


@dataclass(frozen=True)
class ReplyPlan:
    """What the reply is built from, so it can be re-rendered in another tone without the client's text: the
    verdict, the topics of the main ask, a day, and the slots read from the request (who signed, each ask's part,
    the date, event, admission or complaint, whether it is a demand rather than a request, what to check) with the
    seed that varies the phrasing."""

    verdict: str
    topics: list[str]
    day: str
    name: str = ""
    parts: list[ReplyPart] = field(default_factory=list)
    deadline: str = ""
    event: str = ""
    one_off: bool = False
    admission: str = ""
    complaint: str = ""
    free: str = ""
    stakes: bool = False
    checks: list[str] = field(default_factory=list)
    seed: int = 0
    demand: bool = False

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ReplyPlan:
        """A plan back from its dict, old ones (verdict, topics and day only) included."""
        known = {name: data[name] for name in cls.__dataclass_fields__ if name in data}
        known["parts"] = [ReplyPart.from_dict(part) for part in data.get("parts", [])]
        return cls(**known)


@dataclass(frozen=True)
class TriageResult:
    """A whole triage; `writer` says who wrote the reply ("offline", or "model" and the `model`'s name), `flags`
    what the user must check in a model's reply."""

    verdict: str
    reasons: list[str]
    evidence: dict[str, list[str]]
    asks: list[Ask]
    reply: Reply
    tactics: list[str]
    tip: str
    tone: str
    notes: list[str] = field(default_factory=list)
    summary: str = ""
    plan: ReplyPlan | None = None
    confidence: float = 1.0
    checks: list[str] = field(default_factory=list)
    writer: str = "offline"
    model: str = ""
    flags: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """A plain, JSON-serialisable dict with the same fields."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TriageResult:
        """The result back from `to_dict()`'s output."""
        plan = data.get("plan")
        return cls(
            verdict=data["verdict"], reasons=list(data["reasons"]), evidence=dict(data["evidence"]),
            asks=[Ask(**ask) for ask in data.get("asks", [])], reply=Reply(**data["reply"]),
            tactics=list(data.get("tactics", [])), tip=data.get("tip", ""), tone=data.get("tone", "neutral"),
            notes=list(data.get("notes", [])), summary=data.get("summary", ""),
            plan=ReplyPlan.from_dict(plan) if plan else None, confidence=float(data.get("confidence", 1.0)),
            checks=list(data.get("checks", [])), writer=data.get("writer", "offline"), model=data.get("model", ""),
            flags=list(data.get("flags", [])),
        )
