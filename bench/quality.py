"""Triage quality: the shared dev set and our held-out sets, scored by `../shared/eval/score.py`, for the whole
engine, for the cues and the catalogue alone (the learned reader switched off), and for the plain baseline every
part of the engine must beat (TF-IDF + logistic regression on the same examples, `bench/baseline.py`). Also how well
the triage's confidence is calibrated: per band of confidence, how many held-out requests and the share whose
verdict was right.

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
HELD_OUT_SETS = ("unseen2", "unseen3", "unseen4", "heldout_r13p", "heldout_r13o", "heldout_r14w", "heldout_r15k",
                 "heldout_r16a", "heldout_r16b")
SETS = {"shared dev": SHARED_EVAL / "dev.jsonl",
        **{f"{name} (never trained on)": HELD_OUT / f"{name}.jsonl" for name in HELD_OUT_SETS}}
BARS = ("verdict >= 0.85, macro-F1 >= 0.70, let through 0, waved through <= 0.03, false alarm <= 0.10")
WRITTEN_ON = date(2026, 12, 7)  # the date cases without a `today` are read against
CONFIDENCE_BANDS = ((0.0, 0.4), (0.4, 0.5), (0.5, 0.6), (0.6, 0.7), (0.7, 0.8), (0.8, 0.9), (0.9, 1.01))


@contextmanager
def _cues_alone():
    """The same engine with the learned reader switched off: the cues' and the catalogue's reasons, nothing added,
    dropped or leaned to."""
    import bot.triage
    from bot.triage.engine import Decision

    decide = bot.triage.decide_reasons
    bot.triage.decide_reasons = lambda readings, message, model: Decision(0.0, False)
    try:
        yield
    finally:
        bot.triage.decide_reasons = decide


def labelled_cases(path: Path, workdir: Path, smoke: bool) -> tuple[list[dict], Path]:
    """The labelled cases in `path` (every fifth for a smoke run), and a copy of them in `workdir` for the shared
    scoring scripts to read."""
    cases = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    if smoke:
        cases = cases[::5]
    gold = workdir / "gold.jsonl"
    gold.write_text("".join(json.dumps(case) + "\n" for case in cases))
    return cases, gold


def triage_all(cases: list[dict]) -> list[dict]:
    """Triage each case as of the date it was written against (its `today`, else `WRITTEN_ON`)."""
    from bot.triage.evaluation import offline_engine, predict

    return predict(cases, offline_engine, WRITTEN_ON)


def _score(gold: Path, predicted: Path) -> dict:
    scored = subprocess.run([sys.executable, str(SHARED_EVAL / "score.py"), str(gold), str(predicted), "--json"],
                            capture_output=True, text=True, check=True)
    return json.loads(scored.stdout)


def _met(figures: dict) -> str:
    met = (figures["verdict_acc"] >= 0.85 and figures["reason_macro_f1"] >= 0.70
           and figures["unethical_let_through"] == 0 and figures["waved_through"] <= 0.03
           and figures["accept_false_alarm"] <= 0.10)
    return "yes" if met else "NO"


def run(smoke: bool = False) -> tuple[list[dict], list[dict]]:
    """One row per (set, engine), and the confidence table over the held-out sets; nothing for the dev set when
    ../shared is absent."""
    from bench.baseline import fit_baseline
    from bot.triage.knowledge import DEFAULT_DIRECTORY

    baseline = fit_baseline(DEFAULT_DIRECTORY)
    rows, calibration = [], []
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        for name, path in SETS.items():
            if not path.exists():
                continue
            cases, gold = labelled_cases(path, workdir, smoke)
            for engine, switch in (("engine", nullcontext), ("cues + catalogue alone", _cues_alone),
                                   ("baseline: TF-IDF + LR", None)):
                if switch is None:
                    results = baseline.predict([case["text"] for case in cases])
                else:
                    with switch():
                        results = triage_all(cases)
                if engine == "engine" and name != "shared dev":
                    calibration += [(result.get("confidence", 1.0), result["verdict"] == case["verdict"])
                                    for case, result in zip(cases, results)]
                predicted = workdir / "pred.jsonl"
                predicted.write_text("".join(json.dumps({"id": case["id"], "verdict": result["verdict"],
                                                         "reasons": result["reasons"]}) + "\n"
                                             for case, result in zip(cases, results)))
                figures = _score(gold, predicted)
                rows.append({"set": name, "engine": engine, "n": figures["n"],
                             "verdict_acc": figures["verdict_acc"], "reason_macro_f1": figures["reason_macro_f1"],
                             "decline_recall": figures["decline_recall"],
                             "let_through": figures["unethical_let_through"],
                             "waved_through": figures["waved_through"],
                             "accept_false_alarm": figures["accept_false_alarm"], "bars_met": _met(figures)})
    return rows, _reliability(calibration)


def _reliability(pairs: list[tuple[float, bool]]) -> list[dict]:
    """Per band of confidence: how many verdicts fell in it and the share of them that were right."""
    table = []
    for low, high in CONFIDENCE_BANDS:
        inside = [right for confidence, right in pairs if low <= confidence < high]
        table.append({"confidence": f"{low:.1f}-{min(high, 1.0):.1f}", "requests": len(inside),
                      "verdict right": round(sum(inside) / len(inside), 2) if inside else ""})
    return table
