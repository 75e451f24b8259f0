from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from service.extensions import db
from service.models.types import JSONType, UTCDateTime, utcnow

NLP_TASKS = ("tags", "sentiment", "dispatch")


class NlpModel(db.Model):
    """A trained text classifier whose artifacts (model.joblib + meta.json) live at `path`.

    At most one row per task is `active`; activation flips it inside one transaction, so readers
    see either the old or the new model. A row is only written after its artifacts are complete.
    `trained_on` is {"n": rows, "sha256": fingerprint of the exact training rows, "source": …}.
    """

    __tablename__ = "nlp_models"
    __table_args__ = (Index("ix_nlp_models_task_active", "task", "active"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    task: Mapped[str] = mapped_column(String(16))
    version: Mapped[str] = mapped_column(String(128), unique=True)
    path: Mapped[str] = mapped_column(String(1000))
    metrics: Mapped[dict] = mapped_column(JSONType, default=dict)
    trained_on: Mapped[dict] = mapped_column(JSONType, default=dict)
    active: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    activated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
