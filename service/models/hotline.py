from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, Float, ForeignKey, Index, Integer, LargeBinary, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from service.extensions import db
from service.models.department import Department
from service.models.service_event import ServiceEvent
from service.models.types import JSONType, UTCDateTime, utcnow

CASE_TYPES = ("consult", "help", "complaint", "report", "suggestion")
CASE_STATUSES = ("open", "closed", "duplicate", "merged")
URGENCIES = ("normal", "urgent")
SATISFACTION = ("satisfied", "basic", "unsatisfied")


class HotlineCase(db.Model):
    """A 12345 case (工单) forwarded to the bureau.

    `duplicate_of_id`: the same caller on the same open matter (重复件): no ticket of its own, the
    original's clock keeps running. `parent_case_id`: merged under a parent case (并单) by an
    operator; its own ticket is closed with outcome `merged` and the parent's ticket answers for it.
    `matter_key` (hash of department, type and address or linked event) finds duplicates by index.
    """

    __tablename__ = "hotline_cases"
    __table_args__ = (
        Index("ix_hotline_cases_contact_kept", "received_at",
              postgresql_where=text("contact_anonymised_at IS NULL"),
              sqlite_where=text("contact_anonymised_at IS NULL")),
        # The human review queue (GET /nlp/review-queue) reads rows least sure first.
        Index("ix_hotline_cases_tag_uncertainty", "tag_uncertainty"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_no: Mapped[str] = mapped_column(String(64), unique=True)
    type: Mapped[str] = mapped_column(String(16))
    urgency: Mapped[str] = mapped_column(String(8), default="normal")
    content: Mapped[str] = mapped_column(Text)
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"), index=True)
    co_department_codes: Mapped[list] = mapped_column(JSONType, default=list)
    caller_name_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    caller_phone_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    caller_phone_bidx: Mapped[str | None] = mapped_column(String(64), index=True)
    caller_name_masked: Mapped[str | None] = mapped_column(String(64))
    caller_phone_masked: Mapped[str | None] = mapped_column(String(32))
    caller_anonymous: Mapped[bool] = mapped_column(Boolean, default=False)
    address: Mapped[str | None] = mapped_column(String(500))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    service_event_id: Mapped[int | None] = mapped_column(ForeignKey("service_events.id"))
    duplicate_of_id: Mapped[int | None] = mapped_column(ForeignKey("hotline_cases.id"))
    parent_case_id: Mapped[int | None] = mapped_column(ForeignKey("hotline_cases.id"))
    status: Mapped[str] = mapped_column(String(16), default="open")
    matter_key: Mapped[str | None] = mapped_column(String(64), index=True)
    body_fingerprint: Mapped[str] = mapped_column(String(64))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # Set when CONTACT_RETENTION_DAYS after receipt the caller's contact data was erased.
    contact_anonymised_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    tags: Mapped[list | None] = mapped_column(JSONType)
    human_tags: Mapped[list | None] = mapped_column(JSONType)
    # ",delay,quality,": the human label when there is one, else the model's; filterable portably.
    effective_tags: Mapped[str] = mapped_column(String(64), default=",")
    sentiment: Mapped[dict | None] = mapped_column(JSONType)
    # How unsure the tags model was (see Review.tag_uncertainty).
    tag_uncertainty: Mapped[float | None] = mapped_column(Float)
    model_version: Mapped[str | None] = mapped_column(String(128))
    classification_state: Mapped[str] = mapped_column(String(12), default="pending", index=True)
    classification_attempts: Mapped[int] = mapped_column(Integer, default=0)
    classified_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Earliest time the periodic sweep may hand a pending row out again (backoff by attempts).
    classification_next_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    department: Mapped[Department] = relationship()
    service_event: Mapped[ServiceEvent | None] = relationship()
    callbacks: Mapped[list[HotlineCallback]] = relationship(
        order_by="HotlineCallback.id", viewonly=True
    )


class HotlineCallback(db.Model):
    """The caller's callback (回访) result after a reply."""

    __tablename__ = "hotline_callbacks"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("hotline_cases.id"), index=True)
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"), index=True)
    solved: Mapped[bool] = mapped_column(Boolean)
    satisfaction: Mapped[str] = mapped_column(String(12))
    unit_at_fault: Mapped[bool] = mapped_column(Boolean, default=True)
    valid: Mapped[bool] = mapped_column(Boolean, default=True)
    note: Mapped[str | None] = mapped_column(Text)
    operator_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
