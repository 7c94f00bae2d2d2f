"""Train the learned reader (`bot.triage.model`) on the labelled examples in `data/triage/examples/*.jsonl` and
write `data/triage/model.json`.

    pip install -e '.[train]' && python -m bot.triage.train

Each example is a JSON line `{"id", "text", "reasons", "verdict"}` (and `today`, the date it was written on,
for asks with dates); the text is cleaned and read by the cues as the triage does, so the model learns from the
words and what the cues found. It learns from the whole cleaned text; learning only from what the client asks for
(as the triage then reads it) scored no better out of fold when tried. One logistic regression per reason
(scikit-learn), weighted so rare reasons count as much as common ones. The threshold is chosen on out-of-fold
predictions, never on the examples a model was fitted to, by scoring the whole decision the triage makes with them
(`engine.settled_reasons`).
Deterministic: the same examples give the same file."""

from __future__ import annotations

import argparse
import json
import math
import sys
from collections import Counter
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from bot.triage.cleaning import clean_message
from bot.triage.engine import (DECLINE_REASONS, PUSH_BACK_REASONS, cancelled_everywhere, cue_signals, read_message,
                               settled_reasons, verdict_for)
from bot.triage.knowledge import DEFAULT_DIRECTORY, REASONS, load_knowledge
from bot.triage.result import VERDICTS
from bot.triage.model import (EXAMPLES_DIRECTORY, FEATURE_VERSION, MODEL_FILE, examples_digest, feature_counts,
                              weigh)

REGULARISATION = 10.0
MIN_DOCUMENTS = 2
FOLDS = 5
THRESHOLDS = [round(0.20 + 0.05 * step, 2) for step in range(13)]
MAX_FALSE_ALARM = 0.08
WRITTEN_ON = "2026-11-23"  # the date examples without a `today` were written against
NEEDS_NO = DECLINE_REASONS | PUSH_BACK_REASONS
MAX_LEAN_FALSE_ALARM = 0.05  # acceptable requests the caution column may flag, out of fold
MAX_UNEARNED_ACCEPTS = 0.05  # acceptable requests the verdict columns may hold for a check, out of fold


def load_examples(directory: Path) -> list[dict]:
    """Every labelled example, checked: a bad line names its file and line."""
    examples = []
    for path in sorted((directory / EXAMPLES_DIRECTORY).glob("*.jsonl")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            example = json.loads(line)
            unknown = set(example["reasons"]) - set(REASONS)
            if unknown:
                raise ValueError(f"{path} line {number}: unknown reasons {sorted(unknown)}")
            examples.append(example)
    return examples


@dataclass(frozen=True)
class ReadExample:
    """An example as the triage reads it: the learned reader's features, the reasons the cues raised, and those the
    client's own words cancel in every ask."""

    features: Counter
    cue_reasons: set[str]
    cancelled: set[str]


def read_example(example: dict, directory: Path) -> ReadExample:
    """Clean, split and read `example` through the cues, as the triage does."""
    knowledge = load_knowledge(directory)
    cleaned = clean_message(example["text"])
    written_on = date.fromisoformat(example.get("today", WRITTEN_ON))
    readings = read_message(cleaned, knowledge, written_on)
    return ReadExample(feature_counts(cleaned.text, cue_signals(readings)),
                       {reason for reading in readings for reason in reading.reasons()}, cancelled_everywhere(readings))


def _matrix(counted: list[Counter], vocabulary: dict[str, int], idf: list[float]):
    from scipy.sparse import csr_matrix

    rows, columns, values = [], [], []
    for row, counts in enumerate(counted):
        positions, weights = weigh(counts, vocabulary, idf)
        rows += [row] * len(positions)
        columns += positions
        values += weights
    return csr_matrix((values, (rows, columns)), shape=(len(counted), len(vocabulary)))


def _fit(counted: list[Counter], labels: list[set[str]]):
    from sklearn.linear_model import LogisticRegression

    features, vocabulary, idf = _vocabulary(counted)
    matrix = _matrix(counted, vocabulary, idf)
    models = []
    for target in _targets(labels):
        model = LogisticRegression(C=REGULARISATION, class_weight="balanced", max_iter=5000)
        models.append(model.fit(matrix, target))
    return features, vocabulary, idf, models


def _fit_verdicts(matrix, verdicts: list[str]):
    """The verdict columns: one multinomial logistic regression over the same features, predicting the verdict."""
    from sklearn.linear_model import LogisticRegression

    model = LogisticRegression(C=REGULARISATION, class_weight="balanced", max_iter=5000)
    return model.fit(matrix, verdicts)


def _verdict_rows(model, matrix) -> list[dict[str, float]]:
    classes = [str(label) for label in model.classes_]
    return [{verdict: float(row[classes.index(verdict)]) for verdict in VERDICTS}
            for row in model.predict_proba(matrix)]


def verdicts_out_of_fold(counted: list[Counter], verdicts: list[str]) -> list[dict[str, float]]:
    """Each example's verdict probabilities from verdict columns fitted without it (the same folds)."""
    scored: list[dict[str, float]] = [{} for _ in counted]
    for fold in range(FOLDS):
        held = [index for index in range(len(counted)) if index % FOLDS == fold]
        kept = [index for index in range(len(counted)) if index % FOLDS != fold]
        features, vocabulary, idf = _vocabulary([counted[i] for i in kept])
        model = _fit_verdicts(_matrix([counted[i] for i in kept], vocabulary, idf), [verdicts[i] for i in kept])
        for index, row in zip(held, _verdict_rows(model, _matrix([counted[i] for i in held], vocabulary, idf))):
            scored[index] = row
    return scored


def choose_earned(scored: list[dict[str, float]], verdicts: list[str]) -> tuple[float, dict]:
    """The probability of "accept" below which an accept is not earned (the triage holds and says what to check):
    the highest at which no more than `MAX_UNEARNED_ACCEPTS` of the acceptable examples the columns would accept
    are held, out of fold. Also the columns' out-of-fold figures."""
    picked = [max(row, key=row.__getitem__) for row in scored]
    accepted = sorted(row["accept"] for row, pick, verdict in zip(scored, picked, verdicts)
                      if pick == "accept" and verdict == "accept")
    allowed = int(len(accepted) * MAX_UNEARNED_ACCEPTS)
    earned = round(accepted[allowed] - 0.005, 3) if allowed < len(accepted) else 0.0
    correct = sum(pick == verdict for pick, verdict in zip(picked, verdicts))
    needs_no = [pick for pick, verdict in zip(picked, verdicts) if verdict in ("push_back", "decline")]
    waved = sum(pick == "accept" and row["accept"] >= earned
                for pick, row, verdict in zip(picked, scored, verdicts) if verdict in ("push_back", "decline"))
    return earned, {"verdict_accuracy": round(correct / len(verdicts), 3),
                    "waved_through": round(waved / max(1, len(needs_no)), 3)}


def _vocabulary(counted: list[Counter]) -> tuple[list[str], dict[str, int], list[float]]:
    documents = Counter(feature for counts in counted for feature in counts)
    features = sorted(feature for feature, count in documents.items() if count >= MIN_DOCUMENTS)
    vocabulary = {feature: position for position, feature in enumerate(features)}
    total = len(counted)
    idf = [math.log((1 + total) / (1 + documents[feature])) + 1 for feature in features]
    return features, vocabulary, idf


def _targets(labels: list[set[str]]) -> list[list[bool]]:
    """What each column learns: one column per reason, then whether the request needs a no at all (a reason
    that pushes back or declines), the caution column."""
    return ([[reason in example for example in labels] for reason in REASONS]
            + [[bool(example & NEEDS_NO) for example in labels]])


def _probabilities(fitted, counted: list[Counter]) -> list[list[float]]:
    _, vocabulary, idf, models = fitted
    matrix = _matrix(counted, vocabulary, idf)
    columns = [model.predict_proba(matrix)[:, 1] for model in models]
    return [[column[row] for column in columns] for row in range(len(counted))]


def _figures(labels: list[set[str]], predicted: list[set[str]], verdicts: list[str]) -> dict[str, float]:
    correct = sum(verdict_for(list(found)) == verdict for found, verdict in zip(predicted, verdicts))
    acceptable = [found for found, verdict in zip(predicted, verdicts) if verdict == "accept"]
    alarms = sum(verdict_for(list(found)) in ("push_back", "decline") for found in acceptable)
    f1 = []
    for reason in REASONS:
        hit = sum(reason in found and reason in gold for found, gold in zip(predicted, labels))
        extra = sum(reason in found and reason not in gold for found, gold in zip(predicted, labels))
        missed = sum(reason not in found and reason in gold for found, gold in zip(predicted, labels))
        f1.append(2 * hit / (2 * hit + extra + missed) if hit + extra + missed else 1.0)
    return {"verdict_accuracy": round(correct / len(labels), 3), "reason_macro_f1": round(sum(f1) / len(f1), 3),
            "accept_false_alarm": round(alarms / max(1, len(acceptable)), 3)}


def out_of_fold(counted: list[Counter], labels: list[set[str]]) -> list[list[float]]:
    """Each example's probabilities from a model fitted without it (folds by position, interleaved)."""
    scored: list[list[float]] = [[] for _ in counted]
    for fold in range(FOLDS):
        held = [index for index in range(len(counted)) if index % FOLDS == fold]
        kept = [index for index in range(len(counted)) if index % FOLDS != fold]
        fitted = _fit([counted[i] for i in kept], [labels[i] for i in kept])
        for index, row in zip(held, _probabilities(fitted, [counted[i] for i in held])):
            scored[index] = row
    return scored


def choose_threshold(scored: list[list[float]], read: list[ReadExample], labels: list[set[str]],
                     verdicts: list[str]) -> tuple[float, dict]:
    """The one threshold with the best out-of-fold verdict accuracy and reason F1 of the whole decision (the cues'
    reasons, weighed by the reader, and the reader's own) whose false alarms on acceptable requests stay within
    bounds (a threshold per reason, tried too, raised false alarms on requests never seen)."""
    best: tuple[float, float, dict] | None = None
    for threshold in THRESHOLDS:
        predicted = [settled_reasons(dict(zip(REASONS, row[:len(REASONS)])), example.cue_reasons, example.cancelled,
                                     threshold)
                     for row, example in zip(scored, read)]
        figures = _figures(labels, predicted, verdicts)
        if figures["accept_false_alarm"] > MAX_FALSE_ALARM:
            continue
        key = figures["verdict_accuracy"] + figures["reason_macro_f1"]
        if best is None or key > best[1]:
            best = (threshold, key, figures)
    if best is None:
        return THRESHOLDS[-1], {}
    return best[0], best[2]


def train(directory: Path) -> dict:
    """Fit on every example in `directory` and return the model file's contents."""
    examples = load_examples(directory)
    read = [read_example(example, directory) for example in examples]
    counted = [example.features for example in read]
    labels = [set(example["reasons"]) for example in examples]
    verdicts = [example["verdict"] for example in examples]
    scored = out_of_fold(counted, labels)
    threshold, figures = choose_threshold(scored, read, labels, verdicts)
    lean, reliability = choose_lean(scored, labels, verdicts)
    earned, verdict_figures = choose_earned(verdicts_out_of_fold(counted, verdicts), verdicts)
    features, vocabulary, idf, models = _fit(counted, labels)
    verdict_model = _fit_verdicts(_matrix(counted, vocabulary, idf), verdicts)
    order = [[str(label) for label in verdict_model.classes_].index(verdict) for verdict in VERDICTS]
    weights = [[round(float(model.coef_[0][position]), 4) for model in models]
               + [round(float(verdict_model.coef_[row][position]), 4) for row in order]
               for position in range(len(features))]
    kept = [position for position, row in enumerate(weights) if any(abs(value) >= 0.0005 for value in row)]
    caution = models[len(REASONS)]
    first_verdict = len(REASONS) + 1
    return {
        "feature_version": FEATURE_VERSION, "reasons": list(REASONS), "examples_digest": examples_digest(directory),
        "examples": len(examples), "regularisation": REGULARISATION, "threshold": threshold,
        "out_of_fold": figures,
        "bias": [round(float(model.intercept_[0]), 4) for model in models[:len(REASONS)]],
        "features": [features[position] for position in kept],
        "idf": [round(idf[position], 4) for position in kept],
        "weights": [weights[position][:len(REASONS)] for position in kept],
        "caution": {"lean": lean, "bias": round(float(caution.intercept_[0]), 4),
                    "weights": [weights[position][len(REASONS)] for position in kept],
                    "out_of_fold_reliability": reliability},
        "verdicts": {"labels": list(VERDICTS), "earned": earned, "out_of_fold": verdict_figures,
                     "bias": [round(float(verdict_model.intercept_[row]), 4) for row in order],
                     "weights": [weights[position][first_verdict:] for position in kept]},
    }


def choose_lean(scored: list[list[float]], labels: list[set[str]], verdicts: list[str]) -> tuple[float, list]:
    """The caution column's probability from which a request the rest of the engine would accept is treated as
    needing a closer look: the lowest at which no more than `MAX_LEAN_FALSE_ALARM` of the acceptable examples
    reach it, out of fold. Also the column's reliability out of fold: per tenth of probability, how many examples
    and the share of them that needed a no."""
    needs_no = [row[len(REASONS)] for row in scored]
    acceptable = sorted((p for p, verdict in zip(needs_no, verdicts) if verdict == "accept"), reverse=True)
    allowed = int(len(acceptable) * MAX_LEAN_FALSE_ALARM)
    lean = round(min(0.95, max(0.5, acceptable[allowed] + 0.005 if allowed < len(acceptable) else 0.5)), 3)
    reliability = []
    for tenth in range(10):
        inside = [bool(label & NEEDS_NO) for p, label in zip(needs_no, labels) if tenth <= p * 10 < tenth + 1]
        reliability.append([round(tenth / 10, 1), len(inside), round(sum(inside) / len(inside), 3) if inside else None])
    return lean, reliability


def main(argv: list[str] | None = None) -> int:
    """Train and write the model; print how it did out of fold."""
    parser = argparse.ArgumentParser(prog="python -m bot.triage.train", description=__doc__.split("\n\n")[0])
    parser.add_argument("--knowledge", type=Path, default=DEFAULT_DIRECTORY, help="the data/triage directory")
    arguments = parser.parse_args(argv)
    try:
        model = train(arguments.knowledge)
    except ImportError:
        print("Training needs scikit-learn: pip install -e '.[train]'", file=sys.stderr)
        return 2
    target = arguments.knowledge / MODEL_FILE
    target.write_text(json.dumps(model, separators=(",", ":")) + "\n", encoding="utf-8")
    print(f"trained on {model['examples']} examples, {len(model['features'])} features, "
          f"threshold {model['threshold']}; out of fold: {model['out_of_fold']}; verdict columns out of fold: "
          f"{model['verdicts']['out_of_fold']}, accept earned from {model['verdicts']['earned']}; wrote {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
