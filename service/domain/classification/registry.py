"""The model registry: artifacts on disk, the active model per task in the database, and the
per-process Classifier built from the active versions."""

from __future__ import annotations

import logging
import shutil
import threading
from datetime import datetime
from pathlib import Path

from sqlalchemy import select, update
from sqlalchemy.orm import Session

import nlp
from config.settings import Settings
from service.domain.accounts import Entry, record
from service.domain.errors import Conflict, NotFound, Unavailable
from service.models import NlpModel

log = logging.getLogger(__name__)

TASKS = ("tags", "sentiment", "dispatch")
REQUIRED = ("tags", "sentiment")  # a Classifier needs both; dispatch is an optional extra
NO_MODEL_MESSAGE = "文本分类模型尚未就绪：请先运行 flask --app wsgi nlp bootstrap（或 nlp train）。"


class ModelUnavailable(Unavailable):
    """No usable active model (none trained yet, or its artifacts cannot be loaded)."""


def register_model(
    session: Session, settings: Settings, model: nlp.TrainedModel, now: datetime,
    activate: bool = False, actor: str = "system", source: str = "file",
) -> NlpModel:
    """Save the artifacts under model_dir/<task>/<version>/ (atomically), then record the row.

    The row is written only after the files are complete, and activation happens in the same
    transaction as the insert: a half-written model can never become active.
    """
    target = (Path(settings.model_dir) / model.task / model.version).resolve()
    if target.exists() or session.scalar(select(NlpModel.id).where(NlpModel.version == model.version)):
        raise Conflict(f"模型版本已存在：{model.version}")  # never overwrite (or delete) its files
    nlp.save(model, target)
    row = NlpModel(
        task=model.task, version=model.version, path=str(target), metrics=model.metrics,
        trained_on={"n": model.n_train, "sha256": model.data_sha256, "source": source},
        active=False, created_at=now,
    )
    session.add(row)
    try:
        session.flush()
        if activate:
            _activate(session, row, actor, now)
        session.commit()
    except BaseException:
        session.rollback()
        shutil.rmtree(target, ignore_errors=True)  # the row never existed, so neither should files
        raise
    return row


def activate(session: Session, version: str, now: datetime, actor: str = "system") -> NlpModel:
    """Make a registered model the active one for its task (the previous one is kept, inactive)."""
    row = session.scalar(select(NlpModel).where(NlpModel.version == version))
    if row is None:
        raise NotFound(f"模型版本不存在：{version}")
    nlp.artifacts.check_compatible(nlp.artifacts.read_meta(row.path))  # refuse before switching
    _activate(session, row, actor, now)
    session.commit()
    return row


def _activate(session: Session, row: NlpModel, actor: str, now: datetime) -> None:
    previous = session.scalar(
        select(NlpModel.version).where(NlpModel.task == row.task, NlpModel.active.is_(True))
    )
    session.execute(
        update(NlpModel).where(NlpModel.task == row.task, NlpModel.id != row.id).values(active=False)
    )
    row.active, row.activated_at = True, now
    record(session, Entry(actor=actor, action="nlp_model_activated", entity_type="nlp_model",
                          entity_id=row.version, from_state="inactive", to_state="active",
                          data={"task": row.task, "previous": previous,
                                "metrics": _headline(row.metrics)}, at=now))


def _headline(metrics: dict) -> dict:
    holdout = (metrics or {}).get("holdout") or {}
    keys = ("n", "macro_f1", "accuracy", "subset_accuracy")
    return {k: holdout[k] for k in keys if k in holdout}


def active_models(session: Session) -> dict[str, NlpModel]:
    """The active row per task (missing tasks have none)."""
    rows = session.scalars(select(NlpModel).where(NlpModel.active.is_(True)).order_by(NlpModel.id))
    return {row.task: row for row in rows}


class _Cache:
    """Loaded models by version, and the Classifier for the current set of active versions.

    Checking the active versions is one small indexed query, done on every use so a model
    activated in another process is picked up at the next job or request; loading happens only
    when a version changed.
    """

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.models: dict[str, nlp.TrainedModel] = {}
        self.key: tuple = ()
        self.classifier: nlp.Classifier | None = None

    def classifier_for(self, rows: dict[str, NlpModel]) -> nlp.Classifier:
        key = tuple((task, rows[task].version) for task in TASKS if task in rows)
        with self.lock:
            if self.classifier is not None and key == self.key:
                return self.classifier
            loaded = {task: self._load(rows[task]) for task in TASKS if task in rows}
            self.models = {m.version: m for m in loaded.values()}  # drop superseded versions
            self.classifier = nlp.Classifier(loaded["tags"], loaded["sentiment"], loaded.get("dispatch"))
            self.key = key
            log.info("text classifier loaded: %s", ", ".join(f"{t}={v}" for t, v in key))
            return self.classifier

    def model(self, row: NlpModel) -> nlp.TrainedModel:
        with self.lock:
            return self._load(row)

    def _load(self, row: NlpModel) -> nlp.TrainedModel:
        if row.version not in self.models:
            self.models[row.version] = nlp.load(row.path)
        return self.models[row.version]

    def clear(self) -> None:
        with self.lock:
            self.models, self.key, self.classifier = {}, (), None


_cache = _Cache()


def current_classifier(session: Session) -> nlp.Classifier:
    """The Classifier of the active models; ModelUnavailable when none can be used."""
    rows = active_models(session)
    missing = [t for t in REQUIRED if t not in rows]
    if missing:
        raise ModelUnavailable(NO_MODEL_MESSAGE, {"missing": missing})
    try:
        return _cache.classifier_for(rows)
    except nlp.ClassificationError as exc:  # incompatible scikit-learn, deleted artifacts, …
        raise ModelUnavailable(str(exc)) from exc


def active_model(session: Session, task: str) -> tuple[NlpModel, nlp.TrainedModel]:
    """The active row and loaded model for one task (ModelUnavailable when there is none)."""
    row = active_models(session).get(task)
    if row is None:
        raise ModelUnavailable(f"没有已启用的 {task} 模型：请先运行 nlp bootstrap 或 nlp train。")
    try:
        return row, _cache.model(row)
    except nlp.ClassificationError as exc:
        raise ModelUnavailable(str(exc)) from exc


def active_model_info(session: Session) -> dict[str, NlpModel]:
    """The active rows per task; ModelUnavailable until a tags model is active."""
    rows = active_models(session)
    if "tags" not in rows:
        raise ModelUnavailable(NO_MODEL_MESSAGE, {"missing": ["tags"]})
    return rows


def preload_active(session: Session) -> bool:
    """Load the active models into this process (the worker does it before forking)."""
    try:
        current_classifier(session)
        return True
    except ModelUnavailable as exc:
        log.warning("no text classifier preloaded: %s", exc.message)
        return False


def clear_cache() -> None:
    _cache.clear()
