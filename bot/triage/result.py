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
class ReplyPlan:
    """What the reply is built from, so it can be re-rendered in another tone without the client's text."""

    verdict: str
    topics: list[str]
    day: str


@dataclass(frozen=True)
class TriageResult:
    """A whole triage."""

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
            plan=ReplyPlan(**plan) if plan else None, confidence=float(data.get("confidence", 1.0)),
            checks=list(data.get("checks", [])),
        )
