"""The learned reader: one linear model per reason over the words and word pairs of a request and what the cues
found in it, trained on the labelled examples in `data/triage/examples/` (`python -m bot.triage.train`).

It reads what the cues cannot list (the same kind of ask in new words) and weighs what they found against the
rest of the message, so it has the last word on which reasons a request has. Beside the reasons, four verdict
columns (one multinomial model over the same features) read which verdict the whole message calls for: the
verdict is learned directly, as the plain baseline does, rather than only derived from the reasons. Scoring is
plain Python over the weights in `data/triage/model.json`; nothing is downloaded and the same text always scores
the same. Each reason it finds is explained by the words that carried the most weight for it."""

from __future__ import annotations

import json
import math
import re
from array import array
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from operator import itemgetter, mul
from pathlib import Path

from bot.triage.knowledge import DEFAULT_DIRECTORY, REASONS, KnowledgeError
from bot.triage.result import VERDICTS

FEATURE_VERSION = 4
MODEL_FILE = "model.json"
EXAMPLES_DIRECTORY = "examples"
CUE_FILES = ("cues.toml", "context.toml", "practices.toml")
MAX_CHARACTERS = 6_000
_TOKEN = re.compile(r"\w\w+")


def feature_counts(text: str, signals: Iterable[str] = ()) -> Counter:
    """How often each feature occurs in `text`: words (`w`) and adjacent word pairs (`b`), lowercased, plus the
    cues' `signals` (`k ...`, see `bot.triage.engine.cue_signals`). (Pieces of words, tried too, lowered
    out-of-fold accuracy once there were some 3,000 examples.)"""
    words = _TOKEN.findall(text[:MAX_CHARACTERS].lower())
    counts: Counter = Counter("w " + word for word in words)
    counts.update(f"b {first} {second}" for first, second in zip(words, words[1:]))
    counts.update(signals)
    return counts


def weigh(counts: Counter, index: dict[str, int], idf) -> tuple[list[int], list[float]]:
    """The positions of the known features in `counts` and their weights (log-scaled count x rarity), scaled to
    unit length: the one weighting both training and scoring use."""
    positions, values = [], []
    for feature, count in counts.items():
        position = index.get(feature)
        if position is not None:
            positions.append(position)
            values.append(idf[position] * (1.0 + math.log(count)) if count > 1 else idf[position])
    norm = math.sqrt(sum(map(mul, values, values))) or 1.0
    return positions, [value / norm for value in values]


def examples_digest(directory: Path) -> str:
    """A fingerprint of what the model learns from: the labelled examples and the cue files (whose findings are
    among its features), so a model trained on other examples or other cues is noticed."""
    import hashlib

    digest = hashlib.sha256()
    for path in [*sorted((directory / EXAMPLES_DIRECTORY).glob("*.jsonl")), *(directory / name for name in CUE_FILES)]:
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


@dataclass(frozen=True)
class ReasonModel:
    """Per reason (in `REASONS` order) a column of weights, one per feature; the features' rarity (`idf`), each
    reason's bias, and the probability from which a reason counts as found. The caution column (its weights and
    bias) says whether a request needs a no at all, and `lean` is its probability from which "accept" is not
    earned."""

    index: dict[str, int]
    idf: array
    columns: tuple[array, ...]
    bias: tuple[float, ...]
    threshold: float
    digest: str
    caution: array
    caution_bias: float
    lean: float
    verdict_columns: tuple[array, ...] = ()
    verdict_bias: tuple[float, ...] = ()
    earned: float = 0.0

    def verdict_probabilities(self, text: str, signals: Iterable[str] = ()) -> dict[str, float]:
        """For each verdict, how likely the whole of `text` calls for it, given what the cues found (summing to 1);
        empty when the model has no verdict columns."""
        if not self.verdict_columns:
            return {}
        positions, values = weigh(feature_counts(text, signals), self.index, self.idf)
        scores = [bias + sum(values[i] * column[position] for i, position in enumerate(positions))
                  for bias, column in zip(self.verdict_bias, self.verdict_columns)]
        top = max(scores)
        exponentials = [math.exp(score - top) for score in scores]
        total = sum(exponentials)
        return {verdict: value / total for verdict, value in zip(VERDICTS, exponentials)}

    def probabilities(self, text: str, signals: Iterable[str] = ()) -> dict[str, float]:
        """For each reason, how likely the model finds it in `text`, given what the cues found (0 to 1)."""
        positions, values = weigh(feature_counts(text, signals), self.index, self.idf)
        if not positions:
            return {reason: 1.0 / (1.0 + math.exp(-bias)) for reason, bias in zip(REASONS, self.bias)}
        gather = itemgetter(*positions) if len(positions) > 1 else (lambda column: (column[positions[0]],))
        scores = (bias + sum(map(mul, values, gather(column))) for bias, column in zip(self.bias, self.columns))
        return {reason: 1.0 / (1.0 + math.exp(-score)) for reason, score in zip(REASONS, scores)}

    def needs_no(self, text: str, signals: Iterable[str] = ()) -> float:
        """How likely `text` needs a push-back or a decline at all, from the caution column (0 to 1)."""
        positions, values = weigh(feature_counts(text, signals), self.index, self.idf)
        score = self.caution_bias + sum(values[i] * self.caution[position] for i, position in enumerate(positions))
        return 1.0 / (1.0 + math.exp(-score))

    def found(self, text: str, signals: Iterable[str] = ()) -> dict[str, float]:
        """The reasons at or above the threshold, with their probability."""
        return {reason: p for reason, p in self.probabilities(text, signals).items() if p >= self.threshold}

    def telling_words(self, text: str, reason: str, limit: int = 3) -> list[str]:
        """The words and word pairs of `text` that pushed hardest towards `reason`, strongest first."""
        column = self.columns[REASONS.index(reason)]
        weighed = []
        for feature in feature_counts(text):
            position = self.index.get(feature)
            if position is not None and feature[0] in "wb":
                contribution = column[position] * self.idf[position]
                if contribution > 0:
                    weighed.append((contribution, feature[2:]))
        return [words for _, words in sorted(weighed, reverse=True)[:limit]]


def _invalid(path: Path, problem: str) -> KnowledgeError:
    return KnowledgeError(f"{path}: {problem} (retrain with `python -m bot.triage.train`)")


def read_model(path: Path) -> ReasonModel:
    """Load and check a model file; a malformed one names the file and the problem."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise _invalid(path, "the model file is missing") from None
    except json.JSONDecodeError as error:
        raise _invalid(path, f"line {error.lineno}: {error.msg}") from None
    if not isinstance(data, dict) or data.get("feature_version") != FEATURE_VERSION:
        raise _invalid(path, f"made for another feature version (this code reads version {FEATURE_VERSION})")
    if tuple(data.get("reasons") or ()) != REASONS:
        raise _invalid(path, "its reasons are not the nine labels in order")
    features, idf, weights = data.get("features"), data.get("idf"), data.get("weights")
    if not (isinstance(features, list) and isinstance(idf, list) and isinstance(weights, list)
            and len(features) == len(idf) == len(weights)):
        raise _invalid(path, "features, idf and weights must be lists of the same length")
    if any(not isinstance(row, list) or len(row) != len(REASONS) for row in weights):
        raise _invalid(path, "every weight row needs one number per reason")
    bias, threshold = data.get("bias"), data.get("threshold")
    if not isinstance(bias, list) or len(bias) != len(REASONS):
        raise _invalid(path, "bias needs one number per reason")
    if not isinstance(threshold, (int, float)) or not 0 < threshold < 1:
        raise _invalid(path, "threshold must be a number between 0 and 1")
    caution = data.get("caution")
    if not (isinstance(caution, dict) and isinstance(caution.get("weights"), list)
            and len(caution["weights"]) == len(features) and isinstance(caution.get("lean"), (int, float))):
        raise _invalid(path, "the caution column needs one weight per feature and a lean")
    verdicts = data.get("verdicts")
    if verdicts is not None and not (
            isinstance(verdicts, dict) and tuple(verdicts.get("labels") or ()) == VERDICTS
            and isinstance(verdicts.get("weights"), list) and len(verdicts["weights"]) == len(features)
            and all(isinstance(row, list) and len(row) == len(VERDICTS) for row in verdicts["weights"])
            and isinstance(verdicts.get("bias"), list) and len(verdicts["bias"]) == len(VERDICTS)
            and isinstance(verdicts.get("earned"), (int, float))):
        raise _invalid(path, "the verdict columns need the four verdicts in order, one row of four weights per "
                             "feature, four biases and the probability from which accept is earned")
    return ReasonModel(index={feature: position for position, feature in enumerate(features)},
                       idf=array("d", idf),
                       columns=tuple(array("d", (row[column] for row in weights)) for column in range(len(REASONS))),
                       bias=tuple(float(value) for value in bias), threshold=float(threshold),
                       digest=str(data.get("examples_digest", "")), caution=array("d", caution["weights"]),
                       caution_bias=float(caution.get("bias", 0.0)), lean=float(caution["lean"]),
                       verdict_columns=tuple(array("d", (row[column] for row in verdicts["weights"]))
                                             for column in range(len(VERDICTS))) if verdicts else (),
                       verdict_bias=tuple(float(value) for value in verdicts["bias"]) if verdicts else (),
                       earned=float(verdicts["earned"]) if verdicts else 0.0)


@lru_cache(maxsize=8)
def load_model(directory: Path | None = None) -> ReasonModel:
    """The model in `directory` (default `data/triage/`), read once."""
    return read_model((directory or DEFAULT_DIRECTORY) / MODEL_FILE)
