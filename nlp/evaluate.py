"""Held-out evaluation producing plain, JSON-serialisable dicts (stored in meta.json)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import numpy as np
from sklearn.metrics import accuracy_score, f1_score, precision_recall_fscore_support

from nlp.classifier import NEUTRAL_BAND, TAGS, TrainedModel, tags_matrix
from nlp.errors import ClassificationError
from nlp.features import Doc, prepare


def _per_label(y_true, y_pred, labels: Sequence[str]) -> dict:
    p, r, f, s = precision_recall_fscore_support(y_true, y_pred, zero_division=0, **_kw(labels, y_true))
    return {
        label: {"precision": round(float(p[i]), 4), "recall": round(float(r[i]), 4),
                "f1": round(float(f[i]), 4), "support": int(s[i])}
        for i, label in enumerate(labels)
    }


def _kw(labels: Sequence[str], y_true) -> dict:
    # Indicator matrices (tags) take no `labels`; string targets need them to fix the order.
    return {} if isinstance(y_true, np.ndarray) and y_true.ndim == 2 else {"labels": list(labels)}


def predict_tags(model: TrainedModel, docs: Sequence[Doc]) -> tuple[np.ndarray, np.ndarray]:
    docs = prepare(docs)
    scores = model.scores(docs)
    return scores, (scores >= model.cutoffs(docs)).astype(int)


def _tag_figures(y: np.ndarray, pred: np.ndarray, labels: Sequence[str]) -> dict:
    return {
        "n": int(y.shape[0]),
        "per_label": _per_label(y, pred, labels),
        "macro_f1": round(float(f1_score(y, pred, average="macro", zero_division=0)), 4),
        "micro_f1": round(float(f1_score(y, pred, average="micro", zero_division=0)), 4),
        "subset_accuracy": round(float(accuracy_score(y, pred)), 4),
    }


def tag_report(true_tags: Sequence[Sequence[str]], predicted_tags: Sequence[Sequence[str]]) -> dict:
    """Figures of any tagger (a model, the keyword rule, people) from two lists of tag lists:
    per tag precision/recall/F1/support, macro- and micro-F1, subset accuracy, n."""
    if len(true_tags) != len(predicted_tags):
        raise ClassificationError("标签数量不一致 (true and predicted tag lists differ in length)")
    return _tag_figures(tags_matrix(true_tags), tags_matrix(predicted_tags), TAGS)


def _rows(rows, labels) -> tuple[list, list]:
    if labels is not None:
        return list(rows), list(labels)
    texts, tags = [], []
    for row in rows:
        if isinstance(row, Mapping):
            texts.append(row.get("text"))
            tags.append(list(row.get("labels") or row.get("tags") or []))
        else:
            text, row_tags = row
            texts.append(text)
            tags.append(list(row_tags or []))
    return texts, tags


def evaluate_tags(model: TrainedModel, rows: Iterable, labels: Sequence | None = None) -> dict:
    """Per-tag precision/recall/F1 and macro-F1 of a trained tags model on arbitrary labelled rows.

    `rows` are texts with `labels` beside them, or (text, tags) pairs, or dicts with "text" and
    "labels" (or "tags": the service's {tag} lists or human corrections). A tag given as a dict
    ({"tag": ..., "score": ...}) counts by its name. Uses the model's own thresholds (short/long).
    """
    if model.task != "tags":
        raise ClassificationError(f"模型任务不匹配：需要 tags，实际为 {model.task}")
    texts, tags = _rows(rows, labels)
    tags = [[t["tag"] if isinstance(t, Mapping) else str(t) for t in row] for row in tags]
    unknown = sorted({t for row in tags for t in row} - set(TAGS))
    if unknown:
        raise ClassificationError(f"未知标签：{'、'.join(unknown)}（可选：{'、'.join(TAGS)}）")
    docs = prepare(texts)
    _, pred = predict_tags(model, docs)
    return {"task": "tags", **_tag_figures(tags_matrix(tags), pred, model.labels)}


def evaluate(model: TrainedModel, texts: Sequence[str | Doc], labels: Sequence) -> dict:
    """Per-label precision/recall/F1/support, macro-F1 and accuracy (subset accuracy for tags)."""
    docs = prepare(texts)
    out: dict = {"task": model.task, "n": len(docs)}
    if model.task == "tags":
        y = tags_matrix(labels)
        _, pred = predict_tags(model, docs)
        out.update(_tag_figures(y, pred, model.labels))
        return out
    scores = model.scores(docs)
    pred = [model.labels[i] for i in scores.argmax(axis=1)]
    y = [str(v) for v in labels]
    out["per_label"] = _per_label(y, pred, model.labels)
    out["macro_f1"] = round(float(f1_score(y, pred, labels=model.labels, average="macro", zero_division=0)), 4)
    out["accuracy"] = round(float(accuracy_score(y, pred)), 4)
    if model.task == "sentiment":
        out.update(_confident(scores[:, model.labels.index("positive")], y))
    return out


def _confident(p_pos: np.ndarray, y: list[str]) -> dict:
    """Accuracy outside the neutral band, and how many texts fall outside it (coverage)."""
    lo, hi = NEUTRAL_BAND
    mask = (p_pos < lo) | (p_pos > hi)
    if not mask.any():
        return {"confident_accuracy": None, "confident_coverage": 0.0}
    pred = np.where(p_pos > 0.5, "positive", "negative")
    truth = np.asarray(y)
    acc = float((pred[mask] == truth[mask]).mean())
    return {"confident_accuracy": round(acc, 4), "confident_coverage": round(float(mask.mean()), 4)}
