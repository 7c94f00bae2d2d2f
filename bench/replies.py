"""Reply quality: the suggested replies on the shared dev set, our three held-out sets and our own panel of
requests, checked by `../shared/eval/replies.py` (a reader's proxies: specific, greeted, misfit, top closer, declines
asking to go ahead).

The same figures for the dev set come from the shell with:

    pushback triage --jsonl < ../shared/eval/dev.jsonl > pred.jsonl
    python3 ../shared/eval/replies.py ../shared/eval/dev.jsonl pred.jsonl --brief
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

from bench.quality import HELD_OUT, SETS, SHARED_EVAL, labelled_cases, triage_all

PANEL = {"our panel (composer_panel.jsonl)": HELD_OUT / "composer_panel.jsonl"}
TARGETS = "specific >= 0.80, greeted >= 0.90, misfit 0, top closer <= 0.40, declines asking to go ahead 0"


def _met(figures: dict) -> str:
    met = (figures["specific"] >= 0.80 and figures["greeted"] >= 0.90 and figures["misfit"] == 0
           and figures["top_closer"] <= 0.40 and figures["decline_asks_go_ahead"] == 0)
    return "yes" if met else "NO"


def run(smoke: bool = False) -> list[dict]:
    """One row per set; nothing for a set whose file is absent."""
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        for name, path in {**SETS, **PANEL}.items():
            if not path.exists() or not (SHARED_EVAL / "replies.py").exists():
                continue
            cases, gold = labelled_cases(path, workdir, smoke)
            predicted = workdir / "pred.jsonl"
            predicted.write_text("".join(json.dumps({"id": case["id"], **result}) + "\n"
                                         for case, result in zip(cases, triage_all(cases))))
            checked = subprocess.run([sys.executable, str(SHARED_EVAL / "replies.py"), str(gold), str(predicted),
                                      "--json"], capture_output=True, text=True, check=True)
            figures = json.loads(checked.stdout)
            rows.append({"set": name, **{key: figures[key] for key in (
                "n", "specific", "greeted", "signed", "misfit", "top_closer", "decline_asks_go_ahead")},
                "met": _met(figures)})
    return rows
