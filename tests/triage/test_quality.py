"""Triage quality against the bars the product promises: verdict accuracy >= 0.85, reason macro-F1 >= 0.70, no
request that must be declined answered accept or accept-with-conditions, <= 10% of acceptable requests pushed
back on. Measured on our own labelled cases and on the shared dev set (skipped where ../shared is absent).

Our own labelled examples live in `data/triage/examples/` (the knowledge a domain expert edits): the cues were
widened on some of them and the learned reader is trained on all of them, so here they guard against regressions.
`unseen2.jsonl`, `unseen3.jsonl` and `unseen4.jsonl`, beside this file, were written blind to the engine by
separate authors and are never trained or tuned on: together they are the honest measure of how the triage reads
requests it has not met. Their bars are lower than the product's, and their figures are in BENCHMARKS.md.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from bot.triage import REASONS
from bot.triage.evaluation import offline_engine, predict, verdict_figures

HERE = Path(__file__).resolve().parent
EXAMPLES = HERE.parents[1] / "data" / "triage" / "examples"
HELD_OUT = (HERE / "unseen2.jsonl", HERE / "unseen3.jsonl", HERE / "unseen4.jsonl")
HELD_OUT_BARS = {"verdict_accuracy": 0.75, "reason_macro_f1": 0.65}
HELD_OUT_MAX_LET_THROUGH = 3
HELD_OUT_MAX_FALSE_ALARM = 0.15
SHARED_DEV = HERE.parents[2] / "shared" / "eval" / "dev.jsonl"
BARS = {"verdict_accuracy": 0.85, "reason_macro_f1": 0.70}
MAX_FALSE_ALARM = 0.10
TRAINING_MAX_LET_THROUGH = 0.01
WRITTEN_ON = date(2026, 11, 23)  # the date cases without a `today` are read against


def score(cases: list[dict]) -> dict:
    """The same figures as ../shared/eval/score.py: verdict accuracy, reason macro-F1, let-through, false alarm."""
    return verdict_figures(cases, predict(cases, offline_engine, WRITTEN_ON))


def _load(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _assert_bars(figures: dict) -> None:
    for name, bar in BARS.items():
        assert figures[name] >= bar, f"{name} {figures[name]:.3f} below {bar}"
    assert figures["let_through"] == 0
    assert figures["false_alarm"] <= MAX_FALSE_ALARM


@pytest.mark.parametrize("path", sorted(EXAMPLES.glob("*.jsonl")), ids=lambda path: path.stem)
def test_each_set_of_our_labelled_examples_is_read_well(path):
    figures = _scored(path)
    has_reasons = any(case["reasons"] for case in _load(path))
    for name, bar in BARS.items():
        if name == "reason_macro_f1" and not has_reasons:
            continue  # a set of acceptable requests only has no reason to find
        assert figures[name] >= bar, f"{name} {figures[name]:.3f} below {bar}"


def test_all_our_labelled_examples_together_meet_the_bars():
    """The learned reader is regularised, so it does not learn every example by heart: a few must-decline requests
    may still read as acceptable (at most 1% of them; 8 in 1,912 when this was written), and the false alarms are
    counted over all the sets, since one set holds only some thirty acceptable requests. Zero let through is the
    bar on the shared dev set below."""
    paths = sorted(EXAMPLES.glob("*.jsonl"))
    declines = sum(case["verdict"] == "decline" for path in paths for case in _load(path))
    acceptable = [sum(case["verdict"] == "accept" for case in _load(path)) for path in paths]
    alarms = sum(_scored(path)["false_alarm"] * count for path, count in zip(paths, acceptable))
    assert sum(_scored(path)["let_through"] for path in paths) <= TRAINING_MAX_LET_THROUGH * declines
    assert alarms / sum(acceptable) <= MAX_FALSE_ALARM


_SCORES: dict[Path, dict] = {}


def _scored(path: Path) -> dict:
    if path not in _SCORES:
        _SCORES[path] = score(_load(path))
    return _SCORES[path]


def test_requests_never_trained_on_are_read_well_enough():
    figures = score([case for path in HELD_OUT for case in _load(path)])
    for name, bar in HELD_OUT_BARS.items():
        assert figures[name] >= bar, f"held out: {name} {figures[name]:.3f} below {bar}"
    assert figures["let_through"] <= HELD_OUT_MAX_LET_THROUGH
    assert figures["false_alarm"] <= HELD_OUT_MAX_FALSE_ALARM


def test_our_cases_are_labelled_with_the_projects_vocabulary():
    for path in [*EXAMPLES.glob("*.jsonl"), *HELD_OUT]:
        for case in _load(path):
            assert case["verdict"] in ("accept", "accept_with_conditions", "push_back", "decline"), case["id"]
            assert set(case["reasons"]) <= set(REASONS), case["id"]
            assert bool(case["reasons"]) == (case["verdict"] != "accept"), case["id"]


def test_the_shared_dev_set_meets_the_bars():
    if not SHARED_DEV.exists():
        pytest.skip(f"the shared dev set is not here ({SHARED_DEV}); clone the project beside ../shared to run it")
    cases = [{**case, "today": date.today().isoformat()} for case in _load(SHARED_DEV)]
    _assert_bars(score(cases))
