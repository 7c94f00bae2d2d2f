"""Triage quality: the shared dev set and our three held-out sets, scored by `../shared/eval/score.py`, for the whole
engine and, as the anchor, for the cues alone (the learned reader switched off).

The same figures for the dev set come from the shell with:

    pushback triage --jsonl < ../shared/eval/dev.jsonl > pred.jsonl
    python3 ../shared/eval/score.py ../shared/eval/dev.jsonl pred.jsonl
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from contextlib import contextmanager, nullcontext
from datetime import date
from pathlib import Path

from tests.support.process import PROJECT_ROOT

SHARED_EVAL = PROJECT_ROOT.parent / "shared" / "eval"
HELD_OUT = PROJECT_ROOT / "tests" / "triage"
SETS = {"shared dev": SHARED_EVAL / "dev.jsonl",
        **{f"{name} (ours, never trained on)": HELD_OUT / f"{name}.jsonl"
           for name in ("unseen2", "unseen3", "unseen4")}}
BARS = "verdict >= 0.85, macro-F1 >= 0.70, let through 0, false alarm <= 0.10"


@contextmanager
def _cues_only():
    """The same engine with the learned reader switched off: the cues' reasons, nothing added or dropped."""
    import bot.triage

    decide = bot.triage.decide_reasons
    bot.triage.decide_reasons = lambda readings, message, model: None
    try:
        yield
    finally:
        bot.triage.decide_reasons = decide


def _predict(cases: list[dict], target: Path) -> None:
    """Triage each case as of the date it was written against (its `today`, else today)."""
    from bot.triage import EmptyRequestError, triage

    with target.open("w") as out:
        for case in cases:
            today = date.fromisoformat(case["today"]) if case.get("today") else date.today()
            try:
                result = triage(case["text"], today=today).to_dict()
            except EmptyRequestError as error:
                result = {"error": str(error)}
            out.write(json.dumps({"id": case["id"], **result}) + "\n")


def _met(figures: dict) -> str:
    met = (figures["verdict_acc"] >= 0.85 and figures["reason_macro_f1"] >= 0.70
           and figures["unethical_let_through"] == 0 and figures["accept_false_alarm"] <= 0.10)
    return "yes" if met else "NO"


def run(smoke: bool = False) -> list[dict]:
    """One row per (set, engine); nothing when ../shared is absent for the dev set."""
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        engines = {"cues + learned reader": nullcontext, "cues alone (anchor)": _cues_only}
        for name, path in SETS.items():
            if not path.exists():
                continue
            cases = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
            if smoke:
                cases = cases[::5]
            gold = workdir / "gold.jsonl"
            gold.write_text("".join(json.dumps(case) + "\n" for case in cases))
            for engine, switch in engines.items():
                predicted = workdir / "pred.jsonl"
                with switch():
                    _predict(cases, predicted)
                scored = subprocess.run([sys.executable, str(SHARED_EVAL / "score.py"), str(gold), str(predicted),
                                         "--json"], capture_output=True, text=True, check=True)
                figures = json.loads(scored.stdout)
                rows.append({"set": name, "engine": engine, "n": figures["n"],
                             "verdict_acc": figures["verdict_acc"], "reason_macro_f1": figures["reason_macro_f1"],
                             "decline_recall": figures["decline_recall"],
                             "let_through": figures["unethical_let_through"],
                             "accept_false_alarm": figures["accept_false_alarm"], "bars_met": _met(figures)})
    return rows
