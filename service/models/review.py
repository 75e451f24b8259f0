from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from service.extensions import db
from service.models.service_event import ServiceEvent
from service.models.types import JSONType, UTCDateTime, utcnow

# Pipeline states of the follow-up work on a stored review. "pending" rows are claimed in batches
# by the dispatcher (workers/dispatch.py), so a review accepted while Redis was down is never lost.
PENDING, DONE, FAILED, NOT_NEEDED = "pending", "done", "failed", "not_needed"


class Review(db.Model):
    """A citizen's rating (评价). Append-only: staff never edit or delete one.

    `seq` 0 is the primary rating and 1 the follow-up (追评); the unique (event, seq) pair is what
    makes 一事一评 hold under concurrent submissions.
    """

    __tablename__ = "reviews"
    __table_args__ = (
        UniqueConstraint("service_event_id", "seq", name="uq_reviews_event_seq"),
        Index("ix_reviews_department_created", "department_id", "created_at"),
        # The human review queue (GET /nlp/review-queue) reads rows least sure first.
        Index("ix_reviews_tag_uncertainty", "tag_uncertainty"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    service_event_id: Mapped[int] = mapped_column(ForeignKey("service_events.id"))
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"))
    seq: Mapped[int] = mapped_column(SmallInteger, default=0)
    level: Mapped[int] = mapped_column(SmallInteger)
    is_bad: Mapped[bool] = mapped_column(Boolean)
    channel: Mapped[str] = mapped_column(String(16))
    options: Mapped[list] = mapped_column(JSONType, default=list)
    options_version: Mapped[str] = mapped_column(String(32))
    text: Mapped[str | None] = mapped_column(Text)
    is_default: Mapped[bool] = mapped_column(Boolean, default=False)
    real_name: Mapped[bool] = mapped_column(Boolean, default=False)
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    # Appeal outcome (误评 / 恶意差评): the rating stays stored, flagged and explained.
    excluded: Mapped[bool] = mapped_column(Boolean, default=False)
    excluded_reason: Mapped[str | None] = mapped_column(String(32))
    excluded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    # Text classification (model output and the human label kept beside it).
    tags: Mapped[list | None] = mapped_column(JSONType)
    human_tags: Mapped[list | None] = mapped_column(JSONType)
    # ",delay,quality,": the human label when there is one, else the model's; filterable portably.
    effective_tags: Mapped[str] = mapped_column(String(64), default=",")
    sentiment: Mapped[dict | None] = mapped_column(JSONType)
    mismatch: Mapped[bool] = mapped_column(Boolean, default=False)
    # How unsure the tags model was when it classified the text (nlp.tag_uncertainty: 1 = a tag
    # on its threshold, 0 = all clearly decided): the order of the human review queue.
    tag_uncertainty: Mapped[float | None] = mapped_column(Float)
    model_version: Mapped[str | None] = mapped_column(String(128))
    classification_state: Mapped[str] = mapped_column(String(12), default=PENDING, index=True)
    classification_attempts: Mapped[int] = mapped_column(Integer, default=0)
    classified_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Earliest time the periodic sweep may hand a pending row out again (backoff by attempts).
    classification_next_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    # Ticket opening for 差评.
    ticket_state: Mapped[str] = mapped_column(String(12), default=NOT_NEEDED, index=True)
    # Lease of a pending row handed to a job: the dispatcher hands it out again only after this
    # (classification_next_at plays the same part, and is also the classifier's retry backoff).
    ticket_next_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    service_event: Mapped[ServiceEvent] = relationship()

    @property
    def follow_up(self) -> bool:
        return self.seq > 0

    @property
    def event_no(self) -> str:
        return self.service_event.event_no
