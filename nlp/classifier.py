"""The one trainable pipeline (TF-IDF -> logistic regression) used for tags, sentiment, dispatch."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import KFold, cross_val_predict
from sklearn.multiclass import OneVsRestClassifier
from sklearn.pipeline import Pipeline

from nlp.features import Doc, build_features, drop_fit_leftovers

TASKS = ("tags", "sentiment", "dispatch")
TAGS = ("delay", "quality", "attitude")
SENTIMENT_LABELS = ("negative", "positive")

# P(positive) inside this band is reported as neutral (defaults; the service may pass its own).
NEUTRAL_BAND = (0.4, 0.6)
# Thresholds are tuned within these bounds so a tiny validation fold cannot pick an absurd value.
THRESHOLD_GRID = np.round(np.arange(0.15, 0.86, 0.01), 2)
MIN_PRECISION = 0.80


@dataclass
class TrainedModel:
    """A fitted pipeline plus everything needed to interpret and audit its output."""

    task: str
    labels: list[str]
    pipeline: Pipeline
    thresholds: dict[str, float] = field(default_factory=dict)
    metrics: dict = field(default_factory=dict)
    version: str = ""
    n_train: int = 0
    data_sha256: str = ""
    created_at: str = ""

    def scores(self, docs: Sequence[Doc | str]) -> np.ndarray:
        """Probability per (text, label), columns in `self.labels` order."""
        if len(docs) == 0:
            return np.zeros((0, len(self.labels)))
        proba = self.pipeline.predict_proba(list(docs))
        classes = [str(c) for c in self.pipeline.classes_] if self.task != "tags" else self.labels
        order = [classes.index(label) for label in self.labels]
        return np.asarray(proba)[:, order]


def _estimator(task: str, seed: int):
    if task == "tags":
        base = LogisticRegression(C=8.0, class_weight="balanced", solver="liblinear", random_state=seed)
        return OneVsRestClassifier(base)
    if task == "sentiment":
        return LogisticRegression(C=2.0, solver="liblinear", random_state=seed)
    # Dispatch: departments are unbalanced; balanced weights keep small ones reachable.
    return LogisticRegression(C=4.0, class_weight="balanced", max_iter=2000, random_state=seed)


def build_pipeline(task: str, seed: int = 0) -> Pipeline:
    features = build_features()
    return Pipeline([*features.steps, ("model", _estimator(task, seed))])


def tags_matrix(labels: Sequence[Sequence[str]]) -> np.ndarray:
    return np.array([[tag in row for tag in TAGS] for row in labels], dtype=int)


def fit_pipeline(task: str, docs: list[Doc], labels: Sequence, seed: int = 0) -> Pipeline:
    pipe = build_pipeline(task, seed)
    y = tags_matrix(labels) if task == "tags" else np.asarray(labels)
    pipe.fit(docs, y)
    drop_fit_leftovers(pipe)
    return pipe


def best_threshold(y: np.ndarray, p: np.ndarray) -> tuple[float, dict]:
    """Highest-F1 threshold among those reaching MIN_PRECISION (else highest F1 overall)."""
    best, best_key = 0.5, (-1, -1.0, -1.0)
    stats = {}
    for t in THRESHOLD_GRID:
        pred = p >= t
        tp = int((pred & (y == 1)).sum())
        prec = tp / max(int(pred.sum()), 1)
        rec = tp / max(int(y.sum()), 1)
        f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
        # Prefer reaching the precision floor, then F1, then a higher (more conservative) cut.
        key = (int(prec >= MIN_PRECISION), f1, float(t))
        if key > best_key:
            best, best_key = float(t), key
            stats = {"precision": round(prec, 4), "recall": round(rec, 4), "f1": round(f1, 4)}
    return best, stats


def tune_tag_thresholds(docs: list[Doc], labels: Sequence, seed: int = 0, folds: int = 4):
    """Per-tag thresholds from out-of-fold probabilities on the training data only."""
    y = tags_matrix(labels)
    cv = KFold(n_splits=folds, shuffle=True, random_state=seed)
    oof = cross_val_predict(build_pipeline("tags", seed), docs, y, cv=cv, method="predict_proba")
    thresholds, validation = {}, {}
    for j, tag in enumerate(TAGS):
        thresholds[tag], validation[tag] = best_threshold(y[:, j], oof[:, j])
    return thresholds, validation


def sentiment_of(p_positive: float, band: tuple[float, float] = NEUTRAL_BAND) -> dict:
    """Map P(positive) to the label/score pair the service stores."""
    p = float(p_positive)
    label = "negative" if p < band[0] else "positive" if p > band[1] else "neutral"
    return {"label": label, "score": round(p, 4)}


def _tag_scores(tags: Sequence[Mapping | str] | None) -> list[float]:
    return [1.0 if isinstance(t, str) else float(t.get("score", 1.0)) for t in tags or []]


def mismatch(
    stars: int | None,
    sentiment_score: float | None,
    tags: Sequence[Mapping | str] | None,
    *,
    negative_below: float = 0.25,
    positive_above: float = 0.8,
    strong_tag: float = 0.7,
) -> bool:
    """True when the stars and the text clearly disagree (the rating is then shown for review).

    `tags` are the emitted tags, as {"tag", "score"} dicts or bare tag names.
    """
    if stars is None or sentiment_score is None:
        return False
    scores = _tag_scores(tags)
    if stars >= 4:
        return sentiment_score < negative_below or any(s >= strong_tag for s in scores)
    if stars <= 2:
        return sentiment_score > positive_above and not scores
    return False
