"""The plain baseline every part of the triage engine must beat: TF-IDF over words and word pairs with logistic
regression, trained on the same labelled examples (`data/triage/examples/*.jsonl`), predicting the verdict directly
and each reason one-vs-rest. Needs scikit-learn (the `train` or `test` extra); used only by the benchmarks."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from bot.triage.knowledge import REASONS
from bot.triage.train import load_examples

REASON_THRESHOLD = 0.5


@dataclass
class Baseline:
    """A fitted baseline: `predict(texts)` gives one `{"verdict", "reasons"}` per text."""

    vectorizer: object
    verdicts: object
    reasons: dict[str, object]

    def predict(self, texts: list[str]) -> list[dict]:
        """The baseline's verdict and reasons for each text."""
        matrix = self.vectorizer.transform(texts)
        verdicts = self.verdicts.predict(matrix)
        found = {reason: model.predict_proba(matrix)[:, 1] for reason, model in self.reasons.items()}
        return [{"verdict": str(verdict),
                 "reasons": [reason for reason in REASONS
                             if reason in found and found[reason][row] >= REASON_THRESHOLD]}
                for row, verdict in enumerate(verdicts)]


def fit_baseline(directory: Path) -> Baseline:
    """Fit the baseline on every labelled example under `directory`."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    examples = load_examples(directory)
    texts = [example["text"] for example in examples]
    vectorizer = TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True)
    matrix = vectorizer.fit_transform(texts)
    verdicts = LogisticRegression(C=10.0, max_iter=2000, class_weight="balanced")
    verdicts.fit(matrix, [example["verdict"] for example in examples])
    reasons = {}
    for reason in REASONS:
        labels = [reason in example["reasons"] for example in examples]
        if any(labels):
            model = LogisticRegression(C=10.0, max_iter=2000, class_weight="balanced")
            model.fit(matrix, labels)
            reasons[reason] = model
    return Baseline(vectorizer, verdicts, reasons)
